/**
 * Runs the README's shell examples, so that they stay true.
 *
 * Which blocks run, and how:
 *
 * - The README's first ```sh block (its first two lines) is always checked. Line 1 is run as
 *   written, except that `npm install -g deno@2.9.6 &&` is left out when the running Deno is
 *   already 2.9.6 (as the README says); its output must be the full `measure` output of the
 *   sample. Line 2 (`deno task test`, the fast suite) is not run from here: the test checks that
 *   it is the command `.ci/run` runs (CI running `.ci/run` runs it) and that the task exists, and
 *   that the README also names the slow suites' task, `deno task test:slow` (this file is one).
 * - A ```sh block right after a `<!-- test -->` line (blank lines between are allowed) is a
 *   transcript: each `$ command` line is run with `sh -c` in the repository root, must exit 0,
 *   and must print exactly the lines that follow it up to the next `$` line (when there are any).
 * - `<!-- test: url -->`: the same, in a temporary folder holding `testdata/sample.igvm`, with
 *   `IGVMMEASURE_SRC` pointing at the repository served over loopback (tests/dist_helpers.ts
 *   `serveRepo`), a fresh `DENO_DIR` seeded with our npm packages, and `DENO_INSTALL_ROOT` in the
 *   temporary folder (its `bin/` first on the `PATH`), so nothing outside it is touched.
 * - `<!-- test: script -->`: the block is a script, run with `sh` in the repository root; it must
 *   exit 0. When it sets `pinned=<digest>`, it is also run with a different digest pinned and
 *   must then exit non-zero (the check really checks).
 *
 * Blocks without a marker (downloads, docker) are not run.
 */

import { assertEquals, assertOk } from "../assert.ts";
import {
  assertSuccess,
  type Output,
  ROOT,
  run,
  seedNpmCache,
  serveRepo,
  withTempDir,
} from "../dist_helpers.ts";

const README = Deno.readTextFileSync(new URL("README.md", ROOT));
const DENO_BIN = Deno.execPath().slice(0, Deno.execPath().lastIndexOf("/"));
const PATH = `${DENO_BIN}:${Deno.env.get("PATH") ?? ""}`;

/** A fenced block of the README. */
interface Block {
  lang: string;
  body: string;
  /** The `<!-- test... -->` marker before it, if any: "", "url" or "script". */
  marker?: string;
  line: number;
}

