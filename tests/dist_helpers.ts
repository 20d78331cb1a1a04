/**
 * Helpers for the distribution tests (bundle, compile, run/install from a URL, README):
 * spawning `deno`, the expected conformance digests, and a bounded loopback file server.
 *
 * @module
 */

import { AUTHOR_KEY, FILES, ID_KEY, loadCases, withTempDir } from "./conformance_helpers.ts";

export { AUTHOR_KEY, ID_KEY, withTempDir };
import type { DirectiveHeader } from "../lib/igvm/types.ts";
import { guestPolicy, pageData, platform, snpVpContext } from "./builder.ts";
import { PlatformType } from "../lib/igvm/defs.ts";
import { serializeIgvm } from "../lib/igvm/serializer.ts";

/** The repository root. */
export const ROOT: URL = new URL("../", import.meta.url);
/** The conformance file the distribution tests measure and sign. */
export const CONFORMANCE_FILE: string = new URL("qemu-snp-policy.igvm", FILES).pathname;

/** The CLI arguments that sign the conformance file with both keys into `out` (see {@link expectedSignedSha256}). */
export function signArgs(out: string): string[] {
  return [
    CONFORMANCE_FILE,
    "sign",
    "--output",
    out,
    "--id-key",
    ID_KEY,
    "--author-key",
    AUTHOR_KEY,
  ];
}

/** The `measure -b` output that expected.json records for the conformance file. */
export function expectedBareDigest(): string {
  const c = loadCases().find((c) =>
    c.tool === "igvmmeasure" && c.args.join(" ") === "qemu-snp-policy.igvm measure -b"
  );
  if (!c) throw new Error("expected.json has no 'qemu-snp-policy.igvm measure -b' case");
  return c.stdout;
}

/** The SHA-256 expected.json records for `sign --id-key --author-key` of the conformance file. */
export function expectedSignedSha256(): string {
  const c = loadCases().find((c) =>
    c.tool === "igvmmeasure" && c.file === "qemu-snp-policy.igvm" && c.args[0] === c.file &&
    c.args.includes("sign") && c.args.includes("--author-key")
  );
  if (!c?.output_sha256) throw new Error("expected.json has no id+author sign case");
  return c.output_sha256;
}

