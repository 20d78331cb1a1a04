/**
 * Synchronous SHA-384 and SHA-256 that run everywhere `lib/` runs.
 *
 * Where the runtime offers `node:crypto` (Deno, Node.js, Bun) its OpenSSL-backed
 * `createHash` is used: it is several times faster than any JavaScript
 * implementation. In a browser the import fails and the pure-JS
 * `@noble/hashes` implementation is used instead. Both give identical digests.
 *
 * @module
 */

/** The subset of a `node:crypto` Hash object this module needs. */
interface NodeHash {
  update(data: Uint8Array): NodeHash;
  digest(): Uint8Array;
  digest(encoding: "hex"): string;
  copy(): NodeHash;
}

/** An incremental hash: feed bytes with `update`, read the digest once with `digest`. */
export interface Hasher {
  /** Adds bytes to the hash; returns the same hasher. */
  update(data: Uint8Array): Hasher;
  /** Finishes the hash and returns its digest. */
  digest(): Uint8Array;
}

/** The digests the project uses (Node's `createHash` names). */
type HashName = "sha384" | "sha256";

let nodeCreateHash: ((name: HashName) => NodeHash) | undefined;
try {
  const mod = await import("node:crypto");
  nodeCreateHash = mod.createHash as unknown as (name: HashName) => NodeHash;
} catch {
  nodeCreateHash = undefined;
}

let nobleFallback: Record<HashName, { create(): NobleHash }> | undefined;
interface NobleHash {
  update(data: Uint8Array): NobleHash;
  digest(): Uint8Array;
}
if (nodeCreateHash === undefined) {
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
  if (nodeCreateHash !== undefined) return wrapNode(nodeCreateHash(name));
  return wrapNoble(nobleFallback![name].create());
}

/**
 * Whether `Uint8Array.prototype.setFromHex` exists. With `node:crypto`, a hex
 * digest decoded in place is cheaper than the Buffer that `digest()` allocates
 * (measured by `deno task bench`: the launch digest chain hashes one 112-byte
 * PAGE_INFO per page, where that allocation is a large part of the cost).
 */
const SET_FROM_HEX = typeof (Uint8Array.prototype as { setFromHex?: unknown }).setFromHex ===
  "function";

/** An empty node:crypto SHA-384 object that {@link sha384Into} copies. */
let emptySha384: NodeHash | undefined;

/**
 * Writes SHA-384 of `data` (48 bytes) into `out` at `at`, without allocating a
 * digest array where the runtime allows. `data` may overlap `out`: it is read
 * completely before `out` is written.
 *
 * @example
 * ```ts
 * import { sha384Into } from "./hash.ts";
 * const out = new Uint8Array(64);
 * sha384Into(new Uint8Array(0), out, 16);
 * ```
 */
export function sha384Into(data: Uint8Array, out: Uint8Array, at = 0): void {
  if (nodeCreateHash !== undefined) {
    // Copying a fresh hash object is a little cheaper than creating one by name (hot path).
    emptySha384 ??= nodeCreateHash("sha384");
    const h = emptySha384.copy().update(data);
    if (SET_FROM_HEX) out.subarray(at, at + 48).setFromHex(h.digest("hex"));
    else out.set(h.digest(), at);
    return;
  }
  out.set(nobleFallback!.sha384.create().update(data).digest(), at);
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
  const out = new Uint8Array(48);
  sha384Into(data, out, 0);
  return out;
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
