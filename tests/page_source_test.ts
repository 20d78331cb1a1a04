/**
 * The web page's file source (`web/file_source.ts`) and measurement adapter
 * (`lib/inspect/digest_lines.ts`), without a browser: reads through the window give the
 * file's bytes at every offset and edge, the window is released when it
 * moves, and a file measured through a small window gives the CLI's
 * `inspect` digests, with progress that goes forward and ends at its total.
 */

import { assertEquals, assertOk } from "./assert.ts";
import { windowedSource } from "../web/file_source.ts";
import { digestLines } from "../lib/inspect/digest_lines.ts";
import { parseIgvm } from "../lib/igvm/parser.ts";
import { FILES, loadCases, runInProcess } from "./conformance_helpers.ts";

const ROOT = new URL("../", import.meta.url);
const SAMPLE_DIGEST =
  "c3ef3ed4d764b9dc1c6f6cb5641a5c51dba1603d884bcb8935f9f7cd9f81d285aae34250786decfbfab324d067b2b618";

Deno.test("page source: window reads equal the bytes at every offset; big reads bypass it", () => {
  const bytes = new Uint8Array(70_000).map((_, i) => (i * 7 + (i >> 8)) & 0xff);
  const ranges: [number, number][] = [];
  const src = windowedSource(bytes.length, (s, e) => {
    ranges.push([s, e]);
    return bytes.slice(s, e);
  }, 16_384);
  const scratch = new Uint8Array(4096);
  for (
    const [off, len] of [[0, 4096], [4096, 4096], [12_000, 4096], [16_380, 10], [65_000, 5000]]
  ) {
    assertEquals(src.read(off, len, scratch), bytes.subarray(off, off + len), `${off}+${len}`);
  }
  // Window refills: at 0 (serving 0, 4096 and 12000+4096), at 16380 (past 16384), at 65000.
  assertEquals(ranges.map(([s]) => s), [0, 16_380, 65_000]);
  assertEquals(ranges.at(-1), [65_000, 70_000]); // clipped at the end of the file
  // Reads without scratch, or over a quarter window, get their own exact range.
  ranges.length = 0;
  assertEquals(src.read(100, 8), bytes.subarray(100, 108));
  assertEquals(src.read(0, 5000, scratch), bytes.subarray(0, 5000));
  assertEquals(ranges, [[100, 108], [0, 5000]]);
});

Deno.test("page source: the window it leaves is released at once", () => {
  const bytes = new Uint8Array(1 << 16);
  const src = windowedSource(bytes.length, (s, e) => bytes.slice(s, e), 16_384);
  const first = src.read(0, 4096, new Uint8Array(4096));
  assertEquals(first.buffer.byteLength, 16_384);
  src.read(16_384, 4096, new Uint8Array(4096));
  assertEquals(first.buffer.byteLength, 0); // detached
});

Deno.test("page source: sample.igvm through a 64 KiB window gives the CLI's inspect digests", async () => {
  const bytes = Deno.readFileSync(new URL("testdata/sample.igvm", ROOT));
  const file = parseIgvm(windowedSource(bytes.length, (s, e) => bytes.slice(s, e), 65_536));
  const seen: [number, number][] = [];
  const digests = digestLines(file, { progress: (d, t) => void seen.push([d, t]) });
  const cli = await runInProcess(["testdata/sample.igvm", "inspect", "--json"], ROOT);
  assertEquals(digests, JSON.parse(cli.stdout).digests);
  // Both are the sample's launch digest, worked out by hand in sample_digest_test.ts.
  assertEquals(digests.map((d) => d.digest), [SAMPLE_DIGEST, SAMPLE_DIGEST]);
  assertOk(seen.length >= 2, `progress ${seen}`);
  const total = seen[0][1];
  for (let i = 1; i < seen.length; i++) {
    assertOk(seen[i][0] >= seen[i - 1][0] && seen[i][1] === total, `progress ${seen}`);
  }
  // Progress counts measured 4 KiB pages: both SEV-SNP rule sets measure one page for each of
  // the sample's page-data directives, its one-page parameter insert and its VMSA.
  const perRules =
    file.directives.filter((d) =>
      d.type === "PageData" || d.type === "ParameterInsert" || d.type === "SnpVpContext"
    ).length;
  assertEquals(perRules, 15);
  assertEquals(seen.at(-1), [2 * perRules, 2 * perRules]);
});

Deno.test("page digests: -n and -c reach the coconut rules only, as on the command line", async () => {
  const name = "qemu-snp-ovmf-policy.igvm";
  const file = parseIgvm(Deno.readFileSync(new URL(name, FILES)));
  // The references: the original's `-n` / `-c` `measure -b` and the igvm crate's sev-snp digest.
  const want = (tool: string, args: string) =>
    loadCases().find((c) => c.tool === tool && c.args.join(" ") === args)!.stdout.trim()
      .toLowerCase();
  const crate = want("igvm-crate", `${name} sev-snp`);
  for (
    const [options, flag] of [[{ nativeZero: true }, "-n"], [{ checkKvm: true }, "-c"]] as const
  ) {
    assertEquals(digestLines(file, options).map((d) => [d.semantics, d.digest]), [
      ["coconut", want("igvmmeasure", `${flag} ${name} measure -b`)],
      ["openvmm", crate],
    ]);
  }
  const ours = digestLines(file, { nativeZero: true, checkKvm: true });
  const cli = await runInProcess([
    "-n",
    "-c",
    `testdata/conformance/files/${name}`,
    "inspect",
    "--json",
  ], ROOT);
  assertEquals(ours, JSON.parse(cli.stdout).digests);
});
