/**
 * The plain path: with no WebAssembly (a runtime without it, or without SIMD),
 * every page and PAGE_INFO is hashed by `hash.ts` instead of the WebAssembly
 * SHA-384, and the whole igvmmeasure conformance corpus (all rule sets and
 * platforms, sign excepted) and the igvm crate's SNP, TDX and VBS digests still
 * give the reference outputs.
 */

import { assertEquals } from "./assert.ts";

Deno.test("without WebAssembly, the conformance corpus replays unchanged (plain hashes)", async () => {
  const script = new URL("./no_wasm_replay.ts", import.meta.url).pathname;
  const out = await new Deno.Command(Deno.execPath(), {
    args: ["run", "--allow-read", "--allow-env", script],
    env: { NO_COLOR: "1", RUST_BACKTRACE: "0" },
    stdout: "piped",
    stderr: "piped",
  }).output();
  const stdout = new TextDecoder().decode(out.stdout);
  const stderr = new TextDecoder().decode(out.stderr);
  assertEquals(out.code, 0, stdout + stderr);
  assertEquals(/^\d+ cases, 0 mismatches$/m.test(stdout), true, stdout);
});
