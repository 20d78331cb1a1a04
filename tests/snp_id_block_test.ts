// Tests for lib/snp/id_block.ts, public_key.ts and id_auth.ts against the
// asserted vectors in testdata/vectors/README.md, section 2.

import assert from "node:assert/strict";
import { decodeIdBlock, encodeIdBlock, ID_BLOCK_SIZE } from "../lib/snp/id_block.ts";
import {
  igvmPublicKey,
  igvmToSnpPublicKey,
  keyDigest,
  publicKeyFromIgvm,
  publicKeyFromSnp,
  snpPublicKey,
} from "../lib/snp/public_key.ts";
import {
  decodeIdAuthInfo,
  encodeIdAuthInfo,
  ID_AUTH_INFO_SIZE,
  idAuthInfoFromSigned,
  signIdBlock,
} from "../lib/snp/id_auth.ts";
import { parsePrivateKeyPem } from "../lib/snp/keys.ts";
import { decodeSnpSignature, verifySignature } from "../lib/snp/signature.ts";
import { IgvmToolError, KeyError } from "../lib/errors.ts";

const vector = (path: string) =>
  Deno.readFileSync(new URL(`../testdata/vectors/${path}`, import.meta.url));
const hex = (s: string) => Uint8Array.fromHex(s.replace(/\s+/g, ""));

const virtee = {
  ld: "a14d638341e5674628fe1e02fbedebe5e5ab4faf1dd72d8966068e615bb99efd" +
    "13d214b35c231715b38e263dc6059745",
  idDigest: "59fb2c686dfa4fef49f38339aa775c90051c28d57383ddc3baf3b5eb4b1496df" +
    "3b0dbbdcbae5fe27677a644820773fe2",
  authorDigest: "eed81169fb0cb5e0ec34794f128fd4e0c4a46f67c65a1adfa81fcb24bcc088c2" +
    "72369b7ffc3eb2b6af6a4284a1b36c5f",
};
const snpMeasure = {
  ld: "076f052d08bda7a700aa2a608c5caa6b00ebad297b6d68a85a45b1e669a558b6" +
    "7e1b91d284a301fe63c4fa0750467eed",
  idDigest: "870b7e35c53f8a72d0d322f75ab2af8262792aaf6579622ce4131c3f21f289e7" +
    "7cb0560a5e3b90b3932e674ec709cb14",
  authorDigest: "63111c34bbfc0a4938f9a009bd074980d8172323e61599c9fd336da8673248e1" +
    "dca98d0be8f76376a106b8afd4c0a057",
};

function defaultBlock(ld: string) {
  return {
    ld: hex(ld),
    familyId: new Uint8Array(16),
    imageId: new Uint8Array(16),
    version: 1,
    guestSvn: 0,
    policy: 0x30000n,
  };
}

Deno.test("virtee-sev ID block is built byte for byte", () => {
  const bytes = encodeIdBlock(defaultBlock(virtee.ld));
  assert.equal(bytes.length, ID_BLOCK_SIZE);
  assert.deepEqual(bytes, vector("virtee-sev/id_block.bin"));
  assert.equal(
    bytes.toHex(),
    virtee.ld + "00".repeat(32) + "01000000" + "00000000" + "0000030000000000",
  );
});

Deno.test("sev-snp-measure ID block is built byte for byte", () => {
  const bytes = encodeIdBlock(defaultBlock(snpMeasure.ld));
  assert.deepEqual(bytes, vector("sev-snp-measure/id_block.bin"));
});

Deno.test("ID block decodes and re-encodes", () => {
  const block = {
    ld: new Uint8Array(48).map((_, i) => i),
    familyId: new Uint8Array(16).fill(0xaa),
    imageId: new Uint8Array(16).fill(0xbb),
    version: 1,
    guestSvn: 0xdeadbeef,
    policy: 0xfedcba9876543210n,
  };
  const bytes = encodeIdBlock(block);
  assert.deepEqual(decodeIdBlock(bytes), block);
  assert.deepEqual(decodeIdBlock(vector("virtee-sev/id_block.bin")), defaultBlock(virtee.ld));
  assert.throws(() => decodeIdBlock(new Uint8Array(95)), IgvmToolError);
  assert.throws(() => encodeIdBlock({ ...block, ld: new Uint8Array(32) }), /LD is 32 bytes/);
  assert.throws(() => encodeIdBlock({ ...block, policy: 1n << 64n }), IgvmToolError);
  assert.throws(() => encodeIdBlock({ ...block, guestSvn: -1 }), IgvmToolError);
});

