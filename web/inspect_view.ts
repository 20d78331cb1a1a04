/// <reference lib="dom" />
/**
 * What `igvmmeasure <file> inspect` shows, as tables: format, platforms and
 * masks, initialization headers with the decoded guest policy, directive
 * counts, memory ranges, required memory, parameter areas, error ranges, VP
 * contexts and SNP ID blocks with their key digests. The CLI's own text is
 * added under it once the digests are known ({@link inspectTextBlock}).
 *
 * @module
 */

import type { Json } from "../lib/inspect/inspect_file.ts";
import { INIT_REGION_FIELDS, inspectText } from "../lib/inspect/inspect_text.ts";
import type { DigestLine } from "../lib/inspect/inspect_text.ts";
import { type Child, code, h, table } from "./dom.ts";

const list = (v: unknown) => (v ?? []) as Json[];
const mask = (m: unknown) => code(`0x${(m as number).toString(16)}`);

function initDetail(i: Json): Child {
  const parts: Child[] = [];
  if (i.policy) {
    const p = i.policy as Json;
    parts.push("policy ", code(String(p.value)), ` (${(p.description as string[]).join(", ")})`);
  }
  for (const k of INIT_REGION_FIELDS) {
    if (i[k] !== undefined) parts.push(` ${k} `, code(String(i[k])));
  }
  if (i.hashAlgorithm !== undefined) parts.push(` hash algorithm ${i.hashAlgorithm}`);
  return h("span", {}, ...parts);
}

function idBlock(b: Json, n: number): HTMLElement {
  const rows: [string, string][] = [
    ["LD", String(b.ld).toUpperCase()],
    ["FAMILY_ID", String(b.familyId)],
    ["IMAGE_ID", String(b.imageId)],
    ["VERSION", String(b.version)],
    ["GUEST_SVN", String(b.guestSvn)],
    ["AUTHOR_KEY_EN", b.authorKeyEnabled ? "1" : "0"],
    ["ID_KEY_DIGEST", String(b.idKeyDigest)],
    ["AUTHOR_KEY_DIGEST", String(b.authorKeyDigest)],
  ];
  return h(
    "dl",
    {
      class: "id-block",
      "aria-label": `SNP ID block ${n + 1}, mask 0x${(b.compatibilityMask as number).toString(16)}`,
    },
    ...rows.flatMap(([k, v]) => [h("dt", {}, k), h("dd", {}, code(v))]),
  );
}

function section(title: string, ...body: Child[]): HTMLElement {
  return h("section", { class: "inspect-part" }, h("h3", {}, title), ...body);
}

function none(what: string): HTMLElement {
  return h("p", { class: "none" }, `No ${what}.`);
}

/** One table of the view: the member of `info` it lists, and how. */
interface Part {
  /** Member of {@link inspectFile}'s data. */
  readonly key: string;
  /** Table caption. */
  readonly caption: string;
  /** Column headers. */
  readonly headers: readonly string[];
  /** The cells of one entry. */
  readonly row: (entry: Json) => Child[];
  /** Shown when there is no entry ("No … ."); nothing when absent. */
  readonly empty?: string;
}

