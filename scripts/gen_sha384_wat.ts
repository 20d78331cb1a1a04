/**
 * Writes `lib/measure/sha384.wat`, the WebAssembly text of the project's
 * SHA-384 for fixed-size messages (the 112-byte SEV-SNP PAGE_INFO and 4 KiB
 * pages), from FIPS 180-4 itself:
 *
 * - the round constants K (§4.2.3: the first 64 bits of the fractional parts
 *   of the cube roots of the first 80 primes) and the SHA-384 initial hash
 *   value (§5.3.4: the same of the square roots of the 9th to 16th primes)
 *   are computed here with integer roots, not copied from a table;
 * - the compression function (§6.4.2, SHA-512's) is written out for all 80
 *   rounds, with the eight working variables renamed instead of moved and the
 *   message schedule kept in 16 locals;
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
function primes(n: number): bigint[] {
  const out: bigint[] = [];
  for (let c = 2n; out.length < n; c++) {
    if (out.every((p) => c % p !== 0n)) out.push(c);
  }
  return out;
}

/** floor(x^(1/k)) for a non-negative bigint (Newton's method). */
function iroot(x: bigint, k: bigint): bigint {
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
const STATE = 256; // [256, 320) H0..H7, as little-endian i64
const PAGE_PAD = 384; // [384, 512) the padding block of a 4096-byte message

/** Byte reversal of each 64-bit lane. */
const BSWAP = "7 6 5 4 3 2 1 0 15 14 13 12 11 10 9 8";

function compress(): string {
  const L: string[] = [];
  const e = (s: string) => L.push("    " + s);
  const w = (t: number) => `$w${t % 16}`;
  const get = (v: string) => `(local.get ${v})`;
  const rotr = (v: string, n: number) => `(i64.rotr ${get(v)} (i64.const ${n}))`;
  e(";; W[0..16): the block's big-endian words, eight byte-swapping shuffles");
  for (let i = 0; i < 8; i++) {
    e(
      `(local.set $v (i8x16.shuffle ${BSWAP} (v128.load offset=${16 * i} ${
        get("$blk")
      }) (v128.const i64x2 0 0)))`,
    );
    e(`(local.set ${w(2 * i)} (i64x2.extract_lane 0 (local.get $v)))`);
    e(`(local.set ${w(2 * i + 1)} (i64x2.extract_lane 1 (local.get $v)))`);
  }
  const names = ["$a", "$b", "$c", "$d", "$e", "$f", "$g", "$h"];
  names.forEach((n, i) => e(`(local.set ${n} (i64.load (i32.const ${STATE + 8 * i})))`));
  let v = [...names];
  for (let t = 0; t < 80; t++) {
    const [a, b, c, d, E, f, g, h] = v;
    e(`;; round ${t}`);
    if (t >= 16) {
      // W[t] = σ1(W[t-2]) + W[t-7] + σ0(W[t-15]) + W[t-16]; W[t-16] is the slot W[t] takes.
      const x = w(t - 2), y = w(t - 15);
      e(
        `(local.set ${w(t)} (i64.add (i64.add (i64.xor (i64.xor ${rotr(x, 19)} ${rotr(x, 61)}) ` +
          `(i64.shr_u ${get(x)} (i64.const 6))) ${get(w(t - 7))}) (i64.add (i64.xor (i64.xor ${
            rotr(y, 1)
          } ${rotr(y, 8)}) (i64.shr_u ${get(y)} (i64.const 7))) ${get(w(t))})))`,
      );
    }
    // T1 = (Σ1(e) + Ch(e, f, g)) + (h + K[t] + W[t]), with Ch = g ^ (e & (f ^ g)); grouped
    // so that only two additions wait for e.
    e(
      `(local.set $t1 (i64.add (i64.add (i64.xor (i64.xor ${rotr(E, 14)} ${rotr(E, 18)}) ${
        rotr(E, 41)
      }) (i64.xor ${get(g)} (i64.and ${get(E)} (i64.xor ${get(f)} ${get(g)})))) (i64.add ${
        get(h)
      } (i64.add (i64.const ${i64(K512[t])}) ${get(w(t))}))))`,
    );
    // d += T1; the new a (in h's local) = T1 + Σ0(a) + Maj(a, b, c), Maj = (a & b) | (c & (a | b))
    e(`(local.set ${d} (i64.add ${get(d)} (local.get $t1)))`);
    e(
      `(local.set ${h} (i64.add (local.get $t1) (i64.add (i64.xor (i64.xor ${rotr(a, 28)} ${
        rotr(a, 34)
      }) ${rotr(a, 39)}) (i64.or (i64.and ${get(a)} ${get(b)}) (i64.and ${get(c)} (i64.or ${
        get(a)
      } ${get(b)}))))))`,
    );
    v = [h, a, b, c, d, E, f, g];
  }
  // After 80 renamings (a multiple of 8) every variable is back in its own local.
  names.forEach((n, i) =>
    e(
      `(i64.store (i32.const ${STATE + 8 * i}) (i64.add (i64.load (i32.const ${STATE + 8 * i})) ${
        get(n)
      }))`,
    )
  );
  return L.join("\n");
}

/** The WAT text. */
export function sha384Wat(): string {
  const ivStores = IV384.map((x, i) =>
    `(i64.store (i32.const ${STATE + 8 * i}) (i64.const ${i64(x)}))`
  )
    .join("\n    ");
  const out = [0, 16, 32].map((o) =>
    `(v128.store offset=${o} (local.get $dst) ` +
    `(i8x16.shuffle ${BSWAP} (v128.load (i32.const ${STATE + o})) (v128.const i64x2 0 0)))`
  ).join("\n    ");
  return `;; GENERATED by scripts/gen_sha384_wat.ts from FIPS 180-4; do not edit.
;;
;; SHA-384 (FIPS 180-4 §6.5: SHA-512's compression, SHA-384's initial value, the first
;; 384 bits of the result) of two fixed-size messages:
;;   chain()           the 112-byte SEV-SNP PAGE_INFO at [${INFO}, 112); the digest is written
;;                     over its first 48 bytes, where the next PAGE_INFO wants it;
;;   pages(src, dst, n) n messages of 4096 bytes at src, src + 4096, ...; digest i goes to
;;                     dst + 48 i. The caller grows the memory to fit.
;; Memory: [0, 112) PAGE_INFO, [112, 256) its padding (0x80, zeros, length 896 bits),
;; [${STATE}, ${STATE + 64}) the hash state H0..H7, [${PAGE_PAD}, ${
    PAGE_PAD + 128
  }) the padding block of a 4096-byte message
;; (0x80, zeros, length 32768 bits). [512, 65536) is free for the caller's use.
(module
  (memory (export "memory") 1)
  (data (i32.const 112) "\\80")
  (data (i32.const 254) "\\03\\80")
  (data (i32.const ${PAGE_PAD}) "\\80")
  (data (i32.const ${PAGE_PAD + 126}) "\\80\\00")
  (func $init
    ${ivStores})
  (func $compress (param $blk i32)
    (local $a i64) (local $b i64) (local $c i64) (local $d i64)
    (local $e i64) (local $f i64) (local $g i64) (local $h i64) (local $t1 i64) (local $v v128)
    ${Array.from({ length: 16 }, (_, i) => `(local $w${i} i64)`).join(" ")}
${compress()})
  ;; The digest: H0..H5 as big-endian bytes at dst.
  (func $digest (param $dst i32)
    ${out})
  (func (export "chain")
    (call $init)
    (call $compress (i32.const ${INFO}))
    (call $compress (i32.const ${INFO + 128}))
    (call $digest (i32.const ${INFO})))
  (func (export "pages") (param $src i32) (param $dst i32) (param $n i32)
    (local $end i32) (local $stop i32)
    (local.set $stop (i32.add (local.get $src) (i32.shl (local.get $n) (i32.const 12))))
    (block $done
      (loop $page
        (br_if $done (i32.ge_u (local.get $src) (local.get $stop)))
        (call $init)
        (local.set $end (i32.add (local.get $src) (i32.const 4096)))
        (loop $block
          (call $compress (local.get $src))
          (local.set $src (i32.add (local.get $src) (i32.const 128)))
          (br_if $block (i32.lt_u (local.get $src) (local.get $end))))
        (call $compress (i32.const ${PAGE_PAD}))
        (call $digest (local.get $dst))
        (local.set $dst (i32.add (local.get $dst) (i32.const 48)))
        (br $page)))))
`;
}

if (import.meta.main) {
  const path = new URL("../lib/measure/sha384.wat", import.meta.url);
  Deno.writeTextFileSync(path, sha384Wat());
  console.log("wrote lib/measure/sha384.wat");
}
