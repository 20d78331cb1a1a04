// Tests for lib/snp/keys.ts. Keys are generated with the openssl CLI into a
// temporary directory; refusal hints that name an openssl command are run.

import assert from "node:assert/strict";
import { parsePrivateKeyPem, parsePublicKeyPem } from "../lib/snp/keys.ts";
import { KeyError } from "../lib/errors.ts";

const vector = (path: string) =>
  Deno.readFileSync(new URL(`../testdata/vectors/${path}`, import.meta.url));

async function openssl(args: string[]): Promise<string> {
  const out = await new Deno.Command("openssl", { args, stdout: "piped", stderr: "piped" })
    .output();
  if (!out.success) {
    throw new Error(`openssl ${args.join(" ")}: ${new TextDecoder().decode(out.stderr)}`);
  }
  return new TextDecoder().decode(out.stdout);
}

const dir = await Deno.makeTempDir({ prefix: "snp_keys_test_" });
const path = (name: string) => `${dir}/${name}`;
const gen: [string, string[]][] = [
  ["sec1.pem", ["ecparam", "-name", "secp384r1", "-genkey", "-noout", "-out", path("sec1.pem")]],
  ["params.pem", ["ecparam", "-name", "secp384r1", "-genkey", "-out", path("params.pem")]],
  ["pkcs8.pem", [
    "pkcs8",
    "-topk8",
    "-nocrypt",
    "-in",
    path("sec1.pem"),
    "-out",
    path("pkcs8.pem"),
  ]],
  ["pub.pem", ["pkey", "-in", path("sec1.pem"), "-pubout", "-out", path("pub.pem")]],
  ["pub.der", [
    "pkey",
    "-in",
    path("sec1.pem"),
    "-pubout",
    "-outform",
    "DER",
    "-out",
    path("pub.der"),
  ]],
  ["sec1.der", ["ec", "-in", path("sec1.pem"), "-outform", "DER", "-out", path("sec1.der")]],
  ["pkcs8.der", ["pkey", "-in", path("sec1.pem"), "-outform", "DER", "-out", path("pkcs8.der")]],
  ["p256.pem", ["ecparam", "-name", "prime256v1", "-genkey", "-noout", "-out", path("p256.pem")]],
  ["p521.pem", ["ecparam", "-name", "secp521r1", "-genkey", "-noout", "-out", path("p521.pem")]],
  ["k256.pem", ["ecparam", "-name", "secp256k1", "-genkey", "-noout", "-out", path("k256.pem")]],
  ["bp384.pem", [
    "ecparam",
    "-name",
    "brainpoolP384r1",
    "-genkey",
    "-noout",
    "-out",
    path("bp384.pem"),
  ]],
  ["bp384_p8.pem", [
    "pkcs8",
    "-topk8",
    "-nocrypt",
    "-in",
    path("bp384.pem"),
    "-out",
    path("bp384_p8.pem"),
  ]],
  ["p256_p8.pem", [
    "pkcs8",
    "-topk8",
    "-nocrypt",
    "-in",
    path("p256.pem"),
    "-out",
    path("p256_p8.pem"),
  ]],
  ["p256_pub.pem", ["pkey", "-in", path("p256.pem"), "-pubout", "-out", path("p256_pub.pem")]],
  ["explicit.pem", [
    "ecparam",
    "-name",
    "secp384r1",
    "-genkey",
    "-noout",
    "-param_enc",
    "explicit",
    "-out",
    path("explicit.pem"),
  ]],
  ["rsa.pem", [
    "genpkey",
    "-algorithm",
    "RSA",
    "-pkeyopt",
    "rsa_keygen_bits:1024",
    "-out",
    path("rsa.pem"),
  ]],
  ["rsa_trad.pem", ["rsa", "-in", path("rsa.pem"), "-traditional", "-out", path("rsa_trad.pem")]],
  ["rsa_pub.pem", ["pkey", "-in", path("rsa.pem"), "-pubout", "-out", path("rsa_pub.pem")]],
  ["ed25519.pem", ["genpkey", "-algorithm", "ed25519", "-out", path("ed25519.pem")]],
  ["sec1_enc.pem", [
    "ec",
    "-in",
    path("sec1.pem"),
    "-aes256",
    "-passout",
    "pass:secret",
    "-out",
    path("sec1_enc.pem"),
  ]],
  ["pkcs8_enc.pem", [
    "pkcs8",
    "-topk8",
    "-in",
    path("sec1.pem"),
    "-passout",
    "pass:secret",
    "-out",
    path("pkcs8_enc.pem"),
  ]],
  ["cert.pem", [
    "req",
    "-new",
    "-x509",
    "-key",
    path("sec1.pem"),
    "-subj",
    "/CN=test",
    "-days",
    "1",
    "-out",
    path("cert.pem"),
  ]],
];
for (const [, args] of gen) await openssl(args);
// Remove the directory when the process ends; tests below only read it.
globalThis.addEventListener("unload", () => Deno.removeSync(dir, { recursive: true }));

