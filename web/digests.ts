/**
 * The page's ONE adapter to the measurement library: every launch digest the
 * page shows comes from {@link measureAllDigests}, and nothing else in `web/`
 * calls a measurement function.
 *
 * Today it follows the CLI's `inspect` (`lib/cli/inspect_command.ts`,
 * `allDigests`): for each platform the file has a header for, in the order
 * sev-snp/coconut, sev-snp/openvmm, sev-es/coconut, sev/coconut, tdx/openvmm,
 * vbs/openvmm, the digest or, when the library refuses, the refusal's
 * message. `nativeZero` and `checkKvm` (the CLI's `-n` and `-c`) apply to
 * the coconut digests only.
 *
 * SWITCH POINT: when `measureAll(file, { nativeZero, checkKvm, progress })`
 * lands in `lib/mod.ts`, the body of {@link measureAllDigests} becomes that
 * call (its `DigestEntry.digest` is bytes: `.toHex()` them), and the
 * interim page counter below ({@link countingFile}, {@link pagesToHash})
 * goes away; {@link verifyParseOptions} becomes `parseOptionsFor`.
 *
 * @module
 */

import {
  type AmdPlatform,
  type IgvmFile,
  IgvmToolError,
  measureCoconut,
  measureSnpOpenvmm,
  measureTdx,
  measureVbs,
  type ParseOptions,
  platformMask,
} from "../lib/mod.ts";
import { PlatformType } from "../lib/igvm/defs.ts";
import type { DigestEntry } from "../lib/inspect/inspect_text.ts";

export type { DigestEntry };

/** Options of {@link measureAllDigests}. */
export interface DigestOptions {
  /** `-n`: coconut rules measure pages without data as SNP ZERO pages. */
  readonly nativeZero?: boolean;
  /** `-c`: coconut rules apply the original's QEMU/KVM checks. */
  readonly checkKvm?: boolean;
  /** Pages hashed so far and pages to hash, over all the digests; called often. */
  readonly progress?: (done: number, total: number) => void;
}

/** The digests `inspect` lists, in its order: platform type, platform, semantics. */
const MEASURED: ReadonlyArray<readonly [number, string, "coconut" | "openvmm"]> = [
  [PlatformType.SEV_SNP, "sev-snp", "coconut"],
  [PlatformType.SEV_SNP, "sev-snp", "openvmm"],
  [PlatformType.SEV_ES, "sev-es", "coconut"],
  [PlatformType.SEV, "sev", "coconut"],
  [PlatformType.TDX, "tdx", "openvmm"],
  [PlatformType.VSM_ISOLATION, "vbs", "openvmm"],
];

function measureOne(
  file: IgvmFile,
  platform: string,
  semantics: "coconut" | "openvmm",
  mask: number,
  options: DigestOptions,
): Uint8Array {
  if (semantics === "coconut") {
    return measureCoconut(file, {
      platform: platform as AmdPlatform,
      nativeZero: options.nativeZero === true,
      checkKvm: options.checkKvm === true,
    }).digest;
  }
  if (platform === "tdx") return measureTdx(file, mask);
  if (platform === "vbs") return measureVbs(file, mask);
  return measureSnpOpenvmm(file, mask);
}

/**
 * Interim progress: the 4 KiB reads a measurement of `mask` makes (page data
 * stored in the file and VP context pages); an estimate the counter is
 * clamped to.
 */
function pagesToHash(file: IgvmFile, mask: number): number {
  let n = 0;
  for (const d of file.directives) {
    const stored = (d.type === "PageData" && d.data !== null && !(d.data instanceof Uint8Array)) ||
      d.type === "SnpVpContext";
    if (stored && (d.compatibilityMask & mask) !== 0) n++;
  }
  return n;
}

/** Interim progress: `file` with a source that calls `onPage` for each 4 KiB page read. */
function countingFile(file: IgvmFile, onPage: () => void): IgvmFile {
  const source = file.source;
  if (source === undefined) return file;
  return {
    ...file,
    source: {
      size: source.size,
      read(offset: number, length: number, scratch?: Uint8Array): Uint8Array {
        if (length === 4096 && scratch !== undefined) onPage();
        return source.read(offset, length, scratch);
      },
    },
  };
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
  const passes = MEASURED.flatMap(([type, platform, semantics]) => {
    const mask = platformMask(file, type);
    return mask === undefined ? [] : [{ platform, semantics, mask }];
  });
  const plan = passes.map((p) => pagesToHash(file, p.mask));
  const total = plan.reduce((a, b) => a + b, 0);
  let before = 0; // pages of the passes already done
  let passEnd = 0;
  let done = 0;
  const report = options.progress;
  const counted = report
    ? countingFile(file, () => {
      done++;
      if ((done & 63) === 0) report(Math.min(done, passEnd), total);
    })
    : file;
  const out: DigestEntry[] = [];
  for (const [i, { platform, semantics, mask }] of passes.entries()) {
    done = before;
    passEnd = before + plan[i];
    try {
      const digest = measureOne(counted, platform, semantics, mask, options);
      out.push({ platform, semantics, digest: digest.toHex(), refusal: null });
    } catch (e) {
      if (!(e instanceof IgvmToolError)) throw e;
      out.push({ platform, semantics, digest: null, refusal: e.message });
    }
    before = passEnd;
    report?.(before, total);
  }
  return out;
}

/**
 * Parser options for measuring SEV-SNP by `semantics`, as the CLI's `verify`
 * parses the file: the coconut rules follow igvm 0.4.0 (the release the
 * original links), the igvm crate's rules its HEAD.
 *
 * @example
 * ```ts
 * import { verifyParseOptions } from "./digests.ts";
 * verifyParseOptions("coconut"); // { crateVersion: "0.4.0" }
 * ```
 */
export function verifyParseOptions(semantics: "coconut" | "openvmm"): ParseOptions {
  return semantics === "coconut" ? { crateVersion: "0.4.0" } : {};
}
