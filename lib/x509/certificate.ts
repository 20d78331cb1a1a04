/**
 * X.509 v3 certificates (RFC 5280 §4.1), parsed strictly but without the
 * serial-number rule strict parsers add: AMD's VCEKs have serial number 0,
 * which RFC 5280 §4.1.2.2 calls non-conforming, and are accepted here.
 *
 * ```
 * Certificate ::= SEQUENCE { tbsCertificate, signatureAlgorithm, signatureValue BIT STRING }
 * TBSCertificate ::= SEQUENCE {
 *   [0] EXPLICIT version INTEGER DEFAULT v1,  serialNumber INTEGER,
 *   signature AlgorithmIdentifier,  issuer Name,
 *   validity SEQUENCE { notBefore Time, notAfter Time },  subject Name,
 *   subjectPublicKeyInfo,  [1] issuerUniqueID, [2] subjectUniqueID,
 *   [3] EXPLICIT extensions SEQUENCE OF Extension }
 * Extension ::= SEQUENCE { extnID OID, critical BOOLEAN DEFAULT FALSE, extnValue OCTET STRING }
 * ```
 *
 * @module
 */

import { CertificateError } from "./certificate_error.ts";
import {
  bitStringBytes,
  booleanValue,
  children,
  contents,
  encoding,
  expectTag,
  integerBytes,
  namedBits,
  oidString,
  readTlv,
  smallInteger,
  Tag,
  type Tlv,
} from "./der.ts";
import { timeValue } from "./der_text.ts";
import {
  type AlgorithmIdentifier,
  type PublicKeyInfo,
  readAlgorithm,
  readPublicKeyInfo,
} from "./algorithm.ts";
import { type Name, readName } from "./name.ts";
import { toHex } from "../encoding.ts";

/** Largest certificate or CRL accepted, in bytes (AMD's are under 2 KiB and ~1 KiB). */
const MAX_DER_SIZE = 1 << 20;

/** One extension: critical flag and the contents of its OCTET STRING. */
export interface Extension {
  /** The extension's OID. */
  readonly oid: string;
  /** The critical flag. */
  readonly critical: boolean;
  /** The extnValue bytes (the DER of the extension's own value). */
  readonly value: Uint8Array;
}

/** Bytes signed by an issuer, and the signature over them. */
export interface SignedData {
  /** The DER of the signed part (tbsCertificate / tbsCertList). */
  readonly tbs: Uint8Array;
  /** The outer signatureAlgorithm. */
  readonly signatureAlgorithm: AlgorithmIdentifier;
  /** The signature value. */
  readonly signature: Uint8Array;
}

/** A parsed certificate. */
export interface Certificate extends SignedData {
  /** The whole certificate's DER. */
  readonly der: Uint8Array;
  /** Version: 1 or 3 (2 is accepted too). */
  readonly version: number;
  /** serialNumber contents (two's complement, as encoded; `00` for AMD's VCEKs). */
  readonly serial: Uint8Array;
  /** Issuer name. */
  readonly issuer: Name;
  /** Subject name. */
  readonly subject: Name;
  /** Start of the validity period. */
  readonly notBefore: Date;
  /** End of the validity period (inclusive, RFC 5280 §4.1.2.5). */
  readonly notAfter: Date;
  /** Subject public key. */
  readonly publicKey: PublicKeyInfo;
  /** Extensions in order (none for v1). */
  readonly extensions: readonly Extension[];
}

/**
 * The signed envelope shared by certificates and CRLs:
 * `SEQUENCE { tbs SEQUENCE, AlgorithmIdentifier, BIT STRING }`, which must
 * be the whole input. Returns the TBS element and the signed data.
 */
export function readSigned(der: Uint8Array, what: string): { tbs: Tlv; signed: SignedData } {
  if (der.length > MAX_DER_SIZE) {
    throw new CertificateError(
      `${what} is ${der.length} bytes, more than the ${MAX_DER_SIZE} accepted`,
    );
  }
  const outer = readTlv(der, 0);
  expectTag(outer, Tag.SEQUENCE, what);
  if (outer.end !== der.length) {
    throw new CertificateError(
      `${what}: ${der.length - outer.end} bytes after the end of the DER structure`,
    );
  }
  const parts = children(outer, what);
  if (parts.length !== 3) {
    throw new CertificateError(`${what}: expected 3 elements, found ${parts.length}`);
  }
  const tbs = expectTag(parts[0], Tag.SEQUENCE, `${what} TBS`);
  return {
    tbs,
    signed: {
      tbs: encoding(tbs),
      signatureAlgorithm: readAlgorithm(parts[1], `${what} signature algorithm`),
      signature: bitStringBytes(parts[2], `${what} signature`),
    },
  };
}

/**
 * Reads `SEQUENCE OF Extension`; duplicate OIDs are refused (RFC 5280 §4.2).
 *
 * @example
 * ```ts
 * import { readExtensions } from "./certificate.ts";
 * import { readTlv } from "./der.ts";
 * // 30 0c 30 0a 06 03 55 1d 0f 04 03 03 01 06 -- keyUsage
 * const der = Uint8Array.fromHex("300c300a0603551d0f0403030106");
 * readExtensions(readTlv(der, 0), "cert")[0].oid; // "2.5.29.15"
 * ```
 */
