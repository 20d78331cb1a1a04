/**
 * The WebAssembly SHA-384 (lib/measure/sha384.wat) against node:crypto and Web
 * Crypto on random and edge-case PAGE_INFOs and 4 KiB pages; the committed
 * text against its generator (which derives the constants from FIPS 180-4).
 * tests/wasm_modules_test.ts checks the module against the text.
 */

import { createHash } from "node:crypto";
import { assertEquals, assertThrowsMatch } from "./assert.ts";
import {
  createPageHasher,
  createPageInfoHasher,
  createPlainPageHasher,
  createPlainPageInfoHasher,
  createSha384Stream,
  MAX_BATCH_PAGES,
  zeroPageSha384,
} from "../lib/measure/wasm_sha384.ts";
import { IV384, K512, sha384Wat } from "../scripts/gen_sha384_wat.ts";
import { Rng } from "./fuzz_helpers.ts";

/** A uniform number in [0, 1) from the fuzzers' seeded generator. */
function seeded(seed: number): () => number {
  const rng = new Rng(seed);
  return () => rng.u32() / 2 ** 32;
}

const nodeHex = (data: Uint8Array) => createHash("sha384").update(data).digest("hex");

Deno.test("PAGE_INFO SHA-384 (WebAssembly) equals node:crypto on 5,000 random and edge inputs", () => {
  const wasm = createPageInfoHasher();
  const plain = createPlainPageInfoHasher();
  const rand = seeded(0x5eed);
  const inputs: Uint8Array[] = [new Uint8Array(112), new Uint8Array(112).fill(0xff)];
  for (let i = 0; i < 5000; i++) {
    inputs.push(Uint8Array.from({ length: 112 }, () => Math.floor(rand() * 256)));
  }
  for (const input of inputs) {
    const want = nodeHex(input);
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

Deno.test("page SHA-384 (WebAssembly, batches) equals node:crypto and the plain hasher", () => {
  const rand = seeded(0xbeef);
  const wasm = createPageHasher(MAX_BATCH_PAGES);
  const plain = createPlainPageHasher(MAX_BATCH_PAGES);
  const pages = new Uint8Array(MAX_BATCH_PAGES * 4096);
  for (let i = 0; i < pages.length; i += 4) {
    const r = Math.floor(rand() * 2 ** 32);
    pages[i] = r;
    pages[i + 1] = r >>> 8;
    pages[i + 2] = r >>> 16;
    pages[i + 3] = r >>> 24;
  }
  pages.fill(0, 0, 4096); // edge pages: all zero, all ones, one bit
  pages.fill(0xff, 4096, 8192);
  pages.fill(0, 8192, 12288);
  pages[12287] = 1;
  for (const count of [1, 2, 3, 17, MAX_BATCH_PAGES]) {
    wasm.input.set(pages.subarray(0, count * 4096));
    plain.input.set(pages.subarray(0, count * 4096));
    wasm.hash(count);
    plain.hash(count);
    for (let i = 0; i < count; i++) {
      const want = nodeHex(pages.subarray(i * 4096, (i + 1) * 4096));
      assertEquals(
        wasm.output.subarray(i * 48, (i + 1) * 48).toHex(),
        want,
        `page ${i} of ${count}`,
      );
      assertEquals(plain.output.subarray(i * 48, (i + 1) * 48).toHex(), want);
    }
  }
});

Deno.test("page SHA-384 (WebAssembly, interleaved: three at a time) equals node:crypto", () => {
  const rand = seeded(0x3ee);
  const wasm = createPageHasher(MAX_BATCH_PAGES, { interleaved: true });
  for (let i = 0; i < wasm.input.length; i++) wasm.input[i] = Math.floor(rand() * 256);
  wasm.input.fill(0xff, 4096, 8192); // an edge page among the triples
  const pages = wasm.input.slice();
  // Counts that end on a triple, a pair and a single page.
  for (const count of [1, 2, 3, 4, 5, 6, 7, 255, 256, MAX_BATCH_PAGES]) {
    wasm.input.set(pages);
    wasm.hash(count);
    for (let i = 0; i < count; i++) {
      assertEquals(
        wasm.output.subarray(i * 48, (i + 1) * 48).toHex(),
        nodeHex(pages.subarray(i * 4096, (i + 1) * 4096)),
        `page ${i} of ${count}`,
      );
    }
  }
  const one = new Uint8Array(4096).map((_, i) => i & 0xff);
  assertEquals(wasm.hashPage(one).toHex(), nodeHex(one));
});

Deno.test("page SHA-384 of 4096 zero bytes equals Web Crypto; two hashers do not share memory", async () => {
  const a = createPageHasher(1);
  const b = createPageHasher(1);
  a.input.fill(0);
  b.input.fill(0xa5);
  a.hash(1);
  b.hash(1);
  const zero = new Uint8Array(await crypto.subtle.digest("SHA-384", new Uint8Array(4096)));
  assertEquals(a.output.toHex(), zero.toHex());
  assertEquals(b.output.toHex(), nodeHex(new Uint8Array(4096).fill(0xa5)));
});

Deno.test("hashPage: one page's digest, as a view of the output", () => {
  for (const make of [createPageHasher, createPlainPageHasher]) {
    const h = make(3);
    const page = new Uint8Array(4096).map((_, i) => (i * 7) & 0xff);
    const d = h.hashPage(page);
    assertEquals(d.toHex(), nodeHex(page));
    assertEquals(d.buffer, h.output.buffer);
  }
});

Deno.test("page hasher capacity and batch size are checked", () => {
  assertThrowsMatch(() => createPageHasher(0), RangeError, /capacity must be 1 to 1024, not 0$/);
  assertThrowsMatch(() => createPageHasher(MAX_BATCH_PAGES + 1), RangeError, /not 1025$/);
  for (const make of [createPageHasher, createPlainPageHasher]) {
    const h = make(2);
    for (const bad of [3, -1, 1.5, NaN]) {
      assertThrowsMatch(
        () => h.hash(bad),
        RangeError,
        /^page count must be 0 to the batch of 2, not /,
      );
    }
    assertThrowsMatch(
      () => h.hashPage(new Uint8Array(4095)),
      RangeError,
      /^a page is 4096 bytes, not 4095$/,
    );
    h.hash(0); // nothing to do
  }
});

Deno.test("SHA-384 stream (WebAssembly) equals node:crypto at every padding edge and split", () => {
  const rand = seeded(0xcafe);
  const data = Uint8Array.from({ length: 70000 }, () => Math.floor(rand() * 256));
  // Lengths around the block (128), the padding limit (112) and the 32 KiB staging area.
  const lengths = [0, 1, 111, 112, 113, 127, 128, 129, 239, 240, 255, 256, 32767, 32768, 32769];
  for (let i = 0; i < 40; i++) lengths.push(Math.floor(rand() * data.length));
  for (const length of lengths) {
    const want = nodeHex(data.subarray(0, length));
    assertEquals(createSha384Stream().update(data.subarray(0, length)).digest().toHex(), want);
    // The same bytes in random pieces, empty ones included.
    const h = createSha384Stream();
    for (let off = 0; off < length;) {
      const n = Math.min(length - off, Math.floor(rand() * 300));
      h.update(data.subarray(off, off + n));
      off += n;
    }
    assertEquals(h.digest().toHex(), want, `length ${length}, in pieces`);
  }
});

Deno.test("SHA-384 stream: FIPS 180-2 example values; finishing twice is refused", async () => {
  const abc = new TextEncoder().encode("abc");
  assertEquals(
    createSha384Stream().update(abc).digest().toHex(),
    "cb00753f45a35e8bb5a03d699ac65007272c32ab0eded1631a8b605a43ff5bed" +
      "8086072ba1e7cc2358baeca134c825a7",
  );
  const million = new Uint8Array(1_000_000).fill(0x61); // one million "a"
  const want = new Uint8Array(await crypto.subtle.digest("SHA-384", million)).toHex();
  assertEquals(want.slice(0, 16), "9d0e1809716474cb"); // FIPS 180-2 appendix D.3
  assertEquals(createSha384Stream().update(million).digest().toHex(), want);
  const h = createSha384Stream();
  h.digest();
  assertThrowsMatch(() => h.digest(), Error, /already finished/);
  assertThrowsMatch(() => h.update(abc), Error, /already finished/);
});

Deno.test("the zero page's SHA-384 is Web Crypto's", async () => {
  const want = new Uint8Array(await crypto.subtle.digest("SHA-384", new Uint8Array(4096)));
  assertEquals(zeroPageSha384().toHex(), want.toHex());
});

Deno.test("the generator's constants are FIPS 180-4's (first, last and a middle one)", () => {
  // FIPS 180-4 §4.2.3 and §5.3.4, as printed there.
  assertEquals(K512.length, 80);
  assertEquals(K512[0].toString(16), "428a2f98d728ae22");
  assertEquals(K512[40].toString(16), "a2bfe8a14cf10364");
  assertEquals(K512[79].toString(16), "6c44198c4a475817");
  assertEquals(IV384.map((x) => x.toString(16).padStart(16, "0")), [
    "cbbb9d5dc1059ed8",
    "629a292a367cd507",
    "9159015a3070dd17",
    "152fecd8f70e5939",
    "67332667ffc00b31",
    "8eb44a8768581511",
    "db0c2e0d64f98fa7",
    "47b5481dbefa4fa4",
  ]);
});

Deno.test("the committed WAT is the generator's output", () => {
  const committed = Deno.readTextFileSync(new URL("../lib/measure/sha384.wat", import.meta.url));
  assertEquals(committed, sha384Wat());
});
