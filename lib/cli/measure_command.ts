/**
 * `igvmmeasure <file> measure`: prints the launch digest as the original does.
 *
 * @module
 */

import type { ParsedArgs } from "./args.ts";
import { parseIgvm } from "../igvm/parser.ts";
import { type AmdPlatform, measureCoconut } from "../measure/coconut.ts";
import { MeasurementError } from "../errors.ts";
import { openFileSource } from "./file_source.ts";
import { type CommandContext, withFile } from "./io.ts";
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
export function loadInput(path: string): { file: IgvmFile; close: () => void } {
  const source = withFile(path, "read file", () => openFileSource(path));
  try {
    const file = withFile(path, "read file", () => parseIgvm(source));
    return { file, close: () => source.close() };
  } catch (e) {
    source.close();
    throw e;
  }
}

/** The ID-block check the original applies after printing the digest. */
export function idBlockMismatch(expected: Uint8Array): MeasurementError {
  return new MeasurementError(
    "An ID block has been provided in the IGVM file but the calculated measurement does not match " +
      `the expected measurement in the ID block. \nExpected: ${upperHex(expected)}`,
  );
}

/** Runs `measure`; `out` collects stdout text (flushed by the caller on error). */
export function measureCommand(args: ParsedArgs, ctx: CommandContext): number {
  const out = ctx.out;
  const { file, close } = loadInput(args.input);
  try {
    const platform = args.global.platform as AmdPlatform;
    const m = withFile(args.input, "read file", () =>
      measureCoconut(file, {
        platform,
        nativeZero: args.global["native-zero"] === true,
        checkKvm: args.global["check-kvm"] === true,
        log: args.global.verbose === true ? (line) => out.push(line + "\n") : undefined,
      }));
    const hex = upperHex(m.digest);
    out.push(args.commandOptions.bare === true ? hex + "\n" : banner(args.input, hex));
    if (platform === "sev-snp" && args.commandOptions["ignore-idblock"] !== true && m.idBlockLd) {
      if (upperHex(m.idBlockLd) !== hex) throw idBlockMismatch(m.idBlockLd);
    }
    ctx.io.stdout(out.splice(0).join(""));
    return 0;
  } finally {
    close();
  }
}
