/**
 * Decoding of single variable headers (microsoft/igvm `igvm/src/lib.rs`,
 * `IgvmPlatformHeader::new_from_binary_split`,
 * `IgvmInitializationHeader::new_from_binary_split`,
 * `IgvmDirectiveHeader::new_from_binary_split` and each type's `validate`).
 * The checks run in the crate's order, so a header with several problems is
 * refused for the same reason the crate gives. Platform and initialization
 * headers are decoded here; directive headers in `directive_parser.ts`, whose
 * exports this module re-exports.
 *
 * @module
 */

import { BodySize, HeaderType, PLATFORM_VERSION, PlatformType, RelocationFlags } from "./defs.ts";
import { HeaderError } from "./format_error.ts";
import {
  ALIGN_4K,
  checkVtl,
  extractFileData,
  type HeaderBody,
  type HeaderContext,
  u16,
  u32,
  u64,
  u8,
} from "./header_body.ts";
import type { InitializationHeader, SupportedPlatform } from "./types.ts";

export type { HeaderBody, HeaderContext } from "./header_body.ts";
export { directiveBodySize, PARAMETER_KINDS, parseDirective } from "./directive_parser.ts";

/**
 * Decodes `IGVM_VHS_SUPPORTED_PLATFORM` and applies `IgvmPlatformHeader::validate`.
 * The caller has checked type 0x1 and length 16.
 *
 * @example
 * ```ts
 * import { parsePlatform } from "./header_parser.ts";
 * const view = new DataView(new ArrayBuffer(16));
 * view.setUint32(0, 1, true); // compatibility mask
 * view.setUint8(5, 2); // platform type: SEV-SNP
 * view.setUint16(6, 1, true); // platform version
 * parsePlatform({ view, at: 0 }).platformType; // 2
 * ```
 */
export function parsePlatform(b: HeaderBody, legacy = false): SupportedPlatform {
  const h: SupportedPlatform = {
    type: "SupportedPlatform",
    compatibilityMask: u32(b, 0), // 0x0 u32
    highestVtl: u8(b, 4), // 0x4 u8
    platformType: u8(b, 5), // 0x5 u8
    platformVersion: u16(b, 6), // 0x6 u16
    sharedGpaBoundary: u64(b, 8), // 0x8 u64
  };
  validatePlatform(h, legacy);
  return h;
}

/**
 * `IgvmPlatformHeader::validate`. With `legacy` (igvm 0.4.0), which predates
 * the CCA platform, type 6 is an unknown platform type.
 *
 * @example
 * ```ts
 * import { validatePlatform } from "./header_parser.ts";
 * import { HeaderError } from "./format_error.ts";
 * const platform = {
 *   type: "SupportedPlatform",
 *   compatibilityMask: 3, // two bits: refused
 *   highestVtl: 0,
 *   platformType: 2,
 *   platformVersion: 1,
 *   sharedGpaBoundary: 0n,
 * } as const;
 * try {
 *   validatePlatform(platform);
 * } catch (e) {
 *   if (!(e instanceof HeaderError)) throw e;
 *   console.log(e.variant); // InvalidCompatibilityMask
 * }
 * ```
 */
export function validatePlatform(h: SupportedPlatform, legacy = false): void {
  let ones = 0;
  for (let m = h.compatibilityMask; m !== 0; m >>>= 1) ones += m & 1;
  if (ones !== 1) {
    throw new HeaderError(
      "InvalidCompatibilityMask",
      undefined,
      `mask 0x${h.compatibilityMask.toString(16)}`,
    );
  }
  if (h.highestVtl !== 0 && h.highestVtl !== 2) {
    throw new HeaderError("InvalidVtl", undefined, `highest VTL ${h.highestVtl}`);
  }
  if (h.platformType > (legacy ? PlatformType.SEV_ES : PlatformType.CCA)) {
    throw new HeaderError("InvalidPlatformType", undefined, `platform type ${h.platformType}`);
  }
  if (h.platformVersion !== PLATFORM_VERSION) {
    throw new HeaderError("InvalidPlatformVersion", undefined, `version ${h.platformVersion}`);
  }
  if (
    (h.platformType === PlatformType.NATIVE || h.platformType === PlatformType.VSM_ISOLATION) &&
    h.sharedGpaBoundary !== 0n
  ) {
    throw new HeaderError(
      "InvalidSharedGpaBoundary",
      undefined,
      `0x${h.sharedGpaBoundary.toString(16)}`,
    );
  }
}

