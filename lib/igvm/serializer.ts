/**
 * The IGVM serializer: writes a file exactly as microsoft/igvm's
 * `IgvmFile::serialize` does (igvm/src/lib.rs):
 *
 * 1. fixed header (v1: 24 bytes, v2: 32 bytes) with `variable_header_offset` =
 *    its own size;
 * 2. the variable headers in model order (platforms, initializations,
 *    directives), each an 8-byte `{type, length}` prefix (length = the
 *    unpadded structure size), the structure, zero padding to 8 bytes;
 * 3. the file data, in the order the headers reference it, deduplicated: data
 *    equal to data written before reuses its offset (`FileDataSerializer`).
 *    Page data is zero-padded to 4 KiB, parameter-area data to the area size,
 *    VP contexts to 4 KiB; a page or area without data gets file offset 0.
 *
 * `total_file_size` is the sum of the three parts, and `checksum` the CRC-32
 * of the fixed header (checksum 0) and the variable headers.
 *
 * @module
 */

import {
  BodySize,
  FIXED_HEADER_V1_SIZE,
  FIXED_HEADER_V2_SIZE,
  HeaderType,
  IGVM_MAGIC,
  PAGE_SIZE_4K,
} from "./defs.ts";
import { crc32 } from "./crc32.ts";
import { readPayload } from "./source.ts";
import { PARAMETER_KINDS } from "./header_parser.ts";
import { vbsRegisterBytes } from "./vbs_registers.ts";
import { IgvmFormatError } from "../errors.ts";
import { sha256 } from "../hash.ts";
import type {
  DirectiveHeader,
  IgvmFile,
  InitializationHeader,
  Payload,
  VbsRegister,
} from "./types.ts";

const PARAMETER_TYPES = new Map([...PARAMETER_KINDS].map(([t, k]) => [k, t]));

/**
 * A serialized file: its parts, to be written one after another.
 *
 * @example
 * ```ts
 * import { layoutIgvm, parseIgvm, readPayload, type SerializedIgvm } from "../mod.ts";
 * const file = parseIgvm(await Deno.readFile("testdata/sample.igvm"));
 * const layout: SerializedIgvm = layoutIgvm(file);
 * let size = layout.headers.length;
 * for (const piece of layout.data) size += piece.size;
 * console.log(size === layout.size);
 * ```
 */
export interface SerializedIgvm {
  /** Total size in bytes. */
  readonly size: number;
  /** The fixed header and variable headers. */
  readonly headers: Uint8Array;
  /** The file data pieces, in file order. Each is read and padded on output. */
  readonly data: readonly DataPiece[];
}

/**
 * One deduplicated piece of file data.
 *
 * @example
 * ```ts
 * import { type DataPiece, layoutIgvm, parseIgvm, readPayload } from "../mod.ts";
 * const file = parseIgvm(await Deno.readFile("testdata/sample.igvm"));
 * const pieces: readonly DataPiece[] = layoutIgvm(file).data;
 * const first = pieces[0];
 * console.log(first.size, readPayload(first.payload, file.source).length);
 * ```
 */
export interface DataPiece {
  /** The data: a range of the source file, or bytes in hand. */
  readonly payload: Payload;
  /** Size on disk (the payload zero-padded to this). */
  readonly size: number;
}

class HeaderWriter {
  bytes = new Uint8Array(1024);
  view = new DataView(this.bytes.buffer);
  length = 0;

  /** Starts a header of `type` whose structure is `size` bytes; returns a body writer. */
  begin(type: number, size: number): (off: number) => number {
    const padded = (size + 7) & ~7;
    this.ensure(8 + padded);
    this.view.setUint32(this.length, type, true);
    this.view.setUint32(this.length + 4, size, true);
    const base = this.length + 8;
    this.bytes.fill(0, base, base + padded);
    this.length = base + padded;
    return (off) => base + off;
  }

