/**
 * Rules shared by the three launch measurements of Microsoft's `igvm` crate
 * (microsoft/igvm commit e6c3ff1, `igvm/src/measurement/{mod,snp,tdx,vbs}.rs`),
 * which OpenVMM's `igvmfilegen` and Hyper-V follow:
 *
 * - the compatibility mask is the one of the **first** platform header of the
 *   platform type (`IgvmSerializer::lookup_compatibility_mask`, serializer.rs;
 *   `measure.ts` picks it);
 * - a directive is skipped when it carries a mask and `mask & target != target`
 *   (`allBits` in `rule_set.ts`);
 * - `ParameterArea` records `number_of_bytes` under its index, and a
 *   `ParameterInsert` naming an unknown index fails with
 *   `InvalidParameterAreaIndex`;
 * - page data of 0 bytes is a page of zeros, shorter data is zero-padded to
 *   4 KiB, longer data fails with `UnsupportedPageSize` (snp.rs, tdx.rs).
 *
 * The crate's errors (mod.rs `MeasurementError`) become
 * {@link MeasurementError}s with the crate's Display text.
 *
 * @module
 */

import { PAGE_SIZE_4K } from "../igvm/defs.ts";
import { payloadLength } from "../igvm/source.ts";
import type { ParameterArea, ParameterInsert, Payload } from "../igvm/types.ts";
import { MeasurementError } from "../errors.ts";
import { type PageRecord, pages } from "./records.ts";

const PAGE_4K = BigInt(PAGE_SIZE_4K);

/** The digests whose crate rules synthesize pages from header sizes. */
export type SynthesizingDigest = "snp" | "tdx" | "vbs";

/**
 * The most 4 KiB pages one measurement synthesizes from sizes in headers
 * rather than from file data (parameter areas, VBS error ranges), per digest:
 * about a second of hashing each (bench/README.md, "Bounds", has the
 * measurements). The crate loops over whatever a header claims (a parameter
 * area of 2^60 bytes would run for years); past the budget the measurement
 * fails at once instead.
 *
 * - `snp`: 5 GiB; a page costs one 112-byte PAGE_INFO hash (≈ 0.75 µs);
 * - `tdx`: 8 GiB; a page costs one 128-byte `MEM.PAGE.ADD` record (≈ 0.47 µs);
 * - `vbs`: 512 MiB; a page costs a SHA-256 of a 4 KiB page chunk (≈ 8 µs).
 *
 * @example
 * ```ts
 * import { MAX_SYNTHESIZED_PAGES } from "./crate_rules.ts";
 * MAX_SYNTHESIZED_PAGES.snp * 4096 >= 4 * 2 ** 30; // true: a 4 GiB parameter area measures
 * ```
 */
export const MAX_SYNTHESIZED_PAGES: Readonly<Record<SynthesizingDigest, number>> = {
  snp: 0x140000,
  tdx: 0x200000,
  vbs: 0x20000,
};

/** How error messages name each budget's measurement. */
const BUDGET_NAMES: Readonly<Record<SynthesizingDigest, string>> = {
  snp: "an SEV-SNP",
  tdx: "a TDX",
  vbs: "a VBS",
};

/**
 * The parameter-area sizes seen so far (the crate's `parameter_area_table`).
 *
 * @example
 * ```ts
 * import { ParameterAreaSizes } from "./crate_rules.ts";
 * const areas = new ParameterAreaSizes(true, "snp");
 * areas.define(0, 0x2000n);
 * areas.size(0); // 0x2000n
 * ```
 */
export class ParameterAreaSizes {
  readonly #sizes = new Map<number, bigint>();
  readonly #allowRedefine: boolean;
  readonly #digest: SynthesizingDigest;
  #pagesLeft: number;

  /**
   * `allowRedefine`: SNP and TDX overwrite an index defined twice; VBS refuses
   * it with `InvalidParameterAreaIndex` (vbs.rs). `digest` picks the page
   * budget ({@link MAX_SYNTHESIZED_PAGES}).
   */
  constructor(allowRedefine: boolean, digest: SynthesizingDigest) {
    this.#allowRedefine = allowRedefine;
    this.#digest = digest;
    this.#pagesLeft = MAX_SYNTHESIZED_PAGES[digest];
  }

