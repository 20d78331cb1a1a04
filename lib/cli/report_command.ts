/**
 * `igvmmeasure <REPORT> report [options]`: verifies an SEV-SNP attestation
 * report on its own (no IGVM file): prints every field, the certificate
 * chain and each check. Exit 0 only when the report is genuine and every
 * check asked for passes; each failed check is one
 * `Error: <report>: <check>: <detail>` line on stderr, exit 1.
 *
 * @module
 */

import { namingFileAsync } from "../errors.ts";
import type { ParsedArgs } from "./args.ts";
import type { CommandContext } from "./io.ts";
import { readReportFile } from "./report_file.ts";
import { jsonText } from "./json.ts";
import { gatherAttestation } from "./attestation_inputs.ts";
import { verifyAttestation } from "../verify/attestation/verify_attestation.ts";
import { attestationJson, attestationText, reportJson } from "../verify/attestation/report_view.ts";
import { VerificationError } from "../verify/verification_error.ts";
import { attestationFailures } from "../verify/verify_report.ts";

/** Runs `report`. */
export async function reportCommand(args: ParsedArgs, ctx: CommandContext): Promise<number> {
  const file = args.input;
  // With --json, even an error before the checks prints `verified: false`.
  ctx.partial = { command: "report", file, verified: false };
  const report = readReportFile(file);
  const result = await namingFileAsync(
    file,
    gatherAttestation(args, report).then((options) => verifyAttestation(report, options)),
  );
  const failures = attestationFailures(file, result);
  if (ctx.json) {
    ctx.partial = {
      command: "report",
      file,
      ...attestationJson(result),
      report: reportJson(report),
    };
    if (failures.length) throw new VerificationError(failures);
    ctx.io.stdout(jsonText(ctx.partial));
    return 0;
  }
  ctx.out.push(attestationText(file, result));
  if (failures.length) throw new VerificationError(failures);
  ctx.io.stdout(ctx.out.splice(0).join(""));
  return 0;
}
