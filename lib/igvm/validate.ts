/**
 * File-level validation: microsoft/igvm `IgvmFile::new` (igvm/src/lib.rs),
 * which runs, in this order, the page-size check, `validate_platform_headers`,
 * `validate_initialization_headers` (which returns what the directives are
 * checked against) and `validate_directive_headers`. Each section validator
 * checks every header on its own first (`header_validate.ts`), then the rule
 * of its type that needs the headers around it; the rules are one small
 * function per header type, listed in a record.
 *
 * @module
 */

import { Arch, PLATFORM_NAMES, PlatformType } from "./defs.ts";
import { checkPageSize } from "./fixed_header.ts";
import { fileError, inSection } from "./format_error.ts";
import { validatePlatform } from "./header_validate.ts";
import type { DirectiveHeader, IgvmFile, IgvmRevision, PlatformHeader } from "./types.ts";
import { validateDirectiveHeaders } from "./validate_directives.ts";
import { archOf, validateInitializationHeaders } from "./validate_initializations.ts";

/** `IgvmFile::new`: only 4 KiB pages. */
function validateRevision(revision: IgvmRevision): void {
  if (revision.version === 2) checkPageSize(revision.pageSize);
}

/** `validate_platform_headers`: each valid, on its architecture, one per platform type; at least one. */
function validatePlatformHeaders(
  revision: IgvmRevision,
  platforms: readonly PlatformHeader[],
  checkHeaders: boolean,
) {
  const { arch, archName } = archOf(revision);
  const seen = new Set<number>();
  platforms.forEach((p, i) => {
    if (checkHeaders) inSection("platform", i + 1, () => validatePlatform(p));
    const t = p.platformType;
    const needs = t === PlatformType.VSM_ISOLATION
      ? undefined
      : t === PlatformType.CCA
      ? Arch.AARCH64
      : Arch.X64;
    if (needs !== undefined && needs !== arch) {
      throw fileError(
        `PlatformArchUnsupported { arch: ${archName}, platform: ${PLATFORM_NAMES[t]} }`,
        `platform ${PLATFORM_NAMES[t]} is not supported on architecture ${archName}`,
      );
    }
    if (seen.has(t)) {
      throw fileError(
        "MultiplePlatformHeadersWithSameIsolation",
        `more than one platform header for ${PLATFORM_NAMES[t]}`,
      );
    }
    seen.add(t);
  });
  if (platforms.length === 0) {
    throw fileError("NoPlatformHeaders", "the file has no platform header");
  }
}

function validate(
  file: IgvmFile,
  checkHeaders: boolean,
  ruled: readonly DirectiveHeader[] = file.directives,
): void {
  validateRevision(file.revision);
  validatePlatformHeaders(file.revision, file.platforms, checkHeaders);
  const info = validateInitializationHeaders(file, checkHeaders);
  validateDirectiveHeaders(file, info, checkHeaders, ruled);
}

/**
 * Applies the crate's checks of a whole file (`IgvmFile::new`) to a parsed or
 * built file: every header on its own, then the rules between headers. Throws
 * {@link IgvmFormatError} with the crate's error name.
 *
 * @example
 * ```ts
 * import { IgvmFormatError, validateFile } from "../mod.ts";
 * try {
 *   validateFile({ revision: { version: 1 }, platforms: [], initializations: [], directives: [] });
 * } catch (e) {
 *   if (!(e instanceof IgvmFormatError)) throw e;
 *   console.log(e.code); // "NoPlatformHeaders"
 * }
 * ```
 */
export function validateFile(file: IgvmFile): void {
  validate(file, true);
}

/**
 * {@link validateFile} for a file the parser has just decoded, whose
 * initialization and directive headers it has checked one by one already.
 * `ruled` (default: all the directives) are those the rules between headers
 * may concern, in file order: page data has none, so the parser passes the
 * others only (on a large file, tens of thousands of headers fewer to visit).
 *
 * @example
 * ```ts
 * import { validateParsedFile } from "./validate.ts";
 * import { parseIgvm } from "./parser.ts";
 * validateParsedFile(parseIgvm(await Deno.readFile("testdata/sample.igvm"))); // valid: returns
 * ```
 */
export function validateParsedFile(
  file: IgvmFile,
  ruled: readonly DirectiveHeader[] = file.directives,
): void {
  validate(file, false, ruled);
}
