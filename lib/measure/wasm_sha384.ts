/**
 * SHA-384 of the two fixed-size messages a launch measurement hashes by the
 * thousand: 4 KiB pages and the 112-byte SEV-SNP PAGE_INFO of the digest chain;
 * and of a stream of any length (the TDX MRTD).
 *
 * All run in one small WebAssembly module (`sha384.wat`, generated from FIPS
 * 180-4 by `scripts/gen_sha384_wat.ts`), which hashes a batch of pages two at a
 * time, one per 64-bit SIMD lane, or three (`interleaved`: a third in scalar
 * instructions, round by round between the SIMD ones). Measured with Deno 2.9
 * by bench/hashers.ts on this project's machines: in batches 1.0–1.4× the
 * per-page throughput of `node:crypto` (whose call overhead dominates at 4 KiB;
 * interleaved ≈ 1.25× more), one page per call about the same; a PAGE_INFO in
 * ≈ 0.6–0.9 µs instead of ≈ 2.5–5.4 µs; and
 * none of the ≈ 25 ms that loading Deno's Node compatibility layer adds to a
 * run's start-up. Where WebAssembly (with SIMD) is unavailable or compiling is
 * refused, the plain SHA-384 of `hash.ts` does the same job with the same
 * results.
 *
 * @module
 */

import { createHasher, type Hasher, sha384 } from "../hash.ts";
import { SHA384_WASM } from "./sha384_wasm.ts";
import { compileModule } from "../wasm_module.ts";
import { createBlockStage } from "./block_stage.ts";

const PAGE = 4096;
const DIGEST = 48;
/**
 * The module's own data ends at 3200 (see the memory map in `sha384.wat`):
 * page digests go at 4096, pages after 64 KiB.
 */
const OUTPUT_AT = 4096;
const INPUT_AT = 65536;
/** Most pages one {@link PageHasher} holds (their digests fit below {@link INPUT_AT}). */
export const MAX_BATCH_PAGES = 1024;

interface Sha384Exports {
  readonly memory: WebAssembly.Memory;
  chain(): void;
  pages(src: number, dst: number, n: number): void;
  pages3(src: number, dst: number, n: number): void;
  init(): void;
  blocks(src: number, n: number): void;
  digest(dst: number): void;
}

let module: WebAssembly.Module | null | undefined;

/** A new instance (each hasher has its own memory), or null: use the plain hash. */
function instantiate(): Sha384Exports | null {
  if (module === undefined) module = compileModule(SHA384_WASM);
  return module === null ? null : new WebAssembly.Instance(module).exports as never;
}

/** A PAGE_INFO buffer whose `chain()` replaces bytes 0..48 by the SHA-384 of bytes 0..112. */
export interface PageInfoHasher {
  /** The 112-byte PAGE_INFO. */
  readonly info: Uint8Array;
  /** Hashes `info` and writes the 48-byte digest over `info[0..48)`. */
  chain(): void;
}

/**
 * A new {@link PageInfoHasher}: WebAssembly where available, else `hash.ts`.
 *
 * @example
 * ```ts
 * import { createPageInfoHasher } from "./wasm_sha384.ts";
 * const h = createPageInfoHasher();
 * h.info.fill(1);
 * h.chain();
 * h.info.subarray(0, 48).toHex(); // SHA-384 of 112 bytes of 0x01
 * ```
 */
export function createPageInfoHasher(): PageInfoHasher {
  const wasm = instantiate();
  if (wasm === null) return createPlainPageInfoHasher();
  return { info: new Uint8Array(wasm.memory.buffer, 0, 112), chain: wasm.chain };
}

/**
 * The plain (non-WebAssembly) PAGE_INFO hasher, for comparison in tests.
 *
 * @example
 * ```ts
 * import { createPlainPageInfoHasher } from "./wasm_sha384.ts";
 * createPlainPageInfoHasher().info.length; // 112
 * ```
 */
export function createPlainPageInfoHasher(): PageInfoHasher {
  const info = new Uint8Array(112);
  return { info, chain: () => info.set(sha384(info), 0) };
}

/** Room for a batch of 4 KiB pages, and their SHA-384 digests once hashed. */
export interface PageHasher {
  /** How many pages a batch holds. */
  readonly capacity: number;
  /** `capacity` × 4096 bytes: page i goes at `input[4096 i ..]`. */
  readonly input: Uint8Array;
  /** `capacity` × 48 bytes: after `hash(n)`, digest i is at `output[48 i ..]`. */
  readonly output: Uint8Array;
  /** Hashes the first `count` pages of `input` into `output`. */
  hash(count: number): void;
  /**
   * SHA-384 of one 4096-byte `page` (copied to slot 0). The result is a view of
   * `output`, valid until the hasher is used again: copy it to keep it.
   */
  hashPage(page: Uint8Array): Uint8Array;
}

function checkCapacity(capacity: number): void {
  if (!Number.isInteger(capacity) || capacity < 1 || capacity > MAX_BATCH_PAGES) {
    throw new RangeError(`page batch capacity must be 1 to ${MAX_BATCH_PAGES}, not ${capacity}`);
  }
}

