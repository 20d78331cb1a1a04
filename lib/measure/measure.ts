/**
 * The one measurement entry point: which rules apply to which platform, the
 * options they take, and the digest they give.
 *
 * | platform  | platform header | rules (semantics)                           |
 * |-----------|-----------------|---------------------------------------------|
 * | `sev-snp` | SEV_SNP (2)     | `coconut` (default) or `openvmm`            |
 * | `sev-es`  | SEV_ES (5)      | `coconut`                                   |
 * | `sev`     | SEV (4)         | `coconut`                                   |
 * | `tdx`     | TDX (3)         | `openvmm` (the igvm crate's; always)        |
 * | `vbs`     | VSM_ISOLATION (1) | `openvmm` (the igvm crate's; always)      |
 *
 * `coconut` is the original igvmmeasure's rules (`coconut_rules.ts`),
 * `openvmm` the igvm crate's (`openvmm_snp_rules.ts`, `tdx_rules.ts`,
 * `vbs_rules.ts`); `docs/semantics.md` compares them.
 *
 * @module
 */

import { PlatformType } from "../igvm/defs.ts";
import type { IgvmFile } from "../igvm/types.ts";
import type { ParseOptions } from "../igvm/parser.ts";
import { platformMask, snpIdBlocks } from "../igvm/select.ts";
import { MeasurementError, OptionsError } from "../errors.ts";
import { planMeasurement, type RuleSet } from "./rule_set.ts";
import type { MeasurementPlan } from "./records.ts";
import { COCONUT_SEV, COCONUT_SNP } from "./coconut_rules.ts";
import { OPENVMM_SNP } from "./openvmm_snp_rules.ts";
import { CRATE_TDX } from "./tdx_rules.ts";
import { CRATE_VBS } from "./vbs_rules.ts";
import { type EngineOptions, foldPlan } from "./engine.ts";
import { FOLD_INPUT } from "./folds.ts";

/** A platform to measure for (the CLI's `--platform`). */
export type Platform = "sev-snp" | "sev-es" | "sev" | "tdx" | "vbs";
/** A set of measurement rules: the original igvmmeasure's, or the igvm crate's. */
export type Semantics = "coconut" | "openvmm";

/** Options of {@link measure}. */
export interface MeasureOptions extends EngineOptions {
  /** Platform to measure for (default `"sev-snp"`). */
  readonly platform?: Platform;
  /**
   * SEV-SNP's rules (default `"coconut"`). SEV-ES and SEV have only `coconut`;
   * TDX and VBS are always measured by the igvm crate's rules (`openvmm`).
   */
  readonly semantics?: Semantics;
  /** Measure pages without data as SNP ZERO pages (coconut only; the CLI's `-n`). */
  readonly nativeZero?: boolean;
  /** Apply the original's four QEMU/KVM checks (coconut only; the CLI's `-c`). */
  readonly checkKvm?: boolean;
  /** Mask to measure for; default: the mask of the file's first header of the platform. */
  readonly compatibilityMask?: number;
}

/** What {@link measure} computes. */
export interface Measurement {
  /** The platform measured. */
  readonly platform: Platform;
  /** The rules applied. */
  readonly semantics: Semantics;
  /** The launch digest: 48 bytes for SEV-SNP and TDX, 32 for SEV, SEV-ES and VBS. */
  readonly digest: Uint8Array;
  /** The compatibility mask measured for. */
  readonly compatibilityMask: number;
  /** SEV-SNP, SEV-ES, SEV: the LD of the last SNP ID block on the mask, if any. */
  readonly idBlockLd?: Uint8Array;
}

interface PlatformEntry {
  readonly platformType: number;
  /** Bytes of the launch digest. */
  readonly digestBytes: 48 | 32;
  /** The platform's rule sets; the first is its default. */
  // deno-lint-ignore no-explicit-any
  readonly rules: Partial<Record<Semantics, RuleSet<any>>>;
}

