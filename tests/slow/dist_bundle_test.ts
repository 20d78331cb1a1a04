/**
 * `deno task bundle`: the single-file bundle is self-contained. It is built (with the bundle
 * task's own command, into a temporary folder), then run with an EMPTY `DENO_DIR`,
 * `--cached-only` and no config: measuring a conformance file gives expected.json's digest (the
 * same as main.ts), and `sign` (loaded by a dynamic import in lib/cli/run.ts, which the bundler
 * inlines) writes the byte-identical signed file, and `report` (also a dynamic import) verifies
 * a real attestation report with the built-in AMD roots.
 */

import { assertEquals, assertOk } from "../assert.ts";
import { FILES, runInProcess } from "../conformance_helpers.ts";
import { runCli } from "../../lib/cli/run.ts";
import {
  assertSuccess,
  CONFORMANCE_FILE,
  deno,
  expectedBareDigest,
  expectedSignedSha256,
  ROOT,
  sha256File,
  signArgs,
  withTempDir,
  writeLargeIgvm,
} from "../dist_helpers.ts";

/** The `bundle` task's arguments, with its `-o dist/igvmmeasure.js` replaced by `out`. */
function bundleArgs(out: string): string[] {
  const task: string = JSON.parse(Deno.readTextFileSync(new URL("deno.json", ROOT))).tasks.bundle;
  const args = task.split(/\s+/);
  assertEquals(args.slice(0, 2), ["deno", "bundle"], "bundle task runs deno bundle");
  const o = args.indexOf("-o");
  assertEquals(args[o + 1], "dist/igvmmeasure.js", "bundle task writes dist/igvmmeasure.js");
  args[o + 1] = out;
  return args.slice(1);
}

Deno.test("dist bundle: self-contained, measures and signs with an empty DENO_DIR", async () => {
  await withTempDir(async (dir) => {
    const bundle = `${dir}/igvmmeasure.js`;
    assertSuccess(await deno(bundleArgs(bundle), { cwd: ROOT }), "deno bundle");
    const text = await Deno.readTextFile(bundle);
    assertOk(!/(from\s*|import\s*\(\s*)["'](npm|jsr|https?):/.test(text), "no external imports");
    // The dynamically imported sign command is inlined (its success message is its own).
    assertOk(text.includes("Successfully created signed file"), "sign is inlined");

    const empty = `${dir}/deno_dir`;
    const cwd = `${dir}/cwd`;
    await Deno.mkdir(empty);
    await Deno.mkdir(cwd);
    const env = { DENO_DIR: empty };
    const base = ["run", "--cached-only", "--no-config", "--no-lock"];

    // measure
    const m = await deno([...base, "--allow-read", bundle, CONFORMANCE_FILE, "measure", "-b"], {
      cwd,
      env,
    });
    assertSuccess(m, "bundle measure");
    assertEquals(m.stdout, expectedBareDigest());
    const inProcess = await runInProcess(["qemu-snp-policy.igvm", "measure", "-b"], FILES);
    assertEquals(m.stdout, inProcess.stdout, "same digest as main.ts");

    // sign: the dynamic import of sign_command.ts works from the bundle
    const out = `${cwd}/signed.igvm`;
    const s = await deno([
      ...base,
      "--allow-read",
      `--allow-write=${cwd}`,
      bundle,
      ...signArgs(out),
    ], { cwd, env });
    assertSuccess(s, "bundle sign");
    assertEquals(s.stdout, `Successfully created signed file: ${out}\n`);
    assertEquals(await sha256File(out), expectedSignedSha256(), "signed file SHA-256");

    // report: the X.509 reader and AMD's built-in roots (a dynamic import) verify a real report.
    const vectors = new URL("testdata/vectors/tee-attestation-verification/", ROOT).pathname;
    const rep = await deno([
      ...base,
      "--allow-read",
      bundle,
      `${vectors}milan_attestation_report.bin`,
      "report",
      "--vcek",
      `${vectors}milan_vcek.pem`,
      "--at",
      "2026-06-01T00:00:00Z",
    ], { cwd, env });
    assertSuccess(rep, "bundle report");
    assertOk(
      rep.stdout.endsWith("Result: verified (a genuine AMD SEV-SNP report; every check passed)\n"),
    );

    // Nothing was downloaded into the empty DENO_DIR: no npm or remote module cache.
    const cached = [...Deno.readDirSync(empty)].map((e) => e.name);
    assertOk(!cached.includes("npm") || [...Deno.readDirSync(`${empty}/npm`)].length === 0, "npm");
    assertOk(!cached.includes("remote"), `remote modules: ${cached}`);
  });
});

/**
 * lib/cli/parallel_hash.ts hashes the pages of large files in workers started with
 * `new Worker(new URL("./hash_worker.ts", import.meta.url))`. `deno bundle` does not bundle worker
 * modules, so from the bundle that URL points at a missing `hash_worker.ts` beside it: the CLI then
 * starts no workers and the main thread does all the hashing (same digest, nothing on stderr).
 */
async function bundleOnLargeFile(): Promise<{ stdout: string; stderr: string; expected: string }> {
  return await withTempDir(async (dir) => {
    const bundle = `${dir}/igvmmeasure.js`;
    assertSuccess(await deno(bundleArgs(bundle), { cwd: ROOT }), "deno bundle");
    const big = `${dir}/large.igvm`;
    await writeLargeIgvm(big);
    let expected = "";
    const code = await runCli([big, "measure", "-b"], {
      stdout: (t) => (expected += t),
      stderr: () => {},
    });
    assertEquals(code, 0);
    await Deno.mkdir(`${dir}/deno_dir`);
    const r = await deno(
      [
        "run",
        "--cached-only",
        "--no-config",
        "--no-lock",
        "--allow-read",
        bundle,
        big,
        "measure",
        "-b",
      ],
      { cwd: dir, env: { DENO_DIR: `${dir}/deno_dir` } },
    );
    assertSuccess(r, "bundle measure of a large file");
    return { stdout: r.stdout, stderr: r.stderr, expected };
  });
}

Deno.test("dist bundle: a large file (worker-thread hashing) gives main.ts's digest", async () => {
  const r = await bundleOnLargeFile();
  assertEquals(r.stdout, r.expected);
});

Deno.test("dist bundle: a large file prints nothing on stderr (no worker module beside the bundle)", async () => {
  const r = await bundleOnLargeFile();
  assertEquals(r.stderr, "");
});
