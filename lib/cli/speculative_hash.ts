/**
 * Deno-only: pages hashed before the measurement asks for them. While the
 * main thread parses the headers and plans the records, the worker threads
 * `file_source.ts` starts early would sit idle; instead they hash the file's
 * data section, in file order, one 4 KiB page after another from its start
 * (page data is usually stored so: in directive order, each page 4 KiB from
 * the last), into a table of digests by page index. When the plan's offsets
 * arrive, claiming stops ({@link Speculation.close}); a planned page that
 * lies exactly on a page the workers claimed takes its digest from the table,
 * the others are hashed as before (`parallel_hash.ts`).
 *
 * The digest never depends on this: a page of the table is the SHA-384 of the
 * 4 KiB at `dataStart + 4096 k` of the file the measurement opened (a worker
 * hashes nothing unless the path still names that file: same device, inode,
 * size and modification time), and a planned range is looked up only if it is
 * that very range. A page a worker has claimed but not finished when the fold
 * reaches it (a worker stopped, slow or failing) is hashed by the main thread,
 * through its own handle.
 *
 * @module
 */

import { PAGE_SIZE_4K } from "../igvm/defs.ts";
import type { PageDigestReader } from "../measure/page_hashes.ts";
import { createPageHasher, type PageHasher } from "../measure/wasm_sha384.ts";
import { readFullyAt } from "./io.ts";
import {
  claimBelow,
  type FileIdentity,
  fileIdentity,
  JOB_PAGES,
  sameFile,
} from "./parallel_hash.ts";

const DIGEST = 48;
/** Pages per speculative chunk: one read, one batch. */
const CHUNK_PAGES = JOB_PAGES;
/**
 * Most pages one worker hashes ahead (128 MiB; the table takes 48 bytes a
 * page): more than a worker hashes in the time the main thread takes to parse
 * and plan the benchmark's 82,000 headers.
 */
export const SPECULATIVE_PAGES_PER_WORKER = 32768;

/**
 * Control word 0: the next unclaimed chunk ({@link CLOSED} once claiming
 * stopped, so no chunk is below it); then a state per chunk.
 */
const NEXT = 0;
const CLOSED = 0x7fffffff;
const PENDING = 0;
const DONE = 1;
const FAILED = 2;
/**
 * Longest wait, in all, for the chunks being hashed when the plan arrives
 * (a chunk takes a worker a few ms; past this a stuck read is given up on
 * and the main thread hashes those pages itself).
 */
const SETTLE_MS = 1000;

/** What a worker gets to hash ahead. */
export interface SpeculationSetup {
  /** Path of the file; the worker opens it itself. */
  readonly path: string;
  /** The file the measurement opened: a worker hashes nothing of any other at `path`. */
  readonly identity: FileIdentity;
  /** Where the data section starts: page k is the 4 KiB at `dataStart + 4096 k`. */
  readonly dataStart: number;
  /** Number of pages that may be hashed ahead. */
  readonly pages: number;
  /** Int32: the next unclaimed chunk, then each chunk's state (0 pending, 1 done, 2 failed). */
  readonly control: SharedArrayBuffer;
  /** 48-byte digest of page k at `48 k`. */
  readonly table: SharedArrayBuffer;
}

/**
 * Whether `data` is a {@link SpeculationSetup} (a worker's other message is a job setup).
 *
 * @example
 * ```ts
 * import { isSpeculationSetup } from "./speculative_hash.ts";
 * isSpeculationSetup({ path: "f.igvm", dataStart: 4096 }); // true
 * isSpeculationSetup({ path: "f.igvm", slots: 4 }); // false: a job setup
 * ```
 */
export function isSpeculationSetup(data: unknown): data is SpeculationSetup {
  return typeof data === "object" && data !== null && "dataStart" in data;
}

