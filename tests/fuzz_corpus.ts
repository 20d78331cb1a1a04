/**
 * Seed files for the fuzzers: the conformance IGVM files and small files
 * built here that reach headers the conformance corpus lacks (VBS, TDX,
 * native, CCA, relocation, parameter areas). The structure-aware mutation
 * operators are in fuzz_mutations.ts; `mutate` is re-exported from here.
 *
 * @module
 */

import { guestPolicy, pageData, platform, snpVpContext, unsignedIdBlock } from "./builder.ts";
import { serializeIgvm } from "../lib/igvm/serializer.ts";
import type { DirectiveHeader, IgvmFile, SnpIdBlock, VbsVpContext } from "../lib/igvm/types.ts";
import { corpusFile, corpusFiles } from "./conformance_helpers.ts";

export { mutate } from "./fuzz_mutations.ts";

/** A seed file. */
export interface Seed {
  readonly name: string;
  readonly bytes: Uint8Array;
}

/**
 * Conformance files, small ones and large ones apart (large ones are used sparingly): the whole
 * corpus when ../shared/conformance is present, else the files bundled in testdata/.
 */
export function conformanceSeeds(): { small: Seed[]; large: Seed[] } {
  const small: Seed[] = [];
  const large: Seed[] = [];
  for (const name of corpusFiles().sort((a, b) => a.localeCompare(b))) {
    const url = corpusFile(`files/${name}`);
    if (url === undefined) continue;
    const bytes = Deno.readFileSync(url);
    (bytes.length > 512 * 1024 ? large : small).push({ name, bytes });
  }
  return { small, large };
}

function page(fill: (p: Uint8Array) => void): Uint8Array {
  const p = new Uint8Array(4096);
  fill(p);
  return p;
}

function idBlock(mask: number): SnpIdBlock {
  return unsignedIdBlock(new Uint8Array(48).fill(0xab), mask);
}

function vbsContext(mask: number, x64: boolean, vtl = 0): VbsVpContext {
  const value = (n: number) => {
    const v = new Uint8Array(16);
    new DataView(v.buffer).setBigUint64(0, BigInt(n), true);
    return v;
  };
  const registers = x64
    ? [
      { name: 0x00020010, value: value(0xfff0) }, // Rip
      { name: 0x00040000, value: value(0x31) }, // Cr0
      { name: 0x00070001, value: value(0x1000) }, // Gdtr
      { name: 0x00060001, value: value(0x9b) }, // Cs
    ]
    : [
      { name: 0x00020022, value: value(0x80000) }, // XPc
      { name: 0x00020000, value: value(1) }, // X0
    ];
  return {
    type: x64 ? "X64VbsVpContext" : "AArch64VbsVpContext",
    vtl,
    registers,
    compatibilityMask: mask,
  };
}

function parameterDirectives(mask: number, index: number, gpa: bigint): DirectiveHeader[] {
  return [
    {
      type: "ParameterArea",
      numberOfBytes: 0x2000n,
      parameterAreaIndex: index,
      initialData: page((p) => p.fill(0x5a, 0, 64)),
    },
    { type: "VpCount", parameterAreaIndex: index, byteOffset: 0 },
    { type: "CommandLine", parameterAreaIndex: index, byteOffset: 16 },
    { type: "ParameterInsert", gpa, compatibilityMask: mask, parameterAreaIndex: index },
    {
      type: "ParameterArea",
      numberOfBytes: 0x1000n,
      parameterAreaIndex: index + 1,
      initialData: null,
    },
    { type: "MemoryMap", parameterAreaIndex: index + 1, byteOffset: 0 },
    {
      type: "ParameterInsert",
      gpa: gpa + 0x10000n,
      compatibilityMask: mask,
      parameterAreaIndex: index + 1,
    },
  ];
}

