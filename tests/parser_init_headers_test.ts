/**
 * The IGVM parser on initialization headers other than the guest policy:
 * relocatable and page-table relocation regions (lib.rs 495-545, 2822-3015),
 * the CCA policy and the CoRIM document and signature.
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
  ccaPolicy,
  corim,
  type Hdr,
  HV_X64_REGISTER_RIP,
  insert,
  page,
  pageTable,
  plat,
  refuse,
  reloc,
  SNP,
  vbsContext,
  vp,
} from "./parser_helpers.ts";

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