const PLATFORMS: Readonly<Record<Platform, PlatformEntry>> = {
  "sev-snp": {
    platformType: PlatformType.SEV_SNP,
    digestBytes: 48,
    rules: { coconut: COCONUT_SNP, openvmm: OPENVMM_SNP },
  },
  "sev-es": { platformType: PlatformType.SEV_ES, digestBytes: 32, rules: { coconut: COCONUT_SEV } },
  "sev": { platformType: PlatformType.SEV, digestBytes: 32, rules: { coconut: COCONUT_SEV } },
  "tdx": { platformType: PlatformType.TDX, digestBytes: 48, rules: { openvmm: CRATE_TDX } },
  "vbs": {
    platformType: PlatformType.VSM_ISOLATION,
    digestBytes: 32,
    rules: { openvmm: CRATE_VBS },
  },
};

/**
 * Whether measuring for `platform` asks for the SHA-384 of file pages (so
 * that a `pageHashes` service, hashing them ahead in bulk, is worth
 * starting): SEV-SNP's rules do; the others fold page bytes.
 *
 * @example
 * ```ts
 * import { usesPageHashes } from "./measure.ts";
 * usesPageHashes("sev-snp"); // true
 * usesPageHashes("tdx"); // false
 * ```
 */
export function usesPageHashes(platform: Platform): boolean {
  return Object.values(entryOf(platform).rules).some((r) => FOLD_INPUT[r!.digest] === "sha384");
}

/** The original's message when the file has no header for the platform. */
export const NOT_COMPATIBLE = "IGVM file is not compatible with the specified platform.";

/** The platforms {@link measure} knows, in the order `measureAll` lists them. */
export const PLATFORM_NAMES: readonly Platform[] = Object.keys(PLATFORMS) as Platform[];

/**
 * The length in bytes of `platform`'s launch digest: 48 (SHA-384) for
 * SEV-SNP and TDX, 32 (SHA-256) for SEV, SEV-ES and VBS.
 *
 * @example
 * ```ts
 * import { digestLength } from "./measure.ts";
 * digestLength("vbs"); // 32
 * ```
 */
export function digestLength(platform: Platform): 48 | 32 {
  return entryOf(platform).digestBytes;
}

/** The rule sets a semantics can name. */
const SEMANTICS: readonly Semantics[] = ["coconut", "openvmm"];

/** `platform`'s row of {@link PLATFORMS}; a RangeError naming it for one the table lacks. */
function entryOf(platform: Platform): PlatformEntry {
  const entry = Object.hasOwn(PLATFORMS, platform) ? PLATFORMS[platform] : undefined;
  if (entry === undefined) {
    throw new RangeError(`unknown platform '${platform}' (${PLATFORM_NAMES.join(", ")})`);
  }
  return entry;
}

/** TDX and VBS have one rule set each (the crate's): `semantics` names SEV-SNP's. */
const singleRules = (p: Platform) => !("coconut" in entryOf(p).rules);

/** The rules `semantics` names on `platform` (unchecked; see {@link resolveRules}). */
const semanticsFor = (platform: Platform, semantics: Semantics | undefined): Semantics =>
  singleRules(platform) ? "openvmm" : semantics ?? "coconut";

/**
 * The rules `options` select, after checking that the options go together;
 * throws {@link OptionsError} when they do not.
 *
 * @example
 * ```ts
 * import { resolveRules } from "./measure.ts";
 * resolveRules({ platform: "tdx" }); // { platform: "tdx", semantics: "openvmm" }
 * ```
 */
export function resolveRules(
  options: Pick<MeasureOptions, "platform" | "semantics" | "nativeZero" | "checkKvm"> = {},
): { platform: Platform; semantics: Semantics } {
  const platform = options.platform ?? "sev-snp";
  const entry = entryOf(platform);
  if (options.semantics !== undefined && !SEMANTICS.includes(options.semantics)) {
    throw new RangeError(`unknown semantics '${options.semantics}' (${SEMANTICS.join(", ")})`);
  }
  const semantics = semanticsFor(platform, options.semantics);
  for (const option of ["nativeZero", "checkKvm"] as const) {
    if (options[option] !== true) continue;
    if (singleRules(platform)) throw new OptionsError(option, "amd-only", platform);
    if (semantics === "openvmm") throw new OptionsError(option, "coconut-only", platform);
  }
  if (entry.rules[semantics] === undefined) {
    throw new OptionsError("semantics", "no-rules", platform);
  }
  return { platform, semantics };
}

