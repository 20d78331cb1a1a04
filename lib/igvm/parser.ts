/**
 * The IGVM parser: accepts and refuses exactly what microsoft/igvm's
 * `IgvmFile::new_from_binary` (no isolation filter) accepts and refuses.
 *
 * Layout (igvm_defs): `IGVM_FIXED_HEADER` (v1, 24 bytes) or
 * `IGVM_FIXED_HEADER_V2` (32 bytes) at offset 0; the variable-header section at
 * `variable_header_offset`, `variable_header_size` bytes long, holding platform
 * headers, then initialization headers, then directive headers, each an
 * 8-byte `{type u32, length u32}` prefix and its body; file data from the end
 * of that section to the end of the file. The CRC-32 `checksum` covers the
 * fixed header (checksum field zeroed) and the variable-header section.
 *
 * Parsing reads only the headers (and the small VP contexts). Page data stays
 * in the file, referenced by offset.
 *
 * @module
 */

import {
  Arch,
  FIXED_HEADER_V1_SIZE,
  FIXED_HEADER_V2_SIZE,
  FORMAT_VERSION_1,
  FORMAT_VERSION_2,
  HeaderType,
  IGVM_MAGIC,
  OPTIONAL_BIT,
  PAGE_SIZE_4K,
  RANGE_DIRECTIVE,
  RANGE_INIT,
  RANGE_PLATFORM,
  VARIABLE_HEADER_PREFIX_SIZE,
} from "./defs.ts";
import { crc32 } from "./crc32.ts";
import { fileError, HeaderError, type HeaderSection, sectionError } from "./format_error.ts";
import {
  directiveBodySize,
  type HeaderContext,
  initializationBodySize,
  parseDirective,
  parseInitialization,
  parsePlatform,
} from "./header_parser.ts";
import type {
  DirectiveHeader,
  IgvmFile,
  IgvmRevision,
  IgvmSource,
  InitializationHeader,
  PlatformHeader,
} from "./types.ts";
import { validateFile } from "./validate.ts";
import { bytesSource } from "./source.ts";

/**
 * Options for {@link parseIgvm}.
 *
 * @example
 * ```ts
 * import { parseIgvm, type ParseOptions } from "../mod.ts";
 * const options: ParseOptions = { optionalHeaders: "skip" };
 * const file = parseIgvm(await Deno.readFile("testdata/sample.igvm"), options);
 * console.log(file.directives.length);
 * ```
 */
export interface ParseOptions {
  /**
   * Unknown header types with the optional bit (0x80000000) set: `"refuse"`
   * (the default, as the reference parser does: it refuses every type outside
   * the three ranges) or `"skip"` (as the IGVM specification permits loaders
   * that do not recognise such a header).
   */
  readonly optionalHeaders?: "refuse" | "skip";
  /**
   * Which release of the reference parser to follow: `"head"` (the default;
   * microsoft/igvm e6c3ff1) or `"0.4.0"` (the crates.io release the original
   * igvmmeasure links, which also refuses SNP VMSA pages with non-zero bytes
   * past its 1648-byte `SevVmsa`, CoRIM and CCA headers, the CCA platform and
   * AArch64 VBS registers X2–X7).
   */
  readonly crateVersion?: "head" | "0.4.0";
}

function inRange(t: number, r: readonly [number, number]): boolean {
  return t >= r[0] && t <= r[1];
}

