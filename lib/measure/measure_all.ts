/**
 * Every launch digest a file has: what `inspect` and the web page show.
 *
 * @module
 */

import type { IgvmFile } from "../igvm/types.ts";
import { IgvmToolError } from "../errors.ts";
import { platformMask } from "../igvm/select.ts";
import { PlatformType } from "../igvm/defs.ts";
import {
  type MeasureOptions,
  planFor,
  type PlannedMeasurement,
  type Platform,
  type Semantics,
} from "./measure.ts";
import { foldPlan, pagesToMeasure } from "./engine.ts";
import { memoizedPageHashes } from "./page_hashes.ts";

/** One digest of {@link measureAll}: the digest, or why it was refused. */
export interface DigestEntry {
  /** The platform. */
  readonly platform: Platform;
  /** The rules. */
  readonly semantics: Semantics;
  /** The launch digest, or null when refused. */
  readonly digest: Uint8Array | null;
  /** Why the digest was refused (the error's message), or null. */
  readonly refusal: string | null;
}

/** Options of {@link measureAll}: `nativeZero` and `checkKvm` apply to the coconut digests. */
export type MeasureAllOptions = Pick<
  MeasureOptions,
  "nativeZero" | "checkKvm" | "pageHashes" | "progress"
>;

/** The digests measured, in order, with the platform header each needs. */
const MEASURED: ReadonlyArray<readonly [number, Platform, Semantics]> = [
  [PlatformType.SEV_SNP, "sev-snp", "coconut"],
  [PlatformType.SEV_SNP, "sev-snp", "openvmm"],
  [PlatformType.SEV_ES, "sev-es", "coconut"],
  [PlatformType.SEV, "sev", "coconut"],
  [PlatformType.TDX, "tdx", "openvmm"],
  [PlatformType.VSM_ISOLATION, "vbs", "openvmm"],
];

type Step =
  & { platform: Platform; semantics: Semantics }
  & (
    | { planned: PlannedMeasurement; refusal?: undefined }
    | { planned?: undefined; refusal: string }
  );

/**
 * A digest's refusal: an error of ours about the measurement. A file that
 * cannot be read (`kind` `file`, e.g. cut short since it was parsed) is the
 * whole listing's failure, not every digest's.
 */
function isRefusal(e: unknown): e is IgvmToolError {
  return e instanceof IgvmToolError && e.kind !== "file";
}

/**
 * The launch digest of `file` for every platform it has a header for:
 * SEV-SNP by both rule sets, SEV-ES and SEV by the original's, TDX and VBS by
 * the igvm crate's. A digest that cannot be computed is listed with the
 * reason. `progress` counts the pages of all of them together.
 *
 * @example
 * ```ts
 * import { measureAll, parseIgvm } from "../mod.ts";
 * const file = parseIgvm(await Deno.readFile("testdata/sample.igvm"));
 * for (const d of measureAll(file)) {
 *   console.log(d.platform, d.semantics, d.digest?.toHex() ?? d.refusal);
 * }
 * ```
 */
export function measureAll(file: IgvmFile, options: MeasureAllOptions = {}): DigestEntry[] {
  const steps: Step[] = [];
  for (const [type, platform, semantics] of MEASURED) {
    if (platformMask(file, type) === undefined) continue;
    const coconut = semantics === "coconut";
    try {
      const planned = planFor(file, {
        platform,
        semantics,
        nativeZero: coconut && options.nativeZero,
        checkKvm: coconut && options.checkKvm,
      });
      steps.push({ platform, semantics, planned });
    } catch (e) {
      if (!isRefusal(e)) throw e;
      steps.push({ platform, semantics, refusal: e.message });
    }
  }
  // SEV-SNP's two rule sets hash the same pages: each is hashed once.
  const pageHashes = file.source && memoizedPageHashes(options.pageHashes, file.source);
  const total = steps.reduce(
    (n, s) => n + (s.planned ? pagesToMeasure(s.planned.plan.records) : 0),
    0,
  );
  let before = 0;
  const progress = options.progress;
  return steps.map(({ platform, semantics, planned, refusal }): DigestEntry => {
    if (planned === undefined) return { platform, semantics, digest: null, refusal };
    const offset = before;
    before += pagesToMeasure(planned.plan.records);
    try {
      const digest = foldPlan(planned.plan, planned.digest, file.source, {
        pageHashes,
        progress: progress && ((done) => progress(offset + done, total)),
      });
      return { platform, semantics, digest, refusal: null };
    } catch (e) {
      if (!isRefusal(e)) throw e;
      return { platform, semantics, digest: null, refusal: e.message };
    }
  });
}
