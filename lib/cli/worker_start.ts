/**
 * Deno-only: starting the worker threads that hash pages (`hash_worker.ts`),
 * early, so that their modules load while the main thread opens and parses
 * the file.
 *
 * @module
 */

/**
 * False when the worker module is a local file that is not there (the one-file
 * bundle has no `hash_worker.ts` beside it): starting a worker then would print
 * a module-not-found error, so the main thread hashes alone. Where the file
 * cannot be read (a scoped `--allow-read`) workers could not load it either.
 * Remote modules are assumed present.
 */
function workerModuleAvailable(url: URL): boolean {
  if (url.protocol !== "file:") return true;
  try {
    Deno.statSync(url);
    return true;
  } catch (e) {
    // Missing (the bundle), or not readable with a scoped --allow-read: a worker could not load it.
    return !(e instanceof Deno.errors.NotFound || e instanceof Deno.errors.NotCapable);
  }
}

/**
 * Starts `count` worker threads (their modules load while the caller goes on);
 * hand them to `startParallelPageHashes` (`parallel_hash.ts`) or a
 * `Speculation` (`speculative_hash.ts`), or terminate them. Returns fewer
 * (none) where workers cannot start.
 *
 * @example
 * ```ts
 * import { prestartWorkers } from "./worker_start.ts";
 * const workers = prestartWorkers(1);
 * for (const w of workers) w.terminate();
 * ```
 */
export function prestartWorkers(count: number): Worker[] {
  const threads: Worker[] = [];
  const workerUrl = new URL("./hash_worker.ts", import.meta.url);
  if (!workerModuleAvailable(workerUrl)) return threads;
  try {
    for (let i = 0; i < count; i++) threads.push(new Worker(workerUrl, { type: "module" }));
  } catch {
    // No worker threads here: the main thread does all the work.
  }
  return threads;
}
