/**
 * The IGVM parser on VP context headers: the platform named by the mask,
 * native, CCA and VBS contexts.
 *
 * Each refusal is checked by its error class and its `code`, the crate's
 * `Debug` name of the error (rules in microsoft/igvm igvm/src/lib.rs, as the parser module docs say;
 * helpers in parser_helpers.ts).
 */

import { assertEquals, assertOk, assertThrowsMatch } from "./assert.ts";
import { IgvmFormatError } from "../lib/errors.ts";
import { parseIgvm } from "../lib/igvm/parser.ts";
import { PlatformType } from "../lib/igvm/defs.ts";
import {
  assemble,
  base,
  HV_X64_REGISTER_RIP,
  page,
  plat,
  refuse,
  SNP,
  vbsContext,
  vp,
} from "./parser_helpers.ts";

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
