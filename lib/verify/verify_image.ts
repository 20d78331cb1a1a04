/**
 * `verify` as a library: checks an IGVM file's SNP ID block(s) against its
 * launch digest, compares an expected digest, and compares an attestation
 * report's fields with what the file implies. The CLI's `verify` and the web
 * page both build their result here; they differ only in how they read files
 * and show the result (`verify_report.ts`).
 *
 * @module
 */

import type { IgvmFile } from "../igvm/types.ts";
import type { Measurement } from "../measure/measure.ts";
import { type Check, verifyIdBlocks } from "./id_block_check.ts";
import { compareReport, expectedReport } from "./report_compare.ts";
import type { VerifyResult } from "./verify_report.ts";
import { loaderGuestPolicy } from "../snp/igvm_id_block.ts";
import { bytesEqual } from "../snp/bytes.ts";
import { toHex } from "../encoding.ts";

/** What to verify besides the ID blocks. */
export interface VerifyImageOptions {
  /** The IGVM file's name, as failures name it. */
  readonly fileName: string;
  /** A digest the launch digest must equal (`--expect`). */
  readonly expected?: Uint8Array;
  /**
   * An attestation report to compare (`--report`), with what is known about
   * the report itself: its attestation result when its signature was checked,
   * else a one-line note saying why not.
   */
  readonly report?: Omit<NonNullable<VerifyResult["report"]>, "fields">;
}

/** The `id-block` check: no ID block fails unless something else is verified. */
function idBlockPresence(otherChecks: boolean): Check {
  return {
    name: "id-block",
    status: otherChecks ? "skip" : "fail",
    detail: "the file has no SNP ID block" +
      (otherChecks ? "" : " (nothing to verify; give --report or --expect)"),
  };
}

/** The `expect` check. */
function expectCheck(expected: Uint8Array, digest: Uint8Array): Check {
  const ok = bytesEqual(expected, digest);
  const hex = (b: Uint8Array) => toHex(b).toUpperCase();
  return {
    name: "expect",
    status: ok ? "pass" : "fail",
    detail: ok
      ? "launch digest equals the expected digest"
      : `launch digest ${hex(digest)} differs from the expected ${hex(expected)}`,
  };
}

/**
 * Verifies `file`, measured as `m`: for SEV-SNP its ID block checks (and the
 * `id-block` presence check), the `expect` check when `options.expected` is
 * given, and the field comparison of `options.report`.
 *
 * @example
 * ```ts
 * import { verifyImage } from "./verify_image.ts";
 * import { failuresOf } from "./verify_report.ts";
 * import { measure, parseIgvm } from "../mod.ts";
 * const file = parseIgvm(await Deno.readFile("testdata/sample.igvm"));
 * const m = measure(file);
 * const result = await verifyImage(file, m, { fileName: "sample.igvm", expected: m.digest });
 * failuresOf(result); // []: no ID block, but the expected digest matches
 * ```
 */
export async function verifyImage(
  file: IgvmFile,
  m: Measurement,
  options: VerifyImageOptions,
): Promise<VerifyResult> {
  const checks: Check[] = [];
  let blocks: VerifyResult["blocks"] = [];
  if (m.platform === "sev-snp") {
    const v = await verifyIdBlocks(file, m.digest, m.compatibilityMask);
    blocks = v.blocks;
    checks.push(...v.checks);
    if (blocks.length === 0) {
      checks.push(idBlockPresence(options.report !== undefined || options.expected !== undefined));
    }
  }
  if (options.expected) checks.push(expectCheck(options.expected, m.digest));
  const last = blocks.at(-1);
  const report = options.report && {
    ...options.report,
    fields: compareReport(
      options.report.parsed,
      expectedReport(
        m.digest,
        last && { ...last.directive, ...last },
        loaderGuestPolicy(file, m.compatibilityMask),
      ),
    ),
  };
  return {
    file: options.fileName,
    platform: m.platform,
    semantics: m.semantics,
    digest: m.digest,
    compatibilityMask: m.compatibilityMask,
    blocks,
    checks,
    expected: options.expected,
    report,
  };
}
