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

/**
 * Random access to the bytes of an IGVM file.
 *
 * @example
 * ```ts
 * import { bytesSource, type IgvmSource, parseIgvm } from "../mod.ts";
 * const source: IgvmSource = bytesSource(await Deno.readFile("testdata/sample.igvm"));
 * const magic = new TextDecoder().decode(source.read(0, 4)); // "IGVM"
 * const file = parseIgvm(source);
 * console.log(magic, source.size, file.directives.length);
 * ```
 */
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

/**
 * A byte range of the source file the header was parsed from.
 *
 * @example
 * ```ts
 * import { type FileRange, parseIgvm } from "../mod.ts";
 * const file = parseIgvm(await Deno.readFile("testdata/sample.igvm"));
 * for (const d of file.directives) {
 *   if (d.type === "PageData" && d.data !== null && !(d.data instanceof Uint8Array)) {
 *     const range: FileRange = d.data;
 *     console.log(range.offset, range.length);
 *   }
 * }
 * ```
 */
export interface FileRange {
  /** Absolute offset in the file. */
  readonly offset: number;
  /** Length in bytes. */
  readonly length: number;
}

/**
 * Data of a header: a range of the source file, or bytes in hand.
 *
 * @example
 * ```ts
 * import { parseIgvm, type Payload, readPayload } from "../mod.ts";
 * const file = parseIgvm(await Deno.readFile("testdata/sample.igvm"));
 * for (const d of file.directives) {
 *   if (d.type === "PageData" && d.data !== null) {
 *     const payload: Payload = d.data;
 *     const bytes = readPayload(payload, file.source); // 4096 bytes
 *     console.log(d.gpa, bytes.length);
 *   }
 * }
 * ```
 */
export type Payload = FileRange | Uint8Array;

/**
 * Format revision: version 1 (x64, 4 KiB pages) or version 2 (architecture, page size).
 *
 * @example
 * ```ts
 * import { type IgvmRevision, parseIgvm } from "../mod.ts";
 * const file = parseIgvm(await Deno.readFile("testdata/sample.igvm"));
 * const revision: IgvmRevision = file.revision;
 * console.log(revision.version === 2 ? `v2, ${revision.pageSize}-byte pages` : "v1");
 * ```
 */
export type IgvmRevision =
  | { readonly version: 1 }
  | { readonly version: 2; readonly arch: Arch; readonly pageSize: number };

/**
 * `IGVM_VHS_SUPPORTED_PLATFORM` (type 0x1, 16 bytes).
 *
 * @example
 * ```ts
 * import { parseIgvm, type SupportedPlatform } from "../mod.ts";
 * const file = parseIgvm(await Deno.readFile("testdata/sample.igvm"));
 * const found = file.platforms.filter((h): h is SupportedPlatform => h.type === "SupportedPlatform");
 * console.log(found.length, found.map((p) => p.compatibilityMask));
 * ```
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
 *
 * @example
 * ```ts
 * import { parseIgvm, type PlatformHeader } from "../mod.ts";
 * const file = parseIgvm(await Deno.readFile("testdata/sample.igvm"));
 * const platforms: readonly PlatformHeader[] = file.platforms;
 * console.log(platforms.map((p) => p.platformType));
 * ```
 */
export type PlatformHeader = SupportedPlatform;