/** Reads and checks the fixed header; returns the revision and section bounds. */
function parseFixedHeader(source: IgvmSource) {
  const size = source.size;
  if (size < FIXED_HEADER_V1_SIZE) {
    throw fileError(
      "InvalidFixedHeader",
      `file is ${size} bytes, smaller than the IGVM fixed header`,
    );
  }
  const head = source.read(0, Math.min(size, FIXED_HEADER_V2_SIZE)).slice();
  const v = new DataView(head.buffer);
  // IGVM_FIXED_HEADER: magic @0, format_version @4, variable_header_offset @8,
  // variable_header_size @12, total_file_size @16, checksum @20; V2 adds architecture @24, page_size @28.
  const magic = v.getUint32(0, true);
  if (magic !== IGVM_MAGIC) {
    throw fileError(
      "InvalidFixedHeader",
      `not an IGVM file (magic 0x${magic.toString(16)}, expected "IGVM")`,
    );
  }
  const version = v.getUint32(4, true);
  let revision: IgvmRevision;
  let fixedSize = FIXED_HEADER_V1_SIZE;
  if (version === FORMAT_VERSION_1) {
    revision = { version: 1 };
  } else if (version === FORMAT_VERSION_2) {
    if (size < FIXED_HEADER_V2_SIZE) {
      throw fileError("InvalidFixedHeader", "file is too small for a version 2 fixed header");
    }
    const arch = v.getUint32(24, true);
    if (arch !== Arch.X64 && arch !== Arch.AARCH64) {
      throw fileError("InvalidFixedHeader", `unknown architecture ${arch} in the fixed header`);
    }
    const pageSize = v.getUint32(28, true);
    if (pageSize !== PAGE_SIZE_4K) {
      throw fileError(
        `UnsupportedPageSize(${pageSize})`,
        `page size 0x${pageSize.toString(16)} unsupported`,
      );
    }
    revision = { version: 2, arch: arch as Arch, pageSize };
    fixedSize = FIXED_HEADER_V2_SIZE;
  } else {
    throw fileError("InvalidFixedHeader", `unsupported IGVM format version ${version}`);
  }
  const totalFileSize = v.getUint32(16, true);
  if (totalFileSize !== size) {
    throw fileError(
      "InvalidFixedHeader",
      `total_file_size says ${totalFileSize} bytes but the file has ${size} (truncated or padded)`,
    );
  }
  const varOffset = v.getUint32(8, true);
  const varSize = v.getUint32(12, true);
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
  const fixed = head.slice(0, fixedSize);
  const checksum = v.getUint32(20, true);
  fixed.fill(0, 20, 24);
  return { revision, fixed, varOffset, varSize, fileDataStart, checksum };
}

/**
 * Parses an IGVM file, validating it as the reference parser does.
 *
 * Throws {@link IgvmFormatError} (with the crate's error name in `code`) for
 * any file the reference parser refuses.
 *
 * @example
 * ```ts
 * import { parseIgvm } from "./parser.ts";
 * import { bytesSource } from "./source.ts";
 * const bytes = await Deno.readFile("testdata/sample.igvm");
 * const file = parseIgvm(bytesSource(bytes));
 * console.log(file.platforms.length, file.directives.length);
 * ```
 */
