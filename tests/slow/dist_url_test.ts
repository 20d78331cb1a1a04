/**
 * Running and installing igvmmeasure from a URL, as users do from a tagged release on GitHub:
 * the repository is served over `http://127.0.0.1:<random port>/` (tests/dist_helpers.ts
 * `serveRepo`: loopback only, stops itself), and `deno run` / `deno install` load main.ts from there
 * with `--no-config` in a temporary working folder, so neither our deno.json (import map, lock
 * file) nor our checkout is used: only lib/deps.ts's fully qualified `npm:` specifiers.
 *
 * `DENO_DIR` is a fresh temporary folder each time (remote modules are really fetched from the
 * server), seeded with a copy of the `@noble` packages from this machine's Deno cache when they
 * are there, so no registry access is needed; without them Deno downloads them from the npm
 * registry (reachable on the project's machines and CI). `--cached-only` is not used, because the
 * point is to fetch the modules from the URL.
 *
 * Permissions are the ones the README gives: `--allow-read`, plus `--allow-import=<host>` since
 * the test server is not one of Deno's default import hosts.
 */

import { assertEquals, assertOk } from "../assert.ts";
import {
  assertSuccess,
  CONFORMANCE_FILE,
  deno,
  expectedBareDigest,
  run,
  seedNpmCache,
  serveRepo,
  withTempDir,
} from "../dist_helpers.ts";

async function setUp(dir: string): Promise<{ env: Record<string, string>; cwd: string }> {
  const denoDir = `${dir}/deno_dir`;
  const cwd = `${dir}/cwd`;
  await Deno.mkdir(denoDir);
  await Deno.mkdir(cwd);
  await seedNpmCache(denoDir);
  const bin = Deno.execPath().slice(0, Deno.execPath().lastIndexOf("/"));
  return { env: { DENO_DIR: denoDir, PATH: `${bin}:${Deno.env.get("PATH") ?? ""}` }, cwd };
}

Deno.test("dist url: deno run http://127.0.0.1:PORT/main.ts measure -b", async () => {
  const server = serveRepo();
  try {
    await withTempDir(async (dir) => {
      const { env, cwd } = await setUp(dir);
      const r = await deno([
        "run",
        "--no-config",
        "--allow-read",
        `--allow-import=${server.host}`,
        `${server.base}main.ts`,
        CONFORMANCE_FILE,
        "measure",
        "-b",
      ], { cwd, env });
      assertSuccess(r, "deno run <url>");
      assertEquals(r.stdout, expectedBareDigest());
      assertOk(server.requests.includes("/main.ts"), "main.ts came from the server");
      assertOk(server.requests.includes("/lib/deps.ts"), "lib/deps.ts came from the server");
      assertOk(!server.requests.includes("/deno.json"), "deno.json was not used");
    });
  } finally {
    await server.close();
  }
});

Deno.test("dist url: deno install --root from the URL, then run the installed script", async () => {
  const server = serveRepo();
  try {
    await withTempDir(async (dir) => {
      const { env, cwd } = await setUp(dir);
      const root = `${dir}/root`;
      const i = await deno([
        "install",
        "--global",
        "--no-config",
        "--root",
        root,
        "--name",
        "igvmmeasure",
        "--allow-read",
        `--allow-import=${server.host}`,
        `${server.base}main.ts`,
      ], { cwd, env });
      assertSuccess(i, "deno install");
      const script = `${root}/bin/igvmmeasure`;
      assertOk(Deno.statSync(script).isFile, "installed script");

      const r = await run(script, [CONFORMANCE_FILE, "measure", "-b"], { cwd, env });
      assertSuccess(r, "installed igvmmeasure");
      assertEquals(r.stdout, expectedBareDigest());

      // The installed script keeps its permissions: no write, so `sign` cannot write anything.
      const text = Deno.readTextFileSync(script);
      assertOk(text.includes("--allow-read") && !text.includes("--allow-write"), text);
    });
  } finally {
    await server.close();
  }
});
