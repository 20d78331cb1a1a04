/**
 * u64 wrap-around as the igvm crate's release build does it: a parameter
 * insert whose area runs past 2^64 measures nothing (the Rust range is
 * empty), and a page table region at the top of the address space contains no
 * insert; and igvm 0.4.0 refuses the CCA platform type before its version.
 */

import { openvmmSnp } from "./measure_helpers.ts";
import { assertEquals } from "./assert.ts";
import { pageData, platform, snpFile } from "./builder.ts";
import { PlatformType } from "../lib/igvm/defs.ts";
import { parseIgvm } from "../lib/igvm/parser.ts";
import { serializeIgvm } from "../lib/igvm/serializer.ts";
import type { IgvmFile } from "../lib/igvm/types.ts";
import { validateFile } from "../lib/igvm/validate.ts";
import { IgvmFormatError } from "../lib/errors.ts";
import { crc32 } from "../lib/igvm/crc32.ts";
import { pageHash, patternPage, PT, snpChain } from "./hand_records.ts";

const TOP = 0xFFFF_FFFF_FFFF_F000n;

/** An SEV-SNP file (policy 0x30000) of `directives` and then one page of data at GPA 0x1000. */
function withOnePage(page: Uint8Array, directives: IgvmFile["directives"]): IgvmFile {
  return snpFile([...directives, pageData(0x1000n, 1, page)], 0x30000n);
}

/** The SEV-SNP launch digest of that one NORMAL page alone, worked out by hand. */
async function onePageChain(page: Uint8Array): Promise<string> {
  return snpChain([{ type: PT.NORMAL, gpa: 0x1000n, contents: await pageHash(page) }]);
}

Deno.test("openvmm SNP: an insert whose area runs past 2^64 adds no record (the crate's range is empty)", async () => {
  const page = patternPage(3);
  const area = { type: "ParameterArea", numberOfBytes: 0x2000n, parameterAreaIndex: 0 } as const;
  const file = withOnePage(page, [
    { ...area, initialData: null },
    { type: "ParameterInsert", gpa: TOP, compatibilityMask: 1, parameterAreaIndex: 0 },
  ]);
  assertEquals(openvmmSnp(file).toHex(), await onePageChain(page));
});

Deno.test("openvmm SNP: an area too large to measure that wraps past 2^64 still adds no record", async () => {
  // Far more pages than a measurement may synthesize, but the range is empty: nothing to refuse.
  const page = patternPage(4);
  const file = withOnePage(page, [
    {
      type: "ParameterArea",
      numberOfBytes: 0xFFFF_FFFF_FFFF_0000n,
      parameterAreaIndex: 0,
      initialData: null,
    },
    { type: "ParameterInsert", gpa: 0x20000n, compatibilityMask: 1, parameterAreaIndex: 0 },
  ]);
  assertEquals(openvmmSnp(file).toHex(), await onePageChain(page));
});

Deno.test("validation: a page table region ending at 2^64 wraps, so an insert at its start is accepted", () => {
  const file: IgvmFile = {
    revision: { version: 1 },
    platforms: [platform(PlatformType.VSM_ISOLATION, 1)],
    initializations: [{
      type: "PageTableRelocationRegion",
      compatibilityMask: 1,
      gpa: TOP,
      size: 0x1000n,
      usedSize: 0n,
      vpIndex: 0,
      vtl: 0,
    }],
    directives: [
      { type: "ParameterArea", numberOfBytes: 0x1000n, parameterAreaIndex: 0, initialData: null },
      { type: "ParameterInsert", gpa: TOP, compatibilityMask: 1, parameterAreaIndex: 0 },
      {
        type: "X64VbsVpContext",
        vtl: 0,
        compatibilityMask: 1,
        registers: [{ name: 0x00020010, value: new Uint8Array(16) }],
      },
    ],
  };
  validateFile(file); // does not throw
});

Deno.test("igvm 0.4.0 rules: a CCA platform header is InvalidPlatformType even with a bad version", () => {
  const file: IgvmFile = {
    revision: { version: 2, arch: 1, pageSize: 4096 },
    platforms: [{ ...platform(PlatformType.CCA, 1), platformVersion: 1 }],
    initializations: [],
    directives: [pageData(0x1000n, 1, new Uint8Array(4096).fill(1))],
  };
  const bytes = serializeIgvm(file);
  // Set the platform version (body at 32 + 8, version at +6) to 9 and recompute the header CRC.
  const view = new DataView(bytes.buffer);
  view.setUint16(32 + 8 + 6, 9, true);
  view.setUint32(20, 0, true);
  const varSize = view.getUint32(12, true);
  const crc = crc32(bytes.subarray(0, 32 + varSize));
  view.setUint32(20, crc, true);
  let code = "";
  try {
    parseIgvm(bytes, { crateVersion: "0.4.0" });
  } catch (e) {
    if (e instanceof IgvmFormatError) code = e.code;
  }
  assertEquals(code, "InvalidBinaryPlatformHeader(InvalidPlatformType)");
  try {
    parseIgvm(bytes);
  } catch (e) {
    if (e instanceof IgvmFormatError) code = e.code;
  }
  assertEquals(code, "InvalidBinaryPlatformHeader(InvalidPlatformVersion)");
});