/**
 * A worker's part: opens the path, and if it is still the measured file,
 * hashes chunks of pages in file order until all are claimed or claiming
 * stops. A chunk it cannot read is marked failed (the main thread then reads
 * what it needs of it itself); any other error ends the work quietly.
 * `hasher` hashes 256-page chunks (the worker's, which its jobs use after).
 *
 * @example
 * ```ts
 * import { speculate, type SpeculationSetup } from "./speculative_hash.ts";
 * // In a worker, on the file source's message:
 * const onSetup = (setup: SpeculationSetup) => speculate(setup);
 * ```
 */
export function speculate(setup: SpeculationSetup, hasher?: PageHasher): void {
  const ctrl = new Int32Array(setup.control);
  const table = new Uint8Array(setup.table);
  const chunks = Math.ceil(setup.pages / CHUNK_PAGES);
  let file: Deno.FsFile | undefined;
  try {
    file = Deno.openSync(setup.path, { read: true });
    if (!sameFile(setup.identity, fileIdentity(file.statSync()))) return;
    const pages = hasher ?? createPageHasher(CHUNK_PAGES, { interleaved: true });
    for (let c = claimBelow(ctrl, NEXT, chunks); c >= 0; c = claimBelow(ctrl, NEXT, chunks)) {
      const first = c * CHUNK_PAGES;
      const n = Math.min(CHUNK_PAGES, setup.pages - first);
      let state = FAILED;
      try {
        const into = pages.input.subarray(0, n * PAGE_SIZE_4K);
        if (readFullyAt(file, into, setup.dataStart + first * PAGE_SIZE_4K) === into.length) {
          pages.hash(n);
          table.set(pages.output.subarray(0, n * DIGEST), first * DIGEST);
          state = DONE;
        }
      } finally {
        Atomics.store(ctrl, 1 + c, state);
        Atomics.notify(ctrl, 1 + c);
      }
    }
  } catch {
    // The path cannot be opened or read: the main thread hashes what the plan needs.
  } finally {
    file?.close();
  }
}

/**
 * The main thread's side of the pages hashed ahead: starts the workers on them
 * and answers, once the plan is known, which planned pages it has.
 *
 * @example
 * ```ts ignore
 * // large.igvm: a file of 32 MiB or more (the bench writes one)
 * import { fileIdentity } from "./parallel_hash.ts";
 * import { prestartWorkers } from "./worker_start.ts";
 * import { Speculation } from "./speculative_hash.ts";
 * const path = "large.igvm";
 * const workers = prestartWorkers(1);
 * // Pages from the end of the variable headers (here 2,622,120) on.
 * const spec = new Speculation(path, fileIdentity(Deno.statSync(path)), 2622120, 32768, workers);
 * // ... once the plan is known:
 * spec.close();
 * const k = spec.indexOf(2622120 + 5 * 4096); // 5 if a worker claimed it, else -1
 * if (k >= 0) spec.digest(k); // its SHA-384 if its chunk is done
 * ```
 */
export class Speculation {
  readonly #setup: SpeculationSetup;
  readonly #ctrl: Int32Array;
  readonly #table: Uint8Array;
  /** Pages claimed before claiming stopped (-1 while it goes on). */
  #claimed = -1;

  /** Shares out the `pages` pages from `dataStart` among `workers` (already started). */
  constructor(
    path: string,
    identity: FileIdentity,
    dataStart: number,
    pages: number,
    workers: readonly Worker[],
  ) {
    const chunks = Math.ceil(pages / CHUNK_PAGES);
    this.#setup = {
      path,
      identity,
      dataStart,
      pages,
      control: new SharedArrayBuffer(4 * (1 + chunks)),
      table: new SharedArrayBuffer(pages * DIGEST),
    };
    this.#ctrl = new Int32Array(this.#setup.control);
    this.#table = new Uint8Array(this.#setup.table);
    for (const w of workers) w.postMessage(this.#setup);
  }

