/**
 * Parse → serialize reproduces every conformance file (files/ and signed/)
 * byte for byte, and re-signing a signed file gives exactly what signing its
 * unsigned base gives. (Files outside testdata/ need ../shared/conformance.)
 */

import assert from "node:assert/strict";
import { parseIgvm } from "../lib/igvm/parser.ts";
import { serializeIgvm } from "../lib/igvm/serializer.ts";
import { IgvmFormatError } from "../lib/errors.ts";
import {
  assertBytesEqual,
  assertReferenceOutput,
  AUTHOR_KEY,
  ID_KEY,
  idBlockCount,
  input,
  openssl,
  reference,
  run,
  verifySignedIgvm,
  withTempDir,
} from "./signing_helpers.ts";
import { corpusFile, corpusFiles, corpusTest, signedOutputs } from "./conformance_helpers.ts";

/** The one corpus file the reference parser refuses (SEV platform with an SNP VP context). */
const REFUSED = "sev-from-qemu-snp-policy.igvm";

for (const [folder, names] of [["files", corpusFiles()], ["signed", signedOutputs()]] as const) {
  for (const name of names) {
    if (name === REFUSED) continue;
    corpusTest(`parse → serialize reproduces ${folder}/${name}`, [`${folder}/${name}`], () => {
      const bytes = Deno.readFileSync(corpusFile(`${folder}/${name}`)!);
      const file = parseIgvm(bytes);
      assertBytesEqual(serializeIgvm(file), bytes, `${folder}/${name}`);
      // And again from the re-serialized bytes (a fixed point).
      assertBytesEqual(serializeIgvm(parseIgvm(serializeIgvm(file))), bytes, "second round");
    });
  }
}

Deno.test(`the parser refuses ${REFUSED} (the one file left out above)`, () => {
  assert.throws(() => parseIgvm(Deno.readFileSync(input(REFUSED))), IgvmFormatError);
});

// ---------------------------------------------------------------------------
// Re-signing.

type Args = string[];

async function signTo(dir: string, out: string, global: Args, inputPath: string, rest: Args) {
  const path = `${dir}/${out}`;
  const r = await run([...global, inputPath, "sign", "--output", path, ...rest], dir);
  assert.equal(r.stderr, "", `${out}: no error`);
  assert.equal(r.code, 0);
  return Deno.readFileSync(path);
}

const ID = ["--id-key", ID_KEY];
const ID_AUTHOR = ["--id-key", ID_KEY, "--author-key", AUTHOR_KEY];

Deno.test("re-signing: signing a signed output again gives the same file (idempotent)", () =>
  withTempDir(async (dir) => {
    for (const base of ["qemu-snp-policy.igvm", "hyperv-snp-vsm-policy.igvm"]) {
      const once = await signTo(dir, "once.igvm", [], input(base), ID_AUTHOR);
      const twice = await signTo(dir, "twice.igvm", [], `${dir}/once.igvm`, ID_AUTHOR);
      assertBytesEqual(twice, once, `${base} signed twice`);
    }
  }));

corpusTest(
  "re-signing: id+author signed file re-signed with the ID key only equals base signed with the ID key",
  ["signed/qemu-snp-ovmf-policy.signed-id-author.igvm"],
  () =>
    withTempDir(async (dir) => {
      const signed = reference("qemu-snp-ovmf-policy.signed-id-author.igvm");
      const resigned = await signTo(dir, "a.igvm", [], signed, ID);
      await assertReferenceOutput(resigned, "qemu-snp-ovmf-policy.signed-id.igvm", "");
      const info = await verifySignedIgvm(resigned);
      assert.equal(info.hasAuthor, false, "the old author signature is gone");
      assert.equal(idBlockCount(info.file), 1);
    }),
);

Deno.test("re-signing: a file signed with -n re-signed without -n equals the base signed without -n", () =>
  withTempDir(async (dir) => {
    const nz = reference("hyperv-snp-policy.signed-nz-id-author.igvm");
    const resigned = await signTo(dir, "b.igvm", [], nz, ID_AUTHOR);
    await assertReferenceOutput(resigned, "hyperv-snp-policy.signed-id-author.igvm", "");
    // And the other way round.
    const back = await signTo(dir, "c.igvm", ["-n"], `${dir}/b.igvm`, ID_AUTHOR);
    await assertReferenceOutput(back, "hyperv-snp-policy.signed-nz-id-author.igvm", "with -n");
  }));

Deno.test("re-signing: new ID block fields replace the old ones; dropping them restores the reference", () =>
  withTempDir(async (dir) => {
    const base = input("vanadium-snp-policy.igvm");
    const fields = ["--family-id", "0a0b", "--image-id", "ff", "--guest-svn", "7"];
    await signTo(dir, "f.igvm", [], base, [...ID, ...fields]);
    const plain = await signTo(dir, "g.igvm", [], `${dir}/f.igvm`, ID);
    await assertReferenceOutput(plain, "vanadium-snp-policy.signed-id.igvm", "");
    const again = await signTo(dir, "h.igvm", [], `${dir}/g.igvm`, [...ID, ...fields]);
    assertBytesEqual(again, Deno.readFileSync(`${dir}/f.igvm`), "fields again");
  }));

Deno.test("re-signing: a file signed with other keys re-signed with the corpus keys equals the reference", () =>
  withTempDir(async (dir) => {
    await openssl(["ecparam", "-name", "secp384r1", "-genkey", "-noout", "-out", "other.pem"], dir);
    const base = input("qemu-snp-sorted-features.igvm");
    const other = await signTo(dir, "o.igvm", [], base, ["--id-key", `${dir}/other.pem`]);
    await verifySignedIgvm(other);
    const resigned = await signTo(dir, "r.igvm", [], `${dir}/o.igvm`, ID_AUTHOR);
    await assertReferenceOutput(resigned, "qemu-snp-sorted-features.signed-id-author.igvm", "");
  }));

Deno.test("re-signing the original's double-ID-block outputs leaves one ID block equal to the base's", () =>
  withTempDir(async (dir) => {
    // The original appends a second ID block when signing a signed file.
    const doubled = reference("signed-qemu-snp-policy-id-author.signed-id-author.igvm");
    assert.equal(idBlockCount(parseIgvm(Deno.readFileSync(doubled))), 2);
    const resigned = await signTo(dir, "d.igvm", [], doubled, ID);
    await assertReferenceOutput(resigned, "qemu-snp-policy.signed-id.igvm", "");
  }));
