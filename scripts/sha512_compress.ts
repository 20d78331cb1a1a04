/**
 * SHA-512's compression function (FIPS 180-4 §6.4.2; SHA-384 is SHA-512 with
 * another initial value) as WebAssembly text, for `gen_sha384_wat.ts`, in two
 * instruction sets and their interleaving:
 *
 * - i64 for one block (PAGE_INFOs, streams, a last page alone);
 * - i64x2 for two pages at once, one per SIMD lane;
 * - both at once, round by round, for three pages: two in the SIMD lanes and
 *   one in the scalar registers. Each form alone waits on the latency of its
 *   round's dependency chain; interleaved, the CPU runs the other form's
 *   independent instructions meanwhile (≈ 1.2× the pages per second of the
 *   SIMD pair alone, measured on an AMD EPYC with `bench/hashers.ts`).
 *
 * The rounds run in a loop of eight with the working variables renamed
 * instead of moved, and the schedule is kept in memory, which V8 compiles and
 * optimizes quickly (a fully unrolled form was as fast warm but several times
 * slower over the first thousand blocks of a run).
 *
 * @module
 */

/** Memory map of the compression's state and tables (bytes; see `gen_sha384_wat.ts`). */
export const STATE = 256; // [256, 320) H0..H7 of one message, as little-endian i64
export const STATE2 = 512; // [512, 640) H0..H7 of two messages, one i64x2 (lane 0, lane 1) per word
export const K_TABLE = 640; // [640, 1280) K[0..80) as little-endian i64
export const W_TABLE = 1280; // [1280, 1920) W[0..80) of the one block being compressed
export const W_TABLE2 = 1920; // [1920, 3200) W[0..80) of two blocks, one i64x2 per word

/** Byte reversal of each 64-bit lane (one operand). */
export const BSWAP = "7 6 5 4 3 2 1 0 15 14 13 12 11 10 9 8";
/** Byte-reversed word 0 of each operand, word 1 of each operand (two operands). */
export const BSWAP_LO = "7 6 5 4 3 2 1 0 23 22 21 20 19 18 17 16";
export const BSWAP_HI = "15 14 13 12 11 10 9 8 31 30 29 28 27 26 25 24";

type Emit = (s: string) => void;
/** A local's name in one stream (`$a` → `$s_a` for the prefix `s_`). */
type Name = (base: string) => string;
const off = (offset: number) => (offset ? ` offset=${offset}` : "");

/** The instructions and memory layout one variant of the compression function is written in. */
interface Isa {
  /** The type of a word (of one message, or of two side by side). */
  readonly type: string;
  /** Bytes a word takes in memory. */
  readonly size: number;
  /** Where the state H0..H7 and the message schedule W[0..80) are. */
  readonly state: number;
  readonly w: number;
  /** The parameters: the block's address (or the two blocks'). */
  readonly params: readonly string[];
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
  /** Stores W[0..16) of the block(s) at the parameters, byte-swapped from big-endian. */
  loadBlock(e: Emit, n: Name): void;
}

/** One message at a time: native 64-bit rotations. */
export const SCALAR: Isa = {
  type: "i64",
  size: 8,
  state: STATE,
  w: W_TABLE,
  params: ["$blk"],
  add: (x, y) => `(i64.add ${x} ${y})`,
  xor: (x, y) => `(i64.xor ${x} ${y})`,
  rotr: (x, n) => `(i64.rotr ${x} (i64.const ${n}))`,
  shr: (x, n) => `(i64.shr_u ${x} (i64.const ${n}))`,
  ch: (e, f, g) => `(i64.xor ${g} (i64.and ${e} (i64.xor ${f} ${g})))`,
  maj: (a, b, c) => `(i64.or (i64.and ${a} ${b}) (i64.and ${c} (i64.or ${a} ${b})))`,
  load: (addr, offset = 0) => `(i64.load${off(offset)} ${addr})`,
  store: (addr, value) => `(i64.store ${addr} ${value})`,
  k: (addr, offset) => `(i64.load${off(offset)} ${addr})`,
  loadBlock(e, n) {
    for (let i = 0; i < 8; i++) {
      e(
        `(v128.store (i32.const ${W_TABLE + 16 * i}) (i8x16.shuffle ${BSWAP} ` +
          `(v128.load offset=${16 * i} (local.get ${n("$blk")})) (v128.const i64x2 0 0)))`,
      );
    }
  },
};

