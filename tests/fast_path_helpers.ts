/**
 * Shared by the fast-path tests: a file with every page kind, the AMD options
 * and file-source settings they run under, and small file helpers.
 */

import { coconut, type CoconutOptions } from "./measure_helpers.ts";
import { guestPolicy, pageData, platform, snpVpContext } from "./builder.ts";
import { PageDataFlags, PageDataType, PlatformType } from "../lib/igvm/defs.ts";
import { parseIgvm } from "../lib/igvm/parser.ts";
import type { DirectiveHeader, IgvmFile } from "../lib/igvm/types.ts";
import { type FileSourceOptions, openFileSource } from "../lib/cli/file_source.ts";

export const SNP = 0x1;
const SEV_ES = 0x2;
const TDX = 0x4;
const SEV = 0x8;

/** Deterministic page contents; `seed` picks one of a few (so the serializer deduplicates some). */
export function page(seed: number): Uint8Array {
  const p = new Uint8Array(4096);
  let x = (seed * 2654435761) >>> 0 || 1;
  for (let i = 0; i < p.length; i++) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    p[i] = x & 0xff;
  }
  return p;
}

/** A file with every page kind, for SNP, SEV-ES, TDX and SEV, with `n` data pages. */
export function everyKind(n: number): IgvmFile {
  const d: DirectiveHeader[] = [
    { type: "ParameterArea", numberOfBytes: 8192n, parameterAreaIndex: 0, initialData: null },
    { type: "VpCount", parameterAreaIndex: 0, byteOffset: 0 },
    { type: "ParameterInsert", gpa: 0x9000n, compatibilityMask: SNP, parameterAreaIndex: 0 },
  ];
  let gpa = 0x100000n;
  const all = SNP | SEV_ES | TDX | SEV;
  for (let i = 0; i < n; i++, gpa += 0x1000n) {
    const mask = i % 7 === 3 ? SEV_ES : i % 11 === 5 ? TDX : i % 17 === 7 ? SEV | SNP : all;
    switch (i % 13) {
      case 1:
        d.push(pageData(gpa, mask, null)); // zero page
        break;
      case 2:
        d.push(pageData(gpa, mask, page(i), PageDataFlags.UNMEASURED));
        break;
      case 4:
        d.push(pageData(gpa, mask, null, 0, PageDataType.SECRETS));
        break;
      case 6:
        d.push(pageData(gpa, mask, null, 0, PageDataType.CPUID_DATA));
        break;
      case 8:
        d.push(pageData(gpa, mask, page(i), 0, PageDataType.CPUID_XF));
        break;
      case 9:
        d.push(pageData(gpa, mask, page(i % 5))); // repeated contents: shared file data
        break;
      case 10:
        d.push(pageData(gpa, mask, new Uint8Array(4096))); // zeros stored as data
        break;
      case 11:
        d.push(pageData(gpa, mask, page(i), PageDataFlags.SHARED)); // the crate skips these
        break;
      case 12:
        if (i % 3 === 0) {
          gpa = (gpa + 0x1fffffn) & ~0x1fffffn;
          d.push(pageData(gpa, mask, null, PageDataFlags.IS_2MB_PAGE));
          gpa += 0x1ff000n;
          break;
        }
        d.push(pageData(gpa, mask, page(i)));
        break;
      default:
        d.push(pageData(gpa, mask, page(i)));
    }
  }
  const vmsa = new Uint8Array(4096);
  const v = new DataView(vmsa.buffer);
  v.setBigUint64(0x158, 0x31n, true);
  v.setBigUint64(0x3b0, 0x1n, true);
  d.push(snpVpContext(0xFFFFFFFFF000n, SNP, vmsa));
  d.push(snpVpContext(0xFFFFFFFFF000n, SEV_ES, vmsa, 1));
  d.push(snpVpContext(0xFFFFFFFFF000n, SNP, page(99), 1));
  return {
    revision: { version: 1 },
    platforms: [
      platform(PlatformType.SEV_SNP, SNP),
      platform(PlatformType.SEV_ES, SEV_ES),
      platform(PlatformType.TDX, TDX),
      platform(PlatformType.SEV, SEV),
    ],
    initializations: [guestPolicy(0x30000n, SNP)],
    directives: d,
  };
}

export const OPTIONS: [string, CoconutOptions][] = [
  ["sev-snp", { platform: "sev-snp" }],
  ["sev-snp -n", { platform: "sev-snp", nativeZero: true }],
  ["sev-es", { platform: "sev-es" }],
  ["sev", { platform: "sev" }],
];

/** Fast-path settings: window only, threads with the main thread alone, with workers. */
export const SOURCES: [string, FileSourceOptions][] = [
  ["windowed reads, pages hashed in place", { hashAhead: false }],
  ["main thread batches (below the worker threshold)", { parallelThreshold: Infinity }],
  ["main thread jobs", { parallelThreshold: 0, workers: 0 }],
  ["1 worker", { parallelThreshold: 0, workers: 1 }],
  ["3 workers", { parallelThreshold: 0, workers: 3 }],
];

/** Measures the file at `path` as the CLI does: through a file source and its page hashes. */
export function measureFile(path: string, source: FileSourceOptions, options: CoconutOptions) {
  const src = openFileSource(path, source);
  try {
    return coconut(parseIgvm(src), { ...options, pageHashes: src.pageHashes });
  } catch (e) {
    return e as Error;
  } finally {
    src.close();
  }
}

/** Writes `bytes` to a new file beside `path` and renames it over `path` (an atomic replacement). */
export function replaceAtomically(path: string, bytes: Uint8Array): void {
  Deno.writeFileSync(path + ".new", bytes);
  Deno.renameSync(path + ".new", path);
}
