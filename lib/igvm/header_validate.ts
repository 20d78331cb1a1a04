/**
 * The checks of one header on its own: microsoft/igvm `igvm/src/lib.rs`,
 * `IgvmPlatformHeader::validate`, `IgvmInitializationHeader::validate` and
 * `IgvmDirectiveHeader::validate`. The crate runs them when it decodes a
 * header (after the checks that decoding itself makes: reserved fields, VTLs,
 * file-data bounds) and again for every header when it builds a file
 * (`IgvmFile::new`), so the decoders (`*_codec.ts`) and `validate.ts` share
 * them. Each throws the {@link HeaderError} the crate returns.
 *
 * @module
 */

import { PAGE_SIZE_4K, PageDataType, PLATFORM_VERSION, PlatformType } from "./defs.ts";
import { HeaderError } from "./format_error.ts";
import { ALIGN_4K } from "./header_context.ts";
import { type Payload, payloadLength } from "./source.ts";
import type {
  CcaPolicy,
  DirectiveHeader,
  InitializationHeader,
  PageData,
  PageTableRelocationRegion,
  ParameterArea,
  RelocatableRegion,
  RequiredMemory,
  SupportedPlatform,
} from "./types.ts";

/**
 * A GPA must be 4 KiB aligned (`UnalignedAddress`).
 *
 * @example
 * ```ts
 * import { validateGpa } from "./header_validate.ts";
 * import { HeaderError } from "./format_error.ts";
 * validateGpa(0x1000n); // aligned: returns
 * try {
 *   validateGpa(0x1001n);
 * } catch (e) {
 *   if (!(e instanceof HeaderError)) throw e;
 *   console.log(e.variant, e.value); // UnalignedAddress 4097n
 * }
 * ```
 */
export function validateGpa(gpa: bigint): void {
  if (gpa % ALIGN_4K !== 0n) throw new HeaderError("UnalignedAddress", gpa);
}

/**
 * `IgvmPlatformHeader::validate`. With `legacy` (igvm 0.4.0), which predates
 * the CCA platform, type 6 is an unknown platform type.
 *
 * @example
 * ```ts
 * import { validatePlatform } from "./header_validate.ts";
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
 * `IgvmInitializationHeader::validate` for a CCA policy: the required-ones
 * and required-zeroes masks must not overlap.
 *
 * @example
 * ```ts
 * import { validateCcaPolicy } from "./header_validate.ts";
 * validateCcaPolicy({
 *   type: "CcaPolicy", compatibilityMask: 1, attributesRequiredZeroes: 1n,
 *   attributesRequiredOnes: 2n, hashAlgorithm: 0, lfaPolicy: 0,
 * }); // disjoint: returns
 * ```
 */
export function validateCcaPolicy(h: CcaPolicy): void {
  if ((h.attributesRequiredZeroes & h.attributesRequiredOnes) !== 0n) {
    throw new HeaderError("InvalidOnesZeroesMasks");
  }
}

/**
 * `IgvmInitializationHeader::validate` for a relocatable region: 4 KiB
 * multiples for size and alignment, addresses on the alignment.
 *
 * @example
 * ```ts
 * import { validateRelocatableRegion } from "./header_validate.ts";
 * validateRelocatableRegion({
 *   type: "RelocatableRegion", compatibilityMask: 1, relocationAlignment: 0x200000n,
 *   relocationRegionGpa: 0x200000n, relocationRegionSize: 0x1000n, minimumRelocationGpa: 0n,
 *   maximumRelocationGpa: 0x40000000n, isVtl2: false, applyRipOffset: true,
 *   applyGdtrOffset: false, vpIndex: 0, vtl: 0,
 * }); // valid: returns
 * ```
 */
export function validateRelocatableRegion(h: RelocatableRegion): void {
  const size = h.relocationRegionSize;
  const alignment = h.relocationAlignment;
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
  for (const a of [h.relocationRegionGpa, h.minimumRelocationGpa, h.maximumRelocationGpa]) {
    if (a % alignment !== 0n) throw new HeaderError("RelocationAddress", a);
  }
}

/**
 * `IgvmInitializationHeader::validate` for a page table region: 4 KiB
 * aligned, and no more used than there is.
 *
 * @example
 * ```ts
 * import { validatePageTableRegion } from "./header_validate.ts";
 * validatePageTableRegion({
 *   type: "PageTableRelocationRegion", compatibilityMask: 1, gpa: 0x1000n, size: 0x2000n,
 *   usedSize: 0x1000n, vpIndex: 0, vtl: 0,
 * }); // valid: returns
 * ```
 */
