/**
 * Writes `lib/measure/sha384.wat`, the WebAssembly text of the project's
 * SHA-384 for fixed-size messages (the 112-byte SEV-SNP PAGE_INFO and 4 KiB
 * pages) and for a stream whose padding the caller adds, from FIPS 180-4 itself:
 *
 * - the round constants K (§4.2.3: the first 64 bits of the fractional parts
 *   of the cube roots of the first 80 primes) and the SHA-384 initial hash
 *   value (§5.3.4: the same of the square roots of the 9th to 16th primes)
 *   are computed here with integer roots, not copied from a table;
 * - the compression function (§6.4.2, SHA-512's) is written once, in two
 *   instruction sets: i64 for one block (PAGE_INFOs, streams, an odd last
 *   page) and i64x2 for two pages at once, one per SIMD lane (≈ 1.4× the pages
 *   per second); the rounds run in a loop of eight with the working variables
 *   renamed instead of moved, and the schedule is kept in memory, which V8
 *   compiles and optimizes quickly (a fully unrolled form was as fast warm but
 *   several times slower over the first thousand blocks of a run);
 * - the padding blocks of both message sizes (§5.1.2) are constant data.
 *
 * The big-endian word loads and digest stores byte-swap with one SIMD shuffle
 * per 16 bytes (WebAssembly SIMD: Deno, Node.js 16.4+, current browsers).
 * `scripts/build_wasm.ts` compiles the text to `sha384_wasm.ts`;
 * tests/wasm_sha384_test.ts checks that this script's output is the committed
 * file, and the module against node:crypto and Web Crypto.
 *
 * Run: `deno run --allow-write scripts/gen_sha384_wat.ts`.
 *
 * @module
 */

/** The first `n` primes. */
export function primes(n: number): bigint[] {
  const out: bigint[] = [];
  for (let c = 2n; out.length < n; c++) {
    if (out.every((p) => c % p !== 0n)) out.push(c);
  }
  return out;
}

/** floor(x^(1/k)) for a non-negative bigint (Newton's method). */
export function iroot(x: bigint, k: bigint): bigint {
  if (x < 2n) return x;
  let r = 1n << (BigInt(x.toString(2).length) / k + 1n); // above the root
  for (;;) {
    const next = ((k - 1n) * r + x / r ** (k - 1n)) / k;
    if (next >= r) return r;
    r = next;
  }
}

/** The first 64 bits of the fractional part of p^(1/k). */
function fraction64(p: bigint, k: bigint): bigint {
  return iroot(p << (64n * k), k) & ((1n << 64n) - 1n);
}

const ALL_PRIMES = primes(80);
/** FIPS 180-4 §4.2.3. */
export const K512: readonly bigint[] = ALL_PRIMES.map((p) => fraction64(p, 3n));
/** FIPS 180-4 §5.3.4. */
export const IV384: readonly bigint[] = ALL_PRIMES.slice(8, 16).map((p) => fraction64(p, 2n));

/** A u64 as WAT's signed i64 literal. */
const i64 = (x: bigint) => BigInt.asIntN(64, x).toString();

/** Memory map (bytes). */
const INFO = 0; // [0, 112) PAGE_INFO; [112, 256) its padding: one message of two blocks
const STATE = 256; // [256, 320) H0..H7 of one message, as little-endian i64
const PAGE_PAD = 384; // [384, 512) the padding block of a 4096-byte message
const STATE2 = 512; // [512, 640) H0..H7 of two messages, one i64x2 (lane 0, lane 1) per word
const K_TABLE = 640; // [640, 1280) K[0..80) as little-endian i64
const W_TABLE = 1280; // [1280, 1920) W[0..80) of the one block being compressed
const W_TABLE2 = 1920; // [1920, 3200) W[0..80) of two blocks, one i64x2 per word
const FREE = 3200;

/** Byte reversal of each 64-bit lane (one operand). */
const BSWAP = "7 6 5 4 3 2 1 0 15 14 13 12 11 10 9 8";
/** Byte-reversed word 0 of each operand, word 1 of each operand (two operands). */
const BSWAP_LO = "7 6 5 4 3 2 1 0 23 22 21 20 19 18 17 16";
const BSWAP_HI = "15 14 13 12 11 10 9 8 31 30 29 28 27 26 25 24";

