/**
 * Deno-only: SHA-384 of many 4 KiB pages of a file, computed by worker threads
 * and the main thread together, handed back in order to the (synchronous)
 * measurement loop.
 *
 * The pages are cut into jobs of {@link JOB_PAGES}. Threads claim the next job
 * from a shared counter, read its pages (one read per run of consecutive
 * pages; the main thread reads through the measurement's own file handle, each
 * worker opens the file again and refuses it unless it is the same file, so
 * headers and pages always come from one file) and write the digests into a small
 * ring of result slots in a SharedArrayBuffer. The main thread consumes the
 * digests in order; while the job it needs is not ready it claims and hashes
 * the next job itself, so it never idles and never depends on the workers
 * having started (if they do not start, it does all the work). A slot is
 * reused only once its digests are consumed, so memory is bounded by the ring
 * (slots × job size), not by the file.
 *
 * @module
 */

import { PAGE_SIZE_4K } from "../igvm/defs.ts";
import type { PageDigestReader } from "../measure/page_hashes.ts";
import { createPageHasher, type PageHasher } from "../measure/wasm_sha384.ts";
import { describeFsError, readFullyAt } from "./io.ts";
import { FileAccessError } from "../errors.ts";
import { prestartWorkers } from "./worker_start.ts";

/** Pages per job. */
export const JOB_PAGES = 256;
const DIGEST = 48;
/** Control words (Int32): abort flag, error flag, next unclaimed job, then READY[slots], FREE[slots]. */
const CTRL_ABORT = 0;
const CTRL_ERROR = 1;
const CTRL_NEXT = 2;
const CTRL_HEADER = 4;
/** Bytes of the error message area after the control words. */
const ERROR_BYTES = 512;

/**
 * What identifies the file a measurement opened. A worker that opens the path
 * again must find the same file, unchanged: an atomic replacement (or a write)
 * in between would otherwise mix the old file's headers with the new one's pages.
 */
export interface FileIdentity {
  /** Size in bytes. */
  readonly size: number;
  /** Last modification, in milliseconds since the epoch (null where unknown). */
  readonly mtimeMs: number | null;
  /** Device number (null where the platform has none). */
  readonly dev: number | null;
  /** Inode number (null where the platform has none). */
  readonly ino: number | null;
}

/**
 * The {@link FileIdentity} of a `stat` result.
 *
 * @example
 * ```ts
 * import { fileIdentity } from "./parallel_hash.ts";
 * fileIdentity(Deno.statSync("testdata/sample.igvm")).size > 0; // true
 * ```
 */
export function fileIdentity(info: Deno.FileInfo): FileIdentity {
  return {
    size: info.size,
    mtimeMs: info.mtime?.getTime() ?? null,
    dev: info.dev ?? null,
    ino: info.ino ?? null,
  };
}

/**
 * Whether two identities are of the same, unchanged file.
 *
 * @example
 * ```ts
 * import { fileIdentity, sameFile } from "./parallel_hash.ts";
 * const a = fileIdentity(Deno.statSync("testdata/sample.igvm"));
 * sameFile(a, fileIdentity(Deno.statSync("testdata/sample.igvm"))); // true
 * ```
 */
export function sameFile(a: FileIdentity, b: FileIdentity): boolean {
  return a.size === b.size && a.mtimeMs === b.mtimeMs && a.dev === b.dev && a.ino === b.ino;
}

/** The measurement's open file, which the main thread's jobs read through. */
export interface OpenedFile {
  /** The open handle (not closed by the jobs). */
  readonly file: Deno.FsFile;
  /** Its identity, taken when it was opened. */
  readonly identity: FileIdentity;
}

