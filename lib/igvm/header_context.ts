/**
 * What decoding a variable header needs besides its bytes: the file around it
 * ({@link HeaderContext}), the crate's bounds rules for file data
 * (`extract_file_data` and the VP-context reads) and its VTL conversion.
 *
 * @module
 */

import { type Arch, PAGE_SIZE_4K } from "./defs.ts";
import { HeaderError } from "./format_error.ts";
import type { FileRange, IgvmSource } from "./source.ts";

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

/** 4 KiB as a bigint, the alignment of GPAs and sizes in u64 fields. */
export const ALIGN_4K: bigint = BigInt(PAGE_SIZE_4K);

/**
 * The crate's `extract_file_data`: file offset 0 means no data; otherwise
 * `size` bytes at `file_offset` must lie in the file-data section. The u32
 * subtraction wraps as the crate's release build does, so an offset before
 * the section is refused as out of range.
 *
 * @example
 * ```ts
 * import { Arch } from "./defs.ts";
 * import { extractFileData } from "./header_context.ts";
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
 * import { vpContextRange } from "./header_context.ts";
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
  if (start + length > dataLength) {
    throw new HeaderError("InvalidDataSize", undefined, `VP context at file offset ${fileOffset}`);
  }
  return { offset: ctx.fileDataStart + start, length };
}

/**
 * A VTL must be 0, 1 or 2 (`InvalidVtl`); returns it.
 *
 * @example
 * ```ts
 * import { checkVtl } from "./header_context.ts";
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
