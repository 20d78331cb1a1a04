/**
 * The igvm crate's rules measure a parameter insert as its whole area: pages
 * synthesized from a header's size, without file data. Their bound is sized
 * by time (MAX_SYNTHESIZED_PAGES, about a second of hashing per digest), not
 * by the 256 MiB it once was: areas above 256 MiB measure, with the digests
 * worked out here by plain loops over node:crypto, and areas past the budget
 * are refused at once, with one line from the CLI. No timing is asserted.
 *
 * @module
 */

import { createHash } from "node:crypto";
import { crateTdx, crateVbs, openvmmSnp } from "../measure_helpers.ts";
import { parseIgvm } from "../../lib/igvm/parser.ts";
import { serializeIgvm } from "../../lib/igvm/serializer.ts";
import { pageData, platform } from "../builder.ts";
import type { IgvmFile } from "../../lib/igvm/types.ts";
import { MeasurementError } from "../../lib/errors.ts";
import { MAX_SYNTHESIZED_PAGES } from "../../lib/measure/crate_rules.ts";
import { assertEquals, assertOk, assertThrowsMatch } from "../assert.ts";

const PAGE = 4096;
const MiB = 1024 * 1024;
const DATA_GPA = 0x1000n;
const AREA_GPA = 0x100000n;
const DATA = new Uint8Array(PAGE).fill(0x5a);

/** One page of data, then a parameter area of `size` bytes inserted at AREA_GPA. */
function areaFile(platformType: number, size: bigint): IgvmFile {
  return {
    revision: { version: 1 },
    platforms: [platform(platformType, 0x1)],
    initializations: [{ type: "GuestPolicy", policy: 0x30000n, compatibilityMask: 0x1 }],
    directives: [
      pageData(DATA_GPA, 0x1, DATA),
      { type: "ParameterArea", numberOfBytes: size, parameterAreaIndex: 0, initialData: null },
      { type: "ParameterInsert", gpa: AREA_GPA, compatibilityMask: 0x1, parameterAreaIndex: 0 },
    ],
  };
}

const sha = (name: string, ...parts: Uint8Array[]) => {
  const h = createHash(name);
  for (const p of parts) h.update(p);
  return new Uint8Array(h.digest());
};

/**
 * SEV-SNP (AMD SNP ABI, PAGE_INFO): the data page (NORMAL, contents its
 * SHA-384), then `pages` UNMEASURED pages from AREA_GPA; `chain` hashes one
 * 112-byte PAGE_INFO in place (its first 48 bytes become the digest).
 */
function expectedSnp(pages: number, chain: (info: Uint8Array) => void, info: Uint8Array) {
  const view = new DataView(info.buffer, info.byteOffset, 0x70);
  info.fill(0, 0, 0x70);
  view.setUint16(0x60, 0x70, true);
  info[0x62] = 1;
  info.set(sha("sha384", DATA), 0x30);
  view.setBigUint64(0x68, DATA_GPA, true);
  chain(info);
  info.fill(0, 0x30, 0x60);
  info[0x62] = 4;
  for (let i = 0; i < pages; i++) {
    view.setBigUint64(0x68, AREA_GPA + BigInt(i) * 0x1000n, true);
    chain(info);
  }
  return info.slice(0, 48);
}

const nodeChain = (info: Uint8Array) => info.set(sha("sha384", info.subarray(0, 0x70)), 0);

/** TDX MRTD: PAGE.ADD + 16 MR.EXTENDs of the data page, then `pages` PAGE.ADDs. */
function expectedTdx(pages: number): Uint8Array {
  const h = createHash("sha384");
  const record = (op: string, gpa: bigint) => {
    const r = new Uint8Array(128);
    r.set(new TextEncoder().encode(op));
    new DataView(r.buffer).setBigUint64(16, gpa, true);
    return r;
  };
  h.update(record("MEM.PAGE.ADD", DATA_GPA));
  for (let off = 0; off < PAGE; off += 256) {
    h.update(record("MR.EXTEND", DATA_GPA + BigInt(off)));
    h.update(DATA.subarray(off, off + 256));
  }
  const add = record("MEM.PAGE.ADD", 0n);
  const view = new DataView(add.buffer);
  for (let i = 0; i < pages; i++) {
    view.setBigUint64(16, AREA_GPA + BigInt(i) * 0x1000n, true);
    h.update(add);
  }
  return new Uint8Array(h.digest());
}

/** VBS: the data page's chunk (metadata 0), then `pages` chunks of zeros with metadata 4. */
function expectedVbs(pages: number): Uint8Array {
  let digest = new Uint8Array(32);
  const header = new Uint8Array(32);
  const view = new DataView(header.buffer);
  view.setUint32(0, 32 + PAGE, true);
  view.setUint32(4, 2, true);
  view.setBigUint64(24, DATA_GPA / 0x1000n, true);
  digest = sha("sha256", digest, header, DATA);
  view.setBigUint64(16, 4n, true);
  const zeros = new Uint8Array(PAGE);
  for (let i = 0; i < pages; i++) {
    view.setBigUint64(24, AREA_GPA / 0x1000n + BigInt(i), true);
    digest = sha("sha256", digest, header, zeros);
  }
  return digest;
}

