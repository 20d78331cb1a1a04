/**
 * ECDSA P-384 / SHA-384 signatures as SEV-SNP ID blocks carry them: signing
 * with deterministic nonces, the IGVM and SNP binary forms, DER decoding for
 * signatures made elsewhere (`openssl dgst`, an HSM), and verification.
 *
 * Signing uses RFC 6979 deterministic nonces (HMAC-DRBG with SHA-384) and does
 * NOT normalise `s` to the lower half of the group order, exactly like the
 * RustCrypto `p384` `SigningKey` that COCONUT's `igvmmeasure` uses, so both
 * tools produce the same bytes for the same key and message.
 *
 * IGVM form (`IGVM_VHS_SNP_ID_BLOCK_SIGNATURE`, igvm_defs; `docs/measurement-notes.md`
 * d6), 144 bytes: `r_comp[72]`, `s_comp[72]`, each a little-endian integer
 * zero-extended from 48 bytes.
 *
 * SNP form (SEV-SNP ABI spec, "ECDSA Signature Format"; notes d5), 0x200 bytes:
 *
 * | off   | size | field                                    |
 * |-------|------|------------------------------------------|
 * | 0x000 | 72   | R, little-endian, zero-extended from 48  |
 * | 0x048 | 72   | S, little-endian, zero-extended from 48  |
 * | 0x090 | 368  | reserved, zero                           |
 *
 * @module
 */

import { p384 } from "../deps.ts";
import { IgvmToolError, KeyError } from "../errors.ts";
import {
  bigintFromBytes,
  bytesFromBigint,
  P384_BYTES,
  readLeField,
  SNP_BIGNUM_BYTES,
  toArrayBufferBytes,
  writeLeField,
} from "./bytes.ts";
import { assertValidPublicKey, type P384PublicKey, uncompressedPoint } from "./public_key.ts";

/** An ECDSA P-384 signature: r and s as 48-byte big-endian integers. */
export interface EcdsaSignature {
  /** r, 48 bytes big-endian. */
  r: Uint8Array;
  /** s, 48 bytes big-endian. */
  s: Uint8Array;
}

/**
 * A signature that is malformed or of the wrong size.
 *
 * @example
 * ```ts
 * import { parseDerSignature, SignatureError } from "./signature.ts";
 * try {
 *   parseDerSignature(new Uint8Array([0x31, 0]));
 * } catch (e) {
 *   if (!(e instanceof SignatureError)) throw e;
 *   console.log(e.message); // malformed DER signature: expected SEQUENCE (0x30), found 0x31
 * }
 * ```
 */
export class SignatureError extends IgvmToolError {
  /** Creates the error; `message` must be one line. */
  constructor(message: string) {
    super(message, "signature");
    this.name = "SignatureError";
  }
}

/** The order n of the P-384 group. */
export const P384_ORDER: bigint = p384.Point.CURVE().n;

/** Size of the IGVM signature structure. */
export const IGVM_SIGNATURE_SIZE = 144;

/** Size of the SNP signature structure. */
export const SNP_SIGNATURE_SIZE = 0x200;

function checkSignature(sig: EcdsaSignature): void {
  if (sig.r.length !== P384_BYTES || sig.s.length !== P384_BYTES) {
    throw new SignatureError(
      `P-384 signature r and s must be 48 bytes, got ${sig.r.length} and ${sig.s.length}`,
    );
  }
}

/**
 * Signs `message` (hashed here with SHA-384) with the 48-byte big-endian
 * private scalar `d`. Deterministic (RFC 6979) and without low-S
 * normalisation. Throws `KeyError` if `d` is not a valid P-384 scalar.
 *
 * @example
 * ```ts
 * import { signP384 } from "./signature.ts";
 * const d = new Uint8Array(48); d[47] = 1;
 * const { r, s } = signP384(new TextEncoder().encode("sample"), d);
 * r.length + s.length; // 96
 * ```
 */
export function signP384(message: Uint8Array, d: Uint8Array): EcdsaSignature {
  if (d.length !== P384_BYTES || !p384.utils.isValidSecretKey(d)) {
    throw new KeyError("private key is not a valid P-384 scalar");
  }
  const compact = p384.sign(message, d, { prehash: true, lowS: false, extraEntropy: false });
  return { r: compact.slice(0, P384_BYTES), s: compact.slice(P384_BYTES, 2 * P384_BYTES) };
}

/**
 * True when `s` is above n/2 (a "high-S" signature, which low-S-normalising
 * signers would have replaced by n - s).
 *
 * @example
 * ```ts
 * import { isHighS } from "./signature.ts";
 * isHighS({ r: new Uint8Array(48), s: new Uint8Array(48).fill(0xff) }); // true
 * ```
 */
export function isHighS(sig: EcdsaSignature): boolean {
  return bigintFromBytes(sig.s) > P384_ORDER >> 1n;
}

/**
 * Encodes `sig` into the 144-byte IGVM signature structure.
 *
 * @example
 * ```ts
 * import { encodeIgvmSignature } from "./signature.ts";
 * encodeIgvmSignature({ r: new Uint8Array(48), s: new Uint8Array(48) }).length; // 144
 * ```
 */