/**
 * Body size the crate requires for an initialization header type, or
 * undefined if unknown (with `legacy`, igvm 0.4.0's set).
 *
 * @example
 * ```ts
 * import { HeaderType } from "./defs.ts";
 * import { initializationBodySize } from "./header_parser.ts";
 * initializationBodySize(HeaderType.GUEST_POLICY); // 16
 * initializationBodySize(HeaderType.CORIM_DOCUMENT, true); // undefined
 * ```
 */
export function initializationBodySize(type: number, legacy = false): number | undefined {
  // igvm 0.4.0 (built without features, as the original igvmmeasure links it) has no CoRIM or CCA headers.
  if (
    legacy &&
    (type === HeaderType.CCA_POLICY || type === HeaderType.CORIM_DOCUMENT ||
      type === HeaderType.CORIM_SIGNATURE)
  ) return undefined;
  switch (type) {
    case HeaderType.GUEST_POLICY:
      return BodySize.GUEST_POLICY;
    case HeaderType.CCA_POLICY:
      return BodySize.CCA_POLICY;
    case HeaderType.RELOCATABLE_REGION:
      return BodySize.RELOCATABLE_REGION;
    case HeaderType.PAGE_TABLE_RELOCATION_REGION:
      return BodySize.PAGE_TABLE_RELOCATION;
    case HeaderType.CORIM_DOCUMENT:
    case HeaderType.CORIM_SIGNATURE:
      return BodySize.CORIM_DATA;
  }
  return undefined;
}

/**
 * Decodes and validates one initialization header whose type and length match.
 *
 * @example
 * ```ts
 * import { Arch, HeaderType } from "./defs.ts";
 * import { parseInitialization } from "./header_parser.ts";
 * import { bytesSource } from "./source.ts";
 * const view = new DataView(new ArrayBuffer(16));
 * view.setBigUint64(0, 0x30000n, true); // policy
 * view.setUint32(8, 1, true); // compatibility mask
 * const ctx = { source: bytesSource(new Uint8Array(0)), fileDataStart: 0, arch: Arch.X64, maskMap: new Map() };
 * parseInitialization(HeaderType.GUEST_POLICY, { view, at: 0 }, ctx);
 * // { type: "GuestPolicy", policy: 0x30000n, compatibilityMask: 1 }
 * ```
 */
