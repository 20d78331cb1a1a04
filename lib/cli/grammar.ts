/**
 * The command-line grammar the parser (`args.ts`) reads, in clap derive's
 * model: global options, then `<INPUT>`, then a command and its options; and
 * the `--help` texts it prints, in clap's layout.
 *
 * @module
 */

/** One option of a command. */
export interface OptionSpec {
  /** Long name without the dashes; also the key in the parsed values (`args.ts`). */
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

/** The option as `--help` lists it: `-p, --platform <PLATFORM>`, or `    --native-zero`. */
function display(spec: OptionSpec): string {
  const names = spec.short ? `-${spec.short}, --${spec.long}` : `    --${spec.long}`;
  return spec.value ? `${names} <${spec.value}>` : names;
}

/**
 * The program's `--help` text (clap's layout).
 *
 * @example
 * ```ts
 * import { programHelp } from "./grammar.ts";
 * import { PROGRAM } from "./spec.ts";
 * programHelp(PROGRAM).includes("Usage: igvmmeasure [OPTIONS] <INPUT> <COMMAND>"); // true
 * ```
 */
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

/**
 * A command's `--help` text.
 *
 * @example
 * ```ts
 * import { commandHelp } from "./grammar.ts";
 * import { PROGRAM } from "./spec.ts";
 * const measure = PROGRAM.commands.find((c) => c.name === "measure")!;
 * commandHelp(PROGRAM, measure).startsWith(measure.about); // true
 * ```
 */
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