/** What a worker gets in its one message. */
export interface HashJobSetup {
  /** Path of the file whose pages are hashed; each worker opens it itself. */
  readonly path: string;
  /** The file the measurement opened: a worker refuses any other at `path`. */
  readonly identity: FileIdentity;
  /** Number of result slots in the ring; each holds one job's digests. */
  readonly slots: number;
  /** Int32 control words (abort, error, next job, READY and FREE per slot), then the error message area. */
  readonly control: SharedArrayBuffer;
  /** Float64 file offsets in bytes of the pages to hash, in digest order. */
  readonly offsets: SharedArrayBuffer;
  /** The result ring: `slots` × {@link JOB_PAGES} 48-byte SHA-384 digests. */
  readonly results: SharedArrayBuffer;
}

/**
 * Claims the next number of the shared counter `ctrl[at]` if it is below
 * `limit`: returns it (the counter moves past it), or -1 (the counter is
 * left as it is). Any number of threads may claim at once; each number goes
 * to one of them.
 *
 * @example
 * ```ts
 * import { claimBelow } from "./parallel_hash.ts";
 * const ctrl = new Int32Array(new SharedArrayBuffer(4));
 * [claimBelow(ctrl, 0, 2), claimBelow(ctrl, 0, 2), claimBelow(ctrl, 0, 2)]; // [0, 1, -1]
 * ```
 */
export function claimBelow(ctrl: Int32Array, at: number, limit: number): number {
  for (;;) {
    const next = Atomics.load(ctrl, at);
    if (next >= limit) return -1;
    if (Atomics.compareExchange(ctrl, at, next, next + 1) === next) return next;
  }
}

/** One thread's view of the shared state, and its own file handle and read buffer. */
export class HashJobs {
  /** The shared control words: abort, error, next job, then READY and FREE per slot. */
  readonly ctrl: Int32Array;
  /** File offsets in bytes of the pages, in digest order. */
  readonly offsets: Float64Array;
  /** The shared result ring: {@link JOB_PAGES} 48-byte digests per slot. */
  readonly results: Uint8Array;
  /** Number of result slots in the ring. */
  readonly slots: number;
  /** Number of jobs: the page count divided by {@link JOB_PAGES}, rounded up. */
  readonly jobs: number;
  readonly #setup: HashJobSetup;
  readonly #ownsFile: boolean;
  #file: Deno.FsFile | undefined;
  #pages: PageHasher | undefined;

  /**
   * Creates a view of `setup`'s shared buffers. Reads go through `file` when
   * given (the main thread: the measurement's own handle, left open), else
   * the path is opened on the first `run` and checked against the identity.
   * `pages` is a hasher of {@link JOB_PAGES} pages to use (a worker's, shared
   * with its hashing ahead); one is made on the first `run` otherwise.
   */
  constructor(setup: HashJobSetup, file?: Deno.FsFile, pages?: PageHasher) {
    this.#setup = setup;
    this.#file = file;
    this.#pages = pages;
    this.#ownsFile = file === undefined;
    this.slots = setup.slots;
    this.ctrl = new Int32Array(setup.control, 0, CTRL_HEADER + 2 * setup.slots);
    this.offsets = new Float64Array(setup.offsets);
    this.results = new Uint8Array(setup.results);
    this.jobs = Math.ceil(this.offsets.length / JOB_PAGES);
  }

  /** Index of job `job`'s READY word (job + 1 once its digests are in its slot). */
  ready(job: number): number {
    return CTRL_HEADER + (job % this.slots);
  }

  /** Index of the FREE word of job `job`'s slot (the job that may write it next). */
  free(job: number): number {
    return CTRL_HEADER + this.slots + (job % this.slots);
  }

  /** True once any thread has called `abort`. */
  get aborted(): boolean {
    return Atomics.load(this.ctrl, CTRL_ABORT) !== 0;
  }

  /** Claims the next job if it is below `limit`; returns it, or -1. */
  claim(limit: number): number {
    return claimBelow(this.ctrl, CTRL_NEXT, Math.min(limit, this.jobs));
  }

