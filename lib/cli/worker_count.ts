/**
 * How many worker threads a measurement starts to hash pages (Deno-only, as
 * the rest of `lib/cli`; the reasons and the measurements are in
 * bench/README.md, "Scaling with cores").
 *
 * @module
 */

/**
 * Most worker threads one measurement starts. The launch digest chain is
 * serial: the main thread folds a page hashed ahead into it in ≈ 0.75 µs,
 * while a thread reads and hashes a page in ≈ 9.3 µs (bench/scaling.ts; CPU
 * time), so about 12–13 hashing threads keep the chain busy and more would
 * only wait for it, each adding its start-up and ≈ 10 MiB of memory. Twelve
 * workers and the main thread's help are about that.
 */
export const MAX_WORKERS = 12;

/**
 * Bytes of page data per worker thread: a worker takes 40–60 ms of CPU to
 * start (its own V8 isolate and modules; measured on a busy machine), so it
 * should have at least as long a share of hashing (32 MiB ≈ 75 ms).
 */
export const BYTES_PER_WORKER = 32 << 20;

/**
 * Default number of worker threads for `bytes` of pages on a machine with
 * `cores` cores: one per core besides the main thread's, one per
 * {@link BYTES_PER_WORKER}, at most {@link MAX_WORKERS}; none on one core.
 *
 * @example
 * ```ts
 * import { workerCount } from "./worker_count.ts";
 * workerCount(256 << 20, 2); // 1: the main thread and one worker hash
 * workerCount(256 << 20, 64); // 8: one per 32 MiB
 * workerCount(1 << 30, 64); // 12
 * workerCount(40 << 20, 64); // 1
 * ```
 */
export function workerCount(bytes = Infinity, cores = hardwareConcurrency()): number {
  return Math.max(0, Math.min(MAX_WORKERS, cores - 1, Math.floor(bytes / BYTES_PER_WORKER)));
}

function hardwareConcurrency(): number {
  return typeof navigator !== "undefined" ? navigator.hardwareConcurrency ?? 1 : 1;
}
