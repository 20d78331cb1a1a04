/**
 * The page's `verify --report`: compares an attestation report with the
 * measured IGVM file, field by field, and checks the file's SNP ID block,
 * exactly as `igvmmeasure [-n] [--semantics S] <file> verify --report R`
 * does (`lib/cli/verify_command.ts`), from the same library functions; then
 * asks {@link reportSignatureCheck} about the report's own signature.
 *
 * @module
 */

import { parseIgvm } from "../lib/igvm/parser.ts";
import { platformMask } from "../lib/igvm/select.ts";
import { PlatformType } from "../lib/igvm/defs.ts";
import type { IgvmFile } from "../lib/igvm/types.ts";
import { IgvmToolError, MeasurementError } from "../lib/errors.ts";
import { NOT_COMPATIBLE, parseOptionsFor } from "../lib/measure/measure.ts";
import { parseReport } from "../lib/snp/report.ts";
import { loaderGuestPolicy } from "../lib/snp/igvm_id_block.ts";
import { type Check, verifyIdBlocks } from "../lib/verify/id_block_check.ts";
import { compareReport, expectedReport } from "../lib/verify/report_compare.ts";
import {
  failuresOf,
  verifyJson,
  type VerifyResult,
  verifyText,
} from "../lib/verify/verify_report.ts";
import type { DigestEntry } from "./digests.ts";
import { reportSignatureCheck } from "./report_signature.ts";
import type { NamedBytes, Verified } from "./protocol.ts";

/** What to verify: the report, the VCEK if any, and the rules (`--semantics`). */
export interface ReportInput {
  /** The attestation report (binary or hex text). */
  readonly report: NamedBytes;
  /** The VCEK (or VLEK) certificate, if given. */
  readonly vcek?: NamedBytes;
  /** The SEV-SNP rules whose digest the report's MEASUREMENT is compared with. */
  readonly semantics: "coconut" | "openvmm";
}

/** The measured file, as the worker keeps it. */
export interface MeasuredImage {
  /** The file's name. */
  readonly name: string;
  /** The file as parsed for `inspect`; its source is read again here. */
  readonly file: IgvmFile;
  /** Its digests, as {@link measureAllDigests} gave them. */
  readonly digests: readonly DigestEntry[];
  /** Whether the coconut digests were measured with `-n`. */
  readonly nativeZero: boolean;
}

function naming<T>(name: string, fn: () => T): T {
  try {
    return fn();
  } catch (e) {
    if (e instanceof IgvmToolError) e.file ??= name;
    throw e;
  }
}

/** The SEV-SNP digest by `semantics`, or the error `verify` stops with. */
function snpDigest(image: MeasuredImage, semantics: string): Uint8Array {
  const entry = image.digests.find((d) => d.platform === "sev-snp" && d.semantics === semantics);
  if (entry === undefined) throw new MeasurementError(NOT_COMPATIBLE, "platform-not-in-file");
  if (entry.digest === null) throw new MeasurementError(entry.refusal ?? "refused");
  return Uint8Array.fromHex(entry.digest);
}

/**
 * Verifies `input.report` against `image`. Throws an {@link IgvmToolError}
 * naming the file where the CLI stops with an error (a malformed report, a
 * file the rules' parser refuses, no SEV-SNP digest).
 *
 * @example
 * ```ts ignore
 * import { verifyReport } from "./verify.ts";
 * const result = await verifyReport(image, { report, semantics: "coconut" });
 * result.verified; // true when every check passes and every field matches
 * ```
 */
export async function verifyReport(
  image: MeasuredImage,
  input: ReportInput,
): Promise<Verified> {
  const { semantics } = input;
  const report = naming(input.report.name, () => parseReport(input.report.bytes));
  const file = naming(
    image.name,
    () => parseIgvm(image.file.source!, parseOptionsFor({ platform: "sev-snp", semantics })),
  );
  const digest = snpDigest(image, semantics);
  const mask = platformMask(file, PlatformType.SEV_SNP)!;
  const { blocks, checks: blockChecks } = await verifyIdBlocks(file, digest, mask);
  const checks: Check[] = [...blockChecks];
  if (blocks.length === 0) {
    checks.push({ name: "id-block", status: "skip", detail: "the file has no SNP ID block" });
  }
  const last = blocks.at(-1);
  const result: VerifyResult = {
    file: image.name,
    platform: "sev-snp",
    semantics,
    digest,
    compatibilityMask: mask,
    blocks,
    checks,
    report: {
      file: input.report.name,
      parsed: report,
      fields: compareReport(
        report,
        expectedReport(
          digest,
          last && { ...last.directive, ...last },
          loaderGuestPolicy(file, mask),
        ),
      ),
    },
  };
  const failures = failuresOf(result);
  const signature = await reportSignatureCheck(report, input.vcek);
  const base = {
    command: "verify",
    file: image.name,
    platform: "sev-snp",
    semantics,
    nativeZero: image.nativeZero,
  };
  return {
    type: "verified",
    verified: failures.length === 0 && signature.status !== "fail",
    checks: [...checks.map(({ name, status, detail }) => ({ name, status, detail })), signature],
    fields: result.report!.fields,
    text: verifyText(result),
    failures: failures.map((f) => `Error: ${f.file}: ${f.message}`),
    json: verifyJson(result, base),
  };
}
