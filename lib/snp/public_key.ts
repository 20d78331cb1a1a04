/**
 * ECDSA P-384 public keys in the two binary forms SEV-SNP tooling uses, and
 * the key digests an attestation report carries.
 *
 * SNP form (SEV-SNP ABI spec, "ECDSA Public Key Format"; `docs/measurement-notes.md`
 * d4), 0x404 bytes, little-endian:
 *
 * | off   | size | field                                     |
 * |-------|------|-------------------------------------------|
 * | 0x000 | 4    | CURVE (2 = P-384)                         |
 * | 0x004 | 72   | QX, little-endian, zero-extended from 48  |
 * | 0x04C | 72   | QY, little-endian, zero-extended from 48  |
 * | 0x094 | 880  | reserved, zero                            |
 *
 * IGVM form (`IGVM_VHS_SNP_ID_BLOCK_PUBLIC_KEY`, igvm_defs; notes d6), 152 bytes:
 *
 * | off  | size | field                 |
 * |------|------|-----------------------|
 * | 0x00 | 4    | curve (2 = P-384)     |
 * | 0x04 | 4    | reserved, zero        |
 * | 0x08 | 72   | qx, little-endian     |
 * | 0x50 | 72   | qy, little-endian     |
 *
 * The IGVM form has an extra reserved u32; converting to the SNP form drops it
 * (as QEMU does). `ID_KEY_DIGEST` / `AUTHOR_KEY_DIGEST` in the attestation
 * report are SHA-384 of the 0x404-byte SNP form (notes d7).
 *
 * @module
 */

import { p384 } from "../deps.ts";
import { KeyError } from "../errors.ts";
import { sha384 } from "../hash.ts";
import { P384_BYTES, readLeField, SNP_BIGNUM_BYTES, writeLeField } from "./bytes.ts";

/** A P-384 public point: affine coordinates, 48-byte big-endian each. */
export interface P384PublicKey {
  /** X coordinate, 48 bytes big-endian. */
  qx: Uint8Array;
  /** Y coordinate, 48 bytes big-endian. */
  qy: Uint8Array;
}

/** Size of the SNP public key structure. */
export const SNP_PUBLIC_KEY_SIZE = 0x404;

/** Size of the IGVM `IGVM_VHS_SNP_ID_BLOCK_PUBLIC_KEY` structure. */
export const IGVM_PUBLIC_KEY_SIZE = 152;

/** SNP curve identifier for P-384. */
export const SNP_CURVE_P384 = 2;

function checkPoint(key: P384PublicKey): void {
  if (key.qx.length !== P384_BYTES || key.qy.length !== P384_BYTES) {
    throw new KeyError(
      `P-384 public key coordinates must be 48 bytes, got ${key.qx.length} and ${key.qy.length}`,
    );
  }
}

/**
 * Throws `KeyError` unless `key` is a point on the P-384 curve (and not the
 * point at infinity).
 *
 * @example
 * ```ts
 * import { assertValidPublicKey } from "./public_key.ts";
 * // assertValidPublicKey({ qx: new Uint8Array(48), qy: new Uint8Array(48) }); // throws
 * ```
 */
export function assertValidPublicKey(key: P384PublicKey): void {
  checkPoint(key);
  try {
    p384.Point.fromBytes(uncompressedPoint(key)).assertValidity();
  } catch {
    throw new KeyError("public key is not a point on the P-384 curve");
  }
}

/**
 * The uncompressed SEC1 encoding `0x04 || qx || qy` (97 bytes), the "raw"
 * format Web Crypto imports.
 *
 * @example
 * ```ts
 * import { uncompressedPoint } from "./public_key.ts";
 * uncompressedPoint({ qx: new Uint8Array(48), qy: new Uint8Array(48) }).length; // 97
 * ```
 */
export function uncompressedPoint(key: P384PublicKey): Uint8Array {
  checkPoint(key);
  const out = new Uint8Array(1 + 2 * P384_BYTES);
  out[0] = 0x04;
  out.set(key.qx, 1);
  out.set(key.qy, 1 + P384_BYTES);
  return out;
}

/**
 * Builds the 0x404-byte SNP public key structure for `key`.
 *
 * @example
 * ```ts
 * import { snpPublicKey } from "./public_key.ts";
 * const k = snpPublicKey({ qx: new Uint8Array(48).fill(1), qy: new Uint8Array(48).fill(2) });
 * k.length; // 1028
 * k[0]; // 2 (P-384)
 * ```
 */
export function snpPublicKey(key: P384PublicKey): Uint8Array {
  checkPoint(key);
  const out = new Uint8Array(SNP_PUBLIC_KEY_SIZE);
  new DataView(out.buffer).setUint32(0x000, SNP_CURVE_P384, true);
  writeLeField(out, 0x004, key.qx, SNP_BIGNUM_BYTES);
  writeLeField(out, 0x04c, key.qy, SNP_BIGNUM_BYTES);
  return out;
}

/**
 * Builds the 152-byte IGVM public key structure for `key` (reserved u32 zero).
 *
 * @example
 * ```ts
 * import { igvmPublicKey } from "./public_key.ts";
 * igvmPublicKey({ qx: new Uint8Array(48), qy: new Uint8Array(48) }).length; // 152
 * ```
 */
export function igvmPublicKey(key: P384PublicKey): Uint8Array {
  checkPoint(key);
  const out = new Uint8Array(IGVM_PUBLIC_KEY_SIZE);
  new DataView(out.buffer).setUint32(0x00, SNP_CURVE_P384, true);
  writeLeField(out, 0x08, key.qx, SNP_BIGNUM_BYTES);
  writeLeField(out, 0x50, key.qy, SNP_BIGNUM_BYTES);
  return out;
}

