/**
 * `--family-id`, `--image-id`, `--guest-svn`: the values land in the directive
 * and in the signed ID block (the Web Crypto check rebuilds the block from the
 * directive, so a signature over other values would fail); zero values give the
 * reference output; bad values are usage errors (exit 2) and write nothing.
 */

import assert from "node:assert/strict";
import {
  assertBytesEqual,
  assertReferenceOutput,
  AUTHOR_KEY,
  ID_KEY,
  input,
  listDir,
  measure,
  reference,
  run,
  verifySignedIgvm,
  withTempDir,
} from "./signing_helpers.ts";
import { corpusTest } from "./conformance_helpers.ts";

const BASE = input("qemu-snp-ovmf-policy.igvm");

function id16(hex: string): Uint8Array {
  const out = new Uint8Array(16);
  out.set(Uint8Array.fromHex(hex));
  return out;
}

const GOOD: { args: string[]; family: string; image: string; svn: number }[] = [
  { args: ["--family-id", "01"], family: "01", image: "", svn: 0 },
  { args: ["--image-id", "0xDEADbeef"], family: "", image: "deadbeef", svn: 0 },
  { args: ["--guest-svn", "42"], family: "", image: "", svn: 42 },
  { args: ["--guest-svn", "0x10"], family: "", image: "", svn: 16 },
  { args: ["--guest-svn=4294967295"], family: "", image: "", svn: 0xffffffff },
  {
    args: [
      "--family-id",
      "00112233445566778899aabbccddeeff",
      "--image-id=0xffeeddccbbaa99887766554433221100",
      "--guest-svn",
      "3",
    ],
    family: "00112233445566778899aabbccddeeff",
    image: "ffeeddccbbaa99887766554433221100",
    svn: 3,
  },
];

for (const g of GOOD) {
  for (const author of [false, true]) {
    Deno.test(`sign ${g.args.join(" ")}${author ? " with author" : ""}: fields in directive and signature`, () =>
      withTempDir(async (dir) => {
        const out = `${dir}/out.igvm`;
        const keys = ["--id-key", ID_KEY, ...(author ? ["--author-key", AUTHOR_KEY] : [])];
        const r = await run([BASE, "sign", "--output", out, ...keys, ...g.args], dir);
        assert.equal(r.stderr, "");
        assert.equal(r.code, 0);
        const info = await verifySignedIgvm(Deno.readFileSync(out));
        const d = info.directive;
        assertBytesEqual(d.familyId, id16(g.family), "family_id in the directive");
        assertBytesEqual(d.imageId, id16(g.image), "image_id in the directive");
        assert.equal(d.guestSvn, g.svn, "guest_svn in the directive");
        // The signed (Web Crypto verified) ID block holds them at their SNP offsets.
        assertBytesEqual(info.idBlock.subarray(0x30, 0x40), id16(g.family), "FAMILY_ID signed");
        assertBytesEqual(info.idBlock.subarray(0x40, 0x50), id16(g.image), "IMAGE_ID signed");
        assert.equal(new DataView(info.idBlock.buffer).getUint32(0x54, true), g.svn, "GUEST_SVN");
        assert.equal(info.hasAuthor, author);
        const m = await measure(out, dir);
        assert.equal(m.code, 0);
        assert.equal(m.stderr, "");
      }));
  }
}

Deno.test("sign with explicit zero fields gives the reference output byte for byte", () =>
  withTempDir(async (dir) => {
    const out = `${dir}/out.igvm`;
    const r = await run(
      [
        BASE,
        "sign",
        "--output",
        out,
        "--id-key",
        ID_KEY,
        "--author-key",
        AUTHOR_KEY,
        "--family-id",
        "00",
        "--image-id",
        "0x00000000000000000000000000000000",
        "--guest-svn",
        "0",
      ],
      dir,
    );
    assert.equal(r.code, 0);
    await assertReferenceOutput(
      Deno.readFileSync(out),
      "qemu-snp-ovmf-policy.signed-id-author.igvm",
      "zero fields = defaults",
    );
  }));

corpusTest(
  "sign with fields gives a file that differs from the reference only in the ID block directive",
  ["signed/qemu-snp-ovmf-policy.signed-id.igvm"],
  () =>
    withTempDir(async (dir) => {
      const out = `${dir}/out.igvm`;
      const r = await run(
        [BASE, "sign", "--output", out, "--id-key", ID_KEY, "--guest-svn", "1"],
        dir,
      );
      assert.equal(r.code, 0);
      const a = Deno.readFileSync(out);
      const b = Deno.readFileSync(reference("qemu-snp-ovmf-policy.signed-id.igvm"));
      assert.equal(a.length, b.length, "same size");
      const ia = await verifySignedIgvm(a);
      const ib = await verifySignedIgvm(b);
      assertBytesEqual(ia.directive.ld, ib.directive.ld, "same launch digest");
      assert.notDeepEqual(ia.directive.idKeySignature, ib.directive.idKeySignature);
    }),
);

const BAD: [string, string][] = [
  ["--family-id", "abc"], // odd number of digits
  ["--family-id", "0x1"],
  ["--family-id", "00112233445566778899aabbccddeeff00"], // 17 bytes
  ["--image-id", "zz"],
  ["--image-id", "0x"],
  ["--image-id", ""],
  ["--image-id", "01 02"],
  ["--family-id", "-1"],
  ["--guest-svn", "-1"],
  ["--guest-svn", "4294967296"],
  ["--guest-svn", "0x100000000"],
  ["--guest-svn", "1.5"],
  ["--guest-svn", "1e3"],
  ["--guest-svn", "seven"],
  ["--guest-svn", ""],
  ["--guest-svn", " 1"],
];

for (const [flag, value] of BAD) {
  Deno.test(`sign ${flag} ${JSON.stringify(value)} is a usage error (exit 2), nothing written`, () =>
    withTempDir(async (dir) => {
      const out = `${dir}/out.igvm`;
      // `--flag=value` so that a value starting with '-' is not read as an option.
      const r = await run(
        [BASE, "sign", "--output", out, "--id-key", ID_KEY, `${flag}=${value}`],
        dir,
      );
      assert.equal(r.code, 2, `exit 2, stderr: ${r.stderr}`);
      assert.match(r.stderr, /^error: /);
      assert.ok(r.stderr.includes(flag), "the message names the option");
      assert.doesNotMatch(r.stderr, /internal error/);
      assert.equal(r.stdout, "");
      assert.deepEqual(listDir(dir), [], "no output file");
    }));
}

Deno.test("bad field values are refused in the external flow too (exit 2)", () =>
  withTempDir(async (dir) => {
    const r = await run(
      [BASE, "sign", "--write-id-block", `${dir}/ib.bin`, "--guest-svn=-3"],
      dir,
    );
    assert.equal(r.code, 2, r.stderr);
    assert.deepEqual(listDir(dir), []);
  }));
