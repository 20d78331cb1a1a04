/**
 * The CLI driver: parses the command line, runs the command, and is the one
 * place that turns errors into messages and exit codes (0 success, 1 failure,
 * 2 usage error).
 *
 * @module
 */

import { HelpRequest, parseArgs, UsageError } from "./args.ts";
import { PROGRAM } from "./spec.ts";
import { IgvmToolError, MeasurementError } from "../errors.ts";
import { type CliIo, denoIo } from "./io.ts";
import { measureCommand } from "./measure_command.ts";

/** Exit codes. */
export const ExitCode = { OK: 0, FAILURE: 1, USAGE: 2 } as const;

/** Formats an error of ours as the one stderr line the CLI prints. */
export function errorLine(e: IgvmToolError): string {
  if (e instanceof MeasurementError) {
    return `Error: ${e.quoted ? `"${e.message}"` : e.message}\n`;
  }
  return e.file !== undefined ? `Error: ${e.file}: ${e.message}\n` : `Error: ${e.message}\n`;
}

/**
 * Runs the CLI with `args` (without the program name); returns the exit code.
 *
 * @example
 * ```ts
 * import { runCli } from "./run.ts";
 * const code = await runCli(["testdata/sample.igvm", "measure", "-b"]);
 * ```
 */
export async function runCli(args: readonly string[], io: CliIo = denoIo): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs(PROGRAM, args);
  } catch (e) {
    if (e instanceof HelpRequest) {
      io.stdout(e.text);
      return ExitCode.OK;
    }
    if (e instanceof UsageError) {
      io.stderr(
        `error: ${e.message}\n\nUsage: igvmmeasure [OPTIONS] <INPUT> <COMMAND>\n\n` +
          "For more information, try '--help'.\n",
      );
      return ExitCode.USAGE;
    }
    throw e;
  }
  const out: string[] = [];
  try {
    switch (parsed.command) {
      case "measure":
        return measureCommand(parsed, { out, io });
      case "sign": {
        // Loaded on demand: signing code and its dependency stay out of `measure`'s start-up.
        const { signCommand } = await import("./sign_command.ts");
        return await signCommand(parsed, { out, io });
      }
    }
    throw new UsageError(`unrecognized subcommand '${parsed.command}'`);
  } catch (e) {
    if (out.length) io.stdout(out.join(""));
    if (e instanceof IgvmToolError) {
      io.stderr(errorLine(e));
      return ExitCode.FAILURE;
    }
    const msg = e instanceof Error ? e.message.split("\n")[0] : String(e);
    io.stderr(`Error: ${parsed.input}: internal error: ${msg}\n`);
    return ExitCode.FAILURE;
  }
}