Deno.test("key digests: virtee-sev PKCS#8 keys", () => {
  const id = parsePrivateKeyPem(vector("virtee-sev/test_id_key.pem"));
  const author = parsePrivateKeyPem(vector("virtee-sev/test_auth_key.pem"));
  assert.equal(keyDigest(snpPublicKey(id)).toHex(), virtee.idDigest);
  assert.equal(keyDigest(snpPublicKey(author)).toHex(), virtee.authorDigest);
  assert.equal(
    id.qx.toHex(),
    "f6763e4d2609cf1b2cf22f2cc8b8ca4cf55d470c3c23552c93b168874390dd95cb3fdee847ddf79ff29efbb8803c6d1f",
  );
  assert.equal(
    author.qy.toHex(),
    "863c7930a2c98448a77a10088102e2a95f9308cd3e56b559b7fd3acc88b3cc2a19774348fea2f2c9031191e07187acf5",
  );
});

Deno.test("key digests: sev-snp-measure SEC1 keys", () => {
  const id = parsePrivateKeyPem(vector("sev-snp-measure/id_key_test.pem"));
  const author = parsePrivateKeyPem(vector("sev-snp-measure/author_key_test.pem"));
  assert.equal(keyDigest(snpPublicKey(id)).toHex(), snpMeasure.idDigest);
  assert.equal(keyDigest(snpPublicKey(author)).toHex(), snpMeasure.authorDigest);
});

Deno.test("public key forms: SNP 0x404, IGVM 152, conversion and extraction", () => {
  const id = parsePrivateKeyPem(vector("virtee-sev/test_id_key.pem"));
  const snp = snpPublicKey(id);
  assert.equal(snp.length, 0x404);
  assert.deepEqual(snp.subarray(0, 4), new Uint8Array([2, 0, 0, 0]));
  assert.deepEqual(snp.subarray(4, 52), id.qx.slice().reverse());
  assert.deepEqual(snp.subarray(52, 76), new Uint8Array(24));
  assert.deepEqual(snp.subarray(0x4c, 0x4c + 48), id.qy.slice().reverse());
  assert.ok(snp.subarray(0x94).every((b) => b === 0));

  const igvm = igvmPublicKey(id);
  assert.equal(igvm.length, 152);
  assert.deepEqual(igvm.subarray(0, 8), new Uint8Array([2, 0, 0, 0, 0, 0, 0, 0]));
  assert.deepEqual(igvm.subarray(8, 56), id.qx.slice().reverse());
  assert.deepEqual(igvm.subarray(0x50, 0x50 + 48), id.qy.slice().reverse());
  assert.deepEqual(igvmToSnpPublicKey(igvm), snp);
  assert.deepEqual(igvmToSnpPublicKey(new Uint8Array(152)), new Uint8Array(0x404));

  assert.deepEqual(publicKeyFromSnp(snp), { qx: id.qx, qy: id.qy });
  assert.deepEqual(publicKeyFromIgvm(igvm), { qx: id.qx, qy: id.qy });
  // Key extracted from the vector auth block.
  const auth = vector("virtee-sev/test_auth_block.bin");
  assert.deepEqual(publicKeyFromSnp(auth.subarray(0x240, 0x644)), { qx: id.qx, qy: id.qy });

  const badCurve = snp.slice();
  badCurve[0] = 3;
  assert.throws(() => publicKeyFromSnp(badCurve), /curve 3, expected 2/);
  const offCurve = snp.slice();
  offCurve[4] ^= 1;
  assert.throws(() => publicKeyFromSnp(offCurve), KeyError);
  const wide = igvm.slice();
  wide[8 + 60] = 1;
  assert.throws(() => publicKeyFromIgvm(wide), /does not fit in 48 bytes/);
  assert.throws(() => publicKeyFromIgvm(new Uint8Array(152)), KeyError);
  assert.throws(() => keyDigest(new Uint8Array(152)), KeyError);
  assert.throws(() => igvmToSnpPublicKey(new Uint8Array(148)), KeyError);
});

