/**
 * Rules shared by the three launch measurements of Microsoft's `igvm` crate
 * (microsoft/igvm commit e6c3ff1, `igvm/src/measurement/{mod,snp,tdx,vbs}.rs`),
 * which OpenVMM's `igvmfilegen` and Hyper-V follow:
 *
 * - the compatibility mask is the one of the **first** platform header of the
 *   platform type (`IgvmSerializer::lookup_compatibility_mask`, serializer.rs);
 * - a directive is skipped when it carries a mask and `mask & target != target`
 *   (all bits of the target must be present); `ParameterArea` and the ten
 *   parameter-usage directives carry no mask and are never skipped
 *   (`IgvmDirectiveHeader::compatibility_mask`, lib.rs);
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

import { PAGE_SIZE_4K, PLATFORM_NAMES } from "../igvm/defs.ts";
import { readPayload } from "../igvm/source.ts";
import type { DirectiveHeader, IgvmFile, IgvmSource, Payload } from "../igvm/types.ts";
import { MeasurementError } from "../errors.ts";
import { platformMask } from "../igvm/select.ts";

const PAGE_4K = BigInt(PAGE_SIZE_4K);

/**
 * The compatibility mask to measure with: `given` if set, else the mask of the
 * first platform header of `platformType`. Throws {@link MeasurementError}
 * ("no platform header found for TDX", the crate's serializer wording) when
 * there is none.
 *
 * @example
 * ```ts
 * import { crateMask } from "./crate_rules.ts";
 * import { platform } from "../igvm/builder.ts";
 * const file = { revision: { version: 1 } as const, platforms: [platform(3, 0x4)], initializations: [], directives: [] };
 * crateMask(file, 3); // 0x4
 * ```
 */
export function crateMask(file: IgvmFile, platformType: number, given?: number): number {
  if (given !== undefined) return given >>> 0;
  const mask = platformMask(file, platformType);
  if (mask === undefined) {
    const name = PLATFORM_NAMES[platformType] ?? `0x${platformType.toString(16)}`;
    throw new MeasurementError(`no platform header found for ${name}`);
  }
  return mask >>> 0;
}

/**
 * Whether the crate measures directive `d` for target mask `mask`: directives
 * without a mask always, the others when their mask has every bit of `mask`.
 *
 * @example
 * ```ts
 * import { crateSelects } from "./crate_rules.ts";
 * import { pageData } from "../igvm/builder.ts";
 * crateSelects(pageData(0n, 0x1, null), 0x3); // false: bit 0x2 is missing
 * crateSelects(pageData(0n, 0x3, null), 0x1); // true
 * ```
 */
export function crateSelects(d: DirectiveHeader, mask: number): boolean {
  if (!("compatibilityMask" in d)) return true;
  return ((d.compatibilityMask & mask) >>> 0) === mask >>> 0;
}

/**
 * The parameter-area sizes seen so far (the crate's `parameter_area_table`).
 *
 * @example
 * ```ts
 * import { ParameterAreaSizes } from "./crate_rules.ts";
 * const areas = new ParameterAreaSizes(true);
 * areas.define(0, 0x2000n);
 * areas.size(0); // 0x2000n
 * ```
 */
export class ParameterAreaSizes {
  readonly #sizes = new Map<number, bigint>();
  readonly #allowRedefine: boolean;
  #pagesLeft = MAX_SYNTHESIZED_PAGES;

  /**
   * `allowRedefine`: SNP and TDX overwrite an index defined twice; VBS refuses
   * it with `InvalidParameterAreaIndex` (vbs.rs).
   */
  constructor(allowRedefine: boolean) {
    this.#allowRedefine = allowRedefine;
  }

  /** Records the size of area `index`. */
  define(index: number, size: bigint): void {
    if (!this.#allowRedefine && this.#sizes.has(index)) throw invalidParameterAreaIndex(index);
    this.#sizes.set(index, size);
  }

  /**
   * The size of area `index`, for a parameter insert that measures its pages;
   * throws `InvalidParameterAreaIndex` if undefined, and charges the area's
   * pages to the measurement's {@link MAX_SYNTHESIZED_PAGES} budget.
   */
  size(index: number): bigint {
    const size = this.#sizes.get(index);
    if (size === undefined) throw invalidParameterAreaIndex(index);
    this.chargePages((size + PAGE_4K - 1n) / PAGE_4K, `parameter area ${index}`);
    return size;
  }

  /**
   * Charges `pages` pages synthesized from a header's size field to the
   * budget; throws {@link MeasurementError} at once when they do not fit.
   */
  chargePages(pages: bigint, what: string): void {
    if (pages > BigInt(this.#pagesLeft)) {
      throw new MeasurementError(
        `${what} claims ${pages} pages of 4 KiB; a measurement measures at most ` +
          `${MAX_SYNTHESIZED_PAGES} pages (256 MiB) that are not backed by file data`,
      );
    }
    this.#pagesLeft -= Number(pages);
  }
}

/**
 * The most 4 KiB pages one measurement synthesizes from sizes in headers
 * rather than from file data (parameter areas, VBS error ranges): 256 MiB of
 * guest address space. The crate loops over whatever a header claims (a
 * parameter area of 2^60 bytes would run for years); past this budget the
 * measurement fails at once instead.
 */
export const MAX_SYNTHESIZED_PAGES = 0x10000;

/** The crate's `InvalidParameterAreaIndex(index)`. */
function invalidParameterAreaIndex(index: number): MeasurementError {
  return new MeasurementError(`invalid parameter area index ${index}`);
}

/**
 * The GPAs of the 4 KiB pages of `[gpa, gpa + size)`, as the crate's
 * `(gpa..gpa + size).step_by(4096)` (SNP and TDX parameter inserts):
 * `ceil(size / 4096)` pages. A range past the end of the 64-bit address space
 * (where the crate's addition overflows) is refused.
 *
 * @example
 * ```ts
 * import { pagesOfRange } from "./crate_rules.ts";
 * [...pagesOfRange(0x1000n, 0x2000n)]; // [0x1000n, 0x2000n]
 * ```
 */
export function* pagesOfRange(gpa: bigint, size: bigint): Generator<bigint> {
  // The crate iterates `gpa..gpa + size` in u64, which wraps in its release build: a range
  // running past 2^64 is then empty and measures nothing.
  const end = BigInt.asUintN(64, gpa + size);
  for (let g = gpa; g < end; g += PAGE_4K) yield g;
}

/**
 * The 4 KiB page the crate measures for page data (SNP `measure_page`, TDX
 * `measure_page`): `null` or empty data is a page of zeros, shorter data is
 * zero-padded, data longer than 4 KiB is refused (`UnsupportedPageSize`).
 * With `scratch`, a file range may be served from a buffer the next read
 * reuses (consume the page at once).
 *
 * @example
 * ```ts
 * import { cratePage } from "./crate_rules.ts";
 * cratePage(new Uint8Array([1, 2]), undefined).length; // 4096
 * ```
 */
export function cratePage(
  data: Payload | null,
  source: IgvmSource | undefined,
  scratch?: Uint8Array,
): Uint8Array {
  const bytes = data === null ? new Uint8Array(0) : readPayload(data, source, scratch);
  if (bytes.length === PAGE_SIZE_4K) return bytes;
  if (bytes.length > PAGE_SIZE_4K) {
    throw new MeasurementError(`unsupported page data size: ${bytes.length} bytes`);
  }
  const page = new Uint8Array(PAGE_SIZE_4K);
  page.set(bytes);
  return page;
}
