/**
 * The IGVM parser's refusals, one test per rule of microsoft/igvm's
 * `IgvmFile::new_from_binary` (summary: /tmp/notes/parse_validation.md), on
 * small files built here: with the builder and serializer, then corrupted (and
 * re-checksummed), or assembled header by header. Each refusal is checked by
 * its error class and its `code`, the crate's `Debug` name of the error.
 *
 * Also: files the crate accepts (v2 x64, every header type round-tripping
 * parse → serialize → parse).
 */

import { assertEquals, assertOk, assertThrowsMatch } from "./assert.ts";
import { IgvmFormatError } from "../lib/errors.ts";
import { parseIgvm, type ParseOptions } from "../lib/igvm/parser.ts";
import { serializeIgvm } from "../lib/igvm/serializer.ts";
import { crc32 } from "../lib/igvm/crc32.ts";
import { pageData, platform, snpFile, snpVpContext } from "../lib/igvm/builder.ts";
import { HeaderType, PlatformType } from "../lib/igvm/defs.ts";
import { readPayload } from "../lib/igvm/source.ts";
import type {
  DirectiveHeader,
  IgvmFile,
  IgvmSource,
  InitializationHeader,
  SnpIdBlock,
  VbsMeasurement,
} from "../lib/igvm/types.ts";

// ---------------------------------------------------------------------------
// Helpers
// ---------------------------------------------------------------------------

/** Parses and expects an IgvmFormatError with exactly `code`. */
function refuse(bytes: Uint8Array, code: string, options?: ParseOptions): void {
  const e = assertThrowsMatch(() => parseIgvm(bytes, options), IgvmFormatError);
  assertEquals((e as IgvmFormatError).code, code);
  assertOk(!e.message.includes("\n"), "one-line message");
}

