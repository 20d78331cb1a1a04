/**
 * igvmmeasure as a library: parse IGVM files, compute their launch
 * measurements, and write them back. Runs in Deno, Node.js 20 and later, and
 * browsers (no Deno APIs here; the CLI's file access lives in `lib/cli/`).
 *
 * @example
 * ```ts
 * import { measure, parseIgvm, toHex } from "./mod.ts";
 * const file = parseIgvm(await Deno.readFile("testdata/sample.igvm"));
 * const { digest } = measure(file, { platform: "sev-snp" });
 * console.log(toHex(digest).toUpperCase());
 * ```
 *
 * @module
 */

export { parseIgvm, type ParseOptions } from "./igvm/parser.ts";
export {
  type DataPiece,
  layoutIgvm,
  type SerializedIgvm,
  serializeIgvm,
} from "./igvm/serializer.ts";
export { Arch } from "./igvm/defs.ts";
export { bytesSource, readPayload } from "./igvm/source.ts";
export { validateFile } from "./igvm/validate.ts";
export type * from "./igvm/types.ts";
export {
  measure,
  type Measurement,
  type MeasureOptions,
  parseOptionsFor,
  type Platform,
  type Semantics,
} from "./measure/measure.ts";
export { type DigestEntry, measureAll, type MeasureAllOptions } from "./measure/measure_all.ts";
export type { PageDigestReader, PageHashService } from "./measure/page_hashes.ts";
export type { EngineOptions } from "./measure/engine.ts";
export { platformMask, snpIdBlocks } from "./igvm/select.ts";
export { SnpDigest, SnpPageType } from "./measure/page_info.ts";
export { fromHex, toHex } from "./encoding.ts";
export {
  type ErrorKind,
  FileAccessError,
  IgvmFormatError,
  IgvmToolError,
  KeyError,
  MeasurementError,
  type MeasurementReason,
  OptionsError,
  ReportError,
} from "./errors.ts";
