/**
 * The error of the X.509 reader.
 *
 * @module
 */

import { IgvmToolError } from "../errors.ts";

/**
 * A certificate, CRL or PEM file is malformed (bad DER, a structure that is
 * not X.509, a PEM block that does not decode). The message names the
 * problem and the byte offset; the CLI adds the file name.
 *
 * @example
 * ```ts
 * import { CertificateError } from "./certificate_error.ts";
 * const e = new CertificateError("DER length at offset 1 is cut short");
 * console.log(e.name, e.kind); // CertificateError certificate
 * ```
 */
export class CertificateError extends IgvmToolError {
  /** Creates the error; `message` must be one line. */
  constructor(message: string) {
    super(message, "certificate");
    this.name = "CertificateError";
  }
}
