/**
 * The measurement engine: folds a rule set's records (`records.ts`) into a
 * launch digest (`folds.ts`). It reads the contents the records point at,
 * hashes the pages of SHA-384 digests ahead in bulk (`page_hashes.ts`: the
 * WebAssembly SHA-384 in batches, or the caller's service with worker
 * threads), writes the verbose page log and reports progress. It knows no
 * rules: every rule set goes through the same loop.
 *
 * @module
 */

import { PAGE_SIZE_4K } from "../igvm/defs.ts";
import type { FileRange, IgvmSource, Payload } from "../igvm/types.ts";
import { readPayload } from "../igvm/source.ts";
import type { MeasurementPlan, MeasurementRecord, PageRecord } from "./records.ts";
import { isFileRun, SKIPPED } from "./records.ts";
import { createFold, type Fold } from "./folds.ts";
import type { DigestKind } from "./rule_set.ts";
import { batchPageHashes, type PageDigestReader, type PageHashService } from "./page_hashes.ts";
import { createPageHasher, type PageHasher, zeroPageSha384 } from "./wasm_sha384.ts";
import { PageLog } from "./verbose_log.ts";

/** How the engine runs; none of it changes the digest. */
export interface EngineOptions {
  /** Hashes the file's pages in bulk; default: batches on this thread. */
  readonly pageHashes?: PageHashService;
  /** Receives the verbose page log, line by line. */
  readonly log?: (line: string) => void;
  /** Called as pages are measured: pages done so far, pages in all. */
  readonly progress?: (done: number, total: number) => void;
}

/** The GPA step from one page of a run to the next. */
const PAGE_GPA_STEP = BigInt(PAGE_SIZE_4K);

/** Pages between two progress calls. */
const PROGRESS_STEP = 1024;

/**
 * Pages in `records` that a fold measures (what progress counts).
 *
 * @example
 * ```ts
 * import { pagesToMeasure } from "./engine.ts";
 * import { pages } from "./records.ts";
 * pagesToMeasure([pages(0n, 4, null, "Unmeasured", 3)]); // 3
 * ```
 */
export function pagesToMeasure(records: readonly MeasurementRecord[]): number {
  let total = 0;
  for (let i = 0; i < records.length; i++) {
    const r = records[i];
    if (r.kind === "pages" && r.type !== SKIPPED) total += r.count;
  }
  return total;
}

/** The page's 4 KiB: its data cut or zero-padded (bytes in hand may be of any length). */
function pageBytes(data: Payload, source: IgvmSource | undefined, scratch: Uint8Array): Uint8Array {
  const bytes = readPayload(data, source, scratch);
  if (bytes.length === PAGE_SIZE_4K) return bytes;
  const page = new Uint8Array(PAGE_SIZE_4K);
  page.set(bytes.subarray(0, PAGE_SIZE_4K));
  return page;
}

/** Whether the fold reads record `r`'s pages from the file, a whole page each (what can be hashed ahead). */
function readsFilePages(r: MeasurementRecord, fold: Fold): r is PageRecord & { data: FileRange } {
  return r.kind === "pages" && fold.hasContents(r.type) && isFileRun(r.data, r.count);
}

/** The SHA-384 digests of the file pages a `sha384` fold will ask for, hashed ahead in order. */
function hashAhead(
  records: readonly MeasurementRecord[],
  fold: Fold,
  source: IgvmSource | undefined,
  service: PageHashService | undefined,
): PageDigestReader | undefined {
  if (source === undefined) return undefined;
  let count = 0;
  for (let i = 0; i < records.length; i++) {
    const r = records[i];
    if (readsFilePages(r, fold)) count += r.count;
  }
  if (count === 0) return undefined;
  const offsets = new Float64Array(count);
  let n = 0;
  for (let i = 0; i < records.length; i++) {
    const r = records[i];
    if (!readsFilePages(r, fold)) continue;
    for (let k = 0; k < r.count; k++) offsets[n++] = r.data.offset + k * PAGE_SIZE_4K;
  }
  return service ? service.sha384Pages(offsets) : batchPageHashes(source, offsets);
}

