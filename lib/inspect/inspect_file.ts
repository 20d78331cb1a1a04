/**
 * A readable summary of an IGVM file as plain data (JSON-ready: u64 values
 * are `"0x…"` strings, bytes lower-case hex): format version, platforms,
 * initialization headers, memory as merged GPA ranges, parameter areas and
 * their uses, VP contexts (SNP VMSA: GPA, CR0, RIP, SEV features), ID blocks.
 * `inspect_text.ts` prints it; the CLI adds the digests.
 *
 * @module
 */

import { Arch, PLATFORM_NAMES, VmsaOffset } from "../igvm/defs.ts";
import { archOf } from "../igvm/validate_initializations.ts";
import { readPayload } from "../igvm/source.ts";
import type {
  AArch64CcaVpContext,
  DirectiveHeader,
  DirectiveOf,
  ErrorRange,
  IgvmFile,
  InitializationHeader,
  PageData,
  ParameterArea,
  ParameterInsert,
  ParameterUsage,
  RequiredMemory,
  SnpIdBlock,
  SnpVpContext,
  VbsVpContext,
  X64NativeVpContext,
} from "../igvm/types.ts";
import { mergePageRanges } from "./memory_ranges.ts";
import { policyJson } from "../verify/policy_view.ts";
import { authorKeyDigest, igvmToSnpPublicKey, keyDigest } from "../snp/public_key.ts";
import { toHex } from "../encoding.ts";

/** JSON-ready record. */
export type Json = Record<string, unknown>;

function hex64(v: bigint | number): string {
  return `0x${v.toString(16)}`;
}

function initJson(h: InitializationHeader): Json {
  switch (h.type) {
    case "GuestPolicy":
      return { type: h.type, compatibilityMask: h.compatibilityMask, policy: policyJson(h.policy) };
    case "RelocatableRegion":
      return {
        type: h.type,
        compatibilityMask: h.compatibilityMask,
        gpa: hex64(h.relocationRegionGpa),
        size: hex64(h.relocationRegionSize),
        alignment: hex64(h.relocationAlignment),
        minimumGpa: hex64(h.minimumRelocationGpa),
        maximumGpa: hex64(h.maximumRelocationGpa),
        vpIndex: h.vpIndex,
        vtl: h.vtl,
      };
    case "PageTableRelocationRegion":
      return {
        type: h.type,
        compatibilityMask: h.compatibilityMask,
        gpa: hex64(h.gpa),
        size: hex64(h.size),
        usedSize: hex64(h.usedSize),
        vpIndex: h.vpIndex,
        vtl: h.vtl,
      };
    case "CcaPolicy":
      return {
        type: h.type,
        compatibilityMask: h.compatibilityMask,
        hashAlgorithm: h.hashAlgorithm,
      };
    default:
      return { type: h.type, compatibilityMask: h.compatibilityMask };
  }
}

function u64(bytes: Uint8Array, off: number): bigint {
  return new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength).getBigUint64(off, true);
}

/** A parameter area as summarised: its size, whether it has initial data, its uses and inserts. */
type AreaJson = Json & { index: number; uses: Json[]; insertedAt: Json[] };

/** What the directives add up to, filled in file order by {@link SUMMARISE}. */
interface Summary {
  /** The file (VMSA payloads are read from its source). */
  readonly file: IgvmFile;
  /** Page data directives, merged into ranges at the end. */
  readonly pages: PageData[];
  /** Parameter areas by index, created by whichever directive names one first. */
  readonly areas: Map<number, AreaJson>;
  /** Required memory directives. */
  readonly requiredMemory: Json[];
  /** Error range directives. */
  readonly errorRanges: Json[];
  /** VP contexts of every kind, in file order. */
  readonly vpContexts: Json[];
  /** SNP ID blocks. */
  readonly idBlocks: Json[];
}

/** Parameter area `index` of the summary, created empty when first named. */
function area(s: Summary, index: number): AreaJson {
  let a = s.areas.get(index);
  if (!a) {
    s.areas.set(index, a = { index, size: null, initialData: false, uses: [], insertedAt: [] });
  }
  return a;
}

function addParameterArea(d: ParameterArea, s: Summary): void {
  const a = area(s, d.parameterAreaIndex);
  a.size = Number(d.numberOfBytes);
  a.initialData = d.initialData !== null;
}

/** A parameter usage (VpCount, Srat, MemoryMap, …): where in its area the loader writes. */
function addUsage(d: ParameterUsage, s: Summary): void {
  area(s, d.parameterAreaIndex).uses.push({ type: d.type, byteOffset: d.byteOffset });
}

function addInsert(d: ParameterInsert, s: Summary): void {
  area(s, d.parameterAreaIndex).insertedAt.push({
    gpa: hex64(d.gpa),
    compatibilityMask: d.compatibilityMask,
  });
}

function addRequiredMemory(d: RequiredMemory, s: Summary): void {
  s.requiredMemory.push({
    compatibilityMask: d.compatibilityMask,
    gpa: hex64(d.gpa),
    size: d.numberOfBytes,
    vtl2Protectable: d.vtl2Protectable,
  });
}

function addErrorRange(d: ErrorRange, s: Summary): void {
  s.errorRanges.push({
    compatibilityMask: d.compatibilityMask,
    gpa: hex64(d.gpa),
    size: d.sizeBytes,
  });
}

