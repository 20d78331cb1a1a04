/**
 * The structure declarations the parser and the writer share (lib/igvm/structs.ts):
 * each has the size `size_of` gives in microsoft/igvm igvm_defs (literal values
 * below, read from the Rust definitions), its fields tile it exactly, and a file
 * holding every header type the writer supports, with a distinct value in each
 * field, reads back field for field after a write.
 */

import { assertEquals, assertOk } from "./assert.ts";
import { pageData, platform } from "./builder.ts";
import { PageDataFlags, PageDataType, PlatformType } from "../lib/igvm/defs.ts";
import { HEADERS, PARAMETER_KINDS } from "../lib/igvm/header_types.ts";
import { parseIgvm } from "../lib/igvm/parser.ts";
import { serializeIgvm } from "../lib/igvm/serializer.ts";
import { type Payload, readPayload } from "../lib/igvm/source.ts";
import type { Struct } from "../lib/igvm/layout.ts";
import { STRUCTS } from "../lib/igvm/structs.ts";
import type { DirectiveHeader, IgvmFile, InitializationHeader } from "../lib/igvm/types.ts";

/** `size_of` each igvm_defs structure (and the crate's VBS register structures). */
const CRATE_SIZES: Record<string, number> = {
  IGVM_FIXED_HEADER: 24,
  IGVM_FIXED_HEADER_V2: 32,
  IGVM_VHS_VARIABLE_HEADER: 8,
  IGVM_VHS_SUPPORTED_PLATFORM: 16,
  IGVM_VHS_GUEST_POLICY: 16,
  IGVM_VHS_RELOCATABLE_REGION: 48,
  IGVM_VHS_PAGE_TABLE_RELOCATION: 32,
  IGVM_VHS_CORIM_DATA: 16,
  IGVM_VHS_CCA_POLICY: 32,
  IGVM_VHS_PARAMETER_AREA: 16,
  IGVM_VHS_PAGE_DATA: 24,
  IGVM_VHS_PARAMETER_INSERT: 16,
  IGVM_VHS_PARAMETER: 8,
  IGVM_VHS_VP_CONTEXT: 20,
  IGVM_VHS_REQUIRED_MEMORY: 24,
  IGVM_VHS_ERROR_RANGE: 16,
  IGVM_VHS_SNP_ID_BLOCK_SIGNATURE: 144,
  IGVM_VHS_SNP_ID_BLOCK_PUBLIC_KEY: 152,
  IGVM_VHS_SNP_ID_BLOCK: 696,
  IGVM_VHS_VBS_MEASUREMENT: 864,
  VbsVpContextHeader: 4,
  VbsVpContextRegister: 32,
};

const WIDTHS = { u8: 1, u16: 2, u32: 4, u64: 8 } as const;

Deno.test("structs: every structure has the crate's size", () => {
  assertEquals(
    Object.fromEntries(STRUCTS.map((s) => [s.name, s.size])),
    CRATE_SIZES,
  );
});

Deno.test("structs: the fields of each structure tile it exactly, and flag bits fit their field", () => {
  for (const s of STRUCTS as readonly Struct[]) {
    const fields = Object.entries(s.fields).sort(([, a], [, b]) => a.at - b.at);
    let next = 0;
    for (const [name, f] of fields) {
      assertEquals(f.at, next, `${s.name}.${name} starts where the previous field ends`);
      if (f.width !== "bytes") assertEquals(f.size, WIDTHS[f.width], `${s.name}.${name} width`);
      for (const [bit, mask] of Object.entries(f.bits ?? {})) {
        assertOk(mask > 0 && (mask & (mask - 1)) === 0, `${s.name}.${name}.${bit} is one bit`);
        assertOk(mask < 2 ** (8 * f.size), `${s.name}.${name}.${bit} fits the field`);
      }
      next = f.at + f.size;
    }
    assertEquals(next, s.size, `${s.name}: fields cover the structure`);
  }
});

Deno.test("header types: platform, initialization and directive types are in their ranges", () => {
  const initialization = [
    "GuestPolicy",
    "RelocatableRegion",
    "PageTableRelocationRegion",
    "CorimDocument",
    "CorimSignature",
    "CcaPolicy",
  ];
  const range = (model: string): [number, number] =>
    model === "SupportedPlatform"
      ? [0x1, 0x100]
      : initialization.includes(model)
      ? [0x101, 0x200]
      : [0x301, 0x400];
  for (const [model, record] of Object.entries(HEADERS)) {
    const [lo, hi] = range(model);
    assertOk(record.type >= lo && record.type <= hi, `${model} type 0x${record.type.toString(16)}`);
  }
  assertEquals(PARAMETER_KINDS.size, 10);
});

// A file with every header the writer supports, each field a value of its own.
const bytesOf = (n: number, seed: number) =>
  Uint8Array.from({ length: n }, (_, i) => (seed + i * 7) & 0xff || 1);
const u64Register = (seed: number) => {
  const v = bytesOf(16, seed);
  v.fill(0, 8); // the crate keeps 8 bytes of a u64 register
  return v;
};