  ensure(n: number): void {
    if (this.length + n <= this.bytes.length) return;
    const next = new Uint8Array(Math.max(this.bytes.length * 2, this.length + n));
    next.set(this.bytes.subarray(0, this.length));
    this.bytes = next;
    this.view = new DataView(next.buffer);
  }
}

class FileData {
  readonly pieces: DataPiece[] = [];
  readonly seen = new Map<string, number>();
  offset: number;
  constructor(start: number, readonly file: IgvmFile) {
    this.offset = start;
  }

  /** `FileDataSerializer::write_file_data`: returns the offset of equal data written before, or appends. */
  write(payload: Payload, size: number): number {
    // A piece larger than the largest IGVM file (e.g. a built parameter area claiming 2^60 bytes)
    // fails before anything that size is allocated.
    if (!(size <= 0xffffffff)) {
      throw new IgvmFormatError(
        `file data of ${size} bytes does not fit in an IGVM file`,
        "FileDataSectionTooLarge",
      );
    }
    const bytes = padded(readPayload(payload, this.file.source), size);
    const key = sha256(bytes).toHex() + ":" + size;
    const prev = this.seen.get(key);
    if (prev !== undefined) return prev;
    const offset = this.offset;
    if (offset > 0xffffffff) {
      throw new IgvmFormatError("file data section too large", "FileDataSectionTooLarge");
    }
    this.pieces.push({ payload, size });
    this.seen.set(key, offset);
    this.offset += size;
    return offset;
  }
}

function padded(bytes: Uint8Array, size: number): Uint8Array {
  if (bytes.length === size) return bytes;
  const out = new Uint8Array(size);
  out.set(bytes.subarray(0, size));
  return out;
}

function payloadSize(p: Payload): number {
  return p instanceof Uint8Array ? p.length : p.length;
}

function headerSize(h: InitializationHeader | DirectiveHeader): number {
  switch (h.type) {
    case "GuestPolicy":
      return BodySize.GUEST_POLICY;
    case "CcaPolicy":
      return BodySize.CCA_POLICY;
    case "RelocatableRegion":
      return BodySize.RELOCATABLE_REGION;
    case "PageTableRelocationRegion":
      return BodySize.PAGE_TABLE_RELOCATION;
    case "CorimDocument":
    case "CorimSignature":
      return BodySize.CORIM_DATA;
    case "PageData":
      return BodySize.PAGE_DATA;
    case "ParameterArea":
      return BodySize.PARAMETER_AREA;
    case "RequiredMemory":
      return BodySize.REQUIRED_MEMORY;
    case "SnpVpContext":
    case "X64NativeVpContext":
    case "X64VbsVpContext":
    case "AArch64VbsVpContext":
    case "AArch64CcaVpContext":
      return BodySize.VP_CONTEXT;
    case "ParameterInsert":
      return BodySize.PARAMETER_INSERT;
    case "ErrorRange":
      return BodySize.ERROR_RANGE;
    case "SnpIdBlock":
      return BodySize.SNP_ID_BLOCK;
    case "VbsMeasurement":
      return BodySize.VBS_MEASUREMENT;
    default:
      return BodySize.PARAMETER;
  }
}

function vbsContextData(vtl: number, registers: readonly VbsRegister[], x64: boolean): Uint8Array {
  // VbsVpContextHeader { register_count u32 } then VbsVpContextRegister { vtl u8, name u32 @1, mbz[11], value[16] @16 }
  const data = new Uint8Array(4 + registers.length * 32);
  const v = new DataView(data.buffer);
  v.setUint32(0, registers.length, true);
  registers.forEach((r, i) => {
    const o = 4 + i * 32;
    v.setUint8(o, vtl);
    v.setUint32(o + 1, r.name, true);
    data.set(vbsRegisterBytes(x64, r.name, r.value) ?? new Uint8Array(16), o + 16);
  });
  return data;
}

