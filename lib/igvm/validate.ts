/**
 * File-level validation: microsoft/igvm `IgvmFile::new` →
 * `validate_platform_headers`, `validate_initialization_headers`,
 * `validate_directive_headers` (igvm/src/lib.rs). Per-header checks already
 * ran while parsing; these are the rules that need the whole file.
 *
 * @module
 */

import { Arch, PLATFORM_NAMES, PlatformType } from "./defs.ts";
import { fileError, HeaderError, sectionError } from "./format_error.ts";
import { validatePlatform } from "./header_parser.ts";
import type { IgvmFile } from "./types.ts";

const PLATFORM_DEBUG = PLATFORM_NAMES;

function singleBits(mask: number): number[] {
  const out: number[] = [];
  for (let b = 0; b < 32; b++) if ((mask >>> b) & 1) out.push((1 << b) >>> 0);
  return out;
}

interface VpIdent {
  mask: number;
  vpIndex: number;
  vtl: number;
  /** Set once a VBS VP context satisfies it. */
  matched?: boolean;
}

/**
 * Applies the crate's whole-file rules to a parsed or built file. Throws
 * {@link IgvmFormatError} with the crate's error name.
 *
 * @example
 * ```ts
 * import { IgvmFormatError, validateFile } from "../mod.ts";
 * try {
 *   validateFile({ revision: { version: 1 }, platforms: [], initializations: [], directives: [] });
 * } catch (e) {
 *   if (!(e instanceof IgvmFormatError)) throw e;
 *   console.log(e.code); // "NoPlatformHeaders"
 * }
 * ```
 */
