/**
 * Replays every `igvm-crate` measurement case of
 * the conformance corpus's expected.json (microsoft/igvm commit e6c3ff1:
 * `IgvmFile::new_from_binary`, then `generate_snp_measurement`,
 * `generate_tdx_measurement` or `generate_vbs_measurement`) against
 * `measureSnpOpenvmm`, `measureTdx` and `measureVbs`.
 *
 * Exit codes of the reference harness: 0 the digest (upper-case hex) on
 * stdout; 2 the file failed to parse; 3 no platform header of that type;
 * 4 the measurement refused (for SNP: no guest policy).
 */

import { assertEquals, assertOk, assertThrowsMatch } from "./assert.ts";
import { corpusFile, corpusTest } from "./conformance_helpers.ts";
import { CRATE_MEASURES, crateCases } from "./crate_cases.ts";
import { parseIgvm } from "../lib/igvm/parser.ts";
import { IgvmFormatError, MeasurementError } from "../lib/errors.ts";
import { platformMask } from "../lib/igvm/select.ts";

const cases = crateCases();

Deno.test("crate conformance: the corpus has crate measurement cases", () => {
  assertOk(cases.length > 0, "no igvm-crate cases found");
});

for (const c of cases) {
  const [name, platform] = c.args;
  const title = `crate conformance: ${name} ${platform} (exit ${c.exit})`;
  corpusTest(title, [`files/${name}`], async () => {
    const bytes = await Deno.readFile(corpusFile(`files/${name}`)!);
    const { type, measure } = CRATE_MEASURES[platform];
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
        assertEquals(
          assertThrowsMatch(() => measure(file), MeasurementError).reason,
          "platform-not-in-file",
        );
        break;
      case 4:
        assertThrowsMatch(() => measure(file), MeasurementError, /no SNP guest policy/);
        break;
      default:
        throw new Error(`unexpected exit code ${c.exit} in expected.json`);
    }
  });
}
