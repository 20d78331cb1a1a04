/**
 * Files the IGVM parser accepts: v2 x64, ERROR_RANGE, and every header type
 * round-tripping parse → serialize → parse.
 */

import { assertEquals } from "./assert.ts";
import { parseIgvm } from "../lib/igvm/parser.ts";
import { serializeIgvm } from "../lib/igvm/serializer.ts";
import { pageData, platform, snpVpContext } from "./builder.ts";
import { PlatformType } from "../lib/igvm/defs.ts";
import { readPayload } from "../lib/igvm/source.ts";
import type {
  DirectiveHeader,
  IgvmFile,
  IgvmSource,
  InitializationHeader,
  SnpIdBlock,
  VbsMeasurement,
} from "../lib/igvm/types.ts";
import {
  assemble,
  errRange,
  HV_X64_REGISTER_RIP,
  page,
  plat,
  policy,
  SNP,
  withDirectives,
} from "./parser_helpers.ts";

// ---------------------------------------------------------------------------
// Accepted files
// ---------------------------------------------------------------------------

Deno.test("parser: v2 x64 file accepted", () => {
  const bytes = assemble((ds) => [plat(1, SNP), policy(0x30000n, 1), page(0n, 1, ds)], {
    version: 2,
    arch: 0,
  });
  const f = parseIgvm(bytes);
  assertEquals(f.revision, { version: 2, arch: 0, pageSize: 4096 });
  assertEquals([f.platforms.length, f.initializations.length, f.directives.length], [1, 1, 1]);
  // And it round-trips byte for byte.
  assertEquals(serializeIgvm(f), bytes);
});

Deno.test("parser: ERROR_RANGE (which the serializer cannot write) parses", () => {
  const f = parseIgvm(withDirectives(errRange(0x5000n, 1, 0x2000)));
  assertEquals(f.directives[1], {
    type: "ErrorRange",
    gpa: 0x5000n,
    compatibilityMask: 1,
    sizeBytes: 0x2000,
  });
});

/** Replaces payloads by their bytes (hex) so headers of two parses compare equal. */
function normalize(x: unknown, source: IgvmSource | undefined): unknown {
  if (x instanceof Uint8Array) return x.toHex();
  if (typeof x !== "object" || x === null) return x;
  const keys = Object.keys(x);
  if (keys.length === 2 && "offset" in x && "length" in x) {
    return readPayload(x as { offset: number; length: number }, source).toHex();
  }
  return Object.fromEntries(
    keys.map((k) => [k, normalize((x as Record<string, unknown>)[k], source)]),
  );
}

function filled(n: number, v: number): Uint8Array {
  return new Uint8Array(n).fill(v);
}

const ID_BLOCK: SnpIdBlock = {
  type: "SnpIdBlock",
  compatibilityMask: 2,
  authorKeyEnabled: 1,
  reserved: new Uint8Array(3),
  ld: filled(48, 0x11),
  familyId: filled(16, 0x22),
  imageId: filled(16, 0x33),
  version: 1,
  guestSvn: 7,
  idKeyAlgorithm: 1,
  authorKeyAlgorithm: 1,
  idKeySignature: filled(144, 0x44),
  idPublicKey: filled(152, 0x55),
  authorKeySignature: filled(144, 0x66),
  authorPublicKey: filled(152, 0x77),
};

const VBS_MEASUREMENT: VbsMeasurement = {
  type: "VbsMeasurement",
  compatibilityMask: 1,
  version: 1,
  productId: 2,
  moduleId: 3,
  securityVersion: 4,
  policyFlags: 5,
  bootDigestAlgo: 6,
  signingAlgo: 7,
  bootMeasurementDigest: filled(64, 0x88),
  signature: filled(256, 0x99),
  publicKey: filled(512, 0xaa),
};

