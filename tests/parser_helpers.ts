/**
 * Shared helpers of the parser tests (`parser_*_test.ts`): a little-endian
 * struct writer, builders of each variable header's body (offsets as in
 * igvm_defs), a file assembler that writes correct sizes and checksums, and
 * `refuse`, which expects an `IgvmFormatError` with exactly a given `code`.
 */

import { assertEquals, assertOk, assertThrowsMatch } from "./assert.ts";
import { IgvmFormatError } from "../lib/errors.ts";
import { parseIgvm, type ParseOptions } from "../lib/igvm/parser.ts";
import { crc32 } from "../lib/igvm/crc32.ts";
import { HeaderType, PlatformType } from "../lib/igvm/defs.ts";

/** Parses and expects an IgvmFormatError with exactly `code`. */
export function refuse(bytes: Uint8Array, code: string, options?: ParseOptions): void {
  const e = assertThrowsMatch(() => parseIgvm(bytes, options), IgvmFormatError);
  assertEquals((e as IgvmFormatError).code, code);
  assertOk(!e.message.includes("\n"), "one-line message");
}

/** A little-endian struct writer. */
export class Body {
  readonly bytes: Uint8Array;
  readonly view: DataView;
  constructor(size: number) {
    this.bytes = new Uint8Array(size);
    this.view = new DataView(this.bytes.buffer);
  }
  u8(off: number, v: number): this {
    this.view.setUint8(off, v);
    return this;
  }
  u16(off: number, v: number): this {
    this.view.setUint16(off, v, true);
    return this;
  }
  u32(off: number, v: number): this {
    this.view.setUint32(off, v >>> 0, true);
    return this;
  }
  u64(off: number, v: bigint): this {
    this.view.setBigUint64(off, v, true);
    return this;
  }
}

/** One variable header: type, body, and (optionally) a length field other than the body size. */
export interface Hdr {
  readonly type: number;
  readonly body: Uint8Array;
  readonly length?: number;
}

export function h(type: number, body: Body | Uint8Array, length?: number): Hdr {
  return { type, body: body instanceof Body ? body.bytes : body, length };
}

// Bodies of each header type (offsets as in igvm_defs).
export const SNP = PlatformType.SEV_SNP;

export function plat(
  mask: number,
  type: number,
  o: { version?: number; vtl?: number; boundary?: bigint } = {},
): Hdr {
  return h(
    HeaderType.SUPPORTED_PLATFORM,
    new Body(16).u32(0, mask).u8(4, o.vtl ?? 0).u8(5, type).u16(6, o.version ?? 1)
      .u64(8, o.boundary ?? 0n),
  );
}
export function policy(pol: bigint, mask: number, reserved = 0): Hdr {
  return h(HeaderType.GUEST_POLICY, new Body(16).u64(0, pol).u32(8, mask).u32(12, reserved));
}
export function page(
  gpa: bigint,
  mask: number,
  fileOffset: number,
  o: { flags?: number; dataType?: number; reserved?: number } = {},
): Hdr {
  return h(
    HeaderType.PAGE_DATA,
    new Body(24).u64(0, gpa).u32(8, mask).u32(12, fileOffset).u32(16, o.flags ?? 0)
      .u16(20, o.dataType ?? 0).u16(22, o.reserved ?? 0),
  );
}
export function area(bytes: bigint, index: number, fileOffset = 0): Hdr {
  return h(HeaderType.PARAMETER_AREA, new Body(16).u64(0, bytes).u32(8, index).u32(12, fileOffset));
}
export function insert(gpa: bigint, mask: number, index: number): Hdr {
  return h(HeaderType.PARAMETER_INSERT, new Body(16).u64(0, gpa).u32(8, mask).u32(12, index));
}
export function param(type: number, index: number, byteOffset = 0): Hdr {
  return h(type, new Body(8).u32(0, index).u32(4, byteOffset));
}
/** VP context: 20-byte structure, written with 4 bytes of padding. */
export function vp(gpa: bigint, mask: number, fileOffset: number, vpIndex = 0): Hdr {
  return h(
    HeaderType.VP_CONTEXT,
    new Body(24).u64(0, gpa).u32(8, mask).u32(12, fileOffset).u16(16, vpIndex),
    20,
  );
}
export function reqMem(gpa: bigint, mask: number, n: number, reserved = 0): Hdr {
  return h(
    HeaderType.REQUIRED_MEMORY,
    new Body(24).u64(0, gpa).u32(8, mask).u32(12, n).u32(16, 0).u32(20, reserved),
  );
}
export function errRange(gpa: bigint, mask: number, size: number): Hdr {
  return h(HeaderType.ERROR_RANGE, new Body(16).u64(0, gpa).u32(8, mask).u32(12, size));
}
export function reloc(o: {
  mask?: number;
  vpIndex?: number;
  vtl?: number;
  align?: bigint;
  gpa?: bigint;
  size?: bigint;
  min?: bigint;
  max?: bigint;
}): Hdr {
  return h(
    HeaderType.RELOCATABLE_REGION,
    new Body(48).u32(0, o.mask ?? 1).u16(4, o.vpIndex ?? 0).u8(6, o.vtl ?? 0).u8(7, 0)
      .u64(8, o.align ?? 0x1000n).u64(16, o.gpa ?? 0x100000n).u64(24, o.size ?? 0x2000n)
      .u64(32, o.min ?? 0x100000n).u64(40, o.max ?? 0x200000n),
  );
}
export function pageTable(o: {
  mask?: number;
  vtl?: number;
  reserved?: number;
  gpa?: bigint;
  size?: bigint;
  used?: bigint;
}): Hdr {
  return h(
    HeaderType.PAGE_TABLE_RELOCATION_REGION,
    new Body(32).u32(0, o.mask ?? 1).u16(4, 0).u8(6, o.vtl ?? 0).u8(7, o.reserved ?? 0)
      .u64(8, o.gpa ?? 0x10000n).u64(16, o.size ?? 0x4000n).u64(24, o.used ?? 0n),
  );
}
export function corim(type: number, mask: number, fileOffset = 0, size = 0, reserved = 0): Hdr {
  return h(type, new Body(16).u32(0, mask).u32(4, fileOffset).u32(8, size).u32(12, reserved));
}
export function ccaPolicy(
  mask: number,
  o: { reserved?: number; zeroes?: bigint; ones?: bigint } = {},
) {
  return h(
    HeaderType.CCA_POLICY,
    new Body(32).u32(0, mask).u32(4, o.reserved ?? 0).u64(8, o.zeroes ?? 0n)
      .u64(16, o.ones ?? 0n),
  );
}

