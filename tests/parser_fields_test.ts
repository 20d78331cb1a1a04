/**
 * The IGVM parser's field rules: reserved fields, alignment of GPAs and
 * sizes, page data types, file-data offsets (extract_file_data, lib.rs
 * 2041-2054) and parameter-area indexes (validate_directive_headers, lib.rs
 * 3025-3171).
 *
 * Each refusal is checked by its error class and its `code`, the crate's
 * `Debug` name of the error (rules in microsoft/igvm igvm/src/lib.rs, as the parser module docs say;
 * helpers in parser_helpers.ts).
 */

import { assertEquals } from "./assert.ts";
import { parseIgvm } from "../lib/igvm/parser.ts";
import { HeaderType, PlatformType } from "../lib/igvm/defs.ts";
import {
  area,
  assemble,
  base,
  ccaPolicy,
  corim,
  errRange,
  h,
  type Hdr,
  insert,
  page,
  pageTable,
  param,
  plat,
  policy,
  refuse,
  reqMem,
  SNP,
  vp,
  withDirectives,
} from "./parser_helpers.ts";

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
