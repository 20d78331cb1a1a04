/**
 * Inputs the fuzzers found that crashed, hung or ran away, kept as named
 * regression tests (built in code; each names the fix).
 *
 * @module
 */

import { crateTdx, crateVbs, openvmmSnp } from "./measure_helpers.ts";
import { parseIgvm } from "../lib/igvm/parser.ts";
import { serializeIgvm } from "../lib/igvm/serializer.ts";
import { guestPolicy, pageData, platform } from "./builder.ts";
import type { IgvmFile } from "../lib/igvm/types.ts";
import { IgvmFormatError, KeyError, MeasurementError } from "../lib/errors.ts";
import { parsePrivateKeyPem, parsePublicKeyPem } from "../lib/snp/keys.ts";
import { assertEquals, assertThrowsMatch } from "./assert.ts";
import { fixCrc, walk } from "./fuzz_helpers.ts";
import { runLibrary } from "./fuzz_run.ts";

/**
 * Fuzz seed 0x1c6d2025, mutant 526 (built multi-platform file; the second
 * parameter area's number_of_bytes upper word overwritten): an area of
 * 0x76F500001000 bytes without initial data, inserted once. The parser
 * accepts it, as the crate does; the SNP, TDX and VBS measurements looped
 * over 31932284929 pages (a hang). Fixed: lib/measure/crate_rules.ts
 * ParameterAreaSizes charges each insert's pages to a per-measurement budget
 * (MAX_SYNTHESIZED_PAGES) and refuses at once beyond it.
 */
function mutant526(): Uint8Array {
  const f: IgvmFile = {
    revision: { version: 1 },
    platforms: [platform(2, 0x1), platform(3, 0x2), platform(1, 0x4)],
    initializations: [guestPolicy(0x30000n, 0x7)],
    directives: [
      pageData(0x1000n, 0x7, new Uint8Array(4096).fill(0x44)),
      { type: "ParameterArea", numberOfBytes: 0x1000n, parameterAreaIndex: 4, initialData: null },
      { type: "MemoryMap", parameterAreaIndex: 4, byteOffset: 0 },
      { type: "ParameterInsert", gpa: 0xa0000n, compatibilityMask: 0x7, parameterAreaIndex: 4 },
    ],
  };
  const b = serializeIgvm(f);
  const area = walk(b).headers.find((h) => h.type === 0x301)!;
  new DataView(b.buffer).setUint32(area.at + 8 + 4, 0x76f5, true); // number_of_bytes high word
  fixCrc(b);
  return b;
}

Deno.test("fuzz regression: seed 0x1c6d2025 mutant 526, parameter area of 0x76F500001000 bytes (hang)", () => {
  const parsed = parseIgvm(mutant526());
  for (const measure of [openvmmSnp, crateTdx, crateVbs]) {
    assertThrowsMatch(
      () => measure(parsed),
      MeasurementError,
      /parameter area 4 claims 31932284929 pages/,
    );
  }
  assertEquals(runLibrary(mutant526()), []);
});

/**
 * VBS ERROR_RANGE of size_bytes 0xFFFFF000 (same loop, per 24-byte header:
 * 2^20 SHA-256 page records each). Fixed: lib/measure/vbs_rules.ts charges the
 * range's pages to the same budget.
 */
Deno.test("fuzz regression: VBS error range of 4 GiB (runaway loop)", () => {
  const f: IgvmFile = {
    revision: { version: 1 },
    platforms: [platform(1, 0x1)],
    initializations: [],
    directives: [
      pageData(0x1000n, 0x1, new Uint8Array(4096).fill(1)),
      { type: "ParameterInsert", gpa: 0x200000n, compatibilityMask: 0x1, parameterAreaIndex: 0 },
    ],
  };
  // ParameterInsert and ErrorRange have 16-byte bodies {gpa, mask, u32}: retype it.
  const b = serializeIgvm({
    ...f,
    directives: [{
      type: "ParameterArea",
      numberOfBytes: 0x1000n,
      parameterAreaIndex: 0,
      initialData: null,
    }, ...f.directives],
  });
  const h = walk(b).headers.find((x) => x.type === 0x303)!;
  const v = new DataView(b.buffer);
  v.setUint32(h.at, 0x30d, true);
  v.setUint32(h.at + 8 + 12, 0xfffff000, true);
  fixCrc(b);
  assertThrowsMatch(
    () => crateVbs(parseIgvm(b)),
    MeasurementError,
    /error range at GPA 0x200000 claims 1048575 pages/,
  );
  assertEquals(runLibrary(b), []);
});

/**
 * A built parameter area of 2^60 bytes with initial data: the serializer
 * padded the data to the area size, `new Uint8Array(2^60)`, a RangeError
 * (untyped crash). Fixed: lib/igvm/serializer.ts FileData.write refuses a
 * piece larger than 4 GiB with FileDataSectionTooLarge first.
 */
