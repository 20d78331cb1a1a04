/**
 * The IGVM parser on platform headers (lib.rs 228-318, 2760-2817):
 * compatibility mask, highest VTL, version, platform type, shared GPA
 * boundary, duplicates, absence, and architecture support.
 *
 * Each refusal is checked by its error class and its `code`, the crate's
 * `Debug` name of the error (rules in microsoft/igvm igvm/src/lib.rs, as the parser module docs say;
 * helpers in parser_helpers.ts).
 */

import { assertEquals } from "./assert.ts";
import { parseIgvm } from "../lib/igvm/parser.ts";
import { PlatformType } from "../lib/igvm/defs.ts";
import { assemble, type Hdr, page, plat, policy, refuse, SNP } from "./parser_helpers.ts";

// ---------------------------------------------------------------------------
// Platform headers (lib.rs 228-318, 2760-2817)
// ---------------------------------------------------------------------------

function platFile(...ps: Hdr[]): Uint8Array {
  return assemble((ds) => [...ps, page(0n, 1, ds)]);
}

Deno.test("parser: platform compatibility mask", async (t) => {
  await t.step("mask 0 → InvalidBinaryPlatformHeader(InvalidCompatibilityMask)", () => {
    refuse(platFile(plat(0, SNP)), "InvalidBinaryPlatformHeader(InvalidCompatibilityMask)");
  });
  await t.step("mask with 2 bits → InvalidBinaryPlatformHeader(InvalidCompatibilityMask)", () => {
    refuse(platFile(plat(3, SNP)), "InvalidBinaryPlatformHeader(InvalidCompatibilityMask)");
  });
  await t.step("mask 0x80000000 accepted", () => {
    parseIgvm(assemble((ds) => [plat(0x80000000, SNP), page(0n, 0x80000000, ds)]));
  });
});

Deno.test("parser: platform highest_vtl", async (t) => {
  for (const vtl of [1, 3, 255]) {
    await t.step(`highest_vtl ${vtl} → InvalidBinaryPlatformHeader(InvalidVtl)`, () => {
      refuse(platFile(plat(1, SNP, { vtl })), "InvalidBinaryPlatformHeader(InvalidVtl)");
    });
  }
  await t.step("highest_vtl 2 accepted", () => {
    parseIgvm(platFile(plat(1, SNP, { vtl: 2 })));
  });
});

Deno.test("parser: platform version other than 1 → InvalidPlatformVersion", async (t) => {
  for (const type of [0, 1, 2, 3, 4, 5]) {
    await t.step(`platform type ${type}, version 2`, () => {
      refuse(
        platFile(plat(1, type, { version: 2 })),
        "InvalidBinaryPlatformHeader(InvalidPlatformVersion)",
      );
    });
  }
  await t.step("version 0", () => {
    refuse(
      platFile(plat(1, SNP, { version: 0 })),
      "InvalidBinaryPlatformHeader(InvalidPlatformVersion)",
    );
  });
});

Deno.test("parser: unknown platform type → InvalidBinaryPlatformHeader(InvalidPlatformType)", async (t) => {
  for (const type of [7, 0xff]) {
    await t.step(`type ${type}`, () => {
      refuse(platFile(plat(1, type)), "InvalidBinaryPlatformHeader(InvalidPlatformType)");
    });
  }
});

Deno.test("parser: shared GPA boundary", async (t) => {
  await t.step("NATIVE with a boundary → InvalidSharedGpaBoundary", () => {
    refuse(
      platFile(plat(1, PlatformType.NATIVE, { boundary: 0x1000n })),
      "InvalidBinaryPlatformHeader(InvalidSharedGpaBoundary)",
    );
  });
  await t.step("VSM_ISOLATION with a boundary → InvalidSharedGpaBoundary", () => {
    refuse(
      platFile(plat(1, PlatformType.VSM_ISOLATION, { boundary: 1n << 46n })),
      "InvalidBinaryPlatformHeader(InvalidSharedGpaBoundary)",
    );
  });
  await t.step("SEV-SNP and TDX may have one", () => {
    const f = parseIgvm(
      platFile(
        plat(1, SNP, { boundary: 1n << 46n }),
        plat(2, PlatformType.TDX, { boundary: 1n << 47n }),
      ),
    );
    assertEquals(f.platforms.map((p) => p.sharedGpaBoundary), [1n << 46n, 1n << 47n]);
  });
});

Deno.test("parser: duplicate platform types → MultiplePlatformHeadersWithSameIsolation", async (t) => {
  await t.step("two SEV-SNP headers, different masks", () => {
    refuse(platFile(plat(1, SNP), plat(2, SNP)), "MultiplePlatformHeadersWithSameIsolation");
  });
  await t.step("same mask for two platform types is accepted (not checked)", () => {
    const f = parseIgvm(platFile(plat(1, SNP), plat(1, PlatformType.TDX)));
    assertEquals(f.platforms.length, 2);
  });
});

Deno.test("parser: no platform headers → NoPlatformHeaders", async (t) => {
  await t.step("directives only", () => {
    refuse(assemble((ds) => [page(0n, 1, ds)]), "NoPlatformHeaders");
  });
  await t.step("init and directives only", () => {
    refuse(assemble((ds) => [policy(0n, 1), page(0n, 1, ds)]), "NoPlatformHeaders");
  });
});

Deno.test("parser: platform not supported on the architecture → PlatformArchUnsupported", async (t) => {
  await t.step("v2 AArch64 with SEV-SNP", () => {
    refuse(
      assemble((ds) => [plat(1, SNP), page(0n, 1, ds)], { version: 2, arch: 1 }),
      "PlatformArchUnsupported { arch: AArch64, platform: SEV_SNP }",
    );
  });
  await t.step("v2 AArch64 with TDX", () => {
    refuse(
      assemble((ds) => [plat(1, PlatformType.TDX), page(0n, 1, ds)], { version: 2, arch: 1 }),
      "PlatformArchUnsupported { arch: AArch64, platform: TDX }",
    );
  });
  await t.step("v1 (x64) with CCA", () => {
    refuse(
      assemble((ds) => [plat(1, PlatformType.CCA), page(0n, 1, ds)]),
      "PlatformArchUnsupported { arch: X64, platform: CCA }",
    );
  });
  await t.step("VSM_ISOLATION on AArch64 accepted", () => {
    parseIgvm(
      assemble((ds) => [plat(1, PlatformType.VSM_ISOLATION), page(0n, 1, ds)], {
        version: 2,
        arch: 1,
      }),
    );
  });
});
