/**
 * The directive headers of the IGVM model (microsoft/igvm
 * `IgvmDirectiveHeader`), one named type per on-disk structure with its size.
 * Re-exported by `types.ts`.
 *
 * @module
 */

import type { Payload } from "./source.ts";

/**
 * `IGVM_VHS_PAGE_DATA` (type 0x302, 24 bytes).
 */
export interface PageData {
  /** Discriminant: which structure this is. */
  readonly type: "PageData";
  /** Guest physical address. */
  readonly gpa: bigint;
  /** The platforms (bits of their `compatibility_mask`) this header applies to. */
  readonly compatibilityMask: number;
  /** `IgvmPageDataFlags` bits (is_2mb_page, unmeasured, shared, reserved). */
  readonly flags: number;
  /** `IgvmPageDataType`. */
  readonly dataType: number;
  /** 4 KiB of page data, or `null` for a page without data (file_offset 0). */
  readonly data: Payload | null;
}

/**
 * `IGVM_VHS_PARAMETER_AREA` (type 0x301, 16 bytes).
 */
export interface ParameterArea {
  /** Discriminant: which structure this is. */
  readonly type: "ParameterArea";
  /** Size of the parameter area in bytes. */
  readonly numberOfBytes: bigint;
  /** Index of the parameter area. */
  readonly parameterAreaIndex: number;
  /** Initial contents (`number_of_bytes` long), or `null` when file_offset is 0. */
  readonly initialData: Payload | null;
}

/**
 * The parameter-usage directives, all `IGVM_VHS_PARAMETER` (8 bytes).
 */
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

/**
 * A parameter-usage directive: where in a parameter area the loader writes its data.
 */
export interface ParameterUsage {
  /** Discriminant: which structure this is. */
  readonly type: ParameterKind;
  /** Index of the parameter area. */
  readonly parameterAreaIndex: number;
  /** Offset in the parameter area where the loader writes the data. */
  readonly byteOffset: number;
}

/**
 * `IGVM_VHS_REQUIRED_MEMORY` (type 0x305, 24 bytes).
 */
export interface RequiredMemory {
  /** Discriminant: which structure this is. */
  readonly type: "RequiredMemory";
  /** Guest physical address. */
  readonly gpa: bigint;
  /** The platforms (bits of their `compatibility_mask`) this header applies to. */
  readonly compatibilityMask: number;
  /** Size of the required memory in bytes. */
  readonly numberOfBytes: number;
  /** Whether VTL2 may protect this memory. */
  readonly vtl2Protectable: boolean;
}

/**
 * An SNP or SEV-ES VP context: the 4 KiB VMSA page (type 0x304 on an SEV-SNP or SEV-ES mask).
 */
export interface SnpVpContext {
  /** Discriminant: which structure this is. */
  readonly type: "SnpVpContext";
  /** Guest physical address. */
  readonly gpa: bigint;
  /** The platforms (bits of their `compatibility_mask`) this header applies to. */
  readonly compatibilityMask: number;
  /** Index of the virtual processor. */
  readonly vpIndex: number;
  /** The 4096-byte VMSA. */
  readonly vmsa: Payload;
}

/**
 * An x64 native VP context (`IgvmNativeVpContextX64`, 232 bytes; NATIVE or SEV masks).
 */
export interface X64NativeVpContext {
  /** Discriminant: which structure this is. */
  readonly type: "X64NativeVpContext";
  /** The platforms (bits of their `compatibility_mask`) this header applies to. */
  readonly compatibilityMask: number;
  /** Index of the virtual processor. */
  readonly vpIndex: number;
  /** The 232-byte context. */
  readonly context: Uint8Array;
}

/**
 * One `VbsVpContextRegister` (32 bytes): vtl, register name, 16-byte value.
 */
export interface VbsRegister {
  /** Register name (`HvRegisterName` value). */
  readonly name: number;
  /** The 16-byte register value as stored. */
  readonly value: Uint8Array;
}

/**
 * A VBS VP context for the BSP (VSM_ISOLATION mask), x64 or AArch64 registers.
 */
export interface VbsVpContext {
  /** Discriminant: which structure this is. */
  readonly type: "X64VbsVpContext" | "AArch64VbsVpContext";
  /** VTL these registers are for. */
  readonly vtl: number;
  /** The registers, in file order. */
  readonly registers: readonly VbsRegister[];
  /** The platforms (bits of their `compatibility_mask`) this header applies to. */
  readonly compatibilityMask: number;
}

/**
 * An AArch64 CCA VP context (`IgvmVpContextAArch64Cca`, 80 bytes).
 */
