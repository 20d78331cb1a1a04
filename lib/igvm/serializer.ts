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
} from "./defs.ts";
import { crc32 } from "./crc32.ts";
import { readPayload } from "./source.ts";
import { IgvmFormatError } from "../errors.ts";
import {
  FileData,
  HeaderWriter,
  padded,
  writeDirective,
  writeInitialization,
} from "./header_writer.ts";
import type { DirectiveHeader, IgvmFile, InitializationHeader, Payload } from "./types.ts";

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
  let at = 0;
  for (const chunk of serializedChunks(file, layout)) {
    out.set(chunk, at);
    at += chunk.length;
  }
  return out;
}

/**
 * The bytes of the serialized file in order, one header block and then one
 * padded data piece at a time, so a large file can be written without holding
 * it in memory.
 *
 * @example
 * ```ts
 * import { serializedChunks } from "./serializer.ts";
 * import { parseIgvm } from "./parser.ts";
 * const file = parseIgvm(await Deno.readFile("testdata/sample.igvm"));
 * let size = 0;
 * for (const chunk of serializedChunks(file)) size += chunk.length;
 * ```
 */
export function* serializedChunks(
  file: IgvmFile,
  layout = layoutIgvm(file),
): Generator<Uint8Array> {
  yield layout.headers;
  for (const piece of layout.data) {
    yield padded(readPayload(piece.payload, file.source), piece.size);
  }
}