const PARTS: readonly Part[] = [
  {
    key: "platforms",
    caption: "Platforms",
    headers: ["Platform", "Mask", "Highest VTL", "Version", "Shared GPA boundary"],
    row: (p) => [
      String(p.type),
      mask(p.compatibilityMask),
      String(p.highestVtl),
      String(p.platformVersion),
      code(String(p.sharedGpaBoundary)),
    ],
  },
  {
    key: "initializations",
    caption: "Initialization headers",
    headers: ["Type", "Mask", "Details"],
    row: (i) => [String(i.type), mask(i.compatibilityMask), initDetail(i)],
    empty: "initialization headers",
  },
  {
    key: "memory",
    caption: "Memory (page data merged into GPA ranges; end exclusive)",
    headers: ["Mask", "Kind", "Start", "End", "Pages"],
    row: (r) => [
      mask(r.compatibilityMask),
      String(r.kind),
      code(String(r.start)),
      code(String(r.end)),
      String(r.pages),
    ],
    empty: "page data",
  },
  {
    key: "requiredMemory",
    caption: "Required memory",
    headers: ["Mask", "GPA", "Bytes", "VTL2-protectable"],
    row: (r) => [
      mask(r.compatibilityMask),
      code(String(r.gpa)),
      String(r.size),
      r.vtl2Protectable ? "yes" : "no",
    ],
  },
  {
    key: "parameterAreas",
    caption: "Parameter areas",
    headers: ["Area", "Bytes", "Initial data", "Uses", "Inserted at"],
    row: (a) => [
      String(a.index),
      String(a.size ?? "?"),
      a.initialData ? "yes" : "no",
      list(a.uses).map((u) => `${u.type} @${u.byteOffset}`).join(", ") || "none",
      list(a.insertedAt).map((i) =>
        `${i.gpa} (mask 0x${(i.compatibilityMask as number).toString(16)})`
      ).join(", ") || "not inserted",
    ],
    empty: "parameter areas",
  },
  {
    key: "errorRanges",
    caption: "Error ranges",
    headers: ["Mask", "GPA", "Bytes"],
    row: (r) => [mask(r.compatibilityMask), code(String(r.gpa)), String(r.size)],
  },
  {
    key: "vpContexts",
    caption: "VP contexts",
    headers: ["Type", "Mask", "VP", "Details"],
    row: (v) => [
      String(v.type),
      mask(v.compatibilityMask),
      v.vpIndex === undefined ? "" : String(v.vpIndex),
      v.gpa !== undefined
        ? `GPA ${v.gpa}, CR0 ${v.cr0}, RIP ${v.rip}, SEV features ${v.sevFeatures}`
        : v.registers !== undefined
        ? `VTL ${v.vtl}, ${v.registers} register(s)`
        : "",
    ],
    empty: "VP contexts",
  },
];

function part(info: Json, p: Part): Child {
  const entries = list(info[p.key]);
  if (entries.length === 0) return p.empty ? none(p.empty) : "";
  return table(p.caption, [...p.headers], entries.map(p.row));
}

/**
 * The inspect view of `info` ({@link inspectFile}'s data).
 *
 * @example
 * ```ts ignore
 * import { inspectView } from "./inspect_view.ts";
 * document.querySelector("#inspect")!.replaceChildren(inspectView(info));
 * ```
 */
export function inspectView(info: Json): HTMLElement {
  const counts = Object.entries(info.directiveCounts as Record<string, number>)
    .map(([k, v]) => `${k} ${v}`).join(", ") || "none";
  const blocks = list(info.idBlocks);
  return h(
    "div",
    { class: "inspect" },
    h(
      "p",
      {},
      `Format version ${info.formatVersion} (${info.arch}, ${
        (info.pageSize as number) / 1024
      } KiB pages). Directives: ${counts}.`,
    ),
    ...PARTS.map((p) => part(info, p)),
    blocks.length ? section("SNP ID blocks", ...blocks.map(idBlock)) : none("SNP ID block"),
  );
}

/**
 * The CLI's `inspect` text for `info` and `digests`, in a collapsed block
 * (`pre[data-inspect-text]`), `name` standing for the path.
 *
 * @example
 * ```ts ignore
 * import { inspectTextBlock } from "./inspect_view.ts";
 * box.append(inspectTextBlock("qemu-snp.igvm", info, digests));
 * ```
 */
export function inspectTextBlock(
  name: string,
  info: Json,
  digests: readonly DigestLine[],
): HTMLElement {
  return h(
    "details",
    { class: "cli-text" },
    h("summary", {}, "The same, as ", code("igvmmeasure <file> inspect"), " prints it"),
    h("pre", { "data-inspect-text": "" }, inspectText(name, info, digests)),
  );
}
