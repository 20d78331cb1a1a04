/**
 * Command-line parsing with the original igvmmeasure's grammar (clap derive):
 * `igvmmeasure [OPTIONS] <INPUT> <COMMAND> [COMMAND OPTIONS]`, where the
 * global options come before the command and the command's options after it.
 * Short flags may be combined (`-vn`), values given as `-p sev`, `-psev`,
 * `--platform sev` or `--platform=sev`.
 *
 * @module
 */

import {
  commandHelp,
  type CommandSpec,
  type OptionSpec,
  programHelp,
  type ProgramSpec,
} from "./grammar.ts";

/** A usage error: clap's exit code 2. */
export class UsageError extends Error {
  /** True when `--json` had been parsed as an option before the error. */
  json = false;
  /** Creates the error; `message` is clap-style ("unexpected argument '-x' found"). */
  constructor(message: string) {
    super(message);
    this.name = "UsageError";
  }
}

/** The value after an option: clap refuses one that looks like another option. */
function nextValue(args: readonly string[], i: number, shown: string): string {
  const v = args[i + 1];
  if (v === undefined || (v.startsWith("-") && v !== "-")) {
    throw new UsageError(`a value is required for '${shown}' but none was supplied`);
  }
  return v;
}

/** A request for help or the version, answered on stdout with exit code 0. */
export class HelpRequest extends Error {
  /** The text to print. */
  readonly text: string;
  /** Creates the request. */
  constructor(text: string) {
    super("help");
    this.text = text;
  }
}

/** Parsed options: flags are booleans, valued options strings (or string[] when multiple). */
export type OptionValues = Record<string, boolean | string | string[] | undefined>;

/** The result of parsing a whole command line. */
export interface ParsedArgs {
  /** The `<INPUT>` argument: the IGVM file's path. */
  readonly input: string;
  /** Name of the command given (e.g. `measure`). */
  readonly command: string;
  /** Options given before the command, keyed by long name, with defaults filled in. */
  readonly global: OptionValues;
  /** Options given after the command, keyed by long name. */
  readonly commandOptions: OptionValues;
}

function findOption(
  specs: readonly OptionSpec[],
  arg: string,
): { spec: OptionSpec; inline?: string } | undefined {
  if (arg.startsWith("--")) {
    const eq = arg.indexOf("=");
    const name = eq < 0 ? arg.slice(2) : arg.slice(2, eq);
    const spec = specs.find((s) => s.long === name);
    return spec ? { spec, inline: eq < 0 ? undefined : arg.slice(eq + 1) } : undefined;
  }
  return undefined;
}

function setValue(out: OptionValues, spec: OptionSpec, value: string, shown: string): void {
  if (spec.possible && !spec.possible.includes(value)) {
    throw new UsageError(
      `invalid value '${value}' for '${shown}'\n  [possible values: ${spec.possible.join(", ")}]`,
    );
  }
  if (spec.multiple) {
    const prev = out[spec.long];
    out[spec.long] = [...(Array.isArray(prev) ? prev : []), value];
    return;
  }
  if (out[spec.long] !== undefined) {
    throw new UsageError(`the argument '${shown}' cannot be used multiple times`);
  }
  out[spec.long] = value;
}

function shownName(spec: OptionSpec): string {
  return spec.value ? `--${spec.long} <${spec.value}>` : `--${spec.long}`;
}

/**
 * Consumes one option at `args[i]` if it is one of `specs`; returns the
 * number of arguments used (0 if `args[i]` is not an option of `specs`).
 */
