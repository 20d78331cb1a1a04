/**
 * The original igvmmeasure's measurement rules (coconut-svsm/svsm
 * `tools/igvmmeasure/src/igvm_measure.rs`): the `--check-kvm` checks
 * (one VMSA, its GPA and CR0, and its place among the directives).
 */

import { assertEquals } from "./assert.ts";
import { pageData, snpVpContext } from "./builder.ts";
import { PlatformType } from "../lib/igvm/defs.ts";
import {
  area,
  digest,
  fileFor,
  insert,
  KVM_GPA,
  measure,
  measureError,
  pattern,
  RefChain,
  snpFile,
  T_UNMEASURED,
  T_VMSA,
  UNMEASURED,
  vmsa,
} from "./measure_coconut_helpers.ts";

// ---------------------------------------------------------------------------
// --check-kvm
// ---------------------------------------------------------------------------

const MSG_COUNT = "More than one VMSA has been provided in the IGVM file. QEMU/KVM only supports " +
  "setting of the VMSA for the first virtual CPU.";
const msgGpa = (gpa: string) =>
  `The GPA for the VMSA (0x${gpa}) does not match the address hardcoded in KVM. KVM will always ` +
  "populate the VMSA at GPA 0xFFFFFFFFF000. The IGVM file must set the GPA for the VMSA to this address.";
const msgCr0 = (cr0: string) =>
  `CR0 in the VMSA in the IGVM file is set to 0x${cr0} instead of 0x31 (protected-mode) or 0x30 ` +
  "(real-mode). The value of CR0 is overridden by KVM during initial measurement. Therefore the " +
  "IGVM file must be configured to match the value set by KVM.";
const MSG_ORDER = "KVM Check failed: The VMSA must be the final page directive in the IGVM file. " +
  "This is because QEMU/KVM measures the VMSA page when the measurement is finalized and not in the " +
  "order specified in the IGVM file. Make sure your IGVM file places the VMSA directive after any " +
  "other measured or unmeasured page directives.";

Deno.test("measure: KVM check — more than one VMSA", () => {
  const file = snpFile([snpVpContext(KVM_GPA, 1, vmsa()), snpVpContext(KVM_GPA, 1, vmsa(), 1)]);
  const e = measureError(file, { checkKvm: true });
  assertEquals(e.message, MSG_COUNT);
  assertEquals(e.reason, "kvm-check");
  measure(file); // accepted without the check
});

Deno.test("measure: KVM check — VMSA GPA", async (t) => {
  for (const [gpa, text] of [[0x8fff000n, "0000000008FFF000"], [0n, "0000000000000000"]] as const) {
    await t.step(`GPA 0x${gpa.toString(16)}`, () => {
      const file = snpFile([snpVpContext(gpa, 1, vmsa())]);
      assertEquals(measureError(file, { checkKvm: true }).message, msgGpa(text));
      measure(file);
    });
  }
  await t.step("the count check comes before the GPA check", () => {
    const file = snpFile([snpVpContext(KVM_GPA, 1, vmsa()), snpVpContext(0x1000n, 1, vmsa())]);
    assertEquals(measureError(file, { checkKvm: true }).message, MSG_COUNT);
  });
});

Deno.test("measure: KVM check — CR0", async (t) => {
  for (
    const [cr0, text] of [[0x11n, "11"], [0x1n, "01"], [0x0n, "00"], [
      0x80000031n,
      "80000031",
    ]] as const
  ) {
    await t.step(`CR0 0x${cr0.toString(16)} refused`, () => {
      const file = snpFile([snpVpContext(KVM_GPA, 1, vmsa(cr0))]);
      assertEquals(measureError(file, { checkKvm: true }).message, msgCr0(text));
    });
  }
  for (const cr0 of [0x31n, 0x30n]) {
    await t.step(`CR0 0x${cr0.toString(16)} accepted`, () => {
      measure(snpFile([snpVpContext(KVM_GPA, 1, vmsa(cr0))]), { checkKvm: true });
    });
  }
  await t.step("the GPA check comes before the CR0 check", () => {
    const file = snpFile([snpVpContext(0x1000n, 1, vmsa(0x11n))]);
    assertEquals(measureError(file, { checkKvm: true }).message, msgGpa("0000000000001000"));
  });
});

Deno.test("measure: KVM check — parameter insert after the VMSA", async (t) => {
  await t.step("refused with the 'KVM Check failed:' message", () => {
    const file = snpFile([
      area(0, 0x1000n),
      snpVpContext(KVM_GPA, 1, vmsa()),
      insert(0x1000n, 1, 0),
    ]);
    const e = measureError(file, { checkKvm: true });
    assertEquals(e.message, MSG_ORDER);
    assertEquals(e.reason, "kvm-check");
    measure(file);
  });
  await t.step("insert for another platform after the VMSA is not flagged", () => {
    const file = snpFile([
      area(0, 0x1000n),
      snpVpContext(KVM_GPA, 1, vmsa()),
      insert(0x1000n, 2, 0),
    ]);
    measure(file, { checkKvm: true });
  });
  await t.step("insert before the VMSA accepted", () => {
    const file = snpFile([
      area(0, 0x1000n),
      insert(0x1000n, 1, 0),
      snpVpContext(KVM_GPA, 1, vmsa()),
    ]);
    measure(file, { checkKvm: true });
  });
});

Deno.test("measure: KVM check — page data after the VMSA is NOT flagged", async () => {
  const v = vmsa();
  const ref = new RefChain();
  await ref.page(T_VMSA, KVM_GPA, await digest("SHA-384", v));
  await ref.normal(0x1000n, pattern(1));
  await ref.page(T_UNMEASURED, 0x2000n);
  const file = snpFile([
    snpVpContext(KVM_GPA, 1, v),
    pageData(0x1000n, 1, pattern(1)),
    pageData(0x2000n, 1, null, UNMEASURED),
  ]);
  assertEquals(measure(file, { checkKvm: true }).digest.toHex(), ref.hex);
});

Deno.test("measure: KVM checks also apply in SEV-ES mode", () => {
  const file = fileFor(PlatformType.SEV_ES, [snpVpContext(0x1000n, 1, vmsa())]);
  const e = measureError(file, { checkKvm: true, platform: "sev-es" });
  assertEquals(e.message, msgGpa("0000000000001000"));
});
