/**
 * The library runs where lib/mod.ts says it runs: `lib/mod.ts` bundled by
 * `deno bundle` (for Node.js, and for browsers) and loaded by the system `node`
 * (20 on the project's machines, which lacks `Uint8Array.prototype.toHex`,
 * `fromBase64` and `Promise.withResolvers`) parses a conformance file and
 * measures it with `measure` (the original igvmmeasure's rules), giving the digest the original igvmmeasure
 * printed (expected.json). The browser bundle runs with
 * `process.getBuiltinModule` removed, as in a browser or Node.js before 20.16:
 * hashing then falls back to `@noble/hashes`.
 *
 * Skipped, saying why, when `node` is not on PATH or the conformance file is
 * not there.
 */

import { assertEquals, assertOk } from "./assert.ts";
import { isFile } from "./conformance_helpers.ts";

const ROOT = new URL("../", import.meta.url);
/** The conformance file measured, and where to look for it and expected.json (first found wins). */
const FILE = "qemu-snp-policy.igvm";
const CORPUS_DIRS = [
  new URL("testdata/conformance/", ROOT),
  new URL("../shared/conformance/", ROOT),
];

/** The corpus folder holding expected.json and the file (directly or under files/), if any. */
function corpus(): { file: string; expected: URL } | undefined {
  for (const dir of CORPUS_DIRS) {
    const expected = new URL("expected.json", dir);
    for (const file of [new URL(`files/${FILE}`, dir), new URL(FILE, dir)]) {
      if (isFile(expected) && isFile(file)) return { file: file.pathname, expected };
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
const { digest } = lib.measure(lib.parseIgvm(readFileSync(igvm)), { platform: "sev-snp" });
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

/** A Node.js program: verifies AMD's Milan report with its VCEK at a fixed time, prints the result. */
const ATTESTATION_RUNNER = `
import { readFileSync } from "node:fs";
const [bundle, report, vcek] = process.argv.slice(2);
const lib = await import(bundle);
const r = await lib.verifyAttestation(readFileSync(report), {
  vcek: readFileSync(vcek),
  at: new Date("2026-06-01T00:00:00Z"),
});
console.log(JSON.stringify({ verified: r.verified, text: lib.attestationText("milan", r) }));
`;

const VECTORS = new URL("testdata/vectors/tee-attestation-verification/", ROOT);

Deno.test({
  name: `node compat: the bundled attestation library verifies AMD's Milan report under node (${
    node === undefined ? "skipped: node is not on PATH" : `node ${node}`
  })`,
  ignore: node === undefined,
  async fn() {
    const report = new URL("milan_attestation_report.bin", VECTORS).pathname;
    const vcek = new URL("milan_vcek.pem", VECTORS).pathname;
    const lib = await import("../lib/verify/attestation/mod.ts");
    const here = await lib.verifyAttestation(Deno.readFileSync(report), {
      vcek: Deno.readFileSync(vcek),
      at: new Date("2026-06-01T00:00:00Z"),
    });
    assertEquals(here.verified, true, "AMD's report verifies in Deno");
    const dir = await Deno.makeTempDir({ prefix: "igvmmeasure-node-" });
    try {
      const runner = `${dir}/runner.mjs`;
      await Deno.writeTextFile(runner, ATTESTATION_RUNNER);
      const bundle = `${dir}/attestation.mjs`;
      await run(Deno.execPath(), [
        "bundle",
        "--quiet",
        "--frozen-lockfile",
        "--platform=node",
        "-o",
        bundle,
        "lib/verify/attestation/mod.ts",
      ]);
      const got = JSON.parse(await run("node", [runner, bundle, report, vcek]));
      assertEquals(got, { verified: true, text: lib.attestationText("milan", here) });
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  },
});

Deno.test("node compat: lib/ outside lib/cli calls no Uint8Array method newer than Node.js 20", async () => {
  // Node.js 20 has neither Uint8Array.prototype.toHex/toBase64 nor Uint8Array.fromHex/fromBase64:
  // the library goes through lib/encoding.ts. Comments (JSDoc examples run in Deno) are exempt.
  const newer = /\.(toHex|toBase64)\(|Uint8Array\.(fromHex|fromBase64)\(|Promise\.withResolvers/;
  const offenders: string[] = [];
  const walk = async (dir: URL): Promise<void> => {
    for await (const e of Deno.readDir(dir)) {
      const url = new URL(e.name + (e.isDirectory ? "/" : ""), dir);
      if (e.isDirectory && e.name !== "cli") await walk(url);
      if (!e.isFile || !e.name.endsWith(".ts") || e.name === "encoding.ts") continue;
      (await Deno.readTextFile(url)).split("\n").forEach((line, i) => {
        const code = line.trim();
        if (code.startsWith("*") || code.startsWith("//") || code.startsWith("/*")) return;
        if (newer.test(code)) offenders.push(`${url.pathname.split("/lib/")[1]}:${i + 1}: ${code}`);
      });
    }
  };
  await walk(new URL("lib/", ROOT));
  assertEquals(offenders, []);
});
