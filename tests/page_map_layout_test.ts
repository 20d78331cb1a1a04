/**
 * The web page's memory-map geometry (`web/map_layout.ts`), without a
 * browser: lanes per platform, every range drawn where its mask says, the
 * gap-compressed logarithmic axis worked out by hand, and addresses in order.
 */

import { assertEquals, assertOk } from "./assert.ts";
import {
  axisSegments,
  axisX,
  GAP_UNITS,
  LOG_UNITS,
  type MapItem,
  mapModel,
  MIN_UNITS,
} from "../web/map_layout.ts";

const GOLDEN = new URL("../testdata/golden/qemu-all-policy.inspect.json", import.meta.url);

function item(kind: MapItem["kind"], start: bigint, end: bigint): MapItem {
  return {
    kind,
    what: kind,
    start,
    end,
    pages: Number((end - start) / 4096n),
    mask: 1,
    row: "data",
  };
}

Deno.test("map: a 4 KiB page near 4 GiB is 8 units wide beside 92 for 64 MiB of RAM", () => {
  const ram = item("normal", 0x100000n, 0x100000n + (64n << 20n));
  const page = item("secrets", 0xfffff000n, 0x100000000n);
  const segments = axisSegments([ram, page]);
  // 64 MiB = 2^14 pages: 8 + 6 * 14 = 92 units; one page: 8; the 4 GB between: one gap.
  assertEquals(segments.map((s) => [s.width, s.gap]), [[92, false], [GAP_UNITS, true], [8, false]]);
  assertEquals(MIN_UNITS + LOG_UNITS * 14, 92);
  assertEquals(axisX(segments, page.start), 92 + GAP_UNITS);
  assertEquals(axisX(segments, page.end), 92 + GAP_UNITS + 8);
});

Deno.test("map: overlapping ranges cut the axis at every edge; positions keep address order", () => {
  const required = { ...item("required", 0x8000000n, 0x9000000n), row: "required" as const };
  const pages = [
    item("normal", 0x8000000n, 0x8004000n),
    item("zero", 0x8004000n, 0x8006000n),
    item("vmsa", 0xfffffffff000n, 0x1000000000000n),
  ];
  const segments = axisSegments([required, ...pages]);
  const edges = segments.map((s) => s.start);
  assertEquals(edges, [0x8000000n, 0x8004000n, 0x8006000n, 0x9000000n, 0xfffffffff000n]);
  // 16 KiB (4 pages: 8 + 12), 8 KiB (8 + 6), the rest of the 16 MiB (4090 pages), then a gap.
  assertEquals(segments[0].width, 20);
  assertEquals(segments[1].width, 14);
  assertEquals(segments[2].width, MIN_UNITS + LOG_UNITS * Math.log2(4090));
  assertEquals([segments[3].gap, segments[3].width], [true, GAP_UNITS]);
  assertEquals([segments[4].gap, segments[4].width], [false, MIN_UNITS]);
  const xs = [0x8000000n, 0x8001000n, 0x8004000n, 0x8500000n, 0x9000000n, 0xfffffffff000n]
    .map((a) => axisX(segments, a));
  for (let i = 1; i < xs.length; i++) assertOk(xs[i] > xs[i - 1], `x ${xs}`);
});

Deno.test("map: qemu-all-policy has a lane per platform with the ranges its mask selects", () => {
  const info = JSON.parse(Deno.readTextFileSync(GOLDEN));
  const m = mapModel(info);
  assertEquals(m.lanes.map((l) => l.label), [
    "SEV_SNP 0x1",
    "TDX 0x4",
    "VSM_ISOLATION 0x10",
    "NATIVE 0x2",
  ]);
  for (const lane of m.lanes) {
    const expected = info.memory.filter((r: { compatibilityMask: number }) =>
      (r.compatibilityMask & lane.mask) !== 0
    ).length;
    assertEquals(
      lane.items.filter((i) =>
        i.row === "data" && i.kind !== "vmsa" &&
        i.kind !== "parameter"
      ).length,
      expected,
      lane.label,
    );
  }
  // SEV-SNP: its VMSA at 0xfffffffff000 and the four parameter areas (mask 0x17) are drawn.
  const snp = m.lanes[0].items;
  assertOk(snp.some((i) => i.kind === "vmsa" && i.start === 0xfffffffff000n));
  assertEquals(snp.filter((i) => i.kind === "parameter").length, 4);
  // Required memory: 16 MiB at 0x8000000 on masks 0x7 and 0x10 (NATIVE 0x2 shares 0x7).
  assertEquals(m.lanes.map((l) => l.items.filter((i) => i.kind === "required").length), [
    1,
    1,
    1,
    1,
  ]);
  // The TDX page just below 4 GiB gets the width of a page, not 1/4096 of the map.
  const seg = m.segments.find((s) => s.start === 0xfffff000n)!;
  assertEquals([seg.end, seg.width], [0x100000000n, MIN_UNITS]);
  assertEquals(m.units, m.segments.reduce((a, s) => a + s.width, 0));
});
