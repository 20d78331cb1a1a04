/**
 * The IGVM header checksum (CRC-32/ISO-HDLC) against a bit-by-bit reference
 * written here, for both the native (`node:zlib`) and the portable path, with
 * chaining as the parser uses it (fixed header, then the variable headers).
 */

import { assertEquals } from "./assert.ts";
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

Deno.test("crc32: native and portable paths equal the reference, chained or not", () => {
  const data = new Uint8Array(70000).map((_, i) => (i * 131 + (i >> 7)) & 0xff);
  for (const split of [0, 1, 24, 32, 4095, 69999]) {
    const head = data.subarray(0, split);
    const tail = data.subarray(split);
    const want = reference(data);
    assertEquals(crc32(tail, crc32(head)), want, `native, split ${split}`);
    assertEquals(crc32Portable(tail, crc32Portable(head)), want, `portable, split ${split}`);
  }
  assertEquals(crc32(new Uint8Array(0)), 0);
});
