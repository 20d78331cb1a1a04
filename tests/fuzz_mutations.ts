/**
 * Structure-aware mutation operators for the fuzzers: each rewrites a field,
 * a header or a section boundary of an IGVM file (values chosen to hit the
 * parser's edge cases), and `mutate` applies a few of them at random.
 *
 * @module
 */

import {
  FILE_OFFSET_FIELD,
  fixCrc,
  fixTotalSize,
  insertInSection,
  INTERESTING_U32,
  INTERESTING_U64,
  removeFromSection,
  type Rng,
  tlv,
  walk,
} from "./fuzz_helpers.ts";

/** A structure-aware mutation: returns the mutant (possibly a new array) and a label. */
type Op = (b: Uint8Array, r: Rng) => [Uint8Array, string];

function setU32(b: Uint8Array, at: number, value: number): void {
  if (at >= 0 && at + 4 <= b.length) {
    new DataView(b.buffer, b.byteOffset).setUint32(at, value >>> 0, true);
  }
}
function setU64(b: Uint8Array, at: number, value: bigint): void {
  if (at >= 0 && at + 8 <= b.length) {
    new DataView(b.buffer, b.byteOffset).setBigUint64(at, BigInt.asUintN(64, value), true);
  }
}
function getU32(b: Uint8Array, at: number): number {
  return at >= 0 && at + 4 <= b.length
    ? new DataView(b.buffer, b.byteOffset).getUint32(at, true)
    : 0;
}

function u32Value(b: Uint8Array, r: Rng): number {
  const c = r.int(4);
  if (c === 0) return r.u32();
  if (c === 1) return b.length + r.int(3) - 1;
  return r.pick(INTERESTING_U32);
}

function u64Value(r: Rng): bigint {
  return r.chance(0.25) ? r.u64() : r.pick(INTERESTING_U64);
}

const KNOWN_TYPES = [
  0x1,
  0x101,
  0x102,
  0x103,
  0x104,
  0x105,
  0x106,
  0x301,
  0x302,
  0x303,
  0x304,
  0x305,
  0x306,
  0x307,
  0x308,
  0x309,
  0x30a,
  0x30b,
  0x30c,
  0x30d,
  0x30e,
  0x30f,
  0x310,
  0x311,
  0x312,
  0x313,
];

function unknownType(r: Rng): number {
  switch (r.int(6)) {
    case 0:
      return 0;
    case 1:
      return 0x2 + r.int(0xff); // unknown platform type
    case 2:
      return 0x107 + r.int(0xfa); // unknown init type
    case 3:
      return 0x201 + r.int(0x100); // between ranges
    case 4:
      return (0x80000000 | r.pick([...KNOWN_TYPES, 0x314, 0x400, r.u32()])) >>> 0; // optional bit
    default:
      return 0x314 + r.int(0xed);
  }
}

function dataStart(b: Uint8Array): number {
  return getU32(b, 8) + getU32(b, 12);
}

/** Where a truncation is most interesting: every structure boundary. */
function boundaries(b: Uint8Array): number[] {
  const l = walk(b);
  const out = new Set<number>([
    0,
    1,
    4,
    8,
    16,
    20,
    23,
    24,
    31,
    32,
    l.varOffset,
    dataStart(b),
    b.length - 1,
  ]);
  for (const h of l.headers) {
    out.add(h.at);
    out.add(h.at + 4);
    out.add(h.at + 8);
    out.add(h.at + 8 + h.length);
    out.add(h.at + h.span);
    const field = FILE_OFFSET_FIELD[h.type];
    if (field !== undefined) {
      const fo = getU32(b, h.at + 8 + field);
      if (fo !== 0) {
        out.add(fo);
        out.add(fo + 4);
        out.add(fo + 4096 - 1);
        out.add(fo + 4096);
      }
    }
  }
  return [...out].filter((x) => x >= 0 && x < b.length);
}

