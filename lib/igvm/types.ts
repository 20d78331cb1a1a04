/**
 * The in-memory model of an IGVM file, one named type per on-disk structure
 * (microsoft/igvm `igvm/src/lib.rs`: `IgvmPlatformHeader`,
 * `IgvmInitializationHeader`, `IgvmDirectiveHeader`).
 *
 * u64 fields are `bigint`; u32 and smaller are `number`. Large payloads (page
 * data, parameter-area data, VP contexts, CoRIM data) are {@link Payload}s: either
 * a reference into the file the header was parsed from (read when measured or
 * serialized, so memory does not grow with the file) or bytes in hand (for
 * headers built in memory).
 *
 * @module
 */

import type { Arch } from "./defs.ts";

/** Random access to the bytes of an IGVM file. */
export interface IgvmSource {
  /** Total size of the file in bytes. */
  readonly size: number;
  /**
   * Reads `length` bytes at `offset`. The range is always inside the file
   * (the parser checks it). The returned array may be reused by the next call
   * when `scratch` is given.
   */
  read(offset: number, length: number, scratch?: Uint8Array): Uint8Array;
}

/** A byte range of the source file the header was parsed from. */
export interface FileRange {
  /** Absolute offset in the file. */
  readonly offset: number;
  /** Length in bytes. */
  readonly length: number;
}

/** Data of a header: a range of the source file, or bytes in hand. */
export type Payload = FileRange | Uint8Array;

/** Format revision: version 1 (x64, 4 KiB pages) or version 2 (architecture, page size). */
export type IgvmRevision =
  | { readonly version: 1 }
  | { readonly version: 2; readonly arch: Arch; readonly pageSize: number };

/** `IGVM_VHS_SUPPORTED_PLATFORM` (type 0x1, 16 bytes). */
export interface SupportedPlatform {
  readonly type: "SupportedPlatform";
  readonly compatibilityMask: number;
  readonly highestVtl: number;
  readonly platformType: number;
  readonly platformVersion: number;
  readonly sharedGpaBoundary: bigint;
}

/** A platform header. */
export type PlatformHeader = SupportedPlatform;

/** `IGVM_VHS_GUEST_POLICY` (type 0x101, 16 bytes). */
export interface GuestPolicy {
  readonly type: "GuestPolicy";
  readonly policy: bigint;
  readonly compatibilityMask: number;
}

/** `IGVM_VHS_CCA_POLICY` (type 0x106, 32 bytes). */
export interface CcaPolicy {
  readonly type: "CcaPolicy";
  readonly compatibilityMask: number;
  readonly attributesRequiredZeroes: bigint;
  readonly attributesRequiredOnes: bigint;
  readonly hashAlgorithm: number;
  readonly lfaPolicy: number;
}

/** `IGVM_VHS_RELOCATABLE_REGION` (type 0x102, 48 bytes). */
export interface RelocatableRegion {
  readonly type: "RelocatableRegion";
  readonly compatibilityMask: number;
  readonly relocationAlignment: bigint;
  readonly relocationRegionGpa: bigint;
  readonly relocationRegionSize: bigint;
  readonly minimumRelocationGpa: bigint;
  readonly maximumRelocationGpa: bigint;
  readonly isVtl2: boolean;
  readonly applyRipOffset: boolean;
  readonly applyGdtrOffset: boolean;
  readonly vpIndex: number;
  readonly vtl: number;
}

/** `IGVM_VHS_PAGE_TABLE_RELOCATION` (type 0x103, 32 bytes). */
export interface PageTableRelocationRegion {
  readonly type: "PageTableRelocationRegion";
  readonly compatibilityMask: number;
  readonly gpa: bigint;
  readonly size: bigint;
  readonly usedSize: bigint;
  readonly vpIndex: number;
  readonly vtl: number;
}

/** `IGVM_VHS_CORIM_DATA` as a CoRIM document (type 0x104) or its COSE_Sign1 signature (0x105). */
export interface CorimData {
  readonly type: "CorimDocument" | "CorimSignature";
  readonly compatibilityMask: number;
  /** The document or signature bytes; `null` when file_offset is 0. */
  readonly data: Payload | null;
}

/** An initialization header. */
export type InitializationHeader =
  | GuestPolicy
  | CcaPolicy
  | RelocatableRegion
  | PageTableRelocationRegion
  | CorimData;

/** `IGVM_VHS_PAGE_DATA` (type 0x302, 24 bytes). */
export interface PageData {
  readonly type: "PageData";
  readonly gpa: bigint;
  readonly compatibilityMask: number;
  /** `IgvmPageDataFlags` bits (is_2mb_page, unmeasured, shared, reserved). */
  readonly flags: number;
  /** `IgvmPageDataType`. */
  readonly dataType: number;
  /** 4 KiB of page data, or `null` for a page without data (file_offset 0). */
  readonly data: Payload | null;
}

/** `IGVM_VHS_PARAMETER_AREA` (type 0x301, 16 bytes). */
export interface ParameterArea {
  readonly type: "ParameterArea";
  readonly numberOfBytes: bigint;
  readonly parameterAreaIndex: number;
  /** Initial contents (`number_of_bytes` long), or `null` when file_offset is 0. */
  readonly initialData: Payload | null;
}

