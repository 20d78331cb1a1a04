/**
 * The memory map's geometry, without the DOM: which ranges are drawn in
 * which lane, and where on a gap-compressed address axis.
 *
 * Lanes: one per platform header (a range is drawn in every lane whose
 * compatibility mask it shares a bit with). Items: the merged page-data
 * ranges of `inspect` (by kind), SNP VMSAs, inserted parameter areas, and
 * required memory (drawn on a thinner row below, as it overlaps the rest).
 *
 * Axis: every start and end address cuts the axis into segments. A segment
 * that some item covers gets a width that grows with the logarithm of its
 * size ({@link MIN_UNITS} + {@link LOG_UNITS} per doubling above 4 KiB), so a
 * lone 4 KiB page just below 4 GiB stays as visible as 64 MiB of RAM at 1 MiB
 * (8 units against 92); an uncovered stretch, however long, is a gap of
 * {@link GAP_UNITS}, marked as not to scale. Addresses keep their order.
 *
 * @module
 */

import type { Json } from "../lib/inspect/inspect_file.ts";

/** Colour class of an item (`cpuid-xf` pages are drawn as `cpuid`). */
export type MapKind =
  | "normal"
  | "zero"
  | "unmeasured"
  | "secrets"
  | "cpuid"
  | "shared"
  | "vmsa"
  | "parameter"
  | "required";

/** Legend order and wording of each kind. */
export const KIND_LABELS: Readonly<Record<MapKind, string>> = {
  normal: "measured data",
  zero: "zero pages (no data)",
  unmeasured: "unmeasured",
  secrets: "secrets page",
  cpuid: "CPUID page",
  shared: "shared",
  vmsa: "VMSA (VP context)",
  parameter: "parameter area",
  required: "required memory",
};

/** One drawn range. */
export interface MapItem {
  /** Colour class. */
  readonly kind: MapKind;
  /** What the range is, in words (`normal`, `cpuid-xf`, `parameter area 1 (MemoryMap)` …). */
  readonly what: string;
  /** First byte. */
  readonly start: bigint;
  /** One past the last byte. */
  readonly end: bigint;
  /** Number of pages (directives merged, or 4 KiB pages of an area). */
  readonly pages: number;
  /** Compatibility mask. */
  readonly mask: number;
  /** Row in its lane: page data above, required memory below. */
  readonly row: "data" | "required";
}

/** A lane: one platform header. */
export interface MapLane {
  /** Platform name and mask, e.g. `SEV_SNP 0x1`. */
  readonly label: string;
  /** The platform's compatibility mask. */
  readonly mask: number;
  /** Items drawn in this lane, by start address. */
  readonly items: readonly MapItem[];
}

/** A piece of the axis. */
export interface Segment {
  /** First address. */
  readonly start: bigint;
  /** One past the last address. */
  readonly end: bigint;
  /** Left edge, in units. */
  readonly x: number;
  /** Width, in units. */
  readonly width: number;
  /** True for an uncovered stretch (not to scale). */
  readonly gap: boolean;
}

/** Units of a covered segment of 4 KiB or less. */
export const MIN_UNITS = 8;
/** Units added per doubling of a covered segment's size above 4 KiB. */
export const LOG_UNITS = 6;
/** Units of an uncovered stretch, whatever its length. */
export const GAP_UNITS = 12;

/** The whole map: lanes, the axis, and its width in units. */
export interface MapModel {
  /** One lane per platform header, in the file's order. */
  readonly lanes: readonly MapLane[];
  /** The axis, left to right. */
  readonly segments: readonly Segment[];
  /** Sum of the segments' widths. */
  readonly units: number;
}

const list = (v: unknown) => (v ?? []) as Json[];
const PAGE = 4096n;

function pagesOf(bytes: bigint): number {
  return Number((bytes + PAGE - 1n) / PAGE);
}

