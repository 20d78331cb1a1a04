/**
 * Decoding of directive headers (microsoft/igvm `igvm/src/lib.rs`,
 * `IgvmDirectiveHeader::new_from_binary_split` and its `validate`): the
 * parameter-usage headers, parameter areas, page data, parameter inserts,
 * VP contexts, required memory, SNP ID blocks, VBS measurements and error
 * ranges. The checks run in the crate's order, so a header with several
 * problems is refused for the same reason the crate gives.
 *
 * @module
 */

import { BodySize, HeaderType, PAGE_SIZE_4K, PageDataType } from "./defs.ts";
import { HeaderError } from "./format_error.ts";
import {
  ALIGN_4K,
  bytes,
  checkGpa,
  extractFileData,
  type HeaderBody,
  type HeaderContext,
  u16,
  u32,
  u64,
  u8,
} from "./header_body.ts";
import { parseVpContext } from "./vp_context_parser.ts";
import type { DirectiveHeader, ParameterKind } from "./types.ts";

/** Parameter-usage header types (`IGVM_VHS_PARAMETER`, 8 bytes) and their model names. */
export const PARAMETER_KINDS: ReadonlyMap<number, ParameterKind> = new Map<number, ParameterKind>([
  [HeaderType.VP_COUNT_PARAMETER, "VpCount"],
  [HeaderType.ENVIRONMENT_INFO_PARAMETER, "EnvironmentInfo"],
  [HeaderType.SRAT, "Srat"],
  [HeaderType.MADT, "Madt"],
  [HeaderType.SLIT, "Slit"],
  [HeaderType.PPTT, "Pptt"],
  [HeaderType.MMIO_RANGES, "MmioRanges"],
  [HeaderType.MEMORY_MAP, "MemoryMap"],
  [HeaderType.COMMAND_LINE, "CommandLine"],
  [HeaderType.DEVICE_TREE, "DeviceTree"],
]);

/**
 * Body size the crate requires for a directive type, or undefined if unknown.
 *
 * @example
 * ```ts
 * import { HeaderType } from "./defs.ts";
 * import { directiveBodySize } from "./directive_parser.ts";
 * directiveBodySize(HeaderType.PAGE_DATA); // 24
 * directiveBodySize(0x3ff); // undefined
 * ```
 */
export function directiveBodySize(type: number): number | undefined {
  if (PARAMETER_KINDS.has(type)) return BodySize.PARAMETER;
  switch (type) {
    case HeaderType.PARAMETER_AREA:
      return BodySize.PARAMETER_AREA;
    case HeaderType.PAGE_DATA:
      return BodySize.PAGE_DATA;
    case HeaderType.PARAMETER_INSERT:
      return BodySize.PARAMETER_INSERT;
    case HeaderType.VP_CONTEXT:
      return BodySize.VP_CONTEXT;
    case HeaderType.REQUIRED_MEMORY:
      return BodySize.REQUIRED_MEMORY;
    case HeaderType.SNP_ID_BLOCK:
      return BodySize.SNP_ID_BLOCK;
    case HeaderType.VBS_MEASUREMENT:
      return BodySize.VBS_MEASUREMENT;
    case HeaderType.ERROR_RANGE:
      return BodySize.ERROR_RANGE;
  }
  return undefined;
}

/**
 * Decodes and validates one directive header whose type and length match.
 *
 * @example
 * ```ts
 * import { Arch, HeaderType } from "./defs.ts";
 * import { parseDirective } from "./directive_parser.ts";
 * import { bytesSource } from "./source.ts";
 * const view = new DataView(new ArrayBuffer(8));
 * view.setUint32(0, 2, true); // parameter area index
 * view.setUint32(4, 16, true); // byte offset
 * const ctx = { source: bytesSource(new Uint8Array(0)), fileDataStart: 0, arch: Arch.X64, maskMap: new Map() };
 * parseDirective(HeaderType.VP_COUNT_PARAMETER, { view, at: 0 }, ctx);
 * // { type: "VpCount", parameterAreaIndex: 2, byteOffset: 16 }
 * ```
 */
