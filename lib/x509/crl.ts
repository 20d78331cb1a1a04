/**
 * Certificate revocation lists (RFC 5280 §5.1), as AMD's KDS publishes them
 * per product (`/vcek/v1/<product>/crl`, DER, signed by the ARK with
 * RSASSA-PSS).
 *
 * ```
 * CertificateList ::= SEQUENCE { tbsCertList, signatureAlgorithm, signatureValue BIT STRING }
 * TBSCertList ::= SEQUENCE {
 *   version INTEGER OPTIONAL (v2 = 1),  signature AlgorithmIdentifier,  issuer Name,
 *   thisUpdate Time,  nextUpdate Time OPTIONAL,
 *   revokedCertificates SEQUENCE OF SEQUENCE {
 *     userCertificate INTEGER, revocationDate Time, crlEntryExtensions Extensions OPTIONAL } OPTIONAL,
 *   [0] EXPLICIT crlExtensions Extensions OPTIONAL }
 * ```
 *
 * @module
 */

import { CertificateError } from "./certificate_error.ts";
import { children, expectTag, integerBytes, smallInteger, Tag, type Tlv } from "./der.ts";
import { timeValue } from "./der_text.ts";
import { readAlgorithm } from "./algorithm.ts";
import { type Extension, readExtensions, readSigned, type SignedData } from "./certificate.ts";
import { type Name, readName } from "./name.ts";
import { toHex } from "../encoding.ts";

/** One revoked certificate. */
export interface RevokedEntry {
  /** The revoked certificate's serial number contents. */
  readonly serial: Uint8Array;
  /** When it was revoked. */
  readonly date: Date;
  /** Entry extensions (reason code, …). */
  readonly extensions: readonly Extension[];
}

/** A parsed CRL. */
export interface Crl extends SignedData {
  /** The whole CRL's DER. */
  readonly der: Uint8Array;
  /** The issuer (must be the certificate authority that signed it). */
  readonly issuer: Name;
  /** When the list was issued. */
  readonly thisUpdate: Date;
  /** When the next list is due; absent in some CRLs. */
  readonly nextUpdate?: Date;
  /** The revoked certificates. */
  readonly revoked: readonly RevokedEntry[];
  /** CRL extensions. */
  readonly extensions: readonly Extension[];
}

function isTime(t: Tlv | undefined): boolean {
  return t !== undefined && (t.tag === Tag.UTC_TIME || t.tag === Tag.GENERALIZED_TIME);
}

function readEntries(t: Tlv, what: string): RevokedEntry[] {
  return children(t, `${what} revoked certificates`).map((e) => {
    expectTag(e, Tag.SEQUENCE, `${what} revoked entry`);
    const parts = children(e, `${what} revoked entry`);
    if (parts.length < 2 || parts.length > 3) {
      throw new CertificateError(
        `${what}: revoked entry at offset ${e.offset} has ${parts.length} elements`,
      );
    }
    return {
      serial: integerBytes(parts[0], `${what} revoked serial`),
      date: timeValue(parts[1], `${what} revocation date`),
      extensions: parts[2] ? readExtensions(parts[2], `${what} entry`) : [],
    };
  });
}

/**
 * Parses a DER CRL. Throws {@link CertificateError} when it is malformed.
 *
 * @example
 * ```ts
 * import { parseCrl } from "./crl.ts";
 * // const crl = parseCrl(await Deno.readFile("milan.crl"));
 * // crl.revoked.map((r) => r.serial.toHex());
 * ```
 */
export function parseCrl(der: Uint8Array, what = "CRL"): Crl {
  const { tbs, signed } = readSigned(der, what);
  const parts = children(tbs, `${what} TBS`);
  let i = 0;
  if (parts[0]?.tag === Tag.INTEGER) {
    const v = smallInteger(parts[0], `${what} version`);
    if (v !== 1) throw new CertificateError(`${what}: unknown version ${v + 1}`);
    i++;
  }
  const need = (name: string): Tlv => {
    if (!parts[i]) throw new CertificateError(`${what}: TBS ends before ${name}`);
    return parts[i++];
  };
  const inner = readAlgorithm(need("signature"), `${what} TBS signature algorithm`);
  if (toHex(inner.der) !== toHex(signed.signatureAlgorithm.der)) {
    throw new CertificateError(`${what}: TBS signature algorithm differs from the outer one`);
  }
  const issuer = readName(need("issuer"), `${what} issuer`);
  const thisUpdate = timeValue(need("thisUpdate"), `${what} thisUpdate`);
  const nextUpdate = isTime(parts[i]) ? timeValue(parts[i++], `${what} nextUpdate`) : undefined;
  let revoked: RevokedEntry[] = [];
  if (parts[i]?.tag === Tag.SEQUENCE) revoked = readEntries(parts[i++], what);
  let extensions: Extension[] = [];
  if (parts[i]?.tag === 0xa0) {
    const ext = children(parts[i++], `${what} extensions`);
    if (ext.length !== 1) throw new CertificateError(`${what}: malformed extensions`);
    extensions = readExtensions(ext[0], what);
  }
  if (i !== parts.length) {
    throw new CertificateError(`${what}: unexpected element 0x${parts[i].tag.toString(16)} in TBS`);
  }
  return { ...signed, der, issuer, thisUpdate, nextUpdate, revoked, extensions };
}
