/**
 * The relocation and page-table regions of each platform, which must not
 * overlap (microsoft/igvm `validate_initialization_headers`, whose
 * `check_region_overlap` inserts each region into a `RangeMap` per mask bit).
 *
 * @module
 */

import { fileError } from "./format_error.ts";

const U64_MAX = 0xFFFF_FFFF_FFFF_FFFFn;

/**
 * The single bits of `mask`, lowest first (the crate's `extract_individual_masks`).
 *
 * @example
 * ```ts
 * import { singleBits } from "./relocation_ranges.ts";
 * singleBits(0b1010); // [2, 8]
 * ```
 */
export function singleBits(mask: number): number[] {
  const out: number[] = [];
  for (let b = 0; b < 32; b++) if ((mask >>> b) & 1) out.push((1 << b) >>> 0);
  return out;
}

/**
 * Disjoint inclusive ranges per mask bit, kept sorted so that a new range is
 * checked against one neighbour (a binary search: no quadratic time for many
 * regions).
 *
 * @example
 * ```ts
 * import { RelocationRanges } from "./relocation_ranges.ts";
 * const ranges = new RelocationRanges();
 * ranges.insert(1, 0x1000n, 0x1000n);
 * ranges.insert(1, 0x2000n, 0x1000n); // adjacent: fine
 * try {
 *   ranges.insert(1, 0x2800n, 0x1000n);
 * } catch (e) {
 *   console.log((e as Error).message); // ... overlaps another [RelocationRegionsOverlap]
 * }
 * ```
 */
export class RelocationRanges {
  readonly #byBit = new Map<number, Array<[bigint, bigint]>>();

  /**
   * Adds the region `start`, `size` bytes long, for each bit of `mask`.
   * Throws `IgvmFormatError` (`RelocationRegionsOverlap`, or
   * `InvalidRelocationRegion` where the crate panics) as the crate refuses.
   */
  insert(mask: number, start: bigint, size: bigint): void {
    // The crate inserts `start..=start + size - 1` (u64 arithmetic, wrapping in release builds) into a
    // range map, which panics on an empty range: size 0 at a non-zero start, or an end past 2^64.
    // Size 0 at start 0 wraps to the whole address space.
    let end = start + size - 1n;
    if (size === 0n && start === 0n) end = U64_MAX;
    else if (size === 0n || end > U64_MAX) {
      throw fileError(
        "InvalidRelocationRegion",
        `relocation region at 0x${start.toString(16)} of size 0x${
          size.toString(16)
        } is empty or ends past 2^64 ` +
          "(the reference parser panics on it)",
      );
    }
    for (const bit of singleBits(mask)) {
      // Only the last range starting at or before `end` can overlap.
      const list = this.#byBit.get(bit) ?? [];
      let lo = 0;
      let hi = list.length;
      while (lo < hi) {
        const mid = (lo + hi) >>> 1;
        if (list[mid][0] <= end) lo = mid + 1;
        else hi = mid;
      }
      if (lo > 0 && list[lo - 1][1] >= start) {
        throw fileError(
          "RelocationRegionsOverlap",
          `relocation region 0x${start.toString(16)}..0x${end.toString(16)} overlaps another`,
        );
      }
      list.splice(lo, 0, [start, end]);
      this.#byBit.set(bit, list);
    }
  }
}
