/**
 * Runs the shell and TypeScript examples of the README and of docs/, so that they stay true.
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
 *   Lines starting with `# ` are comments, also between commands.
 * - `<!-- test: cli -->`: a transcript run in an empty temporary folder where `testdata` links to
 *   the repository's, with an `igvmmeasure` command first on the `PATH` that runs `main.ts` with
 *   the release binaries' permissions (`--allow-read --allow-write`).
 * - `<!-- test: url -->`: a transcript run in a temporary folder holding `testdata/sample.igvm`,
 *   with `IGVMMEASURE_SRC` pointing at the repository served over loopback (tests/dist_helpers.ts
 *   `serveRepo`), a fresh `DENO_DIR` seeded with our npm packages, and `DENO_INSTALL_ROOT` in the
 *   temporary folder (its `bin/` first on the `PATH`), so nothing outside it is touched.
 * - `<!-- test: script -->`: the block is a script, run with `sh` in the repository root; it must
 *   exit 0. When it sets `pinned=<digest>`, it is also run with a different digest pinned and
 *   must then exit non-zero (the check really checks).
 * - A ```ts block right after a `<!-- test -->` line is run with `deno eval` in the repository
 *   root (so `./lib/mod.ts` resolves); it must exit 0, print nothing on stderr, and print exactly
 *   the ```text block that must follow it.
 *
 * Blocks without a marker (downloads, docker, placeholders such as `report.bin`) are not run.
 * The Markdown files read are {@link DOCS}; a Markdown file of the repository with a test marker
 * that is not in the list fails the test.
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

/** The Markdown files whose marked examples run, with the least number of marked blocks each has. */
const DOCS: Readonly<Record<string, number>> = {
  "README.md": 8,
  "docs/json.md": 1,
  "docs/attestation.md": 1,
};
const MARKER = /^<!-- test(?::\s*(\w+))? -->$/;
const README = Deno.readTextFileSync(new URL("README.md", ROOT));
const DENO_BIN = Deno.execPath().slice(0, Deno.execPath().lastIndexOf("/"));
const PATH = `${DENO_BIN}:${Deno.env.get("PATH") ?? ""}`;

/** A fenced block of a Markdown file. */
interface Block {
  file: string;
  lang: string;
  body: string;
  /** The `<!-- test... -->` marker before it, if any: "", "url", "cli" or "script". */
  marker?: string;
  line: number;
  /** The block right after this one (blank lines between), if any. */
  next?: Block;
}

function blocks(md: string, file: string): Block[] {
  const out: Block[] = [];
  const lines = md.split("\n");
  let previousEnd = -1;
  for (let i = 0; i < lines.length; i++) {
    const open = lines[i].match(/^```(\w*)\s*$/);
    if (!open) continue;
    let j = i + 1;
    while (j < lines.length && lines[j] !== "```") j++;
    let k = i - 1;
    while (k >= 0 && lines[k].trim() === "") k--;
    const m = k >= 0 ? lines[k].match(MARKER) : null;
    const block: Block = {
      file,
      lang: open[1],
      body: lines.slice(i + 1, j).join("\n"),
      marker: m ? (m[1] ?? "") : undefined,
      line: i + 1,
    };
    if (k === previousEnd && out.length) out[out.length - 1].next = block;
    out.push(block);
    previousEnd = j;
    i = j;
  }
  return out;
}

/** Repository paths of the Markdown files (hidden folders and build output left out). */
function markdownFiles(dir = ROOT, prefix = ""): string[] {
  const out: string[] = [];
  for (const e of Deno.readDirSync(dir)) {
    if (e.name.startsWith(".") || e.name === "dist" || e.name === "node_modules") continue;
    if (e.isDirectory) {
      out.push(...markdownFiles(new URL(`${e.name}/`, dir), `${prefix}${e.name}/`));
    } else if (e.name.endsWith(".md")) out.push(prefix + e.name);
  }
  return out.sort();
}

/** `$ command` lines and the output expected after each (`# ` lines are comments). */
function transcript(body: string): { cmd: string; expected: string[] }[] {
  const steps: { cmd: string; expected: string[] }[] = [];
  for (const line of body.split("\n")) {
    if (line.startsWith("# ")) continue;
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
    assertSuccess(r, `${b.file} line ${b.line}: ${step.cmd}`);
    if (step.expected.length) {
      assertEquals(r.stdout, step.expected.join("\n") + "\n", `${b.file}: ${step.cmd}`);
    }
  }
}

const all = blocks(README, "README.md");
const marked = Object.keys(DOCS).flatMap((file) =>
  blocks(Deno.readTextFileSync(new URL(file, ROOT)), file).filter((b) => b.marker !== undefined)
);

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
    marked.some((b) =>
      b.file === "README.md" && /measure -b\n[0-9A-F]{96}$/m.test(b.body) &&
      b.body.includes("sample.igvm")
    ),
    "a tested block of the README runs measure -b on testdata/sample.igvm",
  );
});