/**
 * Lays out `file` as the reference serializer does. Use {@link serializeIgvm}
 * for the bytes, or write `headers` and then each data piece for large files.
 *
 * @example
 * ```ts
 * import { layoutIgvm } from "./serializer.ts";
 * import { parseIgvm } from "./parser.ts";
 * const file = parseIgvm(await Deno.readFile("testdata/sample.igvm"));
 * layoutIgvm(file).size;
 * ```
 */
export function layoutIgvm(file: IgvmFile): SerializedIgvm {
  const fixedSize = file.revision.version === 2 ? FIXED_HEADER_V2_SIZE : FIXED_HEADER_V1_SIZE;
  let varSize = file.platforms.length * 24;
  for (const h of [...file.initializations, ...file.directives]) {
    varSize += 8 + ((headerSize(h) + 7) & ~7);
  }
  const data = new FileData(fixedSize + varSize, file);
  const w = new HeaderWriter();
  w.ensure(fixedSize);
  w.length = fixedSize;
  for (const p of file.platforms) {
    const at = w.begin(HeaderType.SUPPORTED_PLATFORM, BodySize.SUPPORTED_PLATFORM);
    w.view.setUint32(at(0), p.compatibilityMask, true);
    w.view.setUint8(at(4), p.highestVtl);
    w.view.setUint8(at(5), p.platformType);
    w.view.setUint16(at(6), p.platformVersion, true);
    w.view.setBigUint64(at(8), p.sharedGpaBoundary, true);
  }
  for (const h of file.initializations) writeInitialization(w, h, data);
  const x64 = file.revision.version === 1 || file.revision.arch === 0;
  for (const h of file.directives) writeDirective(w, h, data, x64);
  const headers = w.bytes.slice(0, w.length);
  const v = new DataView(headers.buffer);
  v.setUint32(0, IGVM_MAGIC, true);
  v.setUint32(4, file.revision.version, true);
  v.setUint32(8, fixedSize, true);
  v.setUint32(12, w.length - fixedSize, true);
  const size = data.offset;
  if (size > 0xffffffff) {
    throw new IgvmFormatError("total file size too large", "TotalFileSizeTooLarge");
  }
  v.setUint32(16, size, true);
  if (file.revision.version === 2) {
    v.setUint32(24, file.revision.arch, true);
    v.setUint32(28, file.revision.pageSize, true);
  }
  v.setUint32(20, crc32(headers), true);
  return { size, headers, data: data.pieces };
}

/**
 * Serializes `file` to bytes, exactly as the reference serializer does.
 *
 * @example
 * ```ts
 * import { serializeIgvm } from "./serializer.ts";
 * import { parseIgvm } from "./parser.ts";
 * const bytes = await Deno.readFile("testdata/sample.igvm");
 * serializeIgvm(parseIgvm(bytes)); // equal to `bytes` for files the crate wrote
 * ```
 */
export function serializeIgvm(file: IgvmFile): Uint8Array {
  const layout = layoutIgvm(file);
  const out = new Uint8Array(layout.size);
  out.set(layout.headers, 0);
  let at = layout.headers.length;
  for (const piece of layout.data) {
    out.set(readPayload(piece.payload, file.source).subarray(0, piece.size), at);
    at += piece.size;
  }
  return out;
}

