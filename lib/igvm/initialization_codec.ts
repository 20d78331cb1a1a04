/**
 * The initialization headers read and written (layouts in `structs.ts`):
 * microsoft/igvm `IgvmInitializationHeader::new_from_binary_split` (its
 * decoding checks — reserved fields, VTLs, CoRIM file data — then
 * `validate`, in the crate's order, so a header with several problems is
 * refused for the reason the crate gives) and `write_binary_header`.
 *
 * @module
 */

import { HeaderType, RelocationFlags } from "./defs.ts";
import { HeaderError } from "./format_error.ts";
import { checkVtl, extractFileData, type HeaderContext } from "./header_context.ts";
import { HEADERS } from "./header_types.ts";
import {
  validateCcaPolicy,
  validatePageTableRegion,
  validateRelocatableRegion,
} from "./header_validate.ts";
import type { FileData, HeaderWriter } from "./header_writer.ts";
import {
  getBytes,
  getU16,
  getU32,
  getU64,
  getU8,
  setU16,
  setU32,
  setU64,
  setU8,
  type StructView,
} from "./layout.ts";
import { payloadLength } from "./source.ts";
import {
  IGVM_VHS_CCA_POLICY,
  IGVM_VHS_CORIM_DATA,
  IGVM_VHS_GUEST_POLICY,
  IGVM_VHS_PAGE_TABLE_RELOCATION,
  IGVM_VHS_RELOCATABLE_REGION,
} from "./structs.ts";
import type {
  CcaPolicy,
  CorimData,
  GuestPolicy,
  InitializationHeader,
  PageTableRelocationRegion,
  RelocatableRegion,
} from "./types.ts";

const POLICY = IGVM_VHS_GUEST_POLICY.fields;
const CCA = IGVM_VHS_CCA_POLICY.fields;
const RELOC = IGVM_VHS_RELOCATABLE_REGION.fields;
const PT = IGVM_VHS_PAGE_TABLE_RELOCATION.fields;
const CORIM = IGVM_VHS_CORIM_DATA.fields;

function decodeGuestPolicy(b: StructView): GuestPolicy {
  if (getU32(b, POLICY.reserved) !== 0) {
    throw new HeaderError("ReservedNotZero", undefined, "guest policy");
  }
  const policy = getU64(b, POLICY.policy);
  return { type: "GuestPolicy", policy, compatibilityMask: getU32(b, POLICY.compatibilityMask) };
}

function encodeGuestPolicy(w: HeaderWriter, h: GuestPolicy): void {
  const b = w.begin(HEADERS.GuestPolicy);
  setU64(b, POLICY.policy, h.policy);
  setU32(b, POLICY.compatibilityMask, h.compatibilityMask);
}

function decodeCcaPolicy(b: StructView): CcaPolicy {
  if (getU32(b, CCA.reserved) !== 0 || getBytes(b, CCA.reserved2).some((x) => x !== 0)) {
    throw new HeaderError("ReservedNotZero", undefined, "CCA policy");
  }
  const h: CcaPolicy = {
    type: "CcaPolicy",
    compatibilityMask: getU32(b, CCA.compatibilityMask),
    attributesRequiredZeroes: getU64(b, CCA.attributesRequiredZeroes),
    attributesRequiredOnes: getU64(b, CCA.attributesRequiredOnes),
    hashAlgorithm: getU8(b, CCA.hashAlgorithm),
    lfaPolicy: getU8(b, CCA.lfaPolicy),
  };
  validateCcaPolicy(h);
  return h;
}

function encodeCcaPolicy(w: HeaderWriter, h: CcaPolicy): void {
  const b = w.begin(HEADERS.CcaPolicy);
  setU32(b, CCA.compatibilityMask, h.compatibilityMask);
  setU64(b, CCA.attributesRequiredZeroes, h.attributesRequiredZeroes);
  setU64(b, CCA.attributesRequiredOnes, h.attributesRequiredOnes);
  setU8(b, CCA.hashAlgorithm, h.hashAlgorithm);
  setU8(b, CCA.lfaPolicy, h.lfaPolicy);
}

function decodeRelocatableRegion(b: StructView): RelocatableRegion {
  const flags = getU8(b, RELOC.flags);
  const h: RelocatableRegion = {
    type: "RelocatableRegion",
    compatibilityMask: getU32(b, RELOC.compatibilityMask),
    relocationAlignment: getU64(b, RELOC.relocationAlignment),
    relocationRegionGpa: getU64(b, RELOC.relocationRegionGpa),
    relocationRegionSize: getU64(b, RELOC.relocationRegionSize),
    minimumRelocationGpa: getU64(b, RELOC.minimumRelocationGpa),
    maximumRelocationGpa: getU64(b, RELOC.maximumRelocationGpa),
    isVtl2: (flags & RelocationFlags.IS_VTL2) !== 0,
    applyRipOffset: (flags & RelocationFlags.APPLY_RIP) !== 0,
    applyGdtrOffset: (flags & RelocationFlags.APPLY_GDTR) !== 0,
    vpIndex: getU16(b, RELOC.vpIndex),
    vtl: checkVtl(getU8(b, RELOC.vtl)),
  };
  validateRelocatableRegion(h);
  return h;
}

