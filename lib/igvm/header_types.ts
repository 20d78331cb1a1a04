/**
 * Which variable-header type each header of the model is written as, and which
 * structure (`structs.ts`) it has on disk: one record per model type. The
 * parser finds a type's structure (and so the length it must have) here, and
 * the serializer a header's type and size.
 *
 * @module
 */

import { HeaderType } from "./defs.ts";
import type { Struct } from "./layout.ts";
import {
  IGVM_VHS_CCA_POLICY,
  IGVM_VHS_CORIM_DATA,
  IGVM_VHS_ERROR_RANGE,
  IGVM_VHS_GUEST_POLICY,
  IGVM_VHS_PAGE_DATA,
  IGVM_VHS_PAGE_TABLE_RELOCATION,
  IGVM_VHS_PARAMETER,
  IGVM_VHS_PARAMETER_AREA,
  IGVM_VHS_PARAMETER_INSERT,
  IGVM_VHS_RELOCATABLE_REGION,
  IGVM_VHS_REQUIRED_MEMORY,
  IGVM_VHS_SNP_ID_BLOCK,
  IGVM_VHS_SUPPORTED_PLATFORM,
  IGVM_VHS_VBS_MEASUREMENT,
  IGVM_VHS_VP_CONTEXT,
} from "./structs.ts";
import type {
  DirectiveHeader,
  InitializationHeader,
  ParameterKind,
  PlatformHeader,
} from "./types.ts";

/** The `type` of every header of the model. */
export type ModelType = (PlatformHeader | InitializationHeader | DirectiveHeader)["type"];

/** How one model type is stored: its variable-header type and its structure. */
export interface HeaderRecord {
  /** `IgvmVariableHeaderType`. */
  readonly type: number;
  /** The structure after the 8-byte prefix. */
  readonly struct: Struct;
}

/**
 * Every model type's header type and structure. (The VP contexts share one
 * header type: the platform of their compatibility mask tells them apart.)
 *
 * @example
 * ```ts
 * import { HEADERS } from "./header_types.ts";
 * HEADERS.PageData.struct.size; // 24
 * ```
 */
