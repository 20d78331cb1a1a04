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
  readonly view: DataView;
  /** Offset of the body (after the 8-byte type/length prefix) in `view`. */
  readonly at: number;
}

export const ALIGN_4K = BigInt(PAGE_SIZE_4K);

export function u64(b: HeaderBody, off: number): bigint {
  return b.view.getBigUint64(b.at + off, true);
}
export function u32(b: HeaderBody, off: number): number {
  return b.view.getUint32(b.at + off, true);
}
export function u16(b: HeaderBody, off: number): number {
  return b.view.getUint16(b.at + off, true);
}
export function u8(b: HeaderBody, off: number): number {
  return b.view.getUint8(b.at + off);
}
export function bytes(b: HeaderBody, off: number, len: number): Uint8Array {
  return new Uint8Array(b.view.buffer, b.view.byteOffset + b.at + off, len).slice();
}

/**
 * The crate's `extract_file_data`: file offset 0 means no data; otherwise
 * `size` bytes at `file_offset` must lie in the file-data section. The u32
 * subtraction wraps as the crate's release build does, so an offset before
 * the section is refused as out of range.
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
 */
export function vpContextRange(ctx: HeaderContext, fileOffset: number, length: number): FileRange {
  const start = (fileOffset - ctx.fileDataStart) >>> 0;
  const dataLength = ctx.source.size - ctx.fileDataStart;
  if (start > dataLength || start + length > dataLength) {
    throw new HeaderError("InvalidDataSize", undefined, `VP context at file offset ${fileOffset}`);
  }
  return { offset: ctx.fileDataStart + start, length };
}

export function checkVtl(vtl: number): number {
  if (vtl > 2) throw new HeaderError("InvalidVtl", undefined, `VTL ${vtl}`);
  return vtl;
}

/** A GPA must be 4 KiB aligned (`UnalignedAddress`). */
export function checkGpa(gpa: bigint): void {
  if (gpa % ALIGN_4K !== 0n) throw new HeaderError("UnalignedAddress", gpa);
}