export function validateFile(file: IgvmFile): void {
  const arch = file.revision.version === 2 ? file.revision.arch : Arch.X64;
  const archName = arch === Arch.X64 ? "X64" : "AArch64";

  // validate_platform_headers
  const seen = new Set<number>();
  file.platforms.forEach((p, i) => {
    try {
      validatePlatform(p);
    } catch (e) {
      if (e instanceof HeaderError) throw sectionError("platform", e, i + 1);
      throw e;
    }
    const t = p.platformType;
    const needs = t === PlatformType.VSM_ISOLATION
      ? undefined
      : t === PlatformType.CCA
      ? Arch.AARCH64
      : Arch.X64;
    if (needs !== undefined && needs !== arch) {
      throw fileError(
        `PlatformArchUnsupported { arch: ${archName}, platform: ${PLATFORM_DEBUG[t]} }`,
        `platform ${PLATFORM_DEBUG[t]} is not supported on architecture ${archName}`,
      );
    }
    if (seen.has(t)) {
      throw fileError(
        "MultiplePlatformHeadersWithSameIsolation",
        `more than one platform header for ${PLATFORM_DEBUG[t]}`,
      );
    }
    seen.add(t);
  });
  if (file.platforms.length === 0) {
    throw fileError("NoPlatformHeaders", "the file has no platform header");
  }

  // validate_initialization_headers
  const maskMap = new Map<number, number>();
  for (const p of file.platforms) maskMap.set(p.compatibilityMask, p.platformType);
  let pageTableMasks = 0;
  const vpIdents: VpIdent[] = [];
  const relocRanges = new Map<number, Array<[bigint, bigint]>>();
  const pageTableRegions: Array<{ mask: number; gpa: bigint; size: bigint }> = [];
  const corimDocs = new Set<number>();
  const corimSigs = new Set<number>();
  const checkOverlap = (mask: number, start: bigint, size: bigint) => {
    // The crate inserts `start..=start + size - 1` (u64 arithmetic, wrapping in release builds) into a
    // range map, which panics on an empty range: size 0 at a non-zero start, or an end past 2^64.
    // Size 0 at start 0 wraps to the whole address space.
    let end = start + size - 1n;
    if (size === 0n && start === 0n) end = 0xFFFF_FFFF_FFFF_FFFFn;
    else if (size === 0n || end > 0xFFFF_FFFF_FFFF_FFFFn) {
      throw fileError(
        "InvalidRelocationRegion",
        `relocation region at 0x${start.toString(16)} of size 0x${
          size.toString(16)
        } is empty or ends past 2^64 ` +
          "(the reference parser panics on it)",
      );
    }
    for (const bit of singleBits(mask)) {
      // Each bit's ranges are disjoint and kept sorted, so only the last range starting at or
      // before `end` can overlap (a binary search: no quadratic time for many regions).
      const list = relocRanges.get(bit) ?? [];
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
      relocRanges.set(bit, list);
    }
  };
  for (const h of file.initializations) {
    switch (h.type) {
      case "CcaPolicy":
        if (arch !== Arch.AARCH64) {
          throw fileError(
            `InvalidHeaderArch { arch: ${archName}, header_type: "CcaPolicy" }`,
            `CCA policy header in an ${archName} file`,
          );
        }
        for (const bit of singleBits(h.compatibilityMask)) {
          if (maskMap.get(bit) !== PlatformType.CCA) {
            throw fileError(
              `InvalidCcaPolicyCompatibilityMask(${bit})`,
              `CCA policy compatibility mask 0x${
                bit.toString(16)
              } does not reference a CCA platform`,
            );
          }
        }
        break;
      case "PageTableRelocationRegion":
        if ((h.compatibilityMask & pageTableMasks) !== 0) {
          throw fileError(
            "MultiplePageTableRelocationHeaders",
            "page table relocation header specified twice for a compatibility mask",
          );
        }
        pageTableMasks |= h.compatibilityMask;
        checkOverlap(h.compatibilityMask, h.gpa, h.size);
        vpIdents.push({ mask: h.compatibilityMask, vpIndex: h.vpIndex, vtl: h.vtl });
        pageTableRegions.push({ mask: h.compatibilityMask, gpa: h.gpa, size: h.size });
        break;
      case "RelocatableRegion":
        checkOverlap(h.compatibilityMask, h.relocationRegionGpa, h.relocationRegionSize);
        vpIdents.push({ mask: h.compatibilityMask, vpIndex: h.vpIndex, vtl: h.vtl });
        break;
      case "CorimDocument":
        for (const bit of singleBits(h.compatibilityMask)) {
          if (corimDocs.has(bit)) {
            throw sectionError("initialization", new HeaderError("MultipleCorimDocuments", bit), 0);
          }
          corimDocs.add(bit);
        }
        break;
      case "CorimSignature":
        for (const bit of singleBits(h.compatibilityMask)) {
          if (corimSigs.has(bit)) {
            throw sectionError(
              "initialization",
              new HeaderError("MultipleCorimSignatures", bit),
              0,
            );
          }
          corimSigs.add(bit);
          if (!corimDocs.has(bit)) {
            throw sectionError("initialization", new HeaderError("MissingCorimDocument", bit), 0);
          }
        }
        break;
      case "GuestPolicy":
        break;
    }
  }

  // validate_directive_headers
  const areas = new Map<number, "allocated" | "inserted">();
  let pendingIdents: Map<string, VpIdent[]> | undefined;
  const badIndex = (i: number, what: string) =>
    fileError(
      "InvalidParameterAreaIndex",
      `${what} uses parameter area index ${i}, which is not allocated`,
    );
  for (const d of file.directives) {
    switch (d.type) {
      case "ParameterArea":
        if (areas.has(d.parameterAreaIndex)) {
          throw fileError(
            "InvalidParameterAreaIndex",
            `parameter area index ${d.parameterAreaIndex} is declared twice`,
          );
        }
        areas.set(d.parameterAreaIndex, "allocated");
        break;
      case "VpCount":
      case "EnvironmentInfo":
      case "Srat":
      case "Madt":
      case "Slit":
      case "Pptt":
      case "MmioRanges":
      case "MemoryMap":
      case "CommandLine":
      case "DeviceTree":
        if (areas.get(d.parameterAreaIndex) !== "allocated") {
          throw badIndex(d.parameterAreaIndex, d.type);
        }
        break;
      case "X64NativeVpContext":
        if (arch !== Arch.X64) {
          throw fileError(
            `InvalidHeaderArch { arch: ${archName}, header_type: "X64VbsVpContext" }`,
            `x64 native VP context in an ${archName} file`,
          );
        }
        break;
      case "X64VbsVpContext":
      case "AArch64VbsVpContext": {
        const want = d.type === "X64VbsVpContext" ? Arch.X64 : Arch.AARCH64;
        if (arch !== want) {
          throw fileError(
            `InvalidHeaderArch { arch: ${archName}, header_type: "${d.type}" }`,
            `${d.type} in an ${archName} file`,
          );
        }
        // Satisfies every ident with vp_index 0, this VTL and a mask bit in common. Idents are
        // bucketed by (VTL, bit) so each is visited once however many contexts there are.
        if (pendingIdents === undefined) {
          pendingIdents = new Map();
          for (const id of vpIdents) {
            if (id.vpIndex !== 0) continue;
            for (const bit of singleBits(id.mask)) {
              const key = `${id.vtl}:${bit}`;
              const list = pendingIdents.get(key) ?? [];
              list.push(id);
              pendingIdents.set(key, list);
            }
          }
        }
        for (const bit of singleBits(d.compatibilityMask)) {
          const key = `${d.vtl}:${bit}`;
          for (const id of pendingIdents.get(key) ?? []) id.matched = true;
          pendingIdents.delete(key);
        }
        break;
      }
      case "AArch64CcaVpContext":
        if (arch !== Arch.AARCH64) {
          throw fileError(
            `InvalidHeaderArch { arch: ${archName}, header_type: "AArch64CcaVpContext" }`,
            `AArch64 CCA VP context in an ${archName} file`,
          );
        }
        break;
      case "ParameterInsert":
        if (areas.get(d.parameterAreaIndex) !== "allocated") {
          throw badIndex(d.parameterAreaIndex, "ParameterInsert");
        }
        areas.set(d.parameterAreaIndex, "inserted");
        for (const r of pageTableRegions) {
          // The crate adds gpa + size as u64, which wraps (release build): a region at the top of
          // the address space then contains no insert.
          if (
            (r.mask & d.compatibilityMask) !== 0 && d.gpa >= r.gpa &&
            d.gpa < BigInt.asUintN(64, r.gpa + r.size)
          ) {
            throw fileError(
              "ParameterInsertInsidePageTableRegion",
              `parameter insert at 0x${d.gpa.toString(16)} is inside a page table region`,
            );
          }
        }
        break;
      default:
        break;
    }
  }
  const unmatched = vpIdents.find((id) => !id.matched);
  if (unmatched !== undefined) {
    throw fileError(
      "NoMatchingVpContext",
      `no VBS VP context for VP ${unmatched.vpIndex} VTL ${unmatched.vtl} named by a relocation header`,
    );
  }
}
