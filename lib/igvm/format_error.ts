/**
 * Builds {@link IgvmFormatError}s that carry both a readable sentence and the
 * reference parser's name for the refusal (microsoft/igvm `igvm::Error` and
 * `BinaryHeaderError`, with their `Display` texts).
 *
 * @module
 */

import { IgvmFormatError } from "../errors.ts";

/** `BinaryHeaderError` variants and their readable texts. */
const HEADER_ERRORS: Record<string, string> = {
  UnalignedAddress: "address is not aligned to 4 KiB",
  UnalignedSize: "size is not a multiple of 4 KiB",
  InvalidDataSize: "file data lies outside the file",
  InvalidVariableHeaderSize: "header is truncated",
  InvalidVariableHeaderType: "unknown header type or wrong header length",
  InvalidPageDataType: "invalid page data type",
  InvalidVpContextPlatformType: "VP context compatibility mask names no supported platform",
  InvalidVmsa: "invalid VMSA",
  InvalidContext: "invalid VP context (non-zero bytes after the register structure)",
  InvalidCompatibilityMask: "compatibility mask must have exactly one bit set",
  InvalidVtl: "invalid VTL",
  InvalidPlatformType: "invalid platform type",
  InvalidPlatformVersion: "invalid platform version",
  InvalidSharedGpaBoundary: "shared GPA boundary must be zero for this platform",
  InvalidOnesZeroesMasks: "required-ones and required-zeroes masks overlap",
  ReservedNotZero: "reserved field is not zero",
  NoVbsVpContextRegisters: "VBS VP context has no registers",
  RelocationSize: "relocation region size is not a multiple of 4 KiB",
  RelocationAlignment: "relocation alignment is not a multiple of 4 KiB",
  RelocationAddress: "relocation address is not aligned to the relocation alignment",
  InvalidPageTableRegionSize: "page table region used size exceeds its size",
  UnsupportedX64Register: "unsupported x64 register in VBS VP context",
  UnsupportedAArch64Register: "unsupported AArch64 register in VBS VP context",
  MultipleCorimDocuments: "more than one CoRIM document for a compatibility mask",
  MultipleCorimSignatures: "more than one CoRIM signature for a compatibility mask",
  MissingCorimDocument: "CoRIM signature without a preceding CoRIM document",
};

/** Which section a header error belongs to (the `igvm::Error` wrapper). */
export type HeaderSection = "platform" | "initialization" | "directive";

const SECTION_CODES: Record<HeaderSection, string> = {
  platform: "InvalidBinaryPlatformHeader",
  initialization: "InvalidBinaryInitializationHeader",
  directive: "InvalidBinaryDirectiveHeader",
};

/**
 * A header-level refusal, before it is attributed to a section. Internal to
 * the parser: it is always rethrown as an {@link IgvmFormatError} by
 * {@link sectionError}.
 *
 * @example
 * ```ts
 * import { HeaderError } from "./format_error.ts";
 * const e = new HeaderError("UnalignedSize", 0x800n, "parameter area");
 * console.log(e.variant, e.value, e.detail); // UnalignedSize 2048n parameter area
 * ```
 */
export class HeaderError extends Error {
  /** The `BinaryHeaderError` variant. */
  readonly variant: string;
  /** The variant's value (an address or size), if it has one. */
  readonly value?: bigint | number;
  /** Extra words about the offending header. */
  readonly detail?: string;
  /** Creates the error. */
  constructor(variant: string, value?: bigint | number, detail?: string) {
    super(variant);
    this.variant = variant;
    this.value = value;
    this.detail = detail;
  }
}

function hex(v: bigint | number): string {
  return "0x" + v.toString(16);
}

/**
 * Wraps a {@link HeaderError} as the crate does (`Error::InvalidBinary…Header(e)`);
 * `index` is the header's 1-based number within its section.
 *
 * @example
 * ```ts
 * import { HeaderError, sectionError } from "./format_error.ts";
 * const e = sectionError("directive", new HeaderError("UnalignedAddress", 0x1001n), 3);
 * e.code; // "InvalidBinaryDirectiveHeader(UnalignedAddress(4097))"
 * e.message; // "invalid directive header #3: address is not aligned to 4 KiB (0x1001) […]"
 * ```
 */
export function sectionError(
  section: HeaderSection,
  e: HeaderError,
  index: number,
): IgvmFormatError {
  const inner = e.value === undefined ? e.variant : `${e.variant}(${e.value})`;
  const code = `${SECTION_CODES[section]}(${inner})`;
  let text = HEADER_ERRORS[e.variant] ?? e.variant;
  if (e.value !== undefined) text += ` (${hex(e.value)})`;
  if (e.detail) text += `: ${e.detail}`;
  return new IgvmFormatError(`invalid ${section} header #${index}: ${text} [${code}]`, code);
}

/**
 * A file-level refusal (`igvm::Error` variants without a header error).
 *
 * @example
 * ```ts
 * import { fileError } from "./format_error.ts";
 * const e = fileError("InvalidFixedHeader", "not an IGVM file");
 * e.message; // "not an IGVM file [InvalidFixedHeader]"
 * ```
 */
export function fileError(code: string, text: string): IgvmFormatError {
  return new IgvmFormatError(`${text} [${code}]`, code);
}

/**
 * Runs `check`, turning a {@link HeaderError} it throws into the crate's
 * section error for header #`index`.
 *
 * @example
 * ```ts
 * import { HeaderError, inSection } from "./format_error.ts";
 * try {
 *   inSection("directive", 3, () => {
 *     throw new HeaderError("UnalignedAddress", 0x1001n);
 *   });
 * } catch (e) {
 *   console.log((e as Error).message); // invalid directive header #3: ...
 * }
 * ```
 */
export function inSection(section: HeaderSection, index: number, check: () => void): void {
  try {
    check();
  } catch (e) {
    if (e instanceof HeaderError) throw sectionError(section, e, index);
    throw e;
  }
}
