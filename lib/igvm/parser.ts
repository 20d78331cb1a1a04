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

import { HeaderType, OPTIONAL_BIT, RANGE_DIRECTIVE, RANGE_INIT, RANGE_PLATFORM } from "./defs.ts";
import { crc32 } from "./crc32.ts";
import { decodeDirective, decodePageData } from "./directive_codec.ts";
import { decodeFixedHeader } from "./fixed_header.ts";
import { fileError, HeaderError, type HeaderSection, sectionError } from "./format_error.ts";
import type { HeaderContext } from "./header_context.ts";
import { structOfType } from "./header_types.ts";
import { decodeInitialization } from "./initialization_codec.ts";
import { align8, getU32, type StructView } from "./layout.ts";
import { decodePlatform } from "./platform_codec.ts";
import { bytesSource, type IgvmSource } from "./source.ts";
import { IGVM_VHS_PAGE_DATA, IGVM_VHS_VARIABLE_HEADER } from "./structs.ts";
import type { DirectiveHeader, IgvmFile, InitializationHeader, PlatformHeader } from "./types.ts";
import { validateParsedFile } from "./validate.ts";
import { archOf } from "./validate_initializations.ts";

/**
 * Options for {@link parseIgvm}.
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

/** The three sections, in the order the file must hold them. */
const SECTIONS: readonly HeaderSection[] = ["platform", "initialization", "directive"];
const PLATFORM = 0;
const INITIALIZATION = 1;

/** The index in {@link SECTIONS} of the section a header type belongs to, or -1 outside the three ranges. */
function sectionOfType(type: number): number {
  if (type >= RANGE_PLATFORM[0] && type <= RANGE_PLATFORM[1]) return PLATFORM;
  if (type >= RANGE_INIT[0] && type <= RANGE_INIT[1]) return INITIALIZATION;
  if (type >= RANGE_DIRECTIVE[0] && type <= RANGE_DIRECTIVE[1]) return 2;
  return -1;
}

const PREFIX = IGVM_VHS_VARIABLE_HEADER;
const PAGE_DATA = IGVM_VHS_PAGE_DATA;

/** The headers decoded so far. */
interface Decoded {
  readonly platforms: PlatformHeader[];
  readonly initializations: InitializationHeader[];
  readonly directives: DirectiveHeader[];
  /** The directives other than page data, which the rules between headers concern. */
  readonly ruled: DirectiveHeader[];
  /** Platform type by compatibility mask (the context's `maskMap`). */
  readonly maskMap: Map<number, number>;
}

/** The CRC-32 of the fixed header (checksum zeroed) and the variable headers must match. */
function checkChecksum(fixed: Uint8Array, section: Uint8Array, checksum: number): void {
  const expected = crc32(section, crc32(fixed));
  if (expected !== checksum) {
    throw fileError(
      `InvalidChecksum { expected: ${expected}, header_value: ${checksum} }`,
      `bad header checksum: computed 0x${expected.toString(16).padStart(8, "0")}, ` +
        `header says 0x${checksum.toString(16).padStart(8, "0")}`,
    );
  }
}

/**
 * Decodes the header of `type` and `length` in section `section` (an index in
 * {@link SECTIONS}) whose structure starts at `body` (`remaining` bytes left
 * in the section) into `out`; returns the bytes it takes after its prefix.
 * Throws {@link HeaderError}.
 */
function decodeHeader(
  section: number,
  type: number,
  length: number,
  body: StructView,
  remaining: number,
  ctx: HeaderContext,
  out: Decoded,
): number {
  const want = structOfType(type, ctx.legacy)?.size;
  if (want === undefined || length !== want) {
    throw new HeaderError(
      "InvalidVariableHeaderType",
      undefined,
      want === undefined
        ? `type 0x${type.toString(16)} is not defined`
        : `type 0x${type.toString(16)} has length ${length}, expected ${want}`,
    );
  }
  // Each structure is followed by zeros up to 8 bytes (4 after a 20-byte VP context); the crate skips them.
  const consumed = align8(want);
  if (remaining < consumed) {
    throw new HeaderError(
      "InvalidVariableHeaderSize",
      undefined,
      `${remaining} bytes left for a ${want}-byte body`,
    );
  }
  if (section === PLATFORM) {
    const h = decodePlatform(body, ctx.legacy);
    out.maskMap.set(h.compatibilityMask, h.platformType);
    out.platforms.push(h);
  } else if (section === INITIALIZATION) {
    const h = decodeInitialization(type, body, ctx);
    // The crate drops headers whose compatibility mask is 0 (they match no platform).
    if (h.compatibilityMask !== 0) out.initializations.push(h);
  } else {
    // Never page data: decodeHeaders' fast path takes every page-data header that decodes.
    const h = decodeDirective(type, body, ctx);
    if (!("compatibilityMask" in h) || h.compatibilityMask !== 0) {
      out.directives.push(h);
      out.ruled.push(h);
    }
  }
  return consumed;
}