/** Every item of `info` ({@link inspectFile}'s data), lanes aside. */
function mapItems(info: Json): MapItem[] {
  const items: MapItem[] = [];
  for (const r of list(info.memory)) {
    const what = String(r.kind);
    const kind = (what === "cpuid-xf" ? "cpuid" : what) as MapKind;
    items.push({
      kind,
      what,
      start: BigInt(r.start as string),
      end: BigInt(r.end as string),
      pages: r.pages as number,
      mask: r.compatibilityMask as number,
      row: "data",
    });
  }
  for (const v of list(info.vpContexts)) {
    if (v.gpa === undefined) continue;
    const start = BigInt(v.gpa as string);
    items.push({
      kind: "vmsa",
      what: `VMSA of VP ${v.vpIndex}`,
      start,
      end: start + PAGE,
      pages: 1,
      mask: v.compatibilityMask as number,
      row: "data",
    });
  }
  for (const a of list(info.parameterAreas)) {
    const size = BigInt((a.size as number | null) ?? 4096);
    const uses = list(a.uses).map((u) => u.type).join(", ");
    for (const at of list(a.insertedAt)) {
      const start = BigInt(at.gpa as string);
      items.push({
        kind: "parameter",
        what: `parameter area ${a.index}${uses ? ` (${uses})` : ""}`,
        start,
        end: start + PAGE * BigInt(pagesOf(size)),
        pages: pagesOf(size),
        mask: at.compatibilityMask as number,
        row: "data",
      });
    }
  }
  for (const r of list(info.requiredMemory)) {
    const start = BigInt(r.gpa as string);
    const size = BigInt(r.size as number);
    items.push({
      kind: "required",
      what: `required memory${r.vtl2Protectable ? " (VTL2-protectable)" : ""}`,
      start,
      end: start + size,
      pages: pagesOf(size),
      mask: r.compatibilityMask as number,
      row: "required",
    });
  }
  return items.sort((a, b) => (a.start < b.start ? -1 : a.start > b.start ? 1 : 0));
}

/** Width in units of a covered segment of `bytes`. */
function segmentUnits(bytes: bigint): number {
  const pages = Number(bytes) / 4096;
  return MIN_UNITS + LOG_UNITS * Math.max(0, Math.log2(pages));
}

/** The gap-compressed axis over `items`. */
export function axisSegments(items: readonly MapItem[]): Segment[] {
  const cuts = [...new Set(items.flatMap((i) => [i.start, i.end]))]
    .sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  const segments: Segment[] = [];
  let x = 0;
  for (let i = 0; i + 1 < cuts.length; i++) {
    const [start, end] = [cuts[i], cuts[i + 1]];
    const gap = !items.some((it) => it.start <= start && it.end >= end);
    const width = gap ? GAP_UNITS : segmentUnits(end - start);
    segments.push({ start, end, x, width, gap });
    x += width;
  }
  return segments;
}

/**
 * The map of `info` ({@link inspectFile}'s data).
 *
 * @example
 * ```ts
 * import { mapModel } from "./map_layout.ts";
 * const m = mapModel({
 *   platforms: [{ type: "SEV_SNP", compatibilityMask: 1 }],
 *   memory: [{ compatibilityMask: 1, kind: "normal", start: "0x0", end: "0x1000", pages: 1 }],
 * });
 * m.lanes[0].items.length; // 1
 * ```
 */
export function mapModel(info: Json): MapModel {
  const items = mapItems(info);
  const lanes = list(info.platforms).map((p) => {
    const mask = p.compatibilityMask as number;
    return {
      label: `${p.type} 0x${mask.toString(16)}`,
      mask,
      items: items.filter((i) => (i.mask & mask) !== 0),
    };
  });
  const segments = axisSegments(lanes.flatMap((l) => l.items));
  const units = segments.reduce((s, g) => s + g.width, 0);
  return { lanes, segments, units };
}

/**
 * Position of `address` on the axis, in units (addresses are always segment
 * edges for the items drawn; others are placed linearly inside their segment).
 *
 * @example
 * ```ts
 * import { axisX } from "./map_layout.ts";
 * axisX([{ start: 0n, end: 0x2000n, x: 0, width: 14, gap: false }], 0x1000n); // 7
 * ```
 */
export function axisX(segments: readonly Segment[], address: bigint): number {
  for (const s of segments) {
    if (address < s.start) return s.x;
    if (address <= s.end) {
      const f = Number(address - s.start) / Number(s.end - s.start);
      return s.x + f * s.width;
    }
  }
  const last = segments.at(-1);
  return last ? last.x + last.width : 0;
}

/** `0x…` and a size in KiB/MiB/GiB, for the map's texts. */
export function describeItem(item: MapItem): string {
  const bytes = item.end - item.start;
  const size = bytes >= 1n << 30n
    ? `${Number(bytes) / 2 ** 30} GiB`
    : bytes >= 1n << 20n
    ? `${Number(bytes) / 2 ** 20} MiB`
    : `${Number(bytes) / 1024} KiB`;
  return `${item.what}: 0x${item.start.toString(16)}..0x${item.end.toString(16)} ` +
    `(${size}, ${item.pages} page${item.pages === 1 ? "" : "s"}, mask 0x${item.mask.toString(16)})`;
}
