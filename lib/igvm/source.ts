/**
 * Where the bytes of an IGVM file and of its headers' data come from: the
 * {@link IgvmSource} interface, the {@link Payload} of a header (a range of the
 * source, or bytes in hand), and a source over bytes already in memory. (The
 * CLI's file-backed source, which reads by offset, lives with the other
 * Deno-only code in `lib/cli/`.)
 *
 * @module
 */

import { IgvmToolError } from "../errors.ts";

/**
 * Random access to the bytes of an IGVM file.
 */
export interface IgvmSource {
  /** Total size of the file in bytes. */
  readonly size: number;
  /**
   * Reads `length` bytes at `offset`. The range is always inside the file
   * (the parser checks it). The returned array may be reused by the next call
   * when `scratch` is given.
   */
  read(offset: number, length: number, scratch?: Uint8Array): Uint8Array;
}

/**
 * A byte range of the source file the header was parsed from.
 */
export interface FileRange {
  /** Absolute offset in the file. */
  readonly offset: number;
  /** Length in bytes. */
  readonly length: number;
}

/**
 * Data of a header: a range of the source file, or bytes in hand.
 */
export type Payload = FileRange | Uint8Array;

/**
 * Wraps bytes in hand as an {@link IgvmSource}; reads are zero-copy views.
 *
 * @example
 * ```ts
 * import { bytesSource } from "./source.ts";
 * const src = bytesSource(new Uint8Array([1, 2, 3]));
 * src.read(1, 2); // Uint8Array [2, 3]
 * ```
 */
export function bytesSource(input: Uint8Array): IgvmSource {
  // A plain view: a subclass such as Node.js's Buffer has a `slice` that does not copy.
  const bytes = new Uint8Array(input.buffer, input.byteOffset, input.byteLength);
  return {
    size: bytes.length,
    read(offset: number, length: number): Uint8Array {
      return bytes.subarray(offset, offset + length);
    },
  };
}

/**
 * Returns the bytes of a payload: bytes in hand as they are, a file range
 * read from `source` (with `scratch`: an array the next read may reuse).
 *
 * @example
 * ```ts
 * import { bytesSource, readPayload } from "./source.ts";
 * const src = bytesSource(new Uint8Array([9, 8, 7]));
 * readPayload({ offset: 1, length: 2 }, src); // Uint8Array [8, 7]
 * ```
 */
export function readPayload(
  payload: Payload,
  source: IgvmSource | undefined,
  scratch?: Uint8Array,
): Uint8Array {
  if (payload instanceof Uint8Array) return payload;
  if (source === undefined) {
    throw new IgvmToolError(
      `file payload at offset ${payload.offset} (${payload.length} bytes) has no source to read from`,
    );
  }
  return source.read(payload.offset, payload.length, scratch);
}

/**
 * Length in bytes of a payload, without reading it.
 *
 * @example
 * ```ts
 * import { payloadLength } from "./source.ts";
 * payloadLength(new Uint8Array(3)); // 3
 * payloadLength({ offset: 8192, length: 4096 }); // 4096
 * ```
 */
export function payloadLength(payload: Payload): number {
  return payload instanceof Uint8Array ? payload.length : (payload as FileRange).length;
}
