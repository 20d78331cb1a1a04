/**
 * Plans merge page records that continue each other (`RecordList`): which
 * records merge, and that folding a merged plan gives what folding the
 * records a rule set emits, one by one and unmerged, gives: the digest, the
 * verbose log and every progress call; for the conformance OVMF file, the
 * digest and log the original printed (testdata/conformance/expected.json).
 */

import { assertEquals, assertOk } from "./assert.ts";
import {
  type MeasurementRecord,
  type PageRecord,
  pages,
  RecordList,
} from "../lib/measure/records.ts";
import { foldPlan } from "../lib/measure/engine.ts";
import type { RuleSet } from "../lib/measure/rule_set.ts";
import { COCONUT_SEV, COCONUT_SNP } from "../lib/measure/coconut_rules.ts";
import { OPENVMM_SNP } from "../lib/measure/openvmm_snp_rules.ts";
import { CRATE_TDX } from "../lib/measure/tdx_rules.ts";
import { CRATE_VBS } from "../lib/measure/vbs_rules.ts";
import { planMeasurement } from "../lib/measure/rule_set.ts";
import { platformMask } from "../lib/igvm/select.ts";
import { parseIgvm } from "../lib/igvm/parser.ts";
import { serializeIgvm } from "../lib/igvm/serializer.ts";
import { PlatformType } from "../lib/igvm/defs.ts";
import type { DirectiveHeader, IgvmFile } from "../lib/igvm/types.ts";
import { pageData, platform, snpFile } from "./builder.ts";
import { FILES, loadCases } from "./conformance_helpers.ts";

const P = 4096;
const page = (gpa: bigint, offset: number, type = 1, log = "Normal") =>
  pages(gpa, type, { offset, length: P }, log);
const OPTIONS = { nativeZero: false, checkKvm: false };

function merged(...records: MeasurementRecord[]): MeasurementRecord[] {
  const list = new RecordList();
  for (const r of records) list.add(r);
  return list.records;
}

Deno.test("records: pages at the next GPA and the next file offset merge into one run", () => {
  const [run, ...rest] = merged(page(0x1000n, 8192), page(0x2000n, 12288), page(0x3000n, 16384));
  assertEquals(rest, []);
  const r = run as PageRecord;
  assertEquals([r.gpa, r.count, r.data], [0x1000n, 3, { offset: 8192, length: 3 * P }]);
  // pages without data merge too, into one record of their count, GPA and type
  const zero = merged(pages(0n, 3, null, "Zero"), pages(0x1000n, 3, null, "Zero", 2));
  assertEquals(zero.map((r) => [r.kind, (r as PageRecord).gpa, (r as PageRecord).count]), [
    ["pages", 0n, 3],
  ]);
  // after a record that does not continue the run, a new run starts from it
  const again = merged(page(0x1000n, 8192), page(0x5000n, 40960), page(0x6000n, 45056));
  assertEquals(again.map((r) => [(r as PageRecord).gpa, (r as PageRecord).count]), [
    [0x1000n, 1],
    [0x5000n, 2],
  ]);
});

Deno.test("records: what does not continue the last record stays apart", () => {
  const cases: [string, PageRecord][] = [
    ["another GPA", page(0x3000n, 12288)],
    ["another file offset", page(0x2000n, 16384)],
    ["another page type", page(0x2000n, 12288, 2)],
    ["another log kind", page(0x2000n, 12288, 1, "VMSA")],
    ["data shorter than a page", pages(0x2000n, 1, { offset: 12288, length: 100 }, "Normal")],
    ["bytes in hand", pages(0x2000n, 1, new Uint8Array(P), "Normal")],
    ["no data after data", pages(0x2000n, 1, null, "Normal")],
  ];
  for (const [what, next] of cases) {
    assertEquals(merged(page(0x1000n, 8192), next).length, 2, what);
  }
  assertEquals(merged(pages(0x1000n, 1, null, "Normal"), page(0x2000n, 8192)).length, 2);
  const registers = { kind: "registers", vtl: 0, registers: [] } as const;
  assertEquals(merged(page(0x1000n, 8192), registers, page(0x2000n, 12288)).length, 3);
  // the GPA after the last page of the address space is not 0
  const top = page(0xFFFFFFFFFFFFF000n, 8192);
  assertEquals(merged(top, page(0n, 12288)).length, 2);
  // a record the rule set emitted is never changed: the run is a copy
  const first = page(0x1000n, 8192);
  merged(first, page(0x2000n, 12288));
  assertEquals([first.count, first.data], [1, { offset: 8192, length: P }]);
});