function encodeRelocatableRegion(w: HeaderWriter, h: RelocatableRegion): void {
  const b = w.begin(HEADERS.RelocatableRegion);
  setU32(b, RELOC.compatibilityMask, h.compatibilityMask);
  setU16(b, RELOC.vpIndex, h.vpIndex);
  setU8(b, RELOC.vtl, h.vtl);
  setU8(
    b,
    RELOC.flags,
    (h.isVtl2 ? RelocationFlags.IS_VTL2 : 0) | (h.applyRipOffset ? RelocationFlags.APPLY_RIP : 0) |
      (h.applyGdtrOffset ? RelocationFlags.APPLY_GDTR : 0),
  );
  setU64(b, RELOC.relocationAlignment, h.relocationAlignment);
  setU64(b, RELOC.relocationRegionGpa, h.relocationRegionGpa);
  setU64(b, RELOC.relocationRegionSize, h.relocationRegionSize);
  setU64(b, RELOC.minimumRelocationGpa, h.minimumRelocationGpa);
  setU64(b, RELOC.maximumRelocationGpa, h.maximumRelocationGpa);
}

function decodePageTableRegion(b: StructView): PageTableRelocationRegion {
  if (getU8(b, PT.reserved) !== 0) {
    throw new HeaderError("ReservedNotZero", undefined, "page table relocation");
  }
  const h: PageTableRelocationRegion = {
    type: "PageTableRelocationRegion",
    compatibilityMask: getU32(b, PT.compatibilityMask),
    vtl: checkVtl(getU8(b, PT.vtl)),
    gpa: getU64(b, PT.gpa),
    size: getU64(b, PT.size),
    usedSize: getU64(b, PT.usedSize),
    vpIndex: getU16(b, PT.vpIndex),
  };
  validatePageTableRegion(h);
  return h;
}

function encodePageTableRegion(w: HeaderWriter, h: PageTableRelocationRegion): void {
  const b = w.begin(HEADERS.PageTableRelocationRegion);
  setU32(b, PT.compatibilityMask, h.compatibilityMask);
  setU16(b, PT.vpIndex, h.vpIndex);
  setU8(b, PT.vtl, h.vtl);
  setU64(b, PT.gpa, h.gpa);
  setU64(b, PT.size, h.size);
  setU64(b, PT.usedSize, h.usedSize);
}

function decodeCorimData(type: number, b: StructView, ctx: HeaderContext): CorimData {
  if (getU32(b, CORIM.reserved) !== 0) {
    throw new HeaderError("ReservedNotZero", undefined, "CoRIM data");
  }
  return {
    type: type === HeaderType.CORIM_DOCUMENT ? "CorimDocument" : "CorimSignature",
    compatibilityMask: getU32(b, CORIM.compatibilityMask),
    data: extractFileData(ctx, getU32(b, CORIM.fileOffset), getU32(b, CORIM.sizeBytes)),
  };
}

function encodeCorimData(w: HeaderWriter, h: CorimData, data: FileData): void {
  // The crate writes the data even when empty (it dedups to an earlier offset or the section end).
  const bytes = h.data ?? new Uint8Array(0);
  const size = payloadLength(bytes);
  const offset = data.write(bytes, size);
  const b = w.begin(HEADERS[h.type]);
  setU32(b, CORIM.compatibilityMask, h.compatibilityMask);
  setU32(b, CORIM.fileOffset, offset);
  setU32(b, CORIM.sizeBytes, size);
}

/**
 * Decodes and validates one initialization header whose type and length
 * match (`header_types.ts`). Throws {@link HeaderError} as the crate refuses.
 *
 * @example
 * ```ts
 * import { Arch, HeaderType } from "./defs.ts";
 * import { decodeInitialization } from "./initialization_codec.ts";
 * import { bytesSource } from "./source.ts";
 * const view = new DataView(new ArrayBuffer(16));
 * view.setBigUint64(0, 0x30000n, true); // policy
 * view.setUint32(8, 1, true); // compatibility mask
 * const ctx = { source: bytesSource(new Uint8Array(0)), fileDataStart: 0, arch: Arch.X64, maskMap: new Map() };
 * decodeInitialization(HeaderType.GUEST_POLICY, { view, at: 0 }, ctx);
 * // { type: "GuestPolicy", policy: 0x30000n, compatibilityMask: 1 }
 * ```
 */
export function decodeInitialization(
  type: number,
  b: StructView,
  ctx: HeaderContext,
): InitializationHeader {
  switch (type) {
    case HeaderType.GUEST_POLICY:
      return decodeGuestPolicy(b);
    case HeaderType.CCA_POLICY:
      return decodeCcaPolicy(b);
    case HeaderType.RELOCATABLE_REGION:
      return decodeRelocatableRegion(b);
    case HeaderType.PAGE_TABLE_RELOCATION_REGION:
      return decodePageTableRegion(b);
    default:
      return decodeCorimData(type, b, ctx);
  }
}

/**
 * Appends one initialization header to `w`, its file data (CoRIM documents
 * and signatures) to `data`.
 *
 * @example
 * ```ts
 * import { FileData, HeaderWriter } from "./header_writer.ts";
 * import { encodeInitialization } from "./initialization_codec.ts";
 * import { parseIgvm } from "./parser.ts";
 * const file = parseIgvm(await Deno.readFile("testdata/sample.igvm"));
 * const w = new HeaderWriter();
 * const data = new FileData(4096, file);
 * encodeInitialization(w, { type: "GuestPolicy", policy: 0x30000n, compatibilityMask: 1 }, data);
 * w.length; // 24
 * ```
 */
export function encodeInitialization(
  w: HeaderWriter,
  h: InitializationHeader,
  data: FileData,
): void {
  switch (h.type) {
    case "GuestPolicy":
      return encodeGuestPolicy(w, h);
    case "CcaPolicy":
      return encodeCcaPolicy(w, h);
    case "RelocatableRegion":
      return encodeRelocatableRegion(w, h);
    case "PageTableRelocationRegion":
      return encodePageTableRegion(w, h);
    case "CorimDocument":
    case "CorimSignature":
      return encodeCorimData(w, h, data);
  }
}