/**
 * Decodes the variable-header section `section` (at file offset `varOffset`)
 * into `out`, header by header, as the crate's loop does: each header's
 * prefix, its section (platform, then initialization, then directive
 * headers), its structure and its own checks. Throws {@link IgvmFormatError}.
 */
function decodeHeaders(
  section: Uint8Array,
  varOffset: number,
  ctx: HeaderContext,
  options: ParseOptions,
  out: Decoded,
): void {
  // One view, moved from header to header: a header allocates only what it decodes to.
  const at: { readonly view: DataView; at: number } = {
    view: new DataView(section.buffer, section.byteOffset, section.byteLength),
    at: 0,
  };
  const end = section.length;
  let stage = PLATFORM;
  let pos = 0;
  let index = 0;
  try {
    while (pos < end) {
      index++;
      if (end - pos < PREFIX.size) {
        throw fileError(
          "InvalidBinaryVariableHeaderSection",
          `variable header #${index} at offset ${varOffset + pos} is truncated`,
        );
      }
      at.at = pos;
      const type = getU32(at, PREFIX.fields.type);
      const length = getU32(at, PREFIX.fields.length);
      at.at = pos + PREFIX.size;
      const sectionOf = sectionOfType(type);
      if (sectionOf < 0) {
        pos = at.at + skipUnknown(type, length, end - at.at, index, options);
        continue;
      }
      if (sectionOf < stage) {
        throw fileError(
          "InvalidBinaryVariableHeaderSection",
          `${SECTIONS[sectionOf]} header #${index} (type 0x${type.toString(16)}) ` +
            `after ${SECTIONS[stage]} headers`,
        );
      }
      stage = sectionOf;
      if (
        type === HeaderType.PAGE_DATA && length === PAGE_DATA.size && end - at.at >= PAGE_DATA.size
      ) {
        // Most headers of a large file: decodeHeader's checks, known to pass, skipped.
        const h = decodePageData(at, ctx);
        if (h.compatibilityMask !== 0) out.directives.push(h);
        pos = at.at + PAGE_DATA.size;
        continue;
      }
      pos = at.at + decodeHeader(sectionOf, type, length, at, end - at.at, ctx, out);
    }
  } catch (e) {
    // The header decoders throw HeaderError (decodeHeader, and decodePageData on the fast path), for
    // the header of the section just entered: `stage` is already that section.
    if (e instanceof HeaderError) throw sectionError(SECTIONS[stage], e, index);
    throw e;
  }
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
  const { revision, fixed, varOffset, varSize, fileDataStart, checksum } = decodeFixedHeader(src);
  // Only read, never changed: no copy (the headers keep copies of the few byte fields they hold).
  const section = src.read(varOffset, varSize);
  checkChecksum(fixed, section, checksum);
  const out: Decoded = {
    platforms: [],
    initializations: [],
    directives: [],
    ruled: [],
    maskMap: new Map(),
  };
  const ctx: HeaderContext = {
    source: src,
    fileDataStart,
    arch: archOf(revision).arch,
    maskMap: out.maskMap,
    legacy: options.crateVersion === "0.4.0",
  };
  decodeHeaders(section, varOffset, ctx, options, out);
  const { platforms, initializations, directives } = out;
  const file: IgvmFile = { revision, platforms, initializations, directives, source: src };
  validateParsedFile(file, out.ruled);
  return file;
}

/**
 * A header of a type outside the three ranges: with `optionalHeaders: "skip"`
 * and the optional bit set, the bytes to skip after its prefix; otherwise the
 * crate's refusal.
 */
function skipUnknown(
  type: number,
  length: number,
  remaining: number,
  index: number,
  options: ParseOptions,
): number {
  if ((type & OPTIONAL_BIT) === 0 || options.optionalHeaders !== "skip") {
    const optional = (type & OPTIONAL_BIT) !== 0
      ? " (optional bit set; the reference parser refuses it too)"
      : "";
    throw fileError(
      "InvalidBinaryVariableHeaderSection",
      `unknown variable header type 0x${type.toString(16)} in header #${index}${optional}`,
    );
  }
  if (align8(length) > remaining) {
    throw fileError("InvalidBinaryVariableHeaderSection", `optional header #${index} is truncated`);
  }
  return align8(length);
}
