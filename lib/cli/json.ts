/**
 * `--json` output: every command prints exactly one JSON object on stdout.
 * A failure adds an `error` member (`{type, message, file, code}`) to that
 * object, and only a failure does; the exit code is then non-zero. The shape
 * of every object is documented in docs/json.md.
 *
 * @module
 */

import { IgvmToolError } from "../errors.ts";
import type { ParsedArgs } from "./args.ts";
import { UsageError } from "./args.ts";
import type { Measurement } from "../measure/measure.ts";

/** The `error` member of a JSON result. */
export interface ErrorJson {
  /**
   * `usage`, `file`, `format`, `measurement`, `key`, `signature`, `report`, `verification`,
   * `certificate`, `attestation`, `network`, `internal`, `error`.
   */
  readonly type: string;
  /** One line, the reason as the text output words it (without `Error: <file>:`). */
  readonly message: string;
  /** The file the error is about, or null. */
  readonly file: string | null;
  /** For `format`: the reference igvm crate's name for the refusal; else null. */
  readonly code: string | null;
}

/**
 * The `error` member for `e`.
 *
 * @example
 * ```ts
 * import { errorJson } from "./json.ts";
 * import { MeasurementError } from "../errors.ts";
 * errorJson(new MeasurementError("bad")).type; // "measurement"
 * ```
 */
export function errorJson(e: unknown): ErrorJson {
  if (e instanceof UsageError) {
    const message = e.message.split("\n").map((l) => l.trim()).join(" ");
    return { type: "usage", message, file: null, code: null };
  }
  if (!(e instanceof IgvmToolError)) {
    const message = e instanceof Error ? e.message.split("\n")[0] : String(e);
    return { type: "internal", message, file: null, code: null };
  }
  return {
    type: JSON_TYPES[e.kind] ?? e.kind,
    // One line, as documented (the original's ID-block mismatch message has two).
    message: e.message.split("\n").map((l) => l.trim()).join(" "),
    file: e.file ?? null,
    code: e.kind === "format" ? (e as IgvmToolError & { code: string }).code : null,
  };
}

/** `error.type` where it is not the error's kind. */
const JSON_TYPES: Partial<Record<IgvmToolError["kind"], string>> = { output: "file" };

/** True when the command line asks for JSON (`--json` before or after the command). */
export function jsonRequested(args: ParsedArgs): boolean {
  return args.global.json === true || args.commandOptions.json === true;
}

/** The members every command's JSON object starts with. */
export function baseJson(
  args: ParsedArgs,
  m: Pick<Measurement, "platform" | "semantics">,
): Record<string, unknown> {
  return {
    command: args.command,
    file: args.input,
    platform: m.platform,
    semantics: m.semantics,
    nativeZero: args.global["native-zero"] === true,
  };
}

/** Serializes one JSON result (two-space indent, trailing newline). */
export function jsonText(value: unknown): string {
  return JSON.stringify(value, null, 2) + "\n";
}
