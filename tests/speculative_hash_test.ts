/**
 * Pages hashed ahead of the plan (lib/cli/speculative_hash.ts): the worker's
 * part runs here on the test's thread, so that what it has hashed when the
 * plan arrives is known. Every digest is checked against SHA-384 of the
 * planned range as read from the bytes written.
 */

import { assertEquals } from "./assert.ts";
import { sha384 } from "../lib/hash.ts";
import { fileIdentity, JOB_PAGES } from "../lib/cli/parallel_hash.ts";
import {
  speculate,
  Speculation,
  type SpeculationSetup,
  speculativeReader,
} from "../lib/cli/speculative_hash.ts";
import { batchPageHashes } from "../lib/measure/page_hashes.ts";
import { bytesSource } from "../lib/igvm/source.ts";
import { page, replaceAtomically } from "./fast_path_helpers.ts";

/** A fake worker: keeps the setup it is posted, runs nothing. */
class Inbox {
  setup: SpeculationSetup | undefined;
  postMessage(m: SpeculationSetup): void {
    this.setup = m;
  }
}

/** `pages` pages of distinct contents after a `dataStart`-byte prefix. */
function fileBytes(dataStart: number, pages: number): Uint8Array {
  const bytes = new Uint8Array(dataStart + pages * 4096 + 100); // a partial page at the end
  for (let i = 0; i < pages; i++) bytes.set(page(i + 1), dataStart + i * 4096);
  bytes.fill(0x5a, 0, dataStart);
  bytes.fill(0xa5, dataStart + pages * 4096);
  return bytes;
}

const hex = (b: Uint8Array) => b.toHex();

/** Reads a page of `bytes` into `into`, counting the reads. */
function reader(bytes: Uint8Array, reads: number[]) {
  return (offset: number, into: Uint8Array) => {
    reads.push(offset);
    into.set(bytes.subarray(offset, offset + 4096));
  };
}

Deno.test("pages hashed ahead: the table serves exactly the claimed pages, any plan order", () => {
  const dataStart = 1000; // not 4 KiB aligned: pages lie at 1000 + 4096 k
  const pages = JOB_PAGES * 3 + 5;
  const bytes = fileBytes(dataStart, pages);
  const path = Deno.makeTempFileSync();
  try {
    Deno.writeFileSync(path, bytes);
    const inbox = new Inbox();
    const spec = new Speculation(
      path,
      fileIdentity(Deno.statSync(path)),
      dataStart,
      pages,
      [inbox as unknown as Worker],
    );
    // One worker claims two chunks, then the plan arrives: claiming stops.
    const ctrl = new Int32Array(inbox.setup!.control);
    const stop = JOB_PAGES * 2;
    speculate({ ...inbox.setup!, pages: stop }); // claims and hashes chunks 0 and 1 only
    assertEquals(Atomics.load(ctrl, 0), 2);
    const at = (k: number) => dataStart + k * 4096;
    const offsets = Float64Array.from([
      at(5),
      at(5), // repeated
      at(stop + 3), // after the claimed pages
      at(0),
      at(7) + 8, // misaligned: another range
      0, // before the data section
      at(stop - 1),
      at(pages - 1),
      at(1),
      at(stop),
    ]);
    const reads: number[] = [];
    const rest: number[] = [];
    const r = speculativeReader(spec, offsets, reader(bytes, reads), (o) => {
      rest.push(...o);
      return batchPageHashes(bytesSource(bytes), o);
    });
    for (const o of offsets) {
      assertEquals(hex(r.next()), hex(sha384(bytes.subarray(o, o + 4096))), `offset ${o}`);
    }
    r.close();
    assertEquals(rest, [at(stop + 3), at(7) + 8, 0, at(pages - 1), at(stop)]);
    assertEquals(reads, []); // every claimed page was done
    assertEquals(Atomics.load(ctrl, 0) > 3, true, "claiming stopped");
  } finally {
    Deno.removeSync(path);
  }
});

Deno.test("pages hashed ahead: a claimed page not done is hashed by the reader itself", () => {
  const dataStart = 4096;
  const pages = JOB_PAGES + 10;
  const bytes = fileBytes(dataStart, pages);
  const path = Deno.makeTempFileSync();
  try {
    Deno.writeFileSync(path, bytes);
    const inbox = new Inbox();
    const identity = fileIdentity(Deno.statSync(path));
    const spec = new Speculation(path, identity, dataStart, pages, [inbox as never]);
    // A worker claimed both chunks and stopped (stuck, or gone): none is done, and waiting for
    // them (no time at all here) ends with the reader hashing their pages itself.
    Atomics.store(new Int32Array(inbox.setup!.control), 0, 2);
    const offsets = Float64Array.from([0, 3, JOB_PAGES + 9, 3], (k) => dataStart + k * 4096);
    const reads: number[] = [];
    const r = speculativeReader(spec, offsets, reader(bytes, reads), () => {
      throw new Error("no page is left to the other hashing");
    }, 0);
    for (const o of offsets) {
      assertEquals(hex(r.next()), hex(sha384(bytes.subarray(o, o + 4096))), `offset ${o}`);
    }
    assertEquals(reads, [...offsets]);
  } finally {
    Deno.removeSync(path);
  }
});

