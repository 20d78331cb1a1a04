/**
 * The `igvm-crate` measurement cases of the conformance corpus's expected.json
 * (microsoft/igvm commit e6c3ff1), and our measurement for each platform they
 * name. Shared by the crate conformance test and the no-WebAssembly replay.
 */

import { crateTdx, crateVbs, openvmmSnp } from "./measure_helpers.ts";
import { type ConformanceCase, loadCases } from "./conformance_helpers.ts";
import { PlatformType } from "../lib/igvm/defs.ts";
import type { IgvmFile } from "../lib/igvm/types.ts";

/** Platform argument of a crate case → its platform type and our measurement. */
export const CRATE_MEASURES: Record<
  string,
  { type: number; measure: (f: IgvmFile) => Uint8Array }
> = {
  "sev-snp": { type: PlatformType.SEV_SNP, measure: (f) => openvmmSnp(f) },
  "tdx": { type: PlatformType.TDX, measure: (f) => crateTdx(f) },
  "vbs": { type: PlatformType.VSM_ISOLATION, measure: (f) => crateVbs(f) },
};

/** The crate's measurement cases (args: file name, platform). */
export function crateCases(): ConformanceCase[] {
  return loadCases().filter((c) => c.tool === "igvm-crate" && c.args[1] in CRATE_MEASURES);
}
