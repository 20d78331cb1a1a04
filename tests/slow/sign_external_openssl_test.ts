/**
 * The external-signature (HSM/KMS) flow end to end with the openssl command
 * line: the commands of docs/signing.md are run as written (the `igvmmeasure`
 * lines as `deno run -A main.ts`), the result verifies with Web Crypto and
 * measures with no ID-block mismatch, and its structure equals the
 * private-key flow's except the (randomized) signatures. Signatures over other
 * bytes are refused with exit 1, one stderr line naming the signature file and
 * no output file.
 */

import assert from "node:assert/strict";
import { parseIgvm } from "../../lib/igvm/parser.ts";
import { serializeIgvm } from "../../lib/igvm/serializer.ts";
import type { SnpIdBlock } from "../../lib/igvm/types.ts";
import {
  assertBytesEqual,
  assertOneErrorLine,
  input,
  lastIdBlock,
  listDir,
  measure,
  openssl,
  run,
  spawnCli,
  strayTempFiles,
  verifySignedIgvm,
  withTempDir,
} from "../signing_helpers.ts";

const DOC = new URL("../../docs/signing.md", import.meta.url);

/** The shell commands between the external-flow markers of docs/signing.md. */
function docCommands(): string[][] {
  const text = Deno.readTextFileSync(DOC);
  const m = /<!-- external-flow: begin -->\s*```sh\n([\s\S]*?)```\s*<!-- external-flow: end -->/
    .exec(text);
  assert.ok(m, "docs/signing.md has the external-flow block");
  return m[1].split("\n").map((l) => l.trim()).filter((l) => l !== "" && !l.startsWith("#"))
    .map((l) => {
      assert.doesNotMatch(l, /["'`|;&<>$\\]/, `plain command: ${l}`);
      return l.split(/\s+/);
    });
}

/** Runs one documented command in `dir`. */
async function runDocCommand(cmd: string[], dir: string): Promise<string> {
  if (cmd[0] === "openssl") {
    return new TextDecoder().decode(await openssl(cmd.slice(1), dir));
  }
  assert.equal(cmd[0], "igvmmeasure", `known command: ${cmd.join(" ")}`);
  const r = await spawnCli(cmd.slice(1), dir);
  assert.equal(r.stderr, "", `${cmd.join(" ")}: no error`);
  assert.equal(r.code, 0, cmd.join(" "));
  return r.stdout;
}

/** Every field of two ID block directives, except the two signatures. */
function assertSameExceptSignatures(a: SnpIdBlock, b: SnpIdBlock): void {
  const strip = (d: SnpIdBlock) => ({ ...d, idKeySignature: null, authorKeySignature: null });
  assert.deepEqual(strip(a), strip(b));
}

for (
  const [label, base] of [
    ["qemu", "qemu-snp-ovmf-policy.igvm"],
    ["hyper-v", "hyperv-snp-vsm-policy.igvm"],
    ["signed input", "signed-qemu-snp-policy-id-author.igvm"],
  ]
) {
  Deno.test(`external flow (${label}): the documented openssl commands, end to end`, () =>
    withTempDir(async (dir) => {
      Deno.copyFileSync(input(base), `${dir}/guest.igvm`);
      const outputs: string[] = [];
      for (const cmd of docCommands()) outputs.push(await runDocCommand(cmd, dir));
      assert.match(outputs.at(-1)!, /Launch Digest: [0-9A-F]{96}\n/);

      const idBlock = Deno.readFileSync(`${dir}/id_block.bin`);
      const idKey = Deno.readFileSync(`${dir}/id_key.bin`);
      assert.equal(idBlock.length, 96, "id_block.bin is 96 bytes");
      assert.equal(idKey.length, 0x404, "id_key.bin is 0x404 bytes");
      assert.deepEqual(strayTempFiles(dir), []);

      // The assembled file verifies with Web Crypto over exactly the exported bytes.
      const signed = Deno.readFileSync(`${dir}/guest.signed.igvm`);
      const info = await verifySignedIgvm(signed);
      assert.equal(info.hasAuthor, true);
      assertBytesEqual(info.idBlock, idBlock, "signed ID block = id_block.bin");
      assertBytesEqual(info.idKeyStructure, idKey, "ID key structure = id_key.bin");
      const m = await measure(`${dir}/guest.signed.igvm`, dir);
      assert.equal(m.stderr, "");
      assert.equal(m.code, 0);
      assert.equal(m.stdout, info.directive.ld.toHex().toUpperCase() + "\n");

      // Same structure as the private-key flow with the same keys; only signatures differ.
      const r = await run(
        [
          `${dir}/guest.igvm`,
          "sign",
          "--output",
          `${dir}/private.igvm`,
          "--id-key",
          `${dir}/id_key.pem`,
          "--author-key",
          `${dir}/author_key.pem`,
        ],
        dir,
      );
      assert.equal(r.code, 0, r.stderr);
      const priv = Deno.readFileSync(`${dir}/private.igvm`);
      const privInfo = await verifySignedIgvm(priv);
      assert.equal(priv.length, signed.length, "same size");
      assertBytesEqual(privInfo.idBlock, idBlock, "same ID block");
      assertSameExceptSignatures(info.directive, privInfo.directive);
      // Put the private flow's signatures into the external file: byte-identical.
      const ext = parseIgvm(signed);
      const d = lastIdBlock(ext);
      const swapped = {
        ...ext,
        directives: ext.directives.map((x) =>
          x === d
            ? {
              ...d,
              idKeySignature: privInfo.directive.idKeySignature,
              authorKeySignature: privInfo.directive.authorKeySignature,
            }
            : x
        ),
      };
      assertBytesEqual(serializeIgvm(swapped), priv, "only the signatures differ");
    }));
}

// ---------------------------------------------------------------------------
// Variants and refusals (in process; keys and signatures made with openssl).

async function makeKeys(dir: string): Promise<void> {
  for (const k of ["id_key", "author_key", "other_key"]) {
    await openssl(["ecparam", "-name", "secp384r1", "-genkey", "-noout", "-out", `${k}.pem`], dir);
    await openssl(["ec", "-in", `${k}.pem`, "-pubout", "-out", `${k}.pub.pem`], dir);
  }
}

const dgst = (dir: string, key: string, out: string, file: string) =>
  openssl(["dgst", "-sha384", "-sign", key, "-out", out, file], dir);

async function step1(dir: string, inputPath: string, extra: string[] = [], global: string[] = []) {
  const r = await run(
    [
      ...global,
      inputPath,
      "sign",
      "--write-id-block",
      `${dir}/id_block.bin`,
      "--id-public-key",
      `${dir}/id_key.pub.pem`,
      "--write-id-key",
      `${dir}/id_key.bin`,
      ...extra,
    ],
    dir,
  );
  assert.equal(r.code, 0, r.stderr);
  assert.equal(r.stdout, `Wrote ${dir}/id_block.bin\nWrote ${dir}/id_key.bin\n`);
}

function step2Args(dir: string, inputPath: string, idSig: string, authorSig?: string): string[] {
  return [
    inputPath,
    "sign",
    "--output",
    `${dir}/out/signed.igvm`,
    "--id-public-key",
    `${dir}/id_key.pub.pem`,
    "--id-signature",
    `${dir}/${idSig}`,
    ...(authorSig
      ? [
        "--author-public-key",
        `${dir}/author_key.pub.pem`,
        "--author-signature",
        `${dir}/${authorSig}`,
      ]
      : []),
  ];
}

Deno.test("external flow without an author key, with -n and ID block fields", () =>
  withTempDir(async (dir) => {
    await makeKeys(dir);
    Deno.mkdirSync(`${dir}/out`);
    const base = input("vanadium-snp-policy.igvm");
    const fields = ["--family-id", "0x01020304", "--image-id", "aa", "--guest-svn", "9"];
    await step1(dir, base, fields, ["-n"]);
    await dgst(dir, "id_key.pem", "id.sig", "id_block.bin");
    const r = await run(["-n", ...step2Args(dir, base, "id.sig"), ...fields], dir);
    assert.equal(r.code, 0, r.stderr);
    const info = await verifySignedIgvm(Deno.readFileSync(`${dir}/out/signed.igvm`));
    assert.equal(info.hasAuthor, false);
    assert.equal(info.directive.guestSvn, 9);
    assert.equal(info.directive.familyId.subarray(0, 4).toHex(), "01020304");
    assert.equal(info.directive.imageId[0], 0xaa);
    const m = await measure(`${dir}/out/signed.igvm`, dir, true);
    assert.equal(m.code, 0, m.stderr);
    const plain = await measure(`${dir}/out/signed.igvm`, dir, false);
    assert.equal(plain.code, 1, "without -n the digest differs from the LD");
    assert.match(plain.stderr, /does not match/);
  }));

Deno.test("external flow: id_block.bin alone (no ID key structure) without --write-id-key", () =>
  withTempDir(async (dir) => {
    const r = await run(
      [input("qemu-snp-policy.igvm"), "sign", "--write-id-block", `${dir}/id_block.bin`],
      dir,
    );
    assert.equal(r.code, 0, r.stderr);
    assert.deepEqual(listDir(dir), ["id_block.bin"]);
    assert.equal(Deno.statSync(`${dir}/id_block.bin`).size, 96);
  }));

interface Refusal {
  name: string;
  /** Makes the signatures; returns [id signature, author signature?, step-2 extra args]. */
  prepare: (dir: string) => Promise<[string, string | undefined, string[]]>;
  /** The signature file the error must name. */
  names: "id" | "author";
}

const REFUSALS: Refusal[] = [
  {
    name: "ID signature over the ID key structure instead of the ID block",
    prepare: async (dir) => {
      await dgst(dir, "id_key.pem", "id.sig", "id_key.bin");
      return ["id.sig", undefined, []];
    },
    names: "id",
  },
  {
    name: "ID signature over a flipped ID block",
    prepare: async (dir) => {
      const b = Deno.readFileSync(`${dir}/id_block.bin`);
      b[0x54] ^= 1;
      Deno.writeFileSync(`${dir}/flipped.bin`, b);
      await dgst(dir, "id_key.pem", "id.sig", "flipped.bin");
      return ["id.sig", undefined, []];
    },
    names: "id",
  },
  {
    name: "ID signature made with another key",
    prepare: async (dir) => {
      await dgst(dir, "other_key.pem", "id.sig", "id_block.bin");
      return ["id.sig", undefined, []];
    },
    names: "id",
  },
  {
    name: "ID block signed for other field values",
    prepare: async (dir) => {
      await dgst(dir, "id_key.pem", "id.sig", "id_block.bin");
      return ["id.sig", undefined, ["--guest-svn", "1"]];
    },
    names: "id",
  },
  {
    name: "ID block signed for another file",
    prepare: async (dir) => {
      const r = await run(
        [input("qemu-snp-ovmf-policy.igvm"), "sign", "--write-id-block", `${dir}/other_block.bin`],
        dir,
      );
      assert.equal(r.code, 0);
      await dgst(dir, "id_key.pem", "id.sig", "other_block.bin");
      return ["id.sig", undefined, []];
    },
    names: "id",
  },
  {
    name: "author signature over the ID block instead of the ID key structure",
    prepare: async (dir) => {
      await dgst(dir, "id_key.pem", "id.sig", "id_block.bin");
      await dgst(dir, "author_key.pem", "author.sig", "id_block.bin");
      return ["id.sig", "author.sig", []];
    },
    names: "author",
  },
  {
    name: "author signature made with another key",
    prepare: async (dir) => {
      await dgst(dir, "id_key.pem", "id.sig", "id_block.bin");
      await dgst(dir, "other_key.pem", "author.sig", "id_key.bin");
      return ["id.sig", "author.sig", []];
    },
    names: "author",
  },
  {
    name: "ID signature file that is not DER",
    prepare: (dir) => {
      Deno.writeTextFileSync(`${dir}/id.sig`, "not a signature\n");
      return Promise.resolve(["id.sig", undefined, []]);
    },
    names: "id",
  },
  {
    name: "empty author signature file",
    prepare: async (dir) => {
      await dgst(dir, "id_key.pem", "id.sig", "id_block.bin");
      Deno.writeFileSync(`${dir}/author.sig`, new Uint8Array());
      return ["id.sig", "author.sig", []];
    },
    names: "author",
  },
];

for (const refusal of REFUSALS) {
  Deno.test(`external flow refuses: ${refusal.name}`, () =>
    withTempDir(async (dir) => {
      await makeKeys(dir);
      Deno.mkdirSync(`${dir}/out`);
      const base = input("qemu-snp-policy.igvm");
      await step1(dir, base);
      const [idSig, authorSig, extra] = await refusal.prepare(dir);
      for (const existing of [false, true]) {
        const sentinel = new TextEncoder().encode("keep me\n");
        if (existing) Deno.writeFileSync(`${dir}/out/signed.igvm`, sentinel);
        const r = await run([...step2Args(dir, base, idSig, authorSig), ...extra], dir);
        assert.equal(r.code, 1, `exit 1; stderr ${r.stderr}`);
        assert.equal(r.stdout, "");
        const named = `${dir}/${refusal.names === "id" ? idSig : authorSig}`;
        assertOneErrorLine(r.stderr, named);
        assert.deepEqual(listDir(`${dir}/out`), existing ? ["signed.igvm"] : [], "no output file");
        if (existing) {
          assertBytesEqual(Deno.readFileSync(`${dir}/out/signed.igvm`), sentinel, "kept");
        }
      }
    }));
}

Deno.test("external flow refusal through the real CLI: exit 1, one stderr line", () =>
  withTempDir(async (dir) => {
    await makeKeys(dir);
    Deno.copyFileSync(input("qemu-snp-policy.igvm"), `${dir}/guest.igvm`);
    await step1(dir, `${dir}/guest.igvm`);
    await dgst(dir, "id_key.pem", "id.sig", "id_key.bin"); // over other bytes
    const args = [
      "guest.igvm",
      "sign",
      "--output",
      "guest.signed.igvm",
      "--id-public-key",
      "id_key.pub.pem",
      "--id-signature",
      "id.sig",
    ];
    const r = await spawnCli(args, dir);
    assert.equal(r.code, 1);
    assert.equal(r.stdout, "");
    assert.match(assertOneErrorLine(r.stderr, "id.sig"), /does not verify/);
    assert.ok(!listDir(dir).includes("guest.signed.igvm"));
    assert.deepEqual(strayTempFiles(dir), []);
    // With --json the refusal is a signature error about the signature file (docs/json.md).
    const j = await spawnCli([...args, "--json"], dir);
    assert.equal(j.code, 1);
    const error = JSON.parse(j.stdout).error;
    assert.deepEqual([error.type, error.file], ["signature", "id.sig"]);
    assert.ok(!listDir(dir).includes("guest.signed.igvm"));
  }));
