/**
 * Verifies an SEV-SNP attestation report end to end: its signature with the
 * VCEK or VLEK, the certificate chain up to a trusted AMD root, the binding
 * of the certificate to the report (signing key, product, chip, TCB),
 * revocation, and the policy checks asked for. Runs anywhere Web Crypto
 * does: no file or network access (see `kds.ts` for fetching).
 *
 * @module
 */

import { parseReport } from "../../snp/report.ts";
import type { AttestationReport } from "../../snp/report.ts";
import { parseCertificate } from "../../x509/certificate.ts";
import { CertificateError } from "../../x509/certificate_error.ts";
import { parseCrl } from "../../x509/crl.ts";
import { derBlocks } from "../../x509/pem.ts";
import { type AmdExtensions, amdExtensions } from "./amd_extensions.ts";
import { amdIntermediates, amdRoots } from "./amd_roots.ts";
import { AttestationError } from "./attestation_error.ts";
import {
  certifiedLayout,
  chainProduct,
  chipIdCheck,
  isAsvk,
  leafKind,
  productCheck,
  signingKeyCheck,
  tcbCheck,
} from "./binding_checks.ts";
import {
  assembleChain,
  type Chain,
  chainCheck,
  type SourcedCertificate,
  validityCheck,
} from "./chain.ts";
import { type AttestationCheck, GENUINENESS_CHECKS, outcome, skip } from "./checks.ts";
import { locateVcek } from "./kds.ts";
import { policyChecks, type PolicyOptions } from "./policy_checks.ts";
import { signatureCheck } from "./report_signature.ts";
import { revocationCheck, type SourcedCrl } from "./revocation.ts";
import type { TcbLayoutName } from "./tcb_layout.ts";
import { toHex } from "../../encoding.ts";

/** A certificate as DER or PEM bytes (a PEM may hold several), or already parsed. */
export type CertificateInput = Uint8Array | SourcedCertificate;

/** A CRL as DER or PEM bytes, or already parsed. */
export type CrlInput = Uint8Array | SourcedCrl;

/** What to verify the report with, and which policy to check. */
export interface AttestationOptions extends PolicyOptions {
  /** The VCEK (for a report signed by its VCEK). */
  readonly vcek?: CertificateInput;
  /** The VLEK (for a report signed by its VLEK). */
  readonly vlek?: CertificateInput;
  /** The ASK/ASVK and/or ARK, in any order (e.g. KDS `cert_chain`); AMD's built-in ones fill gaps. */
  readonly chain?: CertificateInput | readonly CertificateInput[];
  /** CRLs to check (AMD's per product is signed by the ARK). */
  readonly crl?: CrlInput | readonly CrlInput[];
  /** Trusted roots (ARKs); default AMD's Milan, Genoa and Turin ARKs. */
  readonly roots?: readonly CertificateInput[];
  /** When certificates and CRLs must be valid (default now). */
  readonly at?: Date;
  /** The product, for the KDS URL of a version 2 report (`Milan`, `Genoa`, `Turin`). */
  readonly product?: string;
  /** KDS base URL for the URL printed when no leaf is given (default AMD's). */
  readonly kdsBaseUrl?: string;
}

/** A certificate of the chain, for display. */
export interface CertificateSummary {
  /** `VCEK`, `VLEK`, `ASK`, `ASVK` or `ARK`. */
  readonly role: string;
  /** Where it came from (a file, `built-in AMD …`). */
  readonly source: string;
  /** Subject, readable. */
  readonly subject: string;
  /** Issuer, readable. */
  readonly issuer: string;
  /** Serial number, hex. */
  readonly serial: string;
  /** Validity start. */
  readonly notBefore: Date;
  /** Validity end. */
  readonly notAfter: Date;
  /** Key, e.g. `EC P-384`. */
  readonly key: string;
}

/** The outcome of {@link verifyAttestation}. */
export interface AttestationResult {
  /** Genuine, and every check asked for passed. */
  readonly verified: boolean;
  /** The report was signed by a chip whose AMD-certified key says what the report says. */
  readonly genuine: boolean;
  /** Every check, in order (see `CHECK_NAMES`). */
  readonly checks: readonly AttestationCheck[];
  /**
   * The report's signature was checked with a VCEK's or VLEK's key (whatever
   * the outcome); false when no leaf certificate was at hand or the report is
   * unsigned (KEY_INFO.SIGNING_KEY 7).
   */
  readonly signatureChecked: boolean;
  /** The parsed report. */
  readonly report: AttestationReport;
  /** The product the certificate (or the report) names, if known. */
  readonly product?: string;
  /** The chain used, leaf first. */
  readonly certificates: readonly CertificateSummary[];
  /** Where AMD's KDS serves this report's VCEK (when it can be located). */
  readonly kdsUrl?: string;
  /** The verification time. */
  readonly at: Date;
}

function list<T>(x: T | readonly T[] | undefined): readonly T[] {
  return x === undefined ? [] : Array.isArray(x) ? x : [x as T];
}

