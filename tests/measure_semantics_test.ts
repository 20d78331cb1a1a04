/**
 * Every SEV-SNP rule on which COCONUT's igvmmeasure (`coconut`) and the
 * igvm crate / OpenVMM (`openvmmSnp`) differ, on synthetic files. The
 * expected digests are laid out by hand (`hand_records.ts`) and hashed with
 * Web Crypto, independently of the code under test. Files the reference
 * parser accepts are also measured after `serializeIgvm` → `parseIgvm`, to
 * check the result does not depend on payloads being file ranges.
 * `docs/semantics.md` lists the differences.
 */

import { coconut as coconutMeasure, type CoconutOptions, openvmmSnp } from "./measure_helpers.ts";
import { assertEquals, assertThrowsMatch } from "./assert.ts";
import { PageDataFlags, PageDataType, PlatformType } from "../lib/igvm/defs.ts";
import { guestPolicy, pageData, platform, snpFile, snpVpContext } from "./builder.ts";
import { parseIgvm } from "../lib/igvm/parser.ts";
import { serializeIgvm } from "../lib/igvm/serializer.ts";
import type { DirectiveHeader, IgvmFile } from "../lib/igvm/types.ts";
import { MeasurementError } from "../lib/errors.ts";
import { pageHash, patternPage, PT, snpChain, type SnpRecord } from "./hand_records.ts";

const POLICY = 0x30000n;
const { IS_2MB_PAGE, UNMEASURED, SHARED } = PageDataFlags;

/** COCONUT's digest, hex. */
function coconut(file: IgvmFile, options: CoconutOptions = {}): string {
  return coconutMeasure(file, options).digest.toHex();
}

/** The crate's digest, hex; for parseable files checked again after a round trip. */
function openvmm(file: IgvmFile, parseable = true): string {
  const digest = openvmmSnp(file).toHex();
  if (parseable) {
    const parsed = parseIgvm(serializeIgvm(file));
    assertEquals(openvmmSnp(parsed).toHex(), digest, "after serialize + parse");
    assertEquals(coconut(parsed), coconut(file), "coconut after round trip");
  }
  return digest;
}

/** One SNP platform (mask 0x1) with a guest policy. */
function snp(directives: DirectiveHeader[]): IgvmFile {
  return snpFile(directives, POLICY);
}

Deno.test("semantics: mask test, any bit (coconut) vs all bits (openvmm)", async () => {
  // Only reachable with a platform mask of several bits, which the parser refuses
  // (IgvmPlatformHeader::validate: exactly one bit), so this is a model built in memory.
  const a = patternPage(1);
  const b = patternPage(2);
  const file: IgvmFile = {
    revision: { version: 1 },
    platforms: [platform(PlatformType.SEV_SNP, 0x3)],
    initializations: [guestPolicy(POLICY, 0x3)],
    directives: [pageData(0x1000n, 0x1, a), pageData(0x2000n, 0x3, b)],
  };
  const both: SnpRecord = { type: PT.NORMAL, gpa: 0x2000n, contents: await pageHash(b) };
  const partial: SnpRecord = { type: PT.NORMAL, gpa: 0x1000n, contents: await pageHash(a) };
  assertEquals(coconut(file), await snpChain([partial, both]));
  assertEquals(openvmm(file, false), await snpChain([both]));
});

Deno.test("semantics: a directive mask with more bits than a one-bit platform mask agrees", async () => {
  // Directive mask 0x3, SNP platform 0x1, TDX platform 0x2: 0x3 & 0x1 is non-zero (any bit)
  // and equals 0x1 (all bits), so both rules measure the page.
  const a = patternPage(3);
  const file: IgvmFile = {
    revision: { version: 1 },
    platforms: [platform(PlatformType.SEV_SNP, 0x1), platform(PlatformType.TDX, 0x2)],
    initializations: [guestPolicy(POLICY, 0x1)],
    directives: [pageData(0x1000n, 0x3, a), pageData(0x2000n, 0x2, a)],
  };
  const expected = await snpChain([{ type: PT.NORMAL, gpa: 0x1000n, contents: await pageHash(a) }]);
  assertEquals(coconut(file), expected);
  assertEquals(openvmm(file), expected);
});

