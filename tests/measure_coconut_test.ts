/**
 * The original igvmmeasure's measurement rules (coconut-svsm/svsm
 * `tools/igvmmeasure/src/igvm_measure.rs`), one test per page type, flag and
 * directive rule, on small files built here. Expected SEV-SNP digests are
 * computed independently: each PAGE_INFO is laid out by hand and hashed with
 * Web Crypto, not with lib/measure/page_info.ts or lib/hash.ts.
 *
 * Also replays the sev-snp-measure vectors (../shared/vectors/README.md §3).
 */

import { assertEquals, assertOk, assertThrowsMatch } from "./assert.ts";
import { MeasurementError } from "../lib/errors.ts";
import { parseIgvm } from "../lib/igvm/parser.ts";
import { serializeIgvm } from "../lib/igvm/serializer.ts";
import { pageData, platform, snpVpContext, unsignedIdBlock } from "../lib/igvm/builder.ts";
import { PlatformType } from "../lib/igvm/defs.ts";
import type {
  DirectiveHeader,
  IgvmFile,
  ParameterArea,
  ParameterInsert,
  SnpIdBlock,
} from "../lib/igvm/types.ts";
import { type CoconutOptions, measureCoconut, NOT_COMPATIBLE } from "../lib/measure/coconut.ts";
import { SnpDigest, type SnpPageType } from "../lib/measure/page_info.ts";

// ---------------------------------------------------------------------------
// Independent reference: PAGE_INFO laid out by hand, hashed with Web Crypto.
// ---------------------------------------------------------------------------

async function digest(alg: "SHA-384" | "SHA-256", data: Uint8Array): Promise<Uint8Array> {
  const copy = new Uint8Array(data.length);
  copy.set(data);
  return new Uint8Array(await crypto.subtle.digest(alg, copy));
}

const T_NORMAL = 1;
const T_VMSA = 2;
const T_ZERO = 3;
const T_UNMEASURED = 4;
const T_SECRETS = 5;
const T_CPUID = 6;

/** The SNP launch digest chain, step by step. */
class RefChain {
  current: Uint8Array = new Uint8Array(48);

  /** One PAGE_INFO: digest_cur[48], contents[48], u16 0x70, page_type, 0, 4 × 0, u64 gpa. */
  async page(pageType: number, gpa: bigint, contents?: Uint8Array): Promise<void> {
    const info = new Uint8Array(0x70);
    info.set(this.current, 0x00);
    if (contents) info.set(contents, 0x30);
    info[0x60] = 0x70;
    info[0x61] = 0x00;
    info[0x62] = pageType;
    info[0x63] = 0; // imi_page
    // 0x64..0x67: vmpl permissions / reserved, zero
    for (let i = 0; i < 8; i++) info[0x68 + i] = Number((gpa >> BigInt(8 * i)) & 0xffn);
    this.current = await digest("SHA-384", info);
  }

  async normal(gpa: bigint, data: Uint8Array): Promise<void> {
    await this.page(T_NORMAL, gpa, await digest("SHA-384", data));
  }

  get hex(): string {
    return this.current.toHex();
  }
}

// ---------------------------------------------------------------------------
// Files
// ---------------------------------------------------------------------------

const PAGE = 4096;
const KVM_GPA = 0xfffffffff000n;

function filled(n: number, v: number): Uint8Array {
  return new Uint8Array(n).fill(v);
}

/** A page whose bytes are not all equal (so page hashes differ from trivial ones). */
function pattern(seed: number): Uint8Array {
  const p = new Uint8Array(PAGE);
  for (let i = 0; i < PAGE; i++) p[i] = (i * 31 + seed) & 0xff;
  return p;
}

/** A VMSA page: a few fields set inside the first 1648 bytes, CR0 at 0x158. */
function vmsa(cr0 = 0x31n, seed = 1): Uint8Array {
  const v = new Uint8Array(PAGE);
  for (let i = 0; i < 0x100; i++) v[i] = (i + seed) & 0xff;
  new DataView(v.buffer).setBigUint64(0x158, cr0, true);
  v[0x3b0] = seed; // somewhere in the register area
  return v;
}

/** A page for another compatibility mask: never measured, but gives the file a data section. */
const FILLER = pageData(0xf0000000n, 0x80, filled(PAGE, 0xee));

/** A v1 file: an SEV-SNP platform (mask 1), other platforms, the filler page, then `directives`. */
function snpFile(directives: DirectiveHeader[], others: IgvmFile["platforms"] = []): IgvmFile {
  return {
    revision: { version: 1 },
    platforms: [platform(PlatformType.SEV_SNP, 1), ...others],
    initializations: [],
    directives: [FILLER, ...directives],
  };
}