export const HEADERS: { readonly [K in ModelType]: HeaderRecord } = {
  SupportedPlatform: { type: HeaderType.SUPPORTED_PLATFORM, struct: IGVM_VHS_SUPPORTED_PLATFORM },
  GuestPolicy: { type: HeaderType.GUEST_POLICY, struct: IGVM_VHS_GUEST_POLICY },
  RelocatableRegion: { type: HeaderType.RELOCATABLE_REGION, struct: IGVM_VHS_RELOCATABLE_REGION },
  PageTableRelocationRegion: {
    type: HeaderType.PAGE_TABLE_RELOCATION_REGION,
    struct: IGVM_VHS_PAGE_TABLE_RELOCATION,
  },
  CorimDocument: { type: HeaderType.CORIM_DOCUMENT, struct: IGVM_VHS_CORIM_DATA },
  CorimSignature: { type: HeaderType.CORIM_SIGNATURE, struct: IGVM_VHS_CORIM_DATA },
  CcaPolicy: { type: HeaderType.CCA_POLICY, struct: IGVM_VHS_CCA_POLICY },
  ParameterArea: { type: HeaderType.PARAMETER_AREA, struct: IGVM_VHS_PARAMETER_AREA },
  PageData: { type: HeaderType.PAGE_DATA, struct: IGVM_VHS_PAGE_DATA },
  ParameterInsert: { type: HeaderType.PARAMETER_INSERT, struct: IGVM_VHS_PARAMETER_INSERT },
  SnpVpContext: { type: HeaderType.VP_CONTEXT, struct: IGVM_VHS_VP_CONTEXT },
  X64NativeVpContext: { type: HeaderType.VP_CONTEXT, struct: IGVM_VHS_VP_CONTEXT },
  X64VbsVpContext: { type: HeaderType.VP_CONTEXT, struct: IGVM_VHS_VP_CONTEXT },
  AArch64VbsVpContext: { type: HeaderType.VP_CONTEXT, struct: IGVM_VHS_VP_CONTEXT },
  AArch64CcaVpContext: { type: HeaderType.VP_CONTEXT, struct: IGVM_VHS_VP_CONTEXT },
  RequiredMemory: { type: HeaderType.REQUIRED_MEMORY, struct: IGVM_VHS_REQUIRED_MEMORY },
  VpCount: { type: HeaderType.VP_COUNT_PARAMETER, struct: IGVM_VHS_PARAMETER },
  Srat: { type: HeaderType.SRAT, struct: IGVM_VHS_PARAMETER },
  Madt: { type: HeaderType.MADT, struct: IGVM_VHS_PARAMETER },
  MmioRanges: { type: HeaderType.MMIO_RANGES, struct: IGVM_VHS_PARAMETER },
  SnpIdBlock: { type: HeaderType.SNP_ID_BLOCK, struct: IGVM_VHS_SNP_ID_BLOCK },
  MemoryMap: { type: HeaderType.MEMORY_MAP, struct: IGVM_VHS_PARAMETER },
  ErrorRange: { type: HeaderType.ERROR_RANGE, struct: IGVM_VHS_ERROR_RANGE },
  CommandLine: { type: HeaderType.COMMAND_LINE, struct: IGVM_VHS_PARAMETER },
  Slit: { type: HeaderType.SLIT, struct: IGVM_VHS_PARAMETER },
  Pptt: { type: HeaderType.PPTT, struct: IGVM_VHS_PARAMETER },
  VbsMeasurement: { type: HeaderType.VBS_MEASUREMENT, struct: IGVM_VHS_VBS_MEASUREMENT },
  DeviceTree: { type: HeaderType.DEVICE_TREE, struct: IGVM_VHS_PARAMETER },
  EnvironmentInfo: { type: HeaderType.ENVIRONMENT_INFO_PARAMETER, struct: IGVM_VHS_PARAMETER },
};

/** Header types that igvm 0.4.0 (built without features, as the original igvmmeasure links it) lacks. */
const NOT_IN_0_4_0: ReadonlySet<number> = new Set([
  HeaderType.CORIM_DOCUMENT,
  HeaderType.CORIM_SIGNATURE,
  HeaderType.CCA_POLICY,
]);

const STRUCT_OF_TYPE: ReadonlyMap<number, Struct> = new Map(
  Object.values(HEADERS).map((r) => [r.type, r.struct]),
);

/**
 * The structure of variable-header type `type`, or undefined for a type the
 * crate does not define (with `legacy`, igvm 0.4.0's set).
 *
 * @example
 * ```ts
 * import { HeaderType } from "./defs.ts";
 * import { structOfType } from "./header_types.ts";
 * structOfType(HeaderType.GUEST_POLICY)?.size; // 16
 * structOfType(HeaderType.CORIM_DOCUMENT, true); // undefined
 * ```
 */
export function structOfType(type: number, legacy = false): Struct | undefined {
  if (legacy && NOT_IN_0_4_0.has(type)) return undefined;
  return STRUCT_OF_TYPE.get(type);
}

/**
 * Parameter-usage header types (`IGVM_VHS_PARAMETER`) and their model names.
 *
 * @example
 * ```ts
 * import { HeaderType } from "./defs.ts";
 * import { PARAMETER_KINDS } from "./header_types.ts";
 * PARAMETER_KINDS.get(HeaderType.SRAT); // "Srat"
 * ```
 */
export const PARAMETER_KINDS: ReadonlyMap<number, ParameterKind> = new Map(
  (Object.entries(HEADERS) as [ModelType, HeaderRecord][])
    .filter(([, r]) => r.struct === IGVM_VHS_PARAMETER)
    .map(([kind, r]) => [r.type, kind as ParameterKind]),
);
