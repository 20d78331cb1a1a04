/**
 * How many worker threads a measurement starts (lib/cli/worker_count.ts):
 * one per core besides the main thread's and per 32 MiB of pages, at most
 * MAX_WORKERS, none on one core.
 */

import { assertEquals } from "./assert.ts";
import { BYTES_PER_WORKER, MAX_WORKERS, workerCount } from "../lib/cli/worker_count.ts";

const MiB = 1 << 20;

Deno.test("workerCount follows the cores and the pages, up to the cap", () => {
  assertEquals(BYTES_PER_WORKER, 32 * MiB);
  assertEquals(MAX_WORKERS, 12); // bench/README.md, "Scaling with cores"
  const cases: [number, number, number][] = [
    [256 * MiB, 1, 0], // one core: the main thread alone
    [256 * MiB, 2, 1], // two: the main thread and one worker
    [256 * MiB, 4, 3],
    [256 * MiB, 64, 8], // one per 32 MiB
    [4096 * MiB, 64, MAX_WORKERS],
    [4096 * MiB, 16, Math.min(MAX_WORKERS, 15)],
    [40 * MiB, 64, 1],
    [31 * MiB, 64, 0],
    [Infinity, 3, 2],
  ];
  for (const [bytes, cores, want] of cases) {
    assertEquals(workerCount(bytes, cores), want, `${bytes / MiB} MiB on ${cores} cores`);
  }
});