/**
 * The parser options a measurement with these rules needs: the original's
 * rules (`coconut`) parse as igvm 0.4.0 does, the release the original links;
 * the igvm crate's parse as igvm HEAD.
 *
 * @example
 * ```ts
 * import { parseOptionsFor } from "./measure.ts";
 * parseOptionsFor({ platform: "sev-snp" }); // { crateVersion: "0.4.0" }
 * parseOptionsFor({ platform: "tdx" }); // {}
 * ```
 */
export function parseOptionsFor(
  options: Pick<MeasureOptions, "platform" | "semantics"> = {},
): ParseOptions {
  const semantics = semanticsFor(options.platform ?? "sev-snp", options.semantics);
  return semantics === "coconut" ? { crateVersion: "0.4.0" } : {};
}

/** A measurement planned but not yet folded (see `measure_all.ts`). */
export interface PlannedMeasurement {
  /** Platform, rules and mask, as {@link Measurement} reports them. */
  readonly result: Omit<Measurement, "digest">;
  /** The digest the records fold into. */
  readonly digest: RuleSet<unknown>["digest"];
  /** The records. */
  readonly plan: MeasurementPlan;
}

/**
 * Checks the options, finds the mask and plans the records of a measurement
 * (everything {@link measure} does but hashing).
 *
 * @example
 * ```ts
 * import { planFor } from "./measure.ts";
 * import { parseIgvm } from "../igvm/parser.ts";
 * const file = parseIgvm(await Deno.readFile("testdata/sample.igvm"));
 * planFor(file, { platform: "sev-snp" }).plan.records.length; // the pages to measure
 * ```
 */
export function planFor(file: IgvmFile, options: MeasureOptions = {}): PlannedMeasurement {
  const { platform, semantics } = resolveRules(options);
  const entry = entryOf(platform);
  const mask = options.compatibilityMask ?? platformMask(file, entry.platformType);
  if (mask === undefined) throw new MeasurementError(NOT_COMPATIBLE, "platform-not-in-file");
  const rules = entry.rules[semantics]!;
  const plan = planMeasurement(rules, file, mask, {
    nativeZero: options.nativeZero === true,
    checkKvm: options.checkKvm === true,
  });
  const amd = semantics === "coconut" || platform === "sev-snp";
  const idBlockLd = amd ? snpIdBlocks(file, mask).at(-1)?.ld : undefined;
  return {
    result: { platform, semantics, compatibilityMask: mask, idBlockLd },
    digest: rules.digest,
    plan,
  };
}

/**
 * Computes the launch digest of `file` for `options.platform` by the rules
 * `options.semantics` selects.
 *
 * Throws {@link OptionsError} for options that do not go together and
 * {@link MeasurementError} when the file cannot be measured (no header for
 * the platform: `reason` `platform-not-in-file`; no guest policy for the
 * crate's SEV-SNP rules; a failed `checkKvm` rule; …).
 *
 * @example
 * ```ts
 * import { measure, parseIgvm } from "../mod.ts";
 * const file = parseIgvm(await Deno.readFile("testdata/sample.igvm"));
 * const { digest } = measure(file, { platform: "sev-snp", semantics: "openvmm" });
 * console.log(digest.toHex().toUpperCase());
 * ```
 */
export function measure(file: IgvmFile, options: MeasureOptions = {}): Measurement {
  const planned = planFor(file, options);
  const digest = foldPlan(planned.plan, planned.digest, file.source, options);
  return { ...planned.result, digest };
}
