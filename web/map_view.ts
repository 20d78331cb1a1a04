/// <reference lib="dom" />
/**
 * Draws {@link MapModel} as an SVG (`svg[data-memory-map]`) with a legend and
 * a detail line. Every range is a focusable rectangle: hovering or focusing
 * it (Tab into the map, then the arrow keys, Home and End) shows its range,
 * kind and page count in the detail line, which screen readers announce; its
 * `<title>` is the browser's own tooltip.
 *
 * @module
 */

import {
  axisX,
  describeItem,
  KIND_LABELS,
  type MapItem,
  type MapKind,
  type MapModel,
} from "./map_layout.ts";

const SVG = "http://www.w3.org/2000/svg";
/** Room for lane labels on the left, in px. */
const LABEL_WIDTH = 150;
/** Height of a lane: the data row, then the required-memory row. */
const LANE = { height: 34, data: 20, gapAfterData: 3, required: 6 };
const AXIS_HEIGHT = 48;
/** Least px per unit: below it, the map grows wider than its box (which scrolls). */
const MIN_SCALE = 2;
/** Width of a character of the axis labels (12px monospace), in px. */
const CHAR_WIDTH = 7.3;

function el<K extends keyof SVGElementTagNameMap>(
  name: K,
  attrs: Record<string, string | number>,
  parent?: Element,
): SVGElementTagNameMap[K] {
  const e = document.createElementNS(SVG, name);
  for (const [k, v] of Object.entries(attrs)) e.setAttribute(k, String(v));
  parent?.appendChild(e);
  return e;
}

function hex(a: bigint): string {
  return `0x${a.toString(16)}`;
}

/** Draws the lanes' rectangles; returns them in keyboard order. */
function drawLanes(svg: SVGSVGElement, model: MapModel, scale: number): SVGRectElement[] {
  const x = (a: bigint) => LABEL_WIDTH + axisX(model.segments, a) * scale;
  const rects: SVGRectElement[] = [];
  for (const [i, lane] of model.lanes.entries()) {
    const top = i * LANE.height + 4;
    const label = el("text", { x: 4, y: top + LANE.data - 6, class: "lane-label" }, svg);
    label.textContent = lane.label;
    el("rect", {
      x: LABEL_WIDTH,
      y: top,
      width: model.units * scale,
      height: LANE.data,
      class: "lane-bg",
    }, svg);
    const group = el("g", { role: "list", "aria-label": `${lane.label} memory` }, svg);
    for (const item of lane.items) {
      const y = item.row === "data" ? top : top + LANE.data + LANE.gapAfterData;
      const r = el("rect", {
        x: x(item.start),
        y,
        width: Math.max(1, x(item.end) - x(item.start)),
        height: item.row === "data" ? LANE.data : LANE.required,
        class: `range kind-${item.kind}`,
        tabindex: -1,
        role: "listitem",
        "aria-label": `${lane.label}: ${describeItem(item)}`,
        "data-kind": item.kind,
      }, group);
      el("title", {}, r).textContent = describeItem(item);
      rects.push(r);
    }
  }
  return rects;
}

/** Axis labels wanted: where covered stretches begin, then where they end, then inner edges. */
function axisLabels(model: MapModel): { address: bigint; x: number; rank: number }[] {
  const out: { address: bigint; x: number; rank: number }[] = [];
  const segs = model.segments;
  for (const [i, s] of segs.entries()) {
    if (s.gap) continue;
    const afterGap = i === 0 || segs[i - 1].gap;
    out.push({ address: s.start, x: s.x, rank: afterGap ? 0 : 2 });
    if (i === segs.length - 1 || segs[i + 1].gap) {
      out.push({ address: s.end, x: s.x + s.width, rank: 1 });
    }
  }
  return out.sort((a, b) => a.rank - b.rank || a.x - b.x);
}

/** Draws the axis: a tick at every edge, gap marks, and as many addresses as fit. */
function drawAxis(svg: SVGSVGElement, model: MapModel, scale: number, top: number): void {
  const right = LABEL_WIDTH + model.units * scale;
  el("line", { x1: LABEL_WIDTH, x2: right, y1: top, y2: top, class: "axis" }, svg);
  for (const s of model.segments) {
    const x0 = LABEL_WIDTH + s.x * scale;
    el("line", { x1: x0, x2: x0, y1: top, y2: top + 4, class: "axis" }, svg);
    if (!s.gap) continue;
    const mid = x0 + (s.width * scale) / 2;
    const g = el("g", { class: "gap-mark" }, svg);
    el("title", {}, g).textContent = `${hex(s.start)}..${hex(s.end)}: nothing (not to scale)`;
    el("path", { d: `M${mid - 5},${top + 5} l4,-10 M${mid + 1},${top + 5} l4,-10` }, g);
  }
  // Two rows of labels; a label that fits in neither is left to the ranges' own texts.
  const rows: [number, number][][] = [[], []];
  for (const { address, x } of axisLabels(model)) {
    const text = hex(address);
    const half = (text.length * CHAR_WIDTH) / 2 + 4;
    // Centred on its tick, but kept inside the drawing.
    const at = Math.min(Math.max(LABEL_WIDTH + x * scale, LABEL_WIDTH + half), right + 8 - half);
    const row = rows.findIndex((r) => !r.some(([a, b]) => at + half > a && at - half < b));
    if (row < 0) continue;
    rows[row].push([at - half, at + half]);
    el("text", { x: at, y: top + 16 + 14 * row, class: "axis-label", "text-anchor": "middle" }, svg)
      .textContent = text;
  }
  el("text", { x: 4, y: top + 16, class: "axis-label" }, svg).textContent = "GPA";
}

