/**
 * A readable summary of an IGVM file as plain data (JSON-ready: u64 values
 * are `"0x…"` strings, bytes lower-case hex): format version, platforms,
 * initialization headers, memory as merged GPA ranges, parameter areas and
 * their uses, VP contexts (SNP VMSA: GPA, CR0, RIP, SEV features), ID blocks.
 * `inspect_text.ts` prints it; the CLI adds the digests.
 *
 * @module
 */

import { Arch, PLATFORM_NAMES } from "../igvm/defs.ts";
import { readPayload } from "../igvm/source.ts";
import type { IgvmFile, InitializationHeader, PageData } from "../igvm/types.ts";
import { mergePageRanges } from "./memory_ranges.ts";
import { policyJson } from "../verify/policy_view.ts";
import { igvmToSnpPublicKey, keyDigest } from "../snp/public_key.ts";
import { toHex } from "../encoding.ts";

/** VMSA offsets (AMD APM vol. 2, VMSA layout): CR0, RIP, SEV_FEATURES. */
export const VMSA_CR0 = 0x158;
/** RIP in the VMSA. */
export const VMSA_RIP = 0x178;
/** SEV_FEATURES in the VMSA. */
export const VMSA_SEV_FEATURES = 0x3b0;

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
  const pages: PageData[] = [];
  const counts: Record<string, number> = {};
  const areas = new Map<number, Json & { uses: Json[]; insertedAt: Json[] }>();
  const area = (i: number) => {
    let a = areas.get(i);
    if (!a) {
      areas.set(i, a = { index: i, size: null, initialData: false, uses: [], insertedAt: [] });
    }
    return a;
  };
  const vpContexts: Json[] = [];
  const requiredMemory: Json[] = [];
  const errorRanges: Json[] = [];
  const idBlocks: Json[] = [];
  for (const d of file.directives) {
    counts[d.type] = (counts[d.type] ?? 0) + 1;
    switch (d.type) {
      case "PageData":
        pages.push(d);
        break;
      case "ParameterArea": {
        const a = area(d.parameterAreaIndex);
        a.size = Number(d.numberOfBytes);
        a.initialData = d.initialData !== null;
        break;
      }
      case "ParameterInsert":
        area(d.parameterAreaIndex).insertedAt.push({
          gpa: hex64(d.gpa),
          compatibilityMask: d.compatibilityMask,
        });
        break;
      case "RequiredMemory":
        requiredMemory.push({
          compatibilityMask: d.compatibilityMask,
          gpa: hex64(d.gpa),
          size: d.numberOfBytes,
          vtl2Protectable: d.vtl2Protectable,
        });
        break;
      case "ErrorRange":
        errorRanges.push({
          compatibilityMask: d.compatibilityMask,
          gpa: hex64(d.gpa),
          size: d.sizeBytes,
        });
        break;
      case "SnpVpContext": {
        const vmsa = readPayload(d.vmsa, file.source);
        const full = vmsa.length >= VMSA_SEV_FEATURES + 8;
        vpContexts.push({
          type: d.type,
          compatibilityMask: d.compatibilityMask,
          vpIndex: d.vpIndex,
          gpa: hex64(d.gpa),
          cr0: full ? hex64(u64(vmsa, VMSA_CR0)) : null,
          rip: full ? hex64(u64(vmsa, VMSA_RIP)) : null,
          sevFeatures: full ? hex64(u64(vmsa, VMSA_SEV_FEATURES)) : null,
        });
        break;
      }
      case "X64NativeVpContext":
      case "AArch64CcaVpContext":
        vpContexts.push({
          type: d.type,
          compatibilityMask: d.compatibilityMask,
          vpIndex: d.vpIndex,
        });
        break;
      case "X64VbsVpContext":
      case "AArch64VbsVpContext":
        vpContexts.push({
          type: d.type,
          compatibilityMask: d.compatibilityMask,
          vtl: d.vtl,
          registers: d.registers.length,
        });
        break;
      case "SnpIdBlock": {
        const author = d.authorKeyEnabled !== 0;
        idBlocks.push({
          compatibilityMask: d.compatibilityMask,
          ld: toHex(d.ld),
          familyId: toHex(d.familyId),
          imageId: toHex(d.imageId),
          version: d.version,
          guestSvn: d.guestSvn,
          authorKeyEnabled: author,
          idKeyDigest: toHex(keyDigest(igvmToSnpPublicKey(d.idPublicKey))),
          authorKeyDigest: author
            ? toHex(keyDigest(igvmToSnpPublicKey(d.authorPublicKey)))
            : toHex(new Uint8Array(48)),
        });
        break;
      }
      case "VbsMeasurement":
        break;
      default:
        // Parameter usages (VpCount, Srat, MemoryMap, …).
        area(d.parameterAreaIndex).uses.push({ type: d.type, byteOffset: d.byteOffset });
    }
  }
  return {
    formatVersion: rev.version,
    arch: rev.version === 2 && rev.arch === Arch.AARCH64 ? "aarch64" : "x64",
    pageSize: rev.version === 2 ? rev.pageSize : 4096,
    platforms: file.platforms.map((p) => ({
      type: PLATFORM_NAMES[p.platformType] ?? `unknown (${p.platformType})`,
      compatibilityMask: p.compatibilityMask,
      highestVtl: p.highestVtl,
      platformVersion: p.platformVersion,
      sharedGpaBoundary: hex64(p.sharedGpaBoundary),
    })),
    initializations: file.initializations.map(initJson),
    directiveCounts: counts,
    memory: mergePageRanges(pages).map((r) => ({
      compatibilityMask: r.compatibilityMask,
      kind: r.kind,
      start: hex64(r.start),
      end: hex64(r.end),
      pages: r.pages,
    })),
    parameterAreas: [...areas.values()].sort((a, b) => (a.index as number) - (b.index as number)),
    requiredMemory,
    errorRanges,
    vpContexts,
    idBlocks,
  };
}
