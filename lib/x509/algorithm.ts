/**
 * AlgorithmIdentifier (RFC 5280 §4.1.1.2), RSASSA-PSS parameters (RFC 4055
 * §3.1) and SubjectPublicKeyInfo (RFC 5280 §4.1.2.7; RFC 3279 §2.3.1 RSA,
 * RFC 5480 §2 EC).
 *
 * RSASSA-PSS-params, as AMD's ARK, ASK/ASVK, VCEK/VLEK and CRLs carry them
 * (SHA-384, MGF1 with SHA-384, salt 48):
 *
 * ```
 * SEQUENCE {
 *   [0] hashAlgorithm    AlgorithmIdentifier DEFAULT sha1
 *   [1] maskGenAlgorithm AlgorithmIdentifier DEFAULT mgf1SHA1
 *   [2] saltLength       INTEGER DEFAULT 20
 *   [3] trailerField     INTEGER DEFAULT 1   -- some VCEKs encode the default
 * }
 * ```
 *
 * @module
 */

import { CertificateError } from "./certificate_error.ts";
import {
  bitStringBytes,
  children,
  encoding,
  expectTag,
  oidString,
  readTlv,
  smallInteger,
  Tag,
  type Tlv,
  unsignedInteger,
} from "./der.ts";

/** Object identifiers this reader knows. */
export const Oid = {
  RSA_ENCRYPTION: "1.2.840.113549.1.1.1",
  RSASSA_PSS: "1.2.840.113549.1.1.10",
  MGF1: "1.2.840.113549.1.1.8",
  SHA1: "1.3.14.3.2.26",
  SHA256: "2.16.840.1.101.3.4.2.1",
  SHA384: "2.16.840.1.101.3.4.2.2",
  SHA512: "2.16.840.1.101.3.4.2.3",
  EC_PUBLIC_KEY: "1.2.840.10045.2.1",
  SECP256R1: "1.2.840.10045.3.1.7",
  SECP384R1: "1.3.132.0.34",
  SECP521R1: "1.3.132.0.35",
  ECDSA_SHA384: "1.2.840.10045.4.3.3",
  SHA384_WITH_RSA: "1.2.840.113549.1.1.12",
} as const;

const HASHES: Record<string, "SHA-1" | "SHA-256" | "SHA-384" | "SHA-512"> = {
  [Oid.SHA1]: "SHA-1",
  [Oid.SHA256]: "SHA-256",
  [Oid.SHA384]: "SHA-384",
  [Oid.SHA512]: "SHA-512",
};

const CURVES: Record<string, "P-256" | "P-384" | "P-521"> = {
  [Oid.SECP256R1]: "P-256",
  [Oid.SECP384R1]: "P-384",
  [Oid.SECP521R1]: "P-521",
};

/** An AlgorithmIdentifier: its OID and the DER of its parameters, if any. */
export interface AlgorithmIdentifier {
  /** The algorithm's OID, dotted. */
  readonly oid: string;
  /** The whole AlgorithmIdentifier encoding (for the TBS-vs-outer comparison). */
  readonly der: Uint8Array;
  /** The parameters element, if present. */
  readonly params?: Tlv;
}

/** RSASSA-PSS parameters, decoded. */
export interface PssParams {
  /** The message hash. */
  readonly hash: string;
  /** The hash MGF1 uses. */
  readonly mgfHash: string;
  /** Salt length in bytes. */
  readonly saltLength: number;
  /** Trailer field (must be 1). */
  readonly trailer: number;
}

/** A subject public key: RSA (n, e), EC (curve, point) or another algorithm. */
export interface PublicKeyInfo {
  /** The whole SubjectPublicKeyInfo encoding. */
  readonly der: Uint8Array;
  /** The key algorithm's OID. */
  readonly algorithm: string;
  /** RSA modulus and exponent (big-endian, no sign byte), for RSA keys. */
  readonly rsa?: { readonly n: Uint8Array; readonly e: Uint8Array; readonly bits: number };
  /** Named curve and uncompressed point, for EC keys. */
  readonly ec?: { readonly curve: string; readonly point: Uint8Array };
  /** A short description: `RSA 4096-bit`, `EC P-384`, `unknown key type 1.2.3`. */
  readonly description: string;
}

/**
 * Reads an AlgorithmIdentifier (`SEQUENCE { OID, params ANY OPTIONAL }`).
 *
 * @example
 * ```ts
 * import { readAlgorithm } from "./algorithm.ts";
 * import { readTlv } from "./der.ts";
 * const der = Uint8Array.fromHex("300d06092a864886f70d01010a0500");
 * readAlgorithm(readTlv(der, 0), "signature").oid; // "1.2.840.113549.1.1.10"
 * ```
 */
export function readAlgorithm(t: Tlv, what: string): AlgorithmIdentifier {
  expectTag(t, Tag.SEQUENCE, what);
  const parts = children(t, what);
  if (parts.length < 1 || parts.length > 2) {
    throw new CertificateError(
      `${what}: AlgorithmIdentifier at offset ${t.offset} has ${parts.length} elements`,
    );
  }
  return { oid: oidString(parts[0], `${what} algorithm`), der: encoding(t), params: parts[1] };
}

function hashOf(alg: AlgorithmIdentifier, what: string): string {
  const name = HASHES[alg.oid];
  if (!name) throw new CertificateError(`${what}: unknown hash algorithm ${alg.oid}`);
  if (alg.params && alg.params.tag !== Tag.NULL) {
    throw new CertificateError(`${what}: hash algorithm parameters must be NULL or absent`);
  }
  return name;
}

