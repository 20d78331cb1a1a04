/**
 * The WebAssembly SHA-256 (lib/measure/sha256.wat) against node:crypto at every
 * padding edge and split, FIPS 180-2's examples and Web Crypto; the committed
 * text against its generator (which derives the constants from FIPS 180-4).
 * tests/wasm_modules_test.ts checks the module against the text.
 */

import { createHash } from "node:crypto";
import { assertEquals } from "./assert.ts";
import {
  createLibrarySha256,
  createWasmSha256,
  sha256For,
  WASM_SHA256_MAX_BYTES,
} from "../lib/measure/wasm_sha256.ts";
import { IV256, K256, sha256Wat } from "../scripts/gen_sha256_wat.ts";
import { Rng } from "./fuzz_helpers.ts";

/** A uniform number in [0, 1) from the fuzzers' seeded generator. */
function seeded(seed: number): () => number {
  const rng = new Rng(seed);
  return () => rng.u32() / 2 ** 32;
}

const nodeHex = (data: Uint8Array) => createHash("sha256").update(data).digest("hex");

Deno.test("SHA-256 (WebAssembly) equals node:crypto at every padding edge and split", () => {
  const rand = seeded(0x256);
  const data = Uint8Array.from({ length: 70000 }, () => Math.floor(rand() * 256));
  // Lengths around the block (64), the padding limit (56) and the 32 KiB staging area.
  const lengths = [0, 1, 55, 56, 57, 63, 64, 65, 119, 120, 127, 128, 4160, 32767, 32768, 32769];
  for (let i = 0; i < 40; i++) lengths.push(Math.floor(rand() * data.length));
  const whole = createWasmSha256()!;
  for (const length of lengths) {
    const want = nodeHex(data.subarray(0, length));
    // One object, message after message: each digest starts the next message.
    assertEquals(whole.update(data.subarray(0, length)).digest().toHex(), want, `length ${length}`);
    const pieces = createWasmSha256()!;
    for (let off = 0; off < length;) {
      const n = Math.min(length - off, Math.floor(rand() * 300));
      pieces.update(data.subarray(off, off + n));
      off += n;
    }
    assertEquals(pieces.digest().toHex(), want, `length ${length}, in pieces`);
  }
});

Deno.test("SHA-256 (WebAssembly): FIPS 180-2 examples, and Web Crypto on a million bytes", async () => {
  const text = (s: string) => new TextEncoder().encode(s);
  const h = createWasmSha256()!;
  assertEquals(
    h.update(text("abc")).digest().toHex(),
    "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad",
  );
  assertEquals(
    h.update(text("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq")).digest().toHex(),
    "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1",
  );
  const million = new Uint8Array(1_000_000).fill(0x61); // one million "a"
  const want = new Uint8Array(await crypto.subtle.digest("SHA-256", million)).toHex();
  assertEquals(want, "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0");
  assertEquals(h.update(million).digest().toHex(), want);
});

Deno.test("sha256For: the same digests below and above the WebAssembly limit, and from hash.ts", () => {
  const page = new Uint8Array(4096).map((_, i) => (i * 13) & 0xff);
  const want = nodeHex(page);
  for (const h of [sha256For(0), sha256For(WASM_SHA256_MAX_BYTES + 1), createLibrarySha256()]) {
    assertEquals(h.update(page).digest().toHex(), want);
    assertEquals(h.update(page).digest().toHex(), want, "the second message starts afresh");
  }
});

Deno.test("the SHA-256 generator's constants are FIPS 180-4's (first, last and a middle one)", () => {
  // FIPS 180-4 §4.2.2 and §5.3.3, as printed there.
  const hex = (x: number) => x.toString(16).padStart(8, "0");
  assertEquals(K256.length, 64);
  assertEquals(hex(K256[0]), "428a2f98");
  assertEquals(hex(K256[32]), "27b70a85");
  assertEquals(hex(K256[63]), "c67178f2");
  assertEquals(IV256.map(hex), [
    "6a09e667",
    "bb67ae85",
    "3c6ef372",
    "a54ff53a",
    "510e527f",
    "9b05688c",
    "1f83d9ab",
    "5be0cd19",
  ]);
});

Deno.test("the committed SHA-256 WAT is the generator's output", () => {
  const committed = Deno.readTextFileSync(new URL("../lib/measure/sha256.wat", import.meta.url));
  assertEquals(committed, sha256Wat());
});
