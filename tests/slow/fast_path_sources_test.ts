/**
 * The fast path's sources: a file replaced while it is measured, the plan of
 * pages hashed ahead against what the rules hash, bytes in hand and sources
 * that read into scratch buffers, and reads across the file window's edge.
 */

import { coconut, crateTdx, openvmmSnp } from "../measure_helpers.ts";
import { assertEquals, assertMatch, assertOk, assertThrowsMatch } from "../assert.ts";
import { PageDataFlags, PageDataType, PlatformType } from "../../lib/igvm/defs.ts";
import { serializeIgvm } from "../../lib/igvm/serializer.ts";
import { parseIgvm } from "../../lib/igvm/parser.ts";
import type { IgvmFile } from "../../lib/igvm/types.ts";
import type { PageHashService } from "../../lib/measure/page_hashes.ts";
import { measure, type Semantics } from "../../lib/measure/measure.ts";
import { pageData, platform, snpFile } from "../builder.ts";
import { type FileSourceOptions, openFileSource, WINDOW_SIZE } from "../../lib/cli/file_source.ts";
import { FileAccessError } from "../../lib/errors.ts";
import { errorLine } from "../../lib/inspect/error_line.ts";
import {
  fileIdentity,
  HashJobs,
  type HashJobSetup,
  JOB_PAGES,
} from "../../lib/cli/parallel_hash.ts";
import { everyKind, measureFile, replaceAtomically, SNP, SOURCES } from "../fast_path_helpers.ts";

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
  const want = coconut(parseIgvm(original)).digest.toHex();
  assertOk(coconut(parseIgvm(other)).digest.toHex() !== want, "the pages differ");
  const dir = Deno.makeTempDirSync();
  const path = `${dir}/f.igvm`;
  try {
    for (const [how, options] of SOURCES) {
      Deno.writeFileSync(path, original);
      const src = openFileSource(path, options);
      try {
        const file = parseIgvm(src);
        replaceAtomically(path, other);
        // Workers that open the path again find another file and leave the work to the
        // main thread, which reads the file it opened.
        assertEquals(coconut(file, { pageHashes: src.pageHashes }).digest.toHex(), want, how);
      } finally {
        src.close();
      }
    }
  } finally {
    Deno.removeSync(dir, { recursive: true });
  }
});

Deno.test("parallel page hashes: a thread that opens another file at the path refuses it", () => {
  // (A worker checks first, with openSame(), and stops; jobs run without that check throw.)
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
    assertEquals(jobs.openSame(), false);
    assertThrowsMatch(() => jobs.run(0), Error, /^the file changed while it was being measured$/);
    jobs.close();
    // The same file, untouched, is accepted.
    const same = new HashJobs({ ...setup, identity: fileIdentity(Deno.statSync(path)) });
    assertEquals(same.openSame(), true);
    same.ctrl[same.free(0)] = 0;
    assertEquals(same.run(0), true);
    same.close();
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
    // Counted here from the rules as docs/semantics.md states them: pages with file data that are
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
      const spy: PageHashService = {
        sha384Pages(offsets: Uint32Array | Float64Array) {
          planned = offsets.length;
          const r = src.pageHashes.sha384Pages(offsets)!;
          return {
            next: () => (taken++, r.next()),
            close: () => r.close(),
          };
        },
      };
      try {
        const file = parseIgvm(src);
        measure(file, { semantics: rules as Semantics, pageHashes: spy });
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
      assertEquals(coconut(file).digest.toHex(), inPlace.digest.toHex(), how);
    }
    const crateInPlace = (() => {
      const src = openFileSource(path, { hashAhead: false });
      try {
        return openvmmSnp(parseIgvm(src)).toHex();
      } finally {
        src.close();
      }
    })();
    assertEquals(openvmmSnp(parseIgvm(intoScratch)).toHex(), crateInPlace);
    assertEquals(openvmmSnp(parseIgvm(bytes)).toHex(), crateInPlace);
  } finally {
    Deno.removeSync(path);
  }
});

