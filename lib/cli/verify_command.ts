/**
 * `igvmmeasure [OPTIONS] <INPUT> verify [--report FILE] [--expect DIGEST] [--json]`:
 * checks the file's SEV-SNP ID block(s) against the digest the global
 * options compute, and optionally compares an attestation report or an
 * expected digest with the file. Results go to stdout; each failure is one
 * `Error: <file>: <reason>` line on stderr; any failure exits 1.
 *
 * - SEV-SNP: ID block checks; a file without an ID block fails unless
 *   `--report` or `--expect` gives something else to verify.
 * - Other platforms have no ID blocks or reports: `--expect` is required.
 *
 * @module
 */

import { namingFileAsync } from "../errors.ts";
import { type ParsedArgs, UsageError } from "./args.ts";
import type { CommandContext } from "./io.ts";
import { measureInput } from "./measure_command.ts";
import { digestLength } from "../measure/measure.ts";
import { baseJson, jsonText } from "./json.ts";
import { globalOptions, stringOption } from "./options.ts";
import { parseExpectedDigest } from "../verify/expected_digest.ts";
import { failuresOf, verifyJson, verifyText } from "../verify/verify_report.ts";
import { verifyImage } from "../verify/verify_image.ts";
import { VerificationError } from "../verify/verification_error.ts";
import { readReportFile } from "./report_file.ts";
import { attestationRequested } from "./attestation_options.ts";
import type { AttestationReport } from "../snp/report.ts";
import type { AttestationResult } from "../verify/attestation/verify_attestation.ts";

/** What `verify --report` learns about the report itself (beyond the field comparison). */
interface ReportVerification {
  attestation?: AttestationResult;
  note?: string;
}

/**
 * Verifies the report when an attestation option asks for it; otherwise
 * says, in one line, where its VCEK can be had. Loaded on demand.
 */
async function verifyReportItself(
  args: ParsedArgs,
  report: AttestationReport,
): Promise<ReportVerification> {
  if (attestationRequested(args)) {
    const [{ gatherAttestation }, { verifyAttestation }] = await Promise.all([
      import("./attestation_inputs.ts"),
      import("../verify/attestation/verify_attestation.ts"),
    ]);
    const attestation = await verifyAttestation(report, await gatherAttestation(args, report));
    return { attestation };
  }
  const { missingVcekNote } = await import("../verify/attestation/kds.ts");
  return { note: missingVcekNote(report) };
}

/** Runs `verify`. */
export async function verifyCommand(args: ParsedArgs, ctx: CommandContext): Promise<number> {
  const g = globalOptions(args);
  const platform = g.platform;
  const reportPath = stringOption(args.commandOptions, "report");
  const expectText = stringOption(args.commandOptions, "expect");
  const snp = platform === "sev-snp";
  if (!snp && reportPath !== undefined) {
    throw new UsageError(
      `'--report' compares SEV-SNP attestation reports; it cannot be used with '${platform}'`,
    );
  }
  if (reportPath === undefined && attestationRequested(args)) {
    throw new UsageError(
      "the attestation options ('--vcek', '--certs', '--vmpl', …) need '--report <FILE>'",
    );
  }
  if (!snp && expectText === undefined) {
    throw new UsageError(
      `'verify' checks SEV-SNP ID blocks; for '${platform}' it needs '--expect <DIGEST>'`,
    );
  }
  let expected: Uint8Array | undefined;
  if (expectText !== undefined) {
    const size = digestLength(platform);
    expected = parseExpectedDigest(expectText, size);
    if (!expected) {
      throw new UsageError(
        `invalid value '${expectText}' for '--expect <DIGEST>': expected ${size} bytes as hex or base64`,
      );
    }
  }
  const report = reportPath === undefined ? undefined : readReportFile(reportPath);
  const itself = report && await namingFileAsync(reportPath!, verifyReportItself(args, report));

  const { input, m } = measureInput(args.input, g);
  try {
    const result = await verifyImage(input.file, m, {
      fileName: args.input,
      expected,
      report: report && { file: reportPath!, parsed: report, ...itself },
    });
    const failures = failuresOf(result);
    if (ctx.json) {
      ctx.partial = verifyJson(result, baseJson(args, m));
      if (failures.length) throw new VerificationError(failures);
      ctx.io.stdout(jsonText(ctx.partial));
      return 0;
    }
    ctx.out.push(verifyText(result));
    if (failures.length) throw new VerificationError(failures);
    ctx.io.stdout(ctx.out.splice(0).join(""));
    return 0;
  } finally {
    input.close();
  }
}