/** A file whose platform is `type` (mask 1). */
function fileFor(type: number, directives: DirectiveHeader[]): IgvmFile {
  return {
    revision: { version: 1 },
    platforms: [platform(type, 1)],
    initializations: [],
    directives: [FILLER, ...directives],
  };
}

/** Measures the model and the file serialized then parsed; both must agree. */
function measure(model: IgvmFile, options: CoconutOptions = {}) {
  const direct = measureCoconut(model, options);
  const parsed = measureCoconut(parseIgvm(serializeIgvm(model)), options);
  assertEquals(parsed.digest.toHex(), direct.digest.toHex(), "model vs parsed file");
  return parsed;
}

function measureError(model: IgvmFile, options: CoconutOptions): MeasurementError {
  const file = parseIgvm(serializeIgvm(model));
  return assertThrowsMatch(
    () => measureCoconut(file, options),
    MeasurementError,
  ) as MeasurementError;
}

function area(index: number, bytes: bigint): ParameterArea {
  return {
    type: "ParameterArea",
    numberOfBytes: bytes,
    parameterAreaIndex: index,
    initialData: null,
  };
}
function insert(gpa: bigint, mask: number, index: number): ParameterInsert {
  return { type: "ParameterInsert", gpa, compatibilityMask: mask, parameterAreaIndex: index };
}
function idBlock(mask: number, ld: Uint8Array): SnpIdBlock {
  return unsignedIdBlock(ld, mask);
}

const UNMEASURED = 2;
const SHARED = 4;
const IS_2MB = 1;

// ---------------------------------------------------------------------------
// SEV-SNP page types and flags
// ---------------------------------------------------------------------------

Deno.test("measure: normal page with data → NORMAL, SHA-384 of the page", async () => {
  const data = pattern(7);
  const ref = new RefChain();
  await ref.normal(0x1000n, data);
  const m = measure(snpFile([pageData(0x1000n, 1, data)]));
  assertEquals(m.digest.toHex(), ref.hex);
  assertEquals(m.compatibilityMask, 1);
});

Deno.test("measure: several pages chain in directive order", async () => {
  const ref = new RefChain();
  await ref.normal(0x5000n, pattern(1));
  await ref.normal(0x1000n, pattern(2));
  await ref.normal(0x1000n, pattern(1));
  const m = measure(snpFile([
    pageData(0x5000n, 1, pattern(1)),
    pageData(0x1000n, 1, pattern(2)),
    pageData(0x1000n, 1, pattern(1)),
  ]));
  assertEquals(m.digest.toHex(), ref.hex);
});

Deno.test("measure: page without data", async (t) => {
  await t.step("default → NORMAL page of SHA-384(4096 zeros)", async () => {
    const ref = new RefChain();
    await ref.page(T_NORMAL, 0x2000n, await digest("SHA-384", new Uint8Array(PAGE)));
    assertEquals(measure(snpFile([pageData(0x2000n, 1, null)])).digest.toHex(), ref.hex);
  });
  await t.step("nativeZero → ZERO page (type 3), zero contents", async () => {
    const ref = new RefChain();
    await ref.page(T_ZERO, 0x2000n);
    const m = measure(snpFile([pageData(0x2000n, 1, null)]), { nativeZero: true });
    assertEquals(m.digest.toHex(), ref.hex);
  });
  await t.step("nativeZero does not change pages with data, even all-zero data", async () => {
    const ref = new RefChain();
    await ref.normal(0x3000n, new Uint8Array(PAGE));
    const m = measure(snpFile([pageData(0x3000n, 1, new Uint8Array(PAGE))]), { nativeZero: true });
    assertEquals(m.digest.toHex(), ref.hex);
  });
});

Deno.test("measure: unmeasured flag → UNMEASURED (type 4), zero contents", async (t) => {
  await t.step("with data", async () => {
    const ref = new RefChain();
    await ref.page(T_UNMEASURED, 0x4000n);
    const m = measure(snpFile([pageData(0x4000n, 1, pattern(3), UNMEASURED)]));
    assertEquals(m.digest.toHex(), ref.hex);
  });
  await t.step("without data, with and without nativeZero", async () => {
    const ref = new RefChain();
    await ref.page(T_UNMEASURED, 0x4000n);
    const file = snpFile([pageData(0x4000n, 1, null, UNMEASURED)]);
    assertEquals(measure(file).digest.toHex(), ref.hex);
    assertEquals(measure(file, { nativeZero: true }).digest.toHex(), ref.hex);
  });
});