export function parseIgvm(source: IgvmSource | Uint8Array, options: ParseOptions = {}): IgvmFile {
  const src = source instanceof Uint8Array ? bytesSource(source) : source;
  const { revision, fixed, varOffset, varSize, fileDataStart, checksum } = parseFixedHeader(src);
  // Only read, never changed: no copy (the headers keep copies of the few byte fields they hold).
  const section = src.read(varOffset, varSize);
  const expected = crc32(section, crc32(fixed));
  if (expected !== checksum) {
    throw fileError(
      `InvalidChecksum { expected: ${expected}, header_value: ${checksum} }`,
      `bad header checksum: computed 0x${expected.toString(16).padStart(8, "0")}, ` +
        `header says 0x${checksum.toString(16).padStart(8, "0")}`,
    );
  }
  const arch = revision.version === 2 ? revision.arch : Arch.X64;
  const maskMap = new Map<number, number>();
  const ctx: HeaderContext = {
    source: src,
    fileDataStart,
    arch,
    maskMap,
    legacy: options.crateVersion === "0.4.0",
  };
  const view = new DataView(section.buffer, section.byteOffset, section.byteLength);
  const platforms: PlatformHeader[] = [];
  const initializations: InitializationHeader[] = [];
  const directives: DirectiveHeader[] = [];
  let stage: HeaderSection = "platform";
  let pos = 0;
  let index = 0;
  while (pos < section.length) {
    index++;
    if (section.length - pos < VARIABLE_HEADER_PREFIX_SIZE) {
      throw fileError(
        "InvalidBinaryVariableHeaderSection",
        `variable header #${index} at offset ${varOffset + pos} is truncated`,
      );
    }
    const type = view.getUint32(pos, true);
    const length = view.getUint32(pos + 4, true);
    const body = { view, at: pos + VARIABLE_HEADER_PREFIX_SIZE };
    const remaining = section.length - body.at;
    let sectionOf: HeaderSection;
    if (inRange(type, RANGE_PLATFORM)) sectionOf = "platform";
    else if (inRange(type, RANGE_INIT)) sectionOf = "initialization";
    else if (inRange(type, RANGE_DIRECTIVE)) sectionOf = "directive";
    else if ((type & OPTIONAL_BIT) !== 0 && options.optionalHeaders === "skip") {
      const padded = length + ((8 - (length % 8)) % 8);
      if (padded > remaining) {
        throw fileError(
          "InvalidBinaryVariableHeaderSection",
          `optional header #${index} is truncated`,
        );
      }
      pos = body.at + padded;
      continue;
    } else {
      const optional = (type & OPTIONAL_BIT) !== 0
        ? " (optional bit set; the reference parser refuses it too)"
        : "";
      throw fileError(
        "InvalidBinaryVariableHeaderSection",
        `unknown variable header type 0x${type.toString(16)} in header #${index}${optional}`,
      );
    }
    const order = { platform: 0, initialization: 1, directive: 2 };
    if (order[sectionOf] < order[stage]) {
      throw fileError(
        "InvalidBinaryVariableHeaderSection",
        `${sectionOf} header #${index} (type 0x${type.toString(16)}) after ${stage} headers`,
      );
    }
    stage = sectionOf;
    try {
      const want = sectionOf === "platform"
        ? (type === HeaderType.SUPPORTED_PLATFORM ? 16 : undefined)
        : sectionOf === "initialization"
        ? initializationBodySize(type, ctx.legacy)
        : directiveBodySize(type);
      if (want === undefined || length !== want) {
        throw new HeaderError(
          "InvalidVariableHeaderType",
          undefined,
          want === undefined
            ? `type 0x${type.toString(16)} is not defined`
            : `type 0x${type.toString(16)} has length ${length}, expected ${want}`,
        );
      }
      // VP context bodies (20 bytes) are followed by 4 bytes of padding the crate skips.
      const consumed = type === HeaderType.VP_CONTEXT ? 24 : want;
      if (remaining < want || remaining < consumed) {
        throw new HeaderError(
          "InvalidVariableHeaderSize",
          undefined,
          `${remaining} bytes left for a ${want}-byte body`,
        );
      }
      if (sectionOf === "platform") {
        const h = parsePlatform(body, ctx.legacy);
        maskMap.set(h.compatibilityMask, h.platformType);
        platforms.push(h);
      } else if (sectionOf === "initialization") {
        const h = parseInitialization(type, body, ctx);
        // The crate drops headers whose compatibility mask is 0 (they match no platform).
        if (h.compatibilityMask !== 0) initializations.push(h);
      } else {
        const h = parseDirective(type, body, ctx);
        const mask = "compatibilityMask" in h ? h.compatibilityMask : undefined;
        if (mask !== 0) directives.push(h);
      }
      pos = body.at + consumed;
    } catch (e) {
      if (e instanceof HeaderError) throw sectionError(sectionOf, e, index);
      throw e;
    }
  }
  const file: IgvmFile = { revision, platforms, initializations, directives, source: src };
  validateFile(file);
  return file;
}
