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
import { planFor } from "../lib/measure/measure.ts";
import { parseIgvm } from "../lib/igvm/parser.ts";
import type { FileRange } from "../lib/igvm/types.ts";

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
    ["a length of its own in the log", { ...page(0x2000n, 12288), logBytes: 0x1000n }],
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

Deno.test("records: a merged plan folds to the digest, log and progress of its single pages", async () => {
  const bytes = await Deno.readFile(new URL("../testdata/sample.igvm", import.meta.url));
  const file = parseIgvm(bytes, { crateVersion: "0.4.0" });
  const planned = planFor(file, { platform: "sev-snp" });
  const records = planned.plan.records;
  const singles = split(records);
  assertOk(singles.length > records.length, "the sample has runs to merge");
  const fold = (plan: { records: readonly MeasurementRecord[] }) => {
    const log: string[] = [];
    const progress: number[] = [];
    const digest = foldPlan(plan, planned.digest, file.source, {
      log: (l) => log.push(l),
      progress: (done) => progress.push(done),
    });
    return { digest: digest.toHex(), log, last: progress.at(-1) };
  };
  assertEquals(fold({ records }), fold({ records: singles }));
});