Deno.test("measure: shared flag is ignored", async () => {
  const ref = new RefChain();
  await ref.normal(0x5000n, pattern(4));
  await ref.page(T_NORMAL, 0x6000n, await digest("SHA-384", new Uint8Array(PAGE)));
  const m = measure(snpFile([
    pageData(0x5000n, 1, pattern(4), SHARED),
    pageData(0x6000n, 1, null, SHARED),
  ]));
  assertEquals(m.digest.toHex(), ref.hex);
});

Deno.test("measure: SECRETS page (type 5), zero contents, data ignored", async () => {
  const ref = new RefChain();
  await ref.page(T_SECRETS, 0x7000n);
  await ref.page(T_SECRETS, 0x8000n);
  const m = measure(snpFile([
    pageData(0x7000n, 1, null, 0, 1),
    pageData(0x8000n, 1, pattern(5), 0, 1),
  ]));
  assertEquals(m.digest.toHex(), ref.hex);
});

Deno.test("measure: CPUID_DATA and CPUID_XF pages (type 6)", async () => {
  const ref = new RefChain();
  await ref.page(T_CPUID, 0x9000n);
  await ref.page(T_CPUID, 0xa000n);
  await ref.page(T_CPUID, 0xb000n);
  const m = measure(snpFile([
    pageData(0x9000n, 1, null, 0, 2),
    pageData(0xa000n, 1, null, 0, 3),
    pageData(0xb000n, 1, pattern(6), 0, 2),
  ]));
  assertEquals(m.digest.toHex(), ref.hex);
});

Deno.test("measure: unmeasured flag beats nothing for SECRETS/CPUID (their type wins)", async () => {
  // The original tests the unmeasured flag only for NORMAL pages.
  const ref = new RefChain();
  await ref.page(T_SECRETS, 0x7000n);
  await ref.page(T_CPUID, 0x8000n);
  const m = measure(snpFile([
    pageData(0x7000n, 1, null, UNMEASURED, 1),
    pageData(0x8000n, 1, null, UNMEASURED, 3),
  ]));
  assertEquals(m.digest.toHex(), ref.hex);
});

Deno.test("measure: 2 MiB page without data → 512 consecutive 4 KiB pages", async (t) => {
  const zeroHash = await digest("SHA-384", new Uint8Array(PAGE));
  const base = 0x200000n;
  await t.step("default: 512 NORMAL zero pages", async () => {
    const ref = new RefChain();
    for (let i = 0n; i < 512n; i++) await ref.page(T_NORMAL, base + i * 0x1000n, zeroHash);
    assertEquals(measure(snpFile([pageData(base, 1, null, IS_2MB)])).digest.toHex(), ref.hex);
  });
  await t.step("nativeZero: 512 ZERO pages", async () => {
    const ref = new RefChain();
    for (let i = 0n; i < 512n; i++) await ref.page(T_ZERO, base + i * 0x1000n);
    const m = measure(snpFile([pageData(base, 1, null, IS_2MB)]), { nativeZero: true });
    assertEquals(m.digest.toHex(), ref.hex);
  });
  await t.step("unmeasured: 512 UNMEASURED pages", async () => {
    const ref = new RefChain();
    for (let i = 0n; i < 512n; i++) await ref.page(T_UNMEASURED, base + i * 0x1000n);
    const m = measure(snpFile([pageData(base, 1, null, IS_2MB | UNMEASURED)]));
    assertEquals(m.digest.toHex(), ref.hex);
  });
  await t.step("SECRETS: 512 SECRETS pages", async () => {
    const ref = new RefChain();
    for (let i = 0n; i < 512n; i++) await ref.page(T_SECRETS, base + i * 0x1000n);
    assertEquals(measure(snpFile([pageData(base, 1, null, IS_2MB, 1)])).digest.toHex(), ref.hex);
  });
});

Deno.test("measure: 2 MiB page with data → MeasurementError", () => {
  const e = measureError(snpFile([pageData(0x200000n, 1, pattern(8), IS_2MB)]), {});
  assertOk(e.message.includes("2 MiB"), e.message);
  assertOk(!e.message.includes("\n"));
  assertEquals(e.quoted, false);
});

