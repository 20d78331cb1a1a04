/**
 * The plain path: with no WebAssembly (a runtime without it, or one that
 * refuses to compile it, as a web page's policy may), every page, PAGE_INFO and
 * stream is hashed by `hash.ts` instead of the WebAssembly SHA-384 and the
 * header CRC-32 runs in JavaScript, and the whole igvmmeasure conformance corpus (all rule sets and
 * platforms, sign excepted) and the igvm crate's SNP, TDX and VBS digests still
 * give the reference outputs.
 */

import { assertEquals } from "../assert.ts";
import { loadCases, reportCasesNotAtHand } from "../conformance_helpers.ts";
import { crateCases } from "../crate_cases.ts";

reportCasesNotAtHand("WebAssembly absent and refused: replay", [
  ...loadCases().filter((c) => c.tool === "igvmmeasure" && !c.args.includes("sign")),
  ...crateCases().filter((c) => c.exit === 0),
]);

for (const mode of ["absent", "refused"]) {
  Deno.test(`WebAssembly ${mode}: the conformance corpus replays unchanged (plain hashes)`, async () => {
    const script = new URL("../no_wasm_replay.ts", import.meta.url).pathname;
    const out = await new Deno.Command(Deno.execPath(), {
      args: ["run", "--allow-read", "--allow-env", script, mode],
      env: { NO_COLOR: "1", RUST_BACKTRACE: "0" },
      stdout: "piped",
      stderr: "piped",
    }).output();
    const stdout = new TextDecoder().decode(out.stdout);
    const stderr = new TextDecoder().decode(out.stderr);
    assertEquals(out.code, 0, stdout + stderr);
    assertEquals(/^\d+ cases, 0 mismatches$/m.test(stdout), true, stdout);
  });
}
