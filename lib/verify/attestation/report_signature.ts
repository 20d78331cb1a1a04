/**
 * The `report-signature` check: the report's own signature (SEV-SNP ABI
 * spec, ATTESTATION_REPORT and "ECDSA Signature Format": ECDSA P-384 with
 * SHA-384 over bytes 0x000..0x29F, R at 0x2A0 and S at 0x2E8 as 72-byte
 * little-endian integers) verified with the VCEK's or VLEK's key by
 * `verifyReportSignature` (`lib/snp/report.ts`), with the reason when it
 * fails: a key that is not P-384, SIGNATURE_ALGO other than 1, R or S zero or
 * not below the group order, or a signature that does not verify.
 *
 * @module
 */

import { type AttestationReport, verifyReportSignature } from "../../snp/report.ts";
import { P384_ORDER } from "../../snp/signature.ts";
import { bigintFromBytes } from "../../snp/bytes.ts";
import type { P384PublicKey } from "../../snp/public_key.ts";
import type { PublicKeyInfo } from "../../x509/algorithm.ts";
import { IgvmToolError } from "../../errors.ts";
import { type AttestationCheck, outcome } from "./checks.ts";
import { certLabel, type SourcedCertificate } from "./chain.ts";

/** The certificate's key as a P-384 point, or why it is not one. */
function reportKey(spki: PublicKeyInfo): P384PublicKey | string {
  if (spki.ec?.curve !== "P-384") return `key is ${spki.description}, expected EC P-384`;
  const point = spki.ec.point;
  if (point.length !== 97 || point[0] !== 0x04) return "key is not an uncompressed P-384 point";
  return { qx: point.slice(1, 49), qy: point.slice(49) };
}

/** Why the signature cannot be a valid one, before any verification; undefined if it can. */
function malformed(report: AttestationReport): string | undefined {
  if (report.signatureAlgo !== 1) {
    return `SIGNATURE_ALGO is ${report.signatureAlgo}, not 1 (ECDSA P-384 with SHA-384)`;
  }
  for (const [name, bytes] of [["R", report.signature.r], ["S", report.signature.s]] as const) {
    const v = bigintFromBytes(bytes);
    if (v === 0n) return `signature ${name} is zero`;
    if (v >= P384_ORDER) return `signature ${name} is not below the P-384 group order`;
  }
  return undefined;
}

/**
 * The `report-signature` check of `report` with the key of `leaf`.
 *
 * @example
 * ```ts
 * import { signatureCheck } from "./report_signature.ts";
 * // (await signatureCheck(report, vcek)).status; // "pass" or "fail", with the reason
 * ```
 */
export async function signatureCheck(
  report: AttestationReport,
  leaf: SourcedCertificate,
): Promise<AttestationCheck> {
  const fail = (why: string) => outcome("report-signature", false, why);
  const key = reportKey(leaf.publicKey);
  if (typeof key === "string") return fail(`${certLabel(leaf)}: ${key}`);
  const why = malformed(report);
  if (why !== undefined) return fail(`${why} with ${certLabel(leaf)}`);
  let ok: boolean;
  try {
    ok = await verifyReportSignature(report, key);
  } catch (e) {
    if (!(e instanceof IgvmToolError)) throw e; // a key off the curve is a KeyError
    return fail(`${certLabel(leaf)}: ${e.message}`);
  }
  return ok
    ? outcome(
      "report-signature",
      true,
      `ECDSA P-384 SHA-384 over bytes 0x000..0x29F verifies with ${certLabel(leaf)}`,
    )
    : fail(`the signature over bytes 0x000..0x29F does not verify with ${certLabel(leaf)}`);
}
