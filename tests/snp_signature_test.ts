// Tests for lib/snp/signature.ts. Every signature this code produces is
// verified with Web Crypto (crypto.subtle), never with the signing library.

import assert from "node:assert/strict";
import { p384 } from "../lib/deps.ts";
import {
  decodeIgvmSignature,
  decodeSnpSignature,
  type EcdsaSignature,
  encodeDerSignature,
  encodeIgvmSignature,
  encodeSnpSignature,
  igvmToSnpSignature,
  isHighS,
  P384_ORDER,
  parseDerSignature,
  SignatureError,
  signP384,
  verifySignature,
} from "../lib/snp/signature.ts";
import { parsePrivateKeyPem, parsePublicKeyPem } from "../lib/snp/keys.ts";
import { KeyError } from "../lib/errors.ts";

const vector = (path: string) =>
  Deno.readFileSync(new URL(`../testdata/vectors/${path}`, import.meta.url));
const hex = (s: string) => Uint8Array.fromHex(s);
const big = (b: Uint8Array) => BigInt("0x" + b.toHex());
const text = (s: string) => new TextEncoder().encode(s);

async function openssl(args: string[], stdin?: Uint8Array): Promise<Uint8Array> {
  const child = new Deno.Command("openssl", {
    args,
    stdin: stdin ? "piped" : "null",
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  if (stdin) {
    const w = child.stdin.getWriter();
    await w.write(stdin);
    await w.close();
  }
  const out = await child.output();
  if (!out.success) {
    throw new Error(`openssl ${args.join(" ")}: ${new TextDecoder().decode(out.stderr)}`);
  }
  return out.stdout;
}

// RFC 6979 appendix A.2.6 (P-384), SHA-384 signatures.
const rfc = {
  d: hex(
    "6b9d3dad2e1b8c1c05b19875b6659f4de23c3b667bf297ba9aa47740787137d896d5724e4c70a825f872c9ea60d2edf5",
  ),
  qx: hex(
    "ec3a4e415b4e19a4568618029f427fa5da9a8bc4ae92e02e06aae5286b300c64def8f0ea9055866064a254515480bc13",
  ),
  qy: hex(
    "8015d9b72d7d57244ea8ef9ac0c621896708a59367f9dfb9f54ca84b3f1c9db1288b231c3ae0d4fe7344fd2533264720",
  ),
  sample: {
    r: "94edbb92a5ecb8aad4736e56c691916b3f88140666ce9fa73d64c4ea95ad133c81a648152e44acf96e36dd1e80fabe46",
    s: "99ef4aeb15f178cea1fe40db2603138f130e740a19624526203b6351d0a3a94fa329c145786e679e7b82c71a38628ac8",
  },
  test: {
    r: "8203b63d3c853e8d77227fb377bcf7b7b772e97892a80f36ab775d509d7a5feb0542a7f0812998da8f1dd3ca3cf023db",
    s: "ddd0760448d42d8a43af45af836fce4de8be06b485e9b61b827c2f13173923e06a739f040649a667bf3b828246baa5a5",
  },
};
const rfcKey = { qx: rfc.qx, qy: rfc.qy };

Deno.test("RFC 6979 A.2.6 P-384/SHA-384 vectors, kept high-S, verified by Web Crypto", async () => {
  for (const msg of ["sample", "test"] as const) {
    const sig = signP384(text(msg), rfc.d);
    assert.equal(sig.r.toHex(), rfc[msg].r);
    assert.equal(sig.s.toHex(), rfc[msg].s);
    // Both RFC vectors have s > n/2: no low-S normalisation happened.
    assert.ok(isHighS(sig));
    assert.ok(big(sig.s) > P384_ORDER / 2n);
    assert.equal(await verifySignature(text(msg), sig, rfcKey), true);
    // A low-S normalising signer (noble's default) would have produced n - s.
    const normalised = p384.sign(text(msg), rfc.d);
    assert.equal(big(normalised.subarray(48)), P384_ORDER - big(sig.s));
  }
});

Deno.test("signing is deterministic and every signature verifies with Web Crypto", async () => {
  const key = parsePrivateKeyPem(vector("virtee-sev/test_id_key.pem"));
  const block = vector("virtee-sev/id_block.bin");
  const a = signP384(block, key.d);
  const b = signP384(block, key.d);
  assert.deepEqual(a, b);
  assert.deepEqual(encodeSnpSignature(a), encodeSnpSignature(b));
  assert.equal(await verifySignature(block, a, key), true);
  const seen = new Set<string>();
  for (let i = 0; i < 16; i++) {
    const msg = text(`message ${i}`);
    const sig = signP384(msg, key.d);
    assert.equal(await verifySignature(msg, sig, key), true);
    seen.add(sig.r.toHex());
  }
  assert.equal(seen.size, 16);
});

Deno.test("a message whose signature is high-S stays high-S", async () => {
  const key = parsePrivateKeyPem(vector("sev-snp-measure/id_key_test.pem"));
  let found: { msg: Uint8Array; sig: EcdsaSignature } | undefined;
  for (let i = 0; i < 64 && found === undefined; i++) {
    const msg = text(`high-s probe ${i}`);
    const sig = signP384(msg, key.d);
    const lowS = p384.sign(msg, key.d, { lowS: true });
    if (lowS.subarray(48).toHex() !== sig.s.toHex()) found = { msg, sig };
  }
  assert.ok(found, "no high-S message found in 64 tries");
  assert.ok(big(found.sig.s) > P384_ORDER / 2n);
  assert.equal(await verifySignature(found.msg, found.sig, key), true);
  // The stored forms keep s as signed.
  assert.deepEqual(decodeIgvmSignature(encodeIgvmSignature(found.sig)), found.sig);
});

Deno.test("IGVM 144-byte and SNP 0x200-byte signature forms", () => {
  const file = vector("virtee-sev/test_id_sig.bin");
  const sig = decodeSnpSignature(file);
  assert.deepEqual(encodeSnpSignature(sig), file);
  assert.deepEqual(sig.r.slice().reverse(), file.subarray(0, 48));
  assert.deepEqual(sig.s.slice().reverse(), file.subarray(0x48, 0x48 + 48));

  const igvm = encodeIgvmSignature(sig);
  assert.equal(igvm.length, 144);
  assert.deepEqual(igvm, file.subarray(0, 144));
  assert.deepEqual(decodeIgvmSignature(igvm), sig);
  assert.deepEqual(igvmToSnpSignature(igvm), file);

  assert.throws(() => decodeSnpSignature(file.subarray(0, 144)), SignatureError);
  assert.throws(() => decodeIgvmSignature(file), SignatureError);
  const wide = igvm.slice();
  wide[0x48 + 50] = 1;
  assert.throws(() => decodeIgvmSignature(wide), /does not fit in 48 bytes/);
  assert.throws(() => encodeIgvmSignature({ r: new Uint8Array(47), s: sig.s }), SignatureError);
});

Deno.test("DER: openssl dgst signatures parse and verify with Web Crypto", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const keyPath = `${dir}/key.pem`;
    await openssl(["ecparam", "-name", "secp384r1", "-genkey", "-noout", "-out", keyPath]);
    const key = parsePrivateKeyPem(await Deno.readTextFile(keyPath));
    const block = vector("sev-snp-measure/id_block.bin");
    for (let i = 0; i < 4; i++) {
      const der = await openssl(["dgst", "-sha384", "-sign", keyPath], block);
      const sig = parseDerSignature(der);
      assert.equal(await verifySignature(block, sig, key), true);
      assert.deepEqual(encodeDerSignature(sig), der);
    }
    // Our signature, DER-encoded, passes `openssl dgst -verify`.
    const pubPath = `${dir}/pub.pem`;
    await openssl(["pkey", "-in", keyPath, "-pubout", "-out", pubPath]);
    assert.deepEqual(parsePublicKeyPem(await Deno.readTextFile(pubPath)), {
      qx: key.qx,
      qy: key.qy,
    });
    const ours = signP384(block, key.d);
    await Deno.writeFile(`${dir}/sig.der`, encodeDerSignature(ours));
    const out = await openssl(
      ["dgst", "-sha384", "-verify", pubPath, "-signature", `${dir}/sig.der`],
      block,
    );
    assert.match(new TextDecoder().decode(out), /Verified OK/);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("DER: strict parser refuses malformed input with a typed error", () => {
  const n = hex(P384_ORDER.toString(16));
  const cases: [string, number[], RegExp][] = [
    ["empty", [], /empty/],
    ["not a SEQUENCE", [0x31, 6, 2, 1, 1, 2, 1, 1], /expected SEQUENCE/],
    ["length too long", [0x30, 7, 2, 1, 1, 2, 1, 1], /does not match/],
    ["trailing byte", [0x30, 6, 2, 1, 1, 2, 1, 1, 0], /does not match/],
    ["extra element", [0x30, 9, 2, 1, 1, 2, 1, 1, 2, 1, 1], /extra data after s/],
    ["indefinite length", [0x30, 0x80, 2, 1, 1, 2, 1, 1, 0, 0], /unsupported length form/],
    ["non-minimal length", [0x30, 0x81, 6, 2, 1, 1, 2, 1, 1], /non-minimal length/],
    ["r not INTEGER", [0x30, 6, 4, 1, 1, 2, 1, 1], /expected INTEGER for r/],
    ["s missing", [0x30, 3, 2, 1, 1], /expected INTEGER for s/],
    ["empty INTEGER", [0x30, 5, 2, 0, 2, 1, 1], /bad length of r/],
    ["negative r", [0x30, 6, 2, 1, 0x81, 2, 1, 1], /r is negative/],
    ["non-minimal r", [0x30, 7, 2, 2, 0, 1, 2, 1, 1], /non-minimal encoding/],
    ["zero s", [0x30, 6, 2, 1, 1, 2, 1, 0], /not in \[1, n-1\]/],
    ["r = n", [0x30, 54, 2, 49, 0, ...n, 2, 1, 1], /not in \[1, n-1\]/],
    ["r too long", [0x30, 54, 2, 49, 1, ...new Uint8Array(48), 2, 1, 1], /longer than 48/],
    ["INTEGER overruns", [0x30, 6, 2, 9, 1, 2, 1, 1], /bad length of r/],
  ];
  for (const [name, bytes, re] of cases) {
    assert.throws(() => parseDerSignature(new Uint8Array(bytes)), (e: unknown) => {
      assert.ok(e instanceof SignatureError, `${name}: ${e}`);
      assert.match(e.message, re, name);
      assert.ok(!e.message.includes("\n"), name);
      return true;
    });
  }
  const one = parseDerSignature(new Uint8Array([0x30, 6, 2, 1, 1, 2, 1, 0x7f]));
  assert.equal(big(one.r), 1n);
  assert.equal(big(one.s), 0x7fn);
  const padded = parseDerSignature(new Uint8Array([0x30, 7, 2, 2, 0, 0x80, 2, 1, 1]));
  assert.equal(big(padded.r), 0x80n);
});

Deno.test("invalid private scalars and public points are KeyErrors", async () => {
  assert.throws(() => signP384(text("x"), new Uint8Array(48)), KeyError);
  assert.throws(() => signP384(text("x"), hex(P384_ORDER.toString(16))), KeyError);
  assert.throws(() => signP384(text("x"), new Uint8Array(32).fill(1)), KeyError);
  const sig = signP384(text("x"), rfc.d);
  await assert.rejects(
    verifySignature(text("x"), sig, { qx: rfc.qx, qy: new Uint8Array(48).fill(1) }),
    KeyError,
  );
  assert.equal(await verifySignature(text("y"), sig, rfcKey), false);
});
