/**
 * Deno-only file access for the CLI: an {@link IgvmSource} that reads the file
 * by offset, so memory does not grow with the file.
 *
 * Reads that pass a `scratch` buffer (the measurement's page loop) are served
 * from a window of {@link WINDOW_SIZE} bytes that is refilled, in one read,
 * where the next page lies: page data is stored in file order, so one system
 * call serves hundreds of pages. Reads without `scratch` get their own array,
 * as before. The source also offers a {@link PageHashService} for the
 * measurement (`pageHashes`): the pages are hashed ahead in batches of 256 (two at a time in the WebAssembly SHA-384's
 * SIMD lanes), by the main thread alone, or for large files together with
 * worker threads (see `parallel_hash.ts`).
 *
 * @module
 */

import { PAGE_SIZE_4K } from "../igvm/defs.ts";
import type { IgvmSource } from "../igvm/types.ts";
import { readFullyAt } from "./io.ts";
import { FileAccessError } from "../errors.ts";
import {
  batchPageHashes,
  type PageDigestReader,
  type PageHashService,
} from "../measure/page_hashes.ts";
import { type FileIdentity, fileIdentity, startParallelPageHashes } from "./parallel_hash.ts";
import { prestartWorkers } from "./worker_start.ts";
import {
  Speculation,
  SPECULATIVE_PAGES_PER_WORKER,
  speculativeReader,
} from "./speculative_hash.ts";
import { workerCount } from "./worker_count.ts";
import { decodeFixedHeader } from "../igvm/fixed_header.ts";

/** Size of the read window for scratch reads (one system call per window). */
export const WINDOW_SIZE = 1 << 20;

/** An {@link IgvmSource} backed by an open file; `close()` when done. */
export interface FileSource extends IgvmSource {
  /** Hashes pages of this file in bulk, for `MeasureOptions.pageHashes`. */
  readonly pageHashes: PageHashService;
  /** Closes the file. */
  close(): void;
}

/** Options of {@link openFileSource}. */
export interface FileSourceOptions {
  /** Hash pages ahead in batches (default true); false: the measurement hashes each page in place. */
  readonly hashAhead?: boolean;
  /** Hash pages in worker threads too when there are at least this many bytes of them (default 32 MiB; `Infinity` never). */
  readonly parallelThreshold?: number;
  /** Number of worker threads (default: `workerCount` of the bytes to hash: one per further core and per 32 MiB, at most 12). */
  readonly workers?: number;
  /**
   * Let the worker threads started with the file hash its data section while
   * the headers are parsed (default true; `speculative_hash.ts`). Measurements
   * that ask for no page hashes (`usesPageHashes`) open the file with
   * `hashAhead: false` instead, which starts no workers at all.
   */
  readonly speculate?: boolean;
}

/** Default of {@link FileSourceOptions.parallelThreshold}. */
const PARALLEL_THRESHOLD = 32 << 20;

let defaults: FileSourceOptions = {};

/**
 * Sets the options of every file source opened afterwards without options of
 * its own (tests use it to run the CLI with the worker threads on small files);
 * returns the previous defaults.
 */
export function setFileSourceDefaults(options: FileSourceOptions): FileSourceOptions {
  const previous = defaults;
  defaults = options;
  return previous;
}

/**
 * The options of file sources opened without options of their own.
 *
 * @example
 * ```ts
 * import { fileSourceDefaults } from "./file_source.ts";
 * fileSourceDefaults().workers; // undefined: one per further core and per 32 MiB
 * ```
 */