export function readExtensions(t: Tlv, what: string): Extension[] {
  expectTag(t, Tag.SEQUENCE, `${what} extensions`);
  const out: Extension[] = [];
  const seen = new Set<string>();
  for (const e of children(t, `${what} extensions`)) {
    expectTag(e, Tag.SEQUENCE, `${what} extension`);
    const parts = children(e, `${what} extension`);
    if (parts.length < 2 || parts.length > 3) {
      throw new CertificateError(
        `${what}: extension at offset ${e.offset} has ${parts.length} elements`,
      );
    }
    const oid = oidString(parts[0], `${what} extension id`);
    const critical = parts.length === 3
      ? booleanValue(parts[1], `${what} extension ${oid} critical`)
      : false;
    const value = expectTag(parts.at(-1)!, Tag.OCTET_STRING, `${what} extension ${oid} value`);
    if (seen.has(oid)) throw new CertificateError(`${what}: duplicate extension ${oid}`);
    seen.add(oid);
    out.push({ oid, critical, value: contents(value) });
  }
  return out;
}

function readValidity(t: Tlv, what: string): [Date, Date] {
  expectTag(t, Tag.SEQUENCE, `${what} validity`);
  const parts = children(t, `${what} validity`);
  if (parts.length !== 2) {
    throw new CertificateError(`${what}: validity has ${parts.length} elements`);
  }
  return [timeValue(parts[0], `${what} notBefore`), timeValue(parts[1], `${what} notAfter`)];
}

/**
 * Parses a DER certificate. Throws {@link CertificateError} for anything
 * that is not a well-formed X.509 certificate (the TBS signature algorithm
 * must equal the outer one, RFC 5280 §4.1.1.2).
 *
 * @example
 * ```ts
 * import { parseCertificate } from "./certificate.ts";
 * import { derBlocks } from "./pem.ts";
 * const pem = await Deno.readFile("testdata/vectors/tee-attestation-verification/milan_vcek.pem");
 * const vcek = parseCertificate(derBlocks(pem, "CERTIFICATE")[0]);
 * console.log(vcek.serial, vcek.subject.commonName); // Uint8Array [0] SEV-VCEK
 * ```
 */
export function parseCertificate(der: Uint8Array, what = "certificate"): Certificate {
  const { tbs, signed } = readSigned(der, what);
  const parts = children(tbs, `${what} TBS`);
  let i = 0;
  let version = 1;
  if (parts[0]?.tag === 0xa0) {
    const inner = children(parts[0], `${what} version`);
    if (inner.length !== 1) throw new CertificateError(`${what}: malformed version`);
    version = smallInteger(inner[0], `${what} version`) + 1;
    if (version < 1 || version > 3) {
      throw new CertificateError(`${what}: unknown version ${version}`);
    }
    i++;
  }
  const field = (n: number, name: string): Tlv => {
    if (!parts[n]) throw new CertificateError(`${what}: TBS ends before ${name}`);
    return parts[n];
  };
  const serial = integerBytes(field(i++, "serialNumber"), `${what} serial number`);
  const inner = readAlgorithm(field(i++, "signature"), `${what} TBS signature algorithm`);
  if (toHex(inner.der) !== toHex(signed.signatureAlgorithm.der)) {
    throw new CertificateError(`${what}: TBS signature algorithm differs from the outer one`);
  }
  const issuer = readName(field(i++, "issuer"), `${what} issuer`);
  const [notBefore, notAfter] = readValidity(field(i++, "validity"), what);
  const subject = readName(field(i++, "subject"), `${what} subject`);
  const publicKey = readPublicKeyInfo(field(i++, "subjectPublicKeyInfo"), what);
  let extensions: Extension[] = [];
  let last = 0;
  for (; i < parts.length; i++) {
    const n = parts[i].tag & 0x1f;
    if ((parts[i].tag & 0xc0) !== 0x80 || n < 1 || n > 3 || n <= last) {
      throw new CertificateError(
        `${what}: unexpected element 0x${parts[i].tag.toString(16)} in TBS`,
      );
    }
    last = n;
    if (n === 3) {
      if (version !== 3) {
        throw new CertificateError(`${what}: extensions in a version ${version} certificate`);
      }
      const ext = children(parts[i], `${what} extensions`);
      if (ext.length !== 1) throw new CertificateError(`${what}: malformed extensions`);
      extensions = readExtensions(ext[0], what);
    }
  }
  return {
    ...signed,
    der,
    version,
    serial,
    issuer,
    subject,
    notBefore,
    notAfter,
    publicKey,
    extensions,
  };
}

/** OID of the keyUsage extension (RFC 5280 4.2.1.3). */
export const KEY_USAGE = "2.5.29.15";

/**
 * The keyUsage bits of `c` (RFC 5280 4.2.1.3: 0 digitalSignature, 5
 * keyCertSign, 6 cRLSign), or undefined when it has no keyUsage extension.
 * Throws {@link CertificateError} when the extension is malformed.
 *
 * @example
 * ```ts
 * import { keyUsageBits, parseCertificate } from "./certificate.ts";
 * import { derBlocks } from "./pem.ts";
 * const pem = await Deno.readFile("testdata/vectors/amd/ask_ark_milan.pem");
 * const ark = parseCertificate(derBlocks(pem, "CERTIFICATE")[1]);
 * keyUsageBits(ark)?.[5]; // true: the ARK may sign certificates
 * ```
 */
export function keyUsageBits(c: Certificate): readonly boolean[] | undefined {
  const ku = c.extensions.find((e) => e.oid === KEY_USAGE);
  return ku && namedBits(readTlv(ku.value, 0), "keyUsage");
}
