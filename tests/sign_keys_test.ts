/**
 * Key files given to `sign`: every bad key is refused with exit 1, exactly one
 * stderr line `Error: <keyfile>: <reason>` and no output file; the accepted
 * forms of one P-384 key (SEC1, SEC1 with EC PARAMETERS, PKCS#8, CRLF line
 * ends) all give the same output. Keys are made with the openssl CLI.
 */

import assert from "node:assert/strict";
import {
  assertBytesEqual,
  assertOneErrorLine,
  AUTHOR_KEY,
  ID_KEY,
  input,
  listDir,
  openssl,
  reference,
  run,
  verifySignedIgvm,
  withTempDir,
} from "./signing_helpers.ts";

const BASE = input("qemu-snp-policy.igvm");

/** openssl commands that make the key `key.pem` in the folder (after a P-384 `p384.pem`). */
const P384 = ["ecparam", "-name", "secp384r1", "-genkey", "-noout", "-out", "p384.pem"];

interface BadKey {
  name: string;
  make: (dir: string) => Promise<void>;
  reason: RegExp;
  /** For encrypted keys: the openssl command the message suggests, to run with a password. */
  decrypt?: boolean;
}

const ossl = (...cmds: string[][]) => async (dir: string) => {
  for (const c of cmds) await openssl(c, dir);
};

const BAD: BadKey[] = [
  {
    name: "P-256 key (prime256v1)",
    make: ossl(["ecparam", "-name", "prime256v1", "-genkey", "-noout", "-out", "key.pem"]),
    reason: /P-256.*P-384|P-384.*P-256/,
  },
  {
    name: "P-521 key in PKCS#8",
    make: ossl([
      "genpkey",
      "-algorithm",
      "EC",
      "-pkeyopt",
      "ec_paramgen_curve:P-521",
      "-out",
      "key.pem",
    ]),
    reason: /P-521/,
  },
  {
    name: "secp256k1 key",
    make: ossl(["ecparam", "-name", "secp256k1", "-genkey", "-noout", "-out", "key.pem"]),
    reason: /secp256k1/,
  },
  {
    name: "RSA key (PKCS#8)",
    make: ossl(["genrsa", "-out", "key.pem", "2048"]),
    reason: /RSA.*P-384/,
  },
  {
    name: "RSA key (traditional RSA PRIVATE KEY)",
    make: ossl(["genrsa", "-traditional", "-out", "key.pem", "2048"]),
    reason: /RSA/,
  },
  {
    name: "Ed25519 key",
    make: ossl(["genpkey", "-algorithm", "ed25519", "-out", "key.pem"]),
    reason: /Ed25519/,
  },
  {
    name: "encrypted SEC1 key",
    make: ossl(P384, [
      "ec",
      "-in",
      "p384.pem",
      "-aes256",
      "-passout",
      "pass:secret",
      "-out",
      "key.pem",
    ]),
    reason: /encrypted.*openssl ec -in KEY/,
    decrypt: true,
  },
  {
    name: "encrypted PKCS#8 key",
    make: ossl(P384, [
      "pkcs8",
      "-topk8",
      "-in",
      "p384.pem",
      "-passout",
      "pass:secret",
      "-out",
      "key.pem",
    ]),
    reason: /encrypted.*openssl pkcs8 -in KEY/,
    decrypt: true,
  },
  {
    name: "public key",
    make: ossl(P384, ["ec", "-in", "p384.pem", "-pubout", "-out", "key.pem"]),
    reason: /public key/,
  },
  {
    name: "certificate",
    make: ossl(P384, [
      "req",
      "-new",
      "-x509",
      "-key",
      "p384.pem",
      "-subj",
      "/CN=test",
      "-days",
      "1",
      "-out",
      "key.pem",
    ]),
    reason: /CERTIFICATE/,
  },
  {
    name: "DER key",
    make: ossl(P384, ["ec", "-in", "p384.pem", "-outform", "DER", "-out", "key.pem"]),
    reason: /DER.*PEM/,
  },
  {
    name: "explicit curve parameters",
    make: ossl(P384, ["ec", "-in", "p384.pem", "-param_enc", "explicit", "-out", "key.pem"]),
    reason: /explicit|curve/,
  },
  {
    name: "EC PARAMETERS only",
    make: ossl(["ecparam", "-name", "secp384r1", "-out", "key.pem"]),
    reason: /EC PARAMETERS/,
  },
  {
    name: "truncated PEM",
    make: async (dir) => {
      await openssl(P384, dir);
      const pem = Deno.readTextFileSync(`${dir}/p384.pem`);
      Deno.writeTextFileSync(`${dir}/key.pem`, pem.slice(0, pem.length / 2));
    },
    reason: /truncated|malformed/,
  },
  {
    name: "empty file",
    make: async (dir) => await Deno.writeFile(`${dir}/key.pem`, new Uint8Array()),
    reason: /empty/,
  },
  {
    name: "binary file",
    make: async (dir) => {
      const bytes = new Uint8Array(256);
      for (let i = 0; i < 256; i++) bytes[i] = (i * 97 + 13) & 0xff;
      await Deno.writeFile(`${dir}/key.pem`, bytes);
    },
    reason: /binary/,
  },
  {
    name: "text file without a key",
    make: async (dir) => await Deno.writeTextFile(`${dir}/key.pem`, "hello\n"),
    reason: /no PEM private key/,
  },
  { name: "missing file", make: () => Promise.resolve(), reason: /no such file/ },
  {
    name: "directory",
    make: async (dir) => await Deno.mkdir(`${dir}/key.pem`),
    reason: /directory/,
  },
];