export function fileSourceDefaults(): FileSourceOptions {
  return defaults;
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
export function openFileSource(path: string, options: FileSourceOptions = defaults): FileSource {
  const file = Deno.openSync(path, { read: true });
  const opened = { file, identity: fileIdentity(file.statSync()) };
  const size = opened.identity.size;
  const threshold = options.parallelThreshold ?? PARALLEL_THRESHOLD;
  // A file this large may well need the worker threads: start them now, so that loading their
  // modules overlaps the parsing of the headers. Unused ones are stopped by close().
  const hashAhead = options.hashAhead ?? true;
  let early: Worker[] | undefined = hashAhead && size >= threshold
    ? prestartWorkers(options.workers ?? workerCount(size))
    : undefined;
  const stopEarly = (keep = 0) => {
    for (const w of early?.splice(keep) ?? []) w.terminate();
    if (keep === 0) early = undefined;
  };
  /** The pages at `offsets`, hashed by this thread in batches or with the worker threads. */
  const hashPages = (offsets: Float64Array | Uint32Array): PageDigestReader => {
    const bytes = offsets.length * PAGE_SIZE_4K;
    const workers = options.workers ?? workerCount(bytes);
    if (bytes < threshold || (workers === 0 && options.workers === undefined)) {
      // Worker threads would cost more to start than they save (or there is one core):
      // batches read through the window, on this thread.
      stopEarly();
      return batchPageHashes(source, offsets);
    }
    stopEarly(workers); // fewer pages than the file's size promised: fewer workers
    const started = early;
    early = undefined;
    return startParallelPageHashes(path, offsets, workers, started, opened);
  };

  const source: FileSource = {
    size,
    read: fileReader(path, file, size),
    pageHashes: {
      sha384Pages(offsets: Uint32Array | Float64Array): PageDigestReader | undefined {
        if (!hashAhead) return undefined;
        if (speculation === undefined) return hashPages(offsets);
        const readPage = (offset: number, into: Uint8Array) => {
          into.set(source.read(offset, PAGE_SIZE_4K, into));
        };
        return speculativeReader(speculation, offsets, readPage, hashPages);
      },
    },
    close() {
      stopEarly();
      file.close();
    },
  };
  // Until the plan asks for pages, the early workers hash the data section in file order.
  const speculation = early?.length && options.speculate !== false
    ? startSpeculation(path, opened.identity, source, early)
    : undefined;
  return source;
}

/**
 * `read` of an {@link IgvmSource} over `file` (`size` bytes, opened at
 * `path`): reads that pass `scratch` go through a window of
 * {@link WINDOW_SIZE} bytes, others get an array of their own.
 */
function fileReader(path: string, file: Deno.FsFile, size: number): IgvmSource["read"] {
  let window: Uint8Array | undefined;
  let windowStart = 0;
  let windowEnd = 0; // exclusive; windowStart === windowEnd: empty
  // The parser keeps every range inside the size the file had when it was opened: only a file
  // cut short since then ends early.
  const endOfFile = (at: number) =>
    new FileAccessError(path, `cannot read file: unexpected end of file at offset ${at}`);
  const readFully = (buf: Uint8Array, offset: number): void => {
    const got = readFullyAt(file, buf, offset);
    if (got < buf.length) throw endOfFile(offset + got);
  };
  return (offset: number, length: number, scratch?: Uint8Array): Uint8Array => {
    if (scratch !== undefined && length <= WINDOW_SIZE / 4) {
      if (offset < windowStart || offset + length > windowEnd) {
        window ??= new Uint8Array(WINDOW_SIZE);
        const n = Math.min(WINDOW_SIZE, size - offset);
        if (n < length) throw endOfFile(size);
        windowStart = windowEnd = offset;
        readFully(window.subarray(0, n), offset);
        windowEnd = offset + n;
      }
      return window!.subarray(offset - windowStart, offset - windowStart + length);
    }
    const buf = scratch && scratch.length >= length
      ? scratch.subarray(0, length)
      : new Uint8Array(length);
    readFully(buf, offset);
    return buf;
  };
}

/**
 * Starts `workers` hashing the pages of the data section ahead of the plan
 * (`speculative_hash.ts`), or returns undefined where the fixed header does
 * not say where the data starts (the parser then refuses the file anyway).
 */
function startSpeculation(
  path: string,
  identity: FileIdentity,
  source: IgvmSource,
  workers: Worker[],
): Speculation | undefined {
  let dataStart: number;
  try {
    dataStart = decodeFixedHeader(source).fileDataStart;
  } catch {
    return undefined;
  }
  const pages = Math.min(
    Math.floor((source.size - dataStart) / PAGE_SIZE_4K),
    workers.length * SPECULATIVE_PAGES_PER_WORKER,
  );
  if (!(pages > 0)) return undefined;
  return new Speculation(path, identity, dataStart, pages, workers);
}