/** The instructions and memory layout one variant of the compression function is written in. */
interface Isa {
  /** The type of a word (of one message, or of two side by side). */
  readonly type: string;
  /** Bytes a word takes in memory. */
  readonly size: number;
  /** Where the state H0..H7 and the message schedule W[0..80) are. */
  readonly state: number;
  readonly w: number;
  add(x: string, y: string): string;
  xor(x: string, y: string): string;
  rotr(x: string, n: number): string;
  shr(x: string, n: number): string;
  /** Ch(e, f, g): f where e has a one, g where it has a zero. */
  ch(e: string, f: string, g: string): string;
  /** Maj(a, b, c): the bitwise majority. */
  maj(a: string, b: string, c: string): string;
  /** A word from memory at `addr` + `offset`; K[i] (one i64 of the table) as a word. */
  load(addr: string, offset?: number): string;
  store(addr: string, value: string): string;
  k(addr: string, offset: number): string;
  /** Stores W[0..16) of the block(s) at `$blk` (and `$blk2`), byte-swapped from big-endian. */
  loadBlock(e: Emit): void;
}

type Emit = (s: string) => void;
const off = (offset: number) => (offset ? ` offset=${offset}` : "");

/** One message at a time: native 64-bit rotations. */
const SCALAR: Isa = {
  type: "i64",
  size: 8,
  state: STATE,
  w: W_TABLE,
  add: (x, y) => `(i64.add ${x} ${y})`,
  xor: (x, y) => `(i64.xor ${x} ${y})`,
  rotr: (x, n) => `(i64.rotr ${x} (i64.const ${n}))`,
  shr: (x, n) => `(i64.shr_u ${x} (i64.const ${n}))`,
  ch: (e, f, g) => `(i64.xor ${g} (i64.and ${e} (i64.xor ${f} ${g})))`,
  maj: (a, b, c) => `(i64.or (i64.and ${a} ${b}) (i64.and ${c} (i64.or ${a} ${b})))`,
  load: (addr, offset = 0) => `(i64.load${off(offset)} ${addr})`,
  store: (addr, value) => `(i64.store ${addr} ${value})`,
  k: (addr, offset) => `(i64.load${off(offset)} ${addr})`,
  loadBlock(e) {
    for (let i = 0; i < 8; i++) {
      e(
        `(v128.store (i32.const ${W_TABLE + 16 * i}) (i8x16.shuffle ${BSWAP} ` +
          `(v128.load offset=${16 * i} (local.get $blk)) (v128.const i64x2 0 0)))`,
      );
    }
  },
};

/**
 * Two messages at once, one per 64-bit lane of a v128: rotations are two
 * shifts and an or (a byte shuffle for 8), Ch and Maj one bitselect each.
 */
const PAIR: Isa = {
  type: "v128",
  size: 16,
  state: STATE2,
  w: W_TABLE2,
  add: (x, y) => `(i64x2.add ${x} ${y})`,
  xor: (x, y) => `(v128.xor ${x} ${y})`,
  rotr: (x, n) =>
    n === 8
      ? `(i8x16.shuffle 1 2 3 4 5 6 7 0 9 10 11 12 13 14 15 8 ${x} ${x})`
      : `(v128.or (i64x2.shr_u ${x} (i32.const ${n})) (i64x2.shl ${x} (i32.const ${64 - n})))`,
  shr: (x, n) => `(i64x2.shr_u ${x} (i32.const ${n}))`,
  ch: (e, f, g) => `(v128.bitselect ${f} ${g} ${e})`,
  // Where a and c differ, b decides; where they agree, c (= a) is the majority.
  maj: (a, b, c) => `(v128.bitselect ${b} ${c} (v128.xor ${a} ${c}))`,
  load: (addr, offset = 0) => `(v128.load${off(offset)} ${addr})`,
  store: (addr, value) => `(v128.store ${addr} ${value})`,
  k: (addr, offset) => `(v128.load64_splat${off(offset)} ${addr})`,
  loadBlock(e) {
    // Word i of both blocks, byte-swapped, in lanes 0 and 1.
    for (let i = 0; i < 8; i++) {
      e(`(local.set $x (v128.load offset=${16 * i} (local.get $blk)))`);
      e(`(local.set $y (v128.load offset=${16 * i} (local.get $blk2)))`);
      for (const [j, order] of [[0, BSWAP_LO], [1, BSWAP_HI]] as const) {
        e(
          `(v128.store (i32.const ${W_TABLE2 + 16 * (2 * i + j)}) ` +
            `(i8x16.shuffle ${order} (local.get $x) (local.get $y)))`,
        );
      }
    }
  },
};

