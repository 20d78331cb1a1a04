/**
 * Shared pieces of the hostile-input tests: a seeded PRNG, a walker over the
 * structure of an IGVM file, structure-aware mutators, and the rule every
 * outcome must follow (a result, or one of the project's typed errors with a
 * one-line message).
 *
 * @module
 */

import { crc32 } from "../lib/igvm/crc32.ts";
import { IgvmToolError } from "../lib/errors.ts";
import { SignatureError } from "../lib/snp/signature.ts";
import { UsageError } from "../lib/cli/args.ts";

/** mulberry32: a tiny, fast, seedable 32-bit PRNG. */
export class Rng {
  #s: number;
  /** Seeds the generator. */
  constructor(seed: number) {
    this.#s = seed >>> 0;
  }
  /** Next 32-bit unsigned value. */
  u32(): number {
    let t = (this.#s = (this.#s + 0x6d2b79f5) >>> 0);
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return (t ^ (t >>> 14)) >>> 0;
  }
  /** Uniform integer in [0, n). */
  int(n: number): number {
    return n <= 0 ? 0 : Math.floor((this.u32() / 0x100000000) * n);
  }
  /** True with probability p. */
  chance(p: number): boolean {
    return this.u32() / 0x100000000 < p;
  }
  /** A random element. */
  pick<T>(items: readonly T[]): T {
    return items[this.int(items.length)];
  }
  /** A random 64-bit value. */
  u64(): bigint {
    return (BigInt(this.u32()) << 32n) | BigInt(this.u32());
  }
}

/** Mixes a seed and an index into the seed of one mutant (so one mutant can be replayed alone). */
export function mutantSeed(seed: number, index: number): number {
  let h = (seed ^ Math.imul(index + 1, 0x9e3779b1)) >>> 0;
  h = Math.imul(h ^ (h >>> 16), 0x85ebca6b) >>> 0;
  h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35) >>> 0;
  return (h ^ (h >>> 16)) >>> 0;
}

/** One variable header as found in a file. */
export interface HeaderAt {
  /** Offset of the 8-byte type/length prefix in the file. */
  readonly at: number;
  readonly type: number;
  readonly length: number;
  /** Bytes the header occupies (prefix + body, padded as the crate advances). */
  readonly span: number;
}

/** The layout of a file, as far as it can be walked. */
export interface Layout {
  readonly fixedSize: number;
  readonly varOffset: number;
  readonly varSize: number;
  readonly headers: HeaderAt[];
}

/** Body offset of the u32 file_offset field per header type, for the types that have one. */
export const FILE_OFFSET_FIELD: Record<number, number> = {
  0x104: 4,
  0x105: 4,
  0x301: 12,
  0x302: 12,
  0x304: 12,
};

/** Walks the fixed header and the variable headers (best effort; never throws). */
export function walk(b: Uint8Array): Layout {
  const v = new DataView(b.buffer, b.byteOffset, b.byteLength);
  if (b.length < 24) return { fixedSize: 24, varOffset: 24, varSize: 0, headers: [] };
  const fixedSize = v.getUint32(4, true) === 2 ? 32 : 24;
  const varOffset = v.getUint32(8, true);
  const varSize = v.getUint32(12, true);
  const headers: HeaderAt[] = [];
  const end = Math.min(b.length, varOffset + varSize);
  let pos = varOffset;
  while (pos + 8 <= end && headers.length < 100000) {
    const type = v.getUint32(pos, true);
    const length = v.getUint32(pos + 4, true);
    const span = type === 0x304 ? 32 : 8 + Math.ceil(length / 8) * 8;
    headers.push({ at: pos, type, length, span });
    if (span <= 0 || length > end) break;
    pos += span;
  }
  return { fixedSize, varOffset, varSize, headers };
}

/** Recomputes the fixed-header CRC-32 (fixed header with checksum zeroed + variable-header section). */
export function fixCrc(b: Uint8Array): void {
  if (b.length < 24) return;
  const v = new DataView(b.buffer, b.byteOffset, b.byteLength);
  const fixedSize = v.getUint32(4, true) === 2 && b.length >= 32 ? 32 : 24;
  const fixed = b.slice(0, fixedSize);
  fixed.fill(0, 20, 24);
  const off = v.getUint32(8, true);
  const size = v.getUint32(12, true);
  const section = b.subarray(Math.min(off, b.length), Math.min(b.length, off + size));
  v.setUint32(20, crc32(section, crc32(fixed)), true);
}