const X64_FILE: IgvmFile = {
  revision: { version: 1 },
  platforms: [
    platform(PlatformType.VSM_ISOLATION, 0x1, 0n, 2),
    platform(PlatformType.SEV_SNP, 0x2, 0x8000_0000_0000n),
    platform(PlatformType.NATIVE, 0x4),
  ],
  initializations: [
    { type: "GuestPolicy", policy: 0x1234_5678_9abc_def0n, compatibilityMask: 0x2 },
    {
      type: "RelocatableRegion",
      compatibilityMask: 0x1,
      relocationAlignment: 0x20_0000n,
      relocationRegionGpa: 0x40_0000n,
      relocationRegionSize: 0x3000n,
      minimumRelocationGpa: 0x20_0000n,
      maximumRelocationGpa: 0x4000_0000n,
      isVtl2: true,
      applyRipOffset: false,
      applyGdtrOffset: true,
      vpIndex: 0,
      vtl: 2,
    },
    {
      type: "PageTableRelocationRegion",
      compatibilityMask: 0x1,
      gpa: 0x80_0000n,
      size: 0x4000n,
      usedSize: 0x2000n,
      vpIndex: 0,
      vtl: 2,
    },
    { type: "CorimDocument", compatibilityMask: 0x2, data: bytesOf(100, 3) },
    { type: "CorimSignature", compatibilityMask: 0x2, data: bytesOf(50, 5) },
  ],
  directives: [
    {
      type: "ParameterArea",
      numberOfBytes: 0x2000n,
      parameterAreaIndex: 3,
      initialData: bytesOf(0x2000, 9),
    },
    ...[...PARAMETER_KINDS.values()].map((kind, i) => ({
      type: kind,
      parameterAreaIndex: 3,
      byteOffset: 8 * i + 8,
    })),
    { type: "ParameterInsert", gpa: 0x900_0000n, compatibilityMask: 0x2, parameterAreaIndex: 3 },
    pageData(0x1000n, 0x2, bytesOf(4096, 11), PageDataFlags.UNMEASURED, PageDataType.CPUID_DATA),
    {
      type: "RequiredMemory",
      gpa: 0x2000n,
      compatibilityMask: 0x1,
      numberOfBytes: 0x3000,
      vtl2Protectable: true,
    },
    {
      type: "SnpVpContext",
      gpa: 0xffff_f000n,
      compatibilityMask: 0x2,
      vpIndex: 1,
      vmsa: bytesOf(4096, 13),
    },
    { type: "X64NativeVpContext", compatibilityMask: 0x4, vpIndex: 3, context: bytesOf(232, 17) },
    {
      type: "X64VbsVpContext",
      vtl: 2,
      compatibilityMask: 0x1,
      registers: [
        { name: 0x00020010, value: u64Register(19) }, // Rip
        { name: 0x00060001, value: bytesOf(16, 23) }, // Cs (all 16 bytes kept)
      ],
    },
    {
      type: "SnpIdBlock",
      compatibilityMask: 0x2,
      authorKeyEnabled: 1,
      reserved: bytesOf(3, 29),
      ld: bytesOf(48, 31),
      familyId: bytesOf(16, 37),
      imageId: bytesOf(16, 41),
      version: 1,
      guestSvn: 0x0102_0304,
      idKeyAlgorithm: 1,
      authorKeyAlgorithm: 2,
      idKeySignature: bytesOf(144, 43),
      idPublicKey: bytesOf(152, 47),
      authorKeySignature: bytesOf(144, 53),
      authorPublicKey: bytesOf(152, 59),
    },
    {
      type: "VbsMeasurement",
      compatibilityMask: 0x1,
      version: 1,
      productId: 2,
      moduleId: 3,
      securityVersion: 4,
      policyFlags: 5,
      bootDigestAlgo: 6,
      signingAlgo: 7,
      bootMeasurementDigest: bytesOf(64, 61),
      signature: bytesOf(256, 67),
      publicKey: bytesOf(512, 71),
    },
  ],
};

const AARCH64_FILE: IgvmFile = {
  revision: { version: 2, arch: 1, pageSize: 4096 },
  platforms: [platform(PlatformType.CCA, 0x1), platform(PlatformType.VSM_ISOLATION, 0x2)],
  initializations: [{
    type: "CcaPolicy",
    compatibilityMask: 0x1,
    attributesRequiredZeroes: 0xf0n,
    attributesRequiredOnes: 0x0fn,
    hashAlgorithm: 1,
    lfaPolicy: 2,
  }],
  directives: [
    pageData(0x1000n, 0x3, bytesOf(4096, 73)),
    { type: "AArch64CcaVpContext", compatibilityMask: 0x1, vpIndex: 5, context: bytesOf(80, 79) },
    {
      type: "AArch64VbsVpContext",
      vtl: 0,
      compatibilityMask: 0x2,
      registers: [{ name: 0x00020022, value: u64Register(83) }], // XPc
    },
  ],
};

/** A header with each payload replaced by its bytes (as written, padded to the size on disk). */
function contents(h: InitializationHeader | DirectiveHeader, file: IgvmFile): unknown {
  const read = (p: Payload | null) => p === null ? null : [...readPayload(p, file.source)];
  switch (h.type) {
    case "CorimDocument":
    case "CorimSignature":
      return { ...h, data: read(h.data) };
    case "PageData":
      return { ...h, data: read(h.data) };
    case "ParameterArea":
      return { ...h, initialData: read(h.initialData) };
    case "SnpVpContext":
      return { ...h, vmsa: read(h.vmsa) };
    default:
      return h;
  }
}

for (const [name, file] of [["x64", X64_FILE], ["AArch64", AARCH64_FILE]] as const) {
  Deno.test(`codecs: every field of every header survives a write and a read (${name})`, () => {
    const parsed = parseIgvm(serializeIgvm(file));
    assertEquals(parsed.revision, file.revision);
    assertEquals(parsed.platforms, file.platforms);
    assertEquals(
      parsed.initializations.map((h) => contents(h, parsed)),
      file.initializations.map((h) => contents(h, file)),
    );
    assertEquals(
      parsed.directives.map((h) => contents(h, parsed)),
      file.directives.map((h) => contents(h, file)),
    );
  });
}
