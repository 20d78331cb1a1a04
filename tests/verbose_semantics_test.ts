/**
 * `-v` under the igvm-crate rules: the page log shows what each directive
 * contributed (merged runs), and logging does not change the digest.
 */

import { crateTdx, crateVbs, openvmmSnp } from "./measure_helpers.ts";
import { assertEquals } from "./assert.ts";
import { guestPolicy, pageData, platform, snpVpContext } from "./builder.ts";
import { PageDataFlags, PlatformType } from "../lib/igvm/defs.ts";
import type { IgvmFile } from "../lib/igvm/types.ts";

const page = new Uint8Array(4096).fill(0x5a);

function file(platformType: number, withVmsa: boolean): IgvmFile {
  return {
    revision: { version: 1 },
    platforms: [platform(platformType, 0x1)],
    initializations: platformType === PlatformType.SEV_SNP ? [guestPolicy(0x30000n, 0x1)] : [],
    directives: [
      { type: "ParameterArea", numberOfBytes: 0x3000n, parameterAreaIndex: 0, initialData: null },
      { type: "ParameterInsert", gpa: 0x10000n, compatibilityMask: 1, parameterAreaIndex: 0 },
      pageData(0x1000n, 1, page),
      pageData(0x2000n, 1, page),
      pageData(0x3000n, 1, page, PageDataFlags.SHARED),
      pageData(0x4000n, 1, null, PageDataFlags.UNMEASURED),
      ...(withVmsa ? [snpVpContext(0xFFFFFFFFF000n, 1, new Uint8Array(16))] : []),
    ],
  };
}

function logged(fn: (log?: (l: string) => void) => Uint8Array): { lines: string[]; same: boolean } {
  const lines: string[] = [];
  const a = fn((l) => lines.push(l));
  const b = fn();
  return { lines, same: a.toHex() === b.toHex() };
}

Deno.test("-v openvmm SNP: whole parameter area, shared page skipped, VMSA", () => {
  const f = file(PlatformType.SEV_SNP, true);
  const { lines, same } = logged((log) => openvmmSnp(f, undefined, log));
  assertEquals(same, true);
  assertEquals(lines, [
    "gpa 0x10000 len 0x3000 (Unmeasured page)",
    "gpa 0x1000 len 0x2000 (Normal page)",
    "gpa 0x3000 len 0x1000 (Shared (skipped) page)",
    "gpa 0x4000 len 0x1000 (Unmeasured page)",
    "gpa 0xfffffffff000 len 0x1000 (VMSA page)",
  ]);
});

Deno.test("-v TDX: PAGE.ADD-only pages and extended pages", () => {
  const f = file(PlatformType.TDX, false);
  const { lines, same } = logged((log) => crateTdx(f, undefined, log));
  assertEquals(same, true);
  assertEquals(lines, [
    "gpa 0x10000 len 0x3000 (MEM.PAGE.ADD only page)",
    "gpa 0x1000 len 0x2000 (MEM.PAGE.ADD + MR.EXTEND page)",
    "gpa 0x3000 len 0x1000 (Shared (skipped) page)",
    "gpa 0x4000 len 0x1000 (MEM.PAGE.ADD only page)",
  ]);
});

Deno.test("-v VBS: measured and unmeasured chunks", () => {
  const f = file(PlatformType.VSM_ISOLATION, false);
  const { lines, same } = logged((log) => crateVbs(f, undefined, log));
  assertEquals(same, true);
  assertEquals(lines, [
    "gpa 0x10000 len 0x3000 (Unmeasured page)",
    "gpa 0x1000 len 0x2000 (Measured page)",
    "gpa 0x3000 len 0x1000 (Shared (skipped) page)",
    "gpa 0x4000 len 0x1000 (Unmeasured page)",
  ]);
});
