/**
 * The shared pieces of variable-header decoding: the context a header is
 * decoded in, little-endian field readers over a header body, the crate's
 * file-data bounds rules and the common field checks.
 *
 * @module
 */

import { type Arch, PAGE_SIZE_4K } from "./defs.ts";
import { HeaderError } from "./format_error.ts";
import type { FileRange, IgvmSource } from "./types.ts";

/** What decoding a header needs to know about the file around it. */
export interface HeaderContext {
  /** The whole file. */
  readonly source: IgvmSource;
  /** `variable_header_offset + variable_header_size`: where file data starts. */
  readonly fileDataStart: number;
  /** Architecture of the file (x64 for format version 1). */
  readonly arch: Arch;
  /** Platform type by compatibility mask, from the platform headers seen so far. */
  readonly maskMap: ReadonlyMap<number, number>;
  /** Follow igvm 0.4.0 (the original igvmmeasure's parser) rather than HEAD. */
  readonly legacy?: boolean;
}

/** The body of one header: its bytes and where its fields start. */
export interface HeaderBody {
  /** A view holding the header (usually the whole variable-header section). */
  readonly view: DataView;
  /** Offset of the body (after the 8-byte type/length prefix) in `view`. */
  readonly at: number;
}

/** 4 KiB as a bigint, the alignment of GPAs and sizes in u64 fields. */
export const ALIGN_4K: bigint = BigInt(PAGE_SIZE_4K);

/**
 * Reads the little-endian u64 at `off` in a header body.
 *
 * @example
 * ```ts
 * import { u64 } from "./header_body.ts";
 * const view = new DataView(new ArrayBuffer(16));
 * view.setBigUint64(8, 0x1000n, true);
 * u64({ view, at: 8 }, 0); // 0x1000n
 * ```
 */
export function u64(b: HeaderBody, off: number): bigint {
  return b.view.getBigUint64(b.at + off, true);
}

/**
 * Reads the little-endian u32 at `off` in a header body.
 *
 * @example
 * ```ts
 * import { u32 } from "./header_body.ts";
 * const view = new DataView(new Uint8Array([1, 0, 0, 0]).buffer);
 * u32({ view, at: 0 }, 0); // 1
 * ```
 */
export function u32(b: HeaderBody, off: number): number {
  return b.view.getUint32(b.at + off, true);
}

/**
 * Reads the little-endian u16 at `off` in a header body.
 *
 * @example
 * ```ts
 * import { u16 } from "./header_body.ts";
 * const view = new DataView(new Uint8Array([0, 0, 1, 2]).buffer);
 * u16({ view, at: 0 }, 2); // 0x201
 * ```
 */
export function u16(b: HeaderBody, off: number): number {
  return b.view.getUint16(b.at + off, true);
}

/**
 * Reads the byte at `off` in a header body.
 *
 * @example
 * ```ts
 * import { u8 } from "./header_body.ts";
 * const view = new DataView(new Uint8Array([7, 9]).buffer);
 * u8({ view, at: 1 }, 0); // 9
 * ```
 */
export function u8(b: HeaderBody, off: number): number {
  return b.view.getUint8(b.at + off);
}

/**
 * Copies `len` bytes at `off` in a header body (the copy outlives the buffer).
 *
 * @example
 * ```ts
 * import { bytes } from "./header_body.ts";
 * const view = new DataView(new Uint8Array([1, 2, 3, 4]).buffer);
 * bytes({ view, at: 1 }, 1, 2); // Uint8Array [3, 4]
 * ```
 */
export function bytes(b: HeaderBody, off: number, len: number): Uint8Array {
  return new Uint8Array(b.view.buffer, b.view.byteOffset + b.at + off, len).slice();
}

