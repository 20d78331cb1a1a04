/**
 * Worker thread of `parallel_hash.ts`: first, if the file source sends one,
 * hashes pages ahead of the plan (`speculative_hash.ts`) until claiming
 * stops; then claims jobs, hashes their pages and writes the digests into the
 * shared result slots until no job is left. Deno-only.
 *
 * @module
 */

import { HashJobs, type HashJobSetup, JOB_PAGES } from "./parallel_hash.ts";
import { createPageHasher, type PageHasher } from "../measure/wasm_sha384.ts";
import { isSpeculationSetup, speculate, type SpeculationSetup } from "./speculative_hash.ts";

/** The worker global scope, as far as this module uses it. */
const scope = globalThis as unknown as {
  onmessage: ((e: MessageEvent<HashJobSetup | SpeculationSetup>) => void) | null;
  close(): void;
};

/** Whether this worker can read the measured file (not replaced, deleted or locked away). */
function openSame(jobs: HashJobs): boolean {
  try {
    return jobs.openSame();
  } catch {
    return false;
  }
}

/** The worker's one page hasher (1 MiB of WebAssembly memory), for both phases. */
let hasher: PageHasher | undefined;
const pageHasher = () => hasher ??= createPageHasher(JOB_PAGES, { interleaved: true });

function runJobs(setup: HashJobSetup): void {
  const jobs = new HashJobs(setup, undefined, hasher);
  try {
    // If not, leave every job to the main thread, which reads the file it opened.
    if (!openSame(jobs)) return;
    for (;;) {
      if (jobs.aborted) break;
      const job = jobs.claim(Infinity);
      if (job < 0 || !jobs.run(job)) break;
    }
  } catch (err) {
    jobs.fail(err);
  } finally {
    jobs.close();
    scope.close();
  }
}

scope.onmessage = (e) => {
  // Pages ahead of the plan come first (the worker stays for the jobs), then the jobs.
  if (isSpeculationSetup(e.data)) speculate(e.data, pageHasher());
  else runJobs(e.data);
};
