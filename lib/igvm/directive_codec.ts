/**
 * The directive headers read and written (layouts in `structs.ts`):
 * microsoft/igvm `IgvmDirectiveHeader::new_from_binary_split` (its decoding
 * checks — reserved fields, file-data bounds — then `validate`, in the
 * crate's order, so a header with several problems is refused for the reason
 * the crate gives) and `write_binary_header`. Page data, parameter areas,
 * parameter usages and inserts, required memory and error ranges are here;
 * VP contexts in `vp_context_codec.ts`, SNP ID blocks and VBS measurements in
 * `id_block_codec.ts`.
 *
 * This is the parser's hot path (a large file has ~80 000 page-data headers):
 * each header is a few `DataView` reads at the offsets `structs.ts` states.
 *
 * @module
 */

import { HeaderType, PAGE_SIZE_4K, RequiredMemoryFlags } from "./defs.ts";
import { HeaderError } from "./format_error.ts";
import { extractFileData, type HeaderContext } from "./header_context.ts";
import { HEADERS, PARAMETER_KINDS } from "./header_types.ts";
import {
  validateGpa,
  validatePageDataFields,
  validateParameterArea,
  validateRequiredMemory,
} from "./header_validate.ts";
import type { FileData, HeaderWriter } from "./header_writer.ts";
import {
  decodeSnpIdBlock,
  decodeVbsMeasurement,
  encodeSnpIdBlock,
  encodeVbsMeasurement,
} from "./id_block_codec.ts";
import {
  getU16,
  getU32,
  getU64,
  getU64Low,
  setU16,
  setU32,
  setU64,
  type StructView,
} from "./layout.ts";
import { payloadLength } from "./source.ts";
import {
  IGVM_VHS_ERROR_RANGE,
  IGVM_VHS_PAGE_DATA,
  IGVM_VHS_PARAMETER,
  IGVM_VHS_PARAMETER_AREA,
  IGVM_VHS_PARAMETER_INSERT,
  IGVM_VHS_REQUIRED_MEMORY,
} from "./structs.ts";
import type { DirectiveHeader, PageData, ParameterArea, RequiredMemory } from "./types.ts";
import { decodeVpContext, encodeVpContext } from "./vp_context_codec.ts";
import { IgvmFormatError } from "../errors.ts";

const PAGE = IGVM_VHS_PAGE_DATA.fields;
const AREA = IGVM_VHS_PARAMETER_AREA.fields;
const PARAM = IGVM_VHS_PARAMETER.fields;
const INSERT = IGVM_VHS_PARAMETER_INSERT.fields;
const MEMORY = IGVM_VHS_REQUIRED_MEMORY.fields;
const ERROR_RANGE = IGVM_VHS_ERROR_RANGE.fields;

/**
 * Decodes and validates a page-data header (the parser's fast path: most
 * headers of a large file are page data). Throws {@link HeaderError}.
 *
 * @example
 * ```ts
 * import { Arch } from "./defs.ts";
 * import { decodePageData } from "./directive_codec.ts";
 * import { bytesSource } from "./source.ts";
 * const view = new DataView(new ArrayBuffer(24));
 * view.setBigUint64(0, 0x1000n, true); // GPA
 * view.setUint32(8, 1, true); // compatibility mask
 * const ctx = { source: bytesSource(new Uint8Array(0)), fileDataStart: 0, arch: Arch.X64, maskMap: new Map() };
 * decodePageData({ view, at: 0 }, ctx).gpa; // 0x1000n
 * ```
 */
export function decodePageData(b: StructView, ctx: HeaderContext): PageData {
  // The crate reads 4 KiB of data whatever the page size ("TODO: only 4K data supported").
  const data = extractFileData(ctx, getU32(b, PAGE.fileOffset), PAGE_SIZE_4K);
  if (getU16(b, PAGE.reserved) !== 0) {
    throw new HeaderError("ReservedNotZero", undefined, "page data");
  }
  const gpa = getU64(b, PAGE.gpa);
  const dataType = getU16(b, PAGE.dataType);
  validatePageDataFields(getU64Low(b, PAGE.gpa), gpa, dataType, data);
  return {
    type: "PageData",
    gpa,
    compatibilityMask: getU32(b, PAGE.compatibilityMask),
    flags: getU32(b, PAGE.flags),
    dataType,
    data,
  };
}

