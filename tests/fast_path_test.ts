/**
 * The fast measurement path (the CLI's file source: windowed reads, pages
 * hashed ahead by worker threads and the main thread) gives the same digests
 * as the plain path (bytes in hand, each page hashed in place), on files with
 * every page kind, for every AMD platform and option; and the conformance
 * corpus replays unchanged with the threads forced on.
 */

import { assertEquals, assertOk, assertThrowsMatch } from "./assert.ts";
import { FILES, loadCases, runInProcess } from "./conformance_helpers.ts";
import { guestPolicy, pageData, platform, snpVpContext } from "../lib/igvm/builder.ts";
import { PageDataFlags, PageDataType, PlatformType } from "../lib/igvm/defs.ts";
import { serializeIgvm } from "../lib/igvm/serializer.ts";
import { parseIgvm } from "../lib/igvm/parser.ts";
import type { DirectiveHeader, IgvmFile } from "../lib/igvm/types.ts";
import { type CoconutOptions, measureCoconut } from "../lib/measure/coconut.ts";
import { measureSnpOpenvmm } from "../lib/measure/openvmm_snp.ts";
import { MeasurementError } from "../lib/errors.ts";
import {
  type FileSourceOptions,
  openFileSource,
  setFileSourceDefaults,
} from "../lib/cli/file_source.ts";
import {
  fileIdentity,
  HashJobs,
  type HashJobSetup,
  JOB_PAGES,
  startParallelPageHashes,
} from "../lib/cli/parallel_hash.ts";
import { sha384 } from "../lib/hash.ts";

const SNP = 0x1;
const SEV_ES = 0x2;
const TDX = 0x4;
const SEV = 0x8;