  /** Reads and hashes the pages of `job`, waiting for its slot; false when aborted. */
  run(job: number): boolean {
    const first = job * JOB_PAGES;
    const end = Math.min(this.offsets.length, first + JOB_PAGES);
    const offsets = this.offsets;
    this.#file ??= this.#open();
    // The pages are read straight into the hasher's (WebAssembly) memory.
    // Threads here hash hundreds of batches: the interleaved form pays off.
    const pages = this.#pages ??= createPageHasher(JOB_PAGES, { interleaved: true });
    const buf = pages.input;
    for (let i = first; i < end;) {
      let j = i + 1;
      while (j < end && offsets[j] === offsets[j - 1] + PAGE_SIZE_4K) j++;
      const target = buf.subarray((i - first) * PAGE_SIZE_4K, (j - first) * PAGE_SIZE_4K);
      const got = readFullyAt(this.#file, target, offsets[i]);
      if (got < target.length) {
        throw new Error(`unexpected end of file at offset ${offsets[i] + got}`);
      }
      i = j;
    }
    const freeAt = this.free(job);
    for (;;) {
      if (this.aborted) return false;
      const free = Atomics.load(this.ctrl, freeAt);
      if (free === job) break;
      Atomics.wait(this.ctrl, freeAt, free, 1000);
    }
    pages.hash(end - first);
    this.results.set(
      pages.output.subarray(0, (end - first) * DIGEST),
      (job % this.slots) * JOB_PAGES * DIGEST,
    );
    Atomics.store(this.ctrl, this.ready(job), job + 1);
    Atomics.notify(this.ctrl, this.ready(job));
    return true;
  }

  /**
   * A worker's first step: opens the path again and keeps it if it is still
   * the file the measurement opened (same device, inode, size and mtime);
   * returns false, holding nothing, if the file was replaced or rewritten
   * meanwhile. The worker then stops and the main thread does all the jobs
   * with the handle it opened, so the digest is the opened file's. (A write in
   * place that keeps size and mtime cannot be told apart; it would change what
   * the main thread reads as well.)
   */
  openSame(): boolean {
    if (this.#file !== undefined) return true;
    const file = Deno.openSync(this.#setup.path, { read: true });
    if (!sameFile(this.#setup.identity, fileIdentity(file.statSync()))) {
      file.close();
      return false;
    }
    this.#file = file;
    return true;
  }

  /** Opens the path again; throws unless it is still the file the measurement opened. */
  #open(): Deno.FsFile {
    if (!this.openSame()) throw new Error("the file changed while it was being measured");
    return this.#file!;
  }

  /** Records a failure for the main thread and wakes it. */
  fail(e: unknown): void {
    const message = describeFsError(e);
    if (Atomics.compareExchange(this.ctrl, CTRL_ERROR, 0, 1) === 0) {
      const area = new Uint8Array(this.#setup.control, 4 * this.ctrl.length, ERROR_BYTES);
      area.set(new TextEncoder().encode(message).subarray(0, ERROR_BYTES - 1));
    }
    for (let s = 0; s < this.slots; s++) Atomics.notify(this.ctrl, CTRL_HEADER + s);
  }

  /** The failure a thread recorded, if any, as an error naming the file. */
  error(): FileAccessError | undefined {
    if (Atomics.load(this.ctrl, CTRL_ERROR) === 0) return undefined;
    const bytes = new Uint8Array(this.#setup.control, 4 * this.ctrl.length, ERROR_BYTES);
    const end = bytes.indexOf(0);
    const message = new TextDecoder().decode(bytes.slice(0, end < 0 ? bytes.length : end));
    return new FileAccessError(this.#setup.path, `cannot read file: ${message}`);
  }

  /** Stops all threads. */
  abort(): void {
    Atomics.store(this.ctrl, CTRL_ABORT, 1);
    for (let s = 0; s < this.slots; s++) Atomics.notify(this.ctrl, CTRL_HEADER + this.slots + s);
  }

  /** Closes this thread's file, if it opened it. */
  close(): void {
    if (this.#ownsFile) this.#file?.close();
    this.#file = undefined;
  }
}

/**
 * The shared state for hashing the pages at `offsets` with `workers` helping
 * threads: a ring of slots (each free for its first job) and the setup to
 * send them.
 */
function shareJobs(
  path: string,
  offsets: ArrayLike<number>,
  workers: number,
  opened: OpenedFile | undefined,
): { setup: HashJobSetup; jobs: HashJobs } {
  const count = offsets.length;
  const jobCount = Math.ceil(count / JOB_PAGES);
  const slots = Math.max(1, Math.min(jobCount, 4 * (workers + 1)));
  const control = new SharedArrayBuffer(4 * (CTRL_HEADER + 2 * slots) + ERROR_BYTES);
  const offsetBuffer = new SharedArrayBuffer(8 * count);
  new Float64Array(offsetBuffer).set(offsets);
  const results = new SharedArrayBuffer(slots * JOB_PAGES * DIGEST);
  const identity = opened?.identity ?? fileIdentity(Deno.statSync(path));
  const setup: HashJobSetup = { path, identity, slots, control, offsets: offsetBuffer, results };
  const jobs = new HashJobs(setup, opened?.file);
  for (let s = 0; s < slots; s++) jobs.ctrl[jobs.free(s)] = s;
  return { setup, jobs };
}

/**
 * The main thread's wait for `job`'s digests: while they are not in its slot,
 * it hashes the next unclaimed job whose slot is free itself. A failure (its
 * own or a worker's) calls `stop` and is thrown as an error naming `path`.
 */
function awaitJob(jobs: HashJobs, job: number, path: string, stop: () => void): void {
  const readyAt = jobs.ready(job);
  for (;;) {
    const ready = Atomics.load(jobs.ctrl, readyAt);
    if (ready === job + 1) return;
    const e = jobs.error();
    if (e) {
      stop();
      throw e;
    }
    // Help: hash the next unclaimed job whose slot is free (any job below job + slots).
    const mine = jobs.claim(job + jobs.slots);
    if (mine >= 0) {
      try {
        jobs.run(mine);
      } catch (e) {
        stop();
        throw new FileAccessError(path, `cannot read file: ${describeFsError(e)}`);
      }
      continue;
    }
    Atomics.wait(jobs.ctrl, readyAt, ready, 1000);
  }
}

/**
 * Starts hashing the pages at `offsets` of the file at `path` with `workers`
 * worker threads and the main thread; read the digests in order. `opened` is
 * the measurement's open file (else the main thread opens `path` itself).
 */
export function startParallelPageHashes(
  path: string,
  offsets: ArrayLike<number>,
  workers: number,
  started?: Worker[],
  opened?: OpenedFile,
): PageDigestReader {
  const count = offsets.length;
  const { setup, jobs } = shareJobs(path, offsets, workers, opened);
  const slots = jobs.slots;
  const threads: Worker[] = started ?? prestartWorkers(workers);
  for (const w of threads) w.postMessage(setup);

  let cursor = 0;
  let closed = false;
  const stop = () => {
    jobs.abort();
    for (const w of threads) w.terminate();
    threads.length = 0;
    jobs.close();
  };

  return {
    next(): Uint8Array {
      if (closed) throw new Error("page digest reader is closed");
      if (cursor >= count) throw new Error("no more page digests");
      const i = cursor++;
      const job = Math.floor(i / JOB_PAGES);
      if (i % JOB_PAGES === 0) {
        if (job > 0) {
          // The previous job's digests are consumed: its slot may take job - 1 + slots.
          Atomics.store(jobs.ctrl, jobs.free(job - 1), job - 1 + slots);
          Atomics.notify(jobs.ctrl, jobs.free(job - 1));
        }
        // Once ready, a job's slot stays ready until it is freed above: one wait per job.
        awaitJob(jobs, job, path, stop);
      }
      const at = ((job % slots) * JOB_PAGES + (i % JOB_PAGES)) * DIGEST;
      return jobs.results.subarray(at, at + DIGEST);
    },
    close(): void {
      if (closed) return;
      closed = true;
      stop();
    },
  };
}