function encodePageData(w: HeaderWriter, h: PageData, data: FileData): void {
  const empty = h.data === null || payloadLength(h.data) === 0;
  const offset = empty ? 0 : data.write(h.data!, PAGE_SIZE_4K);
  const b = w.begin(HEADERS.PageData);
  setU64(b, PAGE.gpa, h.gpa);
  setU32(b, PAGE.compatibilityMask, h.compatibilityMask);
  setU32(b, PAGE.fileOffset, offset);
  setU32(b, PAGE.flags, h.flags);
  setU16(b, PAGE.dataType, h.dataType);
}

function decodeParameterArea(b: StructView, ctx: HeaderContext): ParameterArea {
  const numberOfBytes = getU64(b, AREA.numberOfBytes);
  const h: ParameterArea = {
    type: "ParameterArea",
    numberOfBytes,
    parameterAreaIndex: getU32(b, AREA.parameterAreaIndex),
    initialData: extractFileData(ctx, getU32(b, AREA.fileOffset), numberOfBytes),
  };
  validateParameterArea(h);
  return h;
}

function encodeParameterArea(w: HeaderWriter, h: ParameterArea, data: FileData): void {
  const empty = h.initialData === null || payloadLength(h.initialData) === 0;
  const offset = empty ? 0 : data.write(h.initialData!, Number(h.numberOfBytes));
  const b = w.begin(HEADERS.ParameterArea);
  setU64(b, AREA.numberOfBytes, h.numberOfBytes);
  setU32(b, AREA.parameterAreaIndex, h.parameterAreaIndex);
  setU32(b, AREA.fileOffset, offset);
}

function decodeRequiredMemory(b: StructView): RequiredMemory {
  if (getU32(b, MEMORY.reserved) !== 0) {
    throw new HeaderError("ReservedNotZero", undefined, "required memory");
  }
  const h: RequiredMemory = {
    type: "RequiredMemory",
    gpa: getU64(b, MEMORY.gpa),
    compatibilityMask: getU32(b, MEMORY.compatibilityMask),
    numberOfBytes: getU32(b, MEMORY.numberOfBytes),
    vtl2Protectable: (getU32(b, MEMORY.flags) & RequiredMemoryFlags.VTL2_PROTECTABLE) !== 0,
  };
  validateRequiredMemory(h);
  return h;
}

function encodeRequiredMemory(w: HeaderWriter, h: RequiredMemory): void {
  const b = w.begin(HEADERS.RequiredMemory);
  setU64(b, MEMORY.gpa, h.gpa);
  setU32(b, MEMORY.compatibilityMask, h.compatibilityMask);
  setU32(b, MEMORY.numberOfBytes, h.numberOfBytes);
  setU32(b, MEMORY.flags, h.vtl2Protectable ? RequiredMemoryFlags.VTL2_PROTECTABLE : 0);
}

/**
 * Decodes and validates one directive header whose type and length match
 * (`header_types.ts`). Throws {@link HeaderError} as the crate refuses.
 *
 * @example
 * ```ts
 * import { Arch, HeaderType } from "./defs.ts";
 * import { decodeDirective } from "./directive_codec.ts";
 * import { bytesSource } from "./source.ts";
 * const view = new DataView(new ArrayBuffer(8));
 * view.setUint32(0, 2, true); // parameter area index
 * view.setUint32(4, 16, true); // byte offset
 * const ctx = { source: bytesSource(new Uint8Array(0)), fileDataStart: 0, arch: Arch.X64, maskMap: new Map() };
 * decodeDirective(HeaderType.VP_COUNT_PARAMETER, { view, at: 0 }, ctx);
 * // { type: "VpCount", parameterAreaIndex: 2, byteOffset: 16 }
 * ```
 */
