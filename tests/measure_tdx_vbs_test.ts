/**
 * `crateTdx` and `crateVbs` on synthetic files, against records laid out
 * by hand (`hand_records.ts`) and hashed with Web Crypto. Files the parser
 * accepts are also measured after `serializeIgvm` → `parseIgvm`.
 */

import { crateTdx, crateVbs } from "./measure_helpers.ts";
import { assertEquals, assertThrowsMatch } from "./assert.ts";
import { Arch, PageDataFlags, PageDataType, PlatformType } from "../lib/igvm/defs.ts";
import { pageData, platform } from "./builder.ts";
import { parseIgvm } from "../lib/igvm/parser.ts";
import { serializeIgvm } from "../lib/igvm/serializer.ts";
import type { DirectiveHeader, IgvmFile, VbsVpContext } from "../lib/igvm/types.ts";
import { MeasurementError } from "../lib/errors.ts";
import {
  concat,
  digest,
  page4k,
  patternPage,
  tdxExtends,
  tdxPageAdd,
  vbsChain,
  vbsPageChunk,
  vbsRegisterChunk,
} from "./hand_records.ts";

const { IS_2MB_PAGE, UNMEASURED, SHARED } = PageDataFlags;

/** A file with one platform of `type` (mask 0x1) and, on x64, one of TDX/SNP (mask 0x2). */
function fileOf(type: number, directives: DirectiveHeader[], arch?: Arch): IgvmFile {
  const other = type === PlatformType.TDX ? PlatformType.SEV_SNP : PlatformType.TDX;
  return {
    revision: arch === undefined ? { version: 1 } : { version: 2, arch, pageSize: 4096 },
    platforms: arch === Arch.AARCH64
      ? [platform(type, 0x1)]
      : [platform(type, 0x1), platform(other, 0x2)],
    initializations: [],
    directives,
  };
}

/** Measures `file` and, when `parseable`, its serialize → parse round trip; both must agree. */
function measure(f: (file: IgvmFile) => Uint8Array, file: IgvmFile, parseable = true): string {
  const hex = f(file).toHex();
  if (parseable) assertEquals(f(parseIgvm(serializeIgvm(file))).toHex(), hex, "after round trip");
  return hex;
}

const area = (index: number, size: bigint): DirectiveHeader => ({
  type: "ParameterArea",
  numberOfBytes: size,
  parameterAreaIndex: index,
  initialData: null,
});
const insert = (gpa: bigint, index: number, mask = 0x1): DirectiveHeader => ({
  type: "ParameterInsert",
  gpa,
  compatibilityMask: mask,
  parameterAreaIndex: index,
});

Deno.test("tdx: PAGE.ADD and MR.EXTEND records by the crate's rules", async () => {
  const a = patternPage(1);
  const short = Uint8Array.of(0xaa, 0xbb, 0xcc);
  const file = fileOf(PlatformType.TDX, [
    area(0, 0x2000n),
    pageData(0x1000n, 0x1, a), // PAGE.ADD + 16 extends
    pageData(0x2000n, 0x1, a, UNMEASURED), // PAGE.ADD only
    pageData(0x3000n, 0x1, a, SHARED), // nothing
    pageData(0x4000n, 0x1, null, 0, PageDataType.SECRETS), // type ignored: zero page
    pageData(0x5000n, 0x2, a), // other platform: nothing
    pageData(0x6000n, 0x3, a, 0, PageDataType.CPUID_DATA), // both platforms: measured
    pageData(0x200000n, 0x1, short, IS_2MB_PAGE), // 2 MiB flag ignored; data padded
    insert(0x10000n, 0), // whole area: 2 × PAGE.ADD
  ]);
  const expected = await digest(
    "SHA-384",
    concat(
      tdxPageAdd(0x1000n),
      tdxExtends(0x1000n, a),
      tdxPageAdd(0x2000n),
      tdxPageAdd(0x4000n),
      tdxExtends(0x4000n, page4k()),
      tdxPageAdd(0x6000n),
      tdxExtends(0x6000n, a),
      tdxPageAdd(0x200000n),
      tdxExtends(0x200000n, page4k(short)),
      tdxPageAdd(0x10000n),
      tdxPageAdd(0x11000n),
    ),
  );
  assertEquals(measure(crateTdx, file), expected.toHex());
});

Deno.test("tdx: no directives is SHA-384 of nothing; errors", async () => {
  const empty = fileOf(PlatformType.TDX, []);
  assertEquals(crateTdx(empty).toHex(), (await digest("SHA-384", new Uint8Array(0))).toHex());
  const bad = fileOf(PlatformType.TDX, [insert(0x1000n, 3)]);
  assertThrowsMatch(() => crateTdx(bad), MeasurementError, /invalid parameter area index 3/);
  const snpOnly = { ...empty, platforms: [platform(PlatformType.SEV_SNP, 0x1)] };
  const e = assertThrowsMatch(() => crateTdx(snpOnly), MeasurementError);
  assertEquals(e.reason, "platform-not-in-file");
});