/**
 * Two messages at once, one per 64-bit lane of a v128: rotations are two
 * shifts and an or (a byte shuffle for 8), Ch and Maj one bitselect each.
 */
export const PAIR: Isa = {
  type: "v128",
  size: 16,
  state: STATE2,
  w: W_TABLE2,
  params: ["$blk", "$blk2"],
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
  loadBlock(e, n) {
    // Word i of both blocks, byte-swapped, in lanes 0 and 1.
    const [x, y] = [n("$x"), n("$y")];
    for (let i = 0; i < 8; i++) {
      e(`(local.set ${x} (v128.load offset=${16 * i} (local.get ${n("$blk")})))`);
      e(`(local.set ${y} (v128.load offset=${16 * i} (local.get ${n("$blk2")})))`);
      for (const [j, order] of [[0, BSWAP_LO], [1, BSWAP_HI]] as const) {
        e(
          `(v128.store (i32.const ${W_TABLE2 + 16 * (2 * i + j)}) ` +
            `(i8x16.shuffle ${order} (local.get ${x}) (local.get ${y})))`,
        );
      }
    }
  },
};

/**
 * One round (FIPS 180-4 §6.4.2, step 3) on the working variables named `v`
 * (a to h), with K[t] and W[t] given as expressions and T1 in the local `t1`.
 * Nothing is moved: d and h take the new e and a, and the names rotate
 * (returned for the next round).
 */
function round(isa: Isa, v: readonly string[], k: string, w: string, t1: string, e: Emit) {
  const { add, xor, rotr } = isa;
  const [a, b, c, d, E, f, g, h] = v.map((n) => `(local.get ${n})`);
  // T1 = (Σ1(e) + Ch(e, f, g)) + (h + K[t] + W[t]): grouped so that only two additions
  // wait for e.
  const S1 = xor(xor(rotr(E, 14), rotr(E, 18)), rotr(E, 41));
  e(`(local.set ${t1} ${add(add(S1, isa.ch(E, f, g)), add(h, add(k, w)))})`);
  // d += T1; the new a, in h's local: T1 + Σ0(a) + Maj(a, b, c).
  const S0 = xor(xor(rotr(a, 28), rotr(a, 34)), rotr(a, 39));
  e(`(local.set ${v[3]} ${add(d, `(local.get ${t1})`)})`);
  e(`(local.set ${v[7]} ${add(`(local.get ${t1})`, add(S0, isa.maj(a, b, c)))})`);
  return [v[7], v[0], v[1], v[2], v[3], v[4], v[5], v[6]];
}

const NAMES = ["$a", "$b", "$c", "$d", "$e", "$f", "$g", "$h"];

/** One stream of a compression: its instruction set and the prefix of its locals' names. */
export interface Stream {
  readonly isa: Isa;
  readonly prefix: string;
}

const namer = (prefix: string): Name => (base) => "$" + prefix + base.slice(1);

