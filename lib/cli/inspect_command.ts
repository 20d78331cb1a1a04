/**
 * `igvmmeasure [OPTIONS] <INPUT> inspect [--json]`: a readable listing of the
 * file and its launch digest for every platform it has a header for: SEV-SNP
 * by both rules (coconut and openvmm), SEV and SEV-ES (coconut), TDX and VBS
 * (the igvm crate's rules). `-n` and `-c` apply to the coconut digests.
 * A digest that cannot be computed is listed as refused, with the reason.
 *
 * @module
 */

import type { ParsedArgs } from "./args.ts";
import { type CommandContext, withFile } from "./io.ts";
import { loadInput } from "./measure_command.ts";
import { jsonText } from "./json.ts";
import { inspectFile } from "../inspect/inspect_file.ts";
import { inspectText } from "../inspect/inspect_text.ts";
import { digestLines } from "../inspect/digest_lines.ts";
import { globalOptions } from "./options.ts";

/** Runs `inspect`. */
export function inspectCommand(args: ParsedArgs, ctx: CommandContext): number {
  const g = globalOptions(args);
  const input = loadInput(args.input);
  try {
    const file = input.file;
    const info = withFile(args.input, "read file", () => inspectFile(file));
    const options = {
      nativeZero: g.nativeZero,
      checkKvm: g.checkKvm,
      pageHashes: input.pageHashes,
    };
    const digests = withFile(args.input, "read file", () => digestLines(file, options));
    if (ctx.json) {
      ctx.io.stdout(jsonText({
        command: args.command,
        file: args.input,
        nativeZero: g.nativeZero,
        ...info,
        digests,
      }));
      return 0;
    }
    ctx.io.stdout(inspectText(args.input, info, digests));
    return 0;
  } finally {
    input.close();
  }
}