export function parseDirective(type: number, b: HeaderBody, ctx: HeaderContext): DirectiveHeader {
  const kind = PARAMETER_KINDS.get(type);
  if (kind !== undefined) {
    // parameter_area_index u32 @0, byte_offset u32 @4
    return { type: kind, parameterAreaIndex: u32(b, 0), byteOffset: u32(b, 4) };
  }
  switch (type) {
    case HeaderType.PARAMETER_AREA: {
      // number_of_bytes u64 @0, parameter_area_index u32 @8, file_offset u32 @12
      const numberOfBytes = u64(b, 0);
      const initialData = extractFileData(ctx, u32(b, 12), numberOfBytes);
      if (numberOfBytes % ALIGN_4K !== 0n) throw new HeaderError("UnalignedSize", numberOfBytes);
      return { type: "ParameterArea", numberOfBytes, parameterAreaIndex: u32(b, 8), initialData };
    }
    case HeaderType.PAGE_DATA: {
      // gpa u64 @0, mask u32 @8, file_offset u32 @12, flags u32 @16, data_type u16 @20, reserved u16 @22
      // The crate reads 4 KiB of data whatever the page size ("TODO: only 4K data supported").
      const data = extractFileData(ctx, u32(b, 12), PAGE_SIZE_4K);
      if (u16(b, 22) !== 0) throw new HeaderError("ReservedNotZero", undefined, "page data");
      const gpa = u64(b, 0);
      checkGpa(gpa);
      const dataType = u16(b, 20);
      if (dataType > PageDataType.CPUID_XF) {
        throw new HeaderError("InvalidPageDataType", undefined, `data type ${dataType}`);
      }
      return {
        type: "PageData",
        gpa,
        compatibilityMask: u32(b, 8),
        flags: u32(b, 16),
        dataType,
        data,
      };
    }
    case HeaderType.PARAMETER_INSERT: {
      // gpa u64 @0, mask u32 @8, parameter_area_index u32 @12
      const gpa = u64(b, 0);
      checkGpa(gpa);
      return {
        type: "ParameterInsert",
        gpa,
        compatibilityMask: u32(b, 8),
        parameterAreaIndex: u32(b, 12),
      };
    }
    case HeaderType.VP_CONTEXT:
      return parseVpContext(b, ctx);
    case HeaderType.REQUIRED_MEMORY: {
      // gpa u64 @0, mask u32 @8, number_of_bytes u32 @12, flags u32 @16, reserved u32 @20
      if (u32(b, 20) !== 0) throw new HeaderError("ReservedNotZero", undefined, "required memory");
      const gpa = u64(b, 0);
      const numberOfBytes = u32(b, 12);
      checkGpa(gpa);
      if (numberOfBytes % PAGE_SIZE_4K !== 0) throw new HeaderError("UnalignedSize", numberOfBytes);
      return {
        type: "RequiredMemory",
        gpa,
        compatibilityMask: u32(b, 8),
        numberOfBytes,
        vtl2Protectable: (u32(b, 16) & 1) !== 0,
      };
    }
    case HeaderType.SNP_ID_BLOCK:
      // mask u32 @0x0, author_key_enabled u8 @0x4, reserved[3] @0x5, ld[48] @0x8, family_id[16] @0x38,
      // image_id[16] @0x48, version u32 @0x58, guest_svn u32 @0x5C, id_key_algorithm u32 @0x60,
      // author_key_algorithm u32 @0x64, id_key_signature[144] @0x68, id_public_key[152] @0xF8,
      // author_key_signature[144] @0x190, author_public_key[152] @0x220
      return {
        type: "SnpIdBlock",
        compatibilityMask: u32(b, 0),
        authorKeyEnabled: u8(b, 4),
        reserved: bytes(b, 5, 3),
        ld: bytes(b, 0x8, 48),
        familyId: bytes(b, 0x38, 16),
        imageId: bytes(b, 0x48, 16),
        version: u32(b, 0x58),
        guestSvn: u32(b, 0x5c),
        idKeyAlgorithm: u32(b, 0x60),
        authorKeyAlgorithm: u32(b, 0x64),
        idKeySignature: bytes(b, 0x68, 144),
        idPublicKey: bytes(b, 0xf8, 152),
        authorKeySignature: bytes(b, 0x190, 144),
        authorPublicKey: bytes(b, 0x220, 152),
      };
    case HeaderType.VBS_MEASUREMENT:
      // 8 × u32 @0..32, boot_measurement_digest[64] @32, signature[256] @96, public_key[512] @352
      return {
        type: "VbsMeasurement",
        compatibilityMask: u32(b, 0),
        version: u32(b, 4),
        productId: u32(b, 8),
        moduleId: u32(b, 12),
        securityVersion: u32(b, 16),
        policyFlags: u32(b, 20),
        bootDigestAlgo: u32(b, 24),
        signingAlgo: u32(b, 28),
        bootMeasurementDigest: bytes(b, 32, 64),
        signature: bytes(b, 96, 256),
        publicKey: bytes(b, 352, 512),
      };
    default: {
      // ERROR_RANGE: gpa u64 @0, mask u32 @8, size_bytes u32 @12
      const gpa = u64(b, 0);
      checkGpa(gpa);
      return { type: "ErrorRange", gpa, compatibilityMask: u32(b, 8), sizeBytes: u32(b, 12) };
    }
  }
}
