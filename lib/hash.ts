/**
 * Synchronous SHA-384 and SHA-256 of any length that run everywhere `lib/`
 * runs (4 KiB pages and PAGE_INFOs have a faster path: `measure/wasm_sha384.ts`).
 *
 * Where the runtime offers `node:crypto` (Deno, Node.js 20.16+ and 22.3+, Bun) its
 * `createHash` is used: it is several times faster than any JavaScript
 * implementation. It is looked up on first use, through
 * `process.getBuiltinModule`, because loading Deno's Node compatibility layer
 * costs ≈ 25 ms, which a `measure` run that needs no other hash does without.
 * Elsewhere (browsers) the pure-JS `@noble/hashes` implementation is loaded
 * with this module and used instead. Both give identical digests.
 *
 * @module
 */

/** The subset of a `node:crypto` Hash object this module needs. */
interface NodeHash {
  update(data: Uint8Array): NodeHash;
  digest(): Uint8Array;
}

/** An incremental hash: feed bytes with `update`, read the digest once with `digest`. */
export interface Hasher {
  /** Adds bytes to the hash; returns the same hasher. */
  update(data: Uint8Array): Hasher;
  /** Finishes the hash and returns its digest. */
  digest(): Uint8Array;
}

/** The digests the project uses (Node's `createHash` names). */
export type HashName = "sha384" | "sha256";
type CreateHash = (name: HashName) => NodeHash;

/** What `process.getBuiltinModule` is, where the runtime has it. */
type BuiltinLookup = (id: string) => unknown;

/**
 * The runtime's `process.getBuiltinModule`, if any. In Deno, reading the
 * `process` global loads the Node compatibility layer, so Deno (which always
 * has it) asks only when `node:crypto` is actually needed.
 */
function builtinLookup(): BuiltinLookup | undefined {
  const proc = (globalThis as { process?: { getBuiltinModule?: BuiltinLookup } }).process;
  const lookup = proc?.getBuiltinModule;
  return typeof lookup === "function" ? lookup.bind(proc) : undefined;
}

/** Deno and Node-compatible runtimes: `node:crypto` can be had synchronously, on first use. */
const HAS_NODE_CRYPTO = "Deno" in globalThis || builtinLookup() !== undefined;

let nodeCreateHash: CreateHash | undefined;

/**
 * Whether {@link createHasher} uses `node:crypto` here (Deno, Node.js, Bun)
 * rather than `@noble/hashes`; answering does not load it.
 *
 * @example
 * ```ts
 * import { hasNodeCrypto } from "./hash.ts";
 * hasNodeCrypto(); // true in Deno
 * ```
 */
export function hasNodeCrypto(): boolean {
  return HAS_NODE_CRYPTO;
}

function nodeHash(name: HashName): NodeHash {
  if (nodeCreateHash === undefined) {
    const mod = builtinLookup()?.("node:crypto") as { createHash?: CreateHash } | undefined;
    if (typeof mod?.createHash !== "function") throw new Error("node:crypto is not available");
    nodeCreateHash = mod.createHash;
  }
  return nodeCreateHash(name);
}

let nobleFallback: Record<HashName, { create(): NobleHash }> | undefined;
interface NobleHash {
  update(data: Uint8Array): NobleHash;
  digest(): Uint8Array;
}
if (!HAS_NODE_CRYPTO) {
  const deps = await import("./deps.ts");
  nobleFallback = { sha384: deps.nobleSha384, sha256: deps.nobleSha256 };
}

function wrapNode(h: NodeHash): Hasher {
  const hasher: Hasher = {
    update(data) {
      h.update(data);
      return hasher;
    },
    digest() {
      const d = h.digest();
      return new Uint8Array(d.buffer, d.byteOffset, d.byteLength);
    },
  };
  return hasher;
}

function wrapNoble(h: NobleHash): Hasher {
  const hasher: Hasher = {
    update(data) {
      h.update(data);
      return hasher;
    },
    digest() {
      return h.digest();
    },
  };
  return hasher;
}

/**
 * Starts an incremental hash.
 *
 * @example
 * ```ts
 * import { createHasher } from "./hash.ts";
 * const d = createHasher("sha256").update(new Uint8Array([0x61, 0x62, 0x63])).digest();
 * // d.toHex() === "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
 * ```
 */
export function createHasher(name: HashName): Hasher {
  if (HAS_NODE_CRYPTO) return wrapNode(nodeHash(name));
  return wrapNoble(nobleFallback![name].create());
}

/**
 * SHA-384 of `data` (48 bytes).
 *
 * @example
 * ```ts
 * import { sha384 } from "./hash.ts";
 * sha384(new Uint8Array(0)).length; // 48
 * ```
 */
export function sha384(data: Uint8Array): Uint8Array {
  return createHasher("sha384").update(data).digest();
}

/**
 * SHA-256 of `data` (32 bytes).
 *
 * @example
 * ```ts
 * import { sha256 } from "./hash.ts";
 * sha256(new Uint8Array(0)).length; // 32
 * ```
 */
export function sha256(data: Uint8Array): Uint8Array {
  return createHasher("sha256").update(data).digest();
}
