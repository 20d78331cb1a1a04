/**
 * Shared helpers for tests that replay the conformance corpus: the reference outputs
 * (`expected.json`) and the IGVM files, keys and signed outputs they were made from.
 *
 * Two copies: the bundled part in `testdata/conformance/` (always present: every case's
 * reference output, 18 of the 23 IGVM files, 5 of the 42 signed outputs, the keys) and the full
 * corpus in `../shared/conformance/`, beside the repository in CI but absent from a plain clone.
 * A test that needs a file outside the bundled part reads it from the full corpus; without it the
 * test is reported as ignored, with the reason in its name ({@link corpusTest}).
 *
 * @module
 */

import { runCli } from "../lib/cli/run.ts";

/** The bundled part of the conformance corpus (testdata/conformance/). */
export const CONFORMANCE = new URL("../testdata/conformance/", import.meta.url);
/** Folder of the bundled conformance IGVM files (the cases' working directory). */
export const FILES = new URL("files/", CONFORMANCE);
/** Folder of the bundled signed outputs of the original `igvmmeasure sign`. */
export const SIGNED = new URL("signed/", CONFORMANCE);

/** The corpus's P-384 ID key (SEC1 PEM). */
export const ID_KEY: string = new URL("keys/id_key.pem", CONFORMANCE).pathname;
/** The corpus's P-384 author key (SEC1 PEM). */
export const AUTHOR_KEY: string = new URL("keys/author_key.pem", CONFORMANCE).pathname;

/** The full corpus beside the repository; CI has it, a plain clone does not. */
export const FULL_CORPUS = new URL("../../shared/conformance/", import.meta.url);

/** Whether `url` names a regular file. */
export function isFile(url: URL): boolean {
  try {
    return Deno.statSync(url).isFile;
  } catch {
    return false;
  }
}

/** SHA-256 of `bytes`, lower-case hex (Web Crypto). */
export async function sha256Hex(bytes: Uint8Array<ArrayBuffer>): Promise<string> {
  return new Uint8Array(await crypto.subtle.digest("SHA-256", bytes)).toHex();
}

/** Whether the full corpus is present. */
export const HAS_FULL_CORPUS: boolean = isFile(new URL("expected.json", FULL_CORPUS));

/** Why a test that needs the full corpus did not run, shown in its name. */
export const FULL_CORPUS_SKIP =
  "skipped: needs ../shared/conformance, the full corpus, absent here; CI runs it";

/**
 * Where a corpus file is (`path` relative to the corpus folder, e.g. `files/x.igvm`,
 * `signed/y.igvm`): the bundled copy, else the full corpus; undefined when neither has it.
 */
export function corpusFile(path: string): URL | undefined {
  for (const root of HAS_FULL_CORPUS ? [CONFORMANCE, FULL_CORPUS] : [CONFORMANCE]) {
    const url = new URL(path, root);
    if (isFile(url)) return url;
  }
  return undefined;
}

/** The folder holding the IGVM file `name` (a case's working directory), if at hand. */
export function filesFolder(name: string): URL | undefined {
  const url = corpusFile(`files/${name}`);
  return url && new URL(".", url);
}

/**
 * Defines a test that reads the corpus files `needs` (paths as for {@link corpusFile}): it runs
 * when all of them are at hand, and is otherwise reported as ignored with the reason in its name.
 */
export function corpusTest(
  name: string,
  needs: readonly string[],
  fn: () => void | Promise<void>,
): void {
  const at = needs.every((p) => corpusFile(p) !== undefined);
  Deno.test({ name: at ? name : `${name} (${FULL_CORPUS_SKIP})`, ignore: !at, fn });
}

/** The cases whose IGVM file is at hand, for a test that replays many cases at once. */
export function casesAtHand<T extends { file: string }>(cases: readonly T[]): T[] {
  return cases.filter((c) => filesFolder(c.file) !== undefined);
}

/**
 * For a test that replays `cases` at once but can only replay those at hand: when some are not,
 * defines an ignored test, named `label` and how many, that says why.
 */
export function reportCasesNotAtHand(label: string, cases: readonly { file: string }[]): void {
  const missing = cases.length - casesAtHand(cases).length;
  if (missing === 0) return;
  const name = `${label}: ${missing} of ${cases.length} cases (${FULL_CORPUS_SKIP})`;
  Deno.test({ name, ignore: true, fn() {} });
}

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

let cached: ConformanceCase[] | undefined;

/** All cases of expected.json (every file of the corpus, bundled or not). */
export function loadCases(): ConformanceCase[] {
  return cached ??= JSON.parse(Deno.readTextFileSync(new URL("expected.json", CONFORMANCE))).cases;
}

/** Names of all IGVM files of the corpus (its `files/`), sorted. */
export function corpusFiles(): string[] {
  return [...new Set(loadCases().map((c) => c.file))].sort();
}

/** Names of all signed outputs of the original (the corpus's `signed/`), sorted. */
export function signedOutputs(): string[] {
  return loadCases().flatMap((c) => c.output_file ?? []).sort();
}

/** The SHA-256 (hex) of the original's signed output `name`, from expected.json. */
export function outputSha256(name: string): string {
  const c = loadCases().find((c) => c.output_file === name);
  if (c?.output_sha256 === undefined) throw new Error(`expected.json has no output ${name}`);
  return c.output_sha256;
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