/**
 * Parses certificate inputs: bytes become every certificate they hold
 * (labelled `label`, numbered when there are several).
 *
 * @example
 * ```ts
 * import { toCertificates } from "./verify_attestation.ts";
 * const pem = await Deno.readFile("testdata/vectors/amd/ask_ark_milan.pem");
 * toCertificates(pem, "cert_chain").map((c) => c.source); // ["cert_chain #1", "cert_chain #2"]
 * ```
 */
export function toCertificates(input: CertificateInput, label: string): SourcedCertificate[] {
  if (!(input instanceof Uint8Array)) return [input];
  try {
    const ders = derBlocks(input, "CERTIFICATE");
    return ders.map((der, i) => {
      const source = ders.length > 1 ? `${label} #${i + 1}` : label;
      return { ...parseCertificate(der, source), source };
    });
  } catch (e) {
    if (!(e instanceof CertificateError)) throw e;
    throw new CertificateError(`not a valid ${label} certificate: ${e.message}`);
  }
}

/**
 * The one certificate of `certs` (what a VCEK or VLEK input must hold), or an
 * {@link AttestationError} saying how many there were.
 *
 * @example
 * ```ts
 * import { onlyCertificate, toCertificates } from "./verify_attestation.ts";
 * const pem = await Deno.readFile("testdata/vectors/amd/ask_ark_milan.pem");
 * try {
 *   onlyCertificate(toCertificates(pem, "VCEK"), "VCEK");
 * } catch (e) {
 *   console.log((e as Error).message); // holds 2 certificates, expected one VCEK
 * }
 * ```
 */
export function onlyCertificate(
  certs: readonly SourcedCertificate[],
  role: string,
): SourcedCertificate {
  if (certs.length !== 1) {
    throw new AttestationError(`holds ${certs.length} certificates, expected one ${role}`);
  }
  return certs[0];
}

function one(input: CertificateInput | undefined, label: string): SourcedCertificate | undefined {
  return input === undefined ? undefined : onlyCertificate(toCertificates(input, label), label);
}

function toCrl(input: CrlInput, label: string): SourcedCrl {
  if (!(input instanceof Uint8Array)) return input;
  const ders = derBlocks(input, "X509 CRL");
  if (ders.length !== 1) {
    throw new AttestationError(`the ${label} input holds ${ders.length} CRLs, expected 1`);
  }
  return { ...parseCrl(ders[0], label), source: label };
}

function summary(c: SourcedCertificate, role: string): CertificateSummary {
  return {
    role,
    source: c.source ?? "given",
    subject: c.subject.text,
    issuer: c.issuer.text,
    serial: toHex(c.serial),
    notBefore: c.notBefore,
    notAfter: c.notAfter,
    key: c.publicKey.description,
  };
}

function noLeafDetail(
  report: AttestationReport,
  options: AttestationOptions,
): { detail: string; url?: string } {
  const kind = report.keyInfo.signingKeyName;
  if (kind === "VLEK") {
    return {
      detail:
        "no VLEK certificate was given: a VLEK comes from the cloud provider (the extended report's certificate table), not from AMD's KDS",
    };
  }
  const loc = locateVcek(report, { baseUrl: options.kdsBaseUrl, product: options.product });
  return loc.vcekUrl
    ? {
      detail:
        `no VCEK certificate was given: AMD's KDS serves this report's VCEK at ${loc.vcekUrl}`,
      url: loc.vcekUrl,
    }
    : { detail: `no VCEK certificate was given, and it cannot be located: ${loc.problem}` };
}

async function leafChecks(
  report: AttestationReport,
  chain: Chain,
  ext: AmdExtensions,
  crls: readonly SourcedCrl[],
  at: Date,
): Promise<AttestationCheck[]> {
  return [
    await signatureCheck(report, chain.leaf),
    await chainCheck(chain),
    validityCheck(chain, at),
    signingKeyCheck(report, chain, ext),
    productCheck(report, chain, ext),
    chipIdCheck(report, chain, ext),
    tcbCheck(report, chain, ext),
    await revocationCheck(chain, crls, at),
  ];
}

/** The certificates and CRLs given, parsed. */
interface ParsedInputs {
  /** The VCEK or VLEK to check the report with: the kind the report names, else the other. */
  readonly leaf?: SourcedCertificate;
  /** The chain certificates given. */
  readonly given: readonly SourcedCertificate[];
  /** The trusted roots (AMD's unless some are given). */
  readonly roots: readonly SourcedCertificate[];
  /** The CRLs given. */
  readonly crls: readonly SourcedCrl[];
}

/** Parses the options' certificates and CRLs (a malformed one throws: VCEK, VLEK, chain, roots, CRLs). */
function parseInputs(report: AttestationReport, options: AttestationOptions): ParsedInputs {
  const vcek = one(options.vcek, "VCEK");
  const vlek = one(options.vlek, "VLEK");
  const leaf = report.keyInfo.signingKeyName === "VLEK" ? vlek ?? vcek : vcek ?? vlek;
  const given = list(options.chain).flatMap((c, i, all) =>
    toCertificates(c, all.length > 1 ? `chain ${i + 1}` : "chain")
  );
  const roots = options.roots
    ? options.roots.flatMap((c, i) => toCertificates(c, `root ${i + 1}`))
    : amdRoots();
  const crls = list(options.crl).map((c, i, all) =>
    toCrl(c, all.length > 1 ? `CRL ${i + 1}` : "CRL")
  );
  return { leaf, given, roots, crls };
}

