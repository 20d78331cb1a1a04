/**
 * Deno-only file access for the CLI: an {@link IgvmSource} that reads the file
 * by offset, so memory does not grow with the file.
 *
 * @module
 */

import type { IgvmSource } from "../igvm/types.ts";

/** An {@link IgvmSource} backed by an open file; `close()` when done. */
export interface FileSource extends IgvmSource {
  /** Closes the file. */
  close(): void;
}

/**
 * Opens `path` for random-access reads.
 *
 * @example
 * ```ts
 * import { openFileSource } from "./file_source.ts";
 * const src = openFileSource("testdata/sample.igvm");
 * const magic = src.read(0, 4);
 * src.close();
 * ```
 */
export function openFileSource(path: string): FileSource {
  const file = Deno.openSync(path, { read: true });
  const size = file.statSync().size;
  return {
    size,
    read(offset: number, length: number, scratch?: Uint8Array): Uint8Array {
      const buf = scratch && scratch.length >= length
        ? scratch.subarray(0, length)
        : new Uint8Array(length);
      file.seekSync(offset, Deno.SeekMode.Start);
      let got = 0;
      while (got < length) {
        const n = file.readSync(buf.subarray(got));
        if (n === null || n === 0) {
          throw new Error(`unexpected end of file at offset ${offset + got}`);
        }
        got += n;
      }
      return buf;
    },
    close() {
      file.close();
    },
  };
}