Deno.test("pages hashed ahead: nothing from another file at the path, a short read fails only its chunk", () => {
  const dataStart = 512;
  const pages = JOB_PAGES * 2;
  const bytes = fileBytes(dataStart, pages);
  const dir = Deno.makeTempDirSync();
  const path = `${dir}/f.igvm`;
  try {
    Deno.writeFileSync(path, bytes);
    const identity = fileIdentity(Deno.statSync(path));
    // Replaced before the worker opens it: the worker hashes nothing.
    replaceAtomically(path, bytes.slice().fill(7, dataStart));
    let inbox = new Inbox();
    new Speculation(path, identity, dataStart, pages, [inbox as never]);
    speculate(inbox.setup!);
    assertEquals([...new Int32Array(inbox.setup!.control)], [0, 0, 0], "nothing claimed");
    // The same file, cut short after it was opened: the chunk it cannot read fails, the other is done.
    Deno.writeFileSync(path, bytes);
    const same = fileIdentity(Deno.statSync(path));
    inbox = new Inbox();
    const spec = new Speculation(path, same, dataStart, pages, [inbox as never]);
    const file = Deno.openSync(path, { read: true, write: true });
    try {
      // The worker's check passes (same file), then the end is cut while it works: emulate by
      // hashing with a setup whose second chunk lies past the new end.
      file.truncateSync(dataStart + JOB_PAGES * 4096 + 10);
    } finally {
      file.close();
    }
    speculate({ ...inbox.setup!, identity: fileIdentity(Deno.statSync(path)) });
    assertEquals([...new Int32Array(inbox.setup!.control)], [2, 1, 2], "done, then failed");
    const reads: number[] = [];
    const offsets = Float64Array.from([1, JOB_PAGES + 1], (k) => dataStart + k * 4096);
    const r = speculativeReader(spec, offsets, reader(bytes, reads), () => {
      throw new Error("both pages were claimed");
    });
    for (const o of offsets) {
      assertEquals(hex(r.next()), hex(sha384(bytes.subarray(o, o + 4096))), `offset ${o}`);
    }
    assertEquals(reads, [offsets[1]], "the failed chunk's page is read by the reader");
  } finally {
    Deno.removeSync(dir, { recursive: true });
  }
});

/** A stand-in for a hash worker at work on chunk 0: it marks it done `ms` after it is told to. */
const SLOW_WORKER = `self.onmessage = (e) => {
  const { control, table, digests, ms } = e.data;
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
  new Uint8Array(table).set(digests, 0);
  const ctrl = new Int32Array(control);
  Atomics.store(ctrl, 1, 1);
  Atomics.notify(ctrl, 1);
};`;

Deno.test("pages hashed ahead: a chunk under way when the plan arrives is waited for, not hashed again", () => {
  const dataStart = 4096;
  const pages = JOB_PAGES;
  const bytes = fileBytes(dataStart, pages);
  const path = Deno.makeTempFileSync();
  const worker = new Worker(`data:application/javascript,${encodeURIComponent(SLOW_WORKER)}`, {
    type: "module",
  });
  try {
    Deno.writeFileSync(path, bytes);
    const inbox = new Inbox();
    const identity = fileIdentity(Deno.statSync(path));
    const spec = new Speculation(path, identity, dataStart, pages, [inbox as never]);
    const setup = inbox.setup!;
    Atomics.store(new Int32Array(setup.control), 0, 1); // chunk 0 claimed, not done
    const offsets = Float64Array.from({ length: pages }, (_, k) => dataStart + k * 4096);
    const want = Array.from(offsets, (o) => sha384(bytes.subarray(o, o + 4096)));
    const digests = new Uint8Array(pages * 48);
    want.forEach((d, k) => digests.set(d, k * 48));
    worker.postMessage({ control: setup.control, table: setup.table, digests, ms: 200 });
    const reads: number[] = [];
    const r = speculativeReader(spec, offsets, reader(bytes, reads), () => {
      throw new Error("every page was claimed");
    });
    assertEquals(Array.from(offsets, () => hex(r.next())), want.map(hex));
    assertEquals(reads, [], "the chunk's pages come from the worker's table");
  } finally {
    worker.terminate();
    Deno.removeSync(path);
  }
});