/** The genuineness checks, with the chain they used and what it certifies. */
interface Genuineness {
  /** {@link GENUINENESS_CHECKS}, in order. */
  readonly checks: AttestationCheck[];
  /** The chain, when there was a leaf to build it from. */
  readonly chain?: Chain;
  /** The TCB layout to read the report's TCB fields with. */
  readonly layout: TcbLayoutName;
  /** The product the certificate (or the report) names, if known. */
  readonly product?: string;
  /** The leaf's AMD extensions, when there was a leaf. */
  readonly ext?: AmdExtensions;
}

/**
 * The genuineness checks: the report signature, then (with a leaf) the chain
 * and binding checks; without a leaf, the first fails with `noLeaf` and the
 * others are skipped.
 */
async function genuinenessChecks(
  report: AttestationReport,
  inputs: ParsedInputs,
  at: Date,
  noLeaf: string,
): Promise<Genuineness> {
  const reportProduct = report.product === "unknown" ? undefined : report.product;
  const { leaf } = inputs;
  if (report.keyInfo.signingKeyName === "none" || !leaf) {
    const detail = report.keyInfo.signingKeyName === "none"
      ? "KEY_INFO.SIGNING_KEY is 7: the firmware did not sign this report"
      : noLeaf;
    const checks = [outcome("report-signature", false, detail)];
    for (const name of GENUINENESS_CHECKS.slice(1)) {
      checks.push(skip(name, "no VCEK or VLEK certificate to check"));
    }
    return { checks, layout: report.tcbLayout, product: reportProduct };
  }
  const chain = await assembleChain(leaf, inputs.given, inputs.roots, amdIntermediates());
  const ext = amdExtensions(leaf);
  const checks = await leafChecks(report, chain, ext, inputs.crls, at);
  return {
    checks,
    chain,
    layout: certifiedLayout(report, ext, chain),
    product: ext.productLine ?? chainProduct(chain) ?? reportProduct,
    ext,
  };
}

/** Genuine: no genuineness check failed, and the signature and chain checks passed. */
function isGenuine(checks: readonly AttestationCheck[]): boolean {
  const byName = (n: string) => checks.find((c) => c.name === n)!;
  return GENUINENESS_CHECKS.every((n) => byName(n).status !== "fail") &&
    byName("report-signature").status === "pass" && byName("cert-chain").status === "pass";
}

/** The chain's certificates for display, leaf first, each with its role. */
function chainSummaries(report: AttestationReport, g: Genuineness): CertificateSummary[] {
  const { chain, ext } = g;
  const certificates: CertificateSummary[] = [];
  if (!chain || !ext) return certificates;
  const kind = leafKind(ext) ?? report.keyInfo.signingKeyName;
  certificates.push(summary(chain.leaf, kind));
  if (chain.intermediate) {
    certificates.push(
      summary(chain.intermediate, isAsvk(chain.intermediate) ? "ASVK" : "ASK"),
    );
  }
  if (chain.root) certificates.push(summary(chain.root, "ARK"));
  return certificates;
}

/**
 * Verifies `input` (the 1184-byte report, its hex text, or a parsed report,
 * whose `bytes` are what is verified).
 * Throws `ReportError` when the report cannot be parsed, `CertificateError`
 * when a certificate or CRL is malformed, `AttestationError` for unusable
 * inputs; every check's failure is a result, not an exception.
 *
 * @example
 * ```ts
 * import { verifyAttestation } from "./verify_attestation.ts";
 * const dir = "testdata/vectors/tee-attestation-verification/";
 * const result = await verifyAttestation(await Deno.readFile(dir + "milan_attestation_report.bin"), {
 *   vcek: await Deno.readFile(dir + "milan_vcek.pem"),
 *   at: new Date("2026-06-01T00:00:00Z"),
 * });
 * console.log(result.verified, result.checks.map((c) => `${c.name}:${c.status}`).join(" "));
 * ```
 */
export async function verifyAttestation(
  input: Uint8Array | string | AttestationReport,
  options: AttestationOptions = {},
): Promise<AttestationResult> {
  // A parsed report is parsed again from its bytes: every check then reads the fields the
  // signature covers, whatever a caller did to the object.
  const report = parseReport(
    input instanceof Uint8Array || typeof input === "string" ? input : input.bytes,
  );
  const at = options.at ?? new Date();
  const inputs = parseInputs(report, options);
  const located = noLeafDetail(report, options);
  const g = await genuinenessChecks(report, inputs, at, located.detail);
  const { checks, chain, layout, product } = g;
  checks.push(...policyChecks(report, options, layout));
  const genuine = isGenuine(checks);
  return {
    verified: genuine && checks.every((c) => c.status !== "fail"),
    genuine,
    checks,
    signatureChecked: chain !== undefined,
    report,
    product,
    certificates: chainSummaries(report, g),
    kdsUrl: located.url,
    at,
  };
}