for (const bad of BAD) {
  for (const role of ["--id-key", "--author-key"] as const) {
    Deno.test(`sign refuses ${bad.name} as ${role}: exit 1, one line, no output`, () =>
      withTempDir(async (dir) => {
        await bad.make(dir);
        const key = `${dir}/key.pem`;
        Deno.mkdirSync(`${dir}/out`);
        const out = `${dir}/out/signed.igvm`;
        const keys = role === "--id-key"
          ? ["--id-key", key]
          : ["--id-key", ID_KEY, "--author-key", key];
        const r = await run([BASE, "sign", "--output", out, ...keys], dir);
        assert.equal(r.code, 1, `exit 1; stderr ${r.stderr}`);
        assert.equal(r.stdout, "");
        const reason = assertOneErrorLine(r.stderr, key);
        assert.match(reason, bad.reason);
        assert.deepEqual(listDir(`${dir}/out`), [], "no output file, no temp file");
        if (bad.decrypt && role === "--id-key") {
          // Run the suggested command (KEY → the file; a password on the command line).
          const cmd = /`openssl ([^`]+)`/.exec(reason);
          assert.ok(cmd, "the message quotes an openssl command");
          const args = cmd[1].split(" ").map((a) => (a === "KEY" ? key : a));
          await openssl([...args, "-passin", "pass:secret"], dir);
          const ok = await run(
            [BASE, "sign", "--output", out, "--id-key", `${dir}/plain.pem`],
            dir,
          );
          assert.equal(ok.code, 0, ok.stderr);
          const plain = await run(
            [BASE, "sign", "--output", `${dir}/p.igvm`, "--id-key", `${dir}/p384.pem`],
            dir,
          );
          assert.equal(plain.code, 0);
          assertBytesEqual(Deno.readFileSync(out), Deno.readFileSync(`${dir}/p.igvm`), "decrypted");
        }
      }));
  }
}

Deno.test("SEC1, SEC1 with EC PARAMETERS and PKCS#8 forms of one key give the same output", () =>
  withTempDir(async (dir) => {
    await openssl(["ecparam", "-name", "secp384r1", "-genkey", "-out", "params.pem"], dir);
    const params = Deno.readTextFileSync(`${dir}/params.pem`);
    assert.match(params, /-----BEGIN EC PARAMETERS-----[\s\S]*-----BEGIN EC PRIVATE KEY-----/);
    await openssl(["ec", "-in", "params.pem", "-out", "sec1.pem"], dir);
    assert.doesNotMatch(Deno.readTextFileSync(`${dir}/sec1.pem`), /EC PARAMETERS/);
    await openssl(["pkcs8", "-topk8", "-nocrypt", "-in", "params.pem", "-out", "pkcs8.pem"], dir);
    assert.match(Deno.readTextFileSync(`${dir}/pkcs8.pem`), /-----BEGIN PRIVATE KEY-----/);
    Deno.writeTextFileSync(`${dir}/crlf.pem`, params.replaceAll("\n", "\r\n"));

    for (const author of [false, true]) {
      const outputs: Uint8Array[] = [];
      for (const k of ["sec1", "params", "pkcs8", "crlf"]) {
        const out = `${dir}/${k}-${author}.igvm`;
        const extra = author ? ["--author-key", `${dir}/${k}.pem`] : [];
        const r = await run([
          BASE,
          "sign",
          "--output",
          out,
          "--id-key",
          `${dir}/${k}.pem`,
          ...extra,
        ], dir);
        assert.equal(r.stderr, "", k);
        assert.equal(r.code, 0);
        outputs.push(Deno.readFileSync(out));
      }
      await verifySignedIgvm(outputs[0]);
      for (let i = 1; i < outputs.length; i++) {
        assertBytesEqual(outputs[i], outputs[0], `form ${i}`);
      }
    }
  }));

Deno.test("the corpus keys in PKCS#8 and with EC PARAMETERS give the reference output", () =>
  withTempDir(async (dir) => {
    for (const [src, dst] of [[ID_KEY, "id8.pem"], [AUTHOR_KEY, "author8.pem"]]) {
      await openssl(["pkcs8", "-topk8", "-nocrypt", "-in", src, "-out", dst], dir);
    }
    const ecparams = new TextDecoder().decode(
      await openssl(["ecparam", "-name", "secp384r1"], dir),
    );
    Deno.writeTextFileSync(`${dir}/idp.pem`, ecparams + Deno.readTextFileSync(ID_KEY));
    const expected = Deno.readFileSync(reference("qemu-snp-policy.signed-id-author.igvm"));
    for (const [id, author] of [["id8.pem", "author8.pem"], ["idp.pem", "author8.pem"]]) {
      const out = `${dir}/out.igvm`;
      const r = await run(
        [
          BASE,
          "sign",
          "--output",
          out,
          "--id-key",
          `${dir}/${id}`,
          "--author-key",
          `${dir}/${author}`,
        ],
        dir,
      );
      assert.equal(r.code, 0, r.stderr);
      assertBytesEqual(Deno.readFileSync(out), expected, `${id} + ${author}`);
    }
  }));