export function decodeDirective(type: number, b: StructView, ctx: HeaderContext): DirectiveHeader {
  switch (type) {
    case HeaderType.PAGE_DATA:
      return decodePageData(b, ctx);
    case HeaderType.PARAMETER_AREA:
      return decodeParameterArea(b, ctx);
    case HeaderType.PARAMETER_INSERT: {
      const gpa = getU64(b, INSERT.gpa);
      validateGpa(gpa);
      const compatibilityMask = getU32(b, INSERT.compatibilityMask);
      const parameterAreaIndex = getU32(b, INSERT.parameterAreaIndex);
      return { type: "ParameterInsert", gpa, compatibilityMask, parameterAreaIndex };
    }
    case HeaderType.VP_CONTEXT:
      return decodeVpContext(b, ctx);
    case HeaderType.REQUIRED_MEMORY:
      return decodeRequiredMemory(b);
    case HeaderType.SNP_ID_BLOCK:
      return decodeSnpIdBlock(b);
    case HeaderType.VBS_MEASUREMENT:
      return decodeVbsMeasurement(b);
    case HeaderType.ERROR_RANGE: {
      const gpa = getU64(b, ERROR_RANGE.gpa);
      validateGpa(gpa);
      const compatibilityMask = getU32(b, ERROR_RANGE.compatibilityMask);
      return {
        type: "ErrorRange",
        gpa,
        compatibilityMask,
        sizeBytes: getU32(b, ERROR_RANGE.sizeBytes),
      };
    }
    default: {
      const kind = PARAMETER_KINDS.get(type)!;
      const parameterAreaIndex = getU32(b, PARAM.parameterAreaIndex);
      return { type: kind, parameterAreaIndex, byteOffset: getU32(b, PARAM.byteOffset) };
    }
  }
}

/**
 * Appends one directive header to `w`, its file data (pages, VP contexts,
 * parameter areas' initial data) to `data`; `x64` is the file's
 * architecture. Throws `IgvmFormatError` for an `ErrorRange`, which the
 * reference serializer cannot write.
 *
 * @example
 * ```ts
 * import { encodeDirective } from "./directive_codec.ts";
 * import { FileData, HeaderWriter } from "./header_writer.ts";
 * import { parseIgvm } from "./parser.ts";
 * const file = parseIgvm(await Deno.readFile("testdata/sample.igvm"));
 * const w = new HeaderWriter();
 * const data = new FileData(4096, file);
 * encodeDirective(w, { type: "VpCount", parameterAreaIndex: 0, byteOffset: 0 }, data, true);
 * const page = new Uint8Array(4096);
 * encodeDirective(w, {
 *   type: "PageData", gpa: 0x1000n, compatibilityMask: 1, flags: 0, dataType: 0, data: page,
 * }, data, true);
 * data.pieces.length; // 1
 * ```
 */
export function encodeDirective(
  w: HeaderWriter,
  h: DirectiveHeader,
  data: FileData,
  x64: boolean,
): void {
  switch (h.type) {
    case "PageData":
      return encodePageData(w, h, data);
    case "ParameterArea":
      return encodeParameterArea(w, h, data);
    case "RequiredMemory":
      return encodeRequiredMemory(w, h);
    case "SnpVpContext":
    case "X64NativeVpContext":
    case "AArch64CcaVpContext":
    case "X64VbsVpContext":
    case "AArch64VbsVpContext":
      return encodeVpContext(w, h, data, x64);
    case "ParameterInsert": {
      const b = w.begin(HEADERS.ParameterInsert);
      setU64(b, INSERT.gpa, h.gpa);
      setU32(b, INSERT.compatibilityMask, h.compatibilityMask);
      setU32(b, INSERT.parameterAreaIndex, h.parameterAreaIndex);
      return;
    }
    case "ErrorRange":
      // The reference serializer has `todo!("append ErrorRange")` here: it cannot write this header.
      throw new IgvmFormatError(
        "the reference serializer cannot write ERROR_RANGE headers, so this file cannot be rewritten",
        "ErrorRangeNotSerializable",
      );
    case "SnpIdBlock":
      return encodeSnpIdBlock(w.begin(HEADERS.SnpIdBlock), h);
    case "VbsMeasurement":
      return encodeVbsMeasurement(w.begin(HEADERS.VbsMeasurement), h);
    default: {
      const b = w.begin(HEADERS[h.type]);
      setU32(b, PARAM.parameterAreaIndex, h.parameterAreaIndex);
      setU32(b, PARAM.byteOffset, h.byteOffset);
    }
  }
}