/**
 * `IGVM_VHS_GUEST_POLICY` (type 0x101, 16 bytes).
 *
 * @example
 * ```ts
 * import { parseIgvm, type GuestPolicy } from "../mod.ts";
 * const file = parseIgvm(await Deno.readFile("testdata/sample.igvm"));
 * const found = file.initializations.filter((h): h is GuestPolicy => h.type === "GuestPolicy");
 * console.log(found.length, found.map((p) => p.policy.toString(16)));
 * ```
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
 *
 * @example
 * ```ts
 * import { parseIgvm, type CcaPolicy } from "../mod.ts";
 * const file = parseIgvm(await Deno.readFile("testdata/sample.igvm"));
 * const found = file.initializations.filter((h): h is CcaPolicy => h.type === "CcaPolicy");
 * console.log(found.length);
 * ```
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
 *
 * @example
 * ```ts
 * import { parseIgvm, type RelocatableRegion } from "../mod.ts";
 * const file = parseIgvm(await Deno.readFile("testdata/sample.igvm"));
 * const found = file.initializations.filter((h): h is RelocatableRegion => h.type === "RelocatableRegion");
 * console.log(found.length);
 * ```
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
 *
 * @example
 * ```ts
 * import { parseIgvm, type PageTableRelocationRegion } from "../mod.ts";
 * const file = parseIgvm(await Deno.readFile("testdata/sample.igvm"));
 * const found = file.initializations.filter((h): h is PageTableRelocationRegion => h.type === "PageTableRelocationRegion");
 * console.log(found.length);
 * ```
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
 *
 * @example
 * ```ts
 * import { parseIgvm, type CorimData } from "../mod.ts";
 * const file = parseIgvm(await Deno.readFile("testdata/sample.igvm"));
 * const found = file.initializations.filter((h): h is CorimData => h.type === "CorimDocument" || h.type === "CorimSignature");
 * console.log(found.length);
 * ```
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
 *
 * @example
 * ```ts
 * import { type InitializationHeader, parseIgvm } from "../mod.ts";
 * const file = parseIgvm(await Deno.readFile("testdata/sample.igvm"));
 * const inits: readonly InitializationHeader[] = file.initializations;
 * console.log(inits.map((h) => h.type));
 * ```
 */
export type InitializationHeader =
  | GuestPolicy
  | CcaPolicy
  | RelocatableRegion
  | PageTableRelocationRegion
  | CorimData;

/**
 * `IGVM_VHS_PAGE_DATA` (type 0x302, 24 bytes).
 *
 * @example
 * ```ts
 * import { parseIgvm, type PageData } from "../mod.ts";
 * const file = parseIgvm(await Deno.readFile("testdata/sample.igvm"));
 * const found = file.directives.filter((h): h is PageData => h.type === "PageData");
 * console.log(found.length, found.map((p) => p.gpa));
 * ```
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
 *
 * @example
 * ```ts
 * import { parseIgvm, type ParameterArea } from "../mod.ts";
 * const file = parseIgvm(await Deno.readFile("testdata/sample.igvm"));
 * const found = file.directives.filter((h): h is ParameterArea => h.type === "ParameterArea");
 * console.log(found.length);
 * ```
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
 *
 * @example
 * ```ts
 * import { type ParameterKind, parseIgvm } from "../mod.ts";
 * const file = parseIgvm(await Deno.readFile("testdata/sample.igvm"));
 * const kinds: ParameterKind[] = ["VpCount", "EnvironmentInfo", "Srat", "Madt", "Slit", "Pptt",
 *   "MmioRanges", "MemoryMap", "CommandLine", "DeviceTree"];
 * console.log(file.directives.filter((d) => (kinds as string[]).includes(d.type)).length);
 * ```
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
 *
 * @example
 * ```ts
 * import { type ParameterKind, parseIgvm, type ParameterUsage } from "../mod.ts";
 * const file = parseIgvm(await Deno.readFile("testdata/sample.igvm"));
 * const kinds: string[] = ["VpCount", "EnvironmentInfo", "Srat", "Madt", "Slit", "Pptt",
 *   "MmioRanges", "MemoryMap", "CommandLine", "DeviceTree"] satisfies ParameterKind[];
 * const usages = file.directives.filter((d): d is ParameterUsage => kinds.includes(d.type));
 * console.log(usages.map((u) => `${u.type}@${u.parameterAreaIndex}+${u.byteOffset}`));
 * ```
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
 *
 * @example
 * ```ts
 * import { parseIgvm, type RequiredMemory } from "../mod.ts";
 * const file = parseIgvm(await Deno.readFile("testdata/sample.igvm"));
 * const found = file.directives.filter((h): h is RequiredMemory => h.type === "RequiredMemory");
 * console.log(found.length);
 * ```
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
 *
 * @example
 * ```ts
 * import { parseIgvm, type SnpVpContext } from "../mod.ts";
 * const file = parseIgvm(await Deno.readFile("testdata/sample.igvm"));
 * const found = file.directives.filter((h): h is SnpVpContext => h.type === "SnpVpContext");
 * console.log(found.length, found.map((v) => v.gpa));
 * ```
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
 *
 * @example
 * ```ts
 * import { parseIgvm, type X64NativeVpContext } from "../mod.ts";
 * const file = parseIgvm(await Deno.readFile("testdata/sample.igvm"));
 * const found = file.directives.filter((h): h is X64NativeVpContext => h.type === "X64NativeVpContext");
 * console.log(found.length);
 * ```
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
 *
 * @example
 * ```ts
 * import { parseIgvm, type VbsRegister } from "../mod.ts";
 * const file = parseIgvm(await Deno.readFile("testdata/sample.igvm"));
 * const registers: VbsRegister[] = file.directives.flatMap((d) =>
 *   d.type === "X64VbsVpContext" || d.type === "AArch64VbsVpContext" ? [...d.registers] : []
 * );
 * console.log(registers.length);
 * ```
 */
