/**
 * The IGVM header checksum (CRC-32/ISO-HDLC), WebAssembly and JavaScript
 * paths, against a bit-by-bit reference written here and against `node:zlib`'s
 * native `crc32`: at every split, across the WebAssembly chunk boundary,
 * chained as the parser uses it (fixed header, then the variable headers).
 * tests/wasm_modules_test.ts checks the module against its WAT source.
 */

import { assertEquals } from "./assert.ts";
import { crc32 as zlibCrc32 } from "node:zlib";
import { crc32, crc32Portable } from "../lib/igvm/crc32.ts";

function reference(data: Uint8Array, crc = 0): number {
  let c = ~crc >>> 0;
  for (const byte of data) {
    c ^= byte;
    for (let k = 0; k < 8; k++) c = c & 1 ? (0xedb88320 ^ (c >>> 1)) >>> 0 : c >>> 1;
  }
  return ~c >>> 0;
}

Deno.test('crc32: the check value of "123456789" is 0xCBF43926', () => {
  const check = new TextEncoder().encode("123456789");
  assertEquals([crc32(check), crc32Portable(check), reference(check)], [
    0xcbf43926,
    0xcbf43926,
    0xcbf43926,
  ]);
});

Deno.test("crc32: both paths equal the reference and node:zlib, chained or not", () => {
  // Longer than one WebAssembly call takes (57344 bytes), so the chunks chain too.
  const data = new Uint8Array(150000).map((_, i) => (i * 131 + (i >> 7)) & 0xff);
  const want = reference(data);
  assertEquals(zlibCrc32(data) >>> 0, want);
  assertEquals([crc32(data), crc32Portable(data)], [want, want]);
  for (const split of [0, 1, 7, 8, 9, 24, 32, 4095, 57343, 57344, 57345, 114688, 149999]) {
    const head = data.subarray(0, split);
    const tail = data.subarray(split);
    assertEquals(crc32(tail, crc32(head)), want, `split ${split}`);
    assertEquals(crc32Portable(tail, crc32Portable(head)), want, `portable, split ${split}`);
  }
  for (let length = 0; length <= 40; length++) {
    const part = data.subarray(5, 5 + length);
    assertEquals([crc32(part), crc32Portable(part)], [reference(part), reference(part)]);
  }
  assertEquals(crc32(new Uint8Array(0)), 0);
  assertEquals(crc32(new Uint8Array(0), 0x12345678), 0x12345678);
});