/**
 * One round (FIPS 180-4 §6.4.2, step 3) on the working variables named `v`
 * (a to h), with K[t] and W[t] given as expressions. Nothing is moved: d and h
 * take the new e and a, and the names rotate (returned for the next round).
 */
function round(isa: Isa, v: readonly string[], k: string, w: string, e: Emit): string[] {
  const { add, xor, rotr } = isa;
  const [a, b, c, d, E, f, g, h] = v.map((n) => `(local.get ${n})`);
  // T1 = (Σ1(e) + Ch(e, f, g)) + (h + K[t] + W[t]): grouped so that only two additions
  // wait for e.
  const S1 = xor(xor(rotr(E, 14), rotr(E, 18)), rotr(E, 41));
  e(`(local.set $t1 ${add(add(S1, isa.ch(E, f, g)), add(h, add(k, w)))})`);
  // d += T1; the new a, in h's local: T1 + Σ0(a) + Maj(a, b, c).
  const S0 = xor(xor(rotr(a, 28), rotr(a, 34)), rotr(a, 39));
  e(`(local.set ${v[3]} ${add(d, "(local.get $t1)")})`);
  e(`(local.set ${v[7]} ${add("(local.get $t1)", add(S0, isa.maj(a, b, c)))})`);
  return [v[7], v[0], v[1], v[2], v[3], v[4], v[5], v[6]];
}

const NAMES = ["$a", "$b", "$c", "$d", "$e", "$f", "$g", "$h"];

/**
 * SHA-512's compression (FIPS 180-4 §6.4.2) of one block, or of two side by
 * side: the message schedule in memory and the rounds in a loop of eight, so
 * that the function stays small. V8 first runs WebAssembly through its baseline
 * compiler and optimizes hot functions later; a fully unrolled function is slow
 * in the first and long to optimize, which a short run (a 2 MiB file) feels,
 * while this form is as fast once optimized.
 */
function compress(isa: Isa): string {
  const L: string[] = [];
  const e: Emit = (s) => L.push("    " + s);
  const get = (v: string) => `(local.get ${v})`;
  const { add, xor, rotr, shr, size } = isa;
  const back = (words: number) => isa.load(`(i32.sub (local.get $p) (i32.const ${words * size}))`);
  e(";; W[0..16): the block's big-endian words");
  isa.loadBlock(e);
  e(";; W[16..80): W[t] = σ1(W[t-2]) + W[t-7] + σ0(W[t-15]) + W[t-16], $p at W[t]");
  e(`(local.set $p (i32.const ${isa.w + 16 * size}))`);
  e("(loop $schedule");
  e(`  (local.set $x ${back(2)})`);
  e(`  (local.set $y ${back(15)})`);
  const x = get("$x"), y = get("$y");
  const s1 = xor(xor(rotr(x, 19), rotr(x, 61)), shr(x, 6));
  const s0 = xor(xor(rotr(y, 1), rotr(y, 8)), shr(y, 7));
  e(`  ${isa.store("(local.get $p)", add(add(s1, back(7)), add(s0, back(16))))}`);
  e(`  (local.set $p (i32.add (local.get $p) (i32.const ${size})))`);
  e(`  (br_if $schedule (i32.lt_u (local.get $p) (i32.const ${isa.w + 80 * size}))))`);
  NAMES.forEach((n, i) => e(`(local.set ${n} ${isa.load(`(i32.const ${isa.state + size * i})`)})`));
  e(";; rounds 8 r .. 8 r + 7: $t = 64 r (K's offset in its table), $p = 8 r words (W's)");
  e("(local.set $t (i32.const 0))");
  e("(local.set $p (i32.const 0))");
  e("(loop $rounds");
  let v = [...NAMES];
  for (let j = 0; j < 8; j++) {
    const k = isa.k("(local.get $t)", K_TABLE + 8 * j);
    const w = isa.load("(local.get $p)", isa.w + size * j);
    v = round(isa, v, k, w, (s) => e("  " + s));
  }
  // After 8 renamings every variable is back in its own local.
  e("  (local.set $t (i32.add (local.get $t) (i32.const 64)))");
  e(`  (local.set $p (i32.add (local.get $p) (i32.const ${8 * size})))`);
  e("  (br_if $rounds (i32.lt_u (local.get $t) (i32.const 640))))");
  NAMES.forEach((n, i) => {
    const at = `(i32.const ${isa.state + size * i})`;
    e(isa.store(at, add(isa.load(at), get(n))));
  });
  const t = isa.type;
  return `    (local $a ${t}) (local $b ${t}) (local $c ${t}) (local $d ${t})
    (local $e ${t}) (local $f ${t}) (local $g ${t}) (local $h ${t}) (local $t1 ${t})
    (local $x ${t}) (local $y ${t}) (local $t i32) (local $p i32)
${L.join("\n")}`;
}