Deno.test("windowed reads: a file of several windows measures as in hand (TDX, SNP)", () => {
  // 1200 pages, every third with short data (zero-padded in the file), read through the
  // file source's windows by TDX and both SNP rule sets.
  const directives = [];
  let x = 7;
  for (let i = 0; i < 1200; i++) {
    const len = i % 3 === 0 ? 1 + ((i * 977) % 4000) : 4096;
    const data = new Uint8Array(len).map(() => (x = (x * 1103515245 + 12345) >>> 0) >>> 24);
    directives.push(pageData(BigInt(i) * 0x1000n, 0x1, data));
  }
  const snp = serializeIgvm(snpFile(directives, 0x30000n));
  const tdx = serializeIgvm({
    revision: { version: 1 },
    platforms: [platform(PlatformType.TDX, 0x1)],
    initializations: [],
    directives,
  });
  assertOk(snp.length > 3 << 20, "spans several windows");
  const path = Deno.makeTempFileSync({ suffix: ".igvm" });
  try {
    const cases: [string, Uint8Array, (f: IgvmFile) => string][] = [
      ["tdx", tdx, (f) => crateTdx(f).toHex()],
      ["openvmm", snp, (f) => openvmmSnp(f).toHex()],
      ["coconut", snp, (f) => coconut(f).digest.toHex()],
    ];
    for (const [name, bytes, measure] of cases) {
      Deno.writeFileSync(path, bytes);
      for (const [how, options] of SOURCES) {
        const src = openFileSource(path, options);
        try {
          assertEquals(measure(parseIgvm(src)), measure(parseIgvm(bytes)), `${name}, ${how}`);
        } finally {
          src.close();
        }
      }
    }
  } finally {
    Deno.removeSync(path);
  }
});

Deno.test("windowed reads: any range, across the window's edge, reads the file's bytes", () => {
  const bytes = new Uint8Array(3 * WINDOW_SIZE + 12345).map((_, i) => (i * 2654435761) >>> 24);
  const path = Deno.makeTempFileSync();
  try {
    Deno.writeFileSync(path, bytes);
    const src = openFileSource(path, { hashAhead: false });
    const scratch = new Uint8Array(4096);
    try {
      // Pages off the window's grid: the window starts at 1000, so a read ends past its edge.
      for (let off = 1000; off + 4096 <= bytes.length; off += 4096) {
        assertEquals(src.read(off, 4096, scratch), bytes.subarray(off, off + 4096), `at ${off}`);
      }
      // A read that starts inside the window and ends past it (the window starts where the
      // read that filled it did: here at `start`).
      for (const start of [0, 1000, WINDOW_SIZE + 7]) {
        for (const [before, len] of [[1, 2], [50, 100], [4095, 4096], [1, 4096]]) {
          assertEquals(src.read(start, 1, scratch), bytes.subarray(start, start + 1));
          const off = start + WINDOW_SIZE - before;
          assertEquals(
            src.read(off, len, scratch),
            bytes.subarray(off, off + len),
            `${off}+${len}`,
          );
        }
      }
      assertEquals(src.read(bytes.length - 10, 10, scratch), bytes.subarray(bytes.length - 10));
    } finally {
      src.close();
    }
  } finally {
    Deno.removeSync(path);
  }
});

Deno.test("a file cut short after parsing: one error naming the file, on every path", () => {
  const bytes = serializeIgvm(everyKind(300));
  const want = coconut(parseIgvm(bytes)).digest.toHex();
  const dir = Deno.makeTempDirSync();
  const path = `${dir}/f.igvm`;
  /** Measures after the cut; the error (always without hashing ahead) or the digest. */
  const cut = (options: FileSourceOptions): string | Error => {
    Deno.writeFileSync(path, bytes);
    const src = openFileSource(path, options);
    try {
      const file = parseIgvm(src);
      Deno.truncateSync(path, bytes.length - 5000); // the last pages are gone
      return coconut(file, { pageHashes: src.pageHashes }).digest.toHex();
    } catch (e) {
      return e as Error;
    } finally {
      src.close();
    }
  };
  const assertCutError = (e: string | Error, how: string) => {
    assertOk(e instanceof FileAccessError, `${how}: ${e}`);
    assertMatch(e.message, /^cannot read file: unexpected end of file at offset \d+$/);
    assertEquals(errorLine(e).split("\n")[0].startsWith(`Error: ${path}: `), true, how);
  };
  try {
    // Nothing hashed before the cut: every path reads a missing page and says so.
    for (const [how, options] of SOURCES) {
      assertCutError(cut({ ...options, speculate: false }), how);
    }
    // Worker threads that opened the file before the cut may have hashed every page the rules
    // need already (speculative_hash.ts): then it is measured as it was opened, never mixed.
    for (const [how, options] of SOURCES.filter(([, o]) => (o.workers ?? 0) > 0)) {
      const r = cut(options);
      if (typeof r === "string") assertEquals(r, want, how);
      else assertCutError(r, how);
    }
  } finally {
    Deno.removeSync(dir, { recursive: true });
  }
});