export interface AArch64CcaVpContext {
  /** Discriminant: which structure this is. */
  readonly type: "AArch64CcaVpContext";
  /** The platforms (bits of their `compatibility_mask`) this header applies to. */
  readonly compatibilityMask: number;
  /** Index of the virtual processor. */
  readonly vpIndex: number;
  /** The 80-byte context. */
  readonly context: Uint8Array;
}

/**
 * `IGVM_VHS_PARAMETER_INSERT` (type 0x303, 16 bytes).
 */
export interface ParameterInsert {
  /** Discriminant: which structure this is. */
  readonly type: "ParameterInsert";
  /** Guest physical address. */
  readonly gpa: bigint;
  /** The platforms (bits of their `compatibility_mask`) this header applies to. */
  readonly compatibilityMask: number;
  /** Index of the parameter area. */
  readonly parameterAreaIndex: number;
}

/**
 * `IGVM_VHS_ERROR_RANGE` (type 0x30D, 16 bytes).
 */
export interface ErrorRange {
  /** Discriminant: which structure this is. */
  readonly type: "ErrorRange";
  /** Guest physical address. */
  readonly gpa: bigint;
  /** The platforms (bits of their `compatibility_mask`) this header applies to. */
  readonly compatibilityMask: number;
  /** Size of the error range in bytes. */
  readonly sizeBytes: number;
}

/**
 * `IGVM_VHS_SNP_ID_BLOCK` (type 0x30B, 696 bytes; layout in `structs.ts`).
 */
export interface SnpIdBlock {
  /** Discriminant: which structure this is. */
  readonly type: "SnpIdBlock";
  /** The platforms (bits of their `compatibility_mask`) this header applies to. */
  readonly compatibilityMask: number;
  /** 1 when the author key fields are used, else 0. */
  readonly authorKeyEnabled: number;
  /** The 3 reserved bytes after author_key_enabled, kept as read. */
  readonly reserved: Uint8Array;
  /** The expected launch digest (48 bytes). */
  readonly ld: Uint8Array;
  /** Family ID (16 bytes). */
  readonly familyId: Uint8Array;
  /** Image ID (16 bytes). */
  readonly imageId: Uint8Array;
  /** ID block version (1). */
  readonly version: number;
  /** Guest security version number. */
  readonly guestSvn: number;
  /** Signature algorithm of the ID key (1: ECDSA P-384 with SHA-384). */
  readonly idKeyAlgorithm: number;
  /** Signature algorithm of the author key (1: ECDSA P-384 with SHA-384). */
  readonly authorKeyAlgorithm: number;
  /** `IGVM_VHS_SNP_ID_BLOCK_SIGNATURE`: r[72], s[72], little-endian. */
  readonly idKeySignature: Uint8Array;
  /** `IGVM_VHS_SNP_ID_BLOCK_PUBLIC_KEY`: curve u32, reserved u32, qx[72], qy[72]. */
  readonly idPublicKey: Uint8Array;
  /** `IGVM_VHS_SNP_ID_BLOCK_SIGNATURE` of the ID public key by the author key. */
  readonly authorKeySignature: Uint8Array;
  /** `IGVM_VHS_SNP_ID_BLOCK_PUBLIC_KEY` of the author key. */
  readonly authorPublicKey: Uint8Array;
}

/**
 * `IGVM_VHS_VBS_MEASUREMENT` (type 0x311, 864 bytes).
 */
export interface VbsMeasurement {
  /** Discriminant: which structure this is. */
  readonly type: "VbsMeasurement";
  /** The platforms (bits of their `compatibility_mask`) this header applies to. */
  readonly compatibilityMask: number;
  /** Structure version. */
  readonly version: number;
  /** Product ID. */
  readonly productId: number;
  /** Module ID. */
  readonly moduleId: number;
  /** Security version number. */
  readonly securityVersion: number;
  /** VBS policy flags. */
  readonly policyFlags: number;
  /** Hash algorithm of the boot measurement digest. */
  readonly bootDigestAlgo: number;
  /** Signature algorithm. */
  readonly signingAlgo: number;
  /** The boot measurement digest. */
  readonly bootMeasurementDigest: Uint8Array;
  /** Signature over the measurement. */
  readonly signature: Uint8Array;
  /** Public key of the signer. */
  readonly publicKey: Uint8Array;
}

/**
 * A directive header.
 */
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

/**
 * The directive header of type `T` (for a parameter kind such as `VpCount`,
 * the parameter-usage header that carries it).
 */
export type DirectiveOf<T extends DirectiveHeader["type"]> = DirectiveHeader extends infer D
  ? D extends { readonly type: infer U } ? T extends U ? D : never : never
  : never;
