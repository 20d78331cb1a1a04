/**
 * Writes `lib/measure/sha256.wat`, the WebAssembly text of the project's
 * SHA-256 of a stream whose padding the caller adds (the SEV / SEV-ES page
 * stream and the VBS chunk chain), from FIPS 180-4 itself:
 *
 * - the round constants K (§4.2.2: the first 32 bits of the fractional parts
 *   of the cube roots of the first 64 primes) and the initial hash value
 *   (§5.3.3: the same of the square roots of the first 8 primes) are computed
 *   here with integer roots, not copied from a table;
 * - the compression function (§6.2.2) is written once, in i32 with native
 *   rotations; as in `gen_sha384_wat.ts`, the rounds run in a loop of eight
 *   with the working variables renamed instead of moved and the message
 *   schedule is kept in memory (small, so V8 optimizes it quickly).
 *
 * The big-endian word loads and digest stores byte-swap with one SIMD shuffle
 * per 16 bytes. `scripts/build_wasm.ts` compiles the text to `sha256_wasm.ts`;
 * tests/wasm_sha256_test.ts checks that this script's output is the committed
 * file, and the module against node:crypto, Web Crypto and FIPS 180-2's
 * examples.
 *
 * Run: `deno run --allow-write scripts/gen_sha256_wat.ts`.
 *
 * @module
 */

import { iroot, primes } from "./gen_sha384_wat.ts";

/** The first 32 bits of the fractional part of p^(1/k). */
function fraction32(p: bigint, k: bigint): number {
  return Number(iroot(p << (32n * k), k) & 0xFFFFFFFFn);
}

const FIRST_PRIMES = primes(64);
/** FIPS 180-4 §4.2.2. */
export const K256: readonly number[] = FIRST_PRIMES.map((p) => fraction32(p, 3n));
/** FIPS 180-4 §5.3.3. */
export const IV256: readonly number[] = FIRST_PRIMES.slice(0, 8).map((p) => fraction32(p, 2n));

/** Memory map (bytes). */
const STATE = 0; // [0, 32) H0..H7 as little-endian i32
const K_TABLE = 64; // [64, 320) K[0..64) as little-endian i32
const W_TABLE = 320; // [320, 576) W[0..64) of the block being compressed
const FREE = 1024;

/** Byte reversal of each 32-bit lane. */
const BSWAP = "3 2 1 0 7 6 5 4 11 10 9 8 15 14 13 12";
const NAMES = ["$a", "$b", "$c", "$d", "$e", "$f", "$g", "$h"];

const get = (v: string) => `(local.get ${v})`;
const add = (x: string, y: string) => `(i32.add ${x} ${y})`;
const xor = (x: string, y: string) => `(i32.xor ${x} ${y})`;
const rotr = (x: string, n: number) => `(i32.rotr ${x} (i32.const ${n}))`;
const shr = (x: string, n: number) => `(i32.shr_u ${x} (i32.const ${n}))`;
const sigma = (x: string, r1: number, r2: number, r3: number, shift = false) =>
  xor(xor(rotr(x, r1), rotr(x, r2)), shift ? shr(x, r3) : rotr(x, r3));

/**
 * One round (FIPS 180-4 §6.2.2, step 3) on the working variables named `v`,
 * with K[t] and W[t] as expressions: d and h take the new e and a, and the
 * names rotate (returned for the next round).
 */
function round(v: readonly string[], k: string, w: string, e: (s: string) => void): string[] {
  const [a, b, c, d, E, f, g, h] = v.map(get);
  const ch = xor(g, `(i32.and ${E} ${xor(f, g)})`);
  const maj = `(i32.or (i32.and ${a} ${b}) (i32.and ${c} (i32.or ${a} ${b})))`;
  e(`(local.set $t1 ${add(add(sigma(E, 6, 11, 25), ch), add(h, add(k, w)))})`);
  e(`(local.set ${v[3]} ${add(d, "(local.get $t1)")})`);
  e(`(local.set ${v[7]} ${add("(local.get $t1)", add(sigma(a, 2, 13, 22), maj))})`);
  return [v[7], v[0], v[1], v[2], v[3], v[4], v[5], v[6]];
}

