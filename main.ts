/**
 * igvmmeasure: computes (and signs) the launch measurement of an IGVM file.
 *
 * Usage: `deno run --allow-read main.ts <INPUT> measure`; `--help` lists everything.
 *
 * @module
 */

import { runCli } from "./lib/cli/run.ts";

if (import.meta.main) {
  try {
    Deno.exitCode = await runCli(Deno.args);
  } catch (e) {
    // Only a failed write of the output itself gets here (e.g. stdout on a full disk).
    try {
      console.error(`Error: ${e instanceof Error ? e.message.split("\n")[0] : String(e)}`);
    } catch {
      // stderr is gone too
    }
    Deno.exitCode = 1;
  }
}
