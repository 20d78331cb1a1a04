/**
 * SEV-SNP attestation verification as a library: is this report signed by a
 * genuine AMD chip (VCEK/VLEK → ASK/ASVK → ARK), does the certificate say
 * what the report says (product, chip, TCB), is anything revoked, and does
 * the report meet a policy. Browser-clean: Web Crypto and bytes in, results
 * out; AMD's roots are built in and can be replaced (`roots`).
 *
 * @example
 * ```ts
 * import { verifyAttestation } from "./mod.ts";
 * const dir = "testdata/vectors/tee-attestation-verification/";
 * const result = await verifyAttestation(await Deno.readFile(dir + "genoa_attestation_report.bin"), {
 *   vcek: await Deno.readFile(dir + "genoa_vcek.pem"),
 *   at: new Date("2026-06-01T00:00:00Z"),
 *   vmpl: 0,
 * });
 * if (!result.verified) console.log(result.checks.filter((c) => c.status === "fail"));
 * ```
 *
 * @module
 */

export {
  type AttestationOptions,
  type AttestationResult,
  type CertificateInput,
  type CertificateSummary,
  type CrlInput,
  toCertificates,
  verifyAttestation,
} from "./verify_attestation.ts";
export {
  type AttestationCheck,
  CHECK_NAMES,
  type CheckStatus,
  GENUINENESS_CHECKS,
} from "./checks.ts";
export { type MinimumTcb, parseMinimumTcb, type PolicyOptions } from "./policy_checks.ts";
export { AttestationError, KdsError } from "./attestation_error.ts";
export { AMD_PRODUCTS, amdIntermediates, amdRoots } from "./amd_roots.ts";
export {
  AMD_KDS_URL,
  fetchFromKds,
  type KdsCache,
  type KdsDownload,
  type KdsFetchOptions,
  type KdsLocation,
  locateVcek,
} from "./kds.ts";
export {
  CERT_TABLE_GUIDS,
  type CertTableEntry,
  type CertTableKind,
  encodeCertTable,
  parseCertTable,
} from "./cert_table.ts";
export {
  attestationJson,
  attestationText,
  checksText,
  reportJson,
  reportText,
} from "./report_view.ts";
export type { SourcedCertificate } from "./chain.ts";
export type { SourcedCrl } from "./revocation.ts";
export { CertificateError } from "../../x509/certificate_error.ts";
export {
  type Certificate,
  type Extension,
  parseCertificate,
  type SignedData,
} from "../../x509/certificate.ts";
export { type Crl, parseCrl, type RevokedEntry } from "../../x509/crl.ts";
export type { AlgorithmIdentifier, PublicKeyInfo } from "../../x509/algorithm.ts";
export type { Tlv } from "../../x509/der.ts";
export type { Name } from "../../x509/name.ts";
export {
  type AttestationReport,
  type KeyInfo,
  parseReport,
  type Product,
  type TcbVersion,
} from "../../snp/report.ts";
export type { EcdsaSignature } from "../../snp/signature.ts";
export { type ErrorKind, IgvmToolError, ReportError } from "../../errors.ts";
