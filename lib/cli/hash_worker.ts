/**
 * Worker thread of `parallel_hash.ts`: claims jobs, hashes their pages and
 * writes the digests into the shared result slots until no job is left.
 * Deno-only.
 *
 * @module
 */

import { HashJobs, type HashJobSetup } from "./parallel_hash.ts";

/** The worker global scope, as far as this module uses it. */
const scope = globalThis as unknown as {
  onmessage: ((e: MessageEvent<HashJobSetup>) => void) | null;
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

scope.onmessage = (e) => {
  const jobs = new HashJobs(e.data);
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
};
