/**
 * The original igvmmeasure's measurement rules (coconut-svsm/svsm
 * `tools/igvmmeasure/src/igvm_measure.rs`): the verbose log, which merges
 * runs of one kind at contiguous GPAs.
 */

import { coconut, type CoconutOptions } from "./measure_helpers.ts";
import { assertEquals } from "./assert.ts";
import { parseIgvm } from "../lib/igvm/parser.ts";
import { serializeIgvm } from "../lib/igvm/serializer.ts";
import { pageData, snpVpContext } from "./builder.ts";
import { PlatformType } from "../lib/igvm/defs.ts";
import type { DirectiveHeader, IgvmFile } from "../lib/igvm/types.ts";
import {
  area,
  fileFor,
  insert,
  IS_2MB,
  KVM_GPA,
  pattern,
  snpFile,
  UNMEASURED,
  vmsa,
} from "./measure_coconut_helpers.ts";

// ---------------------------------------------------------------------------
// Verbose log
// ---------------------------------------------------------------------------

function logOf(file: IgvmFile, options: CoconutOptions = {}): string[] {
  const lines: string[] = [];
  coconut(parseIgvm(serializeIgvm(file)), { ...options, log: (l) => lines.push(l) });
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

Deno.test("measure: a refused check ends the log where the original's does (-c -v)", () => {
  // igvm_measure.rs writes a run when the next page starts another; the second VMSA fails the
  // KVM check before it is logged, so the run of the first VMSA is never written.
  const file = snpFile([
    pageData(0x1000n, 1, pattern(1)),
    snpVpContext(KVM_GPA, 1, vmsa()),
    snpVpContext(KVM_GPA, 1, vmsa(), 1),
  ]);
  const lines: string[] = [];
  let refused = false;
  try {
    coconut(parseIgvm(serializeIgvm(file)), { checkKvm: true, log: (l) => lines.push(l) });
  } catch (e) {
    refused = (e as { reason?: string }).reason === "kvm-check";
  }
  assertEquals(refused, true);
  assertEquals(lines, ["gpa 0x1000 len 0x1000 (Normal page)"]);
});
