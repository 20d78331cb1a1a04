/**
 * The IGVM parser's header loop (lib.rs 3405-3518): truncated headers,
 * section order, unknown and optional header types, wrong lengths, and
 * headers with compatibility mask 0.
 *
 * Each refusal is checked by its error class and its `code`, the crate's
 * `Debug` name of the error (rules in microsoft/igvm igvm/src/lib.rs, as the parser module docs say;
 * helpers in parser_helpers.ts).
 */

import { assertEquals } from "./assert.ts";
import { parseIgvm } from "../lib/igvm/parser.ts";
import { HeaderType, PlatformType } from "../lib/igvm/defs.ts";
import {
  area,
  assemble,
  base,
  errRange,
  fixChecksum,
  h,
  insert,
  page,
  param,
  plat,
  policy,
  refuse,
  reqMem,
  setU32,
  SNP,
  vp,
  withDirectives,
} from "./parser_helpers.ts";

// ---------------------------------------------------------------------------
// Header loop (lib.rs 3405-3518)
// ---------------------------------------------------------------------------

Deno.test("parser: truncated variable headers", async (t) => {
  await t.step(
    "fewer than 8 bytes left for a type/length prefix → InvalidBinaryVariableHeaderSection",
    () => {
      // The section shrunk to the platform header + 4 bytes of the page header's prefix;
      // the rest of the file becomes "file data".
      const c = setU32(base(), 12, 24 + 4);
      refuse(fixChecksum(c), "InvalidBinaryVariableHeaderSection");
    },
  );
  await t.step(
    "platform body cut short → InvalidBinaryPlatformHeader(InvalidVariableHeaderSize)",
    () => {
      const c = setU32(base(), 12, 8 + 8);
      refuse(fixChecksum(c), "InvalidBinaryPlatformHeader(InvalidVariableHeaderSize)");
    },
  );
  await t.step(
    "page data body cut short → InvalidBinaryDirectiveHeader(InvalidVariableHeaderSize)",
    () => {
      const c = setU32(base(), 12, 24 + 8 + 16);
      refuse(fixChecksum(c), "InvalidBinaryDirectiveHeader(InvalidVariableHeaderSize)");
    },
  );
  await t.step(
    "VP context without its 4 padding bytes → InvalidBinaryDirectiveHeader(InvalidVariableHeaderSize)",
    () => {
      const b = assemble((ds) => [plat(1, SNP), vp(0xfffffffff000n, 1, ds)]);
      const c = setU32(b, 12, 24 + 8 + 20);
      refuse(fixChecksum(c), "InvalidBinaryDirectiveHeader(InvalidVariableHeaderSize)");
    },
  );
});

Deno.test("parser: header section order", async (t) => {
  await t.step("platform after initialization → InvalidBinaryVariableHeaderSection", () => {
    refuse(
      assemble((ds) => [plat(1, SNP), policy(0n, 1), plat(2, PlatformType.TDX), page(0n, 1, ds)]),
      "InvalidBinaryVariableHeaderSection",
    );
  });
  await t.step("platform after directive → InvalidBinaryVariableHeaderSection", () => {
    refuse(base(() => [plat(2, PlatformType.TDX)]), "InvalidBinaryVariableHeaderSection");
  });
  await t.step("initialization after directive → InvalidBinaryVariableHeaderSection", () => {
    refuse(base(() => [policy(0n, 1)]), "InvalidBinaryVariableHeaderSection");
  });
  await t.step(
    "unknown platform-range type after an init header → InvalidBinaryVariableHeaderSection (stage check first)",
    () => {
      refuse(
        assemble((
          ds,
        ) => [plat(1, SNP), policy(0n, 1), h(0x2, new Uint8Array(16)), page(0n, 1, ds)]),
        "InvalidBinaryVariableHeaderSection",
      );
    },
  );
  await t.step("directives straight after platforms are accepted", () => {
    parseIgvm(base());
  });
});

Deno.test("parser: unknown header types", async (t) => {
  const cases: Array<[number, string, "platform" | "init" | "directive"]> = [
    [0x0, "InvalidBinaryVariableHeaderSection", "platform"],
    [0x2, "InvalidBinaryPlatformHeader(InvalidVariableHeaderType)", "platform"],
    [0x100, "InvalidBinaryPlatformHeader(InvalidVariableHeaderType)", "platform"],
    [0x107, "InvalidBinaryInitializationHeader(InvalidVariableHeaderType)", "init"],
    [0x200, "InvalidBinaryInitializationHeader(InvalidVariableHeaderType)", "init"],
    [0x201, "InvalidBinaryVariableHeaderSection", "init"],
    [0x300, "InvalidBinaryVariableHeaderSection", "directive"],
    [0x306, "InvalidBinaryDirectiveHeader(InvalidVariableHeaderType)", "directive"],
    [0x314, "InvalidBinaryDirectiveHeader(InvalidVariableHeaderType)", "directive"],
    [0x400, "InvalidBinaryDirectiveHeader(InvalidVariableHeaderType)", "directive"],
    [0x401, "InvalidBinaryVariableHeaderSection", "directive"],
    [0xffffffff, "InvalidBinaryVariableHeaderSection", "directive"],
    // The optional bit is never consulted by the crate: every such type is outside the ranges.
    [0x80000001, "InvalidBinaryVariableHeaderSection", "platform"],
    [0x80000101, "InvalidBinaryVariableHeaderSection", "init"],
    [0x80000302, "InvalidBinaryVariableHeaderSection", "directive"],
    [0x80000500, "InvalidBinaryVariableHeaderSection", "directive"],
  ];
  for (const [type, code, where] of cases) {
    await t.step(`type 0x${type.toString(16)} (${where} position) → ${code}`, () => {
      const x = h(type, new Uint8Array(16));
      const bytes = where === "platform"
        ? assemble((ds) => [plat(1, SNP), x, page(0n, 1, ds)])
        : where === "init"
        ? assemble((ds) => [plat(1, SNP), policy(0n, 1), x, page(0n, 1, ds)])
        : base(() => [x]);
      refuse(bytes, code);
    });
  }
});