/** Options of {@link assemble}. */
export interface Layout {
  version?: number;
  arch?: number;
  pageSize?: number;
  /** File data (default: one 4 KiB page of 0xAB bytes). */
  data?: Uint8Array;
}

/**
 * Assembles a file: fixed header, the headers (each padded to 8 bytes), the
 * data, with a correct total size and checksum. `headers` may be a function
 * of the file-data offset (header sizes do not depend on it).
 */
export function assemble(
  headers: Hdr[] | ((dataStart: number) => Hdr[]),
  o: Layout = {},
): Uint8Array {
  const version = o.version ?? 1;
  const fixed = version === 2 ? 32 : 24;
  const list = (ds: number) => (typeof headers === "function" ? headers(ds) : headers);
  const varSize = list(0).reduce((n, x) => n + 8 + ((x.body.length + 7) & ~7), 0);
  const hs = list(fixed + varSize);
  const data = o.data ?? new Uint8Array(4096).fill(0xab);
  const out = new Uint8Array(fixed + varSize + data.length);
  const v = new DataView(out.buffer);
  let at = fixed;
  for (const x of hs) {
    v.setUint32(at, x.type >>> 0, true);
    v.setUint32(at + 4, x.length ?? x.body.length, true);
    out.set(x.body, at + 8);
    at += 8 + ((x.body.length + 7) & ~7);
  }
  out.set(data, at);
  v.setUint32(0, 0x4d564749, true);
  v.setUint32(4, version, true);
  v.setUint32(8, fixed, true);
  v.setUint32(12, varSize, true);
  v.setUint32(16, out.length, true);
  if (version === 2) {
    v.setUint32(24, o.arch ?? 0, true);
    v.setUint32(28, o.pageSize ?? 4096, true);
  }
  return fixChecksum(out);
}

/** Recomputes the checksum of `bytes` in place (fixed header with checksum 0, then the variable headers). */
export function fixChecksum(bytes: Uint8Array): Uint8Array {
  const v = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const fixed = v.getUint32(4, true) === 2 ? 32 : 24;
  const off = v.getUint32(8, true);
  const size = v.getUint32(12, true);
  v.setUint32(20, 0, true);
  const crc = crc32(bytes.subarray(off, off + size), crc32(bytes.subarray(0, fixed)));
  v.setUint32(20, crc, true);
  return bytes;
}

export function setU32(bytes: Uint8Array, off: number, value: number): Uint8Array {
  const copy = bytes.slice();
  new DataView(copy.buffer).setUint32(off, value >>> 0, true);
  return copy;
}

/** A valid file: one SEV-SNP platform (mask 1) and one page of data at GPA 0. */
export function base(extra: (ds: number) => Hdr[] = () => []): Uint8Array {
  return assemble((ds) => [plat(1, SNP), page(0n, 1, ds), ...extra(ds)]);
}

/** A valid file with the given directives after [SNP platform, page at GPA 0]. */
export function withDirectives(...hs: Hdr[]): Uint8Array {
  return base(() => hs);
}

/** VBS VP context data: register_count, then 32-byte registers (vtl u8, name u32 @1, value @16). */
export function vbsContext(vtl: number, names: number[]): Uint8Array {
  const out = new Uint8Array(4096);
  const v = new DataView(out.buffer);
  v.setUint32(0, names.length, true);
  names.forEach((n, i) => {
    v.setUint8(4 + i * 32, vtl);
    v.setUint32(4 + i * 32 + 1, n, true);
    v.setBigUint64(4 + i * 32 + 16, 0x1000n, true);
  });
  return out;
}
export const HV_X64_REGISTER_RIP = 0x00020010;
