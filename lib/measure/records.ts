/**
 * Measurement records: what a rule set (`*_rules.ts`) says a loader measures,
 * in order, before anything is hashed. The engine (`engine.ts`) reads the
 * contents they point at, hashes them in bulk and folds them into the
 * platform's digest.
 *
 * @module
 */

import { PAGE_SIZE_4K } from "../igvm/defs.ts";
import type { FileRange, Payload } from "../igvm/types.ts";

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
 * way (a page of zeros, or nothing). A record with data and `count > 1` is a
 * run of whole pages stored one after another in the file: `data` is then
 * the range of all `count` × 4 KiB, page `i` at `data.offset + 4096 i`
 * ({@link appendRecord} merges a rule set's single pages into such runs).
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

const GPA_END = 1n << 64n;

/** A run of pages {@link RecordList} made itself, so that it may extend it in place. */
interface OpenRun {
  readonly kind: "pages";
  readonly gpa: bigint;
  count: number;
  readonly type: number;
  readonly data: { readonly offset: number; length: number } | null;
  readonly log: string;
}

/**
 * Whether `data` is the range of `count` whole pages of the file (a record's
 * data that the engine can read, and hash ahead, page by page).
 *
 * @example
 * ```ts
 * import { isFileRun } from "./records.ts";
 * isFileRun({ offset: 0, length: 8192 }, 2); // true
 * isFileRun({ offset: 0, length: 100 }, 1); // false: the page is zero-padded
 * isFileRun(new Uint8Array(4096), 1); // false: bytes in hand
 * ```
 */
export function isFileRun(data: Payload | null, count: number): data is FileRange {
  return data !== null && !(data instanceof Uint8Array) && data.length === count * PAGE_SIZE_4K;
}

/** Whether `next` continues `last`: same type and log, the next GPA, the next file pages (or both none). */
function continues(last: PageRecord, next: PageRecord): boolean {
  if (last.type !== next.type || last.log !== next.log) return false;
  if (last.data === null || next.data === null) {
    if (last.data !== next.data) return false;
  } else if (
    !isFileRun(last.data, last.count) || !isFileRun(next.data, next.count) ||
    next.data.offset !== last.data.offset + last.count * PAGE_SIZE_4K
  ) return false;
  const end = last.gpa + BigInt(last.count * PAGE_SIZE_4K);
  return end < GPA_END && next.gpa === end;
}

/**
 * The records of a plan, in order, with each page record that continues the
 * one before it merged into it (see {@link PageRecord}): a large file's
 * 65,536 pages stored in GPA order become one record, not 65,536. Merging
 * changes nothing a digest or the verbose log shows: the engine still folds
 * every page, in the same order, and the log joins such pages anyway.
 *
 * @example
 * ```ts
 * import { pages, RecordList } from "./records.ts";
 * const list = new RecordList();
 * list.add(pages(0x1000n, 1, { offset: 4096, length: 4096 }, "Normal"));
 * list.add(pages(0x2000n, 1, { offset: 8192, length: 4096 }, "Normal"));
 * list.records.length; // 1: two pages from file offset 4096
 * ```
 */
export class RecordList {
  /** The records so far. */
  readonly records: MeasurementRecord[] = [];
  /** The last record, when this list made it (and may extend it). */
  #run: OpenRun | undefined;

  /** Appends `r`, or extends the last record with it. */
  add(r: MeasurementRecord): void {
    const records = this.records;
    const last = records.length > 0 ? records[records.length - 1] : undefined;
    if (r.kind !== "pages" || last?.kind !== "pages" || !continues(last, r)) {
      records.push(r);
      this.#run = undefined;
      return;
    }
    let run = this.#run;
    if (run === undefined) {
      const data = last.data === null
        ? null
        : { offset: (last.data as FileRange).offset, length: 0 };
      run = {
        kind: "pages",
        gpa: last.gpa,
        count: last.count,
        type: last.type,
        data,
        log: last.log,
      };
      records[records.length - 1] = run;
      this.#run = run;
    }
    run.count += r.count;
    if (run.data !== null) run.data.length = run.count * PAGE_SIZE_4K;
  }
}
