/**
 * The project's typed errors. Every failure the CLI reports is one of these;
 * anything else reaching the CLI's error handler is a bug.
 *
 * @module
 */

/**
 * What an {@link IgvmToolError} is about:
 *
 * - `format`: the bytes are not an IGVM file the reference parser accepts;
 * - `measurement`: the file cannot be measured for the platform and rules asked for;
 * - `options`: options that make no sense together (the CLI's usage errors);
 * - `key`, `signature`: a key or signature file is malformed or does not fit;
 * - `report`: an attestation report is malformed;
 * - `verification`: a check failed (`verify`);
 * - `file`: a file could not be read or written; `output`: writing the output failed;
 * - `certificate`: a certificate, CRL or PEM file is malformed (`lib/x509`);
 * - `attestation`: an input of attestation verification is unusable (a certificate table, a
 *   value); `network`: downloading from AMD's KDS failed;
 * - `error`: any other invalid value.
 */
export type ErrorKind =
  | "format"
  | "measurement"
  | "options"
  | "key"
  | "signature"
  | "report"
  | "verification"
  | "file"
  | "output"
  | "certificate"
  | "attestation"
  | "network"
  | "error";

/**
 * Base class: a failure with a one-line, user-facing message.
 *
 * @example
 * ```ts
 * import { IgvmToolError, measure, parseIgvm } from "./mod.ts";
 * try {
 *   measure(parseIgvm(await Deno.readFile("testdata/sample.igvm")), { platform: "sev" });
 * } catch (e) {
 *   if (!(e instanceof IgvmToolError)) throw e; // a bug, not a bad input
 *   console.log(`${e.kind}: ${e.message}`); // measurement: IGVM file is not compatible ...
 * }
 * ```
 */
export class IgvmToolError extends Error {
  /** What went wrong, for callers to switch on (the CLI's exit codes, the JSON `error.type`). */
  readonly kind: ErrorKind;
  /** The file the error is about, when known (the CLI names it). */
  file?: string;
  /** Creates the error; `message` must be one line. */
  constructor(message: string, kind: ErrorKind = "error") {
    super(message);
    this.name = "IgvmToolError";
    this.kind = kind;
  }
}

/**
 * Runs `fn`; an {@link IgvmToolError} it throws that names no file yet is
 * thrown naming `file` (how the CLI and the web page say which input an
 * error is about). Other errors pass through unchanged.
 *
 * @example
 * ```ts
 * import { IgvmToolError, namingFile } from "./errors.ts";
 * try {
 *   namingFile("a.igvm", () => {
 *     throw new IgvmToolError("bad header");
 *   });
 * } catch (e) {
 *   console.log((e as IgvmToolError).file); // "a.igvm"
 * }
 * ```
 */
export function namingFile<T>(file: string, fn: () => T): T {
  try {
    return fn();
  } catch (e) {
    if (e instanceof IgvmToolError) e.file ??= file;
    throw e;
  }
}

/**
 * {@link namingFile} for work under way: its rejection, if an
 * {@link IgvmToolError} naming no file, names `file`.
 *
 * @example
 * ```ts
 * import { namingFileAsync } from "./errors.ts";
 * await namingFileAsync("a.igvm", Promise.resolve(1)); // 1
 * ```
 */
export async function namingFileAsync<T>(file: string, work: Promise<T>): Promise<T> {
  try {
    return await work;
  } catch (e) {
    if (e instanceof IgvmToolError) e.file ??= file;
    throw e;
  }
}

/**
 * A file could not be read or written (`kind` `file`); `message` says why,
 * `file` names it. The CLI's file sources and the web page's throw it.
 *
 * @example
 * ```ts
 * import { FileAccessError } from "./errors.ts";
 * new FileAccessError("a.igvm", "cannot read file: no such file").kind; // "file"
 * ```
 */
export class FileAccessError extends IgvmToolError {
  /** Creates the error. */
  constructor(file: string, message: string) {
    super(message, "file");
    this.name = "FileAccessError";
    this.file = file;
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
    super(message, "format");
    this.name = "IgvmFormatError";
    this.code = code;
  }
}

/**
 * Why a measurement was refused, where a caller may want to tell the cases
 * apart (every other refusal has no `reason`).
 *
 * - `platform-not-in-file`: the file has no platform header for the platform;
 * - `no-guest-policy`: the file has no SEV-SNP guest policy where one is required;
 * - `kvm-check`: a `checkKvm` rule failed;
 * - `id-block-mismatch`: the SNP ID block's LD is not the launch digest;
 * - `snp-only`: the operation (signing) exists for SEV-SNP only.
 */
export type MeasurementReason =
  | "platform-not-in-file"
  | "no-guest-policy"
  | "kvm-check"
  | "id-block-mismatch"
  | "snp-only";

/**
 * A measurement could not be completed, or a check failed. Where the original
 * tool has a message for the failure, `message` is its text.
 *
 * @example
 * ```ts
 * import { measure, MeasurementError, parseIgvm } from "./mod.ts";
 * const file = parseIgvm(await Deno.readFile("testdata/sample.igvm"));
 * try {
 *   measure(file, { platform: "sev-es" }); // the sample has only an SEV-SNP platform
 * } catch (e) {
 *   if (!(e instanceof MeasurementError)) throw e;
 *   console.log(e.reason, e.message); // platform-not-in-file IGVM file is not compatible ...
 * }
 * ```
 */
export class MeasurementError extends IgvmToolError {
  /** Which refusal this is, for the ones a caller may want to tell apart. */
  readonly reason?: MeasurementReason;
  /** Creates the error. */
  constructor(message: string, reason?: MeasurementReason) {
    super(message, "measurement");
    this.name = "MeasurementError";
    this.reason = reason;
  }
}

/**
 * Measurement options that do not go together, e.g. `nativeZero` (a rule of
 * the original igvmmeasure) with the igvm crate's rules. `option` names the
 * offending option and `problem` says what is wrong with it.
 *
 * @example
 * ```ts
 * import { measure, OptionsError, parseIgvm } from "./mod.ts";
 * const file = parseIgvm(await Deno.readFile("testdata/sample.igvm"));
 * try {
 *   measure(file, { platform: "tdx", nativeZero: true });
 * } catch (e) {
 *   if (!(e instanceof OptionsError)) throw e;
 *   console.log(e.option, e.problem); // nativeZero amd-only
 * }
 * ```
 */
export class OptionsError extends IgvmToolError {
  /** The option at fault. */
  readonly option: "nativeZero" | "checkKvm" | "semantics";
  /**
   * `amd-only`: the option applies to sev-snp, sev-es and sev only;
   * `coconut-only`: it is a rule of the coconut semantics;
   * `no-rules`: the semantics has no rules for the platform.
   */
  readonly problem: "amd-only" | "coconut-only" | "no-rules";
  /** The platform measured. */
  readonly platform: string;
  /** Creates the error; the message is built from the three fields. */
  constructor(
    option: OptionsError["option"],
    problem: OptionsError["problem"],
    platform: string,
  ) {
    super(
      problem === "amd-only"
        ? `'${option}' applies to the AMD platforms only, not to '${platform}'`
        : problem === "coconut-only"
        ? `'${option}' is a rule of the coconut semantics; it cannot be used with the openvmm semantics`
        : `the openvmm semantics measures sev-snp, tdx and vbs; the igvm crate has no rules for '${platform}'`,
      "options",
    );
    this.name = "OptionsError";
    this.option = option;
    this.problem = problem;
    this.platform = platform;
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
    super(message, "key");
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
    super(message, "report");
    this.name = "ReportError";
  }
}
