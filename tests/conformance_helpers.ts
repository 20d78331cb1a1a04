/**
 * Shared helpers for tests that replay `../shared/conformance/expected.json`.
 *
 * @module
 */

import { runCli } from "../lib/cli/run.ts";

/** Folder of the conformance corpus. */
export const CONFORMANCE = new URL("../../shared/conformance/", import.meta.url);
/** Folder of the conformance IGVM files (the cases' working directory). */
export const FILES = new URL("files/", CONFORMANCE);

/** The corpus's P-384 ID key (SEC1 PEM). */
export const ID_KEY: string = new URL("keys/id_key.pem", CONFORMANCE).pathname;
/** The corpus's P-384 author key (SEC1 PEM). */
export const AUTHOR_KEY: string = new URL("keys/author_key.pem", CONFORMANCE).pathname;

/** Runs `fn` with a fresh temporary folder, removed afterwards. */
export async function withTempDir<T>(fn: (dir: string) => Promise<T>): Promise<T> {
  const dir = await Deno.makeTempDir({ prefix: "igvmmeasure-test-" });
  try {
    return await fn(dir);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

/** One case of expected.json. */
export interface ConformanceCase {
  tool: "igvmmeasure" | "igvm-crate";
  args: string[];
  exit: number;
  stdout: string;
  stderr: string;
  file: string;
  output_file?: string;
  output_sha256?: string;
}

/** All cases. */
export function loadCases(): ConformanceCase[] {
  return JSON.parse(Deno.readTextFileSync(new URL("expected.json", CONFORMANCE))).cases;
}

/** Runs the CLI in-process in `cwd`, capturing its output. */
export async function runInProcess(
  args: readonly string[],
  cwd: URL,
): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = "";
  let stderr = "";
  const before = Deno.cwd();
  Deno.chdir(cwd);
  try {
    const code = await runCli(args, { stdout: (t) => (stdout += t), stderr: (t) => (stderr += t) });
    return { code, stdout, stderr };
  } finally {
    Deno.chdir(before);
  }
}
