/**
 * `igvmmeasure <file> measure`: prints the launch digest as the original does.
 *
 * @module
 */

import { type ParsedArgs, UsageError } from "./args.ts";
import { PlatformType } from "../igvm/defs.ts";
import { platformMask, snpIdBlocks } from "../igvm/select.ts";
import { parseIgvm, type ParseOptions } from "../igvm/parser.ts";
import { type AmdPlatform, measureCoconut, NOT_COMPATIBLE } from "../measure/coconut.ts";
import { MeasurementError } from "../errors.ts";
import { openFileSource } from "./file_source.ts";
import { type CommandContext, withFile } from "./io.ts";
import { baseJson, jsonText } from "./json.ts";
import type { IgvmFile } from "../igvm/types.ts";

const RULE = "=".repeat(111);

/** The original's banner around a digest. */
export function banner(input: string, hex: string): string {
  return `\n${RULE}\nigvmmeasure '${input}'\nLaunch Digest: ${hex}\n${RULE}\n\n`;
}

/** Upper-case hex, as the original prints digests. */
export function upperHex(bytes: Uint8Array): string {
  return bytes.toHex().toUpperCase();
}

/** Opens and parses the input file; every failure names the file. */
export function loadInput(
  path: string,
  options: ParseOptions = {},
): { file: IgvmFile; close: () => void } {
  const source = withFile(path, "read file", () => openFileSource(path));
  try {
    const file = withFile(path, "read file", () => parseIgvm(source, options));
    return { file, close: () => source.close() };
  } catch (e) {
    source.close();
    throw e;
  }
}

/**
 * Parser options for the global options: the original's rules (`--semantics
 * coconut` on an AMD platform) parse as igvm 0.4.0 does, the release the
 * original links; the igvm-crate rules parse as igvm HEAD.
 */
export function parseOptionsFor(args: ParsedArgs): ParseOptions {
  const platform = args.global.platform as string;
  const amd = platform === "sev-snp" || platform === "sev-es" || platform === "sev";
  return amd && args.global.semantics !== "openvmm" ? { crateVersion: "0.4.0" } : {};
}

/** The ID-block check the original applies after printing the digest. */
export function idBlockMismatch(expected: Uint8Array): MeasurementError {
  return new MeasurementError(
    "An ID block has been provided in the IGVM file but the calculated measurement does not match " +
      `the expected measurement in the ID block. \nExpected: ${upperHex(expected)}`,
  );
}

/** What `measure`, `sign` and `verify` compute from the global options. */
export interface DigestResult {
  /** The launch digest: 48 bytes for SEV-SNP and TDX, 32 for SEV, SEV-ES and VBS. */
  readonly digest: Uint8Array;
  /** Compatibility mask of the measured platform's header. */
  readonly compatibilityMask: number;
  /** LD (48 bytes) of the last SNP ID block on that mask, if any. */
  readonly idBlockLd?: Uint8Array;
}

/**
 * Checks the combination of global options; throws {@link UsageError} for
 * options that make no sense together.
 */
export function checkGlobalOptions(args: ParsedArgs): void {
  const platform = args.global.platform as string;
  const semantics = args.global.semantics as string;
  const crateOnly = platform === "tdx" || platform === "vbs";
  for (
    const [flag, name] of [["native-zero", "-n/--native-zero"], [
      "check-kvm",
      "-c/--check-kvm",
    ]] as const
  ) {
    if (args.global[flag] !== true) continue;
    if (crateOnly) {
      throw new UsageError(`'${name}' applies to the AMD platforms only, not to '${platform}'`);
    }
    if (semantics === "openvmm") {
      throw new UsageError(
        `'${name}' is a rule of the coconut semantics; it cannot be used with '--semantics openvmm'`,
      );
    }
  }
  if (semantics === "openvmm" && (platform === "sev" || platform === "sev-es")) {
    throw new UsageError(
      `'--semantics openvmm' measures sev-snp, tdx and vbs; the igvm crate has no rules for '${platform}'`,
    );
  }
}