/** Small files built in code, serialized with the project's serializer. */
export function builtSeeds(): Seed[] {
  const vmsa = page((p) => {
    p[0x158] = 0x31; // CR0
    p[0] = 1;
  });
  const snp: IgvmFile = {
    revision: { version: 1 },
    platforms: [platform(2, 0x1)],
    initializations: [guestPolicy(0x30000n, 0x1)],
    directives: [
      ...parameterDirectives(0x1, 0, 0x80000n),
      pageData(0x1000n, 0x1, page((p) => p.fill(0x11))),
      pageData(0x2000n, 0x1, null),
      pageData(0x200000n, 0x1, null, 0x1), // 2 MiB page without data
      pageData(0x3000n, 0x1, null, 0, 1), // secrets
      pageData(0x4000n, 0x1, page((p) => p.fill(2, 0, 32)), 0, 2), // cpuid
      pageData(0x5000n, 0x1, page((p) => p.fill(0x22)), 0x2), // unmeasured
      pageData(0x6000n, 0x1, page((p) => p.fill(0x33)), 0x4), // shared
      snpVpContext(0xfffffffff000n, 0x1, vmsa),
      idBlock(0x1),
    ],
  };
  const multi: IgvmFile = {
    revision: { version: 1 },
    platforms: [
      platform(2, 0x1),
      platform(3, 0x2),
      platform(1, 0x4, 0n, 2),
      platform(4, 0x8),
      platform(5, 0x10),
      platform(0, 0x20),
    ],
    initializations: [
      guestPolicy(0x30000n, 0x1),
      guestPolicy(0x30000n, 0x18),
      {
        type: "RelocatableRegion",
        compatibilityMask: 0x4,
        relocationAlignment: 0x200000n,
        relocationRegionGpa: 0x1000000n,
        relocationRegionSize: 0x200000n,
        minimumRelocationGpa: 0x200000n,
        maximumRelocationGpa: 0x40000000n,
        isVtl2: false,
        applyRipOffset: true,
        applyGdtrOffset: false,
        vpIndex: 0,
        vtl: 0,
      },
      {
        type: "PageTableRelocationRegion",
        compatibilityMask: 0x4,
        gpa: 0x2000000n,
        size: 0x10000n,
        usedSize: 0x3000n,
        vpIndex: 0,
        vtl: 0,
      },
    ],
    directives: [
      ...parameterDirectives(0x3f, 3, 0x90000n),
      pageData(0x1000n, 0x3f, page((p) => p.fill(0x44))),
      pageData(0x2000n, 0x3f, null),
      pageData(0x3000n, 0x3f, page((p) => p.fill(0x55)), 0x2),
      pageData(0x4000n, 0x1, null, 0, 1),
      {
        type: "RequiredMemory",
        gpa: 0x100000n,
        compatibilityMask: 0x3f,
        numberOfBytes: 0x4000,
        vtl2Protectable: true,
      },
      vbsContext(0x4, true),
      {
        type: "X64NativeVpContext",
        compatibilityMask: 0x20,
        vpIndex: 0,
        context: page((p) => p[0] = 9).slice(0, 232),
      },
      {
        type: "X64NativeVpContext",
        compatibilityMask: 0x8,
        vpIndex: 0,
        context: new Uint8Array(232),
      },
      snpVpContext(0xfffffffff000n, 0x10, vmsa),
      snpVpContext(0xfffffffff000n, 0x1, vmsa),
      {
        type: "VbsMeasurement",
        compatibilityMask: 0x4,
        version: 1,
        productId: 2,
        moduleId: 3,
        securityVersion: 4,
        policyFlags: 0,
        bootDigestAlgo: 1,
        signingAlgo: 1,
        bootMeasurementDigest: new Uint8Array(64),
        signature: new Uint8Array(256),
        publicKey: new Uint8Array(512),
      },
    ],
  };
  const arm: IgvmFile = {
    revision: { version: 2, arch: 1, pageSize: 4096 },
    platforms: [platform(6, 0x1), platform(1, 0x2)],
    initializations: [{
      type: "CcaPolicy",
      compatibilityMask: 0x1,
      attributesRequiredZeroes: 0x1n,
      attributesRequiredOnes: 0x2n,
      hashAlgorithm: 0,
      lfaPolicy: 0,
    }],
    directives: [
      ...parameterDirectives(0x3, 0, 0x80000n),
      pageData(0x1000n, 0x3, page((p) => p.fill(0x66))),
      {
        type: "AArch64CcaVpContext",
        compatibilityMask: 0x1,
        vpIndex: 0,
        context: new Uint8Array(80).fill(1),
      },
      vbsContext(0x2, false),
    ],
  };
  const tdx: IgvmFile = {
    revision: { version: 2, arch: 0, pageSize: 4096 },
    platforms: [platform(3, 0x1), platform(2, 0x2)],
    initializations: [guestPolicy(0x30000n, 0x2)],
    directives: [
      ...parameterDirectives(0x3, 7, 0xa0000n),
      pageData(0x1000n, 0x3, page((p) => p.fill(0x77))),
      pageData(0x2000n, 0x1, null, 0x2),
      snpVpContext(0xfffffffff000n, 0x2, vmsa),
    ],
  };
  return [
    { name: "built-snp", bytes: serializeIgvm(snp) },
    { name: "built-multi", bytes: serializeIgvm(multi) },
    { name: "built-aarch64", bytes: serializeIgvm(arm) },
    { name: "built-tdx-v2", bytes: serializeIgvm(tdx) },
  ];
}
