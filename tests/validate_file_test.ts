/**
 * `validateFile` on files built in memory applies what microsoft/igvm's
 * `IgvmFile::new` applies (igvm/src/lib.rs): the page size, then the platform
 * headers, then each initialization header on its own and the rules between
 * them, then each directive on its own and the rules between them — so a file
 * with several problems is refused for the first in that order. Codes are the
 * crate's `Debug` names of its errors.
 */

import { assertEquals, assertOk, assertThrowsMatch } from "./assert.ts";
import { guestPolicy, pageData, platform } from "./builder.ts";
import { PlatformType } from "../lib/igvm/defs.ts";
import type { DirectiveHeader, IgvmFile, InitializationHeader } from "../lib/igvm/types.ts";
import { validateFile } from "../lib/igvm/validate.ts";
import { IgvmFormatError } from "../lib/errors.ts";

const SNP = PlatformType.SEV_SNP;

function file(
  directives: DirectiveHeader[],
  initializations: InitializationHeader[] = [],
  revision: IgvmFile["revision"] = { version: 1 },
): IgvmFile {
  return { revision, platforms: [platform(SNP, 1)], initializations, directives };
}

function refused(f: IgvmFile): { code: string; message: string } {
  const e = assertThrowsMatch(() => validateFile(f), IgvmFormatError) as IgvmFormatError;
  assertOk(!e.message.includes("\n"), "one-line message");
  return { code: e.code, message: e.message };
}

Deno.test("validateFile: a valid built file passes", () => {
  validateFile(file([pageData(0x1000n, 1, new Uint8Array(4096))], [guestPolicy(0x30000n, 1)]));
});

Deno.test("validateFile: each directive is checked on its own (IgvmDirectiveHeader::validate)", () => {
  assertEquals(
    refused(file([pageData(0x1001n, 1, null)])).code,
    "InvalidBinaryDirectiveHeader(UnalignedAddress(4097))",
  );
  assertEquals(
    refused(file([pageData(0x1000n, 1, null, 0, 7)])).code,
    "InvalidBinaryDirectiveHeader(InvalidPageDataType)",
  );
  assertEquals(
    refused(file([pageData(0x1000n, 1, new Uint8Array(4097))])).code,
    "InvalidBinaryDirectiveHeader(InvalidDataSize)",
  );
  const area = (numberOfBytes: bigint, data: Uint8Array | null): DirectiveHeader => ({
    type: "ParameterArea",
    numberOfBytes,
    parameterAreaIndex: 0,
    initialData: data,
  });
  assertEquals(
    refused(file([area(0x800n, null)])).code,
    "InvalidBinaryDirectiveHeader(UnalignedSize(2048))",
  );
  assertEquals(
    refused(file([area(0x1000n, new Uint8Array(0x1001))])).code,
    "InvalidBinaryDirectiveHeader(InvalidDataSize)",
  );
  assertEquals(
    refused(file([{
      type: "RequiredMemory",
      gpa: 0x1000n,
      compatibilityMask: 1,
      numberOfBytes: 0x800,
      vtl2Protectable: false,
    }])).code,
    "InvalidBinaryDirectiveHeader(UnalignedSize(2048))",
  );
  assertEquals(
    refused(file([{ type: "ErrorRange", gpa: 0x10n, compatibilityMask: 1, sizeBytes: 0 }])).code,
    "InvalidBinaryDirectiveHeader(UnalignedAddress(16))",
  );
});

Deno.test("validateFile: the header number counts every header before it, as in the written file", () => {
  const { message } = refused(
    file([pageData(0x1000n, 1, null), pageData(0x2001n, 1, null)], [guestPolicy(0x30000n, 1)]),
  );
  // 1 platform, 1 initialization header, then the second directive: header #4.
  assertOk(message.startsWith("invalid directive header #4: "), message);
});

Deno.test("validateFile: each initialization header is checked on its own first", () => {
  const region: InitializationHeader = {
    type: "PageTableRelocationRegion",
    compatibilityMask: 1,
    gpa: 0x1000n,
    size: 0x1000n,
    usedSize: 0x2000n,
    vpIndex: 0,
    vtl: 0,
  };
  assertEquals(
    refused(file([], [region])).code,
    "InvalidBinaryInitializationHeader(InvalidPageTableRegionSize)",
  );
  // The header's own check runs before the rules between headers (here: a second region).
  assertEquals(
    refused(file([], [{ ...region, usedSize: 0n }, region])).code,
    "InvalidBinaryInitializationHeader(InvalidPageTableRegionSize)",
  );
  assertEquals(
    refused(file([], [{ ...region, usedSize: 0n }, { ...region, usedSize: 0n }])).code,
    "MultiplePageTableRelocationHeaders",
  );
});

Deno.test("validateFile: the crate's order — page size, platforms, initializations, directives", () => {
  const badDirective = pageData(0x1001n, 1, null);
  const badPolicy: InitializationHeader = {
    type: "CcaPolicy",
    compatibilityMask: 1,
    attributesRequiredZeroes: 1n,
    attributesRequiredOnes: 1n,
    hashAlgorithm: 0,
    lfaPolicy: 0,
  };
  assertEquals(
    refused(file([badDirective], [badPolicy], { version: 2, arch: 0, pageSize: 0x200000 })).code,
    "UnsupportedPageSize(2097152)",
  );
  assertEquals(
    refused({ ...file([badDirective], [badPolicy]), platforms: [] }).code,
    "NoPlatformHeaders",
  );
  assertEquals(
    refused(file([badDirective], [badPolicy])).code,
    "InvalidBinaryInitializationHeader(InvalidOnesZeroesMasks)",
  );
  assertEquals(
    refused(file([badDirective], [guestPolicy(1n, 1)])).code,
    "InvalidBinaryDirectiveHeader(UnalignedAddress(4097))",
  );
});
