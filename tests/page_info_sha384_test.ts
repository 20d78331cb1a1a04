/**
 * The WebAssembly SHA-384 of a PAGE_INFO (lib/measure/page_info_sha384.wat)
 * against node:crypto and Web Crypto on random and edge-case inputs, and the
 * committed module against its source.
 */

import { createHash } from "node:crypto";
import { assertEquals } from "./assert.ts";
import {
  createPageInfoHasher,
  createPlainPageInfoHasher,
} from "../lib/measure/page_info_sha384.ts";

function seeded(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 2 ** 32;
  };
}

Deno.test("PAGE_INFO SHA-384 (WebAssembly) equals node:crypto on 5,000 random and edge inputs", () => {
  const wasm = createPageInfoHasher();
  const plain = createPlainPageInfoHasher();
  const rand = seeded(0x5eed);
  const inputs: Uint8Array[] = [new Uint8Array(112), new Uint8Array(112).fill(0xff)];
  for (let i = 0; i < 5000; i++) {
    inputs.push(Uint8Array.from({ length: 112 }, () => Math.floor(rand() * 256)));
  }
  for (const input of inputs) {
    const want = createHash("sha384").update(input).digest("hex");
    wasm.info.set(input);
    wasm.chain();
    plain.info.set(input);
    plain.chain();
    assertEquals(wasm.info.subarray(0, 48).toHex(), want);
    assertEquals(plain.info.subarray(0, 48).toHex(), want);
    // The rest of the PAGE_INFO is left as it was.
    assertEquals(wasm.info.subarray(48).toHex(), input.subarray(48).toHex());
  }
});

Deno.test("PAGE_INFO SHA-384 equals Web Crypto (independent implementation)", async () => {
  const h = createPageInfoHasher();
  const input = new Uint8Array(112).map((_, i) => (i * 37 + 11) & 0xff);
  h.info.set(input);
  h.chain();
  const want = new Uint8Array(await crypto.subtle.digest("SHA-384", input));
  assertEquals(h.info.subarray(0, 48).toHex(), want.toHex());
});

function hasWat2wasm(): boolean {
  try {
    return new Deno.Command("wat2wasm", { args: ["--version"] }).outputSync().success;
  } catch {
    return false;
  }
}
const WABT = hasWat2wasm();

Deno.test({
  name: WABT
    ? "the committed module matches its WAT source"
    : "the committed module matches its WAT source (skipped: wat2wasm from Debian's wabt is not installed)",
  ignore: !WABT,
  async fn() {
    const wat = new URL("../lib/measure/page_info_sha384.wat", import.meta.url).pathname;
    const tmp = await Deno.makeTempFile({ suffix: ".wasm" });
    try {
      const out = await new Deno.Command("wat2wasm", { args: [wat, "-o", tmp] }).output();
      assertEquals(out.success, true);
      const { PAGE_INFO_SHA384_WASM } = await import("../lib/measure/page_info_sha384_wasm.ts");
      assertEquals(Deno.readFileSync(tmp).toBase64(), PAGE_INFO_SHA384_WASM);
    } finally {
      Deno.removeSync(tmp);
    }
  },
});