/** Lets the arrow keys, Home and End move the focus between the ranges (one Tab stop). */
function roving(svg: SVGSVGElement, rects: SVGRectElement[], show: (r: Element) => void): void {
  if (rects.length === 0) return;
  rects[0].setAttribute("tabindex", "0");
  let current = 0;
  const focus = (i: number) => {
    rects[current].setAttribute("tabindex", "-1");
    current = (i + rects.length) % rects.length;
    rects[current].setAttribute("tabindex", "0");
    rects[current].focus();
  };
  svg.addEventListener("keydown", (e) => {
    const step: Record<string, number> = {
      ArrowRight: 1,
      ArrowDown: 1,
      ArrowLeft: -1,
      ArrowUp: -1,
    };
    if (e.key in step) focus(current + step[e.key]);
    else if (e.key === "Home") focus(0);
    else if (e.key === "End") focus(rects.length - 1);
    else return;
    e.preventDefault();
  });
  for (const [i, r] of rects.entries()) {
    r.addEventListener("focus", () => {
      current = i;
      show(r);
    });
    r.addEventListener("mouseenter", () => show(r));
  }
}

/**
 * Replaces the contents of `box` with the map of `model`, `width` px wide (or
 * wider when the ranges need it), a legend and a detail line.
 *
 * @example
 * ```ts ignore
 * import { mapModel } from "./map_layout.ts";
 * import { renderMap } from "./map_view.ts";
 * renderMap(document.querySelector("#map")!, mapModel(info), 900);
 * ```
 */
export function renderMap(box: HTMLElement, model: MapModel, width: number): void {
  box.replaceChildren();
  const scale = Math.max(MIN_SCALE, (width - LABEL_WIDTH - 8) / Math.max(1, model.units));
  const height = model.lanes.length * LANE.height + AXIS_HEIGHT;
  const scroller = document.createElement("div");
  scroller.className = "map-scroll";
  const svg = el("svg", {
    width: Math.ceil(LABEL_WIDTH + model.units * scale + 8),
    height,
    role: "group",
    "aria-label": "Guest-physical memory map: one row per platform, " +
      "addresses left to right, gaps compressed",
    "aria-describedby": "map-detail",
    "data-memory-map": "",
  });
  const rects = drawLanes(svg, model, scale);
  drawAxis(svg, model, scale, model.lanes.length * LANE.height + 6);
  scroller.appendChild(svg);

  const detail = document.createElement("p");
  detail.id = "map-detail";
  detail.className = "map-detail";
  detail.setAttribute("aria-live", "polite");
  detail.setAttribute("data-map-detail", "");
  detail.textContent = rects.length
    ? "Hover over a range, or Tab into the map and use the arrow keys, to see it here."
    : "The file has no page data.";
  roving(svg, rects, (r) => {
    for (const other of rects) other.classList.toggle("selected", other === r);
    detail.textContent = r.getAttribute("aria-label");
  });

  box.append(scroller, detail, legend(model));
}

function legend(model: MapModel): HTMLElement {
  const present = new Set<MapKind>(
    model.lanes.flatMap((l) => l.items.map((i: MapItem) => i.kind)),
  );
  const ul = document.createElement("ul");
  ul.className = "legend";
  ul.setAttribute("aria-label", "Legend");
  for (const [kind, text] of Object.entries(KIND_LABELS)) {
    if (!present.has(kind as MapKind)) continue;
    const li = document.createElement("li");
    const swatch = document.createElement("span");
    swatch.className = `swatch kind-${kind}`;
    swatch.setAttribute("aria-hidden", "true");
    li.append(swatch, text);
    ul.appendChild(li);
  }
  const gap = document.createElement("li");
  const mark = document.createElement("span");
  mark.className = "swatch gap";
  mark.setAttribute("aria-hidden", "true");
  gap.append(mark, "gap without pages (not to scale)");
  ul.appendChild(gap);
  return ul;
}