function takeOption(
  specs: readonly OptionSpec[],
  args: readonly string[],
  i: number,
  out: OptionValues,
  helpFor: () => string,
): number {
  const arg = args[i];
  if (arg === "-h" || arg === "--help") throw new HelpRequest(helpFor());
  if (arg.startsWith("--")) {
    const found = findOption(specs, arg);
    if (!found) throw new UsageError(`unexpected argument '${arg.split("=")[0]}' found`);
    const { spec, inline } = found;
    if (!spec.value) {
      if (inline !== undefined) {
        throw new UsageError(
          `unexpected value '${inline}' for '--${spec.long}' found; no more were expected`,
        );
      }
      if (out[spec.long] === true && !spec.multiple) {
        throw new UsageError(`the argument '--${spec.long}' cannot be used multiple times`);
      }
      out[spec.long] = true;
      return 1;
    }
    if (inline !== undefined) {
      setValue(out, spec, inline, shownName(spec));
      return 1;
    }
    setValue(out, spec, nextValue(args, i, shownName(spec)), shownName(spec));
    return 2;
  }
  if (arg.startsWith("-") && arg.length > 1) {
    // A cluster of short flags; the first one that takes a value takes the rest.
    for (let k = 1; k < arg.length; k++) {
      const c = arg[k];
      if (c === "h") throw new HelpRequest(helpFor());
      const spec = specs.find((s) => s.short === c);
      if (!spec) throw new UsageError(`unexpected argument '-${c}' found`);
      if (!spec.value) {
        if (out[spec.long] === true) {
          throw new UsageError(`the argument '--${spec.long}' cannot be used multiple times`);
        }
        out[spec.long] = true;
        continue;
      }
      // `-psev`, `-p=sev` and `-p=` (an empty value, as clap reads it) take the rest of the argument.
      const rest = arg.slice(k + 1);
      if (rest.length > 0) {
        setValue(out, spec, rest.startsWith("=") ? rest.slice(1) : rest, shownName(spec));
        return 1;
      }
      setValue(out, spec, nextValue(args, i, shownName(spec)), shownName(spec));
      return 2;
    }
    return 1;
  }
  return 0;
}

/**
 * Parses `args` against `spec`. Throws {@link UsageError} or {@link HelpRequest}.
 *
 * @example
 * ```ts
 * import { parseArgs } from "./args.ts";
 * import { PROGRAM } from "./spec.ts";
 * const a = parseArgs(PROGRAM, ["-n", "f.igvm", "measure", "-b"]);
 * // a.input === "f.igvm", a.command === "measure", a.global["native-zero"] === true
 * ```
 */
export function parseArgs(spec: ProgramSpec, args: readonly string[]): ParsedArgs {
  const global: OptionValues = {};
  const commandOptions: OptionValues = {};
  try {
    return parseArgsInto(spec, args, global, commandOptions);
  } catch (e) {
    if (e instanceof UsageError) e.json ||= global.json === true || commandOptions.json === true;
    throw e;
  }
}

/** Where parsing is: what has been seen so far. */
interface ParseState {
  /** The `<INPUT>` argument, once seen. */
  input?: string;
  /** The command, once seen (its options follow). */
  command?: CommandSpec;
  /** A `--` came before the command: everything after it is positional. */
  positionalOnly: boolean;
  /** A `--` came after the command: nothing may follow. */
  afterCommandDashes: boolean;
}

/** The original's subcommands (and clap's `help`), recognised even before INPUT. */
const ORIGINAL_COMMANDS = ["measure", "sign", "help"];

/** clap's help subcommand: `help` or `help <COMMAND>`, nothing more. Always throws. */
function helpSubcommand(spec: ProgramSpec, rest: readonly string[]): never {
  if (rest.length === 0) throw new HelpRequest(programHelp(spec));
  const c = spec.commands.find((x) => x.name === rest[0]);
  if (!c || rest.length > 1) {
    throw new UsageError(`unrecognized subcommand '${rest[c ? 1 : 0]}'`);
  }
  throw new HelpRequest(commandHelp(spec, c));
}

/**
 * One step before the command: `--version`, `--`, a global option, INPUT or
 * the command. Returns the number of arguments used.
 */