export function parseInitialization(
  type: number,
  b: HeaderBody,
  ctx: HeaderContext,
): InitializationHeader {
  switch (type) {
    case HeaderType.GUEST_POLICY: {
      // policy u64 @0, compatibility_mask u32 @8, reserved u32 @12
      if (u32(b, 12) !== 0) throw new HeaderError("ReservedNotZero", undefined, "guest policy");
      return { type: "GuestPolicy", policy: u64(b, 0), compatibilityMask: u32(b, 8) };
    }
    case HeaderType.CCA_POLICY: {
      // mask u32 @0, reserved u32 @4, zeroes u64 @8, ones u64 @16, hash u8 @24, lfa u8 @25, reserved2[6] @26
      let reserved2 = 0;
      for (let i = 26; i < 32; i++) reserved2 |= u8(b, i);
      if (u32(b, 4) !== 0 || reserved2 !== 0) {
        throw new HeaderError("ReservedNotZero", undefined, "CCA policy");
      }
      const zeroes = u64(b, 8);
      const ones = u64(b, 16);
      if ((zeroes & ones) !== 0n) throw new HeaderError("InvalidOnesZeroesMasks");
      return {
        type: "CcaPolicy",
        compatibilityMask: u32(b, 0),
        attributesRequiredZeroes: zeroes,
        attributesRequiredOnes: ones,
        hashAlgorithm: u8(b, 24),
        lfaPolicy: u8(b, 25),
      };
    }
    case HeaderType.RELOCATABLE_REGION: {
      // mask u32 @0, vp_index u16 @4, vtl u8 @6, flags u8 @7, alignment @8, gpa @16, size @24, min @32, max @40
      const flags = u8(b, 7);
      const vtl = checkVtl(u8(b, 6));
      const alignment = u64(b, 8);
      const gpa = u64(b, 16);
      const size = u64(b, 24);
      const min = u64(b, 32);
      const max = u64(b, 40);
      if (size % ALIGN_4K !== 0n) {
        throw new HeaderError("RelocationSize", undefined, `size 0x${size.toString(16)}`);
      }
      if (alignment % ALIGN_4K !== 0n) {
        throw new HeaderError(
          "RelocationAlignment",
          undefined,
          `alignment 0x${alignment.toString(16)}`,
        );
      }
      // The crate divides by the alignment here; an alignment of 0 panics there.
      if (alignment === 0n) throw new HeaderError("RelocationAlignment", undefined, "alignment 0");
      for (const a of [gpa, min, max]) {
        if (a % alignment !== 0n) throw new HeaderError("RelocationAddress", a);
      }
      return {
        type: "RelocatableRegion",
        compatibilityMask: u32(b, 0),
        relocationAlignment: alignment,
        relocationRegionGpa: gpa,
        relocationRegionSize: size,
        minimumRelocationGpa: min,
        maximumRelocationGpa: max,
        isVtl2: (flags & RelocationFlags.IS_VTL2) !== 0,
        applyRipOffset: (flags & RelocationFlags.APPLY_RIP) !== 0,
        applyGdtrOffset: (flags & RelocationFlags.APPLY_GDTR) !== 0,
        vpIndex: u16(b, 4),
        vtl,
      };
    }
    case HeaderType.PAGE_TABLE_RELOCATION_REGION: {
      // mask u32 @0, vp_index u16 @4, vtl u8 @6, reserved u8 @7, gpa @8, size @16, used_size @24
      if (u8(b, 7) !== 0) {
        throw new HeaderError("ReservedNotZero", undefined, "page table relocation");
      }
      const vtl = checkVtl(u8(b, 6));
      const gpa = u64(b, 8);
      const size = u64(b, 16);
      const usedSize = u64(b, 24);
      if (gpa % ALIGN_4K !== 0n) throw new HeaderError("UnalignedAddress", gpa);
      if (size % ALIGN_4K !== 0n) throw new HeaderError("UnalignedSize", size);
      if (usedSize % ALIGN_4K !== 0n) throw new HeaderError("UnalignedSize", usedSize);
      if (usedSize > size) throw new HeaderError("InvalidPageTableRegionSize");
      return {
        type: "PageTableRelocationRegion",
        compatibilityMask: u32(b, 0),
        gpa,
        size,
        usedSize,
        vpIndex: u16(b, 4),
        vtl,
      };
    }
    default: {
      // CoRIM document / signature: mask u32 @0, file_offset u32 @4, size_bytes u32 @8, reserved u32 @12
      if (u32(b, 12) !== 0) throw new HeaderError("ReservedNotZero", undefined, "CoRIM data");
      return {
        type: type === HeaderType.CORIM_DOCUMENT ? "CorimDocument" : "CorimSignature",
        compatibilityMask: u32(b, 0),
        data: extractFileData(ctx, u32(b, 4), u32(b, 8)),
      };
    }
  }
}