Deno.test("fuzz regression: serializing a 2^60-byte parameter area (RangeError)", () => {
  const f: IgvmFile = {
    revision: { version: 1 },
    platforms: [platform(2, 0x1)],
    initializations: [],
    directives: [{
      type: "ParameterArea",
      numberOfBytes: 1n << 60n,
      parameterAreaIndex: 0,
      initialData: new Uint8Array([7]),
    }],
  };
  const e = assertThrowsMatch(() => serializeIgvm(f), IgvmFormatError) as IgvmFormatError;
  assertEquals(e.code, "FileDataSectionTooLarge");
});

/**
 * A key file of repeated `-----BEGIN …-----` lines without END: the PEM
 * regex rescanned the rest of the text for every BEGIN (1 MB took 13 s,
 * 50 MB hours). Fixed: lib/snp/keys.ts refuses key files over
 * MAX_KEY_FILE_SIZE (64 KiB) before scanning.
 */
Deno.test("fuzz regression: PEM of 1 MB of unmatched BEGIN lines (quadratic scan)", () => {
  const flood = "-----BEGIN A-----\n".repeat(1_000_000 / 18);
  assertThrowsMatch(() => parsePrivateKeyPem(flood), KeyError, /too large for a PEM key/);
  assertThrowsMatch(
    () => parsePublicKeyPem(new TextEncoder().encode(flood)),
    KeyError,
    /too large/,
  );
  // Below the bound, a flood is still refused with the usual message.
  const small = "-----BEGIN A-----\n".repeat(3000);
  assertThrowsMatch(() => parsePrivateKeyPem(small), KeyError, /truncated or malformed/);
});

/**
 * 8000 relocation regions and 8000 VBS VP contexts of another VTL: the
 * overlap check and the VP-ident matching compared every pair (8000 took
 * 1 s, a 100 MB file hours). Fixed: lib/igvm/validate.ts keeps each mask
 * bit's ranges sorted (binary search) and buckets VP idents by (VTL, bit).
 * The outcome is unchanged: the first unmatched ident is reported.
 */
Deno.test("fuzz regression: quadratic relocation validation keeps its outcome", () => {
  const region = (gpa: bigint, vpIndex: number, vtl: number) => ({
    type: "RelocatableRegion" as const,
    compatibilityMask: 1,
    relocationAlignment: 0x1000n,
    relocationRegionGpa: gpa,
    relocationRegionSize: 0x1000n,
    minimumRelocationGpa: 0n,
    maximumRelocationGpa: 0x1000n,
    isVtl2: false,
    applyRipOffset: false,
    applyGdtrOffset: false,
    vpIndex,
    vtl,
  });
  const ctx = (vtl: number) => ({
    type: "X64VbsVpContext" as const,
    vtl,
    registers: [{ name: 0x00020010, value: new Uint8Array(16) }],
    compatibilityMask: 1,
  });
  const build = (inits: ReturnType<typeof region>[], vtls: number[]) =>
    serializeIgvm({
      revision: { version: 1 },
      platforms: [platform(1, 1, 0n, 2)],
      initializations: inits,
      directives: [pageData(0n, 1, new Uint8Array(4096)), ...vtls.map(ctx)],
    });
  // Overlap found whatever the insertion order.
  for (
    const gpas of [[0x3000n, 0x1000n, 0x3000n], [0x1000n, 0x5000n, 0x1000n], [
      0x5000n,
      0x2000n,
      0x4000n,
      0x2000n,
    ]]
  ) {
    const e = assertThrowsMatch(
      () => parseIgvm(build(gpas.map((g) => region(g, 0, 0)), [0])),
      IgvmFormatError,
    ) as IgvmFormatError;
    assertEquals(e.code, "RelocationRegionsOverlap");
  }
  // Adjacent regions do not overlap.
  parseIgvm(build([region(0x2000n, 0, 0), region(0x1000n, 0, 0), region(0x3000n, 0, 0)], [0]));
  // The first unmatched ident (file order) is named: VP 0 VTL 1 is matched, VP 3 is not.
  const e = assertThrowsMatch(
    () =>
      parseIgvm(build([region(0x1000n, 0, 1), region(0x3000n, 3, 0), region(0x5000n, 0, 2)], [1])),
    IgvmFormatError,
    /VP 3 VTL 0/,
  ) as IgvmFormatError;
  assertEquals(e.code, "NoMatchingVpContext");
  const n = 8000;
  const many = build(
    Array.from({ length: n }, (_, i) => region(BigInt(n - i) * 0x2000n, 0, 0)),
    Array(n).fill(1),
  );
  const e2 = assertThrowsMatch(() => parseIgvm(many), IgvmFormatError) as IgvmFormatError;
  assertEquals(e2.code, "NoMatchingVpContext");
});
