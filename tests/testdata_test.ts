/**
 * The copies in testdata/ are what their READMEs say: every file of testdata/conformance/ and
 * testdata/vectors/ is listed in its folder's README with its size and SHA-256 (so an edit shows),
 * and, when the reference corpus is beside the repository (../shared, as in CI), each is
 * byte-identical to the file at the same path there. The full corpus itself holds exactly the
 * files expected.json names, and its signed outputs have expected.json's SHA-256, which is what
 * the tests check signed outputs against when the files are not at hand.
 *
 * @module
 */

import { assertEquals, assertOk } from "./assert.ts";
import {
  corpusFiles,
  FULL_CORPUS,
  FULL_CORPUS_SKIP,
  HAS_FULL_CORPUS,
  outputSha256,
  sha256Hex,
  signedOutputs,
} from "./conformance_helpers.ts";

const TESTDATA = new URL("../testdata/", import.meta.url);
const FULL_VECTORS = new URL("../../shared/vectors/", import.meta.url);

/** Paths of the files under `dir` (relative to it, sorted), READMEs left out. */
function walk(dir: URL, prefix = ""): string[] {
  const out: string[] = [];
  for (const e of Deno.readDirSync(dir)) {
    if (e.isDirectory) out.push(...walk(new URL(`${e.name}/`, dir), `${prefix}${e.name}/`));
    else if (e.name !== "README.md") out.push(prefix + e.name);
  }
  return out.sort();
}

/** The `| \`path\` | bytes | \`sha256\` |` rows of a README, by path. */
function listed(readme: URL): Map<string, { bytes: number; sha256: string }> {
  const rows = new Map<string, { bytes: number; sha256: string }>();
  const re = /^\|\s*`([^`]+)`\s*\|\s*(\d+)\s*\|\s*`([0-9a-f]{64})`\s*\|$/;
  for (const line of Deno.readTextFileSync(readme).split("\n")) {
    const m = re.exec(line);
    if (!m) continue;
    const row = { bytes: Number(m[2]), sha256: m[3] };
    const before = rows.get(m[1]);
    if (before) assertEquals(before, row, `README lists ${m[1]} twice, differently`);
    rows.set(m[1], row);
  }
  return rows;
}

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && a.every((x, i) => x === b[i]);
}

for (const folder of ["conformance", "vectors"]) {
  const dir = new URL(`${folder}/`, TESTDATA);

  Deno.test(`testdata/${folder}: every file is listed in its README with its size and SHA-256`, async () => {
    const rows = listed(new URL("README.md", dir));
    const files = walk(dir);
    assertEquals(files, [...rows.keys()].sort(), "files on disk = files listed");
    for (const path of files) {
      const bytes = Deno.readFileSync(new URL(path, dir));
      assertEquals(
        { bytes: bytes.length, sha256: await sha256Hex(bytes) },
        rows.get(path),
        path,
      );
    }
  });

  const full = folder === "conformance" ? FULL_CORPUS : FULL_VECTORS;
  let present = false;
  try {
    present = Deno.statSync(full).isDirectory;
  } catch {
    // A plain clone: no ../shared.
  }
  Deno.test({
    name: `testdata/${folder}: byte-identical to ../shared/${folder}` +
      (present ? "" : ` (skipped: ../shared/${folder} absent here; CI runs it)`),
    ignore: !present,
    fn() {
      for (const path of walk(dir)) {
        const copy = Deno.readFileSync(new URL(path, dir));
        assertOk(sameBytes(copy, Deno.readFileSync(new URL(path, full))), path);
      }
    },
  });
}

Deno.test({
  name: "full corpus: files/ and signed/ are what expected.json names, with its SHA-256" +
    (HAS_FULL_CORPUS ? "" : ` (${FULL_CORPUS_SKIP})`),
  ignore: !HAS_FULL_CORPUS,
  async fn() {
    const names = (sub: string) =>
      walk(new URL(sub, FULL_CORPUS)).filter((n) => n.endsWith(".igvm"));
    assertEquals(names("files/"), corpusFiles());
    assertEquals(names("signed/"), signedOutputs());
    for (const name of signedOutputs()) {
      const bytes = Deno.readFileSync(new URL(`signed/${name}`, FULL_CORPUS));
      assertEquals(await sha256Hex(bytes), outputSha256(name), name);
    }
  },
});