  /** Stops the workers claiming more pages (those under way are finished); idempotent. */
  close(): void {
    if (this.#claimed >= 0) return;
    const chunks = Math.min(Atomics.exchange(this.#ctrl, NEXT, CLOSED), this.#chunks());
    this.#claimed = Math.min(this.#setup.pages, chunks * CHUNK_PAGES);
  }

  #chunks(): number {
    return Math.ceil(this.#setup.pages / CHUNK_PAGES);
  }

  /**
   * Waits, `ms` at most in all, until every chunk claimed before {@link close}
   * is done or failed: the workers finish the chunk they hold, so that the
   * main thread neither hashes those pages a second time nor has the workers
   * stopped under them.
   */
  settle(ms: number): void {
    const deadline = performance.now() + ms;
    for (let c = 0; c * CHUNK_PAGES < this.#claimed; c++) {
      while (Atomics.load(this.#ctrl, 1 + c) === PENDING) {
        const left = deadline - performance.now();
        if (left <= 0) return;
        Atomics.wait(this.#ctrl, 1 + c, PENDING, left);
      }
    }
  }

  /** The table index of the 4 KiB at `offset` if a worker claimed it, else -1 (call after {@link close}). */
  indexOf(offset: number): number {
    const k = (offset - this.#setup.dataStart) / PAGE_SIZE_4K;
    return Number.isInteger(k) && k >= 0 && k < this.#claimed ? k : -1;
  }

  /** The digest of table page `k` if its chunk is done (a view of the table), else undefined. */
  digest(k: number): Uint8Array | undefined {
    if (Atomics.load(this.#ctrl, 1 + Math.floor(k / CHUNK_PAGES)) !== DONE) return undefined;
    return this.#table.subarray(k * DIGEST, (k + 1) * DIGEST);
  }
}

/** Reads one 4 KiB page at an offset of the measured file into `into` (the main thread's own handle). */
export type PageReader = (offset: number, into: Uint8Array) => void;

/**
 * The digests of `offsets`, in order: from the table where `spec` has the
 * page, else from `rest` (a reader of the other offsets, in order, made by
 * `restReader`); a page the workers claimed but did not finish (its read
 * failed, or it was still pending `settleMs` after claiming stopped) is read
 * with `readPage` and hashed here. Stops the claiming
 * ({@link Speculation.close}) and lets the chunks under way finish
 * ({@link Speculation.settle}) before `restReader` may stop the workers.
 *
 * @example
 * ```ts ignore
 * import { openFileSource } from "./file_source.ts";
 * // The file source does this when the measurement asks for the pages of a large file:
 * const src = openFileSource("large.igvm");
 * const reader = src.pageHashes.sha384Pages(Float64Array.of(2622120, 2626216))!;
 * reader.next(); // SHA-384 of the 4 KiB at 2622120
 * reader.close();
 * src.close();
 * ```
 */
export function speculativeReader(
  spec: Speculation,
  offsets: ArrayLike<number>,
  readPage: PageReader,
  restReader: (rest: Float64Array) => PageDigestReader,
  settleMs: number = SETTLE_MS,
): PageDigestReader {
  spec.close();
  spec.settle(settleMs);
  const index = new Int32Array(offsets.length);
  let others = 0;
  for (let i = 0; i < offsets.length; i++) {
    index[i] = spec.indexOf(offsets[i]);
    if (index[i] < 0) others++;
  }
  const restOffsets = new Float64Array(others);
  for (let i = 0, j = 0; i < offsets.length; i++) if (index[i] < 0) restOffsets[j++] = offsets[i];
  const rest = others > 0 ? restReader(restOffsets) : undefined;
  let own: PageHasher | undefined;
  let cursor = 0;
  return {
    next(): Uint8Array {
      if (cursor >= offsets.length) throw new Error("no more page digests");
      const i = cursor++;
      const k = index[i];
      if (k < 0) return rest!.next();
      const done = spec.digest(k);
      if (done !== undefined) return done;
      own ??= createPageHasher(1);
      readPage(offsets[i], own.input);
      own.hash(1);
      return own.output.subarray(0, DIGEST);
    },
    close(): void {
      cursor = offsets.length;
      rest?.close();
    },
  };
}
