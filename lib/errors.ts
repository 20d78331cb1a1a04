/**
 * The project's typed errors. Every failure the CLI reports is one of these;
 * anything else reaching the CLI's error handler is a bug.
 *
 * @module
 */

/**
 * Base class: a failure with a one-line, user-facing message.
 *
 * @example
 * ```ts
 * import { IgvmToolError, measureCoconut, parseIgvm } from "./mod.ts";
 * try {
 *   measureCoconut(parseIgvm(await Deno.readFile("testdata/sample.igvm")), { platform: "sev" });
 * } catch (e) {
 *   if (!(e instanceof IgvmToolError)) throw e; // a bug, not a bad input
 *   console.log(`Error: ${e.message}`);
 * }
 * ```
 */
export class IgvmToolError extends Error {
  /** The file the error is about, when known (the CLI names it). */
  file?: string;
  /** Creates the error; `message` must be one line. */
  constructor(message: string) {
    super(message);
    this.name = "IgvmToolError";
  }
}

/**
 * The bytes are not an IGVM file the reference parser accepts.
 *
 * `code` is the reference parser's (microsoft/igvm `igvm::Error`) name for the
 * refusal, e.g. `InvalidBinaryDirectiveHeader(InvalidContext)`, so a refusal
 * can be matched with the crate's; `message` is a readable sentence that
 * names the offending value.
 *
 * @example
 * ```ts
 * import { IgvmFormatError, parseIgvm } from "./mod.ts";
 * try {
 *   parseIgvm(new Uint8Array(16));
 * } catch (e) {
 *   if (!(e instanceof IgvmFormatError)) throw e;
 *   console.log(e.code, e.message);
 * }
 * ```
 */
export class IgvmFormatError extends IgvmToolError {
  /** The reference parser's error, in its Rust debug form. */
  readonly code: string;
  /** Creates the error. */
  constructor(message: string, code: string) {
    super(message);
    this.name = "IgvmFormatError";
    this.code = code;
  }
}

/**
 * A measurement could not be completed, or a check failed. `message` is the
 * exact text the original tool prints after `Error: ` where the original has one.
 *
 * @example
 * ```ts
 * import { MeasurementError, measureCoconut, parseIgvm } from "./mod.ts";
 * const file = parseIgvm(await Deno.readFile("testdata/sample.igvm"));
 * try {
 *   measureCoconut(file, { platform: "sev-es" }); // the sample has only an SEV-SNP platform
 * } catch (e) {
 *   if (!(e instanceof MeasurementError)) throw e;
 *   console.log(e.message); // IGVM file is not compatible with the specified platform.
 * }
 * ```
 */
export class MeasurementError extends IgvmToolError {
  /**
   * True where the original reports the message as a Rust string value, which
   * its `main` prints in quotes: `Error: "…"`.
   */
  readonly quoted: boolean;
  /** Creates the error. */
  constructor(message: string, quoted = false) {
    super(message);
    this.name = "MeasurementError";
    this.quoted = quoted;
  }
}

/**
 * A key file is missing, malformed, encrypted or of the wrong type or curve.
 *
 * @example
 * ```ts
 * import { KeyError } from "./mod.ts";
 * const e = new KeyError("id_key.pem: not a P-384 key");
 * console.log(e instanceof Error, e.name, e.message);
 * ```
 */
export class KeyError extends IgvmToolError {
  /** Creates the error. */
  constructor(message: string) {
    super(message);
    this.name = "KeyError";
  }
}

/**
 * An attestation report is malformed or of an unsupported version.
 *
 * @example
 * ```ts
 * import { IgvmToolError, ReportError } from "./mod.ts";
 * const e = new ReportError("report.bin: unsupported report version 1");
 * console.log(e instanceof IgvmToolError, e.name);
 * ```
 */
export class ReportError extends IgvmToolError {
  /** Creates the error. */
  constructor(message: string) {
    super(message);
    this.name = "ReportError";
  }
}