/** SHA-256's compression (FIPS 180-4 §6.2.2) of the block at `$blk`. */
function compress(): string {
  const L: string[] = [];
  const e = (s: string) => L.push("    " + s);
  const back = (words: number) => `(i32.load (i32.sub (local.get $p) (i32.const ${4 * words})))`;
  e(";; W[0..16): the block's big-endian words");
  for (let i = 0; i < 4; i++) {
    e(
      `(v128.store (i32.const ${W_TABLE + 16 * i}) (i8x16.shuffle ${BSWAP} ` +
        `(v128.load offset=${16 * i} (local.get $blk)) (v128.const i64x2 0 0)))`,
    );
  }
  e(";; W[16..64): W[t] = σ1(W[t-2]) + W[t-7] + σ0(W[t-15]) + W[t-16], $p at W[t]");
  e(`(local.set $p (i32.const ${W_TABLE + 64}))`);
  e("(loop $schedule");
  e(`  (local.set $x ${back(2)})`);
  e(`  (local.set $y ${back(15)})`);
  const s1 = sigma(get("$x"), 17, 19, 10, true);
  const s0 = sigma(get("$y"), 7, 18, 3, true);
  e(`  (i32.store (local.get $p) ${add(add(s1, back(7)), add(s0, back(16)))})`);
  e("  (local.set $p (i32.add (local.get $p) (i32.const 4)))");
  e(`  (br_if $schedule (i32.lt_u (local.get $p) (i32.const ${W_TABLE + 256}))))`);
  NAMES.forEach((n, i) => e(`(local.set ${n} (i32.load (i32.const ${STATE + 4 * i})))`));
  e(";; rounds 8 r .. 8 r + 7: $p = 32 r (the offset of K[8 r] and of W[8 r] in their tables)");
  e("(local.set $p (i32.const 0))");
  e("(loop $rounds");
  let v = [...NAMES];
  for (let j = 0; j < 8; j++) {
    const k = `(i32.load offset=${K_TABLE + 4 * j} (local.get $p))`;
    const w = `(i32.load offset=${W_TABLE + 4 * j} (local.get $p))`;
    v = round(v, k, w, (s) => e("  " + s));
  }
  e("  (local.set $p (i32.add (local.get $p) (i32.const 32)))");
  e("  (br_if $rounds (i32.lt_u (local.get $p) (i32.const 256))))");
  NAMES.forEach((n, i) => {
    const at = `(i32.const ${STATE + 4 * i})`;
    e(`(i32.store ${at} ${add(`(i32.load ${at})`, get(n))})`);
  });
  return `    (local $a i32) (local $b i32) (local $c i32) (local $d i32)
    (local $e i32) (local $f i32) (local $g i32) (local $h i32) (local $t1 i32)
    (local $x i32) (local $y i32) (local $p i32)
${L.join("\n")}`;
}

/** K as the bytes of little-endian i32s, in WAT string escapes. */
function kTableData(): string {
  const bytes = new Uint8Array(4 * 64);
  const view = new DataView(bytes.buffer);
  K256.forEach((k, i) => view.setUint32(4 * i, k, true));
  return Array.from(bytes, (b) => "\\" + b.toString(16).padStart(2, "0")).join("");
}

/** The WAT text. */
export function sha256Wat(): string {
  const init = IV256.map((x, i) => `(i32.store (i32.const ${STATE + 4 * i}) (i32.const ${x | 0}))`)
    .join("\n    ");
  const digest = [0, 16].map((o) =>
    `(v128.store offset=${o} (local.get $dst) ` +
    `(i8x16.shuffle ${BSWAP} (v128.load (i32.const ${STATE + o})) (v128.const i64x2 0 0)))`
  ).join("\n    ");
  return `;; GENERATED by scripts/gen_sha256_wat.ts from FIPS 180-4; do not edit.
;;
;; SHA-256 (FIPS 180-4 §6.2) of a stream: init(), blocks(src, n) for its whole 64-byte blocks,
;; the last one(s) padded by the caller (§5.1.1), then digest(dst) writes the 32-byte digest.
;; Memory: [${STATE}, ${STATE + 32}) the hash state H0..H7, [${K_TABLE}, ${W_TABLE}) the round
;; constants K, [${W_TABLE}, ${W_TABLE + 256}) the message schedule W; [${FREE}, 65536) and
;; everything above is free for the caller's use.
(module
  (memory (export "memory") 1)
  (data (i32.const ${K_TABLE}) "${kTableData()}")
  (func $compress (param $blk i32)
${compress()})
  (func (export "init")
    ${init})
  (func (export "blocks") (param $src i32) (param $n i32)
    (local $end i32)
    (local.set $end (i32.add (local.get $src) (i32.shl (local.get $n) (i32.const 6))))
    (block $done
      (loop $block
        (br_if $done (i32.ge_u (local.get $src) (local.get $end)))
        (call $compress (local.get $src))
        (local.set $src (i32.add (local.get $src) (i32.const 64)))
        (br $block))))
  (func (export "digest") (param $dst i32)
    ${digest})
)
`;
}

if (import.meta.main) {
  const path = new URL("../lib/measure/sha256.wat", import.meta.url);
  Deno.writeTextFileSync(path, sha256Wat());
  console.log("wrote lib/measure/sha256.wat");
}
