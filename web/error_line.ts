/**
 * Errors as the page shows them: the line the CLI prints on stderr
 * (`lib/cli/run.ts`, `errorLine`), so that the page and the CLI word a bad
 * file alike. The CLI's own function lives with its Deno-only driver; this
 * one is the same rule without it.
 *
 * @module
 */

import { IgvmToolError, MeasurementError } from "../lib/errors.ts";

/**
 * The one line the CLI prints for `e` (without the newline). An error that is
 * not one of ours (a bug) is worded as the CLI words it: an internal error
 * about `file`.
 *
 * @example
 * ```ts
 * import { errorLine } from "./error_line.ts";
 * import { IgvmFormatError } from "../lib/errors.ts";
 * const e = new IgvmFormatError("file is 6 bytes, smaller than the IGVM fixed header", "InvalidFixedHeader");
 * e.file = "notes.txt";
 * errorLine(e, "notes.txt"); // "Error: notes.txt: file is 6 bytes, smaller than the IGVM fixed header"
 * ```
 */
export function errorLine(e: unknown, file: string): string {
  if (e instanceof MeasurementError) {
    return `Error: ${e.quoted ? `"${e.message}"` : e.message}`;
  }
  if (e instanceof IgvmToolError) {
    return e.file !== undefined ? `Error: ${e.file}: ${e.message}` : `Error: ${e.message}`;
  }
  const msg = e instanceof Error ? e.message.split("\n")[0] : String(e);
  return `Error: ${file}: internal error: ${msg}`;
}
