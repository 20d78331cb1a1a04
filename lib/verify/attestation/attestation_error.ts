/**
 * Errors of attestation verification: inputs that cannot be used at all
 * (as opposed to checks that fail, which are results).
 *
 * @module
 */

import { IgvmToolError } from "../../errors.ts";

/**
 * An input to attestation verification is unusable: a certificate table
 * that is not a table, a leaf file holding two certificates, a bad option
 * value. The message is one line; the CLI adds the file name.
 *
 * @example
 * ```ts
 * import { AttestationError } from "./attestation_error.ts";
 * const e = new AttestationError("certificate table has no terminating entry");
 * console.log(e.name, e.kind); // AttestationError attestation
 * ```
 */
export class AttestationError extends IgvmToolError {
  /** Creates the error; `message` must be one line; `kind` is `attestation` unless a subclass says. */
  constructor(message: string, kind: "attestation" | "network" = "attestation") {
    super(message, kind);
    this.name = "AttestationError";
  }
}

/**
 * Downloading from AMD's Key Distribution Service (or the `--kds-url`
 * server) failed: no answer, an HTTP error, an oversized answer.
 *
 * @example
 * ```ts
 * import { KdsError } from "./attestation_error.ts";
 * new KdsError("https://kdsintf.amd.com/vcek/v1/Milan/crl: HTTP 429 Too Many Requests").kind; // "network"
 * ```
 */
export class KdsError extends AttestationError {
  /** Creates the error; `message` must be one line. */
  constructor(message: string) {
    super(message, "network");
    this.name = "KdsError";
  }
}