function explicit(t: Tlv, what: string): Tlv {
  const inner = children(t, what);
  if (inner.length !== 1) {
    throw new CertificateError(`${what}: expected one element in [${t.tag & 0x1f}]`);
  }
  return inner[0];
}

/**
 * Decodes RSASSA-PSS-params (RFC 4055 §3.1); absent fields take their
 * defaults (SHA-1, MGF1-SHA-1, salt 20, trailer 1).
 *
 * @example
 * ```ts
 * import { pssParams, readAlgorithm } from "./algorithm.ts";
 * import { readTlv } from "./der.ts";
 * const der = Uint8Array.fromHex(
 *   "304106092a864886f70d01010a3034a00f300d06096086480165030402020500a11c301a06092a864886f70d010108" +
 *     "300d06096086480165030402020500a203020130",
 * );
 * pssParams(readAlgorithm(readTlv(der, 0), "sig"), "sig"); // { hash: "SHA-384", mgfHash: "SHA-384", saltLength: 48, trailer: 1 }
 * ```
 */
export function pssParams(alg: AlgorithmIdentifier, what: string): PssParams {
  if (alg.oid !== Oid.RSASSA_PSS) {
    throw new CertificateError(`${what}: not RSASSA-PSS (${alg.oid})`);
  }
  const p = alg.params;
  if (!p) throw new CertificateError(`${what}: RSASSA-PSS without parameters`);
  expectTag(p, Tag.SEQUENCE, `${what} RSASSA-PSS parameters`);
  let hash = "SHA-1";
  let mgfHash = "SHA-1";
  let saltLength = 20;
  let trailer = 1;
  let last = -1;
  for (const f of children(p, `${what} RSASSA-PSS parameters`)) {
    const n = f.tag - 0xa0;
    if (n < 0 || n > 3 || n <= last) {
      throw new CertificateError(
        `${what}: unexpected element 0x${f.tag.toString(16)} in RSASSA-PSS parameters`,
      );
    }
    last = n;
    const inner = explicit(f, `${what} RSASSA-PSS parameters`);
    if (n === 0) hash = hashOf(readAlgorithm(inner, `${what} PSS hash`), `${what} PSS hash`);
    if (n === 1) {
      const mgf = readAlgorithm(inner, `${what} PSS mask generation`);
      if (mgf.oid !== Oid.MGF1 || !mgf.params) {
        throw new CertificateError(`${what}: mask generation function ${mgf.oid} is not MGF1`);
      }
      mgfHash = hashOf(readAlgorithm(mgf.params, `${what} MGF1 hash`), `${what} MGF1 hash`);
    }
    if (n === 2) saltLength = smallInteger(inner, `${what} PSS salt length`);
    if (n === 3) trailer = smallInteger(inner, `${what} PSS trailer field`);
  }
  return { hash, mgfHash, saltLength, trailer };
}

function rsaKey(bits: Uint8Array, what: string): NonNullable<PublicKeyInfo["rsa"]> {
  // The key inside the BIT STRING must be exactly one DER element.
  const t = readTlv(bits, 0);
  if (t.end !== bits.length) {
    throw new CertificateError(`${what}: trailing bytes after the RSA key`);
  }
  expectTag(t, Tag.SEQUENCE, `${what} RSAPublicKey`);
  const parts = children(t, `${what} RSAPublicKey`);
  if (parts.length !== 2) {
    throw new CertificateError(`${what}: RSAPublicKey has ${parts.length} elements, expected 2`);
  }
  const n = unsignedInteger(parts[0], `${what} RSA modulus`);
  const e = unsignedInteger(parts[1], `${what} RSA exponent`);
  const size = n[0] === 0 ? 0 : (n.length - 1) * 8 + (32 - Math.clz32(n[0]));
  return { n, e, bits: size };
}

/**
 * Reads a SubjectPublicKeyInfo: `SEQUENCE { AlgorithmIdentifier, BIT STRING }`.
 * RSA keys (rsaEncryption or id-RSASSA-PSS) and EC keys on a named curve are
 * decoded; others are kept with their OID so a check can say what they are.
 *
 * @example
 * ```ts
 * import { readPublicKeyInfo } from "./algorithm.ts";
 * import { readTlv } from "./der.ts";
 * // const spki = readPublicKeyInfo(readTlv(der, 0), "VCEK");
 * // spki.description === "EC P-384"
 * ```
 */
export function readPublicKeyInfo(t: Tlv, what: string): PublicKeyInfo {
  expectTag(t, Tag.SEQUENCE, `${what} public key`);
  const parts = children(t, `${what} public key`);
  if (parts.length !== 2) {
    throw new CertificateError(`${what}: SubjectPublicKeyInfo has ${parts.length} elements`);
  }
  const alg = readAlgorithm(parts[0], `${what} public key`);
  const key = bitStringBytes(parts[1], `${what} public key`);
  const der = encoding(t);
  if (alg.oid === Oid.RSA_ENCRYPTION || alg.oid === Oid.RSASSA_PSS) {
    const rsa = rsaKey(key, `${what} public key`);
    return { der, algorithm: alg.oid, rsa, description: `RSA ${rsa.bits}-bit` };
  }
  if (alg.oid === Oid.EC_PUBLIC_KEY) {
    if (!alg.params || alg.params.tag !== Tag.OID) {
      throw new CertificateError(`${what}: EC public key without a named curve`);
    }
    const curveOid = oidString(alg.params, `${what} EC curve`);
    const curve = CURVES[curveOid] ?? curveOid;
    return { der, algorithm: alg.oid, ec: { curve, point: key }, description: `EC ${curve}` };
  }
  return { der, algorithm: alg.oid, description: `unknown key type ${alg.oid}` };
}