/**
 * Converts a 152-byte IGVM public key to the 0x404-byte SNP form by dropping
 * the reserved u32: curve -> [0x000..0x004], qx -> [0x004..0x04C],
 * qy -> [0x04C..0x094], the rest zero. This is a byte copy, so an all-zero
 * IGVM key (no author key) gives an all-zero SNP key. Throws `KeyError` if
 * `igvm` is not 152 bytes.
 *
 * @example
 * ```ts
 * import { igvmPublicKey, igvmToSnpPublicKey, snpPublicKey } from "./public_key.ts";
 * const key = { qx: new Uint8Array(48).fill(7), qy: new Uint8Array(48).fill(9) };
 * igvmToSnpPublicKey(igvmPublicKey(key)); // same bytes as snpPublicKey(key)
 * ```
 */
export function igvmToSnpPublicKey(igvm: Uint8Array): Uint8Array {
  if (igvm.length !== IGVM_PUBLIC_KEY_SIZE) {
    throw new KeyError(
      `IGVM public key is ${igvm.length} bytes, expected ${IGVM_PUBLIC_KEY_SIZE}`,
    );
  }
  const out = new Uint8Array(SNP_PUBLIC_KEY_SIZE);
  out.set(igvm.subarray(0x00, 0x04), 0x000);
  out.set(igvm.subarray(0x08, 0x98), 0x004);
  return out;
}

function readPoint(
  bytes: Uint8Array,
  curveAt: number,
  qxAt: number,
  qyAt: number,
  form: string,
): P384PublicKey {
  const curve = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength)
    .getUint32(curveAt, true);
  if (curve !== SNP_CURVE_P384) {
    throw new KeyError(`${form} public key has curve ${curve}, expected ${SNP_CURVE_P384} (P-384)`);
  }
  const qx = readLeField(bytes, qxAt, SNP_BIGNUM_BYTES, P384_BYTES);
  const qy = readLeField(bytes, qyAt, SNP_BIGNUM_BYTES, P384_BYTES);
  if (qx === undefined || qy === undefined) {
    throw new KeyError(`${form} public key coordinate does not fit in 48 bytes`);
  }
  const key = { qx, qy };
  assertValidPublicKey(key);
  return key;
}

/**
 * Extracts the big-endian coordinates from a 0x404-byte SNP public key.
 * Throws `KeyError` on a wrong size, a curve other than 2, a coordinate wider
 * than 48 bytes, or a point not on the curve.
 *
 * @example
 * ```ts
 * import { publicKeyFromSnp } from "./public_key.ts";
 * // const { qx, qy } = publicKeyFromSnp(authInfo.subarray(0x240, 0x644));
 * ```
 */
export function publicKeyFromSnp(bytes: Uint8Array): P384PublicKey {
  if (bytes.length !== SNP_PUBLIC_KEY_SIZE) {
    throw new KeyError(`SNP public key is ${bytes.length} bytes, expected ${SNP_PUBLIC_KEY_SIZE}`);
  }
  return readPoint(bytes, 0x000, 0x004, 0x04c, "SNP");
}

/**
 * Extracts the big-endian coordinates from a 152-byte IGVM public key, with
 * the same checks as {@link publicKeyFromSnp}.
 *
 * @example
 * ```ts
 * import { publicKeyFromIgvm } from "./public_key.ts";
 * // const { qx, qy } = publicKeyFromIgvm(idBlockDirective.idPublicKey);
 * ```
 */
export function publicKeyFromIgvm(bytes: Uint8Array): P384PublicKey {
  if (bytes.length !== IGVM_PUBLIC_KEY_SIZE) {
    throw new KeyError(
      `IGVM public key is ${bytes.length} bytes, expected ${IGVM_PUBLIC_KEY_SIZE}`,
    );
  }
  return readPoint(bytes, 0x00, 0x08, 0x50, "IGVM");
}

/**
 * SHA-384 of a 0x404-byte SNP public key structure: the `ID_KEY_DIGEST` or
 * `AUTHOR_KEY_DIGEST` an attestation report shows. Throws `KeyError` if the
 * structure is not 0x404 bytes.
 *
 * @example
 * ```ts
 * import { keyDigest, snpPublicKey } from "./public_key.ts";
 * const key = { qx: new Uint8Array(48).fill(1), qy: new Uint8Array(48).fill(2) };
 * keyDigest(snpPublicKey(key)).length; // 48
 * ```
 */
export function keyDigest(snpKey: Uint8Array): Uint8Array {
  if (snpKey.length !== SNP_PUBLIC_KEY_SIZE) {
    throw new KeyError(`SNP public key is ${snpKey.length} bytes, expected ${SNP_PUBLIC_KEY_SIZE}`);
  }
  return sha384(snpKey);
}

/**
 * `AUTHOR_KEY_DIGEST` as an attestation report shows it: the {@link keyDigest}
 * of the 0x404-byte SNP author key, or 48 zero bytes when there is none.
 *
 * @example
 * ```ts
 * import { authorKeyDigest } from "./public_key.ts";
 * authorKeyDigest(undefined).every((b) => b === 0); // true
 * ```
 */
export function authorKeyDigest(snpKey: Uint8Array | undefined): Uint8Array {
  return snpKey === undefined ? new Uint8Array(48) : keyDigest(snpKey);
}
