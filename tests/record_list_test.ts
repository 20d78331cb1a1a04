/**
 * Plans merge page records that continue each other (`RecordList`): which
 * records merge, and that folding the merged records gives the digest, the
 * verbose log and the progress of folding every page on its own.
 */

import { assertEquals, assertOk } from "./assert.ts";
import {
  isFileRun,
  type MeasurementRecord,
  type PageRecord,
  pages,
  RecordList,
} from "../lib/measure/records.ts";
import { foldPlan } from "../lib/measure/engine.ts";
import { planFor, type PlannedMeasurement, type Platform } from "../lib/measure/measure.ts";
import { parseIgvm } from "../lib/igvm/parser.ts";
import { serializeIgvm } from "../lib/igvm/serializer.ts";
import { PlatformType } from "../lib/igvm/defs.ts";
import type { FileRange, IgvmFile } from "../lib/igvm/types.ts";
import { MeasurementError } from "../lib/errors.ts";
import { pageData, platform, snpFile } from "./builder.ts";

const P = 4096;
const page = (gpa: bigint, offset: number, type = 1, log = "Normal") =>
  pages(gpa, type, { offset, length: P }, log);

function merged(...records: MeasurementRecord[]): MeasurementRecord[] {
  const list = new RecordList();
  for (const r of records) list.add(r);
  return list.records;
}

/** Each record of a run as the single pages a rule set emits. */
function split(records: readonly MeasurementRecord[]): MeasurementRecord[] {
  return records.flatMap((r) => {
    if (r.kind !== "pages" || r.count === 1 || !isFileRun(r.data, r.count)) return [r];
    const data = r.data as FileRange;
    return Array.from(
      { length: r.count },
      (_, k) =>
        pages(r.gpa + BigInt(k * P), r.type, { offset: data.offset + k * P, length: P }, r.log),
    );
  });
}

Deno.test("records: pages at the next GPA and the next file offset merge into one run", () => {
  const [run, ...rest] = merged(page(0x1000n, 8192), page(0x2000n, 12288), page(0x3000n, 16384));
  assertEquals(rest, []);
  const r = run as PageRecord;
  assertEquals([r.gpa, r.count, r.data], [0x1000n, 3, { offset: 8192, length: 3 * P }]);
  // pages without data merge too, into one record of their count
  const zero = merged(pages(0n, 3, null, "Zero"), pages(0x1000n, 3, null, "Zero", 2));
  assertEquals(zero.map((r) => (r as PageRecord).count), [3]);
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
  // the GPA after the last page of the address space is not 0
  const top = page(0xFFFFFFFFFFFFF000n, 8192);
  assertEquals(merged(top, page(0n, 12288)).length, 2);
  // a record the rule set emitted is never changed: the run is a copy
  const first = page(0x1000n, 8192);
  merged(first, page(0x2000n, 12288));
  assertEquals([first.count, first.data], [1, { offset: 8192, length: P }]);
});

/** A file for every platform with a run of 3,000 pages of data (each page different) and zero pages. */
function longRunFile(): IgvmFile {
  const all = 0x1;
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
    return pageData(0x100000n + BigInt(i * P), all, bytes);
  });
  const zeros = Array.from({ length: 20 }, (_, i) => pageData(0x10000n + BigInt(i * P), all, null));
  return parseIgvm(serializeIgvm({
    ...snpFile([...pagesOfData, ...zeros]),
    platforms: types.map((t) => platform(t, all)),
  }));
}

/** Folds `records` as `planned` would be folded, with what it logs and every progress call. */
function fold(file: IgvmFile, planned: PlannedMeasurement, records: readonly MeasurementRecord[]) {
  const log: string[] = [];
  const progress: string[] = [];
  const digest = foldPlan({ records }, planned.digest, file.source, {
    log: (l) => log.push(l),
    progress: (done, total) => progress.push(`${done}/${total}`),
  });
  return { digest: digest.toHex(), log, progress };
}

Deno.test("records: a merged plan folds to the digest, log and progress of its single pages", async () => {
  const sample = await Deno.readFile(new URL("../testdata/sample.igvm", import.meta.url));
  const files = [parseIgvm(sample), longRunFile()];
  const platforms: Platform[] = ["sev-snp", "sev-es", "sev", "tdx", "vbs"];
  let longest = 0;
  const measured = new Set<string>();
  for (const file of files) {
    for (const platform of platforms) {
      let planned: PlannedMeasurement;
      try {
        planned = planFor(file, { platform });
      } catch (e) {
        if (e instanceof MeasurementError) continue; // no header for this platform
        throw e;
      }
      const records = planned.plan.records;
      const singles = split(records);
      for (const r of records) if (r.kind === "pages") longest = Math.max(longest, r.count);
      assertEquals(fold(file, planned, records), fold(file, planned, singles), platform);
      measured.add(platform);
    }
  }
  assertEquals([...measured].sort(), [...platforms].sort());
  assertOk(longest > 1024, "a run longer than the progress step");
});
