/**
 * Every committed WebAssembly module (the base64 TypeScript files listed in
 * scripts/build_wasm.ts) is what `wat2wasm` builds from its committed text
 * source. Needs WABT (Debian package `wabt`); skipped, saying so, without it.
 */

import { assertEquals } from "./assert.ts";
import { MODULES } from "../scripts/build_wasm.ts";

function hasWat2wasm(): boolean {
  try {
    return new Deno.Command("wat2wasm", { args: ["--version"] }).outputSync().success;
  } catch {
    return false;
  }
}
const WABT = hasWat2wasm();
const LIB = new URL("../lib/", import.meta.url);

for (const { wat, ts, name } of MODULES) {
  Deno.test({
    name: WABT
      ? `${ts}: the committed module matches ${wat}`
      : `${ts}: the committed module matches ${wat} (skipped: wat2wasm from Debian's wabt is not installed)`,
    ignore: !WABT,
    async fn() {
      const tmp = await Deno.makeTempFile({ suffix: ".wasm" });
      try {
        const out = await new Deno.Command("wat2wasm", {
          args: [new URL(wat, LIB).pathname, "-o", tmp],
        }).output();
        assertEquals(out.success, true);
        const module = await import(new URL(ts, LIB).href);
        assertEquals(Deno.readFileSync(tmp).toBase64(), module[name]);
      } finally {
        Deno.removeSync(tmp);
      }
    },
  });
}
