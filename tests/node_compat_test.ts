/**
 * The library runs where lib/mod.ts says it runs: `lib/mod.ts` bundled by
 * `deno bundle` (for Node.js, and for browsers) and loaded by the system `node`
 * (20 on the project's machines, which lacks `Uint8Array.prototype.toHex`,
 * `fromBase64` and `Promise.withResolvers`) parses a conformance file and
 * measures it with `measureCoconut`, giving the digest the original igvmmeasure
 * printed (expected.json). The browser bundle runs with
 * `process.getBuiltinModule` removed, as in a browser or Node.js before 20.16:
 * hashing then falls back to `@noble/hashes`.
 *
 * Skipped, saying why, when `node` is not on PATH or the conformance file is
 * not there.
 */

import { assertEquals, assertOk } from "./assert.ts";

const ROOT = new URL("../", import.meta.url);
/** The conformance file measured, and where to look for it and expected.json (first found wins). */
const FILE = "qemu-snp-policy.igvm";
const CORPUS_DIRS = [
  new URL("testdata/conformance/", ROOT),
  new URL("../shared/conformance/", ROOT),
];

function exists(url: URL): boolean {
  try {
    return Deno.statSync(url).isFile;
  } catch {
    return false;
  }
}

/** The corpus folder holding expected.json and the file (directly or under files/), if any. */
function corpus(): { file: string; expected: URL } | undefined {
  for (const dir of CORPUS_DIRS) {
    const expected = new URL("expected.json", dir);
    for (const file of [new URL(`files/${FILE}`, dir), new URL(FILE, dir)]) {
      if (exists(expected) && exists(file)) return { file: file.pathname, expected };
    }
  }
  return undefined;
}

function nodeVersion(): string | undefined {
  try {
    const r = new Deno.Command("node", { args: ["--version"], stdout: "piped", stderr: "null" })
      .outputSync();
    return r.success ? new TextDecoder().decode(r.stdout).trim() : undefined;
  } catch {
    return undefined; // not on PATH
  }
}

/** What the original igvmmeasure printed for `FILE measure -b`. */
function expectedDigest(expected: URL): string {
  const cases: { tool: string; args: string[]; stdout: string }[] =
    JSON.parse(Deno.readTextFileSync(expected)).cases;
  const c = cases.find((c) =>
    c.tool === "igvmmeasure" && c.args.join(" ") === `${FILE} measure -b`
  );
  if (c === undefined) throw new Error(`${expected.pathname} has no '${FILE} measure -b' case`);
  return c.stdout.trim();
}

async function run(cmd: string, args: string[]): Promise<string> {
  const r = await new Deno.Command(cmd, {
    args,
    cwd: ROOT.pathname,
    stdout: "piped",
    stderr: "piped",
    env: { NO_COLOR: "1", RUST_BACKTRACE: "0" },
  }).output();
  const out = new TextDecoder().decode(r.stdout);
  if (!r.success) {
    throw new Error(
      `${cmd} ${args.join(" ")} exited ${r.code}\n${out}${new TextDecoder().decode(r.stderr)}`,
    );
  }
  return out;
}

/** A Node.js program: loads the bundle, parses and measures the file, prints the digest. */
const RUNNER = `
import { readFileSync } from "node:fs";
const [bundle, igvm] = process.argv.slice(2);
const lib = await import(bundle);
const { digest } = lib.measureCoconut(lib.parseIgvm(readFileSync(igvm)));
console.log(lib.toHex(digest).toUpperCase());
`;

/** Preloaded before the browser bundle: no \`process.getBuiltinModule\`, as in a browser. */
const NO_BUILTIN_MODULE = "data:text/javascript,delete process.getBuiltinModule;" +
  "if (process.getBuiltinModule) throw new Error('process.getBuiltinModule is still there');";

const node = nodeVersion();
const found = corpus();
const why = node === undefined
  ? "skipped: node is not on PATH"
  : found === undefined
  ? `skipped: ${FILE} and expected.json are in none of ${CORPUS_DIRS.map((d) => d.pathname)}`
  : `node ${node}`;

Deno.test({
  name: `node compat: the bundled library measures ${FILE} under node (${why})`,
  ignore: node === undefined || found === undefined,
  async fn() {
    const { file, expected } = found!;
    const want = expectedDigest(expected);
    const dir = await Deno.makeTempDir({ prefix: "igvmmeasure-node-" });
    try {
      const runner = `${dir}/runner.mjs`;
      await Deno.writeTextFile(runner, RUNNER);
      for (const platform of ["node", "browser"]) {
        const bundle = `${dir}/lib_${platform}.mjs`;
        await run(Deno.execPath(), [
          "bundle",
          "--quiet",
          "--frozen-lockfile",
          `--platform=${platform}`,
          "-o",
          bundle,
          "lib/mod.ts",
        ]);
        const text = await Deno.readTextFile(bundle);
        assertOk(!/\bDeno\.\w/.test(text.replace(/"Deno" in globalThis/g, "")), "no Deno API");
        const preload = platform === "browser" ? ["--import", NO_BUILTIN_MODULE] : [];
        const got = await run("node", [...preload, runner, bundle, file]);
        assertEquals(got.trim(), want, `${platform} bundle under node ${node}`);
      }
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  },
});