/** A {@link PageHasher} over `input` and `output` whose batches `hashPages` hashes. */
function pageHasher(
  capacity: number,
  input: Uint8Array,
  output: Uint8Array,
  hashPages: (count: number) => void,
): PageHasher {
  const hash = (count: number): void => {
    if (!Number.isInteger(count) || count < 0 || count > capacity) {
      throw new RangeError(`page count must be 0 to the batch of ${capacity}, not ${count}`);
    }
    hashPages(count);
  };
  const first = output.subarray(0, DIGEST);
  return {
    capacity,
    input,
    output,
    hash,
    hashPage(page: Uint8Array): Uint8Array {
      if (page.length !== PAGE) throw new RangeError(`a page is 4096 bytes, not ${page.length}`);
      input.set(page);
      hashPages(1);
      return first;
    },
  };
}

/** Options of {@link createPageHasher}. */
export interface PageHasherOptions {
  /**
   * Hash pages three at a time, two in SIMD lanes and one in scalar
   * instructions, their rounds interleaved: ≈ 1.25× the pages per second once
   * V8 has optimized it, but slower for its first few hundred pages. For
   * threads that hash many batches (the CLI's worker threads); default false.
   */
  readonly interleaved?: boolean;
}

/**
 * A new {@link PageHasher} for batches of up to `capacity` pages (1 to
 * {@link MAX_BATCH_PAGES}): WebAssembly where available, else `hash.ts`.
 *
 * @example
 * ```ts
 * import { createPageHasher } from "./wasm_sha384.ts";
 * const h = createPageHasher(2);
 * h.input.fill(0);
 * h.hash(2);
 * h.output.subarray(0, 48).toHex() === h.output.subarray(48, 96).toHex(); // true
 * h.hashPage(new Uint8Array(4096)).toHex() === h.output.subarray(48, 96).toHex(); // true
 * ```
 */
export function createPageHasher(capacity = 1, options: PageHasherOptions = {}): PageHasher {
  checkCapacity(capacity);
  const wasm = instantiate();
  if (wasm === null) return createPlainPageHasher(capacity);
  const needed = INPUT_AT + capacity * PAGE;
  const have = wasm.memory.buffer.byteLength;
  if (needed > have) wasm.memory.grow(Math.ceil((needed - have) / 65536));
  const buffer = wasm.memory.buffer; // after growing: the old buffer is detached
  const pages = options.interleaved ? wasm.pages3 : wasm.pages;
  return pageHasher(
    capacity,
    new Uint8Array(buffer, INPUT_AT, capacity * PAGE),
    new Uint8Array(buffer, OUTPUT_AT, capacity * DIGEST),
    (count) => pages(INPUT_AT, OUTPUT_AT, count),
  );
}

/**
 * The plain (non-WebAssembly) page hasher, for comparison in tests.
 *
 * @example
 * ```ts
 * import { createPlainPageHasher } from "./wasm_sha384.ts";
 * createPlainPageHasher(1).input.length; // 4096
 * ```
 */
export function createPlainPageHasher(capacity = 1): PageHasher {
  checkCapacity(capacity);
  const input = new Uint8Array(capacity * PAGE);
  const output = new Uint8Array(capacity * DIGEST);
  return pageHasher(capacity, input, output, (count) => {
    for (let i = 0; i < count; i++) {
      output.set(sha384(input.subarray(i * PAGE, (i + 1) * PAGE)), i * DIGEST);
    }
  });
}

let zeroPage: Uint8Array | undefined;

/**
 * SHA-384 of 4096 zero bytes (computed once; do not modify the result).
 *
 * @example
 * ```ts
 * import { zeroPageSha384 } from "./wasm_sha384.ts";
 * zeroPageSha384().toHex().slice(0, 16); // "c0e59a3e3ffbd3b5"
 * ```
 */
export function zeroPageSha384(): Uint8Array {
  zeroPage ??= createPageHasher(1).hashPage(new Uint8Array(PAGE)).slice();
  return zeroPage;
}

/** A stream's staging area in its instance's memory (the padding's two blocks follow it). */
const STREAM_AT = 4096;
const STREAM_BYTES = 32768;
const STREAM_OUT = 3200;

/**
 * A new incremental SHA-384 of a stream of any length (the TDX MRTD hashes one
 * such stream of 128- and 256-byte records): WebAssembly where available, else
 * `hash.ts`. Bytes are staged in the module's memory and hashed 32 KiB at a
 * time, so the many small updates cost a copy each, not a call into a library.
 *
 * @example
 * ```ts
 * import { createSha384Stream } from "./wasm_sha384.ts";
 * const h = createSha384Stream();
 * h.update(new TextEncoder().encode("abc"));
 * h.digest().toHex().slice(0, 16); // "cb00753f45a35e8b"
 * ```
 */
export function createSha384Stream(): Hasher {
  const wasm = instantiate();
  if (wasm === null) return createHasher("sha384");
  const memory = new Uint8Array(wasm.memory.buffer); // never grown: the view stays valid
  const stage = createBlockStage({
    memory: wasm.memory.buffer,
    at: STREAM_AT,
    bytes: STREAM_BYTES,
    blockBytes: 128,
    blocks: wasm.blocks,
  });
  let finished = false;
  wasm.init();
  const hasher: Hasher = {
    update(data: Uint8Array): Hasher {
      if (finished) throw new Error("SHA-384 stream already finished");
      stage.add(data);
      return hasher;
    },
    digest(): Uint8Array {
      if (finished) throw new Error("SHA-384 stream already finished");
      finished = true;
      stage.finish();
      wasm.digest(STREAM_OUT);
      return memory.slice(STREAM_OUT, STREAM_OUT + 48);
    },
  };
  return hasher;
}
