/**
 * CRC-32 (IEEE 802.3, reflected, polynomial 0xEDB88320; "CRC-32/ISO-HDLC"),
 * the checksum of the IGVM fixed header and variable headers (`crc32fast` in
 * microsoft/igvm). Only headers are checksummed, never page data.
 *
 * Slicing-by-8 in plain JavaScript: eight 256-entry tables let one step
 * consume eight bytes (≈ 1 ms per MiB of headers here). `node:zlib`'s
 * native `crc32` would be faster per byte, but loading Deno's Node
 * compatibility layer to reach it costs ≈ 30 ms of start-up, more than the
 * headers of the largest files take here.
 *
 * @module
 */

/** TABLES[k * 256 + n]: the CRC of byte n followed by k zero bytes. */
const TABLES = /* @__PURE__ */ (() => {
  const t = new Uint32Array(8 * 256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    t[n] = c >>> 0;
  }
  for (let k = 1; k < 8; k++) {
    for (let n = 0; n < 256; n++) {
      const prev = t[(k - 1) * 256 + n];
      t[k * 256 + n] = (prev >>> 8) ^ t[prev & 0xff];
    }
  }
  return t;
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
  const t = TABLES;
  let c = ~crc >>> 0;
  let i = 0;
  for (const end = data.length - 7; i < end; i += 8) {
    const lo = c ^ (data[i] | (data[i + 1] << 8) | (data[i + 2] << 16) | (data[i + 3] << 24));
    c = t[1792 + (lo & 0xff)] ^ t[1536 + ((lo >>> 8) & 0xff)] ^
      t[1280 + ((lo >>> 16) & 0xff)] ^ t[1024 + (lo >>> 24)] ^
      t[768 + data[i + 4]] ^ t[512 + data[i + 5]] ^ t[256 + data[i + 6]] ^ t[data[i + 7]];
  }
  for (; i < data.length; i++) c = t[(c ^ data[i]) & 0xff] ^ (c >>> 8);
  return ~c >>> 0;
}
