/**
 * The original igvmmeasure's measurement rules (coconut-svsm/svsm
 * `tools/igvmmeasure/src/igvm_measure.rs`) for SEV-SNP: one test per page
 * type, flag and directive rule, on small files built here. Expected digests
 * are computed independently (see measure_coconut_helpers.ts).
 */

import { NOT_COMPATIBLE } from "../lib/measure/measure.ts";
import { coconut } from "./measure_helpers.ts";
import { MeasurementError } from "../lib/errors.ts";
import { assertEquals, assertOk, assertThrowsMatch } from "./assert.ts";
import { pageData, platform, snpVpContext } from "./builder.ts";
import { PlatformType } from "../lib/igvm/defs.ts";
import type { IgvmFile } from "../lib/igvm/types.ts";
import {
  area,
  digest,
  fileFor,
  filled,
  idBlock,
  insert,
  IS_2MB,
  KVM_GPA,
  measure,
  measureError,
  PAGE,
  pattern,
  RefChain,
  SHARED,
  snpFile,
  T_CPUID,
  T_NORMAL,
  T_SECRETS,
  T_UNMEASURED,
  T_VMSA,
  T_ZERO,
  UNMEASURED,
  vmsa,
} from "./measure_coconut_helpers.ts";

// ---------------------------------------------------------------------------
// SEV-SNP page types and flags
// ---------------------------------------------------------------------------

Deno.test("measure: normal page with data → NORMAL, SHA-384 of the page", async () => {
  const data = pattern(7);
  const ref = new RefChain();
  await ref.normal(0x1000n, data);
  const m = measure(snpFile([pageData(0x1000n, 1, data)]));
  assertEquals(m.digest.toHex(), ref.hex);
  assertEquals(m.compatibilityMask, 1);
});

Deno.test("measure: several pages chain in directive order", async () => {
  const ref = new RefChain();
  await ref.normal(0x5000n, pattern(1));
  await ref.normal(0x1000n, pattern(2));
  await ref.normal(0x1000n, pattern(1));
  const m = measure(snpFile([
    pageData(0x5000n, 1, pattern(1)),
    pageData(0x1000n, 1, pattern(2)),
    pageData(0x1000n, 1, pattern(1)),
  ]));
  assertEquals(m.digest.toHex(), ref.hex);
});

Deno.test("measure: page without data", async (t) => {
  await t.step("default → NORMAL page of SHA-384(4096 zeros)", async () => {
    const ref = new RefChain();
    await ref.page(T_NORMAL, 0x2000n, await digest("SHA-384", new Uint8Array(PAGE)));
    assertEquals(measure(snpFile([pageData(0x2000n, 1, null)])).digest.toHex(), ref.hex);
  });
  await t.step("nativeZero → ZERO page (type 3), zero contents", async () => {
    const ref = new RefChain();
    await ref.page(T_ZERO, 0x2000n);
    const m = measure(snpFile([pageData(0x2000n, 1, null)]), { nativeZero: true });
    assertEquals(m.digest.toHex(), ref.hex);
  });
  await t.step("nativeZero does not change pages with data, even all-zero data", async () => {
    const ref = new RefChain();
    await ref.normal(0x3000n, new Uint8Array(PAGE));
    const m = measure(snpFile([pageData(0x3000n, 1, new Uint8Array(PAGE))]), { nativeZero: true });
    assertEquals(m.digest.toHex(), ref.hex);
  });
});

Deno.test("measure: unmeasured flag → UNMEASURED (type 4), zero contents", async (t) => {
  await t.step("with data", async () => {
    const ref = new RefChain();
    await ref.page(T_UNMEASURED, 0x4000n);
    const m = measure(snpFile([pageData(0x4000n, 1, pattern(3), UNMEASURED)]));
    assertEquals(m.digest.toHex(), ref.hex);
  });
  await t.step("without data, with and without nativeZero", async () => {
    const ref = new RefChain();
    await ref.page(T_UNMEASURED, 0x4000n);
    const file = snpFile([pageData(0x4000n, 1, null, UNMEASURED)]);
    assertEquals(measure(file).digest.toHex(), ref.hex);
    assertEquals(measure(file, { nativeZero: true }).digest.toHex(), ref.hex);
  });
});