/** Page `k` of a record's data: the data itself for one page, else the k-th 4 KiB of the run. */
function pageData(data: Payload, count: number, k: number): Payload {
  if (count === 1) return data;
  return { offset: (data as FileRange).offset + k * PAGE_SIZE_4K, length: PAGE_SIZE_4K };
}

/** Reads what a page record gives its fold: digest or bytes, or null. */
class Contents {
  readonly #scratch = new Uint8Array(PAGE_SIZE_4K);
  /** Made on first use: SEV, SEV-ES and VBS folds, and pages hashed ahead, never need it. */
  #hasher: PageHasher | undefined;
  constructor(
    private readonly fold: Fold,
    private readonly source: IgvmSource | undefined,
    private readonly ahead: PageDigestReader | undefined,
  ) {}

  /** What the fold takes for page `k` of `r` (every page alike when `r` has no data). */
  of(r: PageRecord, k: number): Uint8Array | null {
    if (!this.fold.hasContents(r.type)) return null;
    const sha384 = this.fold.input === "sha384";
    if (r.data === null) return sha384 ? zeroPageSha384() : null;
    if (sha384 && this.ahead !== undefined && readsFilePages(r, this.fold)) {
      return this.ahead.next();
    }
    const bytes = pageBytes(pageData(r.data, r.count, k), this.source, this.#scratch);
    if (!sha384) return bytes;
    this.#hasher ??= createPageHasher(1);
    return this.#hasher.hashPage(bytes);
  }
}

/**
 * Folds `plan` into a digest of `kind`, reading page contents from `source`;
 * throws the plan's failure: after logging the records before it, or at once
 * when there is no log to show them.
 *
 * @example
 * ```ts
 * import { foldPlan } from "./engine.ts";
 * import { pages } from "./records.ts";
 * const plan = { records: [pages(0x1000n, 4, null, "Unmeasured")] };
 * foldPlan(plan, "snp", undefined).length; // 48
 * ```
 */
export function foldPlan(
  plan: MeasurementPlan,
  kind: DigestKind,
  source: IgvmSource | undefined,
  options: EngineOptions = {},
): Uint8Array {
  if (plan.failure && !options.log) throw plan.failure;
  const progress = options.progress;
  const total = progress ? pagesToMeasure(plan.records) : 0;
  const fold = createFold(kind, () => pagesToMeasure(plan.records) * PAGE_SIZE_4K);
  const log = options.log ? new PageLog(options.log) : undefined;
  let done = 0;
  let reported = 0;
  const ahead = fold.input === "sha384"
    ? hashAhead(plan.records, fold, source, options.pageHashes)
    : undefined;
  const contents = new Contents(fold, source, ahead);
  try {
    const records = plan.records;
    for (let i = 0; i < records.length; i++) {
      const r = records[i];
      if (r.kind === "registers") {
        log?.finish();
        options.log?.(`vp registers: VTL ${r.vtl}, ${r.registers.length} registers`);
        fold.registers(r);
        continue;
      }
      if (r.type !== SKIPPED && (r.count === 1 || !isFileRun(r.data, r.count))) {
        fold.pages(r.type, r.gpa, r.count, contents.of(r, 0));
        done += r.count;
      } else if (r.type !== SKIPPED) {
        // A run of file pages: each its own contents, in order.
        let gpa = r.gpa;
        for (let k = 0; k < r.count; k++, gpa += PAGE_GPA_STEP) {
          fold.pages(r.type, gpa, 1, contents.of(r, k));
          done++;
          if (progress && done - reported >= PROGRESS_STEP) progress(reported = done, total);
        }
      }
      log?.page(r.log, r.gpa, BigInt(r.count) * PAGE_GPA_STEP);
      if (progress && done - reported >= PROGRESS_STEP) progress(reported = done, total);
    }
  } finally {
    ahead?.close();
  }
  // A refusal ends the run as the original's does: the log line being built is not written.
  if (plan.failure) throw plan.failure;
  log?.finish();
  progress?.(done, total);
  return fold.digest();
}