Deno.test("semantics: shared pages are measured by coconut, skipped by openvmm", async () => {
  const a = patternPage(4);
  const b = patternPage(5);
  const file = snp([
    pageData(0x1000n, 0x1, a, SHARED),
    pageData(0x2000n, 0x1, null, SHARED | UNMEASURED),
    pageData(0x3000n, 0x1, b),
  ]);
  const normalB: SnpRecord = { type: PT.NORMAL, gpa: 0x3000n, contents: await pageHash(b) };
  assertEquals(
    coconut(file),
    await snpChain([
      { type: PT.NORMAL, gpa: 0x1000n, contents: await pageHash(a) },
      { type: PT.UNMEASURED, gpa: 0x2000n },
      normalB,
    ]),
  );
  assertEquals(openvmm(file), await snpChain([normalB]));
});

Deno.test("semantics: parameter insert, one page (coconut) vs the whole area (openvmm)", async () => {
  const file = snp([
    // Initial data (not measured) so the file has a data section, which the parser requires.
    {
      type: "ParameterArea",
      numberOfBytes: 0x3000n,
      parameterAreaIndex: 0,
      initialData: new Uint8Array(0x3000).fill(0x5a),
    },
    { type: "ParameterInsert", gpa: 0x10000n, compatibilityMask: 0x1, parameterAreaIndex: 0 },
  ]);
  assertEquals(coconut(file), await snpChain([{ type: PT.UNMEASURED, gpa: 0x10000n }]));
  assertEquals(
    openvmm(file),
    await snpChain([
      { type: PT.UNMEASURED, gpa: 0x10000n },
      { type: PT.UNMEASURED, gpa: 0x11000n },
      { type: PT.UNMEASURED, gpa: 0x12000n },
    ]),
  );
});

Deno.test("semantics: 2 MiB page without data, 512 pages (coconut) vs one (openvmm)", async () => {
  // A page with data after it, so the file has a data section (the parser requires one).
  const a = patternPage(13);
  const file = snp([pageData(0x200000n, 0x1, null, IS_2MB_PAGE), pageData(0x400000n, 0x1, a)]);
  const zero = await pageHash();
  const pages: SnpRecord[] = Array.from({ length: 512 }, (_, i) => ({
    type: PT.NORMAL,
    gpa: 0x200000n + BigInt(i) * 0x1000n,
    contents: zero,
  }));
  const last: SnpRecord = { type: PT.NORMAL, gpa: 0x400000n, contents: await pageHash(a) };
  assertEquals(coconut(file), await snpChain([...pages, last]));
  assertEquals(openvmm(file), await snpChain([pages[0], last]));
});

Deno.test("semantics: 2 MiB page with data, refused (coconut) vs one 4 KiB page (openvmm)", async () => {
  const a = patternPage(6);
  const file = snp([pageData(0x200000n, 0x1, a, IS_2MB_PAGE)]);
  assertThrowsMatch(() => coconut(file), MeasurementError, /2 MiB page/);
  const digest = openvmmSnp(file).toHex();
  assertEquals(
    digest,
    await snpChain([{ type: PT.NORMAL, gpa: 0x200000n, contents: await pageHash(a) }]),
  );
  assertEquals(openvmmSnp(parseIgvm(serializeIgvm(file))).toHex(), digest);
});

Deno.test("semantics: zero page and short data", async () => {
  // No data: a NORMAL page of zeros for both (coconut's `-n` makes it a ZERO page).
  // Short in-memory data (never produced by the parser): zero-padded by both.
  const short = Uint8Array.of(0xde, 0xad, 0xbe, 0xef);
  const file = snp([pageData(0x1000n, 0x1, null), pageData(0x2000n, 0x1, short)]);
  const shortPage: SnpRecord = { type: PT.NORMAL, gpa: 0x2000n, contents: await pageHash(short) };
  const expected = await snpChain([
    { type: PT.NORMAL, gpa: 0x1000n, contents: await pageHash() },
    shortPage,
  ]);
  assertEquals(coconut(file), expected);
  assertEquals(openvmm(file), expected);
  assertEquals(
    coconut(file, { nativeZero: true }),
    await snpChain([{ type: PT.ZERO, gpa: 0x1000n }, shortPage]),
  );
});

Deno.test("semantics: VMSA of another platform, measured (coconut) vs skipped (openvmm)", async () => {
  const vmsaEs = patternPage(7).subarray(0, 1648);
  const vmsaSnp = patternPage(8).subarray(0, 1648);
  const a = patternPage(9);
  const file: IgvmFile = {
    revision: { version: 1 },
    platforms: [platform(PlatformType.SEV_SNP, 0x1), platform(PlatformType.SEV_ES, 0x2)],
    initializations: [guestPolicy(POLICY, 0x1)],
    directives: [
      pageData(0x1000n, 0x1, a),
      snpVpContext(0xFFFFFFFFF000n, 0x2, vmsaEs),
      snpVpContext(0xFFFFFFFFF000n, 0x1, vmsaSnp),
    ],
  };
  const page: SnpRecord = { type: PT.NORMAL, gpa: 0x1000n, contents: await pageHash(a) };
  const vmsa = (v: Uint8Array) =>
    pageHash(v).then((contents) => ({
      type: PT.VMSA,
      gpa: 0xFFFFFFFFF000n,
      contents,
    }));
  assertEquals(coconut(file), await snpChain([page, await vmsa(vmsaEs), await vmsa(vmsaSnp)]));
  assertEquals(openvmm(file), await snpChain([page, await vmsa(vmsaSnp)]));
});

