/**
 * In-process comparison of the ways to hash 4 KiB pages with SHA-384 that the
 * measurement could use, interleaved round by round in one run (the machine is
 * noisy: compare the ratios, not the times). The digests are checked against
 * each other before timing.
 *
 * - `node:crypto` `createHash` per page (what the project used first);
 * - Web Crypto `crypto.subtle.digest`, a batch of pages awaited together;
 * - the WebAssembly SHA-384 one page per call (`hashPage`, the in-place path);
 * - the WebAssembly SHA-384 in batches of 256 (pages two at a time in SIMD
 *   lanes: what the main thread's batches use), and interleaved (three at a
 *   time, the third in scalar instructions: what the worker threads use);
 * - and, for the launch digest chain, one 112-byte PAGE_INFO: `node:crypto`
 *   against the WebAssembly `chain()`.
 *
 * Run: `deno run bench/hashers.ts [rounds]`.
 *
 * @module
 */

import { createHash } from "node:crypto";
import { createPageHasher, createPageInfoHasher } from "../lib/measure/wasm_sha384.ts";

const PAGES = 256;
const ROUNDS = Number(Deno.args[0] ?? 15);
const data = new Uint8Array(PAGES * 4096);
for (let i = 0; i < data.length; i += 65536) crypto.getRandomValues(data.subarray(i, i + 65536));
const page = (i: number) => data.subarray(i * 4096, (i + 1) * 4096);

const batch = createPageHasher(PAGES);
const interleaved = createPageHasher(PAGES, { interleaved: true });
const single = createPageHasher(1);
const out = new Uint8Array(PAGES * 48);

const variants: [string, () => void | Promise<void>][] = [
  ["node:crypto, one page per call", () => {
    for (let i = 0; i < PAGES; i++) out.set(createHash("sha384").update(page(i)).digest(), i * 48);
  }],
  ["Web Crypto, 256 pages awaited together", async () => {
    const all = await Promise.all(
      Array.from({ length: PAGES }, (_, i) => crypto.subtle.digest("SHA-384", page(i))),
    );
    all.forEach((d, i) => out.set(new Uint8Array(d), i * 48));
  }],
  ["WebAssembly, one page per call", () => {
    for (let i = 0; i < PAGES; i++) out.set(single.hashPage(page(i)), i * 48);
  }],
  ["WebAssembly, batches of 256 (SIMD pairs)", () => {
    batch.input.set(data);
    batch.hash(PAGES);
    out.set(batch.output);
  }],
  ["WebAssembly, batches of 256, interleaved", () => {
    interleaved.input.set(data);
    interleaved.hash(PAGES);
    out.set(interleaved.output);
  }],
];

// Same digests everywhere.
let reference: string | undefined;
for (const [name, run] of variants) {
  out.fill(0);
  await run();
  const hex = out.toHex();
  if (reference !== undefined && hex !== reference) throw new Error(`${name}: digests differ`);
  reference = hex;
}

const times = new Map<string, number[]>();
for (let r = 0; r < ROUNDS; r++) {
  for (const [name, run] of variants) {
    const t0 = performance.now();
    await run();
    const list = times.get(name) ?? [];
    list.push(performance.now() - t0);
    times.set(name, list);
  }
}
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[xs.length >> 1];
const MiB = (PAGES * 4096) / (1024 * 1024);
const base = median(times.get(variants[0][0])!);
console.log(`SHA-384 of ${PAGES} random 4 KiB pages, ${ROUNDS} rounds, median:`);
for (const [name] of variants) {
  const ms = median(times.get(name)!);
  console.log(
    `  ${name.padEnd(42)} ${(MiB / (ms / 1000)).toFixed(0).padStart(5)} MiB/s  ${
      (base / ms).toFixed(2)
    }x`,
  );
}

// The chain's step: one PAGE_INFO.
const info = createPageInfoHasher();
const infoBytes = data.subarray(0, 112);
const N = 20000;
const chainTimes: Record<string, number[]> = { node: [], wasm: [] };
for (let r = 0; r < ROUNDS; r++) {
  let t0 = performance.now();
  for (let i = 0; i < N; i++) createHash("sha384").update(infoBytes).digest();
  chainTimes.node.push(performance.now() - t0);
  t0 = performance.now();
  for (let i = 0; i < N; i++) info.chain();
  chainTimes.wasm.push(performance.now() - t0);
}
console.log("One 112-byte PAGE_INFO (the launch digest chain's step), median:");
for (const [name, xs] of Object.entries(chainTimes)) {
  console.log(
    `  ${name === "node" ? "node:crypto" : "WebAssembly chain()"}`.padEnd(44) +
      `${((median(xs) * 1000) / N).toFixed(2)} µs`,
  );
}
