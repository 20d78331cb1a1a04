/**
 * SHA-256 for the SEV / SEV-ES page stream and the VBS chunk chain, without
 * the Node compatibility layer a small measurement would otherwise load for it.
 *
 * A small WebAssembly module (`sha256.wat`, generated from FIPS 180-4 by
 * `scripts/gen_sha256_wat.ts`) hashes in its own memory, so a run that
 * measures an SEV-ES or VBS file never loads `node:crypto` (in Deno ≈ 25 ms of
 * start-up). `node:crypto` is faster per byte where the CPU has SHA
 * instructions (bench/README.md), so a measurement that will hash more than
 * {@link WASM_SHA256_MAX_BYTES} uses it instead (`hash.ts`): the digests are
 * the same either way.
 *
 * @module
 */

import { createHasher, hasNodeCrypto } from "../hash.ts";
import { SHA256_WASM } from "./sha256_wasm.ts";
import { compileModule } from "../wasm_module.ts";
import { createBlockStage } from "./block_stage.ts";

/**
 * Most bytes a measurement hashes with the WebAssembly SHA-256 where
 * `node:crypto` is available: past 4 MiB (`WASM_SHA256_MAX_BYTES`), `node:crypto` (with the CPU's
 * SHA extensions ≈ 3× as fast) saves more than loading it costs.
 */
export const WASM_SHA256_MAX_BYTES = 4 << 20;

/** SHA-256 of one message after another: `digest()` finishes one and starts the next. */
export interface Sha256 {
  /** Adds bytes to the current message; returns the same object. */
  update(data: Uint8Array): Sha256;
  /** The current message's digest (32 bytes); the next `update` starts a new message. */
  digest(): Uint8Array;
}

interface Sha256Exports {
  readonly memory: WebAssembly.Memory;
  init(): void;
  blocks(src: number, n: number): void;
  digest(dst: number): void;
}

/** Staging area in the instance's memory (see `sha256.wat`; the padding's two blocks follow it). */
const STAGE_AT = 1024;
const STAGE_BYTES = 32768;
const OUT_AT = 768;

let module: WebAssembly.Module | null | undefined;

/**
 * A WebAssembly {@link Sha256}, or null where WebAssembly (with SIMD) is
 * unavailable or compiling is refused.
 *
 * @example
 * ```ts
 * import { createWasmSha256 } from "./wasm_sha256.ts";
 * const h = createWasmSha256()!;
 * h.update(new TextEncoder().encode("abc")).digest().toHex().slice(0, 16); // "ba7816bf8f01cfea"
 * ```
 */
export function createWasmSha256(): Sha256 | null {
  if (module === undefined) module = compileModule(SHA256_WASM);
  if (module === null) return null;
  const wasm = new WebAssembly.Instance(module).exports as unknown as Sha256Exports;
  const memory = new Uint8Array(wasm.memory.buffer); // never grown: the view stays valid
  const stage = createBlockStage({
    memory: wasm.memory.buffer,
    at: STAGE_AT,
    bytes: STAGE_BYTES,
    blockBytes: 64,
    blocks: wasm.blocks,
  });
  wasm.init();
  const hasher: Sha256 = {
    update(data: Uint8Array): Sha256 {
      stage.add(data);
      return hasher;
    },
    digest(): Uint8Array {
      stage.finish();
      wasm.digest(OUT_AT);
      wasm.init();
      return memory.slice(OUT_AT, OUT_AT + 32);
    },
  };
  return hasher;
}

/**
 * A {@link Sha256} over `hash.ts` (`node:crypto`, or `@noble/hashes`).
 *
 * @example
 * ```ts
 * import { createLibrarySha256 } from "./wasm_sha256.ts";
 * createLibrarySha256().digest().length; // 32
 * ```
 */
export function createLibrarySha256(): Sha256 {
  let current = createHasher("sha256");
  const hasher: Sha256 = {
    update(data: Uint8Array): Sha256 {
      current.update(data);
      return hasher;
    },
    digest(): Uint8Array {
      const d = current.digest();
      current = createHasher("sha256");
      return d;
    },
  };
  return hasher;
}

/**
 * The SHA-256 for a measurement that will hash about `bytes` bytes: the
 * WebAssembly one up to {@link WASM_SHA256_MAX_BYTES} (or whatever the size
 * where `node:crypto` is missing), else `node:crypto`.
 *
 * @example
 * ```ts
 * import { sha256For } from "./wasm_sha256.ts";
 * sha256For(4096).update(new Uint8Array(4096)).digest().length; // 32
 * ```
 */
export function sha256For(bytes: number): Sha256 {
  const wasm = bytes <= WASM_SHA256_MAX_BYTES || !hasNodeCrypto() ? createWasmSha256() : null;
  return wasm ?? createLibrarySha256();
}