export function encodeIgvmSignature(sig: EcdsaSignature): Uint8Array {
  checkSignature(sig);
  const out = new Uint8Array(IGVM_SIGNATURE_SIZE);
  writeLeField(out, 0x00, sig.r, SNP_BIGNUM_BYTES);
  writeLeField(out, 0x48, sig.s, SNP_BIGNUM_BYTES);
  return out;
}

/**
 * Encodes `sig` into the 0x200-byte SNP signature structure.
 *
 * @example
 * ```ts
 * import { encodeSnpSignature } from "./signature.ts";
 * encodeSnpSignature({ r: new Uint8Array(48), s: new Uint8Array(48) }).length; // 512
 * ```
 */
export function encodeSnpSignature(sig: EcdsaSignature): Uint8Array {
  const out = new Uint8Array(SNP_SIGNATURE_SIZE);
  out.set(encodeIgvmSignature(sig), 0);
  return out;
}

/**
 * Converts a 144-byte IGVM signature to the 0x200-byte SNP form (same first
 * 144 bytes, then zeros).
 *
 * @example
 * ```ts
 * import { igvmToSnpSignature } from "./signature.ts";
 * igvmToSnpSignature(new Uint8Array(144)).length; // 512
 * ```
 */
export function igvmToSnpSignature(igvm: Uint8Array): Uint8Array {
  if (igvm.length !== IGVM_SIGNATURE_SIZE) {
    throw new SignatureError(
      `IGVM signature is ${igvm.length} bytes, expected ${IGVM_SIGNATURE_SIZE}`,
    );
  }
  const out = new Uint8Array(SNP_SIGNATURE_SIZE);
  out.set(igvm, 0);
  return out;
}

function decodeLe(bytes: Uint8Array, form: string): EcdsaSignature {
  const r = readLeField(bytes, 0x00, SNP_BIGNUM_BYTES, P384_BYTES);
  const s = readLeField(bytes, 0x48, SNP_BIGNUM_BYTES, P384_BYTES);
  if (r === undefined || s === undefined) {
    throw new SignatureError(`${form} signature r or s does not fit in 48 bytes`);
  }
  return { r, s };
}

/**
 * Decodes a 144-byte IGVM signature structure into big-endian r and s.
 * Throws `SignatureError` on a wrong size or a component wider than 48 bytes.
 *
 * @example
 * ```ts
 * import { decodeIgvmSignature } from "./signature.ts";
 * decodeIgvmSignature(new Uint8Array(144)).r.length; // 48
 * ```
 */
export function decodeIgvmSignature(bytes: Uint8Array): EcdsaSignature {
  if (bytes.length !== IGVM_SIGNATURE_SIZE) {
    throw new SignatureError(
      `IGVM signature is ${bytes.length} bytes, expected ${IGVM_SIGNATURE_SIZE}`,
    );
  }
  return decodeLe(bytes, "IGVM");
}

/**
 * Decodes a 0x200-byte SNP signature structure into big-endian r and s.
 * Throws `SignatureError` on a wrong size or a component wider than 48 bytes.
 *
 * @example
 * ```ts
 * import { decodeSnpSignature } from "./signature.ts";
 * decodeSnpSignature(new Uint8Array(512)).s.length; // 48
 * ```
 */
export function decodeSnpSignature(bytes: Uint8Array): EcdsaSignature {
  if (bytes.length !== SNP_SIGNATURE_SIZE) {
    throw new SignatureError(
      `SNP signature is ${bytes.length} bytes, expected ${SNP_SIGNATURE_SIZE}`,
    );
  }
  return decodeLe(bytes, "SNP");
}

/** Reads one DER length at `pos`; returns [length, next position]. */
function derLength(der: Uint8Array, pos: number): [number, number] {
  if (pos >= der.length) throw new SignatureError("malformed DER signature: truncated length");
  const first = der[pos];
  if (first < 0x80) return [first, pos + 1];
  if (first !== 0x81) {
    throw new SignatureError(`malformed DER signature: unsupported length form 0x${hex2(first)}`);
  }
  if (pos + 1 >= der.length) throw new SignatureError("malformed DER signature: truncated length");
  const len = der[pos + 1];
  if (len < 0x80) throw new SignatureError("malformed DER signature: non-minimal length");
  return [len, pos + 2];
}

function hex2(n: number): string {
  return n.toString(16).padStart(2, "0");
}

/** Reads one DER INTEGER at `pos` as a value in [1, n-1]; returns [value, next]. */
function derInteger(der: Uint8Array, pos: number, name: string): [Uint8Array, number] {
  if (der[pos] !== 0x02) {
    throw new SignatureError(
      `malformed DER signature: expected INTEGER for ${name} at byte ${pos}`,
    );
  }
  const [len, start] = derLength(der, pos + 1);
  const end = start + len;
  if (len === 0 || end > der.length) {
    throw new SignatureError(`malformed DER signature: bad length of ${name}`);
  }
  let body = der.subarray(start, end);
  if (body[0] & 0x80) throw new SignatureError(`malformed DER signature: ${name} is negative`);
  if (body[0] === 0 && len > 1) {
    if (!(body[1] & 0x80)) {
      throw new SignatureError(`malformed DER signature: ${name} has a non-minimal encoding`);
    }
    body = body.subarray(1);
  }
  if (body.length > P384_BYTES) {
    throw new SignatureError(`malformed DER signature: ${name} is longer than 48 bytes`);
  }
  const value = bigintFromBytes(body);
  if (value === 0n || value >= P384_ORDER) {
    throw new SignatureError(`malformed DER signature: ${name} is not in [1, n-1] for P-384`);
  }
  return [bytesFromBigint(value, P384_BYTES), end];
}

