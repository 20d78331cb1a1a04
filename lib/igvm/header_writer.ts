/**
 * Writing single variable headers and their file data, as microsoft/igvm's
 * `write_binary_header` does for each header type (igvm/src/lib.rs):
 * `append_header` (an 8-byte `{type, length}` prefix, the structure, zero
 * padding to 8 bytes) and `FileDataSerializer` (file data deduplicated by
 * content). Field offsets are the same as in the parser.
 *
 * @module
 */

import { BodySize, HeaderType, PAGE_SIZE_4K } from "./defs.ts";
import { payloadLength, readPayload } from "./source.ts";
import { PARAMETER_KINDS } from "./header_parser.ts";
import { vbsRegisterBytes } from "./vbs_registers.ts";
import { IgvmFormatError } from "../errors.ts";
import { sha256 } from "../hash.ts";
import type { DataPiece } from "./serializer.ts";
import type {
  DirectiveHeader,
  IgvmFile,
  InitializationHeader,
  Payload,
  VbsRegister,
} from "./types.ts";

const PARAMETER_TYPES = new Map([...PARAMETER_KINDS].map(([t, k]) => [k, t]));
/**
 * A growing buffer of variable headers, each written as the crate's
 * `append_header` does: `{type, length}`, the structure, zeros to 8 bytes.
 *
 * @example
 * ```ts
 * import { BodySize, HeaderType } from "./defs.ts";
 * import { HeaderWriter } from "./header_writer.ts";
 * const w = new HeaderWriter();
 * const at = w.begin(HeaderType.GUEST_POLICY, BodySize.GUEST_POLICY);
 * w.view.setBigUint64(at(0), 0x30000n, true); // policy
 * w.view.setUint32(at(8), 1, true); // compatibility mask
 * w.bytes.subarray(0, w.length); // 24 bytes: 8-byte prefix, 16-byte structure
 * ```
 */
export class HeaderWriter {
  /** The buffer; only the first {@link HeaderWriter.length} bytes are written. */
  bytes: Uint8Array = new Uint8Array(1024);
  /** A view over {@link HeaderWriter.bytes} (replaced when the buffer grows). */
  view: DataView = new DataView(this.bytes.buffer);
  /** Number of bytes written so far. */
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

  /** Grows the buffer so that `n` more bytes fit. */
  ensure(n: number): void {
    if (this.length + n <= this.bytes.length) return;
    const next = new Uint8Array(Math.max(this.bytes.length * 2, this.length + n));
    next.set(this.bytes.subarray(0, this.length));
    this.bytes = next;
    this.view = new DataView(next.buffer);
  }
}

/**
 * The file-data section being laid out, deduplicated by content as the
 * crate's `FileDataSerializer` does; `start` is the section's file offset
 * and `file` the file whose payloads are written (for its source).
 *
 * @example
 * ```ts
 * import { FileData } from "./header_writer.ts";
 * import { parseIgvm } from "./parser.ts";
 * const file = parseIgvm(await Deno.readFile("testdata/sample.igvm"));
 * const data = new FileData(8192, file);
 * data.write(new Uint8Array(4096), 4096); // 8192
 * data.write(new Uint8Array(10), 4096); // 8192 again: the same page once padded
 * data.write(new Uint8Array([1]), 4096); // 12288
 * ```
 */
export class FileData {
  /** The pieces to write, in order. */
  readonly pieces: DataPiece[] = [];
  /** File offset of each piece written, by content hash and size. */
  readonly seen: Map<string, number> = new Map<string, number>();
  /** File offset of the next new piece. */
  offset: number;
  /** Starts an empty section at file offset `start`. */
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

/**
 * `bytes` cut or zero-padded to `size` (the same array when it already has that size).
 *
 * @example
 * ```ts
 * import { padded } from "./header_writer.ts";
 * padded(new Uint8Array([1, 2]), 4); // Uint8Array [1, 2, 0, 0]
 * ```
 */
export function padded(bytes: Uint8Array, size: number): Uint8Array {
  if (bytes.length === size) return bytes;
  const out = new Uint8Array(size);
  out.set(bytes.subarray(0, size));
  return out;
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
 * Appends one initialization header to `w`, its file data (CoRIM documents
 * and signatures) to `data`.
 *
 * @example
 * ```ts
 * import { FileData, HeaderWriter, writeInitialization } from "./header_writer.ts";
 * import { parseIgvm } from "./parser.ts";
 * const file = parseIgvm(await Deno.readFile("testdata/sample.igvm"));
 * const w = new HeaderWriter();
 * const data = new FileData(4096, file);
 * writeInitialization(w, { type: "GuestPolicy", policy: 0x30000n, compatibilityMask: 1 }, data);
 * w.length; // 24
 * ```
 */
export function writeInitialization(
  w: HeaderWriter,
  h: InitializationHeader,
  data: FileData,
): void {
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
      const size = payloadLength(bytes);
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

/**
 * Appends one directive header to `w`, its file data (pages, VP contexts,
 * parameter areas' initial data) to `data`; `x64` is the file's
 * architecture. Throws `IgvmFormatError` for an `ErrorRange`, which the
 * reference serializer cannot write.
 *
 * @example
 * ```ts
 * import { FileData, HeaderWriter, writeDirective } from "./header_writer.ts";
 * import { parseIgvm } from "./parser.ts";
 * const file = parseIgvm(await Deno.readFile("testdata/sample.igvm"));
 * const w = new HeaderWriter();
 * const data = new FileData(4096, file);
 * writeDirective(w, { type: "VpCount", parameterAreaIndex: 0, byteOffset: 0 }, data, true);
 * const page = new Uint8Array(4096);
 * writeDirective(w, {
 *   type: "PageData", gpa: 0x1000n, compatibilityMask: 1, flags: 0, dataType: 0, data: page,
 * }, data, true);
 * data.pieces.length; // 1
 * ```
 */
export function writeDirective(
  w: HeaderWriter,
  h: DirectiveHeader,
  data: FileData,
  x64: boolean,
): void {
  switch (h.type) {
    case "PageData": {
      const offset = h.data === null || payloadLength(h.data) === 0
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
      const empty = h.initialData === null || payloadLength(h.initialData) === 0;
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