/** x64 file: VSM (mask 1), SEV-SNP (mask 2), NATIVE (mask 4); a page of data first. */
function x64File(inits: InitializationHeader[], directives: DirectiveHeader[]): IgvmFile {
  return {
    revision: { version: 1 },
    platforms: [
      platform(PlatformType.VSM_ISOLATION, 1, 0n, 2),
      platform(PlatformType.SEV_SNP, 2, 1n << 46n),
      platform(PlatformType.NATIVE, 4),
    ],
    initializations: inits,
    directives: [pageData(0n, 7, filled(4096, 0x5a)), ...directives],
  };
}

function roundTrip(model: IgvmFile, expectTypes: string[]): void {
  const bytes1 = serializeIgvm(model);
  const f1 = parseIgvm(bytes1);
  const bytes2 = serializeIgvm(f1);
  assertEquals(bytes2, bytes1, "serialize(parse(bytes)) == bytes");
  const f2 = parseIgvm(bytes2);
  const all = (f: IgvmFile) => [...f.initializations, ...f.directives];
  assertEquals(all(f1).map((x) => x.type), expectTypes);
  assertEquals(normalize(all(f2), f2.source), normalize(all(f1), f1.source));
  assertEquals(normalize(f1.platforms, undefined), normalize(model.platforms, undefined));
}

