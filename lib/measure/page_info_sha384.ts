/**
 * SHA-384 of one 112-byte PAGE_INFO, the sequential step of the SEV-SNP
 * launch digest chain (run once per measured page).
 *
 * A call into `node:crypto` costs ≈ 2–3 µs for these two SHA-512 blocks, most
 * of it call overhead; the small WebAssembly module built from
 * `page_info_sha384.wat` (FIPS 180-4 SHA-512 compression with the SHA-384 IV,
 * the padding block precomputed) takes ≈ 1 µs. It holds the PAGE_INFO in its
 * own memory and writes the digest over the first 48 bytes, which is where the
 * next PAGE_INFO wants it (DIGEST_CUR). Where WebAssembly is unavailable the
 * plain SHA-384 of `hash.ts` does the same job.
 *
 * @module
 */

import { sha384Into } from "../hash.ts";
import { PAGE_INFO_SHA384_WASM } from "./page_info_sha384_wasm.ts";

/** A PAGE_INFO buffer whose `chain()` replaces bytes 0..48 by the SHA-384 of bytes 0..112. */
export interface PageInfoHasher {
  /** The 112-byte PAGE_INFO. */
  readonly info: Uint8Array;
  /** Hashes `info` and writes the 48-byte digest over `info[0..48)`. */
  chain(): void;
}

let module: WebAssembly.Module | null | undefined;

function wasmModule(): WebAssembly.Module | null {
  if (module !== undefined) return module;
  try {
    module = new WebAssembly.Module(Uint8Array.fromBase64(PAGE_INFO_SHA384_WASM));
  } catch {
    module = null; // no WebAssembly here: use the plain hash
  }
  return module;
}

/**
 * A new {@link PageInfoHasher}: WebAssembly where available, else `hash.ts`.
 *
 * @example
 * ```ts
 * import { createPageInfoHasher } from "./page_info_sha384.ts";
 * const h = createPageInfoHasher();
 * h.info.fill(1);
 * h.chain();
 * h.info.subarray(0, 48).toHex(); // SHA-384 of 112 bytes of 0x01
 * ```
 */
export function createPageInfoHasher(): PageInfoHasher {
  const mod = wasmModule();
  if (mod !== null) {
    const instance = new WebAssembly.Instance(mod);
    const memory = instance.exports.memory as WebAssembly.Memory;
    const chain = instance.exports.chain as () => void;
    return { info: new Uint8Array(memory.buffer, 0, 112), chain };
  }
  return createPlainPageInfoHasher();
}

/**
 * The plain (non-WebAssembly) hasher, for comparison in tests.
 *
 * @example
 * ```ts
 * import { createPlainPageInfoHasher } from "./page_info_sha384.ts";
 * createPlainPageInfoHasher().info.length; // 112
 * ```
 */
export function createPlainPageInfoHasher(): PageInfoHasher {
  const info = new Uint8Array(112);
  return { info, chain: () => sha384Into(info, info, 0) };
}