/**
 * The crate's `extract_file_data`: file offset 0 means no data; otherwise
 * `size` bytes at `file_offset` must lie in the file-data section. The u32
 * subtraction wraps as the crate's release build does, so an offset before
 * the section is refused as out of range.
 *
 * @example
 * ```ts
 * import { Arch } from "./defs.ts";
 * import { extractFileData } from "./header_body.ts";
 * import { bytesSource } from "./source.ts";
 * // 4 KiB of headers, then 4 KiB of file data.
 * const ctx = {
 *   source: bytesSource(new Uint8Array(8192)),
 *   fileDataStart: 4096,
 *   arch: Arch.X64,
 *   maskMap: new Map(),
 * };
 * extractFileData(ctx, 0, 4096); // null: no file data
 * extractFileData(ctx, 4096, 4096); // { offset: 4096, length: 4096 }
 * ```
 */
export function extractFileData(
  ctx: HeaderContext,
  fileOffset: number,
  size: number | bigint,
): FileRange | null {
  if (fileOffset === 0) return null;
  const start = (fileOffset - ctx.fileDataStart) >>> 0;
  const dataLength = ctx.source.size - ctx.fileDataStart;
  // Plain numbers on the hot path (page data is always 4 KiB); sizes past 2^53 cannot fit anyway.
  const n = typeof size === "number" ? size : size > BigInt(dataLength) ? Infinity : Number(size);
  if (start + n > dataLength) {
    throw new HeaderError("InvalidDataSize", undefined, `file offset ${fileOffset} size ${size}`);
  }
  return { offset: ctx.fileDataStart + start, length: n };
}

/**
 * The VP context readers' bounds rule: `length` bytes from `file_offset`
 * (which must not be 0-relative-wrapped past the end).
 *
 * @example
 * ```ts
 * import { Arch } from "./defs.ts";
 * import { vpContextRange } from "./header_body.ts";
 * import { bytesSource } from "./source.ts";
 * const ctx = {
 *   source: bytesSource(new Uint8Array(8192)),
 *   fileDataStart: 4096,
 *   arch: Arch.X64,
 *   maskMap: new Map(),
 * };
 * vpContextRange(ctx, 4096, 4096); // { offset: 4096, length: 4096 }
 * ```
 */
export function vpContextRange(ctx: HeaderContext, fileOffset: number, length: number): FileRange {
  const start = (fileOffset - ctx.fileDataStart) >>> 0;
  const dataLength = ctx.source.size - ctx.fileDataStart;
  if (start > dataLength || start + length > dataLength) {
    throw new HeaderError("InvalidDataSize", undefined, `VP context at file offset ${fileOffset}`);
  }
  return { offset: ctx.fileDataStart + start, length };
}

/**
 * A VTL must be 0, 1 or 2 (`InvalidVtl`); returns it.
 *
 * @example
 * ```ts
 * import { checkVtl } from "./header_body.ts";
 * import { HeaderError } from "./format_error.ts";
 * checkVtl(2); // 2
 * try {
 *   checkVtl(3);
 * } catch (e) {
 *   if (!(e instanceof HeaderError)) throw e;
 *   console.log(e.variant); // InvalidVtl
 * }
 * ```
 */
export function checkVtl(vtl: number): number {
  if (vtl > 2) throw new HeaderError("InvalidVtl", undefined, `VTL ${vtl}`);
  return vtl;
}

/**
 * A GPA must be 4 KiB aligned (`UnalignedAddress`).
 *
 * @example
 * ```ts
 * import { checkGpa } from "./header_body.ts";
 * import { HeaderError } from "./format_error.ts";
 * checkGpa(0x1000n); // aligned: returns
 * try {
 *   checkGpa(0x1001n);
 * } catch (e) {
 *   if (!(e instanceof HeaderError)) throw e;
 *   console.log(e.variant, e.value); // UnalignedAddress 4097n
 * }
 * ```
 */
export function checkGpa(gpa: bigint): void {
  if (gpa % ALIGN_4K !== 0n) throw new HeaderError("UnalignedAddress", gpa);
}