/** An x64 VBS VP context; `raw` value bytes per register name. */
function vbsContext(
  vtl: number,
  regs: [number, Uint8Array][],
  arch: Arch = Arch.X64,
): VbsVpContext {
  return {
    type: arch === Arch.X64 ? "X64VbsVpContext" : "AArch64VbsVpContext",
    vtl,
    compatibilityMask: 0x1,
    registers: regs.map(([name, value]) => ({ name, value })),
  };
}

const RAW = Uint8Array.from({ length: 16 }, (_, i) => 0xf0 + i);
const RIP = 0x00020010;
const GDTR = 0x00070001;
const CS = 0x00060001;

Deno.test("vbs: page, parameter, error-range and register chunks by the crate's rules", async () => {
  const a = patternPage(2);
  const short = Uint8Array.of(1, 2, 3);
  const context = vbsContext(2, [[RIP, RAW], [GDTR, RAW], [CS, RAW]]);
  const file = fileOf(PlatformType.VSM_ISOLATION, [
    context, // registers are measured after every page
    area(0, 0x2000n),
    pageData(0x1000n, 0x1, a), // metadata 0, data
    pageData(0x2000n, 0x1, a, UNMEASURED), // metadata 4, zeros
    pageData(0x3000n, 0x1, a, SHARED), // nothing
    pageData(0x4000n, 0x2, a), // other platform: nothing
    pageData(0x200000n, 0x1, short, IS_2MB_PAGE), // one page, padded
    insert(0x10000n, 0), // 2 pages, metadata 4
    { type: "ErrorRange", gpa: 0x20000n, compatibilityMask: 0x1, sizeBytes: 0x1001 }, // 2 pages, 7
  ]);
  const zeros = page4k();
  const rip = concat(RAW.subarray(0, 8), new Uint8Array(8)); // u64: low 8 bytes
  const gdtr = concat(new Uint8Array(6), RAW.subarray(6)); // table: pad[3] u16 zeroed
  const expected = await vbsChain([
    vbsPageChunk(0x1n, 0n, a),
    vbsPageChunk(0x2n, 4n, zeros),
    vbsPageChunk(0x200n, 0n, page4k(short)),
    vbsPageChunk(0x10n, 4n, zeros),
    vbsPageChunk(0x11n, 4n, zeros),
    vbsPageChunk(0x20n, 7n, zeros),
    vbsPageChunk(0x21n, 7n, zeros),
    vbsRegisterChunk(2, RIP, rip),
    vbsRegisterChunk(2, GDTR, gdtr),
    vbsRegisterChunk(2, CS, RAW), // segment: all 16 bytes
  ]);
  // No round trip: the reference serializer cannot write ERROR_RANGE headers.
  assertEquals(measure(crateVbs, file, false), expected);
});

Deno.test("vbs: a parsed file with an x64 context", async () => {
  // Parseable variant (VP context after the pages it follows in the file) with round trip.
  const a = patternPage(3);
  const file = fileOf(PlatformType.VSM_ISOLATION, [
    pageData(0x1000n, 0x1, a),
    vbsContext(0, [[RIP, RAW], [GDTR, RAW]]),
  ]);
  const expected = await vbsChain([
    vbsPageChunk(0x1n, 0n, a),
    vbsRegisterChunk(0, RIP, concat(RAW.subarray(0, 8), new Uint8Array(8))),
    vbsRegisterChunk(0, GDTR, concat(new Uint8Array(6), RAW.subarray(6))),
  ]);
  assertEquals(measure(crateVbs, file), expected);
});

Deno.test("vbs: AArch64 registers are all u64", async () => {
  const a = patternPage(4);
  const X0 = 0x00020000;
  const PC = 0x00020022;
  const file = fileOf(PlatformType.VSM_ISOLATION, [
    pageData(0x1000n, 0x1, a),
    vbsContext(1, [[PC, RAW], [X0, RAW]], Arch.AARCH64),
  ], Arch.AARCH64);
  const low = concat(RAW.subarray(0, 8), new Uint8Array(8));
  const expected = await vbsChain([
    vbsPageChunk(0x1n, 0n, a),
    vbsRegisterChunk(1, PC, low),
    vbsRegisterChunk(1, X0, low),
  ]);
  assertEquals(measure(crateVbs, file), expected);
});

Deno.test("vbs: where the crate panics or refuses", () => {
  const secrets = fileOf(PlatformType.VSM_ISOLATION, [
    pageData(0x1000n, 0x1, null, SHARED, PageDataType.SECRETS),
  ]);
  assertThrowsMatch(() => crateVbs(secrets), MeasurementError, /data type 1.*only NORMAL/);
  // Not selected (other platform): no panic.
  const other = fileOf(PlatformType.VSM_ISOLATION, [
    pageData(0x1000n, 0x2, null, 0, PageDataType.SECRETS),
  ]);
  assertEquals(crateVbs(other).toHex(), "00".repeat(32));
  const twice = fileOf(PlatformType.VSM_ISOLATION, [area(0, 0x1000n), area(0, 0x1000n)]);
  assertThrowsMatch(() => crateVbs(twice), MeasurementError, /invalid parameter area index 0/);
  const bad = fileOf(PlatformType.VSM_ISOLATION, [vbsContext(0, [[0x00020001, RAW]])]); // Rcx
  assertThrowsMatch(() => crateVbs(bad), MeasurementError, /unsupported x64 VBS register/);
});