/** W[0..80) of one stream's block(s), then its state in its locals a..h. */
function schedule({ isa, prefix }: Stream, e: Emit): void {
  const n = namer(prefix);
  const { add, xor, rotr, shr, size } = isa;
  const p = n("$p");
  const back = (words: number) =>
    isa.load(`(i32.sub (local.get ${p}) (i32.const ${words * size}))`);
  e(";; W[0..16): the block's big-endian words");
  isa.loadBlock(e, n);
  e(`;; W[16..80): W[t] = σ1(W[t-2]) + W[t-7] + σ0(W[t-15]) + W[t-16], ${p} at W[t]`);
  e(`(local.set ${p} (i32.const ${isa.w + 16 * size}))`);
  e(`(loop ${n("$schedule")}`);
  e(`  (local.set ${n("$x")} ${back(2)})`);
  e(`  (local.set ${n("$y")} ${back(15)})`);
  const x = `(local.get ${n("$x")})`, y = `(local.get ${n("$y")})`;
  const s1 = xor(xor(rotr(x, 19), rotr(x, 61)), shr(x, 6));
  const s0 = xor(xor(rotr(y, 1), rotr(y, 8)), shr(y, 7));
  e(`  ${isa.store(`(local.get ${p})`, add(add(s1, back(7)), add(s0, back(16))))}`);
  e(`  (local.set ${p} (i32.add (local.get ${p}) (i32.const ${size})))`);
  e(`  (br_if ${n("$schedule")} (i32.lt_u (local.get ${p}) (i32.const ${isa.w + 80 * size}))))`);
  NAMES.forEach((v, i) =>
    e(`(local.set ${n(v)} ${isa.load(`(i32.const ${isa.state + size * i})`)})`)
  );
}

/**
 * The function body (locals and code) of SHA-512's compression of the blocks
 * of `streams` (parameters: each stream's, prefixed, in order), their rounds
 * interleaved one by one.
 */
export function compressBody(streams: readonly Stream[]): string {
  const L: string[] = [];
  const e: Emit = (s) => L.push("    " + s);
  for (const s of streams) schedule(s, e);
  const ps = streams.map((s) => namer(s.prefix)("$p"));
  e(";; rounds 8 r .. 8 r + 7: $t = 64 r (K's offset in its table), $p = 8 r words (W's)");
  e("(local.set $t (i32.const 0))");
  for (const p of ps) e(`(local.set ${p} (i32.const 0))`);
  e("(loop $rounds");
  let vs = streams.map((s) => NAMES.map(namer(s.prefix)));
  for (let j = 0; j < 8; j++) {
    vs = streams.map(({ isa, prefix }, i) => {
      const k = isa.k("(local.get $t)", K_TABLE + 8 * j);
      const w = isa.load(`(local.get ${ps[i]})`, isa.w + isa.size * j);
      return round(isa, vs[i], k, w, namer(prefix)("$t1"), (s) => e("  " + s));
    });
  }
  // After 8 renamings every variable is back in its own local.
  e("  (local.set $t (i32.add (local.get $t) (i32.const 64)))");
  streams.forEach(({ isa }, i) => {
    e(`  (local.set ${ps[i]} (i32.add (local.get ${ps[i]}) (i32.const ${8 * isa.size})))`);
  });
  e("  (br_if $rounds (i32.lt_u (local.get $t) (i32.const 640))))");
  for (const { isa, prefix } of streams) {
    NAMES.forEach((v, i) => {
      const at = `(i32.const ${isa.state + isa.size * i})`;
      e(isa.store(at, isa.add(isa.load(at), `(local.get ${namer(prefix)(v)})`)));
    });
  }
  const locals = streams.map(({ isa: { type: t }, prefix }) => {
    const n = namer(prefix);
    const typed = [...NAMES, "$t1", "$x", "$y"].map((v) => `(local ${n(v)} ${t})`);
    const lines = [typed.slice(0, 4), typed.slice(4, 9), [
      ...typed.slice(9),
      `(local ${n("$p")} i32)`,
    ]];
    return lines.map((l) => "    " + l.join(" ")).join("\n");
  });
  return `${locals.join("\n")}\n    (local $t i32)\n${L.join("\n")}`;
}

/** The parameter list of a compression of `streams`. */
export function compressParams(streams: readonly Stream[]): string {
  return streams.flatMap(({ isa, prefix }) =>
    isa.params.map((p) => `(param ${namer(prefix)(p)} i32)`)
  )
    .join(" ");
}