/** Deterministic page contents; `seed` picks one of a few (so the serializer deduplicates some). */
function page(seed: number): Uint8Array {
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
function everyKind(n: number): IgvmFile {
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

const OPTIONS: [string, CoconutOptions][] = [
  ["sev-snp", { platform: "sev-snp" }],
  ["sev-snp -n", { platform: "sev-snp", nativeZero: true }],
  ["sev-es", { platform: "sev-es" }],
  ["sev", { platform: "sev" }],
];

/** Fast-path settings: window only, threads with the main thread alone, with workers. */
const SOURCES: [string, FileSourceOptions][] = [
  ["windowed reads, pages hashed in place", { hashAhead: false }],
  ["main thread batches (below the worker threshold)", { parallelThreshold: Infinity }],
  ["main thread jobs", { parallelThreshold: 0, workers: 0 }],
  ["1 worker", { parallelThreshold: 0, workers: 1 }],
  ["3 workers", { parallelThreshold: 0, workers: 3 }],
];

function measureFile(path: string, source: FileSourceOptions, options: CoconutOptions) {
  const src = openFileSource(path, source);
  try {
    return measureCoconut(parseIgvm(src), options);
  } catch (e) {
    return e as Error;
  } finally {
    src.close();
  }
}

for (const pages of [40, JOB_PAGES * 13 + 17]) {
  Deno.test(`fast path = plain path: every page kind, ${pages} pages`, () => {
    const bytes = serializeIgvm(everyKind(pages));
    const path = Deno.makeTempFileSync({ suffix: ".igvm" });
    try {
      Deno.writeFileSync(path, bytes);
      for (const [name, options] of OPTIONS) {
        const plain = measureCoconut(parseIgvm(bytes), options);
        for (const [how, source] of SOURCES) {
          const fast = measureFile(path, source, options);
          assertOk(!(fast instanceof Error), `${name}, ${how}: ${fast}`);
          assertEquals(fast.digest.toHex(), plain.digest.toHex(), `${name}, ${how}`);
        }
      }
      // The igvm crate's rules (--semantics openvmm) take the same fast path.
      const plainCrate = measureSnpOpenvmm(parseIgvm(bytes)).toHex();
      for (const [how, source] of SOURCES) {
        const src = openFileSource(path, source);
        try {
          assertEquals(measureSnpOpenvmm(parseIgvm(src)).toHex(), plainCrate, `openvmm, ${how}`);
        } finally {
          src.close();
        }
      }
    } finally {
      Deno.removeSync(path);
    }
  });
}

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
      measureCoconut(parseIgvm(bytes));
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

Deno.test("conformance corpus: same digests with the threads forced on", async () => {
  const previous = setFileSourceDefaults({ parallelThreshold: 0, workers: 0 });
  try {
    for (const [i, c] of corpus.entries()) {
      // Every case through the jobs and result ring; every fourth with a worker thread too.
      setFileSourceDefaults({ parallelThreshold: 0, workers: i % 4 === 0 ? 1 : 0 });
      const r = await runInProcess(c.args, FILES);
      assertEquals(r.stdout, c.stdout, c.args.join(" "));
      assertEquals(r.code, c.exit, c.args.join(" "));
    }
  } finally {
    setFileSourceDefaults(previous);
  }
});

/** Writes `bytes` to a new file beside `path` and renames it over `path` (an atomic replacement). */
function replaceAtomically(path: string, bytes: Uint8Array): void {
  Deno.writeFileSync(path + ".new", bytes);
  Deno.renameSync(path + ".new", path);
}

Deno.test("fast path: a file replaced after parsing is measured as opened, never mixed", () => {
  const original = serializeIgvm(everyKind(300));
  // The same headers, other page data: flip a byte of every page in the data section.
  let dataStart = original.length;
  for (const d of parseIgvm(original).directives) {
    if (d.type === "PageData" && d.data && !(d.data instanceof Uint8Array)) {
      dataStart = Math.min(dataStart, d.data.offset);
    }
  }
  const other = original.slice();
  for (let i = dataStart; i < other.length; i += 4096) other[i] ^= 0xff;
  const want = measureCoconut(parseIgvm(original)).digest.toHex();
  assertOk(measureCoconut(parseIgvm(other)).digest.toHex() !== want, "the pages differ");
  const dir = Deno.makeTempDirSync();
  const path = `${dir}/f.igvm`;
  try {
    for (const [how, options] of SOURCES) {
      Deno.writeFileSync(path, original);
      const src = openFileSource(path, options);
      try {
        const file = parseIgvm(src);
        replaceAtomically(path, other);
        const got = (() => {
          try {
            return measureCoconut(file).digest.toHex();
          } catch (e) {
            return e as Error;
          }
        })();
        if (got instanceof Error) {
          // A worker that opened the path again found another file, and said so.
          assertOk(options.workers !== 0 && options.hashAhead !== false, `${how}: ${got.message}`);
          assertEquals(
            got.message,
            "cannot read file: the file changed while it was being measured",
          );
          assertEquals((got as { file?: string }).file, path);
        } else {
          assertEquals(got, want, how);
        }
      } finally {
        src.close();
      }
    }
  } finally {
    Deno.removeSync(dir, { recursive: true });
  }
});

Deno.test("parallel page hashes: a thread that opens another file at the path refuses it", () => {
  const dir = Deno.makeTempDirSync();
  const path = `${dir}/f.bin`;
  try {
    Deno.writeFileSync(path, new Uint8Array(8192));
    const identity = fileIdentity(Deno.statSync(path));
    replaceAtomically(path, new Uint8Array(8192).fill(1));
    const slots = 1;
    const setup: HashJobSetup = {
      path,
      identity,
      slots,
      control: new SharedArrayBuffer(4 * (4 + 2 * slots) + 512),
      offsets: new SharedArrayBuffer(8),
      results: new SharedArrayBuffer(slots * JOB_PAGES * 48),
    };
    const jobs = new HashJobs(setup);
    jobs.ctrl[jobs.free(0)] = 0;
    assertThrowsMatch(() => jobs.run(0), Error, /^the file changed while it was being measured$/);
    jobs.close();
  } finally {
    Deno.removeSync(dir, { recursive: true });
  }
});

Deno.test("fast path: every page the rules hash comes from the batches, none in place", () => {
  const bytes = serializeIgvm(everyKind(200));
  const path = Deno.makeTempFileSync({ suffix: ".igvm" });
  try {
    Deno.writeFileSync(path, bytes);
    const parsed = parseIgvm(bytes);
    // Counted here from the rules as the README states them: pages with file data that are
    // measured as NORMAL (coconut: any SNP bit, the shared flag ignored; the crate: every mask
    // bit, shared pages skipped), plus the VMSAs (coconut: all of them; the crate: SNP's).
    const snp = (d: { compatibilityMask: number }) => (d.compatibilityMask & SNP) !== 0;
    const hashed = (crate: boolean) =>
      parsed.directives.filter((d) =>
        d.type === "PageData"
          ? d.data !== null && snp(d) && d.dataType === PageDataType.NORMAL &&
            (d.flags & PageDataFlags.UNMEASURED) === 0 &&
            (!crate || (d.flags & PageDataFlags.SHARED) === 0)
          : d.type === "SnpVpContext" && (!crate || snp(d))
      ).length;
    for (const [rules, expected] of [["coconut", hashed(false)], ["openvmm", hashed(true)]]) {
      const src = openFileSource(path, { parallelThreshold: Infinity });
      let planned = -1;
      let taken = 0;
      const spy = {
        ...src,
        sha384Pages(offsets: Uint32Array | Float64Array) {
          planned = offsets.length;
          const r = src.sha384Pages(offsets)!;
          return {
            next: () => (taken++, r.next()),
            close: () => r.close(),
          };
        },
      };
      try {
        const file = parseIgvm(spy);
        if (rules === "coconut") measureCoconut(file);
        else measureSnpOpenvmm(file);
      } finally {
        src.close();
      }
      assertEquals([planned, taken], [expected, expected], `${rules}`);
    }
  } finally {
    Deno.removeSync(path);
  }
});

Deno.test("bytes in hand and other sources: pages hashed in batches equal pages hashed in place", () => {
  const bytes = serializeIgvm(everyKind(JOB_PAGES + 77)); // more than one batch
  const path = Deno.makeTempFileSync({ suffix: ".igvm" });
  try {
    Deno.writeFileSync(path, bytes);
    const inPlace = measureFile(path, { hashAhead: false }, {});
    assertOk(!(inPlace instanceof Error), String(inPlace));
    // A source that reads into the scratch buffer it is given (a different contract from
    // bytes in hand, which return views of their own).
    const intoScratch = {
      size: bytes.length,
      read(offset: number, length: number, scratch?: Uint8Array): Uint8Array {
        const out = scratch && scratch.length >= length
          ? scratch.subarray(0, length)
          : new Uint8Array(length);
        out.set(bytes.subarray(offset, offset + length));
        return out;
      },
    };
    const files: [string, IgvmFile][] = [
      ["bytes", parseIgvm(bytes)],
      ["scratch", parseIgvm(intoScratch)],
    ];
    for (const [how, file] of files) {
      assertEquals(measureCoconut(file).digest.toHex(), inPlace.digest.toHex(), how);
    }
    const crateInPlace = (() => {
      const src = openFileSource(path, { hashAhead: false });
      try {
        return measureSnpOpenvmm(parseIgvm(src)).toHex();
      } finally {
        src.close();
      }
    })();
    assertEquals(measureSnpOpenvmm(parseIgvm(intoScratch)).toHex(), crateInPlace);
    assertEquals(measureSnpOpenvmm(parseIgvm(bytes)).toHex(), crateInPlace);
  } finally {
    Deno.removeSync(path);
  }
});