Deno.test("docs: every Markdown file with tested examples is read, none lost its examples", () => {
  const withMarkers = markdownFiles().filter((f) =>
    Deno.readTextFileSync(new URL(f, ROOT)).split("\n").some((l) => MARKER.test(l))
  );
  assertEquals(withMarkers, Object.keys(DOCS).sort(), "the files with test markers are DOCS");
  for (const [file, least] of Object.entries(DOCS)) {
    const n = marked.filter((b) => b.file === file).length;
    assertOk(n >= least, `${file}: ${n} tested blocks, fewer than ${least}`);
  }
});

/** Runs `b` as a transcript in a temporary folder with `testdata/` and an `igvmmeasure` command. */
async function runCliTranscript(b: Block): Promise<void> {
  await withTempDir(async (dir) => {
    await Deno.symlink(new URL("testdata", ROOT).pathname, `${dir}/testdata`);
    await Deno.mkdir(`${dir}/bin`);
    const main = new URL("main.ts", ROOT).pathname;
    await Deno.writeTextFile(
      `${dir}/bin/igvmmeasure`,
      `#!/bin/sh\nexec '${Deno.execPath()}' run --allow-read --allow-write '${main}' "$@"\n`,
      { mode: 0o755 },
    );
    await runTranscript(b, dir, { PATH: `${dir}/bin:${PATH}` });
  });
}

/** Runs a TypeScript block with `deno eval` and compares its output with the text block after it. */
async function runTypeScript(b: Block): Promise<void> {
  assertOk(
    b.next?.lang === "text",
    `${b.file} line ${b.line}: a text block with the output follows`,
  );
  const r = await run(Deno.execPath(), ["eval", "--ext=ts", b.body], { cwd: ROOT });
  assertSuccess(r, `${b.file} line ${b.line}`);
  assertEquals(r.stderr, "", `${b.file} line ${b.line}: stderr`);
  assertEquals(r.stdout, b.next.body + "\n", `${b.file} line ${b.line}: output`);
}

for (const b of marked) {
  const kind = b.lang === "ts" ? "ts" : b.marker || "transcript";
  const title = `${b.file} line ${b.line} (${kind}): ${b.body.split("\n")[0]}`;
  Deno.test(title, async () => {
    if (b.lang === "ts") {
      assertEquals(b.marker, "", "a tested ts block has the plain marker");
      await runTypeScript(b);
      return;
    }
    assertEquals(b.lang, "sh", "tested blocks are sh or ts");
    if (b.marker === "") {
      await runTranscript(b, ROOT);
    } else if (b.marker === "cli") {
      await runCliTranscript(b);
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
      assertSuccess(ok, `${b.file} line ${b.line} script`);
      const pin = b.body.match(/^pinned=([0-9A-F]{96})$/m);
      if (pin) {
        const other = pin[1].startsWith("0") ? "1" + pin[1].slice(1) : "0" + pin[1].slice(1);
        const bad = await sh(b.body.replace(pin[1], other), ROOT, {});
        assertOk(bad.code !== 0, "the pin check fails for another digest");
        assertOk(bad.stderr.includes("launch digest changed"), bad.stderr);
      }
    } else {
      throw new Error(`unknown test marker '${b.marker}' in ${b.file}`);
    }
  });
}
