/**
 * `igvmmeasure <REPORT> report [options]`: verifies an SEV-SNP attestation
 * report on its own (no IGVM file): prints every field, the certificate
 * chain and each check. Exit 0 only when the report is genuine and every
 * check asked for passes; each failed check is one
 * `Error: <report>: <check>: <detail>` line on stderr, exit 1.
 *
 * @module
 */

import type { ParsedArgs } from "./args.ts";
import { aboutFile, type CommandContext, withFile } from "./io.ts";
import { jsonText } from "./json.ts";
import { gatherAttestation } from "./attestation_inputs.ts";
import { parseReport, REPORT_SIZE } from "../snp/report.ts";
import { ReportError } from "../errors.ts";
import { verifyAttestation } from "../verify/attestation/verify_attestation.ts";
import { attestationJson, attestationText, reportJson } from "../verify/attestation/report_view.ts";
import { VerificationError } from "../verify/verification_error.ts";

/** Largest report file read: the binary is 1184 bytes, its hex text about 2.4 KB. */
const MAX_REPORT_FILE = 64 * 1024;

/**
 * Reads and parses an attestation report file (binary or hex text); errors
 * name the file.
 *
 * @example
 * ```ts
 * import { readReportFile } from "./report_command.ts";
 * readReportFile("testdata/vectors/go-sev-guest/attestation.bin").version; // 2
 * ```
 */
export function readReportFile(path: string) {
  return withFile(path, "read attestation report", () => {
    const size = Deno.statSync(path).size;
    if (size > MAX_REPORT_FILE) {
      throw new ReportError(
        `attestation report is ${size} bytes, expected ${REPORT_SIZE} (or its hex text)`,
      );
    }
    return parseReport(Deno.readFileSync(path));
  });
}

/** Runs `report`. */
export async function reportCommand(args: ParsedArgs, ctx: CommandContext): Promise<number> {
  const file = args.input;
  // With --json, even an error before the checks prints `verified: false`.
  ctx.partial = { command: "report", file, verified: false };
  const report = readReportFile(file);
  const result = await aboutFile(
    file,
    gatherAttestation(args, report).then((options) => verifyAttestation(report, options)),
  );
  const failures = result.checks.filter((c) => c.status === "fail")
    .map((c) => ({ file, message: `${c.name}: ${c.detail}` }));
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