export function validatePageTableRegion(h: PageTableRelocationRegion): void {
  validateGpa(h.gpa);
  if (h.size % ALIGN_4K !== 0n) throw new HeaderError("UnalignedSize", h.size);
  if (h.usedSize % ALIGN_4K !== 0n) throw new HeaderError("UnalignedSize", h.usedSize);
  if (h.usedSize > h.size) throw new HeaderError("InvalidPageTableRegionSize");
}

/**
 * `IgvmInitializationHeader::validate`: the check of any initialization header.
 *
 * @example
 * ```ts
 * import { validateInitialization } from "./header_validate.ts";
 * validateInitialization({ type: "GuestPolicy", policy: 0x30000n, compatibilityMask: 1 });
 * ```
 */
export function validateInitialization(h: InitializationHeader): void {
  switch (h.type) {
    case "CcaPolicy":
      return validateCcaPolicy(h);
    case "RelocatableRegion":
      return validateRelocatableRegion(h);
    case "PageTableRelocationRegion":
      return validatePageTableRegion(h);
  }
}

/**
 * `IgvmDirectiveHeader::validate` for page data: an aligned GPA, a known data
 * type, at most 4 KiB of data.
 *
 * @example
 * ```ts
 * import { validatePageData } from "./header_validate.ts";
 * validatePageData({
 *   type: "PageData", gpa: 0x1000n, compatibilityMask: 1, flags: 0, dataType: 0, data: null,
 * }); // valid: returns
 * ```
 */
export function validatePageData(h: PageData): void {
  validatePageDataFields(Number(BigInt.asUintN(32, h.gpa)), h.gpa, h.dataType, h.data);
}

/**
 * {@link validatePageData} on a page-data header's fields before they are an
 * object: `gpaLow` is the low 32 bits of `gpa` (all that its 4 KiB alignment
 * depends on: the parser checks them without bigint arithmetic).
 *
 * @example
 * ```ts
 * import { validatePageDataFields } from "./header_validate.ts";
 * validatePageDataFields(0x1000, 0x1000n, 0, { offset: 8192, length: 4096 }); // valid: returns
 * ```
 */
export function validatePageDataFields(
  gpaLow: number,
  gpa: bigint,
  dataType: number,
  data: Payload | null,
): void {
  if ((gpaLow & (PAGE_SIZE_4K - 1)) !== 0) throw new HeaderError("UnalignedAddress", gpa);
  if (dataType > PageDataType.CPUID_XF) {
    throw new HeaderError("InvalidPageDataType", undefined, `data type ${dataType}`);
  }
  if (data !== null && payloadLength(data) > PAGE_SIZE_4K) {
    throw new HeaderError("InvalidDataSize", undefined, `${payloadLength(data)} bytes of data`);
  }
}

/**
 * `IgvmDirectiveHeader::validate` for a parameter area: a 4 KiB multiple in
 * size, initial data no longer than the area.
 *
 * @example
 * ```ts
 * import { validateParameterArea } from "./header_validate.ts";
 * validateParameterArea({
 *   type: "ParameterArea", numberOfBytes: 0x1000n, parameterAreaIndex: 0, initialData: null,
 * }); // valid: returns
 * ```
 */
export function validateParameterArea(h: ParameterArea): void {
  if (h.numberOfBytes % ALIGN_4K !== 0n) throw new HeaderError("UnalignedSize", h.numberOfBytes);
  if (h.initialData !== null && BigInt(payloadLength(h.initialData)) > h.numberOfBytes) {
    throw new HeaderError("InvalidDataSize", undefined, "initial data longer than the area");
  }
}

/**
 * `IgvmDirectiveHeader::validate` for required memory: aligned GPA and size.
 *
 * @example
 * ```ts
 * import { validateRequiredMemory } from "./header_validate.ts";
 * validateRequiredMemory({
 *   type: "RequiredMemory", gpa: 0x1000n, compatibilityMask: 1, numberOfBytes: 0x1000,
 *   vtl2Protectable: false,
 * }); // valid: returns
 * ```
 */
export function validateRequiredMemory(h: RequiredMemory): void {
  validateGpa(h.gpa);
  if (h.numberOfBytes % PAGE_SIZE_4K !== 0) throw new HeaderError("UnalignedSize", h.numberOfBytes);
}

/**
 * `IgvmDirectiveHeader::validate`: the check of any directive header.
 *
 * @example
 * ```ts
 * import { validateDirective } from "./header_validate.ts";
 * validateDirective({ type: "VpCount", parameterAreaIndex: 0, byteOffset: 0 });
 * ```
 */
export function validateDirective(h: DirectiveHeader): void {
  switch (h.type) {
    case "PageData":
      return validatePageData(h);
    case "ParameterArea":
      return validateParameterArea(h);
    case "RequiredMemory":
      return validateRequiredMemory(h);
    case "SnpVpContext":
    case "ParameterInsert":
    case "ErrorRange":
      return validateGpa(h.gpa);
  }
}