/** Sets total_file_size to the real size. */
export function fixTotalSize(b: Uint8Array): void {
  if (b.length >= 24) new DataView(b.buffer, b.byteOffset).setUint32(16, b.length, true);
}

/**
 * Inserts `insert` at `at` (a header boundary inside the variable-header
 * section), growing the section and moving every file_offset that points
 * behind the insertion, so the rest of the file stays consistent.
 */
export function insertInSection(b: Uint8Array, at: number, insert: Uint8Array): Uint8Array {
  const out = new Uint8Array(b.length + insert.length);
  out.set(b.subarray(0, at), 0);
  out.set(insert, at);
  out.set(b.subarray(at), at + insert.length);
  shiftOffsets(out, insert.length, at);
  return out;
}

/** Removes `length` bytes at `at` (a header in the section), with the same fix-ups. */
export function removeFromSection(b: Uint8Array, at: number, length: number): Uint8Array {
  const out = new Uint8Array(b.length - length);
  out.set(b.subarray(0, at), 0);
  out.set(b.subarray(at + length), at);
  shiftOffsets(out, -length, at);
  return out;
}

function shiftOffsets(b: Uint8Array, delta: number, at: number): void {
  const v = new DataView(b.buffer, b.byteOffset, b.byteLength);
  v.setUint32(12, (v.getUint32(12, true) + delta) >>> 0, true);
  v.setUint32(16, (v.getUint32(16, true) + delta) >>> 0, true);
  for (const h of walk(b).headers) {
    const field = FILE_OFFSET_FIELD[h.type];
    const o = h.at + 8 + (field ?? 0);
    if (field === undefined || o + 4 > b.length) continue;
    const fo = v.getUint32(o, true);
    if (fo !== 0 && fo >= at) v.setUint32(o, (fo + delta) >>> 0, true);
  }
}

/** A variable header with the given type, length field and body. */
export function tlv(type: number, length: number, body: Uint8Array): Uint8Array {
  const out = new Uint8Array(8 + ((body.length + 7) & ~7));
  const v = new DataView(out.buffer);
  v.setUint32(0, type >>> 0, true);
  v.setUint32(4, length >>> 0, true);
  out.set(body, 8);
  return out;
}

/** Values that tend to break size and offset arithmetic. */
export const INTERESTING_U32 = [
  0,
  1,
  7,
  8,
  0xfff,
  0x1000,
  0x1001,
  0x7fffffff,
  0x80000000,
  0xfffff000,
  0xfffffff8,
  0xffffffff,
];
/** Values that tend to break GPA and size arithmetic. */
export const INTERESTING_U64 = [
  0n,
  1n,
  0x1000n,
  0x1001n,
  0x200000n,
  0xfffff000n,
  0x100000000n,
  0xfffffffff000n,
  1n << 40n,
  1n << 60n,
  0x7ffffffffffff000n,
  0xfffffffffffff000n,
  0xffffffffffffffffn,
];

/** The allowed error types: the project's typed errors. */
export function isTypedError(e: unknown): e is Error {
  return e instanceof IgvmToolError || e instanceof SignatureError || e instanceof UsageError;
}

/** The one error message allowed two lines: the original's ID-block mismatch. */
const TWO_LINE_ALLOWED =
  /^An ID block has been provided in the IGVM file but the calculated measurement does not match the expected measurement in the ID block\. \nExpected: [0-9A-F]{96}$/;

/**
 * Why an error is not an allowed outcome, or undefined if it is: a typed
 * error whose message is one line (or the ID-block mismatch's two).
 */
export function errorProblem(e: unknown): string | undefined {
  if (!isTypedError(e)) {
    const text = e instanceof Error ? (e.stack ?? e.message) : String(e);
    return `untyped error: ${text}`;
  }
  const msg = e.message;
  if (msg.length === 0) return `${e.name} with an empty message`;
  if (msg.includes("\n") && !TWO_LINE_ALLOWED.test(msg)) {
    return `${e.name} with a multi-line message: ${JSON.stringify(msg)}`;
  }
  return undefined;
}

/** Reads the seed from `IGVM_FUZZ_SEED` (default fixed, so CI is deterministic). */
export function envInt(name: string, fallback: number): number {
  let text: string | undefined;
  try {
    text = Deno.env.get(name);
  } catch {
    text = undefined;
  }
  if (text === undefined || text.trim() === "") return fallback;
  const n = Number(text);
  if (!Number.isFinite(n)) throw new Error(`${name}=${text} is not a number`);
  return n >>> 0 === n ? n : Math.floor(n) >>> 0;
}
