/**
 * The per-page costs that decide how `measure` scales with cores, measured in
 * one process (bench/README.md, "Scaling", explains them):
 *
 * - the serial part: folding one page into the SEV-SNP launch digest on the
 *   main thread (one 112-byte PAGE_INFO hash and the engine's loop), for a page
 *   without data and for a page whose SHA-384 was hashed ahead;
 * - the parallel part, per thread: reading a page (1 MiB reads from the page
 *   cache) and hashing it (the WebAssembly SHA-384, 256 pages per batch,
 *   interleaved as the hashing threads do);
 * - and what follows: how many hashing threads keep the serial chain busy.
 *
 * Costs are CPU time of the measuring thread where Linux tells it
 * (`/proc/thread-self/schedstat`, which Deno lets a script read only with
 * `--allow-all`), so that other work on a busy machine inflates them less;
 * wall-clock time elsewhere. Medians of several rounds.
 *
 * Run: `deno run --allow-all bench/scaling.ts [FILE.igvm]` (default: a generated 64 MiB
 * SEV-SNP file).
 *
 * @module
 */

import { foldPlan } from "../lib/measure/engine.ts";
import { type PageRecord, pages } from "../lib/measure/records.ts";
import { createPageHasher } from "../lib/measure/wasm_sha384.ts";
import type { PageHashService } from "../lib/measure/page_hashes.ts";
import { largeModel, median, writeModel } from "./bench_helpers.ts";

const ROUNDS = 7;
const PAGES = 65536;

/** Milliseconds of CPU time of this thread (Linux, with --allow-all), else of wall-clock time. */
function clock(): { now: () => number; unit: string } {
  const stat = "/proc/thread-self/schedstat";
  try {
    Deno.readTextFileSync(stat);
    return { now: () => Number(Deno.readTextFileSync(stat).split(" ")[0]) / 1e6, unit: "CPU" };
  } catch {
    return { now: () => performance.now(), unit: "wall-clock" };
  }
}
const { now, unit } = clock();

/** Median µs per page of `run` (which handles `pages` pages). */
function perPage(pages: number, run: () => void): number {
  run(); // warm up: optimized code, as in a run's steady state
  const xs: number[] = [];
  for (let r = 0; r < ROUNDS; r++) {
    const t0 = now();
    run();
    xs.push(((now() - t0) * 1000) / pages);
  }
  return median(xs);
}

/** Folding: data-less pages, and pages with a digest hashed ahead (the service hands them out). */
function foldCosts(): { empty: number; hashed: number } {
  const empty = { records: [pages(0x100000n, 4, null, "Unmeasured", PAGES)] };
  const records: PageRecord[] = [];
  for (let i = 0; i < PAGES; i++) {
    records.push(pages(0x100000n + BigInt(i) * 0x1000n, 1, { offset: i * 4096, length: 4096 }, ""));
  }
  const digest = new Uint8Array(48);
  const service: PageHashService = {
    sha384Pages: () => ({ next: () => digest, close() {} }),
  };
  const source = { size: PAGES * 4096, read: () => new Uint8Array(4096) };
  return {
    empty: perPage(PAGES, () => foldPlan(empty, "snp", undefined)),
    hashed: perPage(PAGES, () => foldPlan({ records }, "snp", source, { pageHashes: service })),
  };
}

/** Reading the file's first `PAGES` pages of data in 1 MiB reads, and hashing pages in batches. */
function threadCosts(path: string): { read: number; hash: number } {
  const file = Deno.openSync(path);
  const size = file.statSync().size;
  const buf = new Uint8Array(1 << 20);
  const n = Math.min(PAGES, Math.floor(size / 4096));
  const read = perPage(n, () => {
    for (let at = 0; at + buf.length <= n * 4096; at += buf.length) {
      file.seekSync(at, Deno.SeekMode.Start);
      for (let got = 0; got < buf.length;) got += file.readSync(buf.subarray(got)) ?? buf.length;
    }
  });
  file.close();
  const hasher = createPageHasher(256, { interleaved: true }); // as the hashing threads do
  crypto.getRandomValues(hasher.input.subarray(0, 65536));
  hasher.input.copyWithin(65536, 0);
  const hash = perPage(PAGES, () => {
    for (let i = 0; i < PAGES; i += 256) hasher.hash(256);
  });
  return { read, hash };
}

if (import.meta.main) {
  let path = Deno.args[0];
  let tmp: string | undefined;
  if (path === undefined) {
    tmp = await Deno.makeTempDir({ prefix: "igvmmeasure-scaling-" });
    path = `${tmp}/scaling.igvm`;
    writeModel(largeModel(64, 0), path);
  }
  try {
    const fold = foldCosts();
    const { read, hash } = threadCosts(path);
    const f = (x: number) => x.toFixed(2).padStart(6);
    console.log(`Per 4 KiB page, µs of ${unit} time (median of ${ROUNDS} rounds):`);
    const rows: [string, number][] = [
      ["serial, main thread: fold a page without data", fold.empty],
      ["serial, main thread: fold a page hashed ahead", fold.hashed],
      ["parallel, per thread: read (1 MiB reads, page cache)", read],
      ["parallel, per thread: SHA-384 (WebAssembly, interleaved)", hash],
    ];
    for (const [label, us] of rows) console.log(`  ${label.padEnd(58)}${f(us)}`);
    const threads = (read + hash) / fold.hashed;
    console.log(
      `  hashing threads that keep the chain busy: (${f(read).trim()} + ${f(hash).trim()}) / ` +
        `${f(fold.hashed).trim()} = ${threads.toFixed(1)}`,
    );
  } finally {
    if (tmp) await Deno.remove(tmp, { recursive: true });
  }
}
