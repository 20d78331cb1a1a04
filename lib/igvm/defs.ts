/**
 * IGVM format constants: header types, platform types, flag bits, page sizes.
 *
 * Source: microsoft/igvm `igvm_defs/src/lib.rs` (the format definition). The
 * structures themselves (sizes, field offsets and widths) are declared once in
 * `structs.ts`; this module holds the values that go into their fields.
 *
 * @module
 */

/** `IGVM_MAGIC_VALUE`: the bytes "IGVM" read as a little-endian u32. */
export const IGVM_MAGIC = 0x4d564749;
/** Format version 1: `IGVM_FIXED_HEADER`, x64, 4 KiB pages. */
export const FORMAT_VERSION_1 = 1;
/** Format version 2: `IGVM_FIXED_HEADER_V2` adds architecture and page size. */
export const FORMAT_VERSION_2 = 2;
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

/** `IGVM_VHF_RELOCATABLE_REGION_*` flag bits (APPLY_RIP is the crate's APPLY_PC). */
export const RelocationFlags = {
  IS_VTL2: 0x1,
  APPLY_RIP: 0x2,
  APPLY_GDTR: 0x4,
} as const;

/** `RequiredMemoryFlags` bits. */
export const RequiredMemoryFlags = {
  VTL2_PROTECTABLE: 1 << 0,
} as const;

/** Size of `IgvmNativeVpContextX64` (x64 registers for NATIVE/SEV VP contexts, kept as bytes). */
export const NATIVE_VP_CONTEXT_X64_SIZE = 232;
/** Size of `IgvmVpContextAArch64Cca`: x0–x7, pc, flags (10 × u64, kept as bytes). */
export const CCA_VP_CONTEXT_SIZE = 80;
/** Size of `SevVmsa` in igvm 0.4.0 (HEAD pads it to 4 KiB). */
export const LEGACY_VMSA_SIZE = 1648;
/** Offsets of registers in the SEV-ES/SNP VMSA (AMD APM vol. 2, table B-4). */
export const VmsaOffset = { CR0: 0x158, RIP: 0x178, SEV_FEATURES: 0x3b0 } as const;
