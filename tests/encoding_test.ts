/**
 * lib/encoding.ts: the plain loops used where the runtime lacks
 * `Uint8Array.prototype.toHex` and friends (Node.js before 25) give what the
 * built-ins give (Deno has them), for every byte value and for bad input.
 */

import { assertEquals, assertThrowsMatch } from "./assert.ts";
import {
  fromBase64,
  fromBase64Portable,
  fromHex,
  fromHexPortable,
  toBase64,
  toBase64Portable,
  toHex,
  toHexPortable,
} from "../lib/encoding.ts";

const ALL_BYTES = Uint8Array.from({ length: 256 }, (_, i) => i);
const RANDOM = crypto.getRandomValues(new Uint8Array(65_531));

Deno.test("encoding: hex of every byte value, both ways, as the built-ins", () => {
  for (const bytes of [new Uint8Array(0), ALL_BYTES, RANDOM]) {
    const hex = bytes.toHex();
    assertEquals([toHex(bytes), toHexPortable(bytes)], [hex, hex]);
    assertEquals(fromHexPortable(hex), bytes);
    assertEquals(fromHexPortable(hex.toUpperCase()), bytes);
    assertEquals(fromHex(hex), Uint8Array.fromHex(hex));
  }
  assertEquals(toHexPortable(new Uint8Array([0, 0x0f, 0xf0, 0xff])), "000ff0ff");
});

Deno.test("encoding: bad hex is a SyntaxError, as Uint8Array.fromHex makes it", () => {
  for (const bad of ["abc", "0g", "0x00", " 00", "00 "]) {
    assertThrowsMatch(() => Uint8Array.fromHex(bad), SyntaxError);
    assertThrowsMatch(() => fromHexPortable(bad), SyntaxError);
  }
});

Deno.test("encoding: base64 both ways, as the built-ins", () => {
  for (
    const bytes of [
      new Uint8Array(0),
      ALL_BYTES,
      RANDOM,
      ALL_BYTES.subarray(1),
      ALL_BYTES.subarray(2),
    ]
  ) {
    const b64 = bytes.toBase64();
    assertEquals([toBase64(bytes), toBase64Portable(bytes)], [b64, b64]);
    assertEquals(fromBase64Portable(b64), bytes);
    assertEquals(fromBase64(b64), bytes);
  }
  // Padding optional, ASCII whitespace ignored (the built-in's default "loose" handling).
  for (const text of ["AQIDBA", "AQID BA==", "AQIDBA==\n", "AQI"]) {
    assertEquals(fromBase64Portable(text), Uint8Array.fromBase64(text));
  }
});

Deno.test("encoding: bad base64 is a SyntaxError, as Uint8Array.fromBase64 makes it", () => {
  for (const bad of ["A", "AQ=D", "AQ*D", "AQIDB===", "-_-_"]) {
    assertThrowsMatch(() => Uint8Array.fromBase64(bad), SyntaxError);
    assertThrowsMatch(() => fromBase64Portable(bad), SyntaxError);
  }
});