/** The igvm-crate measurements, loaded on demand (they are not on the default path). */
let crateRules:
  | {
    measureTdx: typeof import("../measure/tdx.ts").measureTdx;
    measureVbs: typeof import("../measure/vbs.ts").measureVbs;
    measureSnpOpenvmm: typeof import("../measure/openvmm_snp.ts").measureSnpOpenvmm;
  }
  | undefined;

/** True when the global options ask for the igvm crate's rules (TDX, VBS, or `--semantics openvmm`). */
export function needsCrateRules(args: ParsedArgs): boolean {
  const platform = args.global.platform;
  return platform === "tdx" || platform === "vbs" || args.global.semantics === "openvmm";
}

/** Loads the igvm-crate measurements; call before {@link computeDigest} needs them. */
export async function loadCrateRules(): Promise<void> {
  if (crateRules) return;
  const [tdx, vbs, openvmm] = await Promise.all([
    import("../measure/tdx.ts"),
    import("../measure/vbs.ts"),
    import("../measure/openvmm_snp.ts"),
  ]);
  crateRules = {
    measureTdx: tdx.measureTdx,
    measureVbs: vbs.measureVbs,
    measureSnpOpenvmm: openvmm.measureSnpOpenvmm,
  };
}

/** Computes the digest the global options ask for. */
export function computeDigest(
  file: IgvmFile,
  args: ParsedArgs,
  log?: (line: string) => void,
): DigestResult {
  checkGlobalOptions(args);
  const platform = args.global.platform as string;
  if (platform === "tdx" || platform === "vbs" || args.global.semantics === "openvmm") {
    const type = platform === "tdx"
      ? PlatformType.TDX
      : platform === "vbs"
      ? PlatformType.VSM_ISOLATION
      : PlatformType.SEV_SNP;
    const mask = platformMask(file, type);
    if (mask === undefined) throw new MeasurementError(NOT_COMPATIBLE, true);
    if (crateRules === undefined) throw new Error("loadCrateRules() was not called");
    const digest = platform === "tdx"
      ? crateRules.measureTdx(file, mask, log)
      : platform === "vbs"
      ? crateRules.measureVbs(file, mask, log)
      : crateRules.measureSnpOpenvmm(file, mask, log);
    return {
      digest,
      compatibilityMask: mask,
      idBlockLd: platform === "sev-snp" ? snpIdBlocks(file, mask).at(-1)?.ld : undefined,
    };
  }
  return measureCoconut(file, {
    platform: platform as AmdPlatform,
    nativeZero: args.global["native-zero"] === true,
    checkKvm: args.global["check-kvm"] === true,
    log,
  });
}

/** Runs `measure`; `out` collects stdout text (flushed by the caller on error). */
export function measureCommand(args: ParsedArgs, ctx: CommandContext): number {
  const out = ctx.out;
  const { file, close } = loadInput(args.input, parseOptionsFor(args));
  try {
    const platform = args.global.platform as string;
    const log = args.global.verbose === true ? (line: string) => out.push(line + "\n") : undefined;
    const m = withFile(args.input, "read file", () => computeDigest(file, args, log));
    const hex = upperHex(m.digest);
    const checkLd = platform === "sev-snp" && args.commandOptions["ignore-idblock"] !== true &&
      m.idBlockLd !== undefined;
    const matches = checkLd ? upperHex(m.idBlockLd!) === hex : undefined;
    if (ctx.json) {
      out.length = 0; // no verbose log in JSON
      ctx.partial = {
        ...baseJson(args),
        compatibilityMask: m.compatibilityMask,
        digest: m.digest.toHex(),
        idBlockLd: m.idBlockLd?.toHex() ?? null,
        idBlockMatches: matches ?? null,
      };
      if (matches === false) throw idBlockMismatch(m.idBlockLd!);
      ctx.io.stdout(jsonText(ctx.partial));
      return 0;
    }
    out.push(args.commandOptions.bare === true ? hex + "\n" : banner(args.input, hex));
    if (matches === false) throw idBlockMismatch(m.idBlockLd!);
    ctx.io.stdout(out.splice(0).join(""));
    return 0;
  } finally {
    close();
  }
}
