/**
 * `deno task bench`: end-to-end speed and memory of `igvmmeasure <file> measure -b`,
 * against what the machine it runs on can do (bench/README.md explains the figures).
 *
 * 1. Generates, with the project's own serializer and into a temporary folder,
 *    an SEV-SNP IGVM file with 256 MiB of random 4 KiB pages, 64 MiB of pages
 *    without data, a few unmeasured pages and a VMSA.
 * 2. Measures it through the CLI (`deno run --allow-read main.ts FILE measure -b`,
 *    several runs, median) under `/usr/bin/time -v` for the peak RSS, runs
 *    interleaved with those of `main.ts --help` (the start-up), and divides
 *    the wall time by the floor measured in the same run: start-up + hashed
 *    bytes ÷ OpenSSL's SHA-384 rate on all cores (`openssl speed -multi
 *    <cores> -elapsed`, before and after the runs, averaged). Also compares the
 *    throughput with one core's OpenSSL rate.
 * 3. Does the same for a 1.7 MB file (the conformance corpus's
 *    `qemu-snp-ovmf-policy.igvm`, or a generated one), next to a minimal Deno
 *    script that only reads the file and hashes it once.
 *
 * Options: `--runs N` (large file, default 5), `--small-runs N` (default 9),
 * `--readme` (write the figures into bench/README.md's "## Latest figures"),
 * `--generate PATH` (only write the large file to PATH, for `bench/ablation.ts`).
 * Targets are reported, never asserted.
 *
 * @module
 */

import { coconut } from "../tests/measure_helpers.ts";
import {
  hashedBytes,
  HAVE_TIME,
  inProcessRss,
  largeModel,
  median,
  MiB,
  opensslMiBs,
  type Run,
  runDeno,
  writeModel,
} from "./bench_helpers.ts";

const ROOT = new URL("../", import.meta.url);
const MAIN = new URL("main.ts", ROOT).pathname;

function option(name: string, fallback: number): number {
  const i = Deno.args.indexOf(name);
  return i >= 0 ? Number(Deno.args[i + 1]) : fallback;
}
const RUNS = option("--runs", 5);
const SMALL_RUNS = option("--small-runs", 9);
const WRITE_README = Deno.args.includes("--readme");
const CORES = navigator.hardwareConcurrency;

const fmt = (x: number, d = 0) => x.toFixed(d);

/** The 1-minute load average (needs `--allow-sys=loadavg`), or "n/a". */
function loadAverage(): string {
  try {
    return Deno.loadavg()[0].toFixed(2);
  } catch {
    return "n/a";
  }
}

/** Runs `measure -b` on `path` and `--help`, interleaved, checking the digest. */
async function largeRuns(path: string, expected: string): Promise<{ runs: Run[]; help: Run[] }> {
  await runDeno(MAIN, ["--help"]); // warm the module cache
  const runs: Run[] = [];
  const help: Run[] = [];
  for (let i = 0; i < RUNS; i++) {
    help.push(await runDeno(MAIN, ["--help"]));
    const r = await runDeno(MAIN, [path, "measure", "-b"]);
    if (r.stdout !== expected) throw new Error(`wrong digest ${r.stdout}, expected ${expected}`);
    runs.push(r);
  }
  return { runs, help };
}

/** The large file: wall time against the floor and one core, peak RSS. */
async function largeFile(tmp: string, say: (s: string) => void): Promise<void> {
  const large = `${tmp}/large.igvm`;
  const t0 = performance.now();
  const model = largeModel(256, 64);
  const size = writeModel(model, large);
  const expected = coconut(model).digest.toHex().toUpperCase();
  console.log(
    `generated ${fmt(size / MiB, 1)} MiB file in ${fmt(performance.now() - t0)} ms (${large})`,
  );
  const hashed = hashedBytes(large);
  const allCores = { processes: CORES, elapsed: true, seconds: 2 };
  const loadBefore = loadAverage();
  const before = await opensslMiBs(allCores);
  const { runs, help } = await largeRuns(large, expected);
  const after = await opensslMiBs(allCores);
  const loadAfter = loadAverage();
  const oneCore = await opensslMiBs({ processes: 1, elapsed: false, seconds: 3 });

  const ms = median(runs.map((r) => r.ms));
  const startup = median(help.map((r) => r.ms));
  const rate = (before + after) / 2;
  const hashMs = (hashed / MiB / rate) * 1000;
  const floor = startup + hashMs;
  const rss = HAVE_TIME ? Math.max(...runs.map((r) => r.rssKiB)) : await inProcessRss(large);
  const mibs = hashed / MiB / (ms / 1000);
  say(`Large SNP file: ${fmt(size / MiB)} MiB (256 MiB random pages, 64 MiB pages without data,`);
  say(`  unmeasured pages, a VMSA), ${RUNS} runs interleaved with --help, median`);
  say(
    `  OpenSSL sha384, 4 KiB, ${CORES} processes: ${fmt(rate)} MiB/s wall clock ` +
      `(${fmt(before)} before, ${fmt(after)} after)`,
  );
  say(
    `  machine load (1-min average): ${loadBefore} before, ${loadAfter} after ` +
      "(the bench adds ≈ 1; more: other work competed for the cores)",
  );
  say(
    `  floor: start-up ${fmt(startup)} ms (main.ts --help) + ${fmt(hashed / MiB, 1)} MiB ` +
      `÷ ${fmt(rate)} MiB/s = ${fmt(startup)} + ${fmt(hashMs)} = ${fmt(floor)} ms`,
  );
  say(`  measure -b: ${fmt(ms)} ms wall = ${fmt(ms / floor, 2)}x the floor (target <= 1.5x)`);
  say(
    `  one core: ${fmt(mibs)} MiB/s of hashed page data = ${fmt((100 * mibs) / oneCore)} % ` +
      `of OpenSSL's ${fmt(oneCore)} MiB/s (1 process, CPU time)`,
  );
  say(
    `  peak RSS: ${fmt(rss / 1024)} MiB${
      HAVE_TIME ? "" : " (in-process Deno.memoryUsage, no /usr/bin/time)"
    } (target <= 160 MiB)`,
  );
}

