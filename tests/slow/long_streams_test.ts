/**
 * The WebAssembly hash streams past 2^32 bits of input (the padding's 64-bit
 * length field needs its high word), against node:crypto: half a GiB hashed
 * twice each, so they run with the slow suites.
 */

import { createHash } from "node:crypto";
import { assertEquals } from "../assert.ts";
import { createSha384Stream } from "../../lib/measure/wasm_sha384.ts";
import { createWasmSha256 } from "../../lib/measure/wasm_sha256.ts";

Deno.test("SHA-384 stream: past 2^32 bits of length (a TDX file of ≈ 335 MiB of pages)", () => {
  // 520 MiB: the padding's length field needs more than its low 32 bits.
  const chunk = new Uint8Array(1 << 20).map((_, i) => (i * 7 + (i >> 9)) & 0xff);
  const ours = createSha384Stream();
  const node = createHash("sha384");
  for (let i = 0; i < 520; i++) {
    chunk[0] = i; // no two chunks alike
    ours.update(chunk);
    node.update(chunk);
  }
  ours.update(chunk.subarray(0, 37));
  node.update(chunk.subarray(0, 37));
  assertEquals(ours.digest().toHex(), node.digest("hex"));
});

Deno.test("SHA-256 past 2^32 bits of length (an SEV file of ≈ 520 MiB of pages)", () => {
  const chunk = new Uint8Array(1 << 20).map((_, i) => (i * 5 + (i >> 10)) & 0xff);
  const ours = createWasmSha256()!;
  const node = createHash("sha256");
  for (let i = 0; i < 520; i++) {
    chunk[0] = i;
    ours.update(chunk);
    node.update(chunk);
  }
  ours.update(chunk.subarray(0, 11));
  node.update(chunk.subarray(0, 11));
  assertEquals(ours.digest().toHex(), node.digest("hex"));
});
