/**
 * Runs one (possibly hostile) IGVM file through everything that reads it:
 * the parser, every platform's measurement, the serializer (and a re-parse of
 * its output), and optionally the CLI in-process. Returns the problems found:
 * any outcome other than a result or a typed one-line error.
 *
 * @module
 */

import { coconut, crateTdx, crateVbs, openvmmSnp } from "./measure_helpers.ts";
import type { Platform as AmdPlatform } from "../lib/measure/measure.ts";
import { parseIgvm } from "../lib/igvm/parser.ts";
import { serializeIgvm } from "../lib/igvm/serializer.ts";
import { PROGRAM } from "../lib/cli/spec.ts";
import type { IgvmFile } from "../lib/igvm/types.ts";
import { errorProblem } from "./fuzz_helpers.ts";
import { runInProcess } from "./conformance_helpers.ts";

function attempt(label: string, problems: string[], fn: () => unknown): void {
  try {
    fn();
  } catch (e) {
    const p = errorProblem(e);
    if (p) problems.push(`${label}: ${p}`);
  }
}

const AMD: AmdPlatform[] = ["sev-snp", "sev-es", "sev"];

/** Measures `file` for every platform and mode; collects problems. */
export function measureAll(file: IgvmFile, problems: string[]): void {
  for (const platform of AMD) {
    for (
      const [nativeZero, checkKvm] of [[false, false], [true, false], [false, true], [true, true]]
    ) {
      attempt(
        `coconut ${platform} n=${nativeZero} c=${checkKvm}`,
        problems,
        () =>
          coconut(file, {
            platform,
            nativeZero,
            checkKvm,
            log: nativeZero && checkKvm ? () => {} : undefined,
          }),
      );
    }
  }
  attempt("openvmm snp", problems, () => openvmmSnp(file));
  attempt("tdx", problems, () => crateTdx(file));
  attempt("vbs", problems, () => crateVbs(file));
}

/** Parses, measures and re-serializes `bytes`; returns the problems. */
export function runLibrary(bytes: Uint8Array): string[] {
  const problems: string[] = [];
  let file: IgvmFile | undefined;
  attempt("parse", problems, () => {
    file = parseIgvm(bytes);
  });
  if (file === undefined) return problems;
  measureAll(file, problems);
  let out: Uint8Array | undefined;
  attempt("serialize", problems, () => {
    out = serializeIgvm(file!);
  });
  if (out !== undefined) attempt("re-parse", problems, () => parseIgvm(out!));
  return problems;
}

/** The CLI commands this build has (inspect/verify are exercised only if they exist). */
export const CLI_COMMANDS = new Set(PROGRAM.commands.map((c) => c.name));

/** Argument sets for the in-process CLI runs (`FILE` is replaced by the mutant's path). */
export function cliArgSets(): string[][] {
  const sets: string[][] = [
    ["FILE", "measure"],
    ["-p", "sev", "FILE", "measure", "-b"],
    ["-p", "sev-es", "-n", "FILE", "measure"],
    ["-v", "-c", "-n", "FILE", "measure", "-i"],
    ["--semantics", "openvmm", "FILE", "measure", "-b"],
    ["-p", "tdx", "FILE", "measure"],
    ["-p", "vbs", "FILE", "measure", "-b"],
  ];
  for (const command of ["inspect", "verify"]) {
    const spec = PROGRAM.commands.find((c) => c.name === command);
    if (spec === undefined) continue;
    sets.push(["FILE", command], ["-n", "FILE", command]);
    if (command === "inspect") sets.push(["-p", "sev-es", "FILE", command]);
    if (spec.options.some((o) => o.long === "json")) sets.push(["FILE", command, "--json"]);
  }
  return sets;
}

/** Stderr lines the CLI may print for one failure: one, or two for the ID-block mismatch. */
export function stderrProblem(code: number, stderr: string, verify = false): string | undefined {
  if (code !== 0 && code !== 1) return `exit code ${code}`;
  if (code === 0) return stderr === "" ? undefined : `stderr on success: ${JSON.stringify(stderr)}`;
  const lines = stderr.split("\n");
  if (lines.at(-1) === "") lines.pop();
  const idBlock = lines.length === 2 && lines[1].startsWith("Expected: ") &&
    lines[0].includes("An ID block has been provided");
  // `verify` reports each failed check on its own `Error: <file>: <reason>` line, by design.
  const checks = verify && lines.every((l) => l.startsWith("Error: "));
  if (lines.length !== 1 && !idBlock && !checks) {
    return `stderr has ${lines.length} lines: ${JSON.stringify(stderr)}`;
  }
  if (!lines[0].startsWith("Error: ")) {
    return `stderr does not start with "Error: ": ${JSON.stringify(stderr)}`;
  }
  if (/internal error|\bat .*:\d+:\d+\)?$|TypeError|RangeError/.test(stderr)) {
    return `internal error / stack trace: ${JSON.stringify(stderr)}`;
  }
  return undefined;
}

/** With `--json`, the outcome (result or error) is one JSON document on stdout. */
export function jsonProblem(code: number, stdout: string, stderr: string): string | undefined {
  if (code !== 0 && code !== 1) return `exit code ${code}`;
  if (stderr !== "") return `stderr with --json: ${JSON.stringify(stderr)}`;
  let doc: { error?: { message?: string; type?: string } };
  try {
    doc = JSON.parse(stdout);
  } catch {
    return `stdout is not JSON: ${JSON.stringify(stdout.slice(0, 300))}`;
  }
  if (code === 1) {
    const msg = doc.error?.message;
    if (typeof msg !== "string") return `no error message in ${JSON.stringify(doc).slice(0, 300)}`;
    if (msg.includes("\n") && !msg.includes("An ID block has been provided")) {
      return `multi-line error message: ${JSON.stringify(msg)}`;
    }
    if (/internal error|TypeError|RangeError/.test(msg) || doc.error?.type === "internal") {
      return `internal error: ${JSON.stringify(msg)}`;
    }
  }
  return undefined;
}

/** Runs the CLI in-process on the file at `path` (in `dir`); returns problems. */
export async function runCliOn(dir: URL, name: string, args: string[]): Promise<string[]> {
  const argv = args.map((a) => (a === "FILE" ? name : a));
  try {
    const { code, stdout, stderr } = await runInProcess(argv, dir);
    const p = argv.includes("--json")
      ? jsonProblem(code, stdout, stderr)
      : stderrProblem(code, stderr, argv.includes("verify"));
    return p ? [`cli ${argv.join(" ")}: ${p}`] : [];
  } catch (e) {
    const text = e instanceof Error ? (e.stack ?? e.message) : String(e);
    return [`cli ${argv.join(" ")}: threw ${text}`];
  }
}