Deno.test("measure: shared flag is ignored", async () => {
  const ref = new RefChain();
  await ref.normal(0x5000n, pattern(4));
  await ref.page(T_NORMAL, 0x6000n, await digest("SHA-384", new Uint8Array(PAGE)));
  const m = measure(snpFile([
    pageData(0x5000n, 1, pattern(4), SHARED),
    pageData(0x6000n, 1, null, SHARED),
  ]));
  assertEquals(m.digest.toHex(), ref.hex);
});

Deno.test("measure: SECRETS page (type 5), zero contents, data ignored", async () => {
  const ref = new RefChain();
  await ref.page(T_SECRETS, 0x7000n);
  await ref.page(T_SECRETS, 0x8000n);
  const m = measure(snpFile([
    pageData(0x7000n, 1, null, 0, 1),
    pageData(0x8000n, 1, pattern(5), 0, 1),
  ]));
  assertEquals(m.digest.toHex(), ref.hex);
});

Deno.test("measure: CPUID_DATA and CPUID_XF pages (type 6)", async () => {
  const ref = new RefChain();
  await ref.page(T_CPUID, 0x9000n);
  await ref.page(T_CPUID, 0xa000n);
  await ref.page(T_CPUID, 0xb000n);
  const m = measure(snpFile([
    pageData(0x9000n, 1, null, 0, 2),
    pageData(0xa000n, 1, null, 0, 3),
    pageData(0xb000n, 1, pattern(6), 0, 2),
  ]));
  assertEquals(m.digest.toHex(), ref.hex);
});

Deno.test("measure: unmeasured flag beats nothing for SECRETS/CPUID (their type wins)", async () => {
  // The original tests the unmeasured flag only for NORMAL pages.
  const ref = new RefChain();
  await ref.page(T_SECRETS, 0x7000n);
  await ref.page(T_CPUID, 0x8000n);
  const m = measure(snpFile([
    pageData(0x7000n, 1, null, UNMEASURED, 1),
    pageData(0x8000n, 1, null, UNMEASURED, 3),
  ]));
  assertEquals(m.digest.toHex(), ref.hex);
});

Deno.test("measure: 2 MiB page without data → 512 consecutive 4 KiB pages", async (t) => {
  const zeroHash = await digest("SHA-384", new Uint8Array(PAGE));
  const base = 0x200000n;
  await t.step("default: 512 NORMAL zero pages", async () => {
    const ref = new RefChain();
    for (let i = 0n; i < 512n; i++) await ref.page(T_NORMAL, base + i * 0x1000n, zeroHash);
    assertEquals(measure(snpFile([pageData(base, 1, null, IS_2MB)])).digest.toHex(), ref.hex);
  });
  await t.step("nativeZero: 512 ZERO pages", async () => {
    const ref = new RefChain();
    for (let i = 0n; i < 512n; i++) await ref.page(T_ZERO, base + i * 0x1000n);
    const m = measure(snpFile([pageData(base, 1, null, IS_2MB)]), { nativeZero: true });
    assertEquals(m.digest.toHex(), ref.hex);
  });
  await t.step("unmeasured: 512 UNMEASURED pages", async () => {
    const ref = new RefChain();
    for (let i = 0n; i < 512n; i++) await ref.page(T_UNMEASURED, base + i * 0x1000n);
    const m = measure(snpFile([pageData(base, 1, null, IS_2MB | UNMEASURED)]));
    assertEquals(m.digest.toHex(), ref.hex);
  });
  await t.step("SECRETS: 512 SECRETS pages", async () => {
    const ref = new RefChain();
    for (let i = 0n; i < 512n; i++) await ref.page(T_SECRETS, base + i * 0x1000n);
    assertEquals(measure(snpFile([pageData(base, 1, null, IS_2MB, 1)])).digest.toHex(), ref.hex);
  });
});