/** A little-endian struct writer. */
class Body {
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
interface Hdr {
  readonly type: number;
  readonly body: Uint8Array;
  readonly length?: number;
}

function h(type: number, body: Body | Uint8Array, length?: number): Hdr {
  return { type, body: body instanceof Body ? body.bytes : body, length };
}

// Bodies of each header type (offsets as in igvm_defs).
const SNP = PlatformType.SEV_SNP;

function plat(
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
function policy(pol: bigint, mask: number, reserved = 0): Hdr {
  return h(HeaderType.GUEST_POLICY, new Body(16).u64(0, pol).u32(8, mask).u32(12, reserved));
}
function page(
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
function area(bytes: bigint, index: number, fileOffset = 0): Hdr {
  return h(HeaderType.PARAMETER_AREA, new Body(16).u64(0, bytes).u32(8, index).u32(12, fileOffset));
}
function insert(gpa: bigint, mask: number, index: number): Hdr {
  return h(HeaderType.PARAMETER_INSERT, new Body(16).u64(0, gpa).u32(8, mask).u32(12, index));
}
function param(type: number, index: number, byteOffset = 0): Hdr {
  return h(type, new Body(8).u32(0, index).u32(4, byteOffset));
}
/** VP context: 20-byte structure, written with 4 bytes of padding. */
function vp(gpa: bigint, mask: number, fileOffset: number, vpIndex = 0): Hdr {
  return h(
    HeaderType.VP_CONTEXT,
    new Body(24).u64(0, gpa).u32(8, mask).u32(12, fileOffset).u16(16, vpIndex),
    20,
  );
}
function reqMem(gpa: bigint, mask: number, n: number, reserved = 0): Hdr {
  return h(
    HeaderType.REQUIRED_MEMORY,
    new Body(24).u64(0, gpa).u32(8, mask).u32(12, n).u32(16, 0).u32(20, reserved),
  );
}
function errRange(gpa: bigint, mask: number, size: number): Hdr {
  return h(HeaderType.ERROR_RANGE, new Body(16).u64(0, gpa).u32(8, mask).u32(12, size));
}
function reloc(o: {
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
function pageTable(o: {
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
function corim(type: number, mask: number, fileOffset = 0, size = 0, reserved = 0): Hdr {
  return h(type, new Body(16).u32(0, mask).u32(4, fileOffset).u32(8, size).u32(12, reserved));
}
function ccaPolicy(mask: number, o: { reserved?: number; zeroes?: bigint; ones?: bigint } = {}) {
  return h(
    HeaderType.CCA_POLICY,
    new Body(32).u32(0, mask).u32(4, o.reserved ?? 0).u64(8, o.zeroes ?? 0n)
      .u64(16, o.ones ?? 0n),
  );
}

/** Options of {@link assemble}. */
interface Layout {
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
function assemble(headers: Hdr[] | ((dataStart: number) => Hdr[]), o: Layout = {}): Uint8Array {
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
function fixChecksum(bytes: Uint8Array): Uint8Array {
  const v = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const fixed = v.getUint32(4, true) === 2 ? 32 : 24;
  const off = v.getUint32(8, true);
  const size = v.getUint32(12, true);
  v.setUint32(20, 0, true);
  const crc = crc32(bytes.subarray(off, off + size), crc32(bytes.subarray(0, fixed)));
  v.setUint32(20, crc, true);
  return bytes;
}

function setU32(bytes: Uint8Array, off: number, value: number): Uint8Array {
  const copy = bytes.slice();
  new DataView(copy.buffer).setUint32(off, value >>> 0, true);
  return copy;
}

/** A valid file: one SEV-SNP platform (mask 1) and one page of data at GPA 0. */
function base(extra: (ds: number) => Hdr[] = () => []): Uint8Array {
  return assemble((ds) => [plat(1, SNP), page(0n, 1, ds), ...extra(ds)]);
}

/** A valid file with the given directives after [SNP platform, page at GPA 0]. */
function withDirectives(...hs: Hdr[]): Uint8Array {
  return base(() => hs);
}

/** VBS VP context data: register_count, then 32-byte registers (vtl u8, name u32 @1, value @16). */
function vbsContext(vtl: number, names: number[]): Uint8Array {
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
const HV_X64_REGISTER_RIP = 0x00020010;

// ---------------------------------------------------------------------------
// Sanity: the helpers build files the parser accepts.
// ---------------------------------------------------------------------------

Deno.test("parser: the hand-assembled base file is accepted", () => {
  const f = parseIgvm(base());
  assertEquals(f.platforms.length, 1);
  assertEquals(f.directives.length, 1);
});

Deno.test("parser: a serialized built file is accepted", () => {
  const f = parseIgvm(serializeIgvm(snpFile([pageData(0x1000n, 1, new Uint8Array(4096))], 1n)));
  assertEquals([f.platforms.length, f.initializations.length, f.directives.length], [1, 1, 1]);
});

// ---------------------------------------------------------------------------
// Fixed header (lib.rs 3329-3382)
// ---------------------------------------------------------------------------

Deno.test("parser: bad magic → InvalidFixedHeader", () => {
  refuse(setU32(base(), 0, 0x4d564748), "InvalidFixedHeader");
});

Deno.test("parser: unsupported format version", async (t) => {
  for (const version of [0, 3, 0xffffffff]) {
    await t.step(`version ${version} → InvalidFixedHeader`, () => {
      refuse(setU32(base(), 4, version), "InvalidFixedHeader");
    });
  }
});

Deno.test("parser: v2 unknown architecture → InvalidFixedHeader", () => {
  refuse(assemble([plat(1, SNP), page(0n, 1, 0)], { version: 2, arch: 2 }), "InvalidFixedHeader");
});

Deno.test("parser: v2 page size other than 4 KiB → UnsupportedPageSize(n)", () => {
  refuse(
    assemble((ds) => [plat(1, SNP), page(0n, 1, ds)], { version: 2, pageSize: 0x10000 }),
    "UnsupportedPageSize(65536)",
  );
});

Deno.test("parser: truncated fixed header", async (t) => {
  await t.step("fewer than 24 bytes → InvalidFixedHeader", () => {
    refuse(base().subarray(0, 23), "InvalidFixedHeader");
    refuse(new Uint8Array(0), "InvalidFixedHeader");
  });
  await t.step("version 2 with fewer than 32 bytes → InvalidFixedHeader", () => {
    const b = new Uint8Array(28);
    const v = new DataView(b.buffer);
    v.setUint32(0, 0x4d564749, true);
    v.setUint32(4, 2, true);
    v.setUint32(16, 28, true);
    refuse(b, "InvalidFixedHeader");
  });
});

Deno.test("parser: total_file_size mismatch", async (t) => {
  await t.step("file truncated → InvalidFixedHeader", () => {
    const b = base();
    refuse(b.subarray(0, b.length - 1), "InvalidFixedHeader");
  });
  await t.step("file padded → InvalidFixedHeader", () => {
    const b = base();
    const padded = new Uint8Array(b.length + 8);
    padded.set(b);
    refuse(padded, "InvalidFixedHeader");
  });
  await t.step("total_file_size field changed → InvalidFixedHeader", () => {
    const b = base();
    refuse(fixChecksum(setU32(b, 16, b.length + 4096)), "InvalidFixedHeader");
  });
});

Deno.test("parser: variable header offset at or past the end → InvalidFixedHeader", () => {
  const b = base();
  refuse(fixChecksum(setU32(b, 8, b.length)), "InvalidFixedHeader");
  refuse(fixChecksum(setU32(b, 8, 0xfffffff0)), "InvalidFixedHeader");
});

Deno.test("parser: variable header section reaching the end (no file data) → InvalidFixedHeader", async (t) => {
  await t.step("serialized file without any file data", () => {
    // The serializer writes such a file, but the crate refuses it (lib.rs 3377-3382).
    const bytes = serializeIgvm(snpFile([pageData(0n, 1, null)]));
    assertEquals(
      new DataView(bytes.buffer).getUint32(8, true) +
        new DataView(bytes.buffer).getUint32(12, true),
      bytes.length,
    );
    refuse(bytes, "InvalidFixedHeader");
  });
  await t.step("variable_header_size past the end", () => {
    const b = base();
    refuse(setU32(b, 12, b.length), "InvalidFixedHeader");
  });
  await t.step("offset + size wrapping past 2^32", () => {
    refuse(setU32(base(), 12, 0xfffffff8), "InvalidFixedHeader");
  });
});

// ---------------------------------------------------------------------------
// Checksum (lib.rs 3388-3403)
// ---------------------------------------------------------------------------

Deno.test("parser: bad checksum → InvalidChecksum { expected, header_value }", async (t) => {
  await t.step("checksum field changed", () => {
    const b = base();
    const stored = new DataView(b.buffer).getUint32(20, true);
    const wrong = (stored ^ 1) >>> 0;
    refuse(setU32(b, 20, wrong), `InvalidChecksum { expected: ${stored}, header_value: ${wrong} }`);
  });
  await t.step("a variable header byte changed", () => {
    const b = base();
    const stored = new DataView(b.buffer).getUint32(20, true);
    const c = b.slice();
    c[24 + 8 + 6] = 2; // platform version 1 → 0x201, not re-checksummed
    const expected = fixChecksum(c.slice());
    const exp = new DataView(expected.buffer).getUint32(20, true);
    refuse(c, `InvalidChecksum { expected: ${exp}, header_value: ${stored} }`);
  });
  await t.step("file data is not covered", () => {
    const b = base();
    b[b.length - 1] ^= 0xff;
    parseIgvm(b);
  });
  await t.step("bytes between the fixed header and the variable headers are not covered", () => {
    // Variable headers moved 8 bytes further; the gap holds junk.
    const b = base();
    const v = new DataView(b.buffer);
    const off = v.getUint32(8, true);
    const size = v.getUint32(12, true);
    const out = new Uint8Array(b.length + 8);
    out.set(b.subarray(0, off));
    out.fill(0xee, off, off + 8);
    out.set(b.subarray(off), off + 8);
    const ov = new DataView(out.buffer);
    ov.setUint32(8, off + 8, true);
    ov.setUint32(16, out.length, true);
    // the page's file offset moves too
    const pageHdr = off + 8 + 24; // after the platform header
    ov.setUint32(pageHdr + 8 + 12, off + 8 + size, true);
    fixChecksum(out);
    parseIgvm(out);
  });
});

// ---------------------------------------------------------------------------
// Header loop (lib.rs 3405-3518)
// ---------------------------------------------------------------------------

Deno.test("parser: truncated variable headers", async (t) => {
  await t.step(
    "fewer than 8 bytes left for a type/length prefix → InvalidBinaryVariableHeaderSection",
    () => {
      // The section shrunk to the platform header + 4 bytes of the page header's prefix;
      // the rest of the file becomes "file data".
      const c = setU32(base(), 12, 24 + 4);
      refuse(fixChecksum(c), "InvalidBinaryVariableHeaderSection");
    },
  );
  await t.step(
    "platform body cut short → InvalidBinaryPlatformHeader(InvalidVariableHeaderSize)",
    () => {
      const c = setU32(base(), 12, 8 + 8);
      refuse(fixChecksum(c), "InvalidBinaryPlatformHeader(InvalidVariableHeaderSize)");
    },
  );
  await t.step(
    "page data body cut short → InvalidBinaryDirectiveHeader(InvalidVariableHeaderSize)",
    () => {
      const c = setU32(base(), 12, 24 + 8 + 16);
      refuse(fixChecksum(c), "InvalidBinaryDirectiveHeader(InvalidVariableHeaderSize)");
    },
  );
  await t.step(
    "VP context without its 4 padding bytes → InvalidBinaryDirectiveHeader(InvalidVariableHeaderSize)",
    () => {
      const b = assemble((ds) => [plat(1, SNP), vp(0xfffffffff000n, 1, ds)]);
      const c = setU32(b, 12, 24 + 8 + 20);
      refuse(fixChecksum(c), "InvalidBinaryDirectiveHeader(InvalidVariableHeaderSize)");
    },
  );
});

Deno.test("parser: header section order", async (t) => {
  await t.step("platform after initialization → InvalidBinaryVariableHeaderSection", () => {
    refuse(
      assemble((ds) => [plat(1, SNP), policy(0n, 1), plat(2, PlatformType.TDX), page(0n, 1, ds)]),
      "InvalidBinaryVariableHeaderSection",
    );
  });
  await t.step("platform after directive → InvalidBinaryVariableHeaderSection", () => {
    refuse(base(() => [plat(2, PlatformType.TDX)]), "InvalidBinaryVariableHeaderSection");
  });
  await t.step("initialization after directive → InvalidBinaryVariableHeaderSection", () => {
    refuse(base(() => [policy(0n, 1)]), "InvalidBinaryVariableHeaderSection");
  });
  await t.step(
    "unknown platform-range type after an init header → InvalidBinaryVariableHeaderSection (stage check first)",
    () => {
      refuse(
        assemble((
          ds,
        ) => [plat(1, SNP), policy(0n, 1), h(0x2, new Uint8Array(16)), page(0n, 1, ds)]),
        "InvalidBinaryVariableHeaderSection",
      );
    },
  );
  await t.step("directives straight after platforms are accepted", () => {
    parseIgvm(base());
  });
});

Deno.test("parser: unknown header types", async (t) => {
  const cases: Array<[number, string, "platform" | "init" | "directive"]> = [
    [0x0, "InvalidBinaryVariableHeaderSection", "platform"],
    [0x2, "InvalidBinaryPlatformHeader(InvalidVariableHeaderType)", "platform"],
    [0x100, "InvalidBinaryPlatformHeader(InvalidVariableHeaderType)", "platform"],
    [0x107, "InvalidBinaryInitializationHeader(InvalidVariableHeaderType)", "init"],
    [0x200, "InvalidBinaryInitializationHeader(InvalidVariableHeaderType)", "init"],
    [0x201, "InvalidBinaryVariableHeaderSection", "init"],
    [0x300, "InvalidBinaryVariableHeaderSection", "directive"],
    [0x306, "InvalidBinaryDirectiveHeader(InvalidVariableHeaderType)", "directive"],
    [0x314, "InvalidBinaryDirectiveHeader(InvalidVariableHeaderType)", "directive"],
    [0x400, "InvalidBinaryDirectiveHeader(InvalidVariableHeaderType)", "directive"],
    [0x401, "InvalidBinaryVariableHeaderSection", "directive"],
    [0xffffffff, "InvalidBinaryVariableHeaderSection", "directive"],
    // The optional bit is never consulted by the crate: every such type is outside the ranges.
    [0x80000001, "InvalidBinaryVariableHeaderSection", "platform"],
    [0x80000101, "InvalidBinaryVariableHeaderSection", "init"],
    [0x80000302, "InvalidBinaryVariableHeaderSection", "directive"],
    [0x80000500, "InvalidBinaryVariableHeaderSection", "directive"],
  ];
  for (const [type, code, where] of cases) {
    await t.step(`type 0x${type.toString(16)} (${where} position) → ${code}`, () => {
      const x = h(type, new Uint8Array(16));
      const bytes = where === "platform"
        ? assemble((ds) => [plat(1, SNP), x, page(0n, 1, ds)])
        : where === "init"
        ? assemble((ds) => [plat(1, SNP), policy(0n, 1), x, page(0n, 1, ds)])
        : base(() => [x]);
      refuse(bytes, code);
    });
  }
});

Deno.test("parser: optionalHeaders 'skip' skips unknown optional headers", async (t) => {
  await t.step("optional unknown directive skipped", () => {
    const x = h(0x80000500, new Uint8Array(12)); // length 12, padded to 16
    const bytes = base(() => [x, page(0x1000n, 1, 0)]);
    refuse(bytes, "InvalidBinaryVariableHeaderSection");
    const f = parseIgvm(bytes, { optionalHeaders: "skip" });
    assertEquals(f.directives.map((d) => d.type), ["PageData", "PageData"]);
  });
  await t.step("optional unknown header among platforms skipped", () => {
    const bytes = assemble((
      ds,
    ) => [plat(1, SNP), h(0x80000001, new Uint8Array(8)), page(0n, 1, ds)]);
    assertEquals(parseIgvm(bytes, { optionalHeaders: "skip" }).platforms.length, 1);
  });
  await t.step("unknown type without the optional bit still refused", () => {
    refuse(base(() => [h(0x500, new Uint8Array(8))]), "InvalidBinaryVariableHeaderSection", {
      optionalHeaders: "skip",
    });
  });
});

Deno.test("parser: wrong length for a known type → InvalidVariableHeaderType", async (t) => {
  await t.step("platform length 24", () => {
    const p = plat(1, SNP);
    refuse(
      assemble((ds) => [h(p.type, p.body, 24), page(0n, 1, ds)]),
      "InvalidBinaryPlatformHeader(InvalidVariableHeaderType)",
    );
  });
  await t.step("guest policy length 8", () => {
    const p = policy(0n, 1);
    refuse(
      assemble((ds) => [plat(1, SNP), h(p.type, p.body, 8), page(0n, 1, ds)]),
      "InvalidBinaryInitializationHeader(InvalidVariableHeaderType)",
    );
  });
  await t.step("page data length 20", () => {
    const p = page(0n, 1, 0);
    refuse(
      base(() => [h(p.type, p.body, 20)]),
      "InvalidBinaryDirectiveHeader(InvalidVariableHeaderType)",
    );
  });
  await t.step("VP context length 24 (the structure is 20)", () => {
    refuse(
      assemble((ds) => {
        const x = vp(0xfffffffff000n, 1, ds);
        return [plat(1, SNP), h(x.type, x.body, 24)];
      }),
      "InvalidBinaryDirectiveHeader(InvalidVariableHeaderType)",
    );
  });
});

// ---------------------------------------------------------------------------
// Platform headers (lib.rs 228-318, 2760-2817)
// ---------------------------------------------------------------------------

function platFile(...ps: Hdr[]): Uint8Array {
  return assemble((ds) => [...ps, page(0n, 1, ds)]);
}

Deno.test("parser: platform compatibility mask", async (t) => {
  await t.step("mask 0 → InvalidBinaryPlatformHeader(InvalidCompatibilityMask)", () => {
    refuse(platFile(plat(0, SNP)), "InvalidBinaryPlatformHeader(InvalidCompatibilityMask)");
  });
  await t.step("mask with 2 bits → InvalidBinaryPlatformHeader(InvalidCompatibilityMask)", () => {
    refuse(platFile(plat(3, SNP)), "InvalidBinaryPlatformHeader(InvalidCompatibilityMask)");
  });
  await t.step("mask 0x80000000 accepted", () => {
    parseIgvm(assemble((ds) => [plat(0x80000000, SNP), page(0n, 0x80000000, ds)]));
  });
});

Deno.test("parser: platform highest_vtl", async (t) => {
  for (const vtl of [1, 3, 255]) {
    await t.step(`highest_vtl ${vtl} → InvalidBinaryPlatformHeader(InvalidVtl)`, () => {
      refuse(platFile(plat(1, SNP, { vtl })), "InvalidBinaryPlatformHeader(InvalidVtl)");
    });
  }
  await t.step("highest_vtl 2 accepted", () => {
    parseIgvm(platFile(plat(1, SNP, { vtl: 2 })));
  });
});

Deno.test("parser: platform version other than 1 → InvalidPlatformVersion", async (t) => {
  for (const type of [0, 1, 2, 3, 4, 5]) {
    await t.step(`platform type ${type}, version 2`, () => {
      refuse(
        platFile(plat(1, type, { version: 2 })),
        "InvalidBinaryPlatformHeader(InvalidPlatformVersion)",
      );
    });
  }
  await t.step("version 0", () => {
    refuse(
      platFile(plat(1, SNP, { version: 0 })),
      "InvalidBinaryPlatformHeader(InvalidPlatformVersion)",
    );
  });
});

Deno.test("parser: unknown platform type → InvalidBinaryPlatformHeader(InvalidPlatformType)", async (t) => {
  for (const type of [7, 0xff]) {
    await t.step(`type ${type}`, () => {
      refuse(platFile(plat(1, type)), "InvalidBinaryPlatformHeader(InvalidPlatformType)");
    });
  }
});

Deno.test("parser: shared GPA boundary", async (t) => {
  await t.step("NATIVE with a boundary → InvalidSharedGpaBoundary", () => {
    refuse(
      platFile(plat(1, PlatformType.NATIVE, { boundary: 0x1000n })),
      "InvalidBinaryPlatformHeader(InvalidSharedGpaBoundary)",
    );
  });
  await t.step("VSM_ISOLATION with a boundary → InvalidSharedGpaBoundary", () => {
    refuse(
      platFile(plat(1, PlatformType.VSM_ISOLATION, { boundary: 1n << 46n })),
      "InvalidBinaryPlatformHeader(InvalidSharedGpaBoundary)",
    );
  });
  await t.step("SEV-SNP and TDX may have one", () => {
    const f = parseIgvm(
      platFile(
        plat(1, SNP, { boundary: 1n << 46n }),
        plat(2, PlatformType.TDX, { boundary: 1n << 47n }),
      ),
    );
    assertEquals(f.platforms.map((p) => p.sharedGpaBoundary), [1n << 46n, 1n << 47n]);
  });
});

Deno.test("parser: duplicate platform types → MultiplePlatformHeadersWithSameIsolation", async (t) => {
  await t.step("two SEV-SNP headers, different masks", () => {
    refuse(platFile(plat(1, SNP), plat(2, SNP)), "MultiplePlatformHeadersWithSameIsolation");
  });
  await t.step("same mask for two platform types is accepted (not checked)", () => {
    const f = parseIgvm(platFile(plat(1, SNP), plat(1, PlatformType.TDX)));
    assertEquals(f.platforms.length, 2);
  });
});

Deno.test("parser: no platform headers → NoPlatformHeaders", async (t) => {
  await t.step("directives only", () => {
    refuse(assemble((ds) => [page(0n, 1, ds)]), "NoPlatformHeaders");
  });
  await t.step("init and directives only", () => {
    refuse(assemble((ds) => [policy(0n, 1), page(0n, 1, ds)]), "NoPlatformHeaders");
  });
});

Deno.test("parser: platform not supported on the architecture → PlatformArchUnsupported", async (t) => {
  await t.step("v2 AArch64 with SEV-SNP", () => {
    refuse(
      assemble((ds) => [plat(1, SNP), page(0n, 1, ds)], { version: 2, arch: 1 }),
      "PlatformArchUnsupported { arch: AArch64, platform: SEV_SNP }",
    );
  });
  await t.step("v2 AArch64 with TDX", () => {
    refuse(
      assemble((ds) => [plat(1, PlatformType.TDX), page(0n, 1, ds)], { version: 2, arch: 1 }),
      "PlatformArchUnsupported { arch: AArch64, platform: TDX }",
    );
  });
  await t.step("v1 (x64) with CCA", () => {
    refuse(
      assemble((ds) => [plat(1, PlatformType.CCA), page(0n, 1, ds)]),
      "PlatformArchUnsupported { arch: X64, platform: CCA }",
    );
  });
  await t.step("VSM_ISOLATION on AArch64 accepted", () => {
    parseIgvm(
      assemble((ds) => [plat(1, PlatformType.VSM_ISOLATION), page(0n, 1, ds)], {
        version: 2,
        arch: 1,
      }),
    );
  });
});

// ---------------------------------------------------------------------------
// Reserved fields
// ---------------------------------------------------------------------------

Deno.test("parser: reserved fields not zero → ReservedNotZero", async (t) => {
  await t.step("guest policy", () => {
    refuse(
      assemble((ds) => [plat(1, SNP), policy(0x30000n, 1, 1), page(0n, 1, ds)]),
      "InvalidBinaryInitializationHeader(ReservedNotZero)",
    );
  });
  await t.step("page data", () => {
    refuse(
      base(() => [page(0x1000n, 1, 0, { reserved: 1 })]),
      "InvalidBinaryDirectiveHeader(ReservedNotZero)",
    );
  });
  await t.step("required memory", () => {
    refuse(
      withDirectives(reqMem(0x1000n, 1, 0x1000, 1)),
      "InvalidBinaryDirectiveHeader(ReservedNotZero)",
    );
  });
  await t.step("page table relocation", () => {
    refuse(
      assemble((ds) => [plat(1, SNP), pageTable({ reserved: 1 }), page(0n, 1, ds)]),
      "InvalidBinaryInitializationHeader(ReservedNotZero)",
    );
  });
  await t.step("CoRIM document", () => {
    refuse(
      assemble((
        ds,
      ) => [plat(1, SNP), corim(HeaderType.CORIM_DOCUMENT, 1, 0, 0, 1), page(0n, 1, ds)]),
      "InvalidBinaryInitializationHeader(ReservedNotZero)",
    );
  });
  await t.step("CoRIM signature", () => {
    refuse(
      assemble((ds) => [
        plat(1, SNP),
        corim(HeaderType.CORIM_DOCUMENT, 1),
        corim(HeaderType.CORIM_SIGNATURE, 1, 0, 0, 7),
        page(0n, 1, ds),
      ]),
      "InvalidBinaryInitializationHeader(ReservedNotZero)",
    );
  });
  await t.step("CCA policy reserved and reserved2", () => {
    const aarch = (x: Hdr) =>
      assemble((ds) => [plat(1, PlatformType.CCA), x, page(0n, 1, ds)], { version: 2, arch: 1 });
    refuse(
      aarch(ccaPolicy(1, { reserved: 1 })),
      "InvalidBinaryInitializationHeader(ReservedNotZero)",
    );
    const p = ccaPolicy(1);
    const body = p.body.slice();
    body[31] = 1;
    refuse(aarch(h(p.type, body)), "InvalidBinaryInitializationHeader(ReservedNotZero)");
  });
  await t.step("VP context reserved u16 and page data flags' reserved bits are not checked", () => {
    const f = parseIgvm(
      assemble((ds) => {
        const x = vp(0xfffffffff000n, 1, ds);
        const body = x.body.slice();
        body[18] = 0xff;
        return [plat(1, SNP), page(0n, 1, ds, { flags: 0xfffffff8 }), h(x.type, body, 20)];
      }),
    );
    assertEquals(f.directives.map((d) => d.type), ["PageData", "SnpVpContext"]);
  });
});

// ---------------------------------------------------------------------------
// Alignment
// ---------------------------------------------------------------------------

Deno.test("parser: unaligned GPAs → UnalignedAddress(gpa)", async (t) => {
  await t.step("page data", () => {
    refuse(
      withDirectives(page(0x1001n, 1, 0)),
      "InvalidBinaryDirectiveHeader(UnalignedAddress(4097))",
    );
  });
  await t.step("parameter insert", () => {
    refuse(
      withDirectives(area(0x1000n, 0), insert(0x2800n, 1, 0)),
      "InvalidBinaryDirectiveHeader(UnalignedAddress(10240))",
    );
  });
  await t.step("required memory", () => {
    refuse(
      withDirectives(reqMem(0x10n, 1, 0x1000)),
      "InvalidBinaryDirectiveHeader(UnalignedAddress(16))",
    );
  });
  await t.step("SNP VP context", () => {
    refuse(
      base((ds) => [vp(0xfffffffff800n, 1, ds)]),
      `InvalidBinaryDirectiveHeader(UnalignedAddress(${0xfffffffff800n}))`,
    );
  });
  await t.step("error range", () => {
    refuse(
      withDirectives(errRange(0x1234n, 1, 0x1000)),
      "InvalidBinaryDirectiveHeader(UnalignedAddress(4660))",
    );
  });
  await t.step("page table region", () => {
    refuse(
      assemble((ds) => [plat(1, SNP), pageTable({ gpa: 0x10800n }), page(0n, 1, ds)]),
      "InvalidBinaryInitializationHeader(UnalignedAddress(67584))",
    );
  });
  await t.step("page data at a high aligned GPA is accepted", () => {
    parseIgvm(withDirectives(page(0xfffffffffffff000n, 1, 0)));
  });
});

Deno.test("parser: unaligned sizes → UnalignedSize(n)", async (t) => {
  await t.step("parameter area", () => {
    refuse(withDirectives(area(0x800n, 0)), "InvalidBinaryDirectiveHeader(UnalignedSize(2048))");
  });
  await t.step("required memory", () => {
    refuse(
      withDirectives(reqMem(0x1000n, 1, 0x1001)),
      "InvalidBinaryDirectiveHeader(UnalignedSize(4097))",
    );
  });
  await t.step("page table region size", () => {
    refuse(
      assemble((ds) => [plat(1, SNP), pageTable({ size: 0x4100n }), page(0n, 1, ds)]),
      "InvalidBinaryInitializationHeader(UnalignedSize(16640))",
    );
  });
  await t.step("page table region used size", () => {
    refuse(
      assemble((ds) => [plat(1, SNP), pageTable({ used: 0x10n }), page(0n, 1, ds)]),
      "InvalidBinaryInitializationHeader(UnalignedSize(16))",
    );
  });
  await t.step("error range size is not checked", () => {
    parseIgvm(withDirectives(errRange(0x1000n, 1, 3)));
  });
});

Deno.test("parser: invalid page data type → InvalidPageDataType", async (t) => {
  for (const dataType of [4, 0xffff]) {
    await t.step(`data type ${dataType}`, () => {
      refuse(
        withDirectives(page(0x1000n, 1, 0, { dataType })),
        "InvalidBinaryDirectiveHeader(InvalidPageDataType)",
      );
    });
  }
  await t.step("types 0-3 accepted", () => {
    const f = parseIgvm(
      withDirectives(
        ...[0, 1, 2, 3].map((dataType, i) => page(BigInt(i + 1) << 12n, 1, 0, { dataType })),
      ),
    );
    assertEquals(f.directives.length, 5);
  });
});

// ---------------------------------------------------------------------------
// File offsets (extract_file_data, lib.rs 2041-2054)
// ---------------------------------------------------------------------------

Deno.test("parser: file data outside the data section → InvalidDataSize", async (t) => {
  const code = "InvalidBinaryDirectiveHeader(InvalidDataSize)";
  await t.step("page data past the end", () => {
    refuse(base((ds) => [page(0x1000n, 1, ds + 1)]), code);
    refuse(base((ds) => [page(0x1000n, 1, ds + 4096)]), code);
  });
  await t.step("page data before the data section", () => {
    refuse(base(() => [page(0x1000n, 1, 8)]), code);
    refuse(base((ds) => [page(0x1000n, 1, ds - 8)]), code);
  });
  await t.step("page data file offset 0 means no data", () => {
    const f = parseIgvm(base(() => [page(0x1000n, 1, 0)]));
    assertEquals((f.directives[1] as { data: unknown }).data, null);
  });
  await t.step("parameter area data past the end", () => {
    refuse(base((ds) => [area(0x2000n, 0, ds)]), code);
  });
  await t.step("parameter area data before the data section", () => {
    refuse(base(() => [area(0x1000n, 0, 4)]), code);
  });
  await t.step("parameter area: a bad offset beats a bad size", () => {
    refuse(base((ds) => [area(0x2001n, 0, ds + 0x1000)]), code);
  });
  await t.step("SNP VP context past the end", () => {
    refuse(base((ds) => [vp(0xfffffffff000n, 1, ds + 8)]), code);
  });
  await t.step("SNP VP context with file offset 0 (no special case)", () => {
    refuse(base(() => [vp(0xfffffffff000n, 1, 0)]), code);
  });
  await t.step("CoRIM document past the end", () => {
    refuse(
      assemble((
        ds,
      ) => [plat(1, SNP), corim(HeaderType.CORIM_DOCUMENT, 1, ds, 4097), page(0n, 1, ds)]),
      "InvalidBinaryInitializationHeader(InvalidDataSize)",
    );
  });
});

// ---------------------------------------------------------------------------
// Parameter areas (validate_directive_headers, lib.rs 3025-3171)
// ---------------------------------------------------------------------------

Deno.test("parser: parameter area indexes → InvalidParameterAreaIndex", async (t) => {
  await t.step("usage of an index never declared", () => {
    refuse(withDirectives(param(HeaderType.VP_COUNT_PARAMETER, 3)), "InvalidParameterAreaIndex");
  });
  await t.step("insert of an index never declared", () => {
    refuse(withDirectives(insert(0x1000n, 1, 0)), "InvalidParameterAreaIndex");
  });
  await t.step("index declared twice", () => {
    refuse(withDirectives(area(0x1000n, 0), area(0x1000n, 0)), "InvalidParameterAreaIndex");
  });
  await t.step("index declared again after its insert", () => {
    refuse(
      withDirectives(area(0x1000n, 0), insert(0x1000n, 1, 0), area(0x1000n, 0)),
      "InvalidParameterAreaIndex",
    );
  });
  await t.step("usage after the insert", () => {
    refuse(
      withDirectives(area(0x1000n, 0), insert(0x1000n, 1, 0), param(HeaderType.MEMORY_MAP, 0)),
      "InvalidParameterAreaIndex",
    );
  });
  await t.step("inserted twice", () => {
    refuse(
      withDirectives(area(0x1000n, 0), insert(0x1000n, 1, 0), insert(0x2000n, 1, 0)),
      "InvalidParameterAreaIndex",
    );
  });
  const usages = [
    HeaderType.VP_COUNT_PARAMETER,
    HeaderType.SRAT,
    HeaderType.MADT,
    HeaderType.MMIO_RANGES,
    HeaderType.MEMORY_MAP,
    HeaderType.COMMAND_LINE,
    HeaderType.SLIT,
    HeaderType.PPTT,
    HeaderType.DEVICE_TREE,
    HeaderType.ENVIRONMENT_INFO_PARAMETER,
  ];
  for (const type of usages) {
    await t.step(`type 0x${type.toString(16)}: undeclared refused, declared accepted`, () => {
      refuse(withDirectives(param(type, 1)), "InvalidParameterAreaIndex");
      parseIgvm(withDirectives(area(0x1000n, 1), param(type, 1, 0x2000), insert(0x3000n, 1, 1)));
    });
  }
  await t.step("byte offset past the area is not checked", () => {
    parseIgvm(withDirectives(area(0x1000n, 0), param(HeaderType.SRAT, 0, 0xffffffff)));
  });
});

// ---------------------------------------------------------------------------
// VP contexts
// ---------------------------------------------------------------------------

Deno.test("parser: VP context platform → InvalidVpContextPlatformType", async (t) => {
  const code = "InvalidBinaryDirectiveHeader(InvalidVpContextPlatformType)";
  await t.step("mask naming no platform", () => {
    refuse(base((ds) => [vp(0xfffffffff000n, 2, ds)]), code);
  });
  await t.step("mask 0", () => {
    refuse(base((ds) => [vp(0xfffffffff000n, 0, ds)]), code);
  });
  await t.step("TDX platform", () => {
    refuse(
      assemble((ds) => [plat(1, SNP), plat(2, PlatformType.TDX), page(0n, 1, ds), vp(0n, 2, ds)]),
      code,
    );
  });
  await t.step("mask combining two platforms' bits", () => {
    refuse(
      assemble((
        ds,
      ) => [plat(1, SNP), plat(2, PlatformType.SEV_ES), page(0n, 1, ds), vp(0n, 3, ds)]),
      code,
    );
  });
  await t.step("SEV-ES mask gives an SNP VP context", () => {
    const f = parseIgvm(
      assemble((ds) => [plat(1, PlatformType.SEV_ES), page(0n, 1, ds), vp(0xfffffffff000n, 1, ds)]),
    );
    assertEquals(f.directives[1].type, "SnpVpContext");
  });
});

Deno.test("parser: native VP context", async (t) => {
  const ctx = (tail: number) => {
    const d = new Uint8Array(4096);
    d[0] = 1; // rax
    d[200] = 0x31; // cr0, inside the 232-byte structure
    if (tail >= 0) d[tail] = 1;
    return d;
  };
  const file = (type: number, data: Uint8Array) =>
    assemble((ds) => [plat(1, type), page(0n, 1, ds), vp(0x1000n, 1, ds)], { data });
  await t.step("non-zero byte after 232 bytes → InvalidContext (NATIVE)", () => {
    refuse(file(PlatformType.NATIVE, ctx(232)), "InvalidBinaryDirectiveHeader(InvalidContext)");
    refuse(file(PlatformType.NATIVE, ctx(4095)), "InvalidBinaryDirectiveHeader(InvalidContext)");
  });
  await t.step("non-zero byte after 232 bytes → InvalidContext (SEV)", () => {
    refuse(file(PlatformType.SEV, ctx(1000)), "InvalidBinaryDirectiveHeader(InvalidContext)");
  });
  await t.step("zero tail accepted; the header GPA is dropped", () => {
    const f = parseIgvm(file(PlatformType.NATIVE, ctx(231)));
    const d = f.directives[1];
    assertEquals(d.type, "X64NativeVpContext");
    if (d.type === "X64NativeVpContext") assertEquals(d.context.length, 232);
  });
  await t.step("SNP VMSA: every byte kept, no zero check", () => {
    const f = parseIgvm(file(SNP, ctx(4095)));
    assertEquals(f.directives[1].type, "SnpVpContext");
  });
});

Deno.test("parser: CCA VP context tail → InvalidContext", () => {
  const d = new Uint8Array(4096);
  d[80] = 1;
  refuse(
    assemble((ds) => [plat(1, PlatformType.CCA), page(0n, 1, ds), vp(0n, 1, ds)], {
      version: 2,
      arch: 1,
      data: d,
    }),
    "InvalidBinaryDirectiveHeader(InvalidContext)",
  );
});

Deno.test("parser: VBS VP context", async (t) => {
  const file = (data: Uint8Array, vpIndex = 0, arch?: number) =>
    assemble(
      (ds) => [plat(1, PlatformType.VSM_ISOLATION), page(0n, 1, ds), vp(0n, 1, ds, vpIndex)],
      arch === undefined ? { data } : { data, version: 2, arch },
    );
  await t.step("accepted with a supported register", () => {
    const f = parseIgvm(file(vbsContext(0, [HV_X64_REGISTER_RIP])));
    assertEquals(f.directives[1].type, "X64VbsVpContext");
  });
  await t.step("no registers → NoVbsVpContextRegisters", () => {
    refuse(file(vbsContext(0, [])), "InvalidBinaryDirectiveHeader(NoVbsVpContextRegisters)");
  });
  await t.step("VTL 3 → InvalidVtl", () => {
    refuse(file(vbsContext(3, [HV_X64_REGISTER_RIP])), "InvalidBinaryDirectiveHeader(InvalidVtl)");
  });
  await t.step("unsupported x64 register → UnsupportedX64Register", () => {
    const e = assertThrowsMatch(
      () => parseIgvm(file(vbsContext(0, [0x12345]))),
      IgvmFormatError,
    ) as IgvmFormatError;
    assertOk(e.code.startsWith("InvalidBinaryDirectiveHeader(UnsupportedX64Register"), e.code);
  });
  await t.step("register count beyond the data → InvalidDataSize", () => {
    const d = vbsContext(0, [HV_X64_REGISTER_RIP]);
    new DataView(d.buffer).setUint32(0, 200, true);
    refuse(file(d), "InvalidBinaryDirectiveHeader(InvalidDataSize)");
  });
});

// ---------------------------------------------------------------------------
// Relocation and page-table regions (lib.rs 495-545, 2822-3015)
// ---------------------------------------------------------------------------

/** A VSM file with the given init headers and a VBS VP context (VP 0, VTL 0) unless `noVp`. */
function vsmFile(inits: Hdr[], directives: Hdr[] = [], noVp = false): Uint8Array {
  return assemble(
    (ds) => [
      plat(1, PlatformType.VSM_ISOLATION),
      ...inits,
      page(0n, 1, ds),
      ...(noVp ? [] : [vp(0n, 1, ds + 4096)]),
      ...directives,
    ],
    {
      data: (() => {
        const d = new Uint8Array(8192);
        d.set(vbsContext(0, [HV_X64_REGISTER_RIP]), 4096);
        return d;
      })(),
    },
  );
}

Deno.test("parser: relocatable region", async (t) => {
  await t.step("valid region with a matching VBS VP context accepted", () => {
    const f = parseIgvm(vsmFile([reloc({})]));
    assertEquals(f.initializations[0].type, "RelocatableRegion");
  });
  await t.step("size not a multiple of 4 KiB → RelocationSize", () => {
    refuse(
      vsmFile([reloc({ size: 0x1800n })]),
      "InvalidBinaryInitializationHeader(RelocationSize)",
    );
  });
  await t.step("alignment not a multiple of 4 KiB → RelocationAlignment", () => {
    refuse(
      vsmFile([reloc({ align: 0x1800n })]),
      "InvalidBinaryInitializationHeader(RelocationAlignment)",
    );
  });
  await t.step("gpa not aligned → RelocationAddress(gpa)", () => {
    refuse(
      vsmFile([reloc({ align: 0x200000n, gpa: 0x101000n, min: 0n, max: 0x400000n })]),
      "InvalidBinaryInitializationHeader(RelocationAddress(1052672))",
    );
  });
  await t.step("minimum not aligned → RelocationAddress(min)", () => {
    refuse(
      vsmFile([reloc({ align: 0x2000n, gpa: 0x100000n, min: 0x101000n })]),
      "InvalidBinaryInitializationHeader(RelocationAddress(1052672))",
    );
  });
  await t.step("maximum not aligned → RelocationAddress(max)", () => {
    refuse(
      vsmFile([reloc({ align: 0x2000n, gpa: 0x100000n, max: 0x203000n })]),
      "InvalidBinaryInitializationHeader(RelocationAddress(2109440))",
    );
  });
  await t.step("VTL 3 → InvalidVtl", () => {
    refuse(vsmFile([reloc({ vtl: 3 })]), "InvalidBinaryInitializationHeader(InvalidVtl)");
  });
  await t.step("two overlapping regions for one mask → RelocationRegionsOverlap", () => {
    refuse(
      vsmFile([
        reloc({ gpa: 0x100000n, size: 0x2000n }),
        reloc({ gpa: 0x101000n, size: 0x1000n, vpIndex: 0 }),
      ]),
      "RelocationRegionsOverlap",
    );
  });
  await t.step("adjacent regions accepted", () => {
    parseIgvm(
      vsmFile([reloc({ gpa: 0x100000n, size: 0x1000n }), reloc({ gpa: 0x101000n, size: 0x1000n })]),
    );
  });
  await t.step("relocation without a VBS VP context → NoMatchingVpContext", () => {
    refuse(vsmFile([reloc({})], [], true), "NoMatchingVpContext");
  });
  await t.step("relocation for VTL 2 with only a VTL 0 context → NoMatchingVpContext", () => {
    refuse(vsmFile([reloc({ vtl: 2 })]), "NoMatchingVpContext");
  });
  await t.step("relocation for VP 1 → NoMatchingVpContext", () => {
    refuse(vsmFile([reloc({ vpIndex: 1 })]), "NoMatchingVpContext");
  });
});

Deno.test("parser: page table relocation region", async (t) => {
  await t.step("valid region accepted", () => {
    const f = parseIgvm(vsmFile([pageTable({})]));
    assertEquals(f.initializations[0].type, "PageTableRelocationRegion");
  });
  await t.step("used size above size → InvalidPageTableRegionSize", () => {
    refuse(
      vsmFile([pageTable({ size: 0x1000n, used: 0x2000n })]),
      "InvalidBinaryInitializationHeader(InvalidPageTableRegionSize)",
    );
  });
  await t.step("VTL 3 → InvalidVtl", () => {
    refuse(vsmFile([pageTable({ vtl: 3 })]), "InvalidBinaryInitializationHeader(InvalidVtl)");
  });
  await t.step("two for one mask → MultiplePageTableRelocationHeaders", () => {
    refuse(
      vsmFile([pageTable({ gpa: 0x10000n }), pageTable({ gpa: 0x80000n })]),
      "MultiplePageTableRelocationHeaders",
    );
  });
  await t.step("overlapping a relocatable region → RelocationRegionsOverlap", () => {
    refuse(
      vsmFile([reloc({ gpa: 0x100000n, size: 0x2000n }), pageTable({ gpa: 0x101000n })]),
      "RelocationRegionsOverlap",
    );
  });
  await t.step("parameter insert inside the region → ParameterInsertInsidePageTableRegion", () => {
    refuse(
      vsmFile([pageTable({ gpa: 0x10000n, size: 0x4000n })], [
        area(0x1000n, 0),
        insert(0x13000n, 1, 0),
      ]),
      "ParameterInsertInsidePageTableRegion",
    );
  });
  await t.step("parameter insert just past the region accepted", () => {
    parseIgvm(
      vsmFile([pageTable({ gpa: 0x10000n, size: 0x4000n })], [
        area(0x1000n, 0),
        insert(0x14000n, 1, 0),
      ]),
    );
  });
  await t.step("page table region without a VBS VP context → NoMatchingVpContext", () => {
    refuse(vsmFile([pageTable({})], [], true), "NoMatchingVpContext");
  });
});

// ---------------------------------------------------------------------------
// CCA policy and CoRIM
// ---------------------------------------------------------------------------

Deno.test("parser: CCA policy", async (t) => {
  await t.step("in an x64 file → InvalidHeaderArch", () => {
    refuse(
      assemble((ds) => [plat(1, SNP), ccaPolicy(1), page(0n, 1, ds)]),
      'InvalidHeaderArch { arch: X64, header_type: "CcaPolicy" }',
    );
  });
  const aarch = (...hs: Hdr[]) =>
    assemble(
      (
        ds,
      ) => [plat(1, PlatformType.CCA), plat(2, PlatformType.VSM_ISOLATION), ...hs, page(0n, 1, ds)],
      {
        version: 2,
        arch: 1,
      },
    );
  await t.step("in an AArch64 file with a CCA platform accepted", () => {
    assertEquals(
      parseIgvm(aarch(ccaPolicy(1, { zeroes: 1n, ones: 2n }))).initializations.length,
      1,
    );
  });
  await t.step("mask naming a non-CCA platform → InvalidCcaPolicyCompatibilityMask(bit)", () => {
    refuse(aarch(ccaPolicy(3)), "InvalidCcaPolicyCompatibilityMask(2)");
    refuse(aarch(ccaPolicy(8)), "InvalidCcaPolicyCompatibilityMask(8)");
  });
  await t.step("required zeroes and ones overlap → InvalidOnesZeroesMasks", () => {
    refuse(
      aarch(ccaPolicy(1, { zeroes: 6n, ones: 2n })),
      "InvalidBinaryInitializationHeader(InvalidOnesZeroesMasks)",
    );
  });
});

Deno.test("parser: CoRIM headers", async (t) => {
  const file = (...hs: Hdr[]) => assemble((ds) => [plat(1, SNP), ...hs, page(0n, 1, ds)]);
  await t.step("signature without a document → MissingCorimDocument(bit)", () => {
    refuse(
      file(corim(HeaderType.CORIM_SIGNATURE, 1)),
      "InvalidBinaryInitializationHeader(MissingCorimDocument(1))",
    );
  });
  await t.step("two documents for one mask → MultipleCorimDocuments(bit)", () => {
    refuse(
      file(corim(HeaderType.CORIM_DOCUMENT, 1), corim(HeaderType.CORIM_DOCUMENT, 1)),
      "InvalidBinaryInitializationHeader(MultipleCorimDocuments(1))",
    );
  });
  await t.step("two signatures for one mask → MultipleCorimSignatures(bit)", () => {
    refuse(
      file(
        corim(HeaderType.CORIM_DOCUMENT, 1),
        corim(HeaderType.CORIM_SIGNATURE, 1),
        corim(HeaderType.CORIM_SIGNATURE, 1),
      ),
      "InvalidBinaryInitializationHeader(MultipleCorimSignatures(1))",
    );
  });
  await t.step("document then signature accepted, with data", () => {
    const f = assemble((ds) => [
      plat(1, SNP),
      corim(HeaderType.CORIM_DOCUMENT, 1, ds, 100),
      corim(HeaderType.CORIM_SIGNATURE, 1, ds + 100, 50),
      page(0n, 1, ds),
    ]);
    assertEquals(parseIgvm(f).initializations.map((x) => x.type), [
      "CorimDocument",
      "CorimSignature",
    ]);
  });
});

// ---------------------------------------------------------------------------
// Compatibility mask 0 (lib.rs 3470-3510)
// ---------------------------------------------------------------------------

Deno.test("parser: headers with compatibility mask 0 are dropped", async (t) => {
  await t.step("init and directive headers with mask 0 are not counted", () => {
    const f = parseIgvm(
      withDirectives(
        page(0x1000n, 0, 0),
        area(0x1000n, 0),
        param(HeaderType.VP_COUNT_PARAMETER, 0),
        insert(0x2000n, 0, 0),
        reqMem(0x3000n, 0, 0x1000),
        errRange(0x4000n, 0, 0x1000),
      ),
    );
    // Kept: page at 0 (mask 1), the parameter area, the VP count usage (no mask).
    assertEquals(f.directives.map((d) => d.type), ["PageData", "ParameterArea", "VpCount"]);
  });
  await t.step("guest policy with mask 0 is not counted", () => {
    const f = parseIgvm(
      assemble((ds) => [plat(1, SNP), policy(1n, 0), policy(2n, 1), page(0n, 1, ds)]),
    );
    assertEquals(f.initializations.length, 1);
  });
  await t.step("a dropped insert does not consume its area", () => {
    // The mask-0 insert is dropped before validation, so the area is still "allocated".
    parseIgvm(
      withDirectives(
        area(0x1000n, 0),
        insert(0x2000n, 0, 0),
        param(HeaderType.SRAT, 0),
        insert(0x2000n, 1, 0),
      ),
    );
  });
  await t.step("a header with mask 0 is still checked while parsing", () => {
    refuse(
      withDirectives(page(0x1001n, 0, 0)),
      "InvalidBinaryDirectiveHeader(UnalignedAddress(4097))",
    );
  });
});

// ---------------------------------------------------------------------------
// Accepted files
// ---------------------------------------------------------------------------

Deno.test("parser: v2 x64 file accepted", () => {
  const bytes = assemble((ds) => [plat(1, SNP), policy(0x30000n, 1), page(0n, 1, ds)], {
    version: 2,
    arch: 0,
  });
  const f = parseIgvm(bytes);
  assertEquals(f.revision, { version: 2, arch: 0, pageSize: 4096 });
  assertEquals([f.platforms.length, f.initializations.length, f.directives.length], [1, 1, 1]);
  // And it round-trips byte for byte.
  assertEquals(serializeIgvm(f), bytes);
});

Deno.test("parser: ERROR_RANGE (which the serializer cannot write) parses", () => {
  const f = parseIgvm(withDirectives(errRange(0x5000n, 1, 0x2000)));
  assertEquals(f.directives[1], {
    type: "ErrorRange",
    gpa: 0x5000n,
    compatibilityMask: 1,
    sizeBytes: 0x2000,
  });
});

/** Replaces payloads by their bytes (hex) so headers of two parses compare equal. */
function normalize(x: unknown, source: IgvmSource | undefined): unknown {
  if (x instanceof Uint8Array) return x.toHex();
  if (typeof x !== "object" || x === null) return x;
  const keys = Object.keys(x);
  if (keys.length === 2 && "offset" in x && "length" in x) {
    return readPayload(x as { offset: number; length: number }, source).toHex();
  }
  return Object.fromEntries(
    keys.map((k) => [k, normalize((x as Record<string, unknown>)[k], source)]),
  );
}

function filled(n: number, v: number): Uint8Array {
  return new Uint8Array(n).fill(v);
}

const ID_BLOCK: SnpIdBlock = {
  type: "SnpIdBlock",
  compatibilityMask: 2,
  authorKeyEnabled: 1,
  reserved: new Uint8Array(3),
  ld: filled(48, 0x11),
  familyId: filled(16, 0x22),
  imageId: filled(16, 0x33),
  version: 1,
  guestSvn: 7,
  idKeyAlgorithm: 1,
  authorKeyAlgorithm: 1,
  idKeySignature: filled(144, 0x44),
  idPublicKey: filled(152, 0x55),
  authorKeySignature: filled(144, 0x66),
  authorPublicKey: filled(152, 0x77),
};

const VBS_MEASUREMENT: VbsMeasurement = {
  type: "VbsMeasurement",
  compatibilityMask: 1,
  version: 1,
  productId: 2,
  moduleId: 3,
  securityVersion: 4,
  policyFlags: 5,
  bootDigestAlgo: 6,
  signingAlgo: 7,
  bootMeasurementDigest: filled(64, 0x88),
  signature: filled(256, 0x99),
  publicKey: filled(512, 0xaa),
};

/** x64 file: VSM (mask 1), SEV-SNP (mask 2), NATIVE (mask 4); a page of data first. */
function x64File(inits: InitializationHeader[], directives: DirectiveHeader[]): IgvmFile {
  return {
    revision: { version: 1 },
    platforms: [
      platform(PlatformType.VSM_ISOLATION, 1, 0n, 2),
      platform(PlatformType.SEV_SNP, 2, 1n << 46n),
      platform(PlatformType.NATIVE, 4),
    ],
    initializations: inits,
    directives: [pageData(0n, 7, filled(4096, 0x5a)), ...directives],
  };
}

function roundTrip(model: IgvmFile, expectTypes: string[]): void {
  const bytes1 = serializeIgvm(model);
  const f1 = parseIgvm(bytes1);
  const bytes2 = serializeIgvm(f1);
  assertEquals(bytes2, bytes1, "serialize(parse(bytes)) == bytes");
  const f2 = parseIgvm(bytes2);
  const all = (f: IgvmFile) => [...f.initializations, ...f.directives];
  assertEquals(all(f1).map((x) => x.type), expectTypes);
  assertEquals(normalize(all(f2), f2.source), normalize(all(f1), f1.source));
  assertEquals(normalize(f1.platforms, undefined), normalize(model.platforms, undefined));
}

Deno.test("parser: every header type round-trips parse → serialize → parse", async (t) => {
  const vbsRegs = [{
    name: HV_X64_REGISTER_RIP,
    value: (() => {
      const v = new Uint8Array(16);
      v[0] = 0x10;
      return v;
    })(),
  }];
  const x64Cases: Array<[string, InitializationHeader[], DirectiveHeader[], string[]]> = [
    ["PageData (with data, without data, flags and types)", [], [
      pageData(0x1000n, 2, filled(4096, 1), 0, 0),
      pageData(0x2000n, 2, null, 1, 0),
      pageData(0x3000n, 2, null, 2, 1),
      pageData(0x4000n, 2, null, 4, 2),
      pageData(0x5000n, 2, filled(4096, 2), 0, 3),
    ], ["PageData", "PageData", "PageData", "PageData", "PageData", "PageData"]],
    ["ParameterArea and ParameterInsert", [], [
      { type: "ParameterArea", numberOfBytes: 0x2000n, parameterAreaIndex: 0, initialData: null },
      {
        type: "ParameterArea",
        numberOfBytes: 0x1000n,
        parameterAreaIndex: 1,
        initialData: filled(4096, 3),
      },
      { type: "ParameterInsert", gpa: 0x10000n, compatibilityMask: 2, parameterAreaIndex: 0 },
      { type: "ParameterInsert", gpa: 0x20000n, compatibilityMask: 2, parameterAreaIndex: 1 },
    ], ["PageData", "ParameterArea", "ParameterArea", "ParameterInsert", "ParameterInsert"]],
    ["RequiredMemory", [], [
      {
        type: "RequiredMemory",
        gpa: 0x100000n,
        compatibilityMask: 1,
        numberOfBytes: 0x3000,
        vtl2Protectable: true,
      },
      {
        type: "RequiredMemory",
        gpa: 0x200000n,
        compatibilityMask: 2,
        numberOfBytes: 0x1000,
        vtl2Protectable: false,
      },
    ], ["PageData", "RequiredMemory", "RequiredMemory"]],
    ["SnpVpContext", [], [snpVpContext(0xfffffffff000n, 2, filled(4096, 9), 0)], [
      "PageData",
      "SnpVpContext",
    ]],
    ["X64NativeVpContext", [], [
      { type: "X64NativeVpContext", compatibilityMask: 4, vpIndex: 0, context: filled(232, 0x31) },
    ], ["PageData", "X64NativeVpContext"]],
    ["X64VbsVpContext", [], [
      { type: "X64VbsVpContext", vtl: 2, registers: vbsRegs, compatibilityMask: 1 },
    ], ["PageData", "X64VbsVpContext"]],
    ["SnpIdBlock", [], [ID_BLOCK], ["PageData", "SnpIdBlock"]],
    ["VbsMeasurement", [], [VBS_MEASUREMENT], ["PageData", "VbsMeasurement"]],
    ["GuestPolicy", [{ type: "GuestPolicy", policy: 0x30000n, compatibilityMask: 2 }], [], [
      "GuestPolicy",
      "PageData",
    ]],
    [
      "RelocatableRegion and PageTableRelocationRegion",
      [
        {
          type: "RelocatableRegion",
          compatibilityMask: 1,
          relocationAlignment: 0x200000n,
          relocationRegionGpa: 0x200000n,
          relocationRegionSize: 0x200000n,
          minimumRelocationGpa: 0x200000n,
          maximumRelocationGpa: 0x40000000n,
          isVtl2: true,
          applyRipOffset: true,
          applyGdtrOffset: false,
          vpIndex: 0,
          vtl: 2,
        },
        {
          type: "PageTableRelocationRegion",
          compatibilityMask: 1,
          gpa: 0x10000n,
          size: 0x8000n,
          usedSize: 0x2000n,
          vpIndex: 0,
          vtl: 2,
        },
      ],
      [{ type: "X64VbsVpContext", vtl: 2, registers: vbsRegs, compatibilityMask: 1 }],
      [
        "RelocatableRegion",
        "PageTableRelocationRegion",
        "PageData",
        "X64VbsVpContext",
      ],
    ],
    [
      "CorimDocument and CorimSignature",
      [
        { type: "CorimDocument", compatibilityMask: 2, data: filled(100, 0xc0) },
        { type: "CorimSignature", compatibilityMask: 2, data: filled(60, 0xc1) },
      ],
      [],
      ["CorimDocument", "CorimSignature", "PageData"],
    ],
  ];
  const kinds = [
    "VpCount",
    "EnvironmentInfo",
    "Srat",
    "Madt",
    "Slit",
    "Pptt",
    "MmioRanges",
    "MemoryMap",
    "CommandLine",
    "DeviceTree",
  ] as const;
  for (const kind of kinds) {
    x64Cases.push([kind, [], [
      { type: "ParameterArea", numberOfBytes: 0x1000n, parameterAreaIndex: 5, initialData: null },
      { type: kind, parameterAreaIndex: 5, byteOffset: 0x10 },
      { type: "ParameterInsert", gpa: 0x30000n, compatibilityMask: 3, parameterAreaIndex: 5 },
    ], ["PageData", "ParameterArea", kind, "ParameterInsert"]]);
  }
  for (const [name, inits, directives, types] of x64Cases) {
    await t.step(name, () => roundTrip(x64File(inits, directives), types));
  }
  await t.step("AArch64: CcaPolicy, AArch64CcaVpContext, AArch64VbsVpContext", () => {
    const model: IgvmFile = {
      revision: { version: 2, arch: 1, pageSize: 4096 },
      platforms: [platform(PlatformType.CCA, 1), platform(PlatformType.VSM_ISOLATION, 2)],
      initializations: [{
        type: "CcaPolicy",
        compatibilityMask: 1,
        attributesRequiredZeroes: 0xf0n,
        attributesRequiredOnes: 0x0fn,
        hashAlgorithm: 1,
        lfaPolicy: 2,
      }],
      directives: [
        pageData(0n, 3, filled(4096, 0x5a)),
        {
          type: "AArch64CcaVpContext",
          compatibilityMask: 1,
          vpIndex: 0,
          context: filled(80, 0x42),
        },
        {
          type: "AArch64VbsVpContext",
          vtl: 0,
          registers: [{ name: 0x00020022, value: filled(16, 0) }],
          compatibilityMask: 2,
        },
      ],
    };
    roundTrip(model, ["CcaPolicy", "PageData", "AArch64CcaVpContext", "AArch64VbsVpContext"]);
  });
  await t.step("field values survive (SNP ID block, VBS measurement, page data)", () => {
    const model = x64File([], [
      ID_BLOCK,
      VBS_MEASUREMENT,
      pageData(0x7000n, 2, filled(4096, 4), 4, 1),
    ]);
    const f = parseIgvm(serializeIgvm(model));
    assertEquals(normalize(f.directives, f.source), normalize(model.directives, undefined));
  });
});