const read = (name: string) => Deno.readFileSync(path(name));
const readText = (name: string) => Deno.readTextFileSync(path(name));

/** The uncompressed point at the end of a P-384 SPKI DER (0x04 || x || y). */
function spkiPoint(name: string): { qx: Uint8Array; qy: Uint8Array } {
  const der = read(name);
  const point = der.subarray(der.length - 97);
  assert.equal(point[0], 4);
  return { qx: point.slice(1, 49), qy: point.slice(49) };
}

function refuses(fn: () => unknown, re: RegExp): KeyError {
  let caught: unknown;
  try {
    fn();
  } catch (e) {
    caught = e;
  }
  assert.ok(caught instanceof KeyError, `expected KeyError, got ${caught}`);
  assert.match(caught.message, re);
  assert.ok(!caught.message.includes("\n"), "message must be one line");
  return caught;
}

/** Runs the `openssl …` command quoted in `message`, with KEY replaced. */
async function runHint(message: string, input: string, output: string, extra: string[] = []) {
  const cmd = /`openssl ([^`]+)`/.exec(message);
  assert.ok(cmd, `no openssl command in: ${message}`);
  const args = cmd[1].split(" ").map((a) =>
    a === "KEY" || a === "CERT" ? input : /\.pem$/.test(a) ? output : a
  );
  await openssl([...args, ...extra]);
}

Deno.test("SEC1, SEC1 with EC PARAMETERS and PKCS#8 keys parse", () => {
  const expected = spkiPoint("pub.der");
  for (const name of ["sec1.pem", "pkcs8.pem"]) {
    const key = parsePrivateKeyPem(readText(name));
    assert.equal(key.d.length, 48);
    assert.deepEqual({ qx: key.qx, qy: key.qy }, expected);
    assert.deepEqual(parsePrivateKeyPem(read(name)), key);
    assert.deepEqual(parsePrivateKeyPem(readText(name).replaceAll("\n", "\r\n")), key);
  }
  assert.deepEqual(parsePrivateKeyPem(read("sec1.pem")).d, parsePrivateKeyPem(read("pkcs8.pem")).d);
  assert.match(readText("params.pem"), /^-----BEGIN EC PARAMETERS-----/);
  assert.equal(parsePrivateKeyPem(read("params.pem")).qx.length, 48);
  // The vector keys: PKCS#8 (virtee-sev) and SEC1 (sev-snp-measure).
  assert.equal(
    parsePrivateKeyPem(vector("virtee-sev/test_auth_key.pem")).qx.toHex(),
    "6270c78bd6904cd1336299a25b98736a71ce92fef07494d72cb28b073c830f9f564af7a5c1c6ffc5a34973d5da45868c",
  );
  assert.equal(parsePrivateKeyPem(vector("sev-snp-measure/id_key_test.pem")).d.length, 48);
});

Deno.test("public key PEM (SPKI) parses", () => {
  assert.deepEqual(parsePublicKeyPem(readText("pub.pem")), spkiPoint("pub.der"));
  assert.deepEqual(parsePublicKeyPem(read("pub.pem")), spkiPoint("pub.der"));
});

Deno.test("keys on other curves are refused, naming the curve", () => {
  refuses(() => parsePrivateKeyPem(read("p256.pem")), /curve P-256 \(prime256v1\); only P-384/);
  refuses(() => parsePrivateKeyPem(read("p256_p8.pem")), /curve P-256/);
  refuses(() => parsePrivateKeyPem(read("p521.pem")), /curve P-521 \(secp521r1\)/);
  refuses(() => parsePrivateKeyPem(read("k256.pem")), /curve secp256k1/);
  refuses(() => parsePrivateKeyPem(read("bp384.pem")), /curve brainpoolP384r1/);
  refuses(() => parsePrivateKeyPem(read("bp384_p8.pem")), /curve brainpoolP384r1/);
  refuses(() => parsePublicKeyPem(read("p256_pub.pem")), /curve P-256/);
});

Deno.test("RSA and Ed25519 keys are refused, naming the type", () => {
  refuses(() => parsePrivateKeyPem(read("rsa.pem")), /unsupported key type RSA; an ECDSA P-384/);
  refuses(() => parsePrivateKeyPem(read("rsa_trad.pem")), /unsupported key type RSA/);
  refuses(() => parsePrivateKeyPem(read("ed25519.pem")), /unsupported key type Ed25519/);
  refuses(() => parsePublicKeyPem(read("rsa_pub.pem")), /unsupported key type RSA/);
});

Deno.test("encrypted keys are refused with a decryption command that works", async () => {
  const sec1 = refuses(() => parsePrivateKeyPem(read("sec1_enc.pem")), /key is encrypted/);
  assert.match(sec1.message, /`openssl ec -in KEY -out plain.pem`/);
  await runHint(sec1.message, path("sec1_enc.pem"), path("plain1.pem"), ["-passin", "pass:secret"]);
  const pkcs8 = refuses(() => parsePrivateKeyPem(read("pkcs8_enc.pem")), /encrypted \(PKCS#8\)/);
  assert.match(pkcs8.message, /`openssl pkcs8 -in KEY -out plain.pem`/);
  await runHint(pkcs8.message, path("pkcs8_enc.pem"), path("plain2.pem"), [
    "-passin",
    "pass:secret",
  ]);
  const original = parsePrivateKeyPem(read("sec1.pem"));
  assert.deepEqual(parsePrivateKeyPem(read("plain1.pem")), original);
  assert.deepEqual(parsePrivateKeyPem(read("plain2.pem")), original);
});

Deno.test("public keys and certificates are refused as private keys", async () => {
  refuses(() => parsePrivateKeyPem(read("pub.pem")), /holds a public key \(PUBLIC KEY\)/);
  refuses(() => parsePrivateKeyPem(read("cert.pem")), /holds a CERTIFICATE, not a private key/);
  const cert = refuses(() => parsePublicKeyPem(read("cert.pem")), /CERTIFICATE, not a public key/);
  await runHint(cert.message, path("cert.pem"), path("cert_pub.pem"));
  assert.deepEqual(parsePublicKeyPem(read("cert_pub.pem")), spkiPoint("pub.der"));
  const priv = refuses(() => parsePublicKeyPem(read("sec1.pem")), /private key \(EC PRIVATE KEY\)/);
  await runHint(priv.message, path("sec1.pem"), path("derived_pub.pem"));
  assert.deepEqual(parsePublicKeyPem(read("derived_pub.pem")), spkiPoint("pub.der"));
});

Deno.test("empty, binary and non-PEM files are refused", async () => {
  refuses(() => parsePrivateKeyPem(new Uint8Array(0)), /key file is empty/);
  refuses(() => parsePrivateKeyPem(""), /key file is empty/);
  refuses(() => parsePrivateKeyPem(" \n\n"), /key file is empty/);
  refuses(() => parsePublicKeyPem(new Uint8Array(0)), /key file is empty/);
  const random = new Uint8Array(64).map((_, i) => (i * 37 + 11) & 0xff);
  random[0] = 0x99;
  refuses(() => parsePrivateKeyPem(random), /binary data, not a PEM key/);
  const der = refuses(() => parsePrivateKeyPem(read("sec1.der")), /binary DER, not PEM/);
  await runHint(der.message, path("sec1.der"), path("from_der.pem"));
  assert.deepEqual(parsePrivateKeyPem(read("from_der.pem")), parsePrivateKeyPem(read("sec1.pem")));
  refuses(() => parsePrivateKeyPem("just some text\n"), /no PEM private key found/);
  refuses(() => parsePublicKeyPem("just some text\n"), /no PEM public key found/);
});

Deno.test("malformed PEM files are refused", async () => {
  const sec1 = readText("sec1.pem");
  refuses(() => parsePrivateKeyPem(sec1.slice(0, 100)), /truncated or malformed/);
  const params = readText("params.pem");
  refuses(
    () => parsePrivateKeyPem(params.slice(0, params.indexOf("-----BEGIN EC PRIVATE"))),
    /only EC PARAMETERS/,
  );
  refuses(() => parsePrivateKeyPem(sec1 + readText("pkcs8.pem")), /holds 2 PEM blocks/);
  refuses(() => parsePrivateKeyPem(sec1 + readText("cert.pem")), /EC PRIVATE KEY, CERTIFICATE/);
  const lines = sec1.split("\n");
  lines[1] = "!" + lines[1].slice(1);
  refuses(() => parsePrivateKeyPem(lines.join("\n")), /malformed EC PRIVATE KEY block/);
  refuses(
    () =>
      parsePrivateKeyPem(
        "-----BEGIN OPENSSH PRIVATE KEY-----\nAAAA\n-----END OPENSSH PRIVATE KEY-----\n",
      ),
    /unsupported key type OPENSSH/,
  );
  refuses(
    () => parsePrivateKeyPem("-----BEGIN FOO-----\nAAAA\n-----END FOO-----\n"),
    /unsupported PEM block "FOO"/,
  );
  const explicit = refuses(() => parsePrivateKeyPem(read("explicit.pem")), /explicit curve/);
  await runHint(explicit.message, path("explicit.pem"), path("named.pem"));
  assert.equal(parsePrivateKeyPem(read("named.pem")).d.length, 48);
});

Deno.test("a key whose public point does not match its scalar is refused", () => {
  // Replace the public point inside the key's DER by another key's point.
  const other = parsePrivateKeyPem(vector("virtee-sev/test_id_key.pem"));
  for (const [name, label] of [["sec1.der", "EC PRIVATE KEY"], ["pkcs8.der", "PRIVATE KEY"]]) {
    const mixed = read(name).slice();
    assert.equal(mixed[mixed.length - 97], 4);
    mixed.set([4, ...other.qx, ...other.qy], mixed.length - 97);
    const b64 = mixed.toBase64().match(/.{1,64}/g)!.join("\n");
    const pem = `-----BEGIN ${label}-----\n${b64}\n-----END ${label}-----\n`;
    refuses(() => parsePrivateKeyPem(pem), /invalid|does not match/);
  }
});
