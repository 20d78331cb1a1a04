/**
 * Messages between the page and its Web Worker. The page sends the `File`
 * itself (a handle: structured cloning copies no bytes); the worker parses,
 * inspects and measures it, and answers with plain data.
 *
 * @module
 */

import type { DigestLine } from "../lib/inspect/inspect_text.ts";
import type { Json } from "../lib/inspect/inspect_file.ts";

/** Page → worker: measure `file` (one file per worker). */
export interface MeasureRequest {
  /** Message kind. */
  readonly type: "measure";
  /** The IGVM file the user chose. */
  readonly file: File;
  /** `-n`: coconut rules measure pages without data as SNP ZERO pages. */
  readonly nativeZero: boolean;
  /** `-c`: coconut rules apply the original's QEMU/KVM checks. */
  readonly checkKvm: boolean;
}

/** A small file's name and contents (a report, a certificate). */
export interface NamedBytes {
  /** The file's name, as error lines and results name it. */
  readonly name: string;
  /** The file's contents. */
  readonly bytes: Uint8Array;
}

/** Page → worker: compare a report with the measured file (`verify --report`). */
export interface VerifyRequest {
  /** Message kind. */
  readonly type: "verify";
  /** The attestation report (binary or hex text); the worker reads it. */
  readonly report: File;
  /** The VCEK (or VLEK) certificate, if the user gave one. */
  readonly vcek?: File;
  /** The SEV-SNP rules to compare with: the CLI's `--semantics`. */
  readonly semantics: "coconut" | "openvmm";
}

/** Messages the worker accepts. */
export type Request = MeasureRequest | VerifyRequest;

/** Worker → page: the file parsed; what `inspect` shows (without digests). */
export interface Inspected {
  /** Message kind. */
  readonly type: "inspected";
  /** {@link inspectFile}'s data. */
  readonly info: Json;
}

/** Worker → page: pages hashed so far, over all digests. */
export interface Progress {
  /** Message kind. */
  readonly type: "progress";
  /** Pages hashed so far. */
  readonly done: number;
  /** Pages to hash. */
  readonly total: number;
}

/** Worker → page: every digest, as `inspect` lists them. */
export interface Digests {
  /** Message kind. */
  readonly type: "digests";
  /** The digests (lower-case hex) or refusals. */
  readonly digests: readonly DigestLine[];
}

/** One report field compared, as `verify --report --json` lists it. */
export interface FieldRow {
  /** Report field name, e.g. `MEASUREMENT`. */
  readonly field: string;
  /** `match`, `mismatch` or `skip`. */
  readonly status: string;
  /** The report's value. */
  readonly report: string;
  /** What the file implies, or null. */
  readonly expected: string | null;
}

/** One check, as `verify --json` lists it. */
export interface CheckRow {
  /** Check name: `ld`, `id-signature`, `report-signature`, … */
  readonly name: string;
  /** `pass`, `fail` or `skip`. */
  readonly status: string;
  /** One readable line. */
  readonly detail: string;
}

/** Worker → page: the outcome of a verification. */
export interface Verified {
  /** Message kind. */
  readonly type: "verified";
  /** True when nothing failed. */
  readonly verified: boolean;
  /** The checks (ID block, report signature). */
  readonly checks: readonly CheckRow[];
  /** The report fields compared. */
  readonly fields: readonly FieldRow[];
  /** What `verify --report` prints on stdout. */
  readonly text: string;
  /** What it prints on stderr: one `Error: <file>: <reason>` line per failure. */
  readonly failures: readonly string[];
  /** `verify --report --json`'s object. */
  readonly json: Record<string, unknown>;
}

/** Worker → page: one error line, as the CLI prints it (`Error: <file>: <reason>`). */
export interface Failed {
  /** Message kind. */
  readonly type: "error";
  /** What failed: measuring the file, or verifying a report. */
  readonly during: "measure" | "verify";
  /** The CLI's error line, without the trailing newline. */
  readonly line: string;
}

/** Messages the worker sends. */
export type Reply = Inspected | Progress | Digests | Verified | Failed;