Deno.test("measure: 2 MiB page with data → MeasurementError", () => {
  const e = measureError(snpFile([pageData(0x200000n, 1, pattern(8), IS_2MB)]), {});
  assertOk(e.message.includes("2 MiB"), e.message);
  assertOk(!e.message.includes("\n"));
  assertEquals(e.reason, undefined);
});

Deno.test("measure: 2 MiB page with data for another platform is not an error", async () => {
  const ref = new RefChain();
  await ref.normal(0x1000n, pattern(1));
  const m = measure(snpFile([
    pageData(0x200000n, 2, pattern(8), IS_2MB),
    pageData(0x1000n, 1, pattern(1)),
  ]));
  assertEquals(m.digest.toHex(), ref.hex);
});

Deno.test("measure: parameter insert → one UNMEASURED page at its GPA, whatever the area size", async (t) => {
  for (const size of [0x1000n, 0x3000n, 0x200000n]) {
    await t.step(`area of 0x${size.toString(16)} bytes`, async () => {
      const ref = new RefChain();
      await ref.normal(0x1000n, pattern(1));
      await ref.page(T_UNMEASURED, 0x40000n);
      const m = measure(snpFile([
        area(0, size),
        pageData(0x1000n, 1, pattern(1)),
        insert(0x40000n, 1, 0),
      ]));
      assertEquals(m.digest.toHex(), ref.hex);
    });
  }
  await t.step("insert for another platform is skipped", async () => {
    const ref = new RefChain();
    await ref.normal(0x1000n, pattern(1));
    const m = measure(
      snpFile([area(0, 0x1000n), pageData(0x1000n, 1, pattern(1)), insert(0x40000n, 2, 0)]),
    );
    assertEquals(m.digest.toHex(), ref.hex);
  });
});

Deno.test("measure: VMSA → type 2, SHA-384 of the 4 KiB page, at the directive's GPA", async (t) => {
  await t.step("at the KVM GPA", async () => {
    const v = vmsa();
    const ref = new RefChain();
    await ref.normal(0x1000n, pattern(1));
    await ref.page(T_VMSA, KVM_GPA, await digest("SHA-384", v));
    const m = measure(snpFile([pageData(0x1000n, 1, pattern(1)), snpVpContext(KVM_GPA, 1, v)]));
    assertEquals(m.digest.toHex(), ref.hex);
  });
  await t.step("at another GPA", async () => {
    const v = vmsa(0x11n, 3);
    const ref = new RefChain();
    await ref.page(T_VMSA, 0x8fff000n, await digest("SHA-384", v));
    assertEquals(measure(snpFile([snpVpContext(0x8fff000n, 1, v)])).digest.toHex(), ref.hex);
  });
  await t.step("VMSA of another platform (SEV-ES mask) is measured too", async () => {
    const v = vmsa(0x31n, 9);
    const ref = new RefChain();
    await ref.page(T_VMSA, KVM_GPA, await digest("SHA-384", v));
    const file = snpFile([snpVpContext(KVM_GPA, 2, v)], [platform(PlatformType.SEV_ES, 2)]);
    assertEquals(measure(file).digest.toHex(), ref.hex);
  });
  await t.step("VMSA in the middle of the pages stays in directive order", async () => {
    const v = vmsa();
    const ref = new RefChain();
    await ref.normal(0x1000n, pattern(1));
    await ref.page(T_VMSA, KVM_GPA, await digest("SHA-384", v));
    await ref.normal(0x2000n, pattern(2));
    const m = measure(snpFile([
      pageData(0x1000n, 1, pattern(1)),
      snpVpContext(KVM_GPA, 1, v),
      pageData(0x2000n, 1, pattern(2)),
    ]));
    assertEquals(m.digest.toHex(), ref.hex);
  });
});

