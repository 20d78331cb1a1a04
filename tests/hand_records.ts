/**
 * Measurement records laid out by hand and hashed with Web Crypto, so tests
 * compute expected digests independently of `lib/measure/*` (which use
 * `lib/hash.ts` and their own record builders).
 *
 * @module
 */

/** Bytes Web Crypto accepts. */
export type Bytes = Uint8Array<ArrayBuffer>;

/** SHA-384 or SHA-256 by Web Crypto. */
export async function digest(alg: "SHA-384" | "SHA-256", data: Bytes): Promise<Bytes> {
  return new Uint8Array(await crypto.subtle.digest(alg, data));
}

/** Concatenation. */
export function concat(...parts: Uint8Array[]): Bytes {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

/** `data` zero-padded to 4096 bytes. */
export function page4k(data: Uint8Array = new Uint8Array(0)): Bytes {
  const page = new Uint8Array(4096);
  page.set(data);
  return page;
}

/** A 4 KiB page filled with a recognisable pattern. */
export function patternPage(seed: number): Bytes {
  return Uint8Array.from({ length: 4096 }, (_, i) => (i * 7 + seed) & 0xff);
}

/** Little-endian u64. */
export function u64le(value: bigint): Bytes {
  const b = new Uint8Array(8);
  new DataView(b.buffer).setBigUint64(0, value, true);
  return b;
}

/** Little-endian u32. */
export function u32le(value: number): Bytes {
  const b = new Uint8Array(4);
  new DataView(b.buffer).setUint32(0, value, true);
  return b;
}

/** One SNP PAGE_INFO step: which page type, GPA, and contents (48 zero bytes if omitted). */
export interface SnpRecord {
  type: number;
  gpa: bigint;
  contents?: Bytes;
}

/** SNP page types (AMD SEV-SNP ABI, PAGE_INFO.PAGE_TYPE). */
export const PT = { NORMAL: 1, VMSA: 2, ZERO: 3, UNMEASURED: 4, SECRETS: 5, CPUID: 6 } as const;

/**
 * The SNP launch digest of `records`: LD = SHA-384(PAGE_INFO), PAGE_INFO =
 * digest_cur[48] ‖ contents[48] ‖ u16 0x70 ‖ u8 page_type ‖ u8 imi = 0 ‖
 * 4 zero bytes ‖ u64 gpa.
 */
export async function snpChain(records: readonly SnpRecord[]): Promise<string> {
  let ld: Bytes = new Uint8Array(48);
  for (const r of records) {
    const info = concat(
      ld,
      r.contents ?? new Uint8Array(48),
      Uint8Array.of(0x70, 0x00, r.type, 0),
      new Uint8Array(4),
      u64le(r.gpa),
    );
    if (info.length !== 0x70) throw new Error("bad PAGE_INFO");
    ld = await digest("SHA-384", info);
  }
  return ld.toHex();
}

/** SHA-384 of `data` zero-padded to a page (the contents of a NORMAL or VMSA page). */
export function pageHash(data?: Uint8Array): Promise<Bytes> {
  return digest("SHA-384", page4k(data));
}

/** A 16-byte operation name, NUL-padded. */
function operation(name: string): Bytes {
  const b = new Uint8Array(16);
  b.set(new TextEncoder().encode(name));
  return b;
}

/** TDX `MEM.PAGE.ADD` record: "MEM.PAGE.ADD"[16] ‖ gpa u64 ‖ 104 zero bytes. */
export function tdxPageAdd(gpa: bigint): Bytes {
  return concat(operation("MEM.PAGE.ADD"), u64le(gpa), new Uint8Array(104));
}

/** The 16 TDX `MR.EXTEND` records of a page: "MR.EXTEND"[16] ‖ gpa+off ‖ 104 zeros ‖ 256 data bytes. */
export function tdxExtends(gpa: bigint, page: Uint8Array): Bytes {
  const parts: Uint8Array[] = [];
  for (let off = 0; off < 4096; off += 256) {
    parts.push(operation("MR.EXTEND"), u64le(gpa + BigInt(off)), new Uint8Array(104));
    parts.push(page.subarray(off, off + 256));
  }
  return concat(...parts);
}

/** VBS page chunk header: byte_count 4128, type 2, reserved u64, metadata u64, page number u64. */
export function vbsPageChunk(pageNumber: bigint, metadata: bigint, page: Uint8Array): Bytes {
  return concat(u32le(4128), u32le(2), new Uint8Array(8), u64le(metadata), u64le(pageNumber), page);
}

/** VBS register chunk: byte_count 48, type 0, 12 zero bytes, vtl u8, 7 zero bytes, name u32, value[16]. */
export function vbsRegisterChunk(vtl: number, name: number, value: Uint8Array): Bytes {
  return concat(
    u32le(48),
    u32le(0),
    new Uint8Array(12),
    Uint8Array.of(vtl),
    new Uint8Array(7),
    u32le(name),
    value,
  );
}

/** The VBS digest of `chunks`: d = SHA-256(d ‖ chunk), from 32 zero bytes. */
export async function vbsChain(chunks: readonly Bytes[]): Promise<string> {
  let d: Bytes = new Uint8Array(32);
  for (const c of chunks) d = await digest("SHA-256", concat(d, c));
  return d.toHex();
}
