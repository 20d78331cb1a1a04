/**
 * The IGVM parser on the fixed header and checksum (microsoft/igvm
 * `IgvmFile::new_from_binary`, lib.rs 3329-3403): magic, format version,
 * architecture, page size, sizes and offsets, CRC32; plus a check that the
 * test helpers build files the parser accepts.
 *
 * Each refusal is checked by its error class and its `code`, the crate's
 * `Debug` name of the error (rules in microsoft/igvm igvm/src/lib.rs, as the parser module docs say;
 * helpers in parser_helpers.ts).
 */

import { assertEquals } from "./assert.ts";
import { parseIgvm } from "../lib/igvm/parser.ts";
import { serializeIgvm } from "../lib/igvm/serializer.ts";
import { pageData, snpFile } from "./builder.ts";
import { assemble, base, fixChecksum, page, plat, refuse, setU32, SNP } from "./parser_helpers.ts";

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
