/**
 * IGVM format constants and on-disk structure sizes.
 *
 * Source: microsoft/igvm `igvm_defs/src/lib.rs` (the format definition). Every
 * structure is little-endian and `repr(C)`; sizes are stated next to each
 * header type. Offsets inside each structure are spelled out in `parser.ts`
 * and `serializer.ts` where the fields are read and written.
 *
 * @module
 */

/** `IGVM_MAGIC_VALUE`: the bytes "IGVM" read as a little-endian u32. */
export const IGVM_MAGIC = 0x4d564749;
/** Format version 1: `IGVM_FIXED_HEADER` (24 bytes), x64, 4 KiB pages. */
export const FORMAT_VERSION_1 = 1;
/** Format version 2: `IGVM_FIXED_HEADER_V2` (32 bytes) adds architecture and page size. */
export const FORMAT_VERSION_2 = 2;
/** Size of `IGVM_FIXED_HEADER`: magic, format_version, variable_header_offset,
 * variable_header_size, total_file_size, checksum (6 × u32). */
export const FIXED_HEADER_V1_SIZE = 24;
/** Size of `IGVM_FIXED_HEADER_V2`: the v1 fields, then architecture u32, page_size u32. */
export const FIXED_HEADER_V2_SIZE = 32;
/** `IGVM_VHS_VARIABLE_HEADER`: type u32, length u32 (8 bytes), before every variable header. */
export const VARIABLE_HEADER_PREFIX_SIZE = 8;
/** `PAGE_SIZE_4K`. */
export const PAGE_SIZE_4K = 4096;
/** 2 MiB, the large page size of `IgvmPageDataFlags.is_2mb_page`. */
export const PAGE_SIZE_2M = 2 * 1024 * 1024;

/**
 * `IgvmArchitecture` (format version 2 only).
 *
 * @example
 * ```ts
 * import { Arch, parseIgvm } from "../mod.ts";
 * const file = parseIgvm(await Deno.readFile("testdata/sample.igvm"));
 * const arch: Arch = file.revision.version === 2 ? file.revision.arch : Arch.X64;
 * console.log(arch === Arch.AARCH64 ? "AArch64" : "x64");
 * ```
 */
export const Arch = { X64: 0, AARCH64: 1 } as const;
/** An `IgvmArchitecture` value. */
export type Arch = typeof Arch[keyof typeof Arch];

/** `IgvmVariableHeaderType` values. */
export const HeaderType = {
  SUPPORTED_PLATFORM: 0x1,
  GUEST_POLICY: 0x101,
  RELOCATABLE_REGION: 0x102,
  PAGE_TABLE_RELOCATION_REGION: 0x103,
  CORIM_DOCUMENT: 0x104,
  CORIM_SIGNATURE: 0x105,
  CCA_POLICY: 0x106,
  PARAMETER_AREA: 0x301,
  PAGE_DATA: 0x302,
  PARAMETER_INSERT: 0x303,
  VP_CONTEXT: 0x304,
  REQUIRED_MEMORY: 0x305,
  VP_COUNT_PARAMETER: 0x307,
  SRAT: 0x308,
  MADT: 0x309,
  MMIO_RANGES: 0x30a,
  SNP_ID_BLOCK: 0x30b,
  MEMORY_MAP: 0x30c,
  ERROR_RANGE: 0x30d,
  COMMAND_LINE: 0x30e,
  SLIT: 0x30f,
  PPTT: 0x310,
  VBS_MEASUREMENT: 0x311,
  DEVICE_TREE: 0x312,
  ENVIRONMENT_INFO_PARAMETER: 0x313,
} as const;

/** `IGVM_VHT_RANGE_PLATFORM`, inclusive. */
export const RANGE_PLATFORM = [0x1, 0x100] as const;
/** `IGVM_VHT_RANGE_INIT`, inclusive. */
export const RANGE_INIT = [0x101, 0x200] as const;
/** `IGVM_VHT_RANGE_DIRECTIVE`, inclusive. */
export const RANGE_DIRECTIVE = [0x301, 0x400] as const;
/** `IGVM_VHT_OPTIONAL_BIT`: a loader that does not know the type may ignore the header. */
export const OPTIONAL_BIT = 0x80000000;

