/**
 * Small byte helpers shared by the SEV-SNP modules: fixed-size little-endian
 * fields holding big-endian numbers, hex text, and length checks.
 *
 * AMD's SEV-SNP structures store every big number (curve coordinates, ECDSA
 * r and s) as a 72-byte little-endian integer, while ECDSA libraries and
 * X.509/JWK use 48-byte big-endian values for P-384. These helpers convert
 * between the two (SEV-SNP ABI spec, chapter "ECDSA Public Key" / "ECDSA
 * Signature" formats; see `docs/measurement-notes.md` d4/d5).
 *
 * @module
 */

import { IgvmToolError } from "../errors.ts";
import { toHex } from "../encoding.ts";

/** Size in bytes of a P-384 scalar or coordinate (big-endian). */
export const P384_BYTES = 48;

/** Size in bytes of an SEV-SNP little-endian big-number field. */
export const SNP_BIGNUM_BYTES = 72;

/**
 * Writes the big-endian `be` into `out` at `offset` as a little-endian number
 * occupying `width` bytes; the bytes after `be.length` stay zero.
 *
 * @example
 * ```ts
 * import { writeLeField } from "./bytes.ts";
 * const out = new Uint8Array(4);
 * writeLeField(out, 0, new Uint8Array([0x01, 0x02]), 4); // out = 02 01 00 00
 * ```
 */
export function writeLeField(out: Uint8Array, offset: number, be: Uint8Array, width: number): void {
  if (be.length > width) {
    throw new IgvmToolError(`value of ${be.length} bytes does not fit in a ${width}-byte field`);
  }
  for (let i = 0; i < be.length; i++) out[offset + i] = be[be.length - 1 - i];
}

/**
 * Reads the little-endian number of `width` bytes at `offset` and returns it
 * as a big-endian value of `size` bytes. Returns `undefined` if a byte above
 * `size` is non-zero (the value does not fit).
 *
 * @example
 * ```ts
 * import { readLeField } from "./bytes.ts";
 * readLeField(new Uint8Array([2, 1, 0, 0]), 0, 4, 2); // Uint8Array [1, 2]
 * ```
 */
export function readLeField(
  bytes: Uint8Array,
  offset: number,
  width: number,
  size: number,
): Uint8Array | undefined {
  for (let i = size; i < width; i++) if (bytes[offset + i] !== 0) return undefined;
  const out = new Uint8Array(size);
  for (let i = 0; i < size; i++) out[size - 1 - i] = bytes[offset + i];
  return out;
}

/**
 * The unsigned big-endian integer in `bytes`.
 *
 * @example
 * ```ts
 * import { bigintFromBytes } from "./bytes.ts";
 * bigintFromBytes(new Uint8Array([1, 0])); // 256n
 * ```
 */
export function bigintFromBytes(bytes: Uint8Array): bigint {
  return bytes.length === 0 ? 0n : BigInt("0x" + toHex(bytes));
}

/**
 * `value` as an unsigned big-endian integer of exactly `size` bytes.
 *
 * @example
 * ```ts
 * import { bytesFromBigint } from "./bytes.ts";
 * bytesFromBigint(256n, 2); // Uint8Array [1, 0]
 * ```
 */
export function bytesFromBigint(value: bigint, size: number): Uint8Array {
  if (value < 0n || value >= 1n << BigInt(8 * size)) {
    throw new IgvmToolError(`integer ${value} does not fit in ${size} bytes`);
  }
  const out = new Uint8Array(size);
  for (let i = size - 1; i >= 0; i--) {
    out[i] = Number(value & 0xffn);
    value >>= 8n;
  }
  return out;
}

/**
 * True when `a` and `b` hold the same bytes.
 *
 * @example
 * ```ts
 * import { bytesEqual } from "./bytes.ts";
 * bytesEqual(new Uint8Array([1]), new Uint8Array([1])); // true
 * ```
 */
export function bytesEqual(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/**
 * A copy of `bytes` backed by a fresh `ArrayBuffer`, the type Web Crypto
 * accepts under TypeScript 6 (`Uint8Array<ArrayBuffer>`).
 *
 * @example
 * ```ts
 * import { toArrayBufferBytes } from "./bytes.ts";
 * const b: Uint8Array<ArrayBuffer> = toArrayBufferBytes(new Uint8Array([1, 2]));
 * ```
 */
export function toArrayBufferBytes(bytes: Uint8Array): Uint8Array<ArrayBuffer> {
  const out = new Uint8Array(bytes.length);
  out.set(bytes);
  return out;
}
