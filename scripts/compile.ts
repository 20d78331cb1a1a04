/**
 * Builds the single-file `igvmmeasure` binaries of a release with `deno compile`.
 *
 * ```sh
 * deno task compile                       # all five targets into dist/
 * deno task compile --target x86_64-unknown-linux-gnu --out-dir /tmp/out
 * deno task compile --skip-unavailable    # only targets whose runtime is here
 * deno task compile --read-only           # binaries that can measure but never write
 * ```
 *
 * `deno compile` appends the program to a prebuilt runtime, `denort`, one per target. It is
 * taken from `$DENORT_BIN` (for the host target only: Deno would embed that one file for every
 * target), else from Deno's cache (`$DENO_DIR/dl/release/v<deno version>/denort-<target>.zip`),
 * else downloaded by Deno. `--skip-unavailable` skips the targets for which neither is here
 * (offline builds); otherwise a target that cannot be built fails the script.
 *
 * Permissions are baked in at compile time: a compiled binary takes no `--allow-*` flags, every
 * argument goes to the program. The binaries get `--allow-read --allow-write` (unscoped: the input,
 * key and output paths are only known when it runs; `sign` writes a temporary file next to its
 * output, then renames it) and nothing else: no network, environment, subprocess, FFI or system
 * information access. `--read-only` bakes in `--allow-read` alone (`measure` works, `sign` fails
 * with "cannot create output file").
 *
 * Writes `<out-dir>/igvmmeasure-<target>[.exe]` and `<out-dir>/SHA256SUMS`.
 *
 * @module
 */

/** The release targets. */
export const TARGETS = [
  "x86_64-unknown-linux-gnu",
  "aarch64-unknown-linux-gnu",
  "x86_64-apple-darwin",
  "aarch64-apple-darwin",
  "x86_64-pc-windows-msvc",
] as const;

/** Permissions baked into the release binaries. */
export const PERMISSIONS: readonly string[] = ["--allow-read", "--allow-write"];
/** Permissions baked into `--read-only` binaries. */
export const READ_ONLY_PERMISSIONS: readonly string[] = ["--allow-read"];

/** Modules started as workers (`new Worker(new URL(...))`), which `--include` must add. */
export const WORKERS: readonly string[] = ["lib/cli/hash_worker.ts"];

const ROOT = new URL("../", import.meta.url);

/** The output file name for `target`. */
export function binaryName(target: string): string {
  return `igvmmeasure-${target}${target.includes("windows") ? ".exe" : ""}`;
}

/** Deno's cache folder (`DENO_DIR`), as `deno info` reports it. */
export async function denoDir(): Promise<string> {
  const env = Deno.env.get("DENO_DIR");
  if (env) return env;
  const out = await new Deno.Command(Deno.execPath(), {
    args: ["info", "--json"],
    env: { NO_COLOR: "1" },
    stdout: "piped",
    stderr: "null",
  }).output();
  return JSON.parse(new TextDecoder().decode(out.stdout)).denoDir;
}

/**
 * Where the `denort` runtime for `target` is on this machine: `$DENORT_BIN` (host target only) or
 * Deno's download cache; `undefined` when Deno would have to download it.
 */
export async function localRuntime(target: string): Promise<string | undefined> {
  const bin = Deno.env.get("DENORT_BIN");
  if (bin && target === Deno.build.target) return bin;
  const zip = `${await denoDir()}/dl/release/v${Deno.version.deno}/denort-${target}.zip`;
  try {
    return Deno.statSync(zip).isFile ? zip : undefined;
  } catch {
    return undefined;
  }
}

/** Compiles `main.ts` for `target` into `out`; returns deno's exit code and stderr. */
export async function compileTarget(
  target: string,
  out: string,
  permissions: readonly string[] = PERMISSIONS,
): Promise<{ code: number; stderr: string }> {
  // DENORT_BIN is only right for the host target: never let it leak into a cross build.
  const env = Deno.env.toObject();
  if (target !== Deno.build.target) delete env.DENORT_BIN;
  const r = await new Deno.Command(Deno.execPath(), {
    args: [
      "compile",
      "--frozen-lockfile",
      ...permissions,
      // Worker modules are not found by deno compile's graph: include the page-hash worker.
      ...WORKERS.flatMap((w) => ["--include", w]),
      "--target",
      target,
      "--output",
      out,
      "main.ts",
    ],
    cwd: ROOT,
    clearEnv: true,
    env: { ...env, NO_COLOR: "1" },
    stdout: "piped",
    stderr: "piped",
  }).output();
  return { code: r.code, stderr: new TextDecoder().decode(r.stderr) };
}

async function sha256Hex(path: string): Promise<string> {
  const bytes = await Deno.readFile(path);
  return new Uint8Array(await crypto.subtle.digest("SHA-256", bytes)).toHex();
}

async function main(args: string[]): Promise<number> {
  const targets: string[] = [];
  let outDir = new URL("dist/", ROOT).pathname;
  let skipUnavailable = false;
  let permissions = PERMISSIONS;
  for (let i = 0; i < args.length; i++) {
    const a = args[i];
    if (a === "--target") targets.push(args[++i] === "host" ? Deno.build.target : args[i]);
    else if (a === "--out-dir") outDir = args[++i];
    else if (a === "--skip-unavailable") skipUnavailable = true;
    else if (a === "--read-only") permissions = READ_ONLY_PERMISSIONS;
    else {
      console.error(
        `unknown argument '${a}'\nusage: compile.ts [--target T|host]... [--out-dir DIR] ` +
          "[--skip-unavailable] [--read-only]",
      );
      return 2;
    }
  }
  if (targets.length === 0) targets.push(...TARGETS);
  for (const t of targets) {
    if (!(TARGETS as readonly string[]).includes(t)) {
      console.error(`unsupported target '${t}' (one of: ${TARGETS.join(", ")})`);
      return 2;
    }
  }
  Deno.mkdirSync(outDir, { recursive: true });
  const sums: string[] = [];
  let failed = 0;
  for (const target of targets) {
    if (skipUnavailable && (await localRuntime(target)) === undefined) {
      console.error(`skip ${target}: no denort runtime here (DENORT_BIN or Deno's cache)`);
      continue;
    }
    const name = binaryName(target);
    const r = await compileTarget(target, `${outDir}/${name}`, permissions);
    if (r.code !== 0) {
      failed++;
      console.error(`FAIL ${target}: deno compile exited ${r.code}\n${r.stderr.trim()}`);
      continue;
    }
    sums.push(`${await sha256Hex(`${outDir}/${name}`)}  ${name}`);
    console.log(`${outDir}/${name}`);
  }
  if (sums.length === 0) {
    console.error("no binary built");
    return 1;
  }
  Deno.writeTextFileSync(`${outDir}/SHA256SUMS`, sums.join("\n") + "\n");
  return failed ? 1 : 0;
}

if (import.meta.main) Deno.exitCode = await main(Deno.args);