  /** Records the size of area `index`. */
  define(index: number, size: bigint): void {
    if (!this.#allowRedefine && this.#sizes.has(index)) throw invalidParameterAreaIndex(index);
    this.#sizes.set(index, size);
  }

  /**
   * The size of area `index`, for a parameter insert; throws
   * `InvalidParameterAreaIndex` if undefined. The insert charges the pages it
   * measures with {@link ParameterAreaSizes.chargePages}.
   */
  size(index: number): bigint {
    const size = this.#sizes.get(index);
    if (size === undefined) throw invalidParameterAreaIndex(index);
    return size;
  }

  /**
   * Charges `pages` pages synthesized from a header's size field to the
   * budget; throws {@link MeasurementError} at once when they do not fit.
   */
  chargePages(pages: bigint, what: string): void {
    if (pages > BigInt(this.#pagesLeft)) {
      const max = MAX_SYNTHESIZED_PAGES[this.#digest];
      throw new MeasurementError(
        `${what} claims ${pages} pages of 4 KiB; ${BUDGET_NAMES[this.#digest]} measurement ` +
          `hashes at most ${max} pages (${max / 256} MiB) that are not backed by file data ` +
          "(about a second of work)",
      );
    }
    this.#pagesLeft -= Number(pages);
  }
}

/** The crate's `InvalidParameterAreaIndex(index)`. */
function invalidParameterAreaIndex(index: number): MeasurementError {
  return new MeasurementError(`invalid parameter area index ${index}`);
}

/**
 * The number of 4 KiB pages of `[gpa, gpa + size)` the crate measures for a
 * parameter insert (SNP and TDX: `(gpa..gpa + size).step_by(4096)`):
 * `ceil(size / 4096)`. The crate's u64 addition wraps in its release build, so
 * a range running past 2^64 is empty and measures nothing.
 *
 * @example
 * ```ts
 * import { pagesOfRange } from "./crate_rules.ts";
 * pagesOfRange(0x1000n, 0x2001n); // 3
 * pagesOfRange(0xFFFFFFFFFFFFF000n, 0x2000n); // 0: wraps
 * ```
 */
export function pagesOfRange(gpa: bigint, size: bigint): number {
  const end = BigInt.asUintN(64, gpa + size);
  return end > gpa ? Number((end - gpa + PAGE_4K - 1n) / PAGE_4K) : 0;
}

/**
 * Refuses page data longer than 4 KiB, as the crate's SNP and TDX
 * `measure_page` do (`UnsupportedPageSize`); shorter data is measured
 * zero-padded and no data as a page of zeros.
 *
 * @example
 * ```ts
 * import { checkPageSize } from "./crate_rules.ts";
 * checkPageSize(new Uint8Array(4096)); // passes
 * ```
 */
export function checkPageSize(data: Payload | null): void {
  const length = data === null ? 0 : payloadLength(data);
  if (length > PAGE_SIZE_4K) {
    throw new MeasurementError(`unsupported page data size: ${length} bytes`);
  }
}

/**
 * The rule for `ParameterArea` (SNP and TDX; VBS refuses redefinition):
 * remember its size.
 *
 * @example
 * ```ts
 * import { defineArea, ParameterAreaSizes } from "./crate_rules.ts";
 * const areas = new ParameterAreaSizes(true, "snp");
 * defineArea({ type: "ParameterArea", numberOfBytes: 0x2000n, parameterAreaIndex: 0, initialData: null }, areas);
 * areas.size(0); // 0x2000n
 * ```
 */
export function defineArea(d: ParameterArea, areas: ParameterAreaSizes): undefined {
  areas.define(d.parameterAreaIndex, d.numberOfBytes);
}

/**
 * The rule for `ParameterInsert` (SNP and TDX): `type` pages over the whole
 * area from the insert's GPA ({@link pagesOfRange}); nothing for an empty range.
 *
 * @example
 * ```ts
 * import { insertedPages, ParameterAreaSizes } from "./crate_rules.ts";
 * const areas = new ParameterAreaSizes(true, "snp");
 * areas.define(0, 0x3000n);
 * const d = { type: "ParameterInsert", gpa: 0x1000n, compatibilityMask: 1, parameterAreaIndex: 0 } as const;
 * insertedPages(d, areas, 4, "Unmeasured")?.count; // 3
 * ```
 */
export function insertedPages(
  d: ParameterInsert,
  areas: ParameterAreaSizes,
  type: number,
  log: string,
): PageRecord | undefined {
  const count = pagesOfRange(d.gpa, areas.size(d.parameterAreaIndex));
  // Charged as measured: a range that wraps past 2^64 measures nothing, as in the crate.
  areas.chargePages(BigInt(count), `parameter area ${d.parameterAreaIndex}`);
  return count > 0 ? pages(d.gpa, type, null, log, count) : undefined;
}