/** Body sizes (without the 8-byte type/length prefix) of each fixed-size header. */
export const BodySize = {
  /** `IGVM_VHS_SUPPORTED_PLATFORM`: mask u32, highest_vtl u8, platform_type u8, version u16, shared_gpa_boundary u64. */
  SUPPORTED_PLATFORM: 16,
  /** `IGVM_VHS_GUEST_POLICY`: policy u64, mask u32, reserved u32. */
  GUEST_POLICY: 16,
  /** `IGVM_VHS_RELOCATABLE_REGION`: mask u32, vp_index u16, vtl u8, flags u8, alignment, gpa, size, min, max (u64 each). */
  RELOCATABLE_REGION: 48,
  /** `IGVM_VHS_PAGE_TABLE_RELOCATION`: mask u32, vp_index u16, vtl u8, reserved u8, gpa, size, used_size (u64 each). */
  PAGE_TABLE_RELOCATION: 32,
  /** `IGVM_VHS_CORIM_DATA`: mask u32, file_offset u32, size_bytes u32, reserved u32. */
  CORIM_DATA: 16,
  /** `IGVM_VHS_CCA_POLICY`: mask u32, reserved u32, required_zeroes u64, required_ones u64, hash u8, lfa u8, reserved2[6]. */
  CCA_POLICY: 32,
  /** `IGVM_VHS_PARAMETER_AREA`: number_of_bytes u64, index u32, file_offset u32. */
  PARAMETER_AREA: 16,
  /** `IGVM_VHS_PAGE_DATA`: gpa u64, mask u32, file_offset u32, flags u32, data_type u16, reserved u16. */
  PAGE_DATA: 24,
  /** `IGVM_VHS_PARAMETER_INSERT`: gpa u64, mask u32, index u32. */
  PARAMETER_INSERT: 16,
  /** `IGVM_VHS_PARAMETER`: index u32, byte_offset u32. */
  PARAMETER: 8,
  /** `IGVM_VHS_VP_CONTEXT`: gpa u64, mask u32, file_offset u32, vp_index u16, reserved u16 (20; 24 with padding). */
  VP_CONTEXT: 20,
  /** `IGVM_VHS_REQUIRED_MEMORY`: gpa u64, mask u32, number_of_bytes u32, flags u32, reserved u32. */
  REQUIRED_MEMORY: 24,
  /** `IGVM_VHS_ERROR_RANGE`: gpa u64, mask u32, size_bytes u32. */
  ERROR_RANGE: 16,
  /** `IGVM_VHS_SNP_ID_BLOCK` (layout in `lib/igvm/id_block_header.ts`). */
  SNP_ID_BLOCK: 696,
  /** `IGVM_VHS_VBS_MEASUREMENT`: 8 × u32, digest[64], signature[256], public_key[512]. */
  VBS_MEASUREMENT: 864,
} as const;

/** `IgvmPlatformType`. */
export const PlatformType = {
  NATIVE: 0x00,
  VSM_ISOLATION: 0x01,
  SEV_SNP: 0x02,
  TDX: 0x03,
  SEV: 0x04,
  SEV_ES: 0x05,
  CCA: 0x06,
} as const;
/** An `IgvmPlatformType` value. */
export type PlatformType = typeof PlatformType[keyof typeof PlatformType];

/** Readable names of platform types, as `igvm_defs` spells them. */
export const PLATFORM_NAMES: Record<number, string> = {
  0: "NATIVE",
  1: "VSM_ISOLATION",
  2: "SEV_SNP",
  3: "TDX",
  4: "SEV",
  5: "SEV_ES",
  6: "CCA",
};

/** The only platform version `igvm_defs` defines for every platform type. */
export const PLATFORM_VERSION = 1;

/** `IgvmPageDataType`. */
export const PageDataType = {
  NORMAL: 0x0,
  SECRETS: 0x1,
  CPUID_DATA: 0x2,
  CPUID_XF: 0x3,
} as const;

/** `IgvmPageDataFlags` bits. */
export const PageDataFlags = {
  IS_2MB_PAGE: 1 << 0,
  UNMEASURED: 1 << 1,
  SHARED: 1 << 2,
} as const;

/** `IGVM_VHF_RELOCATABLE_REGION_*` flag bits. */
export const RelocationFlags = {
  IS_VTL2: 0x1,
  APPLY_RIP: 0x2,
  APPLY_GDTR: 0x4,
} as const;

/** Size of `IgvmNativeVpContextX64` (x64 registers for NATIVE/SEV VP contexts). */
export const NATIVE_VP_CONTEXT_X64_SIZE = 232;
/** Size of `IgvmVpContextAArch64Cca`: x0–x7, pc, flags (10 × u64). */
export const CCA_VP_CONTEXT_SIZE = 80;
/** Size of `VbsVpContextHeader`: register_count u32. */
export const VBS_VP_CONTEXT_HEADER_SIZE = 4;
/** Size of `VbsVpContextRegister`: vtl u8, register_name u32, mbz[11], value[16]. */
export const VBS_VP_CONTEXT_REGISTER_SIZE = 32;
