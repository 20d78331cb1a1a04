/**
 * igvmmeasure as a library: parse IGVM files, compute their launch
 * measurements, and write them back. Runs in Deno, Node.js 20 and later, and
 * browsers (no Deno APIs here; the CLI's file access lives in `lib/cli/`).
 *
 * @example
 * ```ts
 * import { measureCoconut, parseIgvm, toHex } from "./mod.ts";
 * const file = parseIgvm(await Deno.readFile("testdata/sample.igvm"));
 * const { digest } = measureCoconut(file);
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
  type AmdPlatform,
  type CoconutMeasurement,
  type CoconutOptions,
  measureCoconut,
} from "./measure/coconut.ts";
export { platformMask, snpIdBlocks } from "./igvm/select.ts";
export { SnpDigest, SnpPageType } from "./measure/page_info.ts";
export { measureSnpOpenvmm } from "./measure/openvmm_snp.ts";
export { measureTdx } from "./measure/tdx.ts";
export { measureVbs } from "./measure/vbs.ts";
export { fromHex, toHex } from "./encoding.ts";
export {
  IgvmFormatError,
  IgvmToolError,
  KeyError,
  MeasurementError,
  ReportError,
} from "./errors.ts";
