/**
 * How the CLI words an error on stderr: one `Error: <file>: <reason>` line,
 * or the original igvmmeasure's own message as its `main` prints it. No Deno
 * APIs here: the web page words errors with the same function.
 *
 * @module
 */

import type { IgvmToolError, MeasurementError } from "../errors.ts";
import type { VerificationError } from "../verify/verification_error.ts";
import { NOT_COMPATIBLE } from "../measure/measure.ts";
import { NO_GUEST_POLICY } from "../snp/policy.ts";

/** The original's refusal to sign for another platform than SEV-SNP. */
export const SIGN_SNP_ONLY = "Signing is only supported for SEV-SNP";

/**
 * The original's messages that it reports as Rust string values, which its
 * `main` prints with `{:?}`: in quotes.
 */
const QUOTED = new Set([NOT_COMPATIBLE, NO_GUEST_POLICY, SIGN_SNP_ONLY]);

/**
 * The line (without its newline) that names one failed `verify` check.
 *
 * @example
 * ```ts
 * import { failureLine } from "./error_line.ts";
 * failureLine({ file: "a.igvm", message: "ID block LD does not match" });
 * // "Error: a.igvm: ID block LD does not match"
 * ```
 */
export function failureLine(f: { readonly file: string; readonly message: string }): string {
  return `Error: ${f.file}: ${f.message}`;
}

/**
 * The stderr line(s) for an error of ours: one per failed check for
 * `verify`, the original igvmmeasure's own text for its refusals (no file
 * name; some in quotes, as its `main` prints a Rust string), else the file
 * and the reason.
 *
 * @example
 * ```ts
 * import { errorLine } from "./error_line.ts";
 * import { MeasurementError } from "../errors.ts";
 * errorLine(new MeasurementError("IGVM file is not compatible with the specified platform."));
 * // 'Error: "IGVM file is not compatible with the specified platform."\n'
 * ```
 */
export function errorLine(e: IgvmToolError): string {
  switch (e.kind) {
    case "verification":
      return (e as VerificationError).failures.map((f) => failureLine(f) + "\n").join("");
    case "measurement": {
      // The original's own messages, as its `main` prints them (no file name); ours name the file.
      const reason = (e as MeasurementError).reason;
      if (QUOTED.has(e.message)) return `Error: "${e.message}"\n`;
      if (reason === "kvm-check" || reason === "id-block-mismatch") return `Error: ${e.message}\n`;
      return fileLine(e);
    }
    default:
      return fileLine(e);
  }
}

function fileLine(e: IgvmToolError): string {
  return e.file !== undefined ? `Error: ${e.file}: ${e.message}\n` : `Error: ${e.message}\n`;
}

/**
 * The line for an error that is not one of ours (a bug): its first line, as
 * an internal error about `file`.
 *
 * @example
 * ```ts
 * import { internalErrorLine } from "./error_line.ts";
 * internalErrorLine(new TypeError("x is undefined"), "a.igvm");
 * // "Error: a.igvm: internal error: x is undefined\n"
 * ```
 */
export function internalErrorLine(e: unknown, file: string): string {
  const msg = e instanceof Error ? e.message.split("\n")[0] : String(e);
  return `Error: ${file}: internal error: ${msg}\n`;
}