function blocks(md: string): Block[] {
  const out: Block[] = [];
  const lines = md.split("\n");
  for (let i = 0; i < lines.length; i++) {
    const open = lines[i].match(/^```(\w*)\s*$/);
    if (!open) continue;
    let j = i + 1;
    while (j < lines.length && lines[j] !== "```") j++;
    let k = i - 1;
    while (k >= 0 && lines[k].trim() === "") k--;
    const m = k >= 0 ? lines[k].match(/^<!-- test(?::\s*(\w+))? -->$/) : null;
    out.push({
      lang: open[1],
      body: lines.slice(i + 1, j).join("\n"),
      marker: m ? (m[1] ?? "") : undefined,
      line: i + 1,
    });
    i = j;
  }
  return out;
}

/** `$ command` lines and the output expected after each. */
function transcript(body: string): { cmd: string; expected: string[] }[] {
  const steps: { cmd: string; expected: string[] }[] = [];
  for (const line of body.split("\n")) {
    if (line.startsWith("$ ")) steps.push({ cmd: line.slice(2), expected: [] });
    else if (steps.length) steps[steps.length - 1].expected.push(line);
    else throw new Error(`transcript starts without '$ ': ${line}`);
  }
  return steps;
}

function sh(script: string, cwd: string | URL, env: Record<string, string>): Promise<Output> {
  return run("sh", ["-c", script], { cwd, env: { PATH, ...env } });
}

async function runTranscript(
  b: Block,
  cwd: string | URL,
  env: Record<string, string> = {},
): Promise<void> {
  for (const step of transcript(b.body)) {
    const r = await sh(step.cmd, cwd, env);
    assertSuccess(r, `README line ${b.line}: ${step.cmd}`);
    if (step.expected.length) {
      assertEquals(r.stdout, step.expected.join("\n") + "\n", `README: ${step.cmd}`);
    }
  }
}

const all = blocks(README);
const marked = all.filter((b) => b.marker !== undefined);

Deno.test("readme: the first two lines (run the sample, run the tests)", async () => {
  const first = all.find((b) => b.lang === "sh");
  assertOk(first, "README has a sh block");
  const [line1, line2] = first.body.split("\n");
  const install = "npm install -g deno@2.9.6 && ";
  assertOk(line1.startsWith(install), line1);
  // The install step is not run here (a test must not install software); .ci/run installs Deno
  // 2.9.6 the same way before it runs the suite.
  const cmd = line1.slice(install.length);
  const r = await sh(cmd, ROOT, {});
  assertSuccess(r, cmd);
  assertEquals(
    r.stdout,
    "\n" + "=".repeat(111) + "\nigvmmeasure 'testdata/sample.igvm'\nLaunch Digest: " +
      "C3EF3ED4D764B9DC1C6F6CB5641A5C51DBA1603D884BCB8935F9F7CD9F81D285AAE34250786DECFBFAB324D067B2B618" +
      "\n" + "=".repeat(111) + "\n\n",
  );

  assertEquals(line2, "deno task test");
  const ci = Deno.readTextFileSync(new URL(".ci/run", ROOT));
  assertOk(ci.split("\n").some((l) => l.startsWith("deno task test ")), ".ci/run runs it");
  const tasks = JSON.parse(Deno.readTextFileSync(new URL("deno.json", ROOT))).tasks;
  assertOk(typeof tasks.test === "string" && tasks.test.startsWith("deno test "), tasks.test);
  // The slow suites' task (tests/test_tasks_test.ts checks the split and that .ci/run runs both).
  assertOk(README.includes("`deno task test:slow`"), "the README names the slow suites' task");
});

Deno.test("readme: has the measure -b example on testdata/sample.igvm under test", () => {
  assertOk(
    marked.some((b) => /measure -b\n[0-9A-F]{96}$/m.test(b.body) && b.body.includes("sample.igvm")),
    "a tested block runs measure -b on testdata/sample.igvm",
  );
  assertOk(marked.length >= 4, `tested blocks: ${marked.length}`);
});

for (const b of marked) {
  const title = `readme line ${b.line} (${b.marker || "transcript"}): ${b.body.split("\n")[0]}`;
  Deno.test(title, async () => {
    assertEquals(b.lang, "sh", "tested blocks are sh");
    if (b.marker === "") {
      await runTranscript(b, ROOT);
    } else if (b.marker === "url") {
      const server = serveRepo();
      try {
        await withTempDir(async (dir) => {
          await Deno.mkdir(`${dir}/testdata`);
          await Deno.copyFile(new URL("testdata/sample.igvm", ROOT), `${dir}/testdata/sample.igvm`);
          await Deno.mkdir(`${dir}/deno_dir`);
          await seedNpmCache(`${dir}/deno_dir`);
          await runTranscript(b, dir, {
            IGVMMEASURE_SRC: server.base.replace(/\/$/, ""),
            DENO_DIR: `${dir}/deno_dir`,
            DENO_INSTALL_ROOT: `${dir}/install`,
            PATH: `${dir}/install/bin:${PATH}`,
          });
        });
      } finally {
        await server.close();
      }
    } else if (b.marker === "script") {
      const ok = await sh(b.body, ROOT, {});
      assertSuccess(ok, `README line ${b.line} script`);
      const pin = b.body.match(/^pinned=([0-9A-F]{96})$/m);
      if (pin) {
        const other = pin[1].startsWith("0") ? "1" + pin[1].slice(1) : "0" + pin[1].slice(1);
        const bad = await sh(b.body.replace(pin[1], other), ROOT, {});
        assertOk(bad.code !== 0, "the pin check fails for another digest");
        assertOk(bad.stderr.includes("launch digest changed"), bad.stderr);
      }
    } else {
      throw new Error(`unknown README test marker '${b.marker}'`);
    }
  });
}