Deno.test("measure: 2 MiB page with data for another platform is not an error", async () => {
  const ref = new RefChain();
  await ref.normal(0x1000n, pattern(1));
  const m = measure(snpFile([
    pageData(0x200000n, 2, pattern(8), IS_2MB),
    pageData(0x1000n, 1, pattern(1)),
  ]));
  assertEquals(m.digest.toHex(), ref.hex);
});

Deno.test("measure: parameter insert → one UNMEASURED page at its GPA, whatever the area size", async (t) => {
  for (const size of [0x1000n, 0x3000n, 0x200000n]) {
    await t.step(`area of 0x${size.toString(16)} bytes`, async () => {
      const ref = new RefChain();
      await ref.normal(0x1000n, pattern(1));
      await ref.page(T_UNMEASURED, 0x40000n);
      const m = measure(snpFile([
        area(0, size),
        pageData(0x1000n, 1, pattern(1)),
        insert(0x40000n, 1, 0),
      ]));
      assertEquals(m.digest.toHex(), ref.hex);
    });
  }
  await t.step("insert for another platform is skipped", async () => {
    const ref = new RefChain();
    await ref.normal(0x1000n, pattern(1));
    const m = measure(
      snpFile([area(0, 0x1000n), pageData(0x1000n, 1, pattern(1)), insert(0x40000n, 2, 0)]),
    );
    assertEquals(m.digest.toHex(), ref.hex);
  });
});

Deno.test("measure: VMSA → type 2, SHA-384 of the 4 KiB page, at the directive's GPA", async (t) => {
  await t.step("at the KVM GPA", async () => {
    const v = vmsa();
    const ref = new RefChain();
    await ref.normal(0x1000n, pattern(1));
    await ref.page(T_VMSA, KVM_GPA, await digest("SHA-384", v));
    const m = measure(snpFile([pageData(0x1000n, 1, pattern(1)), snpVpContext(KVM_GPA, 1, v)]));
    assertEquals(m.digest.toHex(), ref.hex);
  });
  await t.step("at another GPA", async () => {
    const v = vmsa(0x11n, 3);
    const ref = new RefChain();
    await ref.page(T_VMSA, 0x8fff000n, await digest("SHA-384", v));
    assertEquals(measure(snpFile([snpVpContext(0x8fff000n, 1, v)])).digest.toHex(), ref.hex);
  });
  await t.step("VMSA of another platform (SEV-ES mask) is measured too", async () => {
    const v = vmsa(0x31n, 9);
    const ref = new RefChain();
    await ref.page(T_VMSA, KVM_GPA, await digest("SHA-384", v));
    const file = snpFile([snpVpContext(KVM_GPA, 2, v)], [platform(PlatformType.SEV_ES, 2)]);
    assertEquals(measure(file).digest.toHex(), ref.hex);
  });
  await t.step("VMSA in the middle of the pages stays in directive order", async () => {
    const v = vmsa();
    const ref = new RefChain();
    await ref.normal(0x1000n, pattern(1));
    await ref.page(T_VMSA, KVM_GPA, await digest("SHA-384", v));
    await ref.normal(0x2000n, pattern(2));
    const m = measure(snpFile([
      pageData(0x1000n, 1, pattern(1)),
      snpVpContext(KVM_GPA, 1, v),
      pageData(0x2000n, 1, pattern(2)),
    ]));
    assertEquals(m.digest.toHex(), ref.hex);
  });
});

Deno.test("measure: compatibility mask is an any-bit test", async (t) => {
  await t.step("page mask 0x3 matches platform mask 0x1; page mask 0x2 does not", async () => {
    const ref = new RefChain();
    await ref.normal(0x1000n, pattern(1));
    const m = measure(snpFile([
      pageData(0x1000n, 3, pattern(1)),
      pageData(0x2000n, 2, pattern(2)),
      pageData(0x3000n, 0xfffffffe, pattern(3)),
    ]));
    assertEquals(m.digest.toHex(), ref.hex);
  });
  await t.step("platform with a high mask bit", async () => {
    const ref = new RefChain();
    await ref.normal(0x1000n, pattern(1));
    const file: IgvmFile = {
      revision: { version: 1 },
      platforms: [platform(PlatformType.SEV_SNP, 0x10)],
      initializations: [],
      directives: [pageData(0x1000n, 0xffffffff, pattern(1)), pageData(0x2000n, 0x1, pattern(2))],
    };
    const m = measure(file);
    assertEquals(m.digest.toHex(), ref.hex);
    assertEquals(m.compatibilityMask, 0x10);
  });
  await t.step("nothing matching → 48 zero bytes", () => {
    assertEquals(measure(snpFile([])).digest.toHex(), "00".repeat(48));
  });
});