/** Result of a child process. */
export interface Output {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs `cmd args` with `env` added to (or, with `clearEnv`, instead of) ours. */
export async function run(
  cmd: string,
  args: readonly string[],
  opts: { cwd?: string | URL; env?: Record<string, string>; clearEnv?: boolean } = {},
): Promise<Output> {
  const r = await new Deno.Command(cmd, {
    args: [...args],
    cwd: opts.cwd,
    env: { NO_COLOR: "1", ...opts.env },
    clearEnv: opts.clearEnv,
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
  }).output();
  const dec = new TextDecoder();
  return { code: r.code, stdout: dec.decode(r.stdout), stderr: dec.decode(r.stderr) };
}

/** Runs the `deno` running this test. */
export function deno(
  args: readonly string[],
  opts: { cwd?: string | URL; env?: Record<string, string> } = {},
): Promise<Output> {
  return run(Deno.execPath(), args, opts);
}

/** Fails with the child's output unless it exited 0. */
export function assertSuccess(r: Output, what: string): void {
  if (r.code !== 0) {
    throw new Error(`${what} exited ${r.code}\n--- stdout\n${r.stdout}\n--- stderr\n${r.stderr}`);
  }
}

/** SHA-256 of a file, lower-case hex. */
export async function sha256File(path: string): Promise<string> {
  const bytes = await Deno.readFile(path);
  return new Uint8Array(await crypto.subtle.digest("SHA-256", bytes)).toHex();
}

/** Deno's cache folder as `deno info` reports it. */
export async function denoDir(): Promise<string> {
  const env = Deno.env.get("DENO_DIR");
  if (env) return env;
  const r = await deno(["info", "--json"]);
  return JSON.parse(r.stdout).denoDir;
}

/**
 * Makes `dir` a fresh `DENO_DIR` holding only our npm dependencies (`@noble/*`), copied from
 * this machine's Deno cache when they are there, so that a remote run needs no registry access
 * and does not touch the developer's cache. Without them Deno fetches them from the registry.
 */
export async function seedNpmCache(dir: string): Promise<void> {
  const from = `${await denoDir()}/npm/registry.npmjs.org/@noble`;
  const to = `${dir}/npm/registry.npmjs.org/@noble`;
  try {
    Deno.statSync(from);
  } catch {
    return;
  }
  await Deno.mkdir(to, { recursive: true });
  const r = await run("cp", ["-R", `${from}/.`, to]);
  assertSuccess(r, "cp npm cache");
}

const CONTENT_TYPES: Record<string, string> = {
  ".ts": "application/typescript; charset=utf-8",
  ".js": "text/javascript; charset=utf-8",
  ".json": "application/json",
  ".md": "text/markdown; charset=utf-8",
};

/** A running loopback server of the repository's files. */
export interface RepoServer {
  /** `http://127.0.0.1:<port>/`. */
  readonly base: string;
  /** `127.0.0.1:<port>`, for `--allow-import`. */
  readonly host: string;
  /** Paths requested so far. */
  readonly requests: string[];
  /** Stops the server (also done on its own after `lifetimeMs` or `maxRequests`). */
  close(): Promise<void>;
}

/**
 * Serves the repository root read-only over `http://127.0.0.1:<random port>/`. Bounded: it stops
 * itself after `lifetimeMs` or `maxRequests`, listens on loopback only, serves only regular files
 * under the root, and refuses dot-files (`.git/`) and `..`.
 */
export function serveRepo(
  { lifetimeMs = 120_000, maxRequests = 500 }: { lifetimeMs?: number; maxRequests?: number } = {},
): RepoServer {
  const root = ROOT.pathname.replace(/\/$/, "");
  const controller = new AbortController();
  const requests: string[] = [];
  const server = Deno.serve({
    hostname: "127.0.0.1",
    port: 0,
    signal: controller.signal,
    onListen() {},
  }, async (req) => {
    const path = decodeURIComponent(new URL(req.url).pathname);
    requests.push(path);
    if (requests.length >= maxRequests) setTimeout(() => controller.abort(), 0);
    if (req.method !== "GET" && req.method !== "HEAD") return new Response(null, { status: 405 });
    if (path.split("/").some((p) => p === ".." || p.startsWith("."))) {
      return new Response("forbidden\n", { status: 403 });
    }
    try {
      const file = `${root}${path}`;
      if (!(await Deno.stat(file)).isFile) throw new Deno.errors.NotFound();
      const ext = path.slice(path.lastIndexOf("."));
      const body = req.method === "HEAD" ? null : await Deno.readFile(file);
      return new Response(body, {
        headers: { "content-type": CONTENT_TYPES[ext] ?? "application/octet-stream" },
      });
    } catch {
      return new Response("not found\n", { status: 404 });
    }
  });
  const timer = setTimeout(() => controller.abort(), lifetimeMs);
  const port = server.addr.port;
  return {
    base: `http://127.0.0.1:${port}/`,
    host: `127.0.0.1:${port}`,
    requests,
    async close() {
      clearTimeout(timer);
      if (!controller.signal.aborted) controller.abort();
      await server.finished;
    },
  };
}

/**
 * Writes a 40 MiB SEV-SNP IGVM file (10,000 distinct data pages) to `path`: large enough for the
 * CLI's worker-thread page hashing (lib/cli/parallel_hash.ts, from 32 MiB of page data on).
 */
export async function writeLargeIgvm(path: string): Promise<void> {
  const d: DirectiveHeader[] = [];
  for (let i = 0; i < 10_000; i++) {
    const p = new Uint8Array(4096).fill(i & 0xff);
    new DataView(p.buffer).setUint32(0, i);
    d.push(pageData(0x100000n + BigInt(i) * 0x1000n, 1, p));
  }
  d.push(snpVpContext(0xfffff000n, 1, new Uint8Array(4096)));
  await Deno.writeFile(
    path,
    serializeIgvm({
      revision: { version: 1 },
      platforms: [platform(PlatformType.SEV_SNP, 1)],
      initializations: [guestPolicy(0x30000n, 1)],
      directives: d,
    }),
  );
}