Deno.test("measure: compatibility mask is an any-bit test", async (t) => {
  await t.step("page mask 0x3 matches platform mask 0x1; page mask 0x2 does not", async () => {
    const ref = new RefChain();
    await ref.normal(0x1000n, pattern(1));
    const m = measure(snpFile([
      pageData(0x1000n, 3, pattern(1)),
      pageData(0x2000n, 2, pattern(2)),
      pageData(0x3000n, 0xfffffffe, pattern(3)),
    ]));
    assertEquals(m.digest.toHex(), ref.hex);
  });
  await t.step("platform with a high mask bit", async () => {
    const ref = new RefChain();
    await ref.normal(0x1000n, pattern(1));
    const file: IgvmFile = {
      revision: { version: 1 },
      platforms: [platform(PlatformType.SEV_SNP, 0x10)],
      initializations: [],
      directives: [pageData(0x1000n, 0xffffffff, pattern(1)), pageData(0x2000n, 0x1, pattern(2))],
    };
    const m = measure(file);
    assertEquals(m.digest.toHex(), ref.hex);
    assertEquals(m.compatibilityMask, 0x10);
  });
  await t.step("nothing matching → 48 zero bytes", () => {
    assertEquals(measure(snpFile([])).digest.toHex(), "00".repeat(48));
  });
});

Deno.test("measure: ID block LD — the last matching one", async (t) => {
  await t.step("two matching: the last wins; a later non-matching one is ignored", () => {
    const m = measure(snpFile([
      pageData(0x1000n, 1, pattern(1)),
      idBlock(1, filled(48, 0xa1)),
      idBlock(3, filled(48, 0xa2)),
      idBlock(2, filled(48, 0xa3)),
    ]));
    assertEquals(m.idBlockLd?.toHex(), "a2".repeat(48));
  });
  await t.step("no ID block → undefined", () => {
    assertEquals(measure(snpFile([pageData(0x1000n, 1, pattern(1))])).idBlockLd, undefined);
  });
  await t.step("only a non-matching ID block → undefined", () => {
    assertEquals(measure(snpFile([idBlock(2, filled(48, 1))])).idBlockLd, undefined);
  });
  await t.step("the ID block does not change the digest", async () => {
    const ref = new RefChain();
    await ref.normal(0x1000n, pattern(1));
    const m = measure(snpFile([idBlock(1, filled(48, 1)), pageData(0x1000n, 1, pattern(1))]));
    assertEquals(m.digest.toHex(), ref.hex);
  });
});

Deno.test("measure: platform missing → MeasurementError, the original's message", async (t) => {
  for (const p of ["sev", "sev-es"] as const) {
    await t.step(`${p} on an SEV-SNP-only file`, () => {
      const e = measureError(snpFile([pageData(0x1000n, 1, pattern(1))]), { platform: p });
      assertEquals(e.message, "IGVM file is not compatible with the specified platform.");
      assertEquals(e.message, NOT_COMPATIBLE);
      assertEquals(e.reason, "platform-not-in-file");
    });
  }
  await t.step("sev-snp on an SEV-ES file", () => {
    const e = measureError(fileFor(PlatformType.SEV_ES, []), { platform: "sev-snp" });
    assertEquals(e.message, NOT_COMPATIBLE);
    assertEquals(e.reason, "platform-not-in-file");
  });
});

Deno.test("measure: page data longer than a page (a built file) is refused, not cut", () => {
  // A parsed file never has it (parsers read 4 KiB); the crate's rules refuse it too.
  for (const platform of ["sev-snp", "sev-es"] as const) {
    const model = fileFor(platform === "sev-snp" ? PlatformType.SEV_SNP : PlatformType.SEV_ES, [
      pageData(0x1000n, 1, new Uint8Array(8192)),
    ]);
    const e = assertThrowsMatch(() => coconut(model, { platform }), MeasurementError);
    assertEquals(e.message, "unsupported page data size: 8192 bytes", platform);
  }
});
