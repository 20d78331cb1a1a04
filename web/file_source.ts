/**
 * An {@link IgvmSource} over a `File` the user chose, for the page's Web
 * Worker: the file is read slice by slice with `FileReaderSync`, so a 300 MB
 * image is never held in memory whole. Page reads (those that pass a
 * `scratch` array, as the measurement's page loop does) are served from a
 * window of {@link WINDOW_SIZE} bytes refilled in one read where the next page
 * lies (page data is stored in file order), as the CLI's file source does
 * with a file handle (`lib/cli/file_source.ts`).
 *
 * Window size: each `FileReaderSync` read costs Chromium a round trip to the
 * browser process (several ms), so fewer, larger reads go faster: reading
 * 128 MiB took 4.3 s in 256 KiB reads, 2.7 s in 1 MiB, 1.4 s in 4 MiB and
 * 1.8 s in 16 MiB reads (Chromium 156 here). 4 MiB it is: the worker then
 * keeps 4 MiB of the file at a time: `FileReaderSync` gives a new buffer
 * for each window, and the window it replaces is released at once (detached
 * with `ArrayBuffer.prototype.transfer`) instead of waiting for the garbage
 * collector, which would let hundreds of MiB of old windows pile up.
 *
 * @module
 */

import type { IgvmSource } from "../lib/igvm/types.ts";
import { FileAccessError } from "../lib/errors.ts";

/** Size of the read window for page reads. */
export const WINDOW_SIZE = 4 << 20;

/** Reads bytes `start..end` (exclusive) of the file, into a new array the caller owns. */
export type ReadRange = (start: number, end: number) => Uint8Array;

/**
 * An {@link IgvmSource} of `size` bytes read through `readRange`: reads with
 * `scratch` of at most a quarter window come from a window of `window`
 * bytes (valid until the next such read, as {@link IgvmSource} allows: the
 * window it replaces is detached); other reads get their own array.
 *
 * @example
 * ```ts
 * import { windowedSource } from "./file_source.ts";
 * const bytes = new Uint8Array(8192).map((_, i) => i);
 * const src = windowedSource(bytes.length, (s, e) => bytes.slice(s, e));
 * src.read(4096, 4, new Uint8Array(4)); // Uint8Array [0, 1, 2, 3]
 * ```
 */
export function windowedSource(
  size: number,
  readRange: ReadRange,
  window: number = WINDOW_SIZE,
): IgvmSource {
  let buffer: Uint8Array = new Uint8Array(0);
  let start = 0; // file offset of buffer[0]
  return {
    size,
    read(offset: number, length: number, scratch?: Uint8Array): Uint8Array {
      if (scratch === undefined || length > window / 4) return readRange(offset, offset + length);
      if (offset < start || offset + length > start + buffer.length) {
        const old = buffer.buffer as ArrayBuffer;
        start = offset;
        buffer = readRange(offset, Math.min(size, offset + window));
        old.transfer(0); // frees the old window now
      }
      return buffer.subarray(offset - start, offset - start + length);
    },
  };
}

/** The part of the `FileReaderSync` API this module uses (worker scopes only). */
interface SyncReader {
  readAsArrayBuffer(blob: Blob): ArrayBuffer;
}

/**
 * An {@link IgvmSource} over `file` (in a worker: `FileReaderSync` exists only
 * there). A read that fails throws {@link FileAccessError} naming the file.
 *
 * @example
 * ```ts ignore
 * import { parseIgvm } from "../lib/mod.ts";
 * import { fileSource } from "./file_source.ts";
 * // In a worker, with a File from the page:
 * const igvm = parseIgvm(fileSource(file));
 * ```
 */
export function fileSource(file: File): IgvmSource {
  const read = rangeReader(file);
  return windowedSource(file.size, read);
}

/**
 * All of `file` (for small files: reports, certificates), in a worker.
 *
 * @example
 * ```ts ignore
 * import { readWhole } from "./file_source.ts";
 * const report = parseReport(readWhole(reportFile));
 * ```
 */
export function readWhole(file: File): Uint8Array {
  return rangeReader(file)(0, file.size);
}

function rangeReader(file: File): ReadRange {
  const Reader = (globalThis as unknown as { FileReaderSync: new () => SyncReader })
    .FileReaderSync;
  const reader = new Reader();
  return (start, end) => {
    try {
      return new Uint8Array(reader.readAsArrayBuffer(file.slice(start, end)));
    } catch (e) {
      const why = e instanceof Error ? e.message.split("\n")[0] : String(e);
      throw new FileAccessError(file.name, `cannot read file: ${why}`);
    }
  };
}