Deno.test("semantics: SECRETS and CPUID pages", async () => {
  // Both: SECRETS → type 5, CPUID_DATA and CPUID_XF → type 6, contents zero, data and
  // the unmeasured flag ignored. Only the shared flag differs (openvmm skips the page).
  const a = patternPage(10);
  const file = snp([
    pageData(0x1000n, 0x1, a, UNMEASURED, PageDataType.SECRETS),
    pageData(0x2000n, 0x1, a, 0, PageDataType.CPUID_DATA),
    pageData(0x3000n, 0x1, null, 0, PageDataType.CPUID_XF),
    pageData(0x4000n, 0x1, null, SHARED, PageDataType.SECRETS),
  ]);
  const common: SnpRecord[] = [
    { type: PT.SECRETS, gpa: 0x1000n },
    { type: PT.CPUID, gpa: 0x2000n },
    { type: PT.CPUID, gpa: 0x3000n },
  ];
  assertEquals(coconut(file), await snpChain([...common, { type: PT.SECRETS, gpa: 0x4000n }]));
  assertEquals(openvmm(file), await snpChain(common));
});

Deno.test("semantics: unknown page data type, skipped (coconut) vs NORMAL (openvmm)", async () => {
  // The parser refuses data types above 3, so this is a model built in memory.
  const a = patternPage(11);
  const file = snp([pageData(0x1000n, 0x1, a, 0, 7)]);
  assertEquals(coconut(file), await snpChain([]));
  assertEquals(
    openvmm(file, false),
    await snpChain([{ type: PT.NORMAL, gpa: 0x1000n, contents: await pageHash(a) }]),
  );
});

Deno.test("semantics: guest policy, not needed (coconut) vs required (openvmm)", async () => {
  const a = patternPage(12);
  const expected = await snpChain([
    { type: PT.NORMAL, gpa: 0x1000n, contents: await pageHash(a) },
  ]);
  const withoutPolicy = snpFile([pageData(0x1000n, 0x1, a)]);
  assertEquals(coconut(withoutPolicy), expected);
  assertThrowsMatch(
    () => openvmmSnp(withoutPolicy),
    MeasurementError,
    /^no SNP guest policy found in initialization headers/,
  );
  // A policy for another platform does not count.
  const otherPolicy: IgvmFile = {
    ...withoutPolicy,
    platforms: [platform(PlatformType.SEV_SNP, 0x1), platform(PlatformType.TDX, 0x2)],
    initializations: [guestPolicy(POLICY, 0x2)],
  };
  assertThrowsMatch(() => openvmmSnp(otherPolicy), MeasurementError, /no SNP guest policy/);
  assertEquals(openvmm(snp([pageData(0x1000n, 0x1, a)])), expected);
});

Deno.test("semantics: openvmm refuses an unknown parameter area and oversized data", () => {
  const file = snp([
    { type: "ParameterInsert", gpa: 0x10000n, compatibilityMask: 0x1, parameterAreaIndex: 4 },
  ]);
  assertThrowsMatch(() => openvmmSnp(file), MeasurementError, /parameter area index 4/);
  const big = snp([pageData(0x1000n, 0x1, new Uint8Array(4097))]);
  assertThrowsMatch(() => openvmmSnp(big), MeasurementError, /4097 bytes/);
});

Deno.test("semantics: no SEV-SNP platform header", () => {
  const file: IgvmFile = {
    revision: { version: 1 },
    platforms: [platform(PlatformType.TDX, 0x1)],
    initializations: [],
    directives: [],
  };
  const e = assertThrowsMatch(() => openvmmSnp(file), MeasurementError);
  assertEquals(e.reason, "platform-not-in-file");
  // An explicit mask skips the lookup.
  const withPolicy = { ...file, initializations: [guestPolicy(POLICY, 0x1)] };
  assertEquals(openvmmSnp(withPolicy, 0x1).toHex(), "00".repeat(48));
});
