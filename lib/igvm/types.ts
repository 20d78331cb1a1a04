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
import type { DirectiveHeader } from "./directive_types.ts";
import type { IgvmSource, Payload } from "./source.ts";

export type * from "./directive_types.ts";
export type { FileRange, IgvmSource, Payload } from "./source.ts";

/**
 * Format revision: version 1 (x64, 4 KiB pages) or version 2 (architecture, page size).
 */
export type IgvmRevision =
  | { readonly version: 1 }
  | { readonly version: 2; readonly arch: Arch; readonly pageSize: number };

/**
 * `IGVM_VHS_SUPPORTED_PLATFORM` (type 0x1, 16 bytes).
 */
export interface SupportedPlatform {
  /** Discriminant: which structure this is. */
  readonly type: "SupportedPlatform";
  /** The one bit that stands for this platform in the other headers' compatibility masks. */
  readonly compatibilityMask: number;
  /** Highest virtual trust level the guest uses on this platform. */
  readonly highestVtl: number;
  /** `IgvmPlatformType`: 1 VSM isolation, 2 SEV-SNP, 3 TDX, 4 SEV, 5 SEV-ES, 0xFF native. */
  readonly platformType: number;
  /** Version of the platform's IGVM definition (1). */
  readonly platformVersion: number;
  /** GPA at or above which memory is shared with the host (0: none). */
  readonly sharedGpaBoundary: bigint;
}

/**
 * A platform header.
 */
export type PlatformHeader = SupportedPlatform;

/**
 * `IGVM_VHS_GUEST_POLICY` (type 0x101, 16 bytes).
 */
export interface GuestPolicy {
  /** Discriminant: which structure this is. */
  readonly type: "GuestPolicy";
  /** The 64-bit guest policy (for SEV-SNP the `SNP_LAUNCH_START` policy). */
  readonly policy: bigint;
  /** The platforms (bits of their `compatibility_mask`) this header applies to. */
  readonly compatibilityMask: number;
}

/**
 * `IGVM_VHS_CCA_POLICY` (type 0x106, 32 bytes).
 */
export interface CcaPolicy {
  /** Discriminant: which structure this is. */
  readonly type: "CcaPolicy";
  /** The platforms (bits of their `compatibility_mask`) this header applies to. */
  readonly compatibilityMask: number;
  /** Realm attributes that must be 0. */
  readonly attributesRequiredZeroes: bigint;
  /** Realm attributes that must be 1. */
  readonly attributesRequiredOnes: bigint;
  /** Measurement hash algorithm. */
  readonly hashAlgorithm: number;
  /** Local firmware attestation policy. */
  readonly lfaPolicy: number;
}

/**
 * `IGVM_VHS_RELOCATABLE_REGION` (type 0x102, 48 bytes).
 */
export interface RelocatableRegion {
  /** Discriminant: which structure this is. */
  readonly type: "RelocatableRegion";
  /** The platforms (bits of their `compatibility_mask`) this header applies to. */
  readonly compatibilityMask: number;
  /** Alignment the relocated region keeps, in bytes. */
  readonly relocationAlignment: bigint;
  /** Default (unrelocated) GPA of the region. */
  readonly relocationRegionGpa: bigint;
  /** Size of the region in bytes. */
  readonly relocationRegionSize: bigint;
  /** Lowest GPA the region may be moved to. */
  readonly minimumRelocationGpa: bigint;
  /** Highest GPA the region may be moved to. */
  readonly maximumRelocationGpa: bigint;
  /** Whether the region belongs to VTL2. */
  readonly isVtl2: boolean;
  /** Whether the loader adds the relocation offset to the VP's RIP. */
  readonly applyRipOffset: boolean;
  /** Whether the loader adds the relocation offset to the VP's GDTR base. */
  readonly applyGdtrOffset: boolean;
  /** Index of the virtual processor. */
  readonly vpIndex: number;
  /** Virtual trust level. */
  readonly vtl: number;
}

/**
 * `IGVM_VHS_PAGE_TABLE_RELOCATION` (type 0x103, 32 bytes).
 */
export interface PageTableRelocationRegion {
  /** Discriminant: which structure this is. */
  readonly type: "PageTableRelocationRegion";
  /** The platforms (bits of their `compatibility_mask`) this header applies to. */
  readonly compatibilityMask: number;
  /** GPA of the page-table region. */
  readonly gpa: bigint;
  /** Size of the page-table region in bytes. */
  readonly size: bigint;
  /** Bytes of the region the initial page tables use. */
  readonly usedSize: bigint;
  /** Index of the virtual processor. */
  readonly vpIndex: number;
  /** Virtual trust level. */
  readonly vtl: number;
}

/**
 * `IGVM_VHS_CORIM_DATA` as a CoRIM document (type 0x104) or its COSE_Sign1 signature (0x105).
 */
export interface CorimData {
  /** Discriminant: which structure this is. */
  readonly type: "CorimDocument" | "CorimSignature";
  /** The platforms (bits of their `compatibility_mask`) this header applies to. */
  readonly compatibilityMask: number;
  /** The document or signature bytes; `null` when file_offset is 0. */
  readonly data: Payload | null;
}

/**
 * An initialization header.
 */
export type InitializationHeader =
  | GuestPolicy
  | CcaPolicy
  | RelocatableRegion
  | PageTableRelocationRegion
  | CorimData;

/**
 * A parsed (or built) IGVM file.
 */
export interface IgvmFile {
  /** Format revision of the file. */
  readonly revision: IgvmRevision;
  /** Platform headers (which platforms the file supports). */
  readonly platforms: readonly PlatformHeader[];
  /** Initialization headers (guest policy, relocation, CoRIM data, ...). */
  readonly initializations: readonly InitializationHeader[];
  /** Directive headers (pages, VP contexts, parameters, ...), in load order. */
  readonly directives: readonly DirectiveHeader[];
  /** The file the {@link FileRange} payloads refer to, if any. */
  readonly source?: IgvmSource;
}