export interface VbsRegister {
  /** Register name (`HvRegisterName` value). */
  readonly name: number;
  /** The 16-byte register value as stored. */
  readonly value: Uint8Array;
}

/**
 * A VBS VP context for the BSP (VSM_ISOLATION mask), x64 or AArch64 registers.
 *
 * @example
 * ```ts
 * import { parseIgvm, type VbsVpContext } from "../mod.ts";
 * const file = parseIgvm(await Deno.readFile("testdata/sample.igvm"));
 * const found = file.directives.filter((h): h is VbsVpContext => h.type === "X64VbsVpContext" || h.type === "AArch64VbsVpContext");
 * console.log(found.length);
 * ```
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
 *
 * @example
 * ```ts
 * import { parseIgvm, type AArch64CcaVpContext } from "../mod.ts";
 * const file = parseIgvm(await Deno.readFile("testdata/sample.igvm"));
 * const found = file.directives.filter((h): h is AArch64CcaVpContext => h.type === "AArch64CcaVpContext");
 * console.log(found.length);
 * ```
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
 *
 * @example
 * ```ts
 * import { parseIgvm, type ParameterInsert } from "../mod.ts";
 * const file = parseIgvm(await Deno.readFile("testdata/sample.igvm"));
 * const found = file.directives.filter((h): h is ParameterInsert => h.type === "ParameterInsert");
 * console.log(found.length);
 * ```
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
 *
 * @example
 * ```ts
 * import { parseIgvm, type ErrorRange } from "../mod.ts";
 * const file = parseIgvm(await Deno.readFile("testdata/sample.igvm"));
 * const found = file.directives.filter((h): h is ErrorRange => h.type === "ErrorRange");
 * console.log(found.length);
 * ```
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
 * `IGVM_VHS_SNP_ID_BLOCK` (type 0x30B, 696 bytes); layout in `id_block_header.ts`.
 *
 * @example
 * ```ts
 * import { parseIgvm, type SnpIdBlock } from "../mod.ts";
 * const file = parseIgvm(await Deno.readFile("testdata/sample.igvm"));
 * const found = file.directives.filter((h): h is SnpIdBlock => h.type === "SnpIdBlock");
 * console.log(found.length, found.map((b) => b.guestSvn));
 * ```
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
 *
 * @example
 * ```ts
 * import { parseIgvm, type VbsMeasurement } from "../mod.ts";
 * const file = parseIgvm(await Deno.readFile("testdata/sample.igvm"));
 * const found = file.directives.filter((h): h is VbsMeasurement => h.type === "VbsMeasurement");
 * console.log(found.length);
 * ```
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
 *
 * @example
 * ```ts
 * import { type DirectiveHeader, parseIgvm } from "../mod.ts";
 * const file = parseIgvm(await Deno.readFile("testdata/sample.igvm"));
 * const counts = new Map<DirectiveHeader["type"], number>();
 * for (const d of file.directives) counts.set(d.type, (counts.get(d.type) ?? 0) + 1);
 * console.log(counts);
 * ```
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
 * A parsed (or built) IGVM file.
 *
 * @example
 * ```ts
 * import { type IgvmFile, parseIgvm } from "../mod.ts";
 * const file: IgvmFile = parseIgvm(await Deno.readFile("testdata/sample.igvm"));
 * console.log(file.revision.version, file.platforms.length, file.initializations.length,
 *   file.directives.length);
 * ```
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