function writeInitialization(w: HeaderWriter, h: InitializationHeader, data: FileData): void {
  switch (h.type) {
    case "GuestPolicy": {
      const at = w.begin(HeaderType.GUEST_POLICY, BodySize.GUEST_POLICY);
      w.view.setBigUint64(at(0), h.policy, true);
      w.view.setUint32(at(8), h.compatibilityMask, true);
      return;
    }
    case "CcaPolicy": {
      const at = w.begin(HeaderType.CCA_POLICY, BodySize.CCA_POLICY);
      w.view.setUint32(at(0), h.compatibilityMask, true);
      w.view.setBigUint64(at(8), h.attributesRequiredZeroes, true);
      w.view.setBigUint64(at(16), h.attributesRequiredOnes, true);
      w.view.setUint8(at(24), h.hashAlgorithm);
      w.view.setUint8(at(25), h.lfaPolicy);
      return;
    }
    case "RelocatableRegion": {
      const at = w.begin(HeaderType.RELOCATABLE_REGION, BodySize.RELOCATABLE_REGION);
      w.view.setUint32(at(0), h.compatibilityMask, true);
      w.view.setUint16(at(4), h.vpIndex, true);
      w.view.setUint8(at(6), h.vtl);
      w.view.setUint8(
        at(7),
        (h.isVtl2 ? 1 : 0) | (h.applyRipOffset ? 2 : 0) | (h.applyGdtrOffset ? 4 : 0),
      );
      w.view.setBigUint64(at(8), h.relocationAlignment, true);
      w.view.setBigUint64(at(16), h.relocationRegionGpa, true);
      w.view.setBigUint64(at(24), h.relocationRegionSize, true);
      w.view.setBigUint64(at(32), h.minimumRelocationGpa, true);
      w.view.setBigUint64(at(40), h.maximumRelocationGpa, true);
      return;
    }
    case "PageTableRelocationRegion": {
      const at = w.begin(HeaderType.PAGE_TABLE_RELOCATION_REGION, BodySize.PAGE_TABLE_RELOCATION);
      w.view.setUint32(at(0), h.compatibilityMask, true);
      w.view.setUint16(at(4), h.vpIndex, true);
      w.view.setUint8(at(6), h.vtl);
      w.view.setBigUint64(at(8), h.gpa, true);
      w.view.setBigUint64(at(16), h.size, true);
      w.view.setBigUint64(at(24), h.usedSize, true);
      return;
    }
    case "CorimDocument":
    case "CorimSignature": {
      // The crate writes the data even when empty (it dedups to an earlier offset or the section end).
      const bytes = h.data ?? new Uint8Array(0);
      const size = payloadSize(bytes);
      const offset = data.write(bytes, size);
      const at = w.begin(
        h.type === "CorimDocument" ? HeaderType.CORIM_DOCUMENT : HeaderType.CORIM_SIGNATURE,
        16,
      );
      w.view.setUint32(at(0), h.compatibilityMask, true);
      w.view.setUint32(at(4), offset, true);
      w.view.setUint32(at(8), size, true);
      return;
    }
  }
}

function writeVpHeader(
  w: HeaderWriter,
  gpa: bigint,
  mask: number,
  offset: number,
  vpIndex: number,
): void {
  const at = w.begin(HeaderType.VP_CONTEXT, BodySize.VP_CONTEXT);
  w.view.setBigUint64(at(0), gpa, true);
  w.view.setUint32(at(8), mask, true);
  w.view.setUint32(at(12), offset, true);
  w.view.setUint16(at(16), vpIndex, true);
}