const OPS: Array<[number, Op]> = [
  [3, (b, r) => { // bit flip in the fixed header
    const i = r.int(Math.min(b.length, 32));
    b[i] ^= 1 << r.int(8);
    return [b, `flip fixed byte ${i}`];
  }],
  [3, (b, r) => { // fixed-header field overwrite (offsets, sizes, version, arch, page size)
    const field = r.int(8);
    setU32(b, field * 4, u32Value(b, r));
    return [b, `fixed field ${field}`];
  }],
  [6, (b, r) => { // bit flips / byte overwrites in the variable-header section
    const l = walk(b);
    const n = 1 + r.int(4);
    for (let k = 0; k < n; k++) {
      const i = l.varOffset + r.int(Math.max(1, l.varSize));
      if (i >= b.length) continue;
      if (r.chance(0.5)) b[i] ^= 1 << r.int(8);
      else b[i] = r.pick([0, 0xff, 0x80, 0x7f, 1, r.int(256)]);
    }
    return [b, `section bytes x${n}`];
  }],
  [10, (b, r) => { // a header field: aligned u32 or u64 in a random header's body
    const hs = walk(b).headers;
    if (hs.length === 0) return [b, "field (no headers)"];
    const h = r.pick(hs);
    const len = Math.max(4, Math.min(h.length, h.span - 8));
    const off = r.int(len) & ~3;
    if (r.chance(0.5) && (off & 7) === 0) setU64(b, h.at + 8 + off, u64Value(r));
    else setU32(b, h.at + 8 + off, u32Value(b, r));
    return [b, `field 0x${h.type.toString(16)}+${off}`];
  }],
  [5, (b, r) => { // header type
    const hs = walk(b).headers;
    if (hs.length === 0) return [b, "type (no headers)"];
    const h = r.pick(hs);
    const t = r.chance(0.5) ? unknownType(r) : r.pick(KNOWN_TYPES);
    setU32(b, h.at, t);
    return [b, `type 0x${h.type.toString(16)} -> 0x${t.toString(16)}`];
  }],
  [4, (b, r) => { // header length
    const hs = walk(b).headers;
    if (hs.length === 0) return [b, "length (no headers)"];
    const h = r.pick(hs);
    const len = r.pick([0, 0xffffffff, h.length + 8, h.length - 8, h.length + 1, r.u32(), 16, 24]);
    setU32(b, h.at + 4, len);
    return [b, `length of 0x${h.type.toString(16)} -> ${len >>> 0}`];
  }],
  [8, (b, r) => { // file offsets: past the end, before the data, overlapping, misaligned
    const hs = walk(b).headers.filter((h) => FILE_OFFSET_FIELD[h.type] !== undefined);
    if (hs.length === 0) return [b, "file offset (none)"];
    const h = r.pick(hs);
    const at = h.at + 8 + FILE_OFFSET_FIELD[h.type];
    const other = getU32(b, r.pick(hs).at + 8 + FILE_OFFSET_FIELD[r.pick(hs).type]);
    const ds = dataStart(b);
    const v = r.pick([
      0,
      b.length,
      b.length - 1,
      b.length - 4096,
      b.length - 4095,
      ds - 1,
      ds,
      other,
      other + 1,
      other + 2048,
      getU32(b, at) + 1,
      getU32(b, 8),
      0xffffffff,
      r.u32(),
    ]);
    setU32(b, at, v);
    return [b, `file offset of 0x${h.type.toString(16)} -> ${v >>> 0}`];
  }],
  [5, (b, r) => { // GPAs: misaligned, huge, at the end of the address space
    const hs = walk(b).headers.filter((h) => [0x302, 0x303, 0x304, 0x305, 0x30d].includes(h.type));
    if (hs.length === 0) return [b, "gpa (none)"];
    const h = r.pick(hs);
    const at = h.at + 8;
    if (at + 8 > b.length) return [b, "gpa (truncated)"];
    const cur = new DataView(b.buffer, b.byteOffset).getBigUint64(at, true);
    const v = r.pick([
      cur + 1n,
      cur + 0x800n,
      u64Value(r),
      0xfffffffffffff000n,
      0xffffffffffe00000n,
    ]);
    setU64(b, at, v);
    return [b, `gpa of 0x${h.type.toString(16)} -> 0x${BigInt.asUintN(64, v).toString(16)}`];
  }],
  [6, (b, r) => { // parameter areas: huge sizes, indexes out of range or duplicated
    const hs = walk(b).headers.filter((h) =>
      h.type >= 0x301 && h.type <= 0x313 && h.type !== 0x302
    );
    if (hs.length === 0) return [b, "parameter (none)"];
    const h = r.pick(hs);
    const body = h.at + 8;
    if (h.type === 0x301 && r.chance(0.6)) {
      const n = r.pick([
        1n << 60n,
        0xfffffffff000n,
        0x100000000n,
        0x40000000n,
        0n,
        0x1000n,
        0xfffffffffffff000n,
        u64Value(r),
      ]);
      setU64(b, body, n);
      if (r.chance(0.5)) setU32(b, body + 12, 0); // no initial data
      return [b, `parameter area size 0x${n.toString(16)}`];
    }
    const at = h.type === 0x301 ? body + 8 : h.type === 0x303 ? body + 12 : body;
    const v = r.pick([0, 1, 2, 3, 7, 8, 0xffffffff, r.u32()]);
    setU32(b, at, v);
    if (h.type >= 0x307 && r.chance(0.3)) {
      setU32(b, body + 4, r.pick([0xffffffff, 4096, 8192, r.u32()]));
    }
    return [b, `parameter index of 0x${h.type.toString(16)} -> ${v >>> 0}`];
  }],
  [4, (b, r) => { // data behind file offsets: VMSA/VP context bytes, VBS register counts
    const hs = walk(b).headers.filter((h) => FILE_OFFSET_FIELD[h.type] !== undefined);
    if (hs.length === 0) return [b, "data (none)"];
    const h = r.pick(hs);
    const fo = getU32(b, h.at + 8 + FILE_OFFSET_FIELD[h.type]);
    if (fo === 0 || fo >= b.length) return [b, "data (no target)"];
    if (h.type === 0x304 && r.chance(0.5)) {
      // VBS register count / first register fields, or a VMSA/context byte
      const which = r.int(4);
      if (which === 0) setU32(b, fo, r.pick([0, 1, 0xffffffff, 0x7fffffff, 0x08000000, r.u32()]));
      else if (which === 1) b[Math.min(b.length - 1, fo + 4 + 32 * r.int(4))] = r.int(4); // register vtl
      else if (which === 2) {
        setU32(b, fo + 5 + 32 * r.int(4), r.pick([0, 0x00020010, 0x12345678, r.u32()]));
      } else b[Math.min(b.length - 1, fo + 232 + r.int(4096 - 232))] = 1 + r.int(255);
      return [b, `vp context data of header at ${h.at}`];
    }
    const i = Math.min(b.length - 1, fo + r.int(4096));
    b[i] ^= 1 + r.int(255);
    return [b, `data byte ${i}`];
  }],
  [5, (b, r) => { // truncation at a structure boundary
    const cut = r.pick(boundaries(b));
    const out = b.slice(0, cut);
    if (r.chance(0.5)) fixTotalSize(out);
    return [out, `truncate at ${cut}`];
  }],
  [3, (b, r) => { // appended bytes
    const n = r.pick([1, 7, 8, 4096, 1 + r.int(10000)]);
    const out = new Uint8Array(b.length + n);
    out.set(b);
    if (r.chance(0.5)) { for (let i = b.length; i < out.length; i++) out[i] = r.int(256); }
    if (r.chance(0.7)) fixTotalSize(out);
    return [out, `append ${n}`];
  }],
  [3, (b, r) => { // wrong total_file_size / variable header offset and size
    const which = r.pick([8, 12, 16]);
    const cur = getU32(b, which);
    setU32(
      b,
      which,
      r.pick([cur + 1, cur - 1, cur + 8, cur - 8, cur + 24, 0, b.length, 0xffffffff, r.u32()]),
    );
    return [b, `size field @${which}`];
  }],
  [7, (b, r) => { // insert a header: duplicated platform/area, unknown (optional or not), zero-length, huge claim
    const l = walk(b);
    const spots = [...l.headers.map((h) => h.at), l.varOffset + l.varSize].filter((x) =>
      x <= b.length
    );
    if (spots.length === 0 || b.length < 24) return [b, "insert (no spot)"];
    const at = r.pick(spots);
    let ins: Uint8Array;
    let what: string;
    const kind = r.int(5);
    if (kind <= 1 && l.headers.length > 0) {
      const src = kind === 0 && l.headers.some((h) => h.type === 1)
        ? r.pick(l.headers.filter((h) => h.type === 1))
        : r.pick(l.headers);
      ins = b.slice(src.at, Math.min(b.length, src.at + src.span));
      what = `duplicate 0x${src.type.toString(16)}`;
    } else if (kind === 2) {
      const t = unknownType(r);
      const bodyLen = r.pick([0, 8, 16]);
      ins = tlv(t, r.pick([bodyLen, 0, 0xffffffff, 0x7ffffff8]), new Uint8Array(bodyLen));
      what = `unknown 0x${t.toString(16)}`;
    } else if (kind === 3) {
      const body = new Uint8Array(16);
      const v = new DataView(body.buffer);
      v.setUint32(0, r.pick([1, 2, 4, 0x80, 0x80000000, 3, 0]), true);
      v.setUint8(4, r.pick([0, 2, 1]));
      v.setUint8(5, r.int(8));
      v.setUint16(6, r.pick([1, 1, 2]), true);
      ins = tlv(1, 16, body);
      what = "platform";
    } else {
      const t = r.pick(KNOWN_TYPES);
      ins = tlv(t, r.pick([0, 0xffffffff]), new Uint8Array(0));
      what = `empty 0x${t.toString(16)}`;
    }
    return [insertInSection(b, at, ins), `insert ${what} at ${at}`];
  }],
  [3, (b, r) => { // remove or move a header
    const hs = walk(b).headers.filter((h) => h.at + h.span <= b.length);
    if (hs.length === 0) return [b, "remove (none)"];
    const h = r.pick(hs);
    const bytes = b.slice(h.at, h.at + h.span);
    const out = removeFromSection(b, h.at, h.span);
    if (r.chance(0.5)) return [out, `remove 0x${h.type.toString(16)}`];
    const l = walk(out);
    const spots = [...l.headers.map((x) => x.at), l.varOffset + l.varSize].filter((x) =>
      x <= out.length
    );
    return [insertInSection(out, r.pick(spots), bytes), `move 0x${h.type.toString(16)}`];
  }],
];

const TOTAL_WEIGHT = OPS.reduce((s, [w]) => s + w, 0);

/** Applies 1–3 random operators, then (usually) recomputes the CRC so deeper checks are reached. */
export function mutate(seed: Uint8Array, r: Rng): { bytes: Uint8Array; steps: string[] } {
  let b: Uint8Array = seed.slice();
  const steps: string[] = [];
  const n = 1 + r.int(3);
  for (let k = 0; k < n; k++) {
    let pick = r.int(TOTAL_WEIGHT);
    let op = OPS[0][1];
    for (const [w, o] of OPS) {
      if (pick < w) {
        op = o;
        break;
      }
      pick -= w;
    }
    const [out, label] = op(b, r);
    b = out;
    steps.push(label);
  }
  if (r.chance(0.85)) {
    fixCrc(b);
    steps.push("crc fixed");
  }
  return { bytes: b, steps };
}
