/**
 * The fast measurement path (the CLI's file source: windowed reads, pages
 * hashed ahead by worker threads and the main thread) gives the same digests
 * as the plain path (bytes in hand, each page hashed in place), on files with
 * every page kind, for every AMD platform and option; and the conformance
 * corpus replays unchanged with the threads forced on.
 */

import { coconut, openvmmSnp } from "../measure_helpers.ts";
import { measure } from "../../lib/measure/measure.ts";
import { assertEquals, assertOk } from "../assert.ts";
import {
  casesAtHand,
  filesFolder,
  loadCases,
  reportCasesNotAtHand,
  runInProcess,
} from "../conformance_helpers.ts";
import { pageData, platform } from "../builder.ts";
import { PageDataFlags, PlatformType } from "../../lib/igvm/defs.ts";
import { serializeIgvm } from "../../lib/igvm/serializer.ts";
import { parseIgvm } from "../../lib/igvm/parser.ts";
import type { DirectiveHeader } from "../../lib/igvm/types.ts";
import { MeasurementError } from "../../lib/errors.ts";
import { openFileSource, setFileSourceDefaults } from "../../lib/cli/file_source.ts";
import { JOB_PAGES, startParallelPageHashes } from "../../lib/cli/parallel_hash.ts";
import { sha384 } from "../../lib/hash.ts";
import { everyKind, measureFile, OPTIONS, page, SNP, SOURCES } from "../fast_path_helpers.ts";

for (const pages of [40, JOB_PAGES * 13 + 17]) {
  Deno.test(`fast path = plain path: every page kind, ${pages} pages`, () => {
    const bytes = serializeIgvm(everyKind(pages));
    const path = Deno.makeTempFileSync({ suffix: ".igvm" });
    try {
      Deno.writeFileSync(path, bytes);
      for (const [name, options] of OPTIONS) {
        const plain = coconut(parseIgvm(bytes), options);
        for (const [how, source] of SOURCES) {
          const fast = measureFile(path, source, options);
          assertOk(!(fast instanceof Error), `${name}, ${how}: ${fast}`);
          assertEquals(fast.digest.toHex(), plain.digest.toHex(), `${name}, ${how}`);
        }
      }
      // The igvm crate's rules (--semantics openvmm) take the same fast path.
      const plainCrate = openvmmSnp(parseIgvm(bytes)).toHex();
      for (const [how, source] of SOURCES) {
        const src = openFileSource(path, source);
        try {
          const crate = measure(parseIgvm(src), {
            semantics: "openvmm",
            pageHashes: src.pageHashes,
          });
          assertEquals(crate.digest.toHex(), plainCrate, `openvmm, ${how}`);
        } finally {
          src.close();
        }
      }
    } finally {
      Deno.removeSync(path);
    }
  });
}

Deno.test("pages hashed ahead while the headers wait: same digests, any worker count", async () => {
  // Page data out of file order and shared between pages (the serializer deduplicates), pages
  // of other platforms, unmeasured and 2 MiB pages: the workers hash the whole data section
  // before the headers are parsed here, and only the very pages the plan names are taken.
  const bytes = serializeIgvm(everyKind(JOB_PAGES * 13 + 17));
  const path = Deno.makeTempFileSync({ suffix: ".igvm" });
  try {
    Deno.writeFileSync(path, bytes);
    for (const [name, options] of OPTIONS) {
      const plain = coconut(parseIgvm(bytes), options).digest.toHex();
      for (const workers of [1, 3]) {
        const src = openFileSource(path, { parallelThreshold: 0, workers });
        try {
          await new Promise((resolve) => setTimeout(resolve, 300));
          const pageHashes = src.pageHashes;
          const fast = coconut(parseIgvm(src), { ...options, pageHashes }).digest.toHex();
          assertEquals(fast, plain, `${name}, ${workers} workers`);
          // A second measurement of the same source takes the pages hashed ahead as well.
          const crate = measure(parseIgvm(src), { semantics: "openvmm", pageHashes }).digest;
          assertEquals(crate.toHex(), openvmmSnp(parseIgvm(bytes)).toHex(), `${workers} workers`);
        } finally {
          src.close();
        }
      }
    }
  } finally {
    Deno.removeSync(path);
  }
});

Deno.test("fast path: a 2 MiB page with data fails the same way, threads stop", () => {
  const d: DirectiveHeader[] = [];
  for (let i = 0; i < JOB_PAGES * 3; i++) {
    d.push(pageData(BigInt(0x100000 + i * 0x1000), SNP, page(i)));
  }
  d.push(pageData(0x40000000n, SNP, page(1), PageDataFlags.IS_2MB_PAGE));
  const bytes = serializeIgvm({
    revision: { version: 1 },
    platforms: [platform(PlatformType.SEV_SNP, SNP)],
    initializations: [],
    directives: d,
  });
  const path = Deno.makeTempFileSync({ suffix: ".igvm" });
  try {
    Deno.writeFileSync(path, bytes);
    let plain: unknown;
    try {
      coconut(parseIgvm(bytes));
    } catch (e) {
      plain = e;
    }
    assertOk(plain instanceof MeasurementError);
    for (const [how, source] of SOURCES) {
      const fast = measureFile(path, source, {});
      assertOk(fast instanceof MeasurementError, how);
      assertEquals(fast.message, plain.message, how);
    }
  } finally {
    Deno.removeSync(path);
  }
});

Deno.test("parallel page hashes: in order, across ring reuse, any worker count", () => {
  const pages = JOB_PAGES * 9 + 3;
  const bytes = new Uint8Array(pages * 4096);
  for (let i = 0; i < pages; i += 1) bytes.set(page(i).subarray(0, 64), i * 4096);
  const path = Deno.makeTempFileSync();
  try {
    Deno.writeFileSync(path, bytes);
    // Out of file order, with repeats, as deduplicated file data can be.
    const offsets = Float64Array.from({ length: pages + 50 }, (_, i) => ((i * 7) % pages) * 4096);
    for (const workers of [0, 1, 2]) {
      const r = startParallelPageHashes(path, offsets, workers);
      try {
        for (let i = 0; i < offsets.length; i++) {
          const want = sha384(bytes.subarray(offsets[i], offsets[i] + 4096)).toHex();
          assertEquals(r.next().toHex(), want, `page ${i}, ${workers} workers`);
        }
      } finally {
        r.close();
      }
    }
    // Closing early stops everything (the test's leak check sees no pending worker).
    const r = startParallelPageHashes(path, offsets, 2);
    r.next();
    r.close();
  } finally {
    Deno.removeSync(path);
  }
});

const corpus = loadCases().filter((c) =>
  c.tool === "igvmmeasure" && !c.args.includes("sign") && c.exit === 0
);
reportCasesNotAtHand("conformance corpus with the threads forced on", corpus);

Deno.test("conformance corpus: same digests with the threads forced on", async () => {
  const previous = setFileSourceDefaults({ parallelThreshold: 0, workers: 0 });
  try {
    for (const [i, c] of casesAtHand(corpus).entries()) {
      // Every case through the jobs and result ring; every fourth with a worker thread too.
      setFileSourceDefaults({ parallelThreshold: 0, workers: i % 4 === 0 ? 1 : 0 });
      const r = await runInProcess(c.args, filesFolder(c.file)!);
      assertEquals(r.stdout, c.stdout, c.args.join(" "));
      assertEquals(r.code, c.exit, c.args.join(" "));
    }
  } finally {
    setFileSourceDefaults(previous);
  }
});
