/**
 * The IGVM header checksum (CRC-32/ISO-HDLC) against a bit-by-bit reference
 * written here and against `node:zlib`'s native `crc32`, at every split and
 * length around the eight-byte step, chained as the parser uses it (fixed
 * header, then the variable headers).
 */

import { assertEquals } from "./assert.ts";
import { crc32 as zlibCrc32 } from "node:zlib";
import { crc32 } from "../lib/igvm/crc32.ts";

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
  assertEquals([crc32(check), reference(check)], [0xcbf43926, 0xcbf43926]);
});

Deno.test("crc32: equals the reference and node:zlib, chained or not", () => {
  const data = new Uint8Array(70000).map((_, i) => (i * 131 + (i >> 7)) & 0xff);
  const want = reference(data);
  assertEquals(zlibCrc32(data) >>> 0, want);
  for (const split of [0, 1, 3, 7, 8, 9, 24, 32, 4095, 69993, 69999]) {
    const head = data.subarray(0, split);
    const tail = data.subarray(split);
    assertEquals(crc32(tail, crc32(head)), want, `split ${split}`);
  }
  for (let length = 0; length <= 40; length++) {
    const part = data.subarray(5, 5 + length); // every length around the 8-byte step, unaligned
    assertEquals(crc32(part), reference(part), `length ${length}`);
  }
  assertEquals(crc32(new Uint8Array(0)), 0);
});