Deno.test("parser: every header type round-trips parse → serialize → parse", async (t) => {
  const vbsRegs = [{
    name: HV_X64_REGISTER_RIP,
    value: (() => {
      const v = new Uint8Array(16);
      v[0] = 0x10;
      return v;
    })(),
  }];
  const x64Cases: Array<[string, InitializationHeader[], DirectiveHeader[], string[]]> = [
    ["PageData (with data, without data, flags and types)", [], [
      pageData(0x1000n, 2, filled(4096, 1), 0, 0),
      pageData(0x2000n, 2, null, 1, 0),
      pageData(0x3000n, 2, null, 2, 1),
      pageData(0x4000n, 2, null, 4, 2),
      pageData(0x5000n, 2, filled(4096, 2), 0, 3),
    ], ["PageData", "PageData", "PageData", "PageData", "PageData", "PageData"]],
    ["ParameterArea and ParameterInsert", [], [
      { type: "ParameterArea", numberOfBytes: 0x2000n, parameterAreaIndex: 0, initialData: null },
      {
        type: "ParameterArea",
        numberOfBytes: 0x1000n,
        parameterAreaIndex: 1,
        initialData: filled(4096, 3),
      },
      { type: "ParameterInsert", gpa: 0x10000n, compatibilityMask: 2, parameterAreaIndex: 0 },
      { type: "ParameterInsert", gpa: 0x20000n, compatibilityMask: 2, parameterAreaIndex: 1 },
    ], ["PageData", "ParameterArea", "ParameterArea", "ParameterInsert", "ParameterInsert"]],
    ["RequiredMemory", [], [
      {
        type: "RequiredMemory",
        gpa: 0x100000n,
        compatibilityMask: 1,
        numberOfBytes: 0x3000,
        vtl2Protectable: true,
      },
      {
        type: "RequiredMemory",
        gpa: 0x200000n,
        compatibilityMask: 2,
        numberOfBytes: 0x1000,
        vtl2Protectable: false,
      },
    ], ["PageData", "RequiredMemory", "RequiredMemory"]],
    ["SnpVpContext", [], [snpVpContext(0xfffffffff000n, 2, filled(4096, 9), 0)], [
      "PageData",
      "SnpVpContext",
    ]],
    ["X64NativeVpContext", [], [
      { type: "X64NativeVpContext", compatibilityMask: 4, vpIndex: 0, context: filled(232, 0x31) },
    ], ["PageData", "X64NativeVpContext"]],
    ["X64VbsVpContext", [], [
      { type: "X64VbsVpContext", vtl: 2, registers: vbsRegs, compatibilityMask: 1 },
    ], ["PageData", "X64VbsVpContext"]],
    ["SnpIdBlock", [], [ID_BLOCK], ["PageData", "SnpIdBlock"]],
    ["VbsMeasurement", [], [VBS_MEASUREMENT], ["PageData", "VbsMeasurement"]],
    ["GuestPolicy", [{ type: "GuestPolicy", policy: 0x30000n, compatibilityMask: 2 }], [], [
      "GuestPolicy",
      "PageData",
    ]],
    [
      "RelocatableRegion and PageTableRelocationRegion",
      [
        {
          type: "RelocatableRegion",
          compatibilityMask: 1,
          relocationAlignment: 0x200000n,
          relocationRegionGpa: 0x200000n,
          relocationRegionSize: 0x200000n,
          minimumRelocationGpa: 0x200000n,
          maximumRelocationGpa: 0x40000000n,
          isVtl2: true,
          applyRipOffset: true,
          applyGdtrOffset: false,
          vpIndex: 0,
          vtl: 2,
        },
        {
          type: "PageTableRelocationRegion",
          compatibilityMask: 1,
          gpa: 0x10000n,
          size: 0x8000n,
          usedSize: 0x2000n,
          vpIndex: 0,
          vtl: 2,
        },
      ],
      [{ type: "X64VbsVpContext", vtl: 2, registers: vbsRegs, compatibilityMask: 1 }],
      [
        "RelocatableRegion",
        "PageTableRelocationRegion",
        "PageData",
        "X64VbsVpContext",
      ],
    ],
    [
      "CorimDocument and CorimSignature",
      [
        { type: "CorimDocument", compatibilityMask: 2, data: filled(100, 0xc0) },
        { type: "CorimSignature", compatibilityMask: 2, data: filled(60, 0xc1) },
      ],
      [],
      ["CorimDocument", "CorimSignature", "PageData"],
    ],
  ];
  const kinds = [
    "VpCount",
    "EnvironmentInfo",
    "Srat",
    "Madt",
    "Slit",
    "Pptt",
    "MmioRanges",
    "MemoryMap",
    "CommandLine",
    "DeviceTree",
  ] as const;
  for (const kind of kinds) {
    x64Cases.push([kind, [], [
      { type: "ParameterArea", numberOfBytes: 0x1000n, parameterAreaIndex: 5, initialData: null },
      { type: kind, parameterAreaIndex: 5, byteOffset: 0x10 },
      { type: "ParameterInsert", gpa: 0x30000n, compatibilityMask: 3, parameterAreaIndex: 5 },
    ], ["PageData", "ParameterArea", kind, "ParameterInsert"]]);
  }
  for (const [name, inits, directives, types] of x64Cases) {
    await t.step(name, () => roundTrip(x64File(inits, directives), types));
  }
  await t.step("AArch64: CcaPolicy, AArch64CcaVpContext, AArch64VbsVpContext", () => {
    const model: IgvmFile = {
      revision: { version: 2, arch: 1, pageSize: 4096 },
      platforms: [platform(PlatformType.CCA, 1), platform(PlatformType.VSM_ISOLATION, 2)],
      initializations: [{
        type: "CcaPolicy",
        compatibilityMask: 1,
        attributesRequiredZeroes: 0xf0n,
        attributesRequiredOnes: 0x0fn,
        hashAlgorithm: 1,
        lfaPolicy: 2,
      }],
      directives: [
        pageData(0n, 3, filled(4096, 0x5a)),
        {
          type: "AArch64CcaVpContext",
          compatibilityMask: 1,
          vpIndex: 0,
          context: filled(80, 0x42),
        },
        {
          type: "AArch64VbsVpContext",
          vtl: 0,
          registers: [{ name: 0x00020022, value: filled(16, 0) }],
          compatibilityMask: 2,
        },
      ],
    };
    roundTrip(model, ["CcaPolicy", "PageData", "AArch64CcaVpContext", "AArch64VbsVpContext"]);
  });
  await t.step("field values survive (SNP ID block, VBS measurement, page data)", () => {
    const model = x64File([], [
      ID_BLOCK,
      VBS_MEASUREMENT,
      pageData(0x7000n, 2, filled(4096, 4), 4, 1),
    ]);
    const f = parseIgvm(serializeIgvm(model));
    assertEquals(normalize(f.directives, f.source), normalize(model.directives, undefined));
  });
});