Deno.test("virtee-sev auth block is assembled byte for byte from its signatures and keys", () => {
  const id = parsePrivateKeyPem(vector("virtee-sev/test_id_key.pem"));
  const author = parsePrivateKeyPem(vector("virtee-sev/test_auth_key.pem"));
  const idSig = vector("virtee-sev/test_id_sig.bin");
  const authSig = vector("virtee-sev/test_auth_sig.bin");
  const expected = vector("virtee-sev/test_auth_block.bin");
  const info = {
    idKeyAlgo: 1,
    authorKeyAlgo: 1,
    idBlockSignature: idSig,
    idKey: snpPublicKey(id),
    idKeySignature: authSig,
    authorKey: snpPublicKey(author),
  };
  const built = encodeIdAuthInfo(info);
  assert.equal(built.length, ID_AUTH_INFO_SIZE);
  assert.deepEqual(built, expected);
  assert.deepEqual(decodeIdAuthInfo(expected), info);
  // Same bytes through the decoded-signature path.
  const viaSigned = idAuthInfoFromSigned({
    idBlockSignature: decodeSnpSignature(idSig),
    idKey: id,
    idKeySignature: decodeSnpSignature(authSig),
    authorKey: author,
  });
  assert.deepEqual(viaSigned, expected);
  assert.equal(keyDigest(expected.subarray(0x240, 0x644)).toHex(), virtee.idDigest);
  assert.equal(keyDigest(expected.subarray(0x880, 0xc84)).toHex(), virtee.authorDigest);
  assert.throws(() => encodeIdAuthInfo({ ...info, idKey: new Uint8Array(152) }), IgvmToolError);
});

Deno.test("virtee-sev vector signatures verify with Web Crypto", async () => {
  const id = parsePrivateKeyPem(vector("virtee-sev/test_id_key.pem"));
  const author = parsePrivateKeyPem(vector("virtee-sev/test_auth_key.pem"));
  const block = vector("virtee-sev/id_block.bin");
  const idSig = decodeSnpSignature(vector("virtee-sev/test_id_sig.bin"));
  const authSig = decodeSnpSignature(vector("virtee-sev/test_auth_sig.bin"));
  assert.equal(await verifySignature(block, idSig, id), true);
  assert.equal(await verifySignature(snpPublicKey(id), authSig, author), true);
  // Wrong key, wrong message.
  assert.equal(await verifySignature(block, idSig, author), false);
  const tampered = block.slice();
  tampered[0x58] ^= 1;
  assert.equal(await verifySignature(tampered, idSig, id), false);
});

Deno.test("signing the virtee-sev ID block: verifies with Web Crypto, deterministic", async () => {
  const id = parsePrivateKeyPem(vector("virtee-sev/test_id_key.pem"));
  const author = parsePrivateKeyPem(vector("virtee-sev/test_auth_key.pem"));
  const block = vector("virtee-sev/id_block.bin");
  const signed = signIdBlock(block, id, author);
  assert.equal(await verifySignature(block, signed.idBlockSignature, id), true);
  assert.equal(await verifySignature(snpPublicKey(id), signed.idKeySignature!, author), true);
  const auth = idAuthInfoFromSigned(signed);
  assert.deepEqual(idAuthInfoFromSigned(signIdBlock(block, id, author)), auth);
  const expected = vector("virtee-sev/test_auth_block.bin");
  // Keys and algorithms are as in the vector; the signatures are our own.
  assert.deepEqual(auth.subarray(0, 0x40), expected.subarray(0, 0x40));
  assert.deepEqual(auth.subarray(0x240, 0x680), expected.subarray(0x240, 0x680));
  assert.deepEqual(auth.subarray(0x880), expected.subarray(0x880));

  // Without an author key the author fields stay zero and the algos stay 1.
  const idOnly = idAuthInfoFromSigned(signIdBlock(block, id));
  assert.deepEqual(idOnly.subarray(0, 8), new Uint8Array([1, 0, 0, 0, 1, 0, 0, 0]));
  assert.ok(idOnly.subarray(0x680).every((b) => b === 0));
  assert.throws(() => signIdBlock(block.subarray(0, 95), id), IgvmToolError);
});
