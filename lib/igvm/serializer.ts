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

import { crc32 } from "./crc32.ts";
import { Arch } from "./defs.ts";
import { encodeDirective } from "./directive_codec.ts";
import { encodeFixedHeader, fixedHeaderSize, setChecksum } from "./fixed_header.ts";
import { HEADERS } from "./header_types.ts";
import { type DataPiece, FileData, HeaderWriter, padded } from "./header_writer.ts";
import { encodeInitialization } from "./initialization_codec.ts";
import { align8 } from "./layout.ts";
import { encodePlatform } from "./platform_codec.ts";
import { readPayload } from "./source.ts";
import { IGVM_VHS_VARIABLE_HEADER } from "./structs.ts";
import type { IgvmFile } from "./types.ts";
import { archOf } from "./validate_initializations.ts";
import { IgvmFormatError } from "../errors.ts";

export type { DataPiece } from "./header_writer.ts";

/**
 * A serialized file: its parts, to be written one after another.
 */
export interface SerializedIgvm {
  /** Total size in bytes. */
  readonly size: number;
  /** The fixed header and variable headers. */
  readonly headers: Uint8Array;
  /** The file data pieces, in file order. Each is read and padded on output. */
  readonly data: readonly DataPiece[];
}

/** Size of the variable-header section `file` serializes to. */
function variableHeaderSize(file: IgvmFile): number {
  let size = 0;
  for (const list of [file.platforms, file.initializations, file.directives]) {
    for (const h of list) {
      size += IGVM_VHS_VARIABLE_HEADER.size + align8(HEADERS[h.type].struct.size);
    }
  }
  return size;
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
  const fixedSize = fixedHeaderSize(file.revision);
  const data = new FileData(fixedSize + variableHeaderSize(file), file);
  const w = new HeaderWriter();
  w.ensure(fixedSize);
  w.length = fixedSize;
  for (const p of file.platforms) encodePlatform(w.begin(HEADERS[p.type]), p);
  for (const h of file.initializations) encodeInitialization(w, h, data);
  const x64 = archOf(file.revision).arch === Arch.X64;
  for (const h of file.directives) encodeDirective(w, h, data, x64);
  const headers = w.bytes.slice(0, w.length);
  const size = data.offset;
  if (size > 0xffffffff) {
    throw new IgvmFormatError("total file size too large", "TotalFileSizeTooLarge");
  }
  encodeFixedHeader(headers, file.revision, w.length - fixedSize, size);
  setChecksum(headers, crc32(headers));
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