/** What `rules` emits for `file`, record by record, with nothing merged (the reference). */
// deno-lint-ignore no-explicit-any
function emitted(rules: RuleSet<any>, file: IgvmFile, mask: number): MeasurementRecord[] {
  const state = rules.start(file, mask, OPTIONS);
  const table = rules.directives as Record<string, (d: DirectiveHeader, s: unknown) => unknown>;
  const out: MeasurementRecord[] = [];
  const add = (e: unknown) => out.push(...[e ?? []].flat() as MeasurementRecord[]);
  for (const d of file.directives) {
    if (table[d.type] && rules.selects(d, mask)) add(table[d.type](d, state));
  }
  if (rules.finish) add(rules.finish(state));
  return out;
}

/** A file for every platform with a run of 3,000 pages of data (each page different) and zero pages. */
function longRunFile(): IgvmFile {
  const types = [
    PlatformType.SEV_SNP,
    PlatformType.SEV_ES,
    PlatformType.SEV,
    PlatformType.TDX,
    PlatformType.VSM_ISOLATION,
  ];
  const pagesOfData = Array.from({ length: 3000 }, (_, i) => {
    const bytes = new Uint8Array(P).fill(i & 0xff);
    bytes[0] = i >> 8;
    return pageData(0x100000n + BigInt(i * P), 1, bytes);
  });
  const zeros = Array.from({ length: 20 }, (_, i) => pageData(0x10000n + BigInt(i * P), 1, null));
  return parseIgvm(serializeIgvm({
    ...snpFile([...pagesOfData, ...zeros], 0x30000n),
    platforms: types.map((t) => platform(t, 1)),
  }));
}

/** Folds `records` by `rules`' digest: the digest, what it logs and every progress call. */
// deno-lint-ignore no-explicit-any
function fold(file: IgvmFile, rules: RuleSet<any>, records: readonly MeasurementRecord[]) {
  const log: string[] = [];
  const progress: string[] = [];
  const digest = foldPlan({ records }, rules.digest, file.source, {
    log: (l) => log.push(l),
    progress: (done, total) => progress.push(`${done}/${total}`),
  });
  return { digest: digest.toHex().toUpperCase(), log, progress };
}

// deno-lint-ignore no-explicit-any
const RULE_SETS: [string, number, RuleSet<any>][] = [
  ["coconut sev-snp", PlatformType.SEV_SNP, COCONUT_SNP],
  ["openvmm sev-snp", PlatformType.SEV_SNP, OPENVMM_SNP],
  ["coconut sev-es", PlatformType.SEV_ES, COCONUT_SEV],
  ["coconut sev", PlatformType.SEV, COCONUT_SEV],
  ["tdx", PlatformType.TDX, CRATE_TDX],
  ["vbs", PlatformType.VSM_ISOLATION, CRATE_VBS],
];

Deno.test("records: a merged plan folds as the unmerged records its rules emit", async () => {
  const sample = await Deno.readFile(new URL("../testdata/sample.igvm", import.meta.url));
  const files = [parseIgvm(sample), longRunFile()];
  let longest = 0;
  const measured = new Set<string>();
  for (const file of files) {
    for (const [name, type, rules] of RULE_SETS) {
      const mask = platformMask(file, type);
      if (mask === undefined) continue;
      const plan = planMeasurement(rules, file, mask, OPTIONS);
      const reference = emitted(rules, file, mask);
      assertOk(plan.failure === undefined, name);
      for (const r of plan.records) if (r.kind === "pages") longest = Math.max(longest, r.count);
      assertEquals(fold(file, rules, plan.records), fold(file, rules, reference), name);
      measured.add(name);
    }
  }
  assertEquals([...measured].sort(), RULE_SETS.map(([n]) => n).sort());
  assertOk(longest > 1024, "a run longer than the progress step");
});

Deno.test("records: the merged plan of the OVMF file gives the original's digest and log", async () => {
  const name = "qemu-snp-ovmf-policy.igvm";
  const file = parseIgvm(await Deno.readFile(new URL(name, FILES)), { crateVersion: "0.4.0" });
  const plan = planMeasurement(
    COCONUT_SNP,
    file,
    platformMask(file, PlatformType.SEV_SNP)!,
    OPTIONS,
  );
  assertOk(plan.records.length < emitted(COCONUT_SNP, file, 1).length, "some pages merged");
  const { digest, log } = fold(file, COCONUT_SNP, plan.records);
  const want = loadCases().find((c) => c.args.join(" ") === `-v ${name} measure -b`)!;
  assertEquals([...log, digest].join("\n") + "\n", want.stdout);
});