/** The 1.7 MB file against a minimal script that reads it and hashes it once. */
async function smallFile(tmp: string, say: (s: string) => void): Promise<void> {
  const smallName = "qemu-snp-ovmf-policy.igvm";
  const small = new URL(`testdata/conformance/files/${smallName}`, ROOT).pathname;
  const smallSize = Deno.statSync(small).size;
  const smallHashed = hashedBytes(small);
  const baseline = `${tmp}/baseline.ts`;
  Deno.writeTextFileSync(
    baseline,
    'import { createHash } from "node:crypto";\n' +
      'console.log(createHash("sha384").update(Deno.readFileSync(Deno.args[0])).digest("hex"));\n',
  );
  const ours: Run[] = [];
  const base: Run[] = [];
  await runDeno(MAIN, [small, "measure", "-b", "-i"]); // warm the module cache
  await runDeno(baseline, [small]);
  for (let i = 0; i < SMALL_RUNS; i++) {
    ours.push(await runDeno(MAIN, [small, "measure", "-b", "-i"]));
    base.push(await runDeno(baseline, [small]));
  }
  const oursMs = median(ours.map((r) => r.ms));
  const baseMs = median(base.map((r) => r.ms));
  const oursRss = median(ours.map((r) => r.rssKiB));
  const baseRss = median(base.map((r) => r.rssKiB));
  say(
    `Small file: ${smallName} (${fmt(smallSize / MiB, 2)} MiB, ` +
      `${fmt(smallHashed / MiB, 2)} MiB hashed), ${SMALL_RUNS} runs each, interleaved, median`,
  );
  say(
    `  measure -b: ${fmt(oursMs)} ms wall, ` +
      `${fmt(smallHashed / MiB / (oursMs / 1000))} MiB/s of hashed page data, ` +
      `peak RSS ${fmt(oursRss / 1024)} MiB`,
  );
  say(
    `  minimal script (read + one SHA-384): ${fmt(baseMs)} ms wall, ` +
      `peak RSS ${fmt(baseRss / 1024)} MiB`,
  );
  say(`  ratio: ${fmt(oursMs / baseMs, 2)}x the minimal script (target <= 1.1x)`);
}

async function main() {
  const tmp = await Deno.makeTempDir({ prefix: "igvmmeasure-bench-" });
  const lines: string[] = [];
  const say = (s: string) => {
    console.log(s);
    lines.push(s);
  };
  try {
    await largeFile(tmp, say);
    await smallFile(tmp, say);
  } finally {
    await Deno.remove(tmp, { recursive: true });
  }
  if (WRITE_README) writeReadme(lines);
}

/** Replaces bench/README.md's "## Latest figures" section (the last one) with the figures. */
function writeReadme(lines: string[]) {
  const path = new URL("bench/README.md", ROOT);
  const readme = Deno.readTextFileSync(path);
  const host = `${Deno.build.os}/${Deno.build.arch}, ${CORES} cores, Deno ${Deno.version.deno}`;
  const section = "## Latest figures\n\n" +
    `\`deno task bench --readme\` on ${host}:\n\n` +
    "```\n" + lines.join("\n") + "\n```\n";
  const start = readme.indexOf("\n## Latest figures\n");
  const next = start < 0
    ? readme.trimEnd() + "\n\n" + section
    : readme.slice(0, start + 1) + section;
  Deno.writeTextFileSync(path, next);
  // Keep `deno fmt --check` clean.
  new Deno.Command(Deno.execPath(), { args: ["fmt", "--quiet", path.pathname] }).outputSync();
  console.log("bench/README.md: figures updated");
}

if (import.meta.main) {
  const g = Deno.args.indexOf("--generate");
  if (g >= 0) writeModel(largeModel(256, 64), Deno.args[g + 1]);
  else await main();
}
