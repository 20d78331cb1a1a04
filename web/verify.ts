/**
 * The page's `verify --report`: compares an attestation report with the
 * measured IGVM file, field by field, and checks the file's SNP ID block,
 * exactly as `igvmmeasure [-n] [--semantics S] <file> verify --report R`
 * does (`lib/cli/verify_command.ts`), from the same library functions
 * (`lib/verify/verify_image.ts`, and with a VCEK the attestation library).
 *
 * @module
 */

import { parseIgvm } from "../lib/igvm/parser.ts";
import type { IgvmFile } from "../lib/igvm/types.ts";
import { MeasurementError, namingFile } from "../lib/errors.ts";
import {
  type Measurement,
  NOT_COMPATIBLE,
  parseOptionsFor,
  planFor,
} from "../lib/measure/measure.ts";
import { parseReport } from "../lib/snp/report.ts";
import { fromHex } from "../lib/encoding.ts";
import { failuresOf, verifyJson, verifyText } from "../lib/verify/verify_report.ts";
import { verifyImage } from "../lib/verify/verify_image.ts";
import {
  onlyCertificate,
  toCertificates,
  verifyAttestation,
} from "../lib/verify/attestation/verify_attestation.ts";
import type { SourcedCertificate } from "../lib/verify/attestation/chain.ts";
import { missingVcekNote } from "../lib/verify/attestation/kds.ts";
import type { DigestLine } from "../lib/inspect/inspect_text.ts";
import { failureLine } from "../lib/inspect/error_line.ts";
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
  /** Its digests, as `digestLines` gave them. */
  readonly digests: readonly DigestLine[];
  /** Whether the coconut digests were measured with `-n`. */
  readonly nativeZero: boolean;
}

/** The one certificate of the VCEK file, named by the file (as the CLI's `--vcek`). */
function leafOf(vcek: NamedBytes): SourcedCertificate {
  return { ...onlyCertificate(toCertificates(vcek.bytes, "VCEK"), "VCEK"), source: vcek.name };
}

/** The SEV-SNP digest by `semantics`, or the error `verify` stops with. */
function snpDigest(image: MeasuredImage, semantics: string): Uint8Array {
  const entry = image.digests.find((d) => d.platform === "sev-snp" && d.semantics === semantics);
  if (entry === undefined) throw new MeasurementError(NOT_COMPATIBLE, "platform-not-in-file");
  if (entry.digest === null) throw new MeasurementError(entry.refusal ?? "refused");
  return fromHex(entry.digest);
}

/**
 * Verifies `input.report` against `image`, as `verify --report R [--vcek V]`
 * does: the ID block checks, the report's fields, and with a VCEK the
 * report's own signature and certificate chain (AMD's built-in roots, at the
 * current time). Throws an {@link IgvmToolError} naming the file where the
 * CLI stops with an error (a malformed report or VCEK, a file the rules'
 * parser refuses, no SEV-SNP digest).
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
  const report = namingFile(input.report.name, () => parseReport(input.report.bytes));
  const vcek = input.vcek;
  const attestation = vcek &&
    await verifyAttestation(report, { vcek: namingFile(vcek.name, () => leafOf(vcek)) });
  const file = namingFile(
    image.name,
    () => parseIgvm(image.file.source!, parseOptionsFor({ platform: "sev-snp", semantics })),
  );
  // The digest the worker measured; the rest (mask, the ID block's LD) as `measure` gives it.
  const m: Measurement = {
    ...planFor(file, { platform: "sev-snp", semantics }).result,
    digest: snpDigest(image, semantics),
  };
  const result = await verifyImage(file, m, {
    fileName: image.name,
    report: attestation
      ? { file: input.report.name, parsed: report, attestation }
      : { file: input.report.name, parsed: report, note: missingVcekNote(report) },
  });
  const failures = failuresOf(result);
  const base = {
    command: "verify",
    file: image.name,
    platform: "sev-snp",
    semantics,
    nativeZero: image.nativeZero,
  };
  const checks = [...result.checks, ...(attestation?.checks ?? [])];
  return {
    type: "verified",
    verified: failures.length === 0,
    checks: checks.map(({ name, status, detail }) => ({ name, status, detail })),
    fields: result.report!.fields,
    text: verifyText(result),
    failures: failures.map(failureLine),
    json: verifyJson(result, base),
  };
}
