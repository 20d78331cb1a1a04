/**
 * Every launch digest of a file as `inspect` lists it (the CLI's text and
 * `--json`, and the web page): the library's `measureAll` with each digest as
 * lower-case hex.
 *
 * @module
 */

import type { IgvmFile } from "../igvm/types.ts";
import { measureAll, type MeasureAllOptions } from "../measure/measure_all.ts";
import { toHex } from "../encoding.ts";
import type { DigestLine } from "./inspect_text.ts";

/**
 * `measureAll(file, options)` with the digests as lower-case hex (null where
 * refused, with the refusal's one-line message).
 *
 * @example
 * ```ts
 * import { digestLines } from "./digest_lines.ts";
 * import { parseIgvm } from "../mod.ts";
 * const file = parseIgvm(await Deno.readFile("testdata/sample.igvm"));
 * digestLines(file)[0].platform; // "sev-snp"
 * ```
 */
export function digestLines(file: IgvmFile, options: MeasureAllOptions = {}): DigestLine[] {
  return measureAll(file, options).map((d) => ({
    ...d,
    digest: d.digest === null ? null : toHex(d.digest),
  }));
}
