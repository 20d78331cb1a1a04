/**
 * The error `verify` ends with when a check fails or a report field does not
 * match: it carries one line per failure, each about one file.
 *
 * @module
 */

import { IgvmToolError } from "../errors.ts";

/** One failed check: the file it is about and a one-line reason. */
export interface Failure {
  /** Name of the file the failure is about: the IGVM file or the report. */
  readonly file: string;
  /** One-line reason. */
  readonly message: string;
}

/**
 * Verification failed; `failures` has one entry per failed check (at least one).
 *
 * @example
 * ```ts
 * import { VerificationError } from "./verification_error.ts";
 * const e = new VerificationError([{ file: "a.igvm", message: "LD differs" }]);
 * e.message; // "1 check failed"
 * e.file; // "a.igvm"
 * ```
 */
export class VerificationError extends IgvmToolError {
  /** Every failure, in the order found. */
  readonly failures: readonly Failure[];
  /** Creates the error from its failures; `file` is the first failure's file. */
  constructor(failures: readonly Failure[]) {
    super(`${failures.length} check${failures.length === 1 ? "" : "s"} failed`, "verification");
    this.name = "VerificationError";
    this.failures = failures;
    this.file = failures[0]?.file;
  }
}