/** The parameter-usage directives, all `IGVM_VHS_PARAMETER` (8 bytes). */
export type ParameterKind =
  | "VpCount"
  | "EnvironmentInfo"
  | "Srat"
  | "Madt"
  | "Slit"
  | "Pptt"
  | "MmioRanges"
  | "MemoryMap"
  | "CommandLine"
  | "DeviceTree";

/** A parameter-usage directive: where in a parameter area the loader writes its data. */
export interface ParameterUsage {
  readonly type: ParameterKind;
  readonly parameterAreaIndex: number;
  readonly byteOffset: number;
}

/** `IGVM_VHS_REQUIRED_MEMORY` (type 0x305, 24 bytes). */
export interface RequiredMemory {
  readonly type: "RequiredMemory";
  readonly gpa: bigint;
  readonly compatibilityMask: number;
  readonly numberOfBytes: number;
  readonly vtl2Protectable: boolean;
}

/** An SNP or SEV-ES VP context: the 4 KiB VMSA page (type 0x304 on an SEV-SNP or SEV-ES mask). */
export interface SnpVpContext {
  readonly type: "SnpVpContext";
  readonly gpa: bigint;
  readonly compatibilityMask: number;
  readonly vpIndex: number;
  /** The 4096-byte VMSA. */
  readonly vmsa: Payload;
}

/** An x64 native VP context (`IgvmNativeVpContextX64`, 232 bytes; NATIVE or SEV masks). */
export interface X64NativeVpContext {
  readonly type: "X64NativeVpContext";
  readonly compatibilityMask: number;
  readonly vpIndex: number;
  /** The 232-byte context. */
  readonly context: Uint8Array;
}

/** One `VbsVpContextRegister` (32 bytes): vtl, register name, 16-byte value. */
export interface VbsRegister {
  readonly name: number;
  /** The 16-byte register value as stored. */
  readonly value: Uint8Array;
}

/** A VBS VP context for the BSP (VSM_ISOLATION mask), x64 or AArch64 registers. */
export interface VbsVpContext {
  readonly type: "X64VbsVpContext" | "AArch64VbsVpContext";
  readonly vtl: number;
  readonly registers: readonly VbsRegister[];
  readonly compatibilityMask: number;
}

/** An AArch64 CCA VP context (`IgvmVpContextAArch64Cca`, 80 bytes). */
export interface AArch64CcaVpContext {
  readonly type: "AArch64CcaVpContext";
  readonly compatibilityMask: number;
  readonly vpIndex: number;
  readonly context: Uint8Array;
}

/** `IGVM_VHS_PARAMETER_INSERT` (type 0x303, 16 bytes). */
export interface ParameterInsert {
  readonly type: "ParameterInsert";
  readonly gpa: bigint;
  readonly compatibilityMask: number;
  readonly parameterAreaIndex: number;
}

/** `IGVM_VHS_ERROR_RANGE` (type 0x30D, 16 bytes). */
export interface ErrorRange {
  readonly type: "ErrorRange";
  readonly gpa: bigint;
  readonly compatibilityMask: number;
  readonly sizeBytes: number;
}

/** `IGVM_VHS_SNP_ID_BLOCK` (type 0x30B, 696 bytes); layout in `id_block_header.ts`. */
export interface SnpIdBlock {
  readonly type: "SnpIdBlock";
  readonly compatibilityMask: number;
  readonly authorKeyEnabled: number;
  /** The 3 reserved bytes after author_key_enabled, kept as read. */
  readonly reserved: Uint8Array;
  readonly ld: Uint8Array;
  readonly familyId: Uint8Array;
  readonly imageId: Uint8Array;
  readonly version: number;
  readonly guestSvn: number;
  readonly idKeyAlgorithm: number;
  readonly authorKeyAlgorithm: number;
  /** `IGVM_VHS_SNP_ID_BLOCK_SIGNATURE`: r[72], s[72], little-endian. */
  readonly idKeySignature: Uint8Array;
  /** `IGVM_VHS_SNP_ID_BLOCK_PUBLIC_KEY`: curve u32, reserved u32, qx[72], qy[72]. */
  readonly idPublicKey: Uint8Array;
  readonly authorKeySignature: Uint8Array;
  readonly authorPublicKey: Uint8Array;
}

/** `IGVM_VHS_VBS_MEASUREMENT` (type 0x311, 864 bytes). */
export interface VbsMeasurement {
  readonly type: "VbsMeasurement";
  readonly compatibilityMask: number;
  readonly version: number;
  readonly productId: number;
  readonly moduleId: number;
  readonly securityVersion: number;
  readonly policyFlags: number;
  readonly bootDigestAlgo: number;
  readonly signingAlgo: number;
  readonly bootMeasurementDigest: Uint8Array;
  readonly signature: Uint8Array;
  readonly publicKey: Uint8Array;
}

/** A directive header. */
export type DirectiveHeader =
  | PageData
  | ParameterArea
  | ParameterUsage
  | RequiredMemory
  | SnpVpContext
  | X64NativeVpContext
  | VbsVpContext
  | AArch64CcaVpContext
  | ParameterInsert
  | ErrorRange
  | SnpIdBlock
  | VbsMeasurement;

/** A parsed (or built) IGVM file. */
export interface IgvmFile {
  readonly revision: IgvmRevision;
  readonly platforms: readonly PlatformHeader[];
  readonly initializations: readonly InitializationHeader[];
  readonly directives: readonly DirectiveHeader[];
  /** The file the {@link FileRange} payloads refer to, if any. */
  readonly source?: IgvmSource;
}
