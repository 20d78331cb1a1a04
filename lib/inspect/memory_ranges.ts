/**
 * Page-data directives summarised as merged GPA ranges: pages of the same
 * kind and compatibility mask whose GPAs touch become one range.
 *
 * Kinds: `normal` (measured data), `zero` (no data in the file: zero pages),
 * `unmeasured`, `secrets`, `cpuid`, `cpuid-xf`, `shared`.
 *
 * @module
 */

import { PAGE_SIZE_2M, PAGE_SIZE_4K, PageDataFlags, PageDataType } from "../igvm/defs.ts";
import type { PageData } from "../igvm/types.ts";

/** One merged range; `end` is exclusive. */
export interface MemoryRange {
  /** Compatibility mask of the merged directives. */
  readonly compatibilityMask: number;
  /** Page kind, as {@link pageKind} names it (`normal`, `zero`, …). */
  readonly kind: string;
  /** Guest physical address of the range's first byte. */
  readonly start: bigint;
  /** Guest physical address one past the range's last byte. */
  readonly end: bigint;
  /** Number of page-data directives merged into the range. */
  readonly pages: number;
}

/**
 * The kind of a page-data directive.
 *
 * @example
 * ```ts
 * import { pageKind } from "./memory_ranges.ts";
 * pageKind({ type: "PageData", gpa: 0n, compatibilityMask: 1, flags: 0, dataType: 0, data: null }); // "zero"
 * ```
 */
export function pageKind(p: PageData): string {
  if (p.flags & PageDataFlags.SHARED) return "shared";
  if (p.flags & PageDataFlags.UNMEASURED) return "unmeasured";
  switch (p.dataType) {
    case PageDataType.SECRETS:
      return "secrets";
    case PageDataType.CPUID_DATA:
      return "cpuid";
    case PageDataType.CPUID_XF:
      return "cpuid-xf";
  }
  return p.data === null ? "zero" : "normal";
}

/**
 * Merges `pages` into ranges, sorted by mask, then start address.
 *
 * @example
 * ```ts
 * import { mergePageRanges } from "./memory_ranges.ts";
 * const page = (gpa: bigint) => ({ type: "PageData" as const, gpa, compatibilityMask: 1, flags: 0, dataType: 0, data: null });
 * mergePageRanges([page(0x1000n), page(0x2000n)]); // one range 0x1000..0x3000, 2 pages
 * ```
 */
export function mergePageRanges(pages: readonly PageData[]): MemoryRange[] {
  const groups = new Map<string, { mask: number; kind: string; items: PageData[] }>();
  for (const p of pages) {
    const kind = pageKind(p);
    const key = `${p.compatibilityMask}/${kind}`;
    let g = groups.get(key);
    if (!g) groups.set(key, g = { mask: p.compatibilityMask, kind, items: [] });
    g.items.push(p);
  }
  const out: MemoryRange[] = [];
  for (const g of groups.values()) {
    const sorted = [...g.items].sort((a, b) => (a.gpa < b.gpa ? -1 : a.gpa > b.gpa ? 1 : 0));
    let cur: { start: bigint; end: bigint; pages: number } | undefined;
    for (const p of sorted) {
      const size = BigInt(p.flags & PageDataFlags.IS_2MB_PAGE ? PAGE_SIZE_2M : PAGE_SIZE_4K);
      if (cur && p.gpa <= cur.end) {
        if (p.gpa + size > cur.end) cur.end = p.gpa + size;
        cur.pages++;
        continue;
      }
      if (cur) out.push({ compatibilityMask: g.mask, kind: g.kind, ...cur });
      cur = { start: p.gpa, end: p.gpa + size, pages: 1 };
    }
    if (cur) out.push({ compatibilityMask: g.mask, kind: g.kind, ...cur });
  }
  return out.sort((a, b) =>
    a.compatibilityMask - b.compatibilityMask ||
    (a.start < b.start ? -1 : a.start > b.start ? 1 : 0)
  );
}
