/**
 * Every signature `sign` produces verifies with Web Crypto (not with the
 * project's own noble-based code), and measuring each signed output reports no
 * ID-block mismatch. The signed outputs of the original tool (`signed/`) are
 * checked with the same verifier, so the verifier itself is anchored to the
 * reference. (Files outside testdata/ need ../shared/conformance.)
 */

import assert from "node:assert/strict";
import {
  assertBytesEqual,
  AUTHOR_KEY,
  ID_KEY,
  idBlockCount,
  input,
  listDir,
  measure,
  publicPointOf,
  rawPoint,
  reference,
  run,
  SIGNABLE,
  SIGNED_INPUTS,
  verifySignedIgvm,
  webCryptoVerify,
  withTempDir,
} from "./signing_helpers.ts";
import { corpusTest, signedOutputs } from "./conformance_helpers.ts";

const MODES = [
  { name: "id", global: [] as string[], keys: ["--id-key", ID_KEY] },
  { name: "id-author", global: [], keys: ["--id-key", ID_KEY, "--author-key", AUTHOR_KEY] },
  { name: "nz-id-author", global: ["-n"], keys: ["--id-key", ID_KEY, "--author-key", AUTHOR_KEY] },
  { name: "nz-id", global: ["-n"], keys: ["--id-key", ID_KEY] },
];

const points = await withTempDir(async (dir) => ({
  id: await publicPointOf(ID_KEY, dir),
  author: await publicPointOf(AUTHOR_KEY, dir),
}));

for (const name of [...SIGNABLE, ...Object.keys(SIGNED_INPUTS)]) {
  for (const mode of MODES) {
    const title = `sign ${mode.name} ${name}: Web Crypto verifies, measure has no mismatch`;
    corpusTest(title, [`files/${name}`], () =>
      withTempDir(async (dir) => {
        const out = `${dir}/out.igvm`;
        const r = await run(
          [...mode.global, input(name), "sign", "--output", out, ...mode.keys],
          dir,
        );
        assert.equal(r.stderr, "");
        assert.equal(r.code, 0);
        assert.equal(r.stdout, `Successfully created signed file: ${out}\n`);
        assert.deepEqual(listDir(dir), ["out.igvm"], "only the output file");

        const bytes = Deno.readFileSync(out);
        const info = await verifySignedIgvm(bytes);
        assert.equal(idBlockCount(info.file), 1, "exactly one ID block (re-signing replaces)");
        assert.equal(info.hasAuthor, mode.keys.includes("--author-key"));
        assertBytesEqual(rawPoint(info.directive.idPublicKey), points.id, "ID public key");
        if (info.hasAuthor) {
          assertBytesEqual(rawPoint(info.directive.authorPublicKey), points.author, "author key");
        }
        // Default fields.
        assert.ok(info.directive.familyId.every((b) => b === 0), "family_id zero");
        assert.ok(info.directive.imageId.every((b) => b === 0), "image_id zero");
        assert.equal(info.directive.guestSvn, 0);

        // Measuring the output: exit 0, no mismatch, and the digest is the ID block's LD.
        const m = await measure(out, dir, mode.global.includes("-n"));
        assert.equal(m.stderr, "", "no ID block mismatch");
        assert.equal(m.code, 0);
        assert.equal(m.stdout, info.directive.ld.toHex().toUpperCase() + "\n");
        const full = await run([...mode.global, out, "measure"], dir);
        assert.equal(full.code, 0);
        assert.equal(full.stderr, "");
      }));
  }
}

// The original's outputs verify with the same code: the verifier is right about the format.
for (const name of signedOutputs()) {
  corpusTest(`reference signed/${name} verifies with Web Crypto`, [`signed/${name}`], async () => {
    const info = await verifySignedIgvm(Deno.readFileSync(reference(name)));
    assert.equal(info.hasAuthor, name.includes("-author.igvm"));
    assertBytesEqual(rawPoint(info.directive.idPublicKey), points.id, "ID public key");
  });
}

Deno.test("the Web Crypto verifier rejects a changed ID block, key structure or signature", () =>
  withTempDir(async (dir) => {
    const out = `${dir}/out.igvm`;
    const r = await run(
      [
        input("qemu-snp-policy.igvm"),
        "sign",
        "--output",
        out,
        "--id-key",
        ID_KEY,
        "--author-key",
        AUTHOR_KEY,
      ],
      dir,
    );
    assert.equal(r.code, 0);
    const info = await verifySignedIgvm(Deno.readFileSync(out));
    const d = info.directive;
    const block = info.idBlock.slice();
    block[0x54] ^= 1; // guest_svn
    assert.equal(await webCryptoVerify(block, d.idKeySignature, d.idPublicKey), false);
    const policy = info.idBlock.slice();
    policy[0x58] ^= 0x10; // policy
    assert.equal(await webCryptoVerify(policy, d.idKeySignature, d.idPublicKey), false);
    const structure = info.idKeyStructure.slice();
    structure[0x403] = 1; // a reserved byte of the key structure
    assert.equal(await webCryptoVerify(structure, d.authorKeySignature, d.authorPublicKey), false);
    const sig = d.idKeySignature.slice();
    sig[0] ^= 1;
    assert.equal(await webCryptoVerify(info.idBlock, sig, d.idPublicKey), false);
    // ID signature checked with the author key fails.
    assert.equal(await webCryptoVerify(info.idBlock, d.idKeySignature, d.authorPublicKey), false);
  }));
