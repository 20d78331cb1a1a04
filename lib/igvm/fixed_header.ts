/**
 * The fixed header (`IGVM_FIXED_HEADER` or `IGVM_FIXED_HEADER_V2`,
 * `structs.ts`) read with the checks of microsoft/igvm
 * `IgvmFile::new_from_binary`, in its order, and written as
 * `IgvmFile::serialize` writes it.
 *
 * @module
 */

import { Arch, FORMAT_VERSION_1, FORMAT_VERSION_2, IGVM_MAGIC, PAGE_SIZE_4K } from "./defs.ts";
import { fileError } from "./format_error.ts";
import { getU32, setU32, type StructView } from "./layout.ts";
import type { IgvmSource } from "./source.ts";
import { IGVM_FIXED_HEADER, IGVM_FIXED_HEADER_V2 } from "./structs.ts";
import type { IgvmRevision } from "./types.ts";

const F = IGVM_FIXED_HEADER_V2.fields;

/**
 * What the fixed header says: the revision, where the variable headers and
 * the file data lie, the stored checksum, and the header's own bytes with the
 * checksum zeroed (the start of the checksummed bytes).
 */
export interface FixedHeader {
  /** Format revision. */
  readonly revision: IgvmRevision;
  /** The fixed header as stored, with its checksum field zeroed. */
  readonly fixed: Uint8Array;
  /** `variable_header_offset`. */
  readonly varOffset: number;
  /** `variable_header_size`. */
  readonly varSize: number;
  /** Where file data starts: `variable_header_offset + variable_header_size`. */
  readonly fileDataStart: number;
  /** `checksum` as stored. */
  readonly checksum: number;
}

/** `IgvmFile::new`'s and the fixed header's rule: only 4 KiB pages (`UnsupportedPageSize`). */
export function checkPageSize(pageSize: number): void {
  if (pageSize !== PAGE_SIZE_4K) {
    throw fileError(
      `UnsupportedPageSize(${pageSize})`,
      `page size 0x${pageSize.toString(16)} unsupported`,
    );
  }
}

/** The revision from a fixed header's version (and, for v2, architecture and page size). */
function revisionOf(v: StructView, size: number): IgvmRevision {
  const version = getU32(v, F.formatVersion);
  if (version === FORMAT_VERSION_1) return { version: 1 };
  if (version !== FORMAT_VERSION_2) {
    throw fileError("InvalidFixedHeader", `unsupported IGVM format version ${version}`);
  }
  if (size < IGVM_FIXED_HEADER_V2.size) {
    throw fileError("InvalidFixedHeader", "file is too small for a version 2 fixed header");
  }
  const arch = getU32(v, F.architecture);
  if (arch !== Arch.X64 && arch !== Arch.AARCH64) {
    throw fileError("InvalidFixedHeader", `unknown architecture ${arch} in the fixed header`);
  }
  const pageSize = getU32(v, F.pageSize);
  checkPageSize(pageSize);
  return { version: 2, arch: arch as Arch, pageSize };
}

/**
 * Reads and checks the fixed header of `source`. Throws `IgvmFormatError`
 * (`InvalidFixedHeader`, `UnsupportedPageSize`) as the crate refuses.
 *
 * @example
 * ```ts
 * import { decodeFixedHeader } from "./fixed_header.ts";
 * import { bytesSource } from "./source.ts";
 * decodeFixedHeader(bytesSource(await Deno.readFile("testdata/sample.igvm"))).revision; // { version: 1 }
 * ```
 */
