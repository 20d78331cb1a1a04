/**
 * The CLI driver: parses the command line, runs the command, and is the one
 * place that turns errors into messages and exit codes (0 success, 1 failure,
 * 2 usage error). With `--json` the same errors become a JSON object on
 * stdout (see `json.ts`).
 *
 * @module
 */

import { HelpRequest, parseArgs, type ParsedArgs, UsageError } from "./args.ts";
import { PROGRAM } from "./spec.ts";
import { IgvmToolError, OptionsError } from "../errors.ts";
import { type CliIo, type CommandContext, denoIo } from "./io.ts";
import { measureCommand } from "./measure_command.ts";
import { errorJson, jsonRequested, jsonText } from "./json.ts";
import { usageErrorFor } from "./options.ts";

/** Exit codes. */
const ExitCode = { OK: 0, FAILURE: 1, USAGE: 2 } as const;

async function dispatch(parsed: ParsedArgs, ctx: CommandContext): Promise<number> {
  switch (parsed.command) {
    case "measure":
      return measureCommand(parsed, ctx);
    case "sign": {
      // Loaded on demand: signing code and its dependency stay out of `measure`'s start-up.
      const { signCommand } = await import("./sign_command.ts");
      return await signCommand(parsed, ctx);
    }
    case "verify": {
      const { verifyCommand } = await import("./verify_command.ts");
      return await verifyCommand(parsed, ctx);
    }
    case "inspect": {
      const { inspectCommand } = await import("./inspect_command.ts");
      return inspectCommand(parsed, ctx);
    }
    case "report": {
      // Loaded on demand: the X.509 reader and AMD's roots stay out of `measure`'s start-up.
      const { reportCommand } = await import("./report_command.ts");
      return await reportCommand(parsed, ctx);
    }
  }
  throw new UsageError(`unrecognized subcommand '${parsed.command}'`);
}

/** clap's layout for a usage error: the problem, the usage line, a pointer to `--help`. */
function usageText(e: UsageError): string {
  return `error: ${e.message}\n\nUsage: igvmmeasure [OPTIONS] <INPUT> <COMMAND>\n\n` +
    "For more information, try '--help'.\n";
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
      if (e.json) {
        io.stdout(jsonText({ command: null, file: null, error: errorJson(e) }));
        return ExitCode.USAGE;
      }
      io.stderr(usageText(e));
      return ExitCode.USAGE;
    }
    throw e;
  }
  const json = jsonRequested(parsed);
  const ctx: CommandContext = { out: [], io, json };
  try {
    return await dispatch(parsed, ctx);
  } catch (caught) {
    const e = caught instanceof OptionsError ? usageErrorFor(caught) : caught;
    const code = e instanceof UsageError ? ExitCode.USAGE : ExitCode.FAILURE;
    if (json) {
      const head = ctx.partial ?? { command: parsed.command, file: parsed.input };
      io.stdout(jsonText({ ...head, error: errorJson(e) }));
      return code;
    }
    if (ctx.out.length) io.stdout(ctx.out.join(""));
    if (e instanceof UsageError) {
      io.stderr(usageText(e));
      return code;
    }
    // Loaded on demand, as lib/inspect is: a run that succeeds does not load the wording of errors.
    const { errorLine, internalErrorLine } = await import("../inspect/error_line.ts");
    io.stderr(e instanceof IgvmToolError ? errorLine(e) : internalErrorLine(e, parsed.input));
    return code;
  }
}
