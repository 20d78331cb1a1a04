/**
 * Command-line parsing with the original igvmmeasure's grammar (clap derive):
 * `igvmmeasure [OPTIONS] <INPUT> <COMMAND> [COMMAND OPTIONS]`, where the
 * global options come before the command and the command's options after it.
 * Short flags may be combined (`-vn`), values given as `-p sev`, `-psev`,
 * `--platform sev` or `--platform=sev`.
 *
 * @module
 */

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

/** One option of a command. */
export interface OptionSpec {
  /** Long name without the dashes; also the key in {@link OptionValues}. */
  readonly long: string;
  /** One-letter short name, if any. */
  readonly short?: string;
  /** Value name for options that take a value (e.g. `PLATFORM`). */
  readonly value?: string;
  /** Help text shown after the option in `--help`. */
  readonly help: string;
  /** Allowed values; any other value is a usage error. */
  readonly possible?: readonly string[];
  /** Value shown in help; for global options also used when the option is absent. */
  readonly defaultValue?: string;
  /** May be given more than once (values collect). */
  readonly multiple?: boolean;
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

/** A command with its options. */
export interface CommandSpec {
  /** Command name as typed (e.g. `measure`). */
  readonly name: string;
  /** One-line description shown in help. */
  readonly about: string;
  /** The options that may follow the command. */
  readonly options: readonly OptionSpec[];
  /** Options that must be present. */
  readonly required?: readonly string[];
}

/** The whole grammar. */
export interface ProgramSpec {
  /** Program name shown in usage lines and by `--version`. */
  readonly name: string;
  /** Version printed by `--version`. */
  readonly version: string;
  /** Description at the top of `--help`. */
  readonly about: string;
  /** Help text for the `<INPUT>` argument. */
  readonly inputHelp: string;
  /** Global options, given before the command. */
  readonly options: readonly OptionSpec[];
  /** The commands, in the order `--help` lists them. */
  readonly commands: readonly CommandSpec[];
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

function display(spec: OptionSpec): string {
  const names = spec.short ? `-${spec.short}, --${spec.long}` : `    --${spec.long}`;
  return spec.value ? `${names} <${spec.value}>` : names;
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

/** The program's `--help` text (clap's layout). */
export function programHelp(p: ProgramSpec): string {
  const width = Math.max(
    ...p.options.map((o) => display(o).length),
    "-h, --help".length,
    "-V, --version".length,
  );
  const cmdWidth = Math.max(...p.commands.map((c) => c.name.length), 4);
  const lines = [
    p.about,
    "",
    `Usage: ${p.name} [OPTIONS] <INPUT> <COMMAND>`,
    "",
    "Commands:",
    ...p.commands.map((c) => `  ${c.name.padEnd(cmdWidth)}  ${c.about}`),
    `  ${"help".padEnd(cmdWidth)}  Print this message or the help of the given subcommand(s)`,
    "",
    "Arguments:",
    `  <INPUT>  ${p.inputHelp}`,
    "",
    "Options:",
    ...p.options.map((o) => `  ${display(o).padEnd(width)}  ${optionHelp(o)}`),
    `  ${"-h, --help".padEnd(width)}  Print help`,
    `  ${"-V, --version".padEnd(width)}  Print version`,
  ];
  return lines.join("\n") + "\n";
}

function optionHelp(o: OptionSpec): string {
  let h = o.help;
  if (o.defaultValue) h += ` [default: ${o.defaultValue}]`;
  if (o.possible) h += ` [possible values: ${o.possible.join(", ")}]`;
  return h;
}

/** A command's `--help` text. */
export function commandHelp(p: ProgramSpec, c: CommandSpec): string {
  const width = Math.max(...c.options.map((o) => display(o).length), "-h, --help".length);
  const req = (c.required ?? []).map((r) => {
    const o = c.options.find((x) => x.long === r)!;
    return ` --${o.long} <${o.value}>`;
  }).join("");
  const lines = [
    c.about,
    "",
    `Usage: ${p.name} <INPUT> ${c.name}${c.options.length ? " [OPTIONS]" : ""}${req}`,
    "",
    "Options:",
    ...c.options.map((o) => `  ${display(o).padEnd(width)}  ${optionHelp(o)}`),
    `  ${"-h, --help".padEnd(width)}  Print help`,
  ];
  return lines.join("\n") + "\n";
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
    if (e instanceof UsageError) e.json = global.json === true || commandOptions.json === true;
    throw e;
  }
}

function parseArgsInto(
  spec: ProgramSpec,
  args: readonly string[],
  global: OptionValues,
  commandOptions: OptionValues,
): ParsedArgs {
  let input: string | undefined;
  let command: CommandSpec | undefined;
  let i = 0;
  let positionalOnly = false;
  let afterCommandDashes = false;
  // The original's subcommands (and clap's `help`) are recognised even before INPUT.
  const ORIGINAL_COMMANDS = ["measure", "sign", "help"];
  while (i < args.length) {
    const arg = args[i];
    if (!command) {
      if (!positionalOnly && (arg === "-V" || arg === "--version")) {
        throw new HelpRequest(`${spec.name} ${spec.version}\n`);
      }
      if (!positionalOnly && arg === "--") {
        positionalOnly = true;
        i++;
        continue;
      }
      if (!positionalOnly && arg.startsWith("-") && arg !== "-") {
        i += takeOption(spec.options, args, i, global, () => programHelp(spec));
        continue;
      }
      const isCommandName = input !== undefined || ORIGINAL_COMMANDS.includes(arg);
      if (positionalOnly && input !== undefined) {
        // After `--` everything is positional, so no subcommand can follow.
        throw new UsageError(`unexpected argument '${arg}' found`);
      }
      if (!isCommandName || positionalOnly) {
        input = arg;
      } else if (arg === "help") {
        // clap's help subcommand: `help` or `help <COMMAND>`, nothing more.
        const rest = args.slice(i + 1);
        if (rest.length === 0) throw new HelpRequest(programHelp(spec));
        const c = spec.commands.find((x) => x.name === rest[0]);
        if (!c || rest.length > 1) {
          throw new UsageError(`unrecognized subcommand '${rest[c ? 1 : 0]}'`);
        }
        throw new HelpRequest(commandHelp(spec, c));
      } else {
        command = spec.commands.find((c) => c.name === arg);
        if (!command) throw new UsageError(`unrecognized subcommand '${arg}'`);
      }
      i++;
      continue;
    }
    if (afterCommandDashes) throw new UsageError(`unexpected argument '${arg}' found`);
    if (arg === "--") {
      afterCommandDashes = true;
      i++;
      continue;
    }
    if (arg.startsWith("-") && arg !== "-") {
      const c = command;
      i += takeOption(c.options, args, i, commandOptions, () => commandHelp(spec, c));
      continue;
    }
    throw new UsageError(`unexpected argument '${arg}' found`);
  }
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
