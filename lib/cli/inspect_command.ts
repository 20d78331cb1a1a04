/**
 * `igvmmeasure [OPTIONS] <INPUT> inspect [--json]`: a readable listing of the
 * file and its launch digest for every platform it has a header for: SEV-SNP
 * by both rules (coconut and openvmm), SEV and SEV-ES (coconut), TDX and VBS
 * (the igvm crate's rules). `-n` and `-c` apply to the coconut digests.
 * A digest that cannot be computed is listed as refused, with the reason.
 *
 * @module
 */

import { platformMask } from "../igvm/select.ts";
import type { ParsedArgs } from "./args.ts";
import { type CommandContext, withFile } from "./io.ts";
import { computeDigest, loadInput } from "./measure_command.ts";
import { baseJson, jsonText } from "./json.ts";
import { PlatformType } from "../igvm/defs.ts";
import type { IgvmFile } from "../igvm/types.ts";
import { IgvmToolError } from "../errors.ts";
import { inspectFile } from "../inspect/inspect_file.ts";
import { type DigestEntry, inspectText } from "../inspect/inspect_text.ts";

/** Platforms measured, in order: platform type, `--platform` value, semantics. */
const MEASURED: ReadonlyArray<readonly [number, string, string]> = [
  [PlatformType.SEV_SNP, "sev-snp", "coconut"],
  [PlatformType.SEV_SNP, "sev-snp", "openvmm"],
  [PlatformType.SEV_ES, "sev-es", "coconut"],
  [PlatformType.SEV, "sev", "coconut"],
  [PlatformType.TDX, "tdx", "openvmm"],
  [PlatformType.VSM_ISOLATION, "vbs", "openvmm"],
];

/**
 * The digests of `file` for every platform it has a header for.
 *
 * @example
 * ```ts
 * import { allDigests } from "./inspect_command.ts";
 * // allDigests(file, parsedArgs).map((d) => d.digest ?? d.refusal);
 * ```
 */
export function allDigests(file: IgvmFile, args: ParsedArgs): DigestEntry[] {
  const out: DigestEntry[] = [];
  for (const [type, platform, semantics] of MEASURED) {
    if (platformMask(file, type) === undefined) continue;
    const coconut = semantics === "coconut";
    const global = {
      ...args.global,
      platform,
      semantics: coconut ? "coconut" : "openvmm",
      "native-zero": coconut ? args.global["native-zero"] : undefined,
      "check-kvm": coconut ? args.global["check-kvm"] : undefined,
    };
    try {
      const m = computeDigest(file, { ...args, global });
      out.push({ platform, semantics, digest: m.digest.toHex(), refusal: null });
    } catch (e) {
      if (!(e instanceof IgvmToolError)) throw e;
      out.push({ platform, semantics, digest: null, refusal: e.message });
    }
  }
  return out;
}

/** Runs `inspect`. */
export function inspectCommand(args: ParsedArgs, ctx: CommandContext): number {
  const { file, close } = loadInput(args.input);
  try {
    const info = withFile(args.input, "read file", () => inspectFile(file));
    const digests = withFile(args.input, "read file", () => allDigests(file, args));
    if (ctx.json) {
      const { command, file: name } = baseJson(args);
      ctx.io.stdout(jsonText({
        command,
        file: name,
        nativeZero: args.global["native-zero"] === true,
        ...info,
        digests,
      }));
      return 0;
    }
    ctx.io.stdout(inspectText(args.input, info, digests));
    return 0;
  } finally {
    close();
  }
}
