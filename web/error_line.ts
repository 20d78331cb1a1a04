/**
 * Errors as the page shows them: the line the CLI prints on stderr
 * (`lib/inspect/error_line.ts`), so that the page and the CLI word a bad file
 * alike.
 *
 * @module
 */

import { IgvmToolError } from "../lib/errors.ts";
import { errorLine as cliErrorLine, internalErrorLine } from "../lib/inspect/error_line.ts";

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
  const line = e instanceof IgvmToolError ? cliErrorLine(e) : internalErrorLine(e, file);
  return line.replace(/\n$/, "");
}