/** An SNP VP context: its GPA and, from a full VMSA, CR0, RIP and SEV_FEATURES. */
function addSnpVpContext(d: SnpVpContext, s: Summary): void {
  const vmsa = readPayload(d.vmsa, s.file.source);
  const full = vmsa.length >= VmsaOffset.SEV_FEATURES + 8;
  s.vpContexts.push({
    type: d.type,
    compatibilityMask: d.compatibilityMask,
    vpIndex: d.vpIndex,
    gpa: hex64(d.gpa),
    cr0: full ? hex64(u64(vmsa, VmsaOffset.CR0)) : null,
    rip: full ? hex64(u64(vmsa, VmsaOffset.RIP)) : null,
    sevFeatures: full ? hex64(u64(vmsa, VmsaOffset.SEV_FEATURES)) : null,
  });
}

/** An x64 native or AArch64 CCA VP context: its VP index. */
function addIndexedVpContext(d: X64NativeVpContext | AArch64CcaVpContext, s: Summary): void {
  s.vpContexts.push({ type: d.type, compatibilityMask: d.compatibilityMask, vpIndex: d.vpIndex });
}

/** A VBS VP context: its VTL and how many registers it sets. */
function addVbsVpContext(d: VbsVpContext, s: Summary): void {
  s.vpContexts.push({
    type: d.type,
    compatibilityMask: d.compatibilityMask,
    vtl: d.vtl,
    registers: d.registers.length,
  });
}

/** An SNP ID block: its fields, and the digests of its keys (zeros without an author key). */
function addIdBlock(d: SnpIdBlock, s: Summary): void {
  const author = d.authorKeyEnabled !== 0;
  s.idBlocks.push({
    compatibilityMask: d.compatibilityMask,
    ld: toHex(d.ld),
    familyId: toHex(d.familyId),
    imageId: toHex(d.imageId),
    version: d.version,
    guestSvn: d.guestSvn,
    authorKeyEnabled: author,
    idKeyDigest: toHex(keyDigest(igvmToSnpPublicKey(d.idPublicKey))),
    authorKeyDigest: toHex(
      authorKeyDigest(author ? igvmToSnpPublicKey(d.authorPublicKey) : undefined),
    ),
  });
}

/** What each directive type adds to the summary (every type listed; VBS measurements add nothing). */
const SUMMARISE: {
  readonly [T in DirectiveHeader["type"]]: (d: DirectiveOf<T>, s: Summary) => void;
} = {
  PageData: (d, s) => s.pages.push(d),
  ParameterArea: addParameterArea,
  VpCount: addUsage,
  EnvironmentInfo: addUsage,
  Srat: addUsage,
  Madt: addUsage,
  Slit: addUsage,
  Pptt: addUsage,
  MmioRanges: addUsage,
  MemoryMap: addUsage,
  CommandLine: addUsage,
  DeviceTree: addUsage,
  ParameterInsert: addInsert,
  RequiredMemory: addRequiredMemory,
  ErrorRange: addErrorRange,
  SnpVpContext: addSnpVpContext,
  X64NativeVpContext: addIndexedVpContext,
  AArch64CcaVpContext: addIndexedVpContext,
  X64VbsVpContext: addVbsVpContext,
  AArch64VbsVpContext: addVbsVpContext,
  SnpIdBlock: addIdBlock,
  VbsMeasurement: () => {},
};

function platformJson(p: IgvmFile["platforms"][number]): Json {
  return {
    type: PLATFORM_NAMES[p.platformType] ?? `unknown (${p.platformType})`,
    compatibilityMask: p.compatibilityMask,
    highestVtl: p.highestVtl,
    platformVersion: p.platformVersion,
    sharedGpaBoundary: hex64(p.sharedGpaBoundary),
  };
}

/**
 * Summarises `file` (without digests).
 *
 * @example
 * ```ts
 * import { inspectFile } from "./inspect_file.ts";
 * import { parseIgvm } from "../igvm/parser.ts";
 * const info = inspectFile(parseIgvm(await Deno.readFile("testdata/sample.igvm")));
 * info.formatVersion; // 1 or 2
 * ```
 */
export function inspectFile(file: IgvmFile): Json {
  const rev = file.revision;
  const counts: Record<string, number> = {};
  const s: Summary = {
    file,
    pages: [],
    areas: new Map(),
    requiredMemory: [],
    errorRanges: [],
    vpContexts: [],
    idBlocks: [],
  };
  const table = SUMMARISE as Record<string, (d: DirectiveHeader, s: Summary) => void>;
  for (const d of file.directives) {
    counts[d.type] = (counts[d.type] ?? 0) + 1;
    table[d.type](d, s);
  }
  return {
    formatVersion: rev.version,
    arch: archOf(rev).arch === Arch.AARCH64 ? "aarch64" : "x64",
    pageSize: rev.version === 2 ? rev.pageSize : 4096,
    platforms: file.platforms.map(platformJson),
    initializations: file.initializations.map(initJson),
    directiveCounts: counts,
    memory: mergePageRanges(s.pages).map((r) => ({
      compatibilityMask: r.compatibilityMask,
      kind: r.kind,
      start: hex64(r.start),
      end: hex64(r.end),
      pages: r.pages,
    })),
    parameterAreas: [...s.areas.values()].sort((a, b) => a.index - b.index),
    requiredMemory: s.requiredMemory,
    errorRanges: s.errorRanges,
    vpContexts: s.vpContexts,
    idBlocks: s.idBlocks,
  };
}
