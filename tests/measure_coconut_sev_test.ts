/**
 * The original igvmmeasure's measurement rules (coconut-svsm/svsm
 * `tools/igvmmeasure/src/igvm_measure.rs`) for SEV and SEV-ES: SHA-256
 * over the data of the matching pages (and the VMSA for SEV-ES).
 */

import { assertEquals } from "./assert.ts";
import { concat } from "./hand_records.ts";
import { pageData, platform, snpVpContext } from "./builder.ts";
import { PlatformType } from "../lib/igvm/defs.ts";
import type { DirectiveHeader, IgvmFile } from "../lib/igvm/types.ts";
import {
  area,
  digest,
  fileFor,
  filled,
  FILLER,
  idBlock,
  insert,
  IS_2MB,
  KVM_GPA,
  measure,
  pattern,
  UNMEASURED,
  vmsa,
} from "./measure_coconut_helpers.ts";

// ---------------------------------------------------------------------------
// SEV and SEV-ES: SHA-256 over the data stream
// ---------------------------------------------------------------------------

Deno.test("measure: SEV-ES mode = SHA-256 over matching pages' data and the VMSA", async (t) => {
  const a = pattern(1);
  const b = pattern(2);
  const c = pattern(3);
  const d = pattern(4);
  const v = vmsa();
  const directives: DirectiveHeader[] = [
    area(0, 0x1000n),
    pageData(0x1000n, 1, a), // normal
    pageData(0x2000n, 1, null), // no data: adds nothing
    pageData(0x3000n, 1, b, UNMEASURED), // flags do not matter
    pageData(0x4000n, 1, c, 0, 1), // nor the data type
    pageData(0x5000n, 2, d), // another platform: skipped
    insert(0x6000n, 1, 0), // no data: adds nothing
    pageData(0x200000n, 1, null, IS_2MB), // 512 pages without data: nothing
    snpVpContext(KVM_GPA, 1, v),
  ];
  await t.step("sev-es", async () => {
    const expected = await digest("SHA-256", concat(a, b, c, v));
    const m = measure(fileFor(PlatformType.SEV_ES, directives), { platform: "sev-es" });
    assertEquals(m.digest.length, 32);
    assertEquals(m.digest.toHex(), expected.toHex());
  });
  await t.step("sev-es with nativeZero: same", async () => {
    const expected = await digest("SHA-256", concat(a, b, c, v));
    const m = measure(fileFor(PlatformType.SEV_ES, directives), {
      platform: "sev-es",
      nativeZero: true,
    });
    assertEquals(m.digest.toHex(), expected.toHex());
  });
  await t.step("VMSA for another platform's mask still hashed", async () => {
    const file: IgvmFile = {
      revision: { version: 1 },
      platforms: [platform(PlatformType.SEV_ES, 1), platform(PlatformType.SEV_SNP, 2)],
      initializations: [],
      directives: [
        FILLER,
        pageData(0x1000n, 1, a),
        pageData(0x2000n, 2, b),
        snpVpContext(KVM_GPA, 2, v),
      ],
    };
    const expected = await digest("SHA-256", concat(a, v));
    assertEquals(measure(file, { platform: "sev-es" }).digest.toHex(), expected.toHex());
  });
});

Deno.test("measure: SEV mode = SHA-256 over matching pages' data", async (t) => {
  await t.step("pages with data in order; without data nothing", async () => {
    const a = pattern(10);
    const b = pattern(11);
    const file = fileFor(PlatformType.SEV, [
      pageData(0x1000n, 1, a),
      pageData(0x2000n, 1, null),
      pageData(0x3000n, 1, b, 0, 2),
      pageData(0x4000n, 2, pattern(12)),
    ]);
    const expected = await digest("SHA-256", concat(a, b));
    assertEquals(measure(file, { platform: "sev" }).digest.toHex(), expected.toHex());
  });
  await t.step("no matching data → SHA-256 of nothing", async () => {
    const expected = await digest("SHA-256", new Uint8Array(0));
    const m = measure(fileFor(PlatformType.SEV, [pageData(0x1000n, 1, null)]), { platform: "sev" });
    assertEquals(m.digest.toHex(), expected.toHex());
  });
  await t.step("ID block ignored for the digest; its LD still reported", () => {
    const m = measure(
      fileFor(PlatformType.SEV, [idBlock(1, filled(48, 5)), pageData(0x1000n, 1, pattern(1))]),
      { platform: "sev" },
    );
    assertEquals(m.idBlockLd?.toHex(), "05".repeat(48));
  });
});
