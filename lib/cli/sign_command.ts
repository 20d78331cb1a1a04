/**
 * `igvmmeasure <file> sign` (placeholder until signing lands).
 *
 * @module
 */
import type { ParsedArgs } from "./args.ts";
import type { CommandContext } from "./io.ts";
import { MeasurementError } from "../errors.ts";

/** Runs `sign`. */
export function signCommand(_args: ParsedArgs, _ctx: CommandContext): Promise<number> {
  return Promise.reject(new MeasurementError("signing is not implemented yet"));
}
