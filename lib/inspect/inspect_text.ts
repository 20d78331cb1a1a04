/**
 * The text `inspect` prints, from the data of {@link inspectFile} and the
 * digests the CLI computed.
 *
 * @module
 */

import type { Json } from "./inspect_file.ts";

/** One digest line: a platform and rules, and the digest or why there is none. */
export interface DigestLine {
  /** `sev-snp`, `sev-es`, `sev`, `tdx`, `vbs`. */
  readonly platform: string;
  /** `coconut` or `openvmm` (the igvm crate's rules). */
  readonly semantics: string;
  /** Lower-case hex, or null when refused. */
  readonly digest: string | null;
  /** Why the digest was refused, or null. */
  readonly refusal: string | null;
}

function mask(m: unknown): string {
  return `0x${(m as number).toString(16)}`.padEnd(5);
}

function list(v: unknown): Json[] {
  return v as Json[];
}

const NONE = ["  none"];
const NO_DIGESTS = ["  none (no platform this tool measures)"];
const MEMORY_TITLE = "Memory (page data merged into GPA ranges; end exclusive):";

/**
 * A section: a blank line, its title, then the lines of each item; `empty`
 * holds the lines shown when there are no items (a section without `empty`
 * is left out when it has none).
 */
function section<T>(
  title: string,
  items: readonly T[],
  lines: (item: T) => string | string[],
  empty?: string[],
): string[] {
  if (items.length === 0) return empty === undefined ? [] : ["", title, ...empty];
  return ["", title, ...items.flatMap(lines)];
}

function platformLine(p: Json): string {
  const type = String(p.type).padEnd(14);
  return `  ${type} mask ${mask(p.compatibilityMask)}  highest VTL ${p.highestVtl}  ` +
    `shared GPA boundary ${p.sharedGpaBoundary}`;
}

/** The region fields an initialization header may have, in the order listed. */
export const INIT_REGION_FIELDS: readonly string[] = [
  "gpa",
  "size",
  "usedSize",
  "alignment",
  "minimumGpa",
  "maximumGpa",
  "vtl",
];

/** An initialization header: its type and mask, its policy, and whichever region fields it has. */
function initializationLine(h: Json): string {
  let t = `  ${String(h.type).padEnd(26)} mask ${mask(h.compatibilityMask)}`;
  if (h.policy) {
    const p = h.policy as Json;
    t += `  policy ${p.value} (${(p.description as string[]).join(", ")})`;
  }
  for (const k of INIT_REGION_FIELDS) {
    if (h[k] !== undefined) t += `  ${k} ${h[k]}`;
  }
  return t;
}

function directiveLines(info: Json): string[] {
  const counts = Object.entries(info.directiveCounts as Record<string, number>)
    .map(([k, v]) => `${k} ${v}`).join(", ");
  return ["", `Directives: ${counts || "none"}`];
}

function memoryLine(r: Json): string {
  return `  mask ${mask(r.compatibilityMask)}  ${String(r.kind).padEnd(10)} ` +
    `${String(r.start).padStart(12)}..${String(r.end).padEnd(12)} ${r.pages} page(s)`;
}

function requiredMemoryLine(r: Json): string {
  return `  mask ${mask(r.compatibilityMask)}  gpa ${r.gpa}  ${r.size} bytes` +
    (r.vtl2Protectable ? "  VTL2-protectable" : "");
}

/** A parameter area: its size, its uses and where it is inserted. */
function parameterAreaLine(a: Json): string {
  const uses = list(a.uses).map((u) => `${u.type} @${u.byteOffset}`).join(", ") || "none";
  const at = list(a.insertedAt).map((i) => `${i.gpa} (mask ${mask(i.compatibilityMask).trim()})`)
    .join(", ") || "not inserted";
  return `  area ${a.index}: ${a.size ?? "?"} bytes${a.initialData ? ", initial data" : ""}; ` +
    `uses: ${uses}; inserted at ${at}`;
}

function errorRangeLine(r: Json): string {
  return `  mask ${mask(r.compatibilityMask)}  gpa ${r.gpa}  ${r.size} bytes`;
}

/** A VP context: its type and mask, then the fields its kind has (SNP, native/CCA or VBS). */
function vpContextLine(v: Json): string {
  let t = `  ${String(v.type).padEnd(20)} mask ${mask(v.compatibilityMask)}`;
  if (v.vpIndex !== undefined) t += `  vp ${v.vpIndex}`;
  if (v.gpa !== undefined) {
    t += `  GPA ${v.gpa}  CR0 ${v.cr0}  RIP ${v.rip}  SEV features ${v.sevFeatures}`;
  }
  if (v.registers !== undefined) t += `  VTL ${v.vtl}  ${v.registers} register(s)`;
  return t;
}

/** An SNP ID block: its mask, then one line per field. */
function idBlockLines(b: Json): string[] {
  return [
    `  mask ${mask(b.compatibilityMask)}`,
    `    LD                 ${String(b.ld).toUpperCase()}`,
    `    FAMILY_ID          ${b.familyId}`,
    `    IMAGE_ID           ${b.imageId}`,
    `    VERSION            ${b.version}`,
    `    GUEST_SVN          ${b.guestSvn}`,
    `    AUTHOR_KEY_EN      ${b.authorKeyEnabled ? 1 : 0}`,
    `    ID_KEY_DIGEST      ${b.idKeyDigest}`,
    `    AUTHOR_KEY_DIGEST  ${b.authorKeyDigest}`,
  ];
}

function digestLine(d: DigestLine): string {
  const label = `${d.platform} (${d.semantics})`.padEnd(20);
  return `  ${label} ${d.digest !== null ? d.digest.toUpperCase() : `refused: ${d.refusal}`}`;
}

/**
 * Formats the inspect listing.
 *
 * @example
 * ```ts
 * import { inspectText } from "./inspect_text.ts";
 * // io.stdout(inspectText("f.igvm", inspectFile(file), digests));
 * ```
 */
export function inspectText(name: string, info: Json, digests: readonly DigestLine[]): string {
  const pageKiB = (info.pageSize as number) / 1024;
  return [
    `igvmmeasure '${name}' inspect`,
    "",
    `Format version ${info.formatVersion} (${info.arch}, ${pageKiB} KiB pages)`,
    ...section("Platforms:", list(info.platforms), platformLine, []),
    ...section("Initialization headers:", list(info.initializations), initializationLine, NONE),
    ...directiveLines(info),
    ...section(MEMORY_TITLE, list(info.memory), memoryLine, NONE),
    ...section("Required memory:", list(info.requiredMemory), requiredMemoryLine),
    ...section("Parameter areas:", list(info.parameterAreas), parameterAreaLine, NONE),
    ...section("Error ranges:", list(info.errorRanges), errorRangeLine),
    ...section("VP contexts:", list(info.vpContexts), vpContextLine, NONE),
    ...section("SNP ID blocks:", list(info.idBlocks), idBlockLines, NONE),
    ...section("Launch digests:", digests, digestLine, NO_DIGESTS),
  ].join("\n") + "\n";
}
