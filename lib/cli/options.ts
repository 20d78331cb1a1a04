/**
 * The global options as typed values: the one place the CLI turns its parsed
 * command line into the library's measurement options, and the one place that
 * words the library's option errors as the CLI's usage errors.
 *
 * @module
 */

import type { OptionValues, ParsedArgs } from "./args.ts";
import { UsageError } from "./args.ts";
import type { MeasureOptions, Platform, Semantics } from "../measure/measure.ts";
import type { OptionsError } from "../errors.ts";

/** The global options (before the command). */
export interface GlobalOptions {
  /** `-p/--platform`. */
  readonly platform: Platform;
  /** `--semantics`: SEV-SNP's rules (TDX and VBS always follow the igvm crate). */
  readonly semantics: Semantics;
  /** `-n/--native-zero`. */
  readonly nativeZero: boolean;
  /** `-c/--check-kvm`. */
  readonly checkKvm: boolean;
  /** `-v/--verbose`. */
  readonly verbose: boolean;
}

/**
 * The typed global options of `args` (the parser has checked every value
 * against the option's possible values and filled in the defaults).
 *
 * @example
 * ```ts
 * import { globalOptions } from "./options.ts";
 * import { parseArgs } from "./args.ts";
 * import { PROGRAM } from "./spec.ts";
 * globalOptions(parseArgs(PROGRAM, ["-p", "tdx", "f.igvm", "measure"])).platform; // "tdx"
 * ```
 */
export function globalOptions(args: ParsedArgs): GlobalOptions {
  const g = args.global;
  return {
    platform: g.platform as Platform,
    semantics: g.semantics as Semantics,
    nativeZero: g["native-zero"] === true,
    checkKvm: g["check-kvm"] === true,
    verbose: g.verbose === true,
  };
}

/** The library's measurement options for the global options. */
export function measureOptions(g: GlobalOptions): MeasureOptions {
  return {
    platform: g.platform,
    semantics: g.semantics,
    nativeZero: g.nativeZero,
    checkKvm: g.checkKvm,
  };
}

/** A command option's string value, if given. */
export function stringOption(o: OptionValues, name: string): string | undefined {
  const v = o[name];
  return typeof v === "string" ? v : undefined;
}

const FLAGS: Record<OptionsError["option"], string> = {
  nativeZero: "-n/--native-zero",
  checkKvm: "-c/--check-kvm",
  semantics: "--semantics",
};

/**
 * The CLI's usage error for a library {@link OptionsError}, worded with the
 * CLI's flags.
 *
 * @example
 * ```ts
 * import { usageErrorFor } from "./options.ts";
 * import { OptionsError } from "../errors.ts";
 * usageErrorFor(new OptionsError("nativeZero", "amd-only", "tdx")).message;
 * // "'-n/--native-zero' applies to the AMD platforms only, not to 'tdx'"
 * ```
 */
export function usageErrorFor(e: OptionsError): UsageError {
  const flag = FLAGS[e.option];
  switch (e.problem) {
    case "amd-only":
      return new UsageError(`'${flag}' applies to the AMD platforms only, not to '${e.platform}'`);
    case "coconut-only":
      return new UsageError(
        `'${flag}' is a rule of the coconut semantics; it cannot be used with '--semantics openvmm'`,
      );
    case "no-rules":
      return new UsageError(
        `'--semantics openvmm' measures sev-snp, tdx and vbs; the igvm crate has no rules for '${e.platform}'`,
      );
  }
}