/**
 * Parses a DER `ECDSA-Sig-Value` (`SEQUENCE { r INTEGER, s INTEGER }`, as
 * `openssl dgst -sha384 -sign KEY` writes) into 48-byte big-endian r and s.
 * Strict DER: minimal lengths and integers, no trailing bytes, r and s in
 * [1, n-1]. Throws `SignatureError` with a one-line reason otherwise.
 *
 * @example
 * ```ts
 * import { parseDerSignature } from "./signature.ts";
 * const der = new Uint8Array([0x30, 6, 0x02, 1, 0x01, 0x02, 1, 0x02]);
 * parseDerSignature(der).s[47]; // 2
 * ```
 */
export function parseDerSignature(der: Uint8Array): EcdsaSignature {
  if (der.length === 0) throw new SignatureError("DER signature is empty");
  if (der[0] !== 0x30) {
    throw new SignatureError(
      `malformed DER signature: expected SEQUENCE (0x30), found 0x${hex2(der[0])}`,
    );
  }
  const [len, start] = derLength(der, 1);
  if (start + len !== der.length) {
    throw new SignatureError(
      `malformed DER signature: SEQUENCE length ${len} does not match the ${der.length}-byte input`,
    );
  }
  const [r, afterR] = derInteger(der, start, "r");
  const [s, afterS] = derInteger(der, afterR, "s");
  if (afterS !== der.length) {
    throw new SignatureError("malformed DER signature: extra data after s");
  }
  return { r, s };
}

function derIntegerBytes(value: Uint8Array): Uint8Array {
  let i = 0;
  while (i < value.length - 1 && value[i] === 0) i++;
  const body = value.subarray(i);
  const pad = body[0] & 0x80 ? 1 : 0;
  const out = new Uint8Array(2 + pad + body.length);
  out[0] = 0x02;
  out[1] = pad + body.length;
  out.set(body, 2 + pad);
  return out;
}

/**
 * Encodes `sig` as a DER `ECDSA-Sig-Value`, the form `openssl dgst -verify`
 * reads.
 *
 * @example
 * ```ts
 * import { encodeDerSignature } from "./signature.ts";
 * const one = new Uint8Array(48); one[47] = 1;
 * encodeDerSignature({ r: one, s: one }); // 30 06 02 01 01 02 01 01
 * ```
 */
export function encodeDerSignature(sig: EcdsaSignature): Uint8Array {
  checkSignature(sig);
  const r = derIntegerBytes(sig.r);
  const s = derIntegerBytes(sig.s);
  const out = new Uint8Array(2 + r.length + s.length);
  out[0] = 0x30;
  out[1] = r.length + s.length;
  out.set(r, 2);
  out.set(s, 2 + r.length);
  return out;
}

/**
 * Verifies an ECDSA P-384 / SHA-384 signature over `message` with Web Crypto
 * (`crypto.subtle`, available in Deno, Node.js and browsers). Resolves to
 * false for a wrong signature; rejects with `KeyError` if `key` is not a
 * valid P-384 point.
 *
 * @example
 * ```ts
 * import { signP384, verifySignature } from "./signature.ts";
 * import { p384 } from "../deps.ts";
 * const d = new Uint8Array(48); d[47] = 5;
 * const pub = p384.getPublicKey(d, false);
 * const key = { qx: pub.slice(1, 49), qy: pub.slice(49) };
 * const msg = new Uint8Array([1, 2, 3]);
 * await verifySignature(msg, signP384(msg, d), key); // true
 * ```
 */
export async function verifySignature(
  message: Uint8Array,
  sig: EcdsaSignature,
  key: P384PublicKey,
): Promise<boolean> {
  checkSignature(sig);
  // Some Web Crypto implementations import any raw point and only fail in
  // verify(); check the point first so a bad key is always a KeyError.
  assertValidPublicKey(key);
  let cryptoKey: CryptoKey;
  try {
    cryptoKey = await crypto.subtle.importKey(
      "raw",
      toArrayBufferBytes(uncompressedPoint(key)),
      { name: "ECDSA", namedCurve: "P-384" },
      false,
      ["verify"],
    );
  } catch {
    throw new KeyError("public key is not a point on the P-384 curve");
  }
  const rs = new Uint8Array(2 * P384_BYTES);
  rs.set(sig.r, 0);
  rs.set(sig.s, P384_BYTES);
  return await crypto.subtle.verify(
    { name: "ECDSA", hash: "SHA-384" },
    cryptoKey,
    rs,
    toArrayBufferBytes(message),
  );
}
