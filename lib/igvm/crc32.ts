/**
 * CRC-32 (IEEE 802.3, reflected, polynomial 0xEDB88320), the checksum of the
 * IGVM fixed header (`crc32fast` in microsoft/igvm). Uses `node:zlib`'s native
 * `crc32` where the runtime has it (Deno, Node.js) and a table in JavaScript
 * elsewhere (browsers); only the headers are checksummed, never page data.
 *
 * @module
 */

const TABLE = /* @__PURE__ */ (() => {
  const t = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    t[n] = c >>> 0;
  }
  return t;
})();

/** `node:zlib` `crc32(data, value)`, where the runtime offers it synchronously. */
const nativeCrc32: ((data: Uint8Array, value: number) => number) | undefined = (() => {
  try {
    const proc =
      (globalThis as { process?: { getBuiltinModule?: (id: string) => unknown } }).process;
    const zlib = proc?.getBuiltinModule?.("node:zlib") as
      | { crc32?: (data: Uint8Array, value: number) => number }
      | undefined;
    return typeof zlib?.crc32 === "function" ? zlib.crc32 : undefined;
  } catch {
    return undefined;
  }
})();

/**
 * Continues a CRC-32 over `data`; start with `crc = 0`.
 *
 * @example
 * ```ts
 * import { crc32 } from "./crc32.ts";
 * crc32(new TextEncoder().encode("123456789")); // 0xcbf43926
 * ```
 */
export function crc32(data: Uint8Array, crc = 0): number {
  if (nativeCrc32 !== undefined) return nativeCrc32(data, crc) >>> 0;
  return crc32Portable(data, crc);
}

/**
 * The table-driven JavaScript CRC-32 that {@link crc32} falls back to.
 *
 * @example
 * ```ts
 * import { crc32Portable } from "./crc32.ts";
 * crc32Portable(new TextEncoder().encode("123456789")); // 0xcbf43926
 * ```
 */
export function crc32Portable(data: Uint8Array, crc = 0): number {
  let c = ~crc >>> 0;
  for (let i = 0; i < data.length; i++) c = TABLE[(c ^ data[i]) & 0xff] ^ (c >>> 8);
  return ~c >>> 0;
}