/** K as the bytes of little-endian i64s, in WAT string escapes. */
function kTableData(): string {
  const bytes = new Uint8Array(8 * 80);
  const view = new DataView(bytes.buffer);
  K512.forEach((k, i) => view.setBigUint64(8 * i, k, true));
  return Array.from(bytes, (b) => "\\" + b.toString(16).padStart(2, "0")).join("");
}

/** The WAT text. */
export function sha384Wat(): string {
  const init = IV384.map((x, i) => `(i64.store (i32.const ${STATE + 8 * i}) (i64.const ${i64(x)}))`)
    .join("\n    ");
  const init2 = IV384.map((x, i) =>
    `(v128.store (i32.const ${STATE2 + 16 * i}) (v128.const i64x2 ${i64(x)} ${i64(x)}))`
  ).join("\n    ");
  const digest = [0, 16, 32].map((o) =>
    `(v128.store offset=${o} (local.get $dst) ` +
    `(i8x16.shuffle ${BSWAP} (v128.load (i32.const ${STATE + o})) (v128.const i64x2 0 0)))`
  ).join("\n    ");
  // Words 2j and 2j+1 of lane 0 go to dst, of lane 1 to dst2.
  const digest2 = [0, 1, 2].flatMap((j) => {
    const words = `(v128.load (i32.const ${STATE2 + 32 * j})) (v128.load (i32.const ${
      STATE2 + 32 * j + 16
    }))`;
    return [
      `(v128.store offset=${16 * j} (local.get $dst) (i8x16.shuffle ${BSWAP_LO} ${words}))`,
      `(v128.store offset=${16 * j} (local.get $dst2) (i8x16.shuffle ${BSWAP_HI} ${words}))`,
    ];
  }).join("\n    ");
  return `;; GENERATED by scripts/gen_sha384_wat.ts from FIPS 180-4; do not edit.
;;
;; SHA-384 (FIPS 180-4 §6.5: SHA-512's compression, SHA-384's initial value, the first
;; 384 bits of the result) of two fixed-size messages and of a stream:
;;   chain()            the 112-byte SEV-SNP PAGE_INFO at [${INFO}, 112); the digest is written
;;                      over its first 48 bytes, where the next PAGE_INFO wants it;
;;   pages(src, dst, n) n messages of 4096 bytes at src, src + 4096, ...; digest i goes to
;;                      dst + 48 i. Pages are hashed two at a time, one per SIMD lane ($pair),
;;                      an odd last one alone ($compress). The caller grows the memory to fit;
;;   init(), blocks(src, n), digest(dst)  SHA-384 of a stream, its padding added by the caller.
;; Memory: [0, 112) PAGE_INFO, [112, 256) its padding (0x80, zeros, length 896 bits),
;; [${STATE}, ${STATE + 64}) the hash state H0..H7, [${PAGE_PAD}, ${
    PAGE_PAD + 128
  }) the padding block of a 4096-byte message
;; (0x80, zeros, length 32768 bits), [${STATE2}, ${K_TABLE}) the state of two messages,
;; [${K_TABLE}, ${W_TABLE}) the round constants K, [${W_TABLE}, ${W_TABLE2}) one block's message
;; schedule W, [${W_TABLE2}, ${FREE}) two blocks' W side by side.
;; [${FREE}, 65536) and everything above is free for the caller's use.
(module
  (memory (export "memory") 1)
  (data (i32.const 112) "\\80")
  (data (i32.const 254) "\\03\\80")
  (data (i32.const ${PAGE_PAD}) "\\80")
  (data (i32.const ${PAGE_PAD + 126}) "\\80\\00")
  (data (i32.const ${K_TABLE}) "${kTableData()}")
  (func $init
    ${init})
  (func $init2
    ${init2})
  (func $compress (param $blk i32)
${compress(SCALAR)})
  (func $compress2 (param $blk i32) (param $blk2 i32)
${compress(PAIR)})
  ;; The digest: H0..H5 as big-endian bytes at dst.
  (func $digest (param $dst i32)
    ${digest})
  (func $digest2 (param $dst i32) (param $dst2 i32)
    ${digest2})
  ;; A stream of any length: init(), blocks(src, n) for its whole 128-byte blocks, the last
  ;; one(s) padded by the caller (FIPS 180-4 §5.1.2), then digest(dst).
  (func (export "init")
    (call $init))
  (func (export "blocks") (param $src i32) (param $n i32)
    (local $end i32)
    (local.set $end (i32.add (local.get $src) (i32.shl (local.get $n) (i32.const 7))))
    (block $done
      (loop $block
        (br_if $done (i32.ge_u (local.get $src) (local.get $end)))
        (call $compress (local.get $src))
        (local.set $src (i32.add (local.get $src) (i32.const 128)))
        (br $block))))
  (func (export "digest") (param $dst i32)
    (call $digest (local.get $dst)))
  (func (export "chain")
    (call $init)
    (call $compress (i32.const ${INFO}))
    (call $compress (i32.const ${INFO + 128}))
    (call $digest (i32.const ${INFO})))
  (func (export "pages") (param $src i32) (param $dst i32) (param $n i32)
    (local $end i32)
    (block $done
      (loop $pair
        (br_if $done (i32.lt_u (local.get $n) (i32.const 2)))
        (call $init2)
        (local.set $end (i32.add (local.get $src) (i32.const 4096)))
        (loop $block
          (call $compress2 (local.get $src) (i32.add (local.get $src) (i32.const 4096)))
          (local.set $src (i32.add (local.get $src) (i32.const 128)))
          (br_if $block (i32.lt_u (local.get $src) (local.get $end))))
        (call $compress2 (i32.const ${PAGE_PAD}) (i32.const ${PAGE_PAD}))
        (call $digest2 (local.get $dst) (i32.add (local.get $dst) (i32.const 48)))
        (local.set $src (i32.add (local.get $src) (i32.const 4096)))
        (local.set $dst (i32.add (local.get $dst) (i32.const 96)))
        (local.set $n (i32.sub (local.get $n) (i32.const 2)))
        (br $pair)))
    (if (local.get $n)
      (then
        (call $init)
        (local.set $end (i32.add (local.get $src) (i32.const 4096)))
        (loop $block
          (call $compress (local.get $src))
          (local.set $src (i32.add (local.get $src) (i32.const 128)))
          (br_if $block (i32.lt_u (local.get $src) (local.get $end))))
        (call $compress (i32.const ${PAGE_PAD}))
        (call $digest (local.get $dst)))))
)
`;
}

if (import.meta.main) {
  const path = new URL("../lib/measure/sha384.wat", import.meta.url);
  Deno.writeTextFileSync(path, sha384Wat());
  console.log("wrote lib/measure/sha384.wat");
}