Deno.test("measure: ID block LD — the last matching one", async (t) => {
  await t.step("two matching: the last wins; a later non-matching one is ignored", () => {
    const m = measure(snpFile([
      pageData(0x1000n, 1, pattern(1)),
      idBlock(1, filled(48, 0xa1)),
      idBlock(3, filled(48, 0xa2)),
      idBlock(2, filled(48, 0xa3)),
    ]));
    assertEquals(m.idBlockLd?.toHex(), "a2".repeat(48));
  });
  await t.step("no ID block → undefined", () => {
    assertEquals(measure(snpFile([pageData(0x1000n, 1, pattern(1))])).idBlockLd, undefined);
  });
  await t.step("only a non-matching ID block → undefined", () => {
    assertEquals(measure(snpFile([idBlock(2, filled(48, 1))])).idBlockLd, undefined);
  });
  await t.step("the ID block does not change the digest", async () => {
    const ref = new RefChain();
    await ref.normal(0x1000n, pattern(1));
    const m = measure(snpFile([idBlock(1, filled(48, 1)), pageData(0x1000n, 1, pattern(1))]));
    assertEquals(m.digest.toHex(), ref.hex);
  });
});

Deno.test("measure: platform missing → MeasurementError, quoted message", async (t) => {
  for (const p of ["sev", "sev-es"] as const) {
    await t.step(`${p} on an SEV-SNP-only file`, () => {
      const e = measureError(snpFile([pageData(0x1000n, 1, pattern(1))]), { platform: p });
      assertEquals(e.message, "IGVM file is not compatible with the specified platform.");
      assertEquals(e.message, NOT_COMPATIBLE);
      assertEquals(e.quoted, true);
    });
  }
  await t.step("sev-snp on an SEV-ES file", () => {
    const e = measureError(fileFor(PlatformType.SEV_ES, []), { platform: "sev-snp" });
    assertEquals(e.message, NOT_COMPATIBLE);
    assertEquals(e.quoted, true);
  });
});

// ---------------------------------------------------------------------------
// SEV and SEV-ES: SHA-256 over the data stream
// ---------------------------------------------------------------------------