Deno.test("parser: optionalHeaders 'skip' skips unknown optional headers", async (t) => {
  await t.step("optional unknown directive skipped", () => {
    const x = h(0x80000500, new Uint8Array(12)); // length 12, padded to 16
    const bytes = base(() => [x, page(0x1000n, 1, 0)]);
    refuse(bytes, "InvalidBinaryVariableHeaderSection");
    const f = parseIgvm(bytes, { optionalHeaders: "skip" });
    assertEquals(f.directives.map((d) => d.type), ["PageData", "PageData"]);
  });
  await t.step("optional unknown header among platforms skipped", () => {
    const bytes = assemble((
      ds,
    ) => [plat(1, SNP), h(0x80000001, new Uint8Array(8)), page(0n, 1, ds)]);
    assertEquals(parseIgvm(bytes, { optionalHeaders: "skip" }).platforms.length, 1);
  });
  await t.step("unknown type without the optional bit still refused", () => {
    refuse(base(() => [h(0x500, new Uint8Array(8))]), "InvalidBinaryVariableHeaderSection", {
      optionalHeaders: "skip",
    });
  });
});

Deno.test("parser: wrong length for a known type → InvalidVariableHeaderType", async (t) => {
  await t.step("platform length 24", () => {
    const p = plat(1, SNP);
    refuse(
      assemble((ds) => [h(p.type, p.body, 24), page(0n, 1, ds)]),
      "InvalidBinaryPlatformHeader(InvalidVariableHeaderType)",
    );
  });
  await t.step("guest policy length 8", () => {
    const p = policy(0n, 1);
    refuse(
      assemble((ds) => [plat(1, SNP), h(p.type, p.body, 8), page(0n, 1, ds)]),
      "InvalidBinaryInitializationHeader(InvalidVariableHeaderType)",
    );
  });
  await t.step("page data length 20", () => {
    const p = page(0n, 1, 0);
    refuse(
      base(() => [h(p.type, p.body, 20)]),
      "InvalidBinaryDirectiveHeader(InvalidVariableHeaderType)",
    );
  });
  await t.step("VP context length 24 (the structure is 20)", () => {
    refuse(
      assemble((ds) => {
        const x = vp(0xfffffffff000n, 1, ds);
        return [plat(1, SNP), h(x.type, x.body, 24)];
      }),
      "InvalidBinaryDirectiveHeader(InvalidVariableHeaderType)",
    );
  });
});

// ---------------------------------------------------------------------------
// Compatibility mask 0 (lib.rs 3470-3510)
// ---------------------------------------------------------------------------

Deno.test("parser: headers with compatibility mask 0 are dropped", async (t) => {
  await t.step("init and directive headers with mask 0 are not counted", () => {
    const f = parseIgvm(
      withDirectives(
        page(0x1000n, 0, 0),
        area(0x1000n, 0),
        param(HeaderType.VP_COUNT_PARAMETER, 0),
        insert(0x2000n, 0, 0),
        reqMem(0x3000n, 0, 0x1000),
        errRange(0x4000n, 0, 0x1000),
      ),
    );
    // Kept: page at 0 (mask 1), the parameter area, the VP count usage (no mask).
    assertEquals(f.directives.map((d) => d.type), ["PageData", "ParameterArea", "VpCount"]);
  });
  await t.step("guest policy with mask 0 is not counted", () => {
    const f = parseIgvm(
      assemble((ds) => [plat(1, SNP), policy(1n, 0), policy(2n, 1), page(0n, 1, ds)]),
    );
    assertEquals(f.initializations.length, 1);
  });
  await t.step("a dropped insert does not consume its area", () => {
    // The mask-0 insert is dropped before validation, so the area is still "allocated".
    parseIgvm(
      withDirectives(
        area(0x1000n, 0),
        insert(0x2000n, 0, 0),
        param(HeaderType.SRAT, 0),
        insert(0x2000n, 1, 0),
      ),
    );
  });
  await t.step("a header with mask 0 is still checked while parsing", () => {
    refuse(
      withDirectives(page(0x1001n, 0, 0)),
      "InvalidBinaryDirectiveHeader(UnalignedAddress(4097))",
    );
  });
});
