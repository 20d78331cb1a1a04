/**
 * `deno task compile` (scripts/compile.ts) for the host target: the binary measures a conformance
 * file to expected.json's digest and signs it byte-identically with its baked-in
 * `--allow-read --allow-write`; a `--read-only` binary measures but cannot write.
 *
 * `deno compile` needs the prebuilt `denort` runtime of the target. The test runs when one is on
 * this machine (`DENORT_BIN`, or `denort-<target>.zip` in Deno's cache) and is ignored otherwise,
 * with the reason in its name: Deno would download the runtime, which a machine without access to
 * Deno's download server cannot.
 */

import { assertEquals, assertMatch } from "../assert.ts";
import {
  assertSuccess,
  CONFORMANCE_FILE,
  expectedBareDigest,
  expectedSignedSha256,
  run,
  sha256File,
  signArgs,
  withTempDir,
  writeLargeIgvm,
} from "../dist_helpers.ts";
import {
  binaryName,
  compileTarget,
  localRuntime,
  READ_ONLY_PERMISSIONS,
} from "../../scripts/compile.ts";

const target = Deno.build.target;
const runtime = await localRuntime(target);

Deno.test({
  name: runtime
    ? `dist compile: ${target} binary measures and signs (runtime ${runtime})`
    : `dist compile: ${target} binary (skipped: no denort runtime here; set DENORT_BIN or put ` +
      `denort-${target}.zip in Deno's cache)`,
  ignore: runtime === undefined,
  async fn() {
    await withTempDir(async (dir) => {
      const bin = `${dir}/${binaryName(target)}`;
      const c = await compileTarget(target, bin);
      assertEquals(c.code, 0, c.stderr);

      const m = await run(bin, [CONFORMANCE_FILE, "measure", "-b"], { cwd: dir });
      assertSuccess(m, "compiled measure");
      assertEquals(m.stdout, expectedBareDigest());

      const out = `${dir}/signed.igvm`;
      const s = await run(bin, signArgs(out), { cwd: dir });
      assertSuccess(s, "compiled sign");
      assertEquals(await sha256File(out), expectedSignedSha256());

      // A large file: pages hashed by the worker (included with --include); same digest as the
      // bundle-free in-process path, and nothing on stderr.
      const big = `${dir}/large.igvm`;
      await writeLargeIgvm(big);
      const ref = await run(Deno.execPath(), [
        "run",
        "--allow-read",
        new URL("../../main.ts", import.meta.url).pathname,
        big,
        "measure",
        "-b",
      ]);
      const l = await run(bin, [big, "measure", "-b"], { cwd: dir });
      assertSuccess(l, "compiled measure of a large file");
      assertEquals(l.stdout, ref.stdout);
      assertEquals(l.stderr, "");

      // A read-only build measures, and its sign fails without leaving a file behind.
      const ro = `${dir}/ro-${binaryName(target)}`;
      const c2 = await compileTarget(target, ro, READ_ONLY_PERMISSIONS);
      assertEquals(c2.code, 0, c2.stderr);
      const m2 = await run(ro, [CONFORMANCE_FILE, "measure", "-b"], { cwd: dir });
      assertEquals(m2.stdout, expectedBareDigest());
      const s2 = await run(ro, signArgs(`${dir}/ro.igvm`), { cwd: dir });
      assertEquals(s2.code, 1, s2.stderr);
      assertMatch(s2.stderr, /^Error: .*cannot create output file/);
    });
  },
});
