/**
 * Parse → serialize reproduces every conformance file (files/ and signed/)
 * byte for byte, and re-signing a signed file gives exactly what signing its
 * unsigned base gives.
 */

import assert from "node:assert/strict";
import { parseIgvm } from "../lib/igvm/parser.ts";
import { serializeIgvm } from "../lib/igvm/serializer.ts";
import { IgvmFormatError } from "../lib/errors.ts";
import {
  assertBytesEqual,
  AUTHOR_KEY,
  FILES,
  ID_KEY,
  idBlockCount,
  input,
  openssl,
  reference,
  run,
  SIGNED,
  verifySignedIgvm,
  withTempDir,
} from "./signing_helpers.ts";

/** The one corpus file the reference parser refuses (SEV platform with an SNP VP context). */
const REFUSED = "sev-from-qemu-snp-policy.igvm";

const names = (dir: URL) => [...Deno.readDirSync(dir)].map((e) => e.name).sort();

for (const [folder, url] of [["files", FILES], ["signed", SIGNED]] as const) {
  for (const name of names(url)) {
    if (name === REFUSED) continue;
    Deno.test(`parse → serialize reproduces ${folder}/${name}`, () => {
      const bytes = Deno.readFileSync(new URL(name, url));
      const file = parseIgvm(bytes);
      assertBytesEqual(serializeIgvm(file), bytes, `${folder}/${name}`);
      // And again from the re-serialized bytes (a fixed point).
      assertBytesEqual(serializeIgvm(parseIgvm(serializeIgvm(file))), bytes, "second round");
    });
  }
}

Deno.test(`the parser refuses ${REFUSED} (the one file left out above)`, () => {
  assert.throws(() => parseIgvm(Deno.readFileSync(new URL(REFUSED, FILES))), IgvmFormatError);
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

Deno.test("re-signing: id+author signed file re-signed with the ID key only equals base signed with the ID key", () =>
  withTempDir(async (dir) => {
    const signed = reference("qemu-snp-ovmf-policy.signed-id-author.igvm");
    const resigned = await signTo(dir, "a.igvm", [], signed, ID);
    assertBytesEqual(
      resigned,
      Deno.readFileSync(reference("qemu-snp-ovmf-policy.signed-id.igvm")),
      "",
    );
    const info = await verifySignedIgvm(resigned);
    assert.equal(info.hasAuthor, false, "the old author signature is gone");
    assert.equal(idBlockCount(info.file), 1);
  }));

Deno.test("re-signing: a file signed with -n re-signed without -n equals the base signed without -n", () =>
  withTempDir(async (dir) => {
    const nz = reference("hyperv-snp-policy.signed-nz-id-author.igvm");
    const resigned = await signTo(dir, "b.igvm", [], nz, ID_AUTHOR);
    const expected = Deno.readFileSync(reference("hyperv-snp-policy.signed-id-author.igvm"));
    assertBytesEqual(resigned, expected, "");
    // And the other way round.
    const back = await signTo(dir, "c.igvm", ["-n"], `${dir}/b.igvm`, ID_AUTHOR);
    assertBytesEqual(back, Deno.readFileSync(nz), "re-signed with -n");
  }));

Deno.test("re-signing: new ID block fields replace the old ones; dropping them restores the reference", () =>
  withTempDir(async (dir) => {
    const base = input("vanadium-snp-policy.igvm");
    const fields = ["--family-id", "0a0b", "--image-id", "ff", "--guest-svn", "7"];
    await signTo(dir, "f.igvm", [], base, [...ID, ...fields]);
    const plain = await signTo(dir, "g.igvm", [], `${dir}/f.igvm`, ID);
    assertBytesEqual(plain, Deno.readFileSync(reference("vanadium-snp-policy.signed-id.igvm")), "");
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
    assertBytesEqual(
      resigned,
      Deno.readFileSync(reference("qemu-snp-sorted-features.signed-id-author.igvm")),
      "",
    );
  }));

Deno.test("re-signing the original's double-ID-block outputs leaves one ID block equal to the base's", () =>
  withTempDir(async (dir) => {
    // The original appends a second ID block when signing a signed file.
    const doubled = reference("signed-qemu-snp-policy-id-author.signed-id-author.igvm");
    assert.equal(idBlockCount(parseIgvm(Deno.readFileSync(doubled))), 2);
    const resigned = await signTo(dir, "d.igvm", [], doubled, ID);
    assertBytesEqual(resigned, Deno.readFileSync(reference("qemu-snp-policy.signed-id.igvm")), "");
  }));
