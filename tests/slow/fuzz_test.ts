/**
 * Seeded mutation fuzzing of the parser, the measurements, the serializer and
 * the CLI. Every mutant must end in a result or in one of the project's typed
 * errors with a one-line message.
 *
 * - `IGVM_FUZZ_COUNT`: number of mutants (default 5000).
 * - `IGVM_FUZZ_SEED`: the seed (default fixed, so CI is deterministic).
 * - `IGVM_FUZZ_ONLY`: run only this mutant index (to reproduce a failure).
 *
 * A failure prints the seed and mutant index, the mutation steps, and writes
 * the mutant to a temporary file.
 *
 * @module
 */

import { assertOk } from "../assert.ts";
import { envInt, mutantSeed, Rng } from "../fuzz_helpers.ts";
import { builtSeeds, conformanceSeeds, mutate, type Seed } from "../fuzz_corpus.ts";
import { cliArgSets, runCliOn, runLibrary } from "../fuzz_run.ts";

const DEFAULT_SEED = 0x1c6d2025;
const SEED = envInt("IGVM_FUZZ_SEED", DEFAULT_SEED);
const COUNT = envInt("IGVM_FUZZ_COUNT", 5000);
const ONLY = Deno.env.get("IGVM_FUZZ_ONLY");
/** A case running longer than this is reported as a hang (generous: CI machines are slow). */
/** Every n-th mutant also goes through the CLI in-process. */
const CLI_EVERY = 25;

const { small, large } = conformanceSeeds();
const built = builtSeeds();

function pickSeed(r: Rng): Seed {
  if (large.length > 0 && r.chance(0.03)) return r.pick(large);
  if (small.length === 0 || r.chance(0.45)) return r.pick(built);
  return r.pick(small);
}

/** Derives mutant `index` of `seed`: the same input every time. */
export function deriveMutant(seed: number, index: number) {
  const r = new Rng(mutantSeed(seed, index));
  const base = pickSeed(r);
  const { bytes, steps } = mutate(base.bytes, r);
  return { r, base, bytes, steps };
}

Deno.test({
  name: `fuzz: ${COUNT} IGVM mutants (seed 0x${SEED.toString(16)}) parse, measure, serialize, CLI`,
  permissions: { read: true, write: true, env: true },
  async fn() {
    assertOk(small.length > 0, "conformance files not found");
    const dir = await Deno.makeTempDir({ prefix: "igvm-fuzz-" });
    const dirUrl = new URL(`file://${dir}/`);
    const argSets = cliArgSets();
    const failures: string[] = [];
    const indexes = ONLY !== undefined ? [Number(ONLY)] : [...Array(COUNT).keys()];
    const started = performance.now();
    let cliRuns = 0;
    try {
      for (const i of indexes) {
        const { r, base, bytes, steps } = deriveMutant(SEED, i);
        const problems = runLibrary(bytes);
        if (i % CLI_EVERY === 0 || ONLY !== undefined) {
          const name = `m${i}.igvm`;
          await Deno.writeFile(new URL(name, dirUrl), bytes);
          const sets = ONLY !== undefined ? argSets : [r.pick(argSets), r.pick(argSets)];
          for (const args of sets) {
            problems.push(...await runCliOn(dirUrl, name, args));
            cliRuns++;
          }
          await Deno.remove(new URL(name, dirUrl));
        }
        if (problems.length > 0) {
          const saved = await Deno.makeTempFile({ prefix: `igvm-fuzz-${i}-`, suffix: ".igvm" });
          await Deno.writeFile(saved, bytes);
          failures.push(
            `mutant ${i} (reproduce: IGVM_FUZZ_SEED=${SEED} IGVM_FUZZ_ONLY=${i}) of ${base.name} ` +
              `[${steps.join("; ")}] saved to ${saved}:\n  ${problems.join("\n  ")}`,
          );
          if (failures.length >= 20) break;
        }
      }
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
    const seconds = ((performance.now() - started) / 1000).toFixed(1);
    console.log(
      `fuzz: ${indexes.length} mutants, ${cliRuns} CLI runs, seed 0x${
        SEED.toString(16)
      }, ${seconds} s`,
    );
    assertOk(
      failures.length === 0,
      `fuzz seed ${SEED} (0x${SEED.toString(16)}): ${failures.length} failing mutants\n${
        failures.join("\n")
      }`,
    );
  },
});
