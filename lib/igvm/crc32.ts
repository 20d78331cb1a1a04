/**
 * CRC-32 (IEEE 802.3, reflected, polynomial 0xEDB88320; "CRC-32/ISO-HDLC"),
 * the checksum of the IGVM fixed header and variable headers (`crc32fast` in
 * microsoft/igvm). Only headers are checksummed, never page data.
 *
 * A 409-byte WebAssembly module (`crc32.wat`, slicing by 8: eight tables built
 * when it starts, eight bytes a step) does the work, fast from its first byte,
 * where JavaScript runs the first kilobytes in the interpreter. Measured on the
 * project's 2-core machine (medians of 21 fresh processes): the 259 MiB
 * benchmark file's 2.6 MB of headers take ≈ 21 ms to checksum the first time
 * (module start included) against ≈ 40 ms for the table-driven JavaScript loop
 * and ≈ 22 ms for a JavaScript slicing-by-8 loop (1.6, 12 and 4.5 ms once warm);
 * on a 1.7 MB file's 18 KB of headers all take ≈ 3–9 ms, the difference lost in
 * the noise. `node:zlib`'s native `crc32` is not used because importing it
 * loads Deno's Node compatibility layer: ≈ 60–90 ms, ≈ 35 ms more CPU time per
 * `measure` run. Without WebAssembly (or where compiling it is refused) the
 * table-driven JavaScript loop gives the same values.
 *
 * @module
 */

import { CRC32_WASM } from "./crc32_wasm.ts";
import { compileModule } from "../wasm_module.ts";

/** Where the module takes its data, and how much of it one call may take. */
const DATA_AT = 8192;
const CHUNK = 65536 - DATA_AT;

interface Crc32Exports {
  readonly memory: WebAssembly.Memory;
  crc32(len: number, crc: number): number;
}

interface Crc32Instance {
  readonly data: Uint8Array;
  readonly crc32: Crc32Exports["crc32"];
}

let wasm: Crc32Instance | null | undefined;

function instance(): Crc32Instance | null {
  if (wasm === undefined) {
    const module = compileModule(CRC32_WASM);
    if (module === null) wasm = null; // the JavaScript loop
    else {
      const exports = new WebAssembly.Instance(module).exports as unknown as Crc32Exports;
      wasm = { data: new Uint8Array(exports.memory.buffer, DATA_AT, CHUNK), crc32: exports.crc32 };
    }
  }
  return wasm;
}

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
  const w = instance();
  if (w === null) return crc32Portable(data, crc);
  let c = crc;
  for (let off = 0; off < data.length; off += CHUNK) {
    const piece = data.subarray(off, off + CHUNK);
    w.data.set(piece);
    c = w.crc32(piece.length, c);
  }
  return c >>> 0;
}

let table: Uint32Array | undefined;

/**
 * The table-driven JavaScript CRC-32 that {@link crc32} falls back to where
 * WebAssembly is unavailable.
 *
 * @example
 * ```ts
 * import { crc32Portable } from "./crc32.ts";
 * crc32Portable(new TextEncoder().encode("123456789")); // 0xcbf43926
 * ```
 */
export function crc32Portable(data: Uint8Array, crc = 0): number {
  if (table === undefined) {
    table = new Uint32Array(256);
    for (let n = 0; n < 256; n++) {
      let c = n;
      for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
      table[n] = c >>> 0;
    }
  }
  let c = ~crc >>> 0;
  for (let i = 0; i < data.length; i++) c = table[(c ^ data[i]) & 0xff] ^ (c >>> 8);
  return ~c >>> 0;
}