function stepBeforeCommand(
  spec: ProgramSpec,
  args: readonly string[],
  i: number,
  global: OptionValues,
  state: ParseState,
): number {
  const arg = args[i];
  if (!state.positionalOnly && (arg === "-V" || arg === "--version")) {
    throw new HelpRequest(`${spec.name} ${spec.version}\n`);
  }
  if (!state.positionalOnly && arg === "--") {
    state.positionalOnly = true;
    return 1;
  }
  if (!state.positionalOnly && arg.startsWith("-") && arg !== "-") {
    return takeOption(spec.options, args, i, global, () => programHelp(spec));
  }
  const isCommandName = state.input !== undefined || ORIGINAL_COMMANDS.includes(arg);
  if (state.positionalOnly && state.input !== undefined) {
    // After `--` everything is positional, so no subcommand can follow.
    throw new UsageError(`unexpected argument '${arg}' found`);
  }
  if (!isCommandName || state.positionalOnly) {
    state.input = arg;
  } else if (arg === "help") {
    helpSubcommand(spec, args.slice(i + 1));
  } else {
    state.command = spec.commands.find((c) => c.name === arg);
    if (!state.command) throw new UsageError(`unrecognized subcommand '${arg}'`);
  }
  return 1;
}

/** One step after the command: `--` (then nothing more) or a command option. Returns the arguments used. */
function stepAfterCommand(
  spec: ProgramSpec,
  command: CommandSpec,
  args: readonly string[],
  i: number,
  commandOptions: OptionValues,
  state: ParseState,
): number {
  const arg = args[i];
  if (state.afterCommandDashes) throw new UsageError(`unexpected argument '${arg}' found`);
  if (arg === "--") {
    state.afterCommandDashes = true;
    return 1;
  }
  if (arg.startsWith("-") && arg !== "-") {
    return takeOption(command.options, args, i, commandOptions, () => commandHelp(spec, command));
  }
  throw new UsageError(`unexpected argument '${arg}' found`);
}

/** The checks once every argument is read (INPUT, a command, its required options), and defaults. */
function finish(
  spec: ProgramSpec,
  state: ParseState,
  global: OptionValues,
  commandOptions: OptionValues,
): ParsedArgs {
  const { input, command } = state;
  if (input === undefined) {
    throw new UsageError("the following required arguments were not provided:\n  <INPUT>");
  }
  if (!command) {
    throw new UsageError("'igvmmeasure' requires a subcommand but one was not provided");
  }
  for (const r of command.required ?? []) {
    if (commandOptions[r] === undefined) {
      const o = command.options.find((x) => x.long === r)!;
      throw new UsageError(
        `the following required arguments were not provided:\n  --${o.long} <${o.value}>`,
      );
    }
  }
  for (const o of spec.options) {
    if (o.defaultValue && global[o.long] === undefined) global[o.long] = o.defaultValue;
  }
  return { input, command: command.name, global, commandOptions };
}

function parseArgsInto(
  spec: ProgramSpec,
  args: readonly string[],
  global: OptionValues,
  commandOptions: OptionValues,
): ParsedArgs {
  const state: ParseState = { positionalOnly: false, afterCommandDashes: false };
  for (let i = 0; i < args.length;) {
    try {
      i += state.command
        ? stepAfterCommand(spec, state.command, args, i, commandOptions, state)
        : stepBeforeCommand(spec, args, i, global, state);
    } catch (e) {
      if (e instanceof UsageError) e.json = jsonFollows(spec, state.command, args, i);
      throw e;
    }
  }
  return finish(spec, state, global, commandOptions);
}

/**
 * Whether a `--json` argument comes after `args[i]`, the argument parsing
 * stopped at, other than as its value (`-p --json` gives `--json` to `-p`).
 */
function jsonFollows(
  spec: ProgramSpec,
  command: CommandSpec | undefined,
  args: readonly string[],
  i: number,
): boolean {
  const specs = [...spec.options, ...(command?.options ?? [])];
  const arg = args[i];
  const long = findOption(specs, arg);
  // In a cluster of short flags, the first one that takes a value takes the next argument only
  // when it ends the cluster.
  const takesNext = long
    ? long.spec.value !== undefined && long.inline === undefined
    : /^-[^-]/.test(arg) &&
      [...arg.slice(1)].findIndex((c) => specs.find((s) => s.short === c)?.value) ===
        arg.length - 2;
  return args.slice(i + (takesNext ? 2 : 1)).includes("--json");
}