function writeDirective(w: HeaderWriter, h: DirectiveHeader, data: FileData, x64: boolean): void {
  switch (h.type) {
    case "PageData": {
      const offset = h.data === null || payloadSize(h.data) === 0
        ? 0
        : data.write(h.data, PAGE_SIZE_4K);
      const at = w.begin(HeaderType.PAGE_DATA, BodySize.PAGE_DATA);
      w.view.setBigUint64(at(0), h.gpa, true);
      w.view.setUint32(at(8), h.compatibilityMask, true);
      w.view.setUint32(at(12), offset, true);
      w.view.setUint32(at(16), h.flags, true);
      w.view.setUint16(at(20), h.dataType, true);
      return;
    }
    case "ParameterArea": {
      const empty = h.initialData === null || payloadSize(h.initialData) === 0;
      const offset = empty ? 0 : data.write(h.initialData!, Number(h.numberOfBytes));
      const at = w.begin(HeaderType.PARAMETER_AREA, BodySize.PARAMETER_AREA);
      w.view.setBigUint64(at(0), h.numberOfBytes, true);
      w.view.setUint32(at(8), h.parameterAreaIndex, true);
      w.view.setUint32(at(12), offset, true);
      return;
    }
    case "RequiredMemory": {
      const at = w.begin(HeaderType.REQUIRED_MEMORY, BodySize.REQUIRED_MEMORY);
      w.view.setBigUint64(at(0), h.gpa, true);
      w.view.setUint32(at(8), h.compatibilityMask, true);
      w.view.setUint32(at(12), h.numberOfBytes, true);
      w.view.setUint32(at(16), h.vtl2Protectable ? 1 : 0, true);
      return;
    }
    case "SnpVpContext":
      return writeVpHeader(
        w,
        h.gpa,
        h.compatibilityMask,
        data.write(h.vmsa, PAGE_SIZE_4K),
        h.vpIndex,
      );
    case "X64NativeVpContext":
    case "AArch64CcaVpContext":
      return writeVpHeader(
        w,
        0n,
        h.compatibilityMask,
        data.write(h.context, PAGE_SIZE_4K),
        h.vpIndex,
      );
    case "X64VbsVpContext":
    case "AArch64VbsVpContext": {
      const bytes = vbsContextData(h.vtl, h.registers, x64);
      return writeVpHeader(w, 0n, h.compatibilityMask, data.write(bytes, bytes.length), 0);
    }
    case "ParameterInsert": {
      const at = w.begin(HeaderType.PARAMETER_INSERT, BodySize.PARAMETER_INSERT);
      w.view.setBigUint64(at(0), h.gpa, true);
      w.view.setUint32(at(8), h.compatibilityMask, true);
      w.view.setUint32(at(12), h.parameterAreaIndex, true);
      return;
    }
    case "ErrorRange":
      // The reference serializer has `todo!("append ErrorRange")` here: it cannot write this header.
      throw new IgvmFormatError(
        "the reference serializer cannot write ERROR_RANGE headers, so this file cannot be rewritten",
        "ErrorRangeNotSerializable",
      );
    case "SnpIdBlock": {
      const at = w.begin(HeaderType.SNP_ID_BLOCK, BodySize.SNP_ID_BLOCK);
      w.view.setUint32(at(0), h.compatibilityMask, true);
      w.view.setUint8(at(4), h.authorKeyEnabled);
      w.bytes.set(h.reserved, at(5));
      w.bytes.set(h.ld, at(0x8));
      w.bytes.set(h.familyId, at(0x38));
      w.bytes.set(h.imageId, at(0x48));
      w.view.setUint32(at(0x58), h.version, true);
      w.view.setUint32(at(0x5c), h.guestSvn, true);
      w.view.setUint32(at(0x60), h.idKeyAlgorithm, true);
      w.view.setUint32(at(0x64), h.authorKeyAlgorithm, true);
      w.bytes.set(h.idKeySignature, at(0x68));
      w.bytes.set(h.idPublicKey, at(0xf8));
      w.bytes.set(h.authorKeySignature, at(0x190));
      w.bytes.set(h.authorPublicKey, at(0x220));
      return;
    }
    case "VbsMeasurement": {
      const at = w.begin(HeaderType.VBS_MEASUREMENT, BodySize.VBS_MEASUREMENT);
      const words = [
        h.compatibilityMask,
        h.version,
        h.productId,
        h.moduleId,
        h.securityVersion,
        h.policyFlags,
        h.bootDigestAlgo,
        h.signingAlgo,
      ];
      words.forEach((x, i) => w.view.setUint32(at(i * 4), x, true));
      w.bytes.set(h.bootMeasurementDigest, at(32));
      w.bytes.set(h.signature, at(96));
      w.bytes.set(h.publicKey, at(352));
      return;
    }
    default: {
      const at = w.begin(PARAMETER_TYPES.get(h.type)!, BodySize.PARAMETER);
      w.view.setUint32(at(0), h.parameterAreaIndex, true);
      w.view.setUint32(at(4), h.byteOffset, true);
    }
  }
}
