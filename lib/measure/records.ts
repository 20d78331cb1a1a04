/**
 * Measurement records: what a rule set (`*_rules.ts`) says a loader measures,
 * in order, before anything is hashed. The engine (`engine.ts`) reads the
 * contents they point at, hashes them in bulk and folds them into the
 * platform's digest.
 *
 * @module
 */

import type { Payload } from "../igvm/types.ts";

/** {@link PageRecord.type} of a page that is logged but not measured (the crate's shared pages). */
export const SKIPPED = -1;

/**
 * `count` consecutive 4 KiB pages from `gpa`, all of one `type`.
 *
 * `type` is the digest's own page code: the PAGE_INFO page type for SEV-SNP
 * (`SnpPageType`), the TDX operation (`TdxOperation`), the VBS page metadata
 * bits, 0 for the SEV/SEV-ES stream; {@link SKIPPED} for a page that is only
 * logged. `data` is where the page's bytes come from (cut or zero-padded to
 * 4 KiB); `null` when the page has no data, which each digest reads its own
 * way (a page of zeros, or nothing). Only records without data have
 * `count > 1`.
 */
export interface PageRecord {
  /** Discriminant. */
  readonly kind: "pages";
  /** GPA of the first page. */
  readonly gpa: bigint;
  /** Number of pages (GPAs `gpa`, `gpa + 4096`, …, in 64-bit arithmetic). */
  readonly count: number;
  /** The digest's page code, or {@link SKIPPED}. */
  readonly type: number;
  /** The page's contents, or null. */
  readonly data: Payload | null;
  /** How the verbose log names these pages (e.g. `Normal`, `VMSA`). */
  readonly log: string;
  /** Length the verbose log shows, where it is not `count` × 4 KiB. */
  readonly logBytes?: bigint;
}

/** One VP context's registers (VBS), each value already in its measured 16-byte form. */
export interface RegisterRecord {
  /** Discriminant. */
  readonly kind: "registers";
  /** VTL of the VP context. */
  readonly vtl: number;
  /** Hyper-V register names and their 16-byte values, in stored order. */
  readonly registers: readonly { readonly name: number; readonly value: Uint8Array }[];
}

/** One step of a measurement. */
export type MeasurementRecord = PageRecord | RegisterRecord;

/**
 * The records of a measurement, in the order the loader measures them, and
 * the refusal that ended the rules early, if one did. The engine folds the
 * records before it reports the refusal, so that a verbose log shows what was
 * measured up to that point, as the original does.
 */
export interface MeasurementPlan {
  /** The records, in order. */
  readonly records: readonly MeasurementRecord[];
  /** The error that stopped the rules, if any. */
  readonly failure?: Error;
}

/**
 * A {@link PageRecord} of `count` pages at `gpa`.
 *
 * @example
 * ```ts
 * import { pages } from "./records.ts";
 * pages(0x1000n, 4, null, "Unmeasured", 2); // two pages of SNP type 4 (UNMEASURED)
 * ```
 */
export function pages(
  gpa: bigint,
  type: number,
  data: Payload | null,
  log: string,
  count = 1,
): PageRecord {
  return { kind: "pages", gpa, count, type, data, log };
}
