/**
 * igvmmeasure: computes (and signs) the launch measurement of an IGVM file.
 *
 * Usage: `deno run --allow-read main.ts <INPUT> measure`; `--help` lists everything.
 *
 * @module
 */

import { runCli } from "./lib/cli/run.ts";

if (import.meta.main) {
  Deno.exitCode = await runCli(Deno.args);
}
