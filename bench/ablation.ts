/**
 * In-process comparison of the page-hashing strategies on one file, interleaved
 * in one run (the machine is noisy: compare the ratios, not the times):
 * each page hashed in place as the measurement reaches it, the main thread
 * hashing batches ahead, and the main thread with 1, 2 or 3 worker threads.
 *
 * Run: `deno run --allow-read --allow-write bench/bench.ts --generate /tmp/large.igvm`, then
 * `deno run --allow-read bench/ablation.ts /tmp/large.igvm [rounds]`.
 *
 * @module
 */

import { coconut } from "../tests/measure_helpers.ts";
import { openFileSource } from "../lib/cli/file_source.ts";
import { parseIgvm } from "../lib/igvm/parser.ts";

const path = Deno.args[0];
const rounds = Number(Deno.args[1] ?? 3);
const variants: [string, number, number | undefined, boolean?][] = [
  ["in place, one by one", Infinity, undefined, false],
  ["main thread batches", Infinity, undefined],
  ["main + 1 worker", 0, 1],
  ["main + 2 workers", 0, 2],
  ["main + 3 workers", 0, 3],
];
const times = new Map<string, number[]>();
let digest: string | undefined;
for (let r = 0; r < rounds; r++) {
  for (const [name, parallelThreshold, workers, hashAhead] of variants) {
    const t0 = performance.now();
    const src = openFileSource(path, { parallelThreshold, workers, hashAhead });
    try {
      const d = coconut(parseIgvm(src)).digest.toHex();
      if (digest !== undefined && d !== digest) throw new Error(`${name}: digest differs`);
      digest = d;
    } finally {
      src.close();
    }
    const list = times.get(name) ?? [];
    list.push(performance.now() - t0);
    times.set(name, list);
  }
}
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[xs.length >> 1];
const base = median(times.get(variants[0][0])!);
for (const [name, xs] of times) {
  const m = median(xs);
  console.log(`${name.padEnd(18)} ${m.toFixed(0).padStart(6)} ms  ${(base / m).toFixed(2)}x`);
}