export function decodeFixedHeader(source: IgvmSource): FixedHeader {
  const size = source.size;
  if (size < IGVM_FIXED_HEADER.size) {
    throw fileError(
      "InvalidFixedHeader",
      `file is ${size} bytes, smaller than the IGVM fixed header`,
    );
  }
  const head = source.read(0, Math.min(size, IGVM_FIXED_HEADER_V2.size)).slice();
  const v: StructView = {
    view: new DataView(head.buffer, head.byteOffset, head.byteLength),
    at: 0,
  };
  const magic = getU32(v, F.magic);
  if (magic !== IGVM_MAGIC) {
    throw fileError(
      "InvalidFixedHeader",
      `not an IGVM file (magic 0x${magic.toString(16)}, expected "IGVM")`,
    );
  }
  const revision = revisionOf(v, size);
  const totalFileSize = getU32(v, F.totalFileSize);
  if (totalFileSize !== size) {
    throw fileError(
      "InvalidFixedHeader",
      `total_file_size says ${totalFileSize} bytes but the file has ${size} (truncated or padded)`,
    );
  }
  const varOffset = getU32(v, F.variableHeaderOffset);
  const varSize = getU32(v, F.variableHeaderSize);
  if (varOffset >= size) {
    throw fileError(
      "InvalidFixedHeader",
      `variable header offset ${varOffset} is past the end of the file`,
    );
  }
  // The crate adds these as u32; a sum that wraps would make it split the file out of bounds.
  const fileDataStart = varOffset + varSize;
  if (fileDataStart >= size || fileDataStart > 0xffffffff) {
    throw fileError(
      "InvalidFixedHeader",
      `variable header section (offset ${varOffset}, size ${varSize}) leaves no file data in a ${size}-byte file`,
    );
  }
  const checksum = getU32(v, F.checksum);
  setU32(v, F.checksum, 0);
  const fixed = head.slice(0, fixedHeaderSize(revision));
  return { revision, fixed, varOffset, varSize, fileDataStart, checksum };
}

/**
 * Size of the fixed header of `revision`: 24 bytes (v1) or 32 (v2).
 *
 * @example
 * ```ts
 * import { fixedHeaderSize } from "./fixed_header.ts";
 * fixedHeaderSize({ version: 1 }); // 24
 * ```
 */
export function fixedHeaderSize(revision: IgvmRevision): number {
  return revision.version === 2 ? IGVM_FIXED_HEADER_V2.size : IGVM_FIXED_HEADER.size;
}

/**
 * Writes the fixed header of `revision` at the start of `headers` (the fixed
 * header followed by `varSize` bytes of variable headers), for a file of
 * `totalFileSize` bytes, with the checksum field 0 (the caller sets it once
 * the headers are complete).
 *
 * @example
 * ```ts
 * import { encodeFixedHeader } from "./fixed_header.ts";
 * const headers = new Uint8Array(24 + 8);
 * encodeFixedHeader(headers, { version: 1 }, 8, 4096);
 * new DataView(headers.buffer).getUint32(8, true); // 24: variable headers follow the fixed header
 * ```
 */
export function encodeFixedHeader(
  headers: Uint8Array,
  revision: IgvmRevision,
  varSize: number,
  totalFileSize: number,
): void {
  const v: StructView = { view: new DataView(headers.buffer, headers.byteOffset), at: 0 };
  setU32(v, F.magic, IGVM_MAGIC);
  setU32(v, F.formatVersion, revision.version);
  setU32(v, F.variableHeaderOffset, fixedHeaderSize(revision));
  setU32(v, F.variableHeaderSize, varSize);
  setU32(v, F.totalFileSize, totalFileSize);
  setU32(v, F.checksum, 0);
  if (revision.version === 2) {
    setU32(v, F.architecture, revision.arch);
    setU32(v, F.pageSize, revision.pageSize);
  }
}

/**
 * Sets the checksum field of the fixed header at the start of `headers`.
 *
 * @example
 * ```ts
 * import { setChecksum } from "./fixed_header.ts";
 * const headers = new Uint8Array(24);
 * setChecksum(headers, 0xcbf43926);
 * new DataView(headers.buffer).getUint32(20, true); // 0xcbf43926
 * ```
 */
export function setChecksum(headers: Uint8Array, checksum: number): void {
  setU32({ view: new DataView(headers.buffer, headers.byteOffset), at: 0 }, F.checksum, checksum);
}
