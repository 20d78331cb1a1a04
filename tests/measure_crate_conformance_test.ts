/**
 * Replays every `igvm-crate` measurement case of
 * ../shared/conformance/expected.json (microsoft/igvm commit e6c3ff1:
 * `IgvmFile::new_from_binary`, then `generate_snp_measurement`,
 * `generate_tdx_measurement` or `generate_vbs_measurement`) against
 * `measureSnpOpenvmm`, `measureTdx` and `measureVbs`.
 *
 * Exit codes of the reference harness: 0 the digest (upper-case hex) on
 * stdout; 2 the file failed to parse; 3 no platform header of that type;
 * 4 the measurement refused (for SNP: no guest policy).
 */

import { assertEquals, assertOk, assertThrowsMatch } from "./assert.ts";
import { PlatformType } from "../lib/igvm/defs.ts";
import { parseIgvm } from "../lib/igvm/parser.ts";
import type { IgvmFile } from "../lib/igvm/types.ts";
import { IgvmFormatError, MeasurementError } from "../lib/errors.ts";
import { platformMask } from "../lib/igvm/select.ts";
import { measureSnpOpenvmm } from "../lib/measure/openvmm_snp.ts";
import { measureTdx } from "../lib/measure/tdx.ts";
import { measureVbs } from "../lib/measure/vbs.ts";

interface CrateCase {
  file: string;
  tool: string;
  args: string[];
  exit: number;
  stdout: string;
  stderr: string;
}

const CONFORMANCE = new URL("../../shared/conformance/", import.meta.url);
const FILES = new URL("files/", CONFORMANCE);

const MEASURES: Record<string, { type: number; measure: (f: IgvmFile) => Uint8Array }> = {
  "sev-snp": { type: PlatformType.SEV_SNP, measure: (f) => measureSnpOpenvmm(f) },
  "tdx": { type: PlatformType.TDX, measure: (f) => measureTdx(f) },
  "vbs": { type: PlatformType.VSM_ISOLATION, measure: (f) => measureVbs(f) },
};

const cases: CrateCase[] = (JSON.parse(
  Deno.readTextFileSync(new URL("expected.json", CONFORMANCE)),
).cases as CrateCase[]).filter((c) => c.tool === "igvm-crate" && c.args[1] in MEASURES);

Deno.test("crate conformance: the corpus has crate measurement cases", () => {
  assertOk(cases.length > 0, "no igvm-crate cases found");
});

for (const c of cases) {
  const [name, platform] = c.args;
  Deno.test(`crate conformance: ${name} ${platform} (exit ${c.exit})`, async () => {
    const bytes = await Deno.readFile(new URL(name, FILES));
    const { type, measure } = MEASURES[platform];
    if (c.exit === 2) {
      assertThrowsMatch(() => parseIgvm(bytes), IgvmFormatError);
      return;
    }
    const file = parseIgvm(bytes);
    switch (c.exit) {
      case 0:
        assertEquals(measure(file).toHex().toUpperCase(), c.stdout.trim());
        break;
      case 3:
        assertEquals(platformMask(file, type), undefined, "platform header");
        assertThrowsMatch(() => measure(file), MeasurementError, /no platform header found/);
        break;
      case 4:
        assertThrowsMatch(() => measure(file), MeasurementError, /no SNP guest policy/);
        break;
      default:
        throw new Error(`unexpected exit code ${c.exit} in expected.json`);
    }
  });
}