function concat(...parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

Deno.test("measure: SEV-ES mode = SHA-256 over matching pages' data and the VMSA", async (t) => {
  const a = pattern(1);
  const b = pattern(2);
  const c = pattern(3);
  const d = pattern(4);
  const v = vmsa();
  const directives: DirectiveHeader[] = [
    area(0, 0x1000n),
    pageData(0x1000n, 1, a), // normal
    pageData(0x2000n, 1, null), // no data: adds nothing
    pageData(0x3000n, 1, b, UNMEASURED), // flags do not matter
    pageData(0x4000n, 1, c, 0, 1), // nor the data type
    pageData(0x5000n, 2, d), // another platform: skipped
    insert(0x6000n, 1, 0), // no data: adds nothing
    pageData(0x200000n, 1, null, IS_2MB), // 512 pages without data: nothing
    snpVpContext(KVM_GPA, 1, v),
  ];
  await t.step("sev-es", async () => {
    const expected = await digest("SHA-256", concat(a, b, c, v));
    const m = measure(fileFor(PlatformType.SEV_ES, directives), { platform: "sev-es" });
    assertEquals(m.digest.length, 32);
    assertEquals(m.digest.toHex(), expected.toHex());
  });
  await t.step("sev-es with nativeZero: same", async () => {
    const expected = await digest("SHA-256", concat(a, b, c, v));
    const m = measure(fileFor(PlatformType.SEV_ES, directives), {
      platform: "sev-es",
      nativeZero: true,
    });
    assertEquals(m.digest.toHex(), expected.toHex());
  });
  await t.step("VMSA for another platform's mask still hashed", async () => {
    const file: IgvmFile = {
      revision: { version: 1 },
      platforms: [platform(PlatformType.SEV_ES, 1), platform(PlatformType.SEV_SNP, 2)],
      initializations: [],
      directives: [
        FILLER,
        pageData(0x1000n, 1, a),
        pageData(0x2000n, 2, b),
        snpVpContext(KVM_GPA, 2, v),
      ],
    };
    const expected = await digest("SHA-256", concat(a, v));
    assertEquals(measure(file, { platform: "sev-es" }).digest.toHex(), expected.toHex());
  });
});

Deno.test("measure: SEV mode = SHA-256 over matching pages' data", async (t) => {
  await t.step("pages with data in order; without data nothing", async () => {
    const a = pattern(10);
    const b = pattern(11);
    const file = fileFor(PlatformType.SEV, [
      pageData(0x1000n, 1, a),
      pageData(0x2000n, 1, null),
      pageData(0x3000n, 1, b, 0, 2),
      pageData(0x4000n, 2, pattern(12)),
    ]);
    const expected = await digest("SHA-256", concat(a, b));
    assertEquals(measure(file, { platform: "sev" }).digest.toHex(), expected.toHex());
  });
  await t.step("no matching data → SHA-256 of nothing", async () => {
    const expected = await digest("SHA-256", new Uint8Array(0));
    const m = measure(fileFor(PlatformType.SEV, [pageData(0x1000n, 1, null)]), { platform: "sev" });
    assertEquals(m.digest.toHex(), expected.toHex());
  });
  await t.step("ID block ignored for the digest; its LD still reported", () => {
    const m = measure(
      fileFor(PlatformType.SEV, [idBlock(1, filled(48, 5)), pageData(0x1000n, 1, pattern(1))]),
      { platform: "sev" },
    );
    assertEquals(m.idBlockLd?.toHex(), "05".repeat(48));
  });
});

// ---------------------------------------------------------------------------
// --check-kvm
// ---------------------------------------------------------------------------

const MSG_COUNT = "More than one VMSA has been provided in the IGVM file. QEMU/KVM only supports " +
  "setting of the VMSA for the first virtual CPU.";
const msgGpa = (gpa: string) =>
  `The GPA for the VMSA (0x${gpa}) does not match the address hardcoded in KVM. KVM will always ` +
  "populate the VMSA at GPA 0xFFFFFFFFF000. The IGVM file must set the GPA for the VMSA to this address.";
const msgCr0 = (cr0: string) =>
  `CR0 in the VMSA in the IGVM file is set to 0x${cr0} instead of 0x31 (protected-mode) or 0x30 ` +
  "(real-mode). The value of CR0 is overridden by KVM during initial measurement. Therefore the " +
  "IGVM file must be configured to match the value set by KVM.";
const MSG_ORDER = "KVM Check failed: The VMSA must be the final page directive in the IGVM file. " +
  "This is because QEMU/KVM measures the VMSA page when the measurement is finalized and not in the " +
  "order specified in the IGVM file. Make sure your IGVM file places the VMSA directive after any " +
  "other measured or unmeasured page directives.";

Deno.test("measure: KVM check — more than one VMSA", () => {
  const file = snpFile([snpVpContext(KVM_GPA, 1, vmsa()), snpVpContext(KVM_GPA, 1, vmsa(), 1)]);
  const e = measureError(file, { checkKvm: true });
  assertEquals(e.message, MSG_COUNT);
  assertEquals(e.quoted, false);
  measure(file); // accepted without the check
});

Deno.test("measure: KVM check — VMSA GPA", async (t) => {
  for (const [gpa, text] of [[0x8fff000n, "0000000008FFF000"], [0n, "0000000000000000"]] as const) {
    await t.step(`GPA 0x${gpa.toString(16)}`, () => {
      const file = snpFile([snpVpContext(gpa, 1, vmsa())]);
      assertEquals(measureError(file, { checkKvm: true }).message, msgGpa(text));
      measure(file);
    });
  }
  await t.step("the count check comes before the GPA check", () => {
    const file = snpFile([snpVpContext(KVM_GPA, 1, vmsa()), snpVpContext(0x1000n, 1, vmsa())]);
    assertEquals(measureError(file, { checkKvm: true }).message, MSG_COUNT);
  });
});

Deno.test("measure: KVM check — CR0", async (t) => {
  for (
    const [cr0, text] of [[0x11n, "11"], [0x1n, "01"], [0x0n, "00"], [
      0x80000031n,
      "80000031",
    ]] as const
  ) {
    await t.step(`CR0 0x${cr0.toString(16)} refused`, () => {
      const file = snpFile([snpVpContext(KVM_GPA, 1, vmsa(cr0))]);
      assertEquals(measureError(file, { checkKvm: true }).message, msgCr0(text));
    });
  }
  for (const cr0 of [0x31n, 0x30n]) {
    await t.step(`CR0 0x${cr0.toString(16)} accepted`, () => {
      measure(snpFile([snpVpContext(KVM_GPA, 1, vmsa(cr0))]), { checkKvm: true });
    });
  }
  await t.step("the GPA check comes before the CR0 check", () => {
    const file = snpFile([snpVpContext(0x1000n, 1, vmsa(0x11n))]);
    assertEquals(measureError(file, { checkKvm: true }).message, msgGpa("0000000000001000"));
  });
});

Deno.test("measure: KVM check — parameter insert after the VMSA", async (t) => {
  await t.step("refused with the 'KVM Check failed:' message", () => {
    const file = snpFile([
      area(0, 0x1000n),
      snpVpContext(KVM_GPA, 1, vmsa()),
      insert(0x1000n, 1, 0),
    ]);
    const e = measureError(file, { checkKvm: true });
    assertEquals(e.message, MSG_ORDER);
    assertEquals(e.quoted, false);
    measure(file);
  });
  await t.step("insert for another platform after the VMSA is not flagged", () => {
    const file = snpFile([
      area(0, 0x1000n),
      snpVpContext(KVM_GPA, 1, vmsa()),
      insert(0x1000n, 2, 0),
    ]);
    measure(file, { checkKvm: true });
  });
  await t.step("insert before the VMSA accepted", () => {
    const file = snpFile([
      area(0, 0x1000n),
      insert(0x1000n, 1, 0),
      snpVpContext(KVM_GPA, 1, vmsa()),
    ]);
    measure(file, { checkKvm: true });
  });
});

Deno.test("measure: KVM check — page data after the VMSA is NOT flagged", async () => {
  const v = vmsa();
  const ref = new RefChain();
  await ref.page(T_VMSA, KVM_GPA, await digest("SHA-384", v));
  await ref.normal(0x1000n, pattern(1));
  await ref.page(T_UNMEASURED, 0x2000n);
  const file = snpFile([
    snpVpContext(KVM_GPA, 1, v),
    pageData(0x1000n, 1, pattern(1)),
    pageData(0x2000n, 1, null, UNMEASURED),
  ]);
  assertEquals(measure(file, { checkKvm: true }).digest.toHex(), ref.hex);
});

Deno.test("measure: KVM checks also apply in SEV-ES mode", () => {
  const file = fileFor(PlatformType.SEV_ES, [snpVpContext(0x1000n, 1, vmsa())]);
  const e = measureError(file, { checkKvm: true, platform: "sev-es" });
  assertEquals(e.message, msgGpa("0000000000001000"));
});

// ---------------------------------------------------------------------------
// Verbose log
// ---------------------------------------------------------------------------

function logOf(file: IgvmFile, options: CoconutOptions = {}): string[] {
  const lines: string[] = [];
  measureCoconut(parseIgvm(serializeIgvm(file)), { ...options, log: (l) => lines.push(l) });
  return lines;
}

Deno.test("measure: verbose log merges runs of one kind at contiguous GPAs", async (t) => {
  const directives: DirectiveHeader[] = [
    area(0, 0x1000n),
    pageData(0x1000n, 1, pattern(1)),
    pageData(0x2000n, 1, null), // Normal (or Zero with -n)
    pageData(0x3000n, 1, null, UNMEASURED),
    insert(0x4000n, 1, 0), // Unmeasured, merges
    pageData(0x6000n, 1, null, 0, 1),
    pageData(0x7000n, 1, null, 0, 2),
    pageData(0x8000n, 1, null, 0, 3),
    pageData(0x9000n, 2, pattern(2)), // other platform: not logged, does not break the run
    pageData(0x20000n, 1, pattern(3)), // not contiguous: new line
    pageData(0x21000n, 1, pattern(4)),
    snpVpContext(KVM_GPA, 1, vmsa()),
  ];
  await t.step("sev-snp", () => {
    assertEquals(logOf(snpFile(directives)), [
      "gpa 0x1000 len 0x2000 (Normal page)",
      "gpa 0x3000 len 0x2000 (Unmeasured page)",
      "gpa 0x6000 len 0x1000 (Secrets page)",
      "gpa 0x7000 len 0x2000 (Cpuid page)",
      "gpa 0x20000 len 0x2000 (Normal page)",
      "gpa 0xfffffffff000 len 0x1000 (VMSA page)",
    ]);
  });
  await t.step("sev-snp with nativeZero", () => {
    assertEquals(logOf(snpFile(directives), { nativeZero: true }), [
      "gpa 0x1000 len 0x1000 (Normal page)",
      "gpa 0x2000 len 0x1000 (Zero page)",
      "gpa 0x3000 len 0x2000 (Unmeasured page)",
      "gpa 0x6000 len 0x1000 (Secrets page)",
      "gpa 0x7000 len 0x2000 (Cpuid page)",
      "gpa 0x20000 len 0x2000 (Normal page)",
      "gpa 0xfffffffff000 len 0x1000 (VMSA page)",
    ]);
  });
  await t.step("sev-es: every page is logged as Normal", () => {
    const file = fileFor(PlatformType.SEV_ES, directives);
    assertEquals(logOf(file, { platform: "sev-es" }), [
      "gpa 0x1000 len 0x4000 (Normal page)",
      "gpa 0x6000 len 0x3000 (Normal page)",
      "gpa 0x20000 len 0x2000 (Normal page)",
      "gpa 0xfffffffff000 len 0x1000 (VMSA page)",
    ]);
  });
  await t.step("2 MiB page: one line of 0x200000", () => {
    assertEquals(logOf(snpFile([pageData(0x200000n, 1, null, IS_2MB)])), [
      "gpa 0x200000 len 0x200000 (Normal page)",
    ]);
  });
  await t.step("same GPA twice: two lines", () => {
    assertEquals(
      logOf(snpFile([pageData(0x1000n, 1, pattern(1)), pageData(0x1000n, 1, pattern(1))])),
      [
        "gpa 0x1000 len 0x1000 (Normal page)",
        "gpa 0x1000 len 0x1000 (Normal page)",
      ],
    );
  });
  await t.step("nothing measured: no lines", () => {
    assertEquals(logOf(snpFile([])), []);
  });
});

// ---------------------------------------------------------------------------
// sev-snp-measure vectors (../shared/vectors/README.md §3)
// ---------------------------------------------------------------------------

const VECTORS = new URL("../../shared/vectors/sev-snp-measure/", import.meta.url);

interface Update {
  page_type: number;
  gpa: string;
  contents: string;
}
interface Sequence {
  initial_launch_digest: string;
  common_updates: Update[];
  final_update_variants: Record<
    string,
    Update & { vmsa_file: string; expected_launch_digest: string }
  >;
}

Deno.test("measure: page_info_sequence.json replayed through SnpDigest", async (t) => {
  const seq: Sequence = JSON.parse(
    Deno.readTextFileSync(new URL("page_info_sequence.json", VECTORS)),
  );
  assertEquals(seq.common_updates.length, 31);
  for (const [name, last] of Object.entries(seq.final_update_variants)) {
    await t.step(name, async () => {
      const d = new SnpDigest(Uint8Array.fromHex(seq.initial_launch_digest));
      const ref = new RefChain();
      ref.current = Uint8Array.fromHex(seq.initial_launch_digest);
      for (const u of [...seq.common_updates, last]) {
        const contents = Uint8Array.fromHex(u.contents);
        d.extend(u.page_type as SnpPageType, BigInt(u.gpa), contents);
        await ref.page(u.page_type, BigInt(u.gpa), contents);
      }
      assertEquals(d.digest.toHex(), last.expected_launch_digest);
      assertEquals(ref.hex, last.expected_launch_digest);
      const vmsaBytes = Deno.readFileSync(new URL(last.vmsa_file, VECTORS));
      assertEquals(vmsaBytes.length, PAGE);
      assertEquals((await digest("SHA-384", vmsaBytes)).toHex(), last.contents);
    });
  }
  await t.step("zero-contents page types need no contents argument", () => {
    const withZeros = new SnpDigest();
    const without = new SnpDigest();
    withZeros.extend(3, 0x800000n, new Uint8Array(48));
    without.extend(3, 0x800000n);
    assertEquals(without.digest, withZeros.digest);
  });
});

Deno.test("measure: ovmf_AmdSev_suffix.bin as one page at GPA 0xFFFFF000 (vector 3.1)", async () => {
  const suffix = Deno.readFileSync(new URL("ovmf_AmdSev_suffix.bin", VECTORS));
  assertEquals(suffix.length, PAGE);
  assertEquals(
    (await digest("SHA-384", suffix)).toHex(),
    "161ace084859674ded7322ad102eb33f49457e0f7845a8f9ad0e03a59eac3e3e360f8b78345363feaeac956ebba2d894",
  );
  const file: IgvmFile = {
    revision: { version: 1 },
    platforms: [platform(PlatformType.SEV_SNP, 1)],
    initializations: [],
    directives: [pageData(0xfffff000n, 1, suffix)],
  };
  const m = measureCoconut(parseIgvm(serializeIgvm(file)));
  assertEquals(
    m.digest.toHex(),
    "086e2e9149ebf45abdc3445fba5b2da8270bdbb04094d7a2c37faaa4b24af3aa16aff8c374c2a55c467a50da6d466b74",
  );
});