Deno.test("synthesized pages: a 260 MiB parameter area (over the old 256 MiB bound) measures as the crate does", () => {
  const size = 260n * BigInt(MiB);
  const pages = Number(size / 0x1000n);
  const snp = openvmmSnp(parseIgvm(serializeIgvm(areaFile(2, size))));
  assertEquals(snp.toHex(), expectedSnp(pages, nodeChain, new Uint8Array(0x70)).toHex(), "SNP");
  const tdx = crateTdx(parseIgvm(serializeIgvm(areaFile(3, size))));
  assertEquals(tdx.toHex(), expectedTdx(pages).toHex(), "TDX");
  const vbs = crateVbs(parseIgvm(serializeIgvm(areaFile(1, size))));
  assertEquals(vbs.toHex(), expectedVbs(pages).toHex(), "VBS");
});

Deno.test("synthesized pages: a 4 GiB parameter area measures (SEV-SNP and TDX)", () => {
  const size = 4n << 30n;
  const pages = Number(size / 0x1000n);
  assertOk(pages <= MAX_SYNTHESIZED_PAGES.snp && pages <= MAX_SYNTHESIZED_PAGES.tdx);
  const tdx = crateTdx(parseIgvm(serializeIgvm(areaFile(3, size))));
  assertEquals(tdx.toHex(), expectedTdx(pages).toHex(), "TDX");
  // The million PAGE_INFOs of the reference chain are hashed by node:crypto (≈ 7 s), not by the
  // WebAssembly SHA-384 the measurement uses.
  const snp = openvmmSnp(parseIgvm(serializeIgvm(areaFile(2, size))));
  assertEquals(snp.toHex(), expectedSnp(pages, nodeChain, new Uint8Array(0x70)).toHex(), "SNP");
});

Deno.test("synthesized pages: one page past each digest's budget is refused at once", () => {
  for (
    const [type, kind, measure] of [[2, "snp", openvmmSnp], [3, "tdx", crateTdx], [
      1,
      "vbs",
      crateVbs,
    ]] as const
  ) {
    const max = MAX_SYNTHESIZED_PAGES[kind];
    const file = parseIgvm(serializeIgvm(areaFile(type, BigInt(max + 1) * 0x1000n)));
    const e = assertThrowsMatch(() => measure(file), MeasurementError);
    assertEquals(
      e.message,
      `parameter area 0 claims ${max + 1} pages of 4 KiB; ${
        { snp: "an SEV-SNP", tdx: "a TDX", vbs: "a VBS" }[kind]
      } measurement hashes at most ${max} pages (${max / 256} MiB) that are not backed by ` +
        "file data (about a second of work)",
    );
  }
});

Deno.test("synthesized pages: many areas share one budget per measurement", () => {
  const max = MAX_SYNTHESIZED_PAGES.vbs;
  const each = BigInt(max / 16) * 0x1000n;
  const areas = Array.from({ length: 17 }, (_, i) =>
    [
      { type: "ParameterArea", numberOfBytes: each, parameterAreaIndex: i, initialData: null },
      {
        type: "ParameterInsert",
        gpa: BigInt(i) << 32n,
        compatibilityMask: 1,
        parameterAreaIndex: i,
      },
    ] as const).flat();
  const file: IgvmFile = {
    ...areaFile(1, 0x1000n),
    directives: [pageData(DATA_GPA, 0x1, DATA), ...areas],
  };
  // The 17th area is one too many, though each is a sixteenth of the budget.
  assertThrowsMatch(
    () => crateVbs(parseIgvm(serializeIgvm(file))),
    MeasurementError,
    /parameter area 16 claims/,
  );
});

// Our own measurement refusal names the file (`Error: <file>: <message>`, lib/inspect/error_line.ts).
Deno.test("synthesized pages: the CLI refuses an area past the budget with one line", async () => {
  const dir = await Deno.makeTempDir({ prefix: "igvmmeasure_pages_" });
  try {
    const path = `${dir}/huge-area.igvm`;
    const max = MAX_SYNTHESIZED_PAGES.snp;
    await Deno.writeFile(path, serializeIgvm(areaFile(2, BigInt(max) * 0x2000n)));
    const out = await new Deno.Command(Deno.execPath(), {
      args: ["run", "--allow-read", "main.ts", "--semantics", "openvmm", path, "measure", "-b"],
      cwd: new URL("../../", import.meta.url),
      env: { NO_COLOR: "1", RUST_BACKTRACE: "0" },
      stdout: "piped",
      stderr: "piped",
    }).output();
    const stderr = new TextDecoder().decode(out.stderr);
    assertEquals(out.code, 1, stderr);
    assertEquals(out.stdout.length, 0);
    const lines = stderr.split("\n");
    assertEquals(lines.length, 2, stderr);
    assertOk(
      lines[0].startsWith(`Error: ${path}: parameter area 0 claims ${2 * max} pages`),
      lines[0],
    );
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
