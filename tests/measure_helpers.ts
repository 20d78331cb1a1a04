/**
 * Short forms of `measure()` for the tests: one per rule set, returning what
 * the tests compare (the `Measurement`, or the digest alone).
 */

import { measure, type Measurement, type MeasureOptions } from "../lib/measure/measure.ts";
import type { IgvmFile } from "../lib/igvm/types.ts";

/** The coconut options the tests vary. */
export type CoconutOptions = Omit<MeasureOptions, "semantics">;

/** `measure()` by the original's rules (platform default sev-snp). */
export function coconut(file: IgvmFile, options: CoconutOptions = {}): Measurement {
  return measure(file, { ...options, semantics: "coconut" });
}

/** The SEV-SNP digest by the igvm crate's rules, for `mask` (default: the platform's). */
export function openvmmSnp(
  file: IgvmFile,
  mask?: number,
  log?: (line: string) => void,
): Uint8Array {
  return measure(file, { platform: "sev-snp", semantics: "openvmm", compatibilityMask: mask, log })
    .digest;
}

/** The TDX MRTD by the igvm crate's rules. */
export function crateTdx(file: IgvmFile, mask?: number, log?: (line: string) => void): Uint8Array {
  return measure(file, { platform: "tdx", compatibilityMask: mask, log }).digest;
}

/** The VBS digest by the igvm crate's rules. */
export function crateVbs(file: IgvmFile, mask?: number, log?: (line: string) => void): Uint8Array {
  return measure(file, { platform: "vbs", compatibilityMask: mask, log }).digest;
}
