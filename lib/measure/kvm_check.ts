/**
 * The original igvmmeasure's `--check-kvm` rules (QEMU/KVM restrictions), with
 * its messages word for word (`KvmCheckError` in `igvm_measure.rs`).
 *
 * @module
 */

import { MeasurementError } from "../errors.ts";
import { VmsaOffset } from "../igvm/defs.ts";

/** The only VMSA GPA KVM supports (`INITIAL_VMSA_GPA`). */
const KVM_VMSA_GPA = 0xFFFFFFFFF000n;

/**
 * Applies the three VMSA checks: one VMSA only, at {@link KVM_VMSA_GPA}, with
 * CR0 0x31 or 0x30. Throws {@link MeasurementError} with the original's text.
 *
 * @example
 * ```ts
 * import { kvmCheckVmsa } from "./kvm_check.ts";
 * const vmsa = new Uint8Array(4096);
 * vmsa[0x158] = 0x31;
 * kvmCheckVmsa(0, 0xFFFFFFFFF000n, vmsa); // passes
 * ```
 */
export function kvmCheckVmsa(previousVmsas: number, gpa: bigint, vmsa: Uint8Array): void {
  if (previousVmsas > 0) {
    throw new MeasurementError(
      "More than one VMSA has been provided in the IGVM file. QEMU/KVM only supports setting of " +
        "the VMSA for the first virtual CPU.",
      "kvm-check",
    );
  }
  if (gpa !== KVM_VMSA_GPA) {
    throw new MeasurementError(
      `The GPA for the VMSA (0x${
        gpa.toString(16).toUpperCase().padStart(16, "0")
      }) does not match the ` +
        "address hardcoded in KVM. KVM will always populate the VMSA at GPA 0xFFFFFFFFF000. The IGVM " +
        "file must set the GPA for the VMSA to this address.",
      "kvm-check",
    );
  }
  const cr0 = new DataView(vmsa.buffer, vmsa.byteOffset, vmsa.byteLength).getBigUint64(
    VmsaOffset.CR0,
    true,
  );
  if (cr0 !== 0x31n && cr0 !== 0x30n) {
    throw new MeasurementError(
      `CR0 in the VMSA in the IGVM file is set to 0x${
        cr0.toString(16).padStart(2, "0")
      } instead of 0x31 ` +
        "(protected-mode) or 0x30 (real-mode). The value of CR0 is overridden by KVM during initial " +
        "measurement. Therefore the IGVM file must be configured to match the value set by KVM.",
      "kvm-check",
    );
  }
}

/**
 * The error for a parameter insert after the VMSA. (The original does not
 * apply it to page data after the VMSA, although its text says so.)
 *
 * @example
 * ```ts
 * import { kvmVmsaOrderError } from "./kvm_check.ts";
 * kvmVmsaOrderError().message.startsWith("KVM Check failed"); // true
 * ```
 */
export function kvmVmsaOrderError(): MeasurementError {
  return new MeasurementError(
    "KVM Check failed: The VMSA must be the final page directive in the IGVM file. This is because " +
      "QEMU/KVM measures the VMSA page when the measurement is finalized and not in the order specified " +
      "in the IGVM file. Make sure your IGVM file places the VMSA directive after any other measured or " +
      "unmeasured page directives.",
    "kvm-check",
  );
}
