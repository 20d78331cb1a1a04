/**
 * `igvmmeasure <file> measure`: prints the launch digest as the original does.
 *
 * @module
 */

import type { ParsedArgs } from "./args.ts";
import { parseIgvm, type ParseOptions } from "../igvm/parser.ts";
import { measure, type Measurement, parseOptionsFor, usesPageHashes } from "../measure/measure.ts";
import type { PageHashService } from "../measure/page_hashes.ts";
import { MeasurementError } from "../errors.ts";
import { fileSourceDefaults, openFileSource } from "./file_source.ts";
import { type CommandContext, withFile } from "./io.ts";
import { baseJson, jsonText } from "./json.ts";
import type { IgvmFile } from "../igvm/types.ts";
import { type GlobalOptions, globalOptions, measureOptions } from "./options.ts";

const RULE = "=".repeat(111);

/** The original's banner around a digest. */
export function banner(input: string, hex: string): string {
  return `\n${RULE}\nigvmmeasure '${input}'\nLaunch Digest: ${hex}\n${RULE}\n\n`;
}

/** Upper-case hex, as the original prints digests. */
function upperHex(bytes: Uint8Array): string {
  return bytes.toHex().toUpperCase();
}

/** A parsed input file, with its page hash service; `close()` when done. */
export interface Input {
  /** The parsed file (page data stays in the file). */
  readonly file: IgvmFile;
  /** Hashes the file's pages in bulk (worker threads for large files). */
  readonly pageHashes: PageHashService;
  /** Closes the file. */
  close(): void;
}

/**
 * Opens and parses the input file; every failure names the file.
 * `hashAhead`: a digest that asks for page hashes will be computed (see
 * `usesPageHashes`), so the file source may hash pages while the headers are
 * parsed; the others read pages as they fold them and need no worker threads.
 * `inspect` computes every digest: whether the file has an SEV-SNP header is
 * only known once it is parsed.
 */
export function loadInput(path: string, options: ParseOptions = {}, hashAhead = true): Input {
  const sourceOptions = hashAhead
    ? fileSourceDefaults()
    : { ...fileSourceDefaults(), hashAhead: false };
  const source = withFile(path, "read file", () => openFileSource(path, sourceOptions));
  try {
    const file = withFile(path, "read file", () => parseIgvm(source, options));
    return { file, pageHashes: source.pageHashes, close: () => source.close() };
  } catch (e) {
    source.close();
    throw e;
  }
}

/**
 * Opens and parses the input as the measurement the global options ask for
 * needs it (the original's rules parse as igvm 0.4.0), and measures it.
 */
export function measureInput(
  path: string,
  g: GlobalOptions,
  log?: (line: string) => void,
): { input: Input; m: Measurement } {
  const input = loadInput(path, parseOptionsFor(g), usesPageHashes(g.platform));
  try {
    const options = { ...measureOptions(g), pageHashes: input.pageHashes, log };
    const m = withFile(path, "read file", () => measure(input.file, options));
    return { input, m };
  } catch (e) {
    input.close();
    throw e;
  }
}

/** The ID-block check the original applies after printing the digest. */
function idBlockMismatch(expected: Uint8Array): MeasurementError {
  return new MeasurementError(
    "An ID block has been provided in the IGVM file but the calculated measurement does not match " +
      `the expected measurement in the ID block. \nExpected: ${upperHex(expected)}`,
    "id-block-mismatch",
  );
}

/** Runs `measure`; `out` collects stdout text (flushed by the caller on error). */
export function measureCommand(args: ParsedArgs, ctx: CommandContext): number {
  const out = ctx.out;
  const g = globalOptions(args);
  const log = g.verbose ? (line: string) => out.push(line + "\n") : undefined;
  const { input, m } = measureInput(args.input, g, log);
  try {
    const hex = upperHex(m.digest);
    const checkLd = m.platform === "sev-snp" && args.commandOptions["ignore-idblock"] !== true &&
      m.idBlockLd !== undefined;
    const matches = checkLd ? upperHex(m.idBlockLd!) === hex : undefined;
    if (ctx.json) {
      out.length = 0; // no verbose log in JSON
      ctx.partial = {
        ...baseJson(args, m),
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
    input.close();
  }
}
