/**
 * Hex and base64 for byte arrays, on every runtime `lib/` runs on.
 *
 * `Uint8Array.prototype.toHex`, `Uint8Array.fromHex`, `toBase64` and
 * `fromBase64` arrived in V8 14 (Node.js 25, Chrome 140, Deno 2.5): these
 * helpers use them where they exist and a plain loop elsewhere (Node.js 20–24,
 * older browsers), with the same results and the same `SyntaxError` for bad
 * input.
 *
 * @module
 */

interface Uint8ArrayWithEncodings {
  toHex?(): string;
  toBase64?(): string;
}
interface Uint8ArrayConstructorWithEncodings {
  fromHex?(text: string): Uint8Array<ArrayBuffer>;
  fromBase64?(text: string): Uint8Array<ArrayBuffer>;
}

const proto = Uint8Array.prototype as Uint8ArrayWithEncodings;
const ctor = Uint8Array as Uint8ArrayConstructorWithEncodings;
const NATIVE_TO_HEX = typeof proto.toHex === "function";
const NATIVE_FROM_HEX = typeof ctor.fromHex === "function";
const NATIVE_TO_BASE64 = typeof proto.toBase64 === "function";
const NATIVE_FROM_BASE64 = typeof ctor.fromBase64 === "function";

let hexPairs: string[] | undefined;

/**
 * `bytes` as lower-case hex.
 *
 * @example
 * ```ts
 * import { toHex } from "./encoding.ts";
 * toHex(new Uint8Array([0xde, 0xad, 0x01])); // "dead01"
 * ```
 */
export function toHex(bytes: Uint8Array): string {
  if (NATIVE_TO_HEX) return (bytes as Uint8ArrayWithEncodings).toHex!();
  return toHexPortable(bytes);
}

/**
 * The loop {@link toHex} uses where the runtime has no `toHex` (exported for tests).
 *
 * @example
 * ```ts
 * import { toHexPortable } from "./encoding.ts";
 * toHexPortable(new Uint8Array([0xde, 0xad, 0x01])); // "dead01"
 * ```
 */
export function toHexPortable(bytes: Uint8Array): string {
  hexPairs ??= Array.from({ length: 256 }, (_, i) => i.toString(16).padStart(2, "0"));
  let out = "";
  for (let i = 0; i < bytes.length; i++) out += hexPairs[bytes[i]];
  return out;
}

/**
 * The bytes of hex `text` (either case, even length). Throws `SyntaxError`
 * otherwise, as `Uint8Array.fromHex` does.
 *
 * @example
 * ```ts
 * import { fromHex } from "./encoding.ts";
 * fromHex("DEad01"); // Uint8Array [0xde, 0xad, 0x01]
 * ```
 */
export function fromHex(text: string): Uint8Array<ArrayBuffer> {
  if (NATIVE_FROM_HEX) return ctor.fromHex!(text);
  return fromHexPortable(text);
}

/**
 * The loop {@link fromHex} uses where the runtime has no `fromHex` (exported for tests).
 *
 * @example
 * ```ts
 * import { fromHexPortable } from "./encoding.ts";
 * fromHexPortable("00ff"); // Uint8Array [0, 255]
 * ```
 */
export function fromHexPortable(text: string): Uint8Array<ArrayBuffer> {
  if (text.length % 2 !== 0 || !/^[0-9a-fA-F]*$/.test(text)) {
    throw new SyntaxError(`not an even number of hex digits: ${JSON.stringify(text.slice(0, 40))}`);
  }
  const out = new Uint8Array(text.length / 2);
  for (let i = 0; i < out.length; i++) out[i] = parseInt(text.slice(2 * i, 2 * i + 2), 16);
  return out;
}

/**
 * `bytes` as standard base64 with padding.
 *
 * @example
 * ```ts
 * import { toBase64 } from "./encoding.ts";
 * toBase64(new Uint8Array([1, 2, 3, 4])); // "AQIDBA=="
 * ```
 */
export function toBase64(bytes: Uint8Array): string {
  if (NATIVE_TO_BASE64) return (bytes as Uint8ArrayWithEncodings).toBase64!();
  return toBase64Portable(bytes);
}

/**
 * What {@link toBase64} uses where the runtime has no `toBase64` (exported for tests).
 *
 * @example
 * ```ts
 * import { toBase64Portable } from "./encoding.ts";
 * toBase64Portable(new Uint8Array([1, 2, 3, 4])); // "AQIDBA=="
 * ```
 */
export function toBase64Portable(bytes: Uint8Array): string {
  let binary = "";
  for (let i = 0; i < bytes.length; i += 0x8000) {
    binary += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  }
  return btoa(binary);
}

/**
 * The bytes of standard base64 `text` (padding optional, ASCII whitespace
 * ignored). Throws `SyntaxError` for anything else, as `Uint8Array.fromBase64`
 * does.
 *
 * @example
 * ```ts
 * import { fromBase64 } from "./encoding.ts";
 * fromBase64("AQIDBA=="); // Uint8Array [1, 2, 3, 4]
 * ```
 */
export function fromBase64(text: string): Uint8Array<ArrayBuffer> {
  if (NATIVE_FROM_BASE64) return ctor.fromBase64!(text);
  return fromBase64Portable(text);
}

/**
 * What {@link fromBase64} uses where the runtime has no `fromBase64` (exported for tests).
 *
 * @example
 * ```ts
 * import { fromBase64Portable } from "./encoding.ts";
 * fromBase64Portable("AQIDBA"); // Uint8Array [1, 2, 3, 4]
 * ```
 */
export function fromBase64Portable(text: string): Uint8Array<ArrayBuffer> {
  let binary: string;
  try {
    binary = atob(text);
  } catch {
    throw new SyntaxError(`not base64: ${JSON.stringify(text.slice(0, 40))}`);
  }
  const out = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i++) out[i] = binary.charCodeAt(i);
  return out;
}
