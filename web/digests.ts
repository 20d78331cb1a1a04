/**
 * The page's one adapter to the measurement library: every launch digest the
 * page shows comes from {@link measureAllDigests}, which is the library's
 * `measureAll` (the digests the CLI's `inspect` lists, in its order) with the
 * digests as lower-case hex, as `inspect --json` prints them.
 *
 * @module
 */

import { type IgvmFile, measureAll, toHex } from "../lib/mod.ts";
import type { DigestLine } from "../lib/inspect/inspect_text.ts";

/** One digest as the page shows it: lower-case hex, or the refusal. */
export type DigestEntry = DigestLine;

/** Options of {@link measureAllDigests}. */
export interface DigestOptions {
  /** `-n`: coconut rules measure pages without data as SNP ZERO pages. */
  readonly nativeZero?: boolean;
  /** `-c`: coconut rules apply the original's QEMU/KVM checks. */
  readonly checkKvm?: boolean;
  /** Pages measured so far and pages to measure, over all the digests. */
  readonly progress?: (done: number, total: number) => void;
}

/**
 * Every launch digest of `file`, as the CLI's `inspect` computes them
 * (lower-case hex, or the refusal's one-line message).
 *
 * @example
 * ```ts
 * import { measureAllDigests } from "./digests.ts";
 * import { parseIgvm } from "../lib/mod.ts";
 * const file = parseIgvm(await Deno.readFile("testdata/sample.igvm"));
 * const entries = measureAllDigests(file);
 * entries[0].platform; // "sev-snp"
 * ```
 */
export function measureAllDigests(file: IgvmFile, options: DigestOptions = {}): DigestEntry[] {
  return measureAll(file, options).map((d) => ({
    ...d,
    digest: d.digest === null ? null : toHex(d.digest),
  }));
}
