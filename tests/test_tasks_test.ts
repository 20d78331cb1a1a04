/**
 * The two test tasks of deno.json split the test files between them: every test file of the
 * repository is run by exactly one of `deno task test` (the fast suite, the README's command)
 * and `deno task test:slow` (the slow suites, in tests/slow/), and both grant the same
 * permissions. `.ci/run` runs both.
 *
 * @module
 */

import { assertEquals, assertOk } from "./assert.ts";

const ROOT = new URL("../", import.meta.url);
const tasks: Record<string, string> = JSON.parse(
  Deno.readTextFileSync(new URL("deno.json", ROOT)),
).tasks;

/** The file names `deno test` takes as tests when given a folder. */
const TEST_FILE = /(^|[_.])test\.(ts|tsx|mts|js|mjs|jsx)$/;

/** A `deno test ...` task: its permission flags, the paths it runs, the paths it ignores. */
function parseTask(task: string): { flags: string[]; paths: string[]; ignore: string[] } {
  const words = task.split(/\s+/);
  assertEquals(words.slice(0, 2), ["deno", "test"], task);
  const flags: string[] = [];
  const paths: string[] = [];
  const ignore: string[] = [];
  for (const w of words.slice(2)) {
    if (w.startsWith("--ignore=")) ignore.push(...w.slice("--ignore=".length).split(","));
    else if (w.startsWith("-")) flags.push(w);
    else paths.push(w);
  }
  return { flags, paths: paths.length ? paths : ["."], ignore };
}

/** Repository paths of the test files (hidden folders and build output left out). */
function testFiles(dir = ROOT, prefix = ""): string[] {
  const out: string[] = [];
  for (const e of Deno.readDirSync(dir)) {
    if (e.name.startsWith(".") || e.name === "dist" || e.name === "node_modules") continue;
    if (e.isDirectory) out.push(...testFiles(new URL(`${e.name}/`, dir), `${prefix}${e.name}/`));
    else if (TEST_FILE.test(e.name)) out.push(prefix + e.name);
  }
  return out.sort();
}

/** Whether repository path `file` is `path` or lies under it. */
function under(file: string, path: string): boolean {
  const p = path.replace(/^\.\/?/, "").replace(/\/$/, "");
  return p === "" || file === p || file.startsWith(`${p}/`);
}

function runs(task: { paths: string[]; ignore: string[] }, file: string): boolean {
  return task.paths.some((p) => under(file, p)) && !task.ignore.some((p) => under(file, p));
}

Deno.test("test tasks: every test file runs in exactly one of `test` and `test:slow`", () => {
  const fast = parseTask(tasks.test);
  const slow = parseTask(tasks["test:slow"]);
  assertEquals(slow.flags, fast.flags, "same permissions");
  const files = testFiles();
  const inFast = files.filter((f) => runs(fast, f));
  const inSlow = files.filter((f) => runs(slow, f));
  assertEquals(files.filter((f) => runs(fast, f) === runs(slow, f)), [], "in both or in neither");
  assertOk(inFast.includes("tests/test_tasks_test.ts"), "this file is in the fast suite");
  assertOk(
    inSlow.length > 0 && inSlow.every((f) => f.startsWith("tests/slow/")),
    "slow = tests/slow/",
  );
});

Deno.test("test tasks: .ci/run runs both", () => {
  const lines = Deno.readTextFileSync(new URL(".ci/run", ROOT)).split("\n");
  for (const task of ["test", "test:slow"]) {
    assertOk(
      lines.some((l) => l.startsWith(`deno task ${task} `)),
      `.ci/run runs deno task ${task}`,
    );
  }
});
