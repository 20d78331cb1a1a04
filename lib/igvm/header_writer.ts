/**
 * The two buffers the serializer fills, as microsoft/igvm's
 * `IgvmFile::serialize` does (igvm/src/lib.rs): the variable headers, each
 * appended as `append_header` does (an 8-byte `IGVM_VHS_VARIABLE_HEADER`, the
 * structure, zero padding to 8 bytes), and the file data, deduplicated by
 * content as `FileDataSerializer` does. What goes into each header's
 * structure is written by the codecs (`*_codec.ts`).
 *
 * @module
 */

import type { HeaderRecord } from "./header_types.ts";
import { align8, setU32, type StructView } from "./layout.ts";
import { type Payload, readPayload } from "./source.ts";
import { IGVM_VHS_VARIABLE_HEADER } from "./structs.ts";
import type { IgvmFile } from "./types.ts";
import { IgvmFormatError } from "../errors.ts";
import { toHex } from "../encoding.ts";
import { sha256 } from "../hash.ts";

/**
 * One deduplicated piece of file data.
 */
export interface DataPiece {
  /** The data: a range of the source file, or bytes in hand. */
  readonly payload: Payload;
  /** Size on disk (the payload zero-padded to this). */
  readonly size: number;
}

const PREFIX = IGVM_VHS_VARIABLE_HEADER;

/**
 * A growing buffer of variable headers, each written as the crate's
 * `append_header` does: `{type, length}`, the structure, zeros to 8 bytes.
 *
 * @example
 * ```ts
 * import { HEADERS } from "./header_types.ts";
 * import { HeaderWriter } from "./header_writer.ts";
 * import { setU32, setU64 } from "./layout.ts";
 * import { IGVM_VHS_GUEST_POLICY } from "./structs.ts";
 * const w = new HeaderWriter();
 * const body = w.begin(HEADERS.GuestPolicy);
 * setU64(body, IGVM_VHS_GUEST_POLICY.fields.policy, 0x30000n);
 * setU32(body, IGVM_VHS_GUEST_POLICY.fields.compatibilityMask, 1);
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

  /** Appends the prefix and a zeroed structure of a header; returns where its structure lies. */
  begin(record: HeaderRecord): StructView {
    const size = record.struct.size;
    const prefix: StructView = { view: this.ensure(PREFIX.size + align8(size)), at: this.length };
    setU32(prefix, PREFIX.fields.type, record.type);
    setU32(prefix, PREFIX.fields.length, size);
    const at = this.length + PREFIX.size;
    this.bytes.fill(0, at, at + align8(size));
    this.length = at + align8(size);
    return { view: this.view, at };
  }

  /** Grows the buffer so that `n` more bytes fit; returns the (possibly new) view. */
  ensure(n: number): DataView {
    if (this.length + n <= this.bytes.length) return this.view;
    const next = new Uint8Array(Math.max(this.bytes.length * 2, this.length + n));
    next.set(this.bytes.subarray(0, this.length));
    this.bytes = next;
    this.view = new DataView(next.buffer);
    return this.view;
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
    const key = toHex(sha256(bytes)) + ":" + size;
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
