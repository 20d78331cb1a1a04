/**
 * A failing `sign` leaves no output file, an existing output file untouched
 * (same bytes, same inode, same mtime) and no stray `.igvmmeasure-*.tmp` file.
 * A successful one creates its files with the permissions of a normally
 * created file.
 */

import assert from "node:assert/strict";
import {
  assertBytesEqual,
  assertOneErrorLine,
  assertReferenceOutput,
  ID_KEY,
  input,
  listDir,
  MAIN,
  openssl,
  run,
  strayTempFiles,
  withTempDir,
} from "./signing_helpers.ts";

const SENTINEL = new TextEncoder().encode("sentinel: must survive a failed sign\n");
const BASE = input("qemu-snp-policy.igvm");

interface Snapshot {
  names: string[];
  files: Map<string, { bytes: Uint8Array; ino: number | null; mtime: number | undefined }>;
}

function snapshot(dir: string): Snapshot {
  const files = new Map();
  for (const name of listDir(dir)) {
    const path = `${dir}/${name}`;
    const st = Deno.statSync(path);
    if (st.isFile) {
      files.set(name, { bytes: Deno.readFileSync(path), ino: st.ino, mtime: st.mtime?.getTime() });
    }
  }
  return { names: listDir(dir), files };
}

function assertUnchanged(dir: string, before: Snapshot): void {
  assert.deepEqual(strayTempFiles(dir), [], "no stray temp files");
  assert.deepEqual(listDir(dir), before.names, "no file created or removed");
  for (const [name, f] of before.files) {
    const st = Deno.statSync(`${dir}/${name}`);
    assertBytesEqual(Deno.readFileSync(`${dir}/${name}`), f.bytes, `${name} untouched`);
    assert.equal(st.ino, f.ino, `${name}: same inode`);
    assert.equal(st.mtime?.getTime(), f.mtime, `${name}: same mtime`);
  }
}

interface Case {
  name: string;
  /** Prepares the folder; returns the sign arguments (output is `out/signed.igvm`). */
  args: (dir: string) => Promise<string[]>;
  exit: number;
  /** The file the error line names (undefined: just one line). */
  names?: (dir: string) => string;
}

const OUT = "out/signed.igvm";

/** `[...global, file, sign --output <dir>/OUT --id-key ID_KEY]`: a plain sign into `dir`. */
const signTo = (dir: string, file: string, ...global: string[]) =>
  Promise.resolve([...global, file, "sign", "--output", `${dir}/${OUT}`, "--id-key", ID_KEY]);

const CASES: Case[] = [
  {
    name: "RSA id key",
    args: async (dir) => {
      await openssl(["genrsa", "-out", "rsa.pem", "2048"], dir);
      return [BASE, "sign", "--output", `${dir}/${OUT}`, "--id-key", `${dir}/rsa.pem`];
    },
    exit: 1,
    names: (dir) => `${dir}/rsa.pem`,
  },
  {
    name: "empty author key (after a good id key)",
    args: (dir) => {
      Deno.writeFileSync(`${dir}/empty.pem`, new Uint8Array());
      return Promise.resolve([
        BASE,
        "sign",
        "--output",
        `${dir}/${OUT}`,
        "--id-key",
        ID_KEY,
        "--author-key",
        `${dir}/empty.pem`,
      ]);
    },
    exit: 1,
    names: (dir) => `${dir}/empty.pem`,
  },
  {
    name: "no guest policy",
    args: (dir) => signTo(dir, input("qemu-snp.igvm")),
    exit: 1,
  },
  {
    name: "not an SEV-SNP file",
    args: (dir) => signTo(dir, input("qemu-tdp.igvm")),
    exit: 1,
  },
  {
    name: "another platform than SEV-SNP (-p sev-es)",
    args: (dir) => signTo(dir, input("sev-es-from-qemu-snp-policy.igvm"), "-p", "sev-es"),
    exit: 1,
  },
  {
    name: "input the parser refuses",
    args: (dir) => signTo(dir, input("sev-from-qemu-snp-policy.igvm")),
    exit: 1,
  },
  {
    name: "missing input",
    args: (dir) => signTo(dir, `${dir}/nope.igvm`),
    exit: 1,
    names: (dir) => `${dir}/nope.igvm`,
  },
  {
    name: "usage error",
    args: (dir) =>
      Promise.resolve([
        BASE,
        "sign",
        "--output",
        `${dir}/${OUT}`,
        "--id-key",
        ID_KEY,
        "--guest-svn",
        "x",
      ]),
    exit: 2,
  },
  {
    name: "signature over other bytes in the external flow",
    args: async (dir) => {
      await openssl(["ecparam", "-name", "secp384r1", "-genkey", "-noout", "-out", "k.pem"], dir);
      await openssl(["ec", "-in", "k.pem", "-pubout", "-out", "k.pub.pem"], dir);
      Deno.writeFileSync(`${dir}/other.bin`, new Uint8Array(96));
      await openssl(["dgst", "-sha384", "-sign", "k.pem", "-out", "id.sig", "other.bin"], dir);
      return [
        BASE,
        "sign",
        "--output",
        `${dir}/${OUT}`,
        "--id-public-key",
        `${dir}/k.pub.pem`,
        "--id-signature",
        `${dir}/id.sig`,
      ];
    },
    exit: 1,
    names: (dir) => `${dir}/id.sig`,
  },
];

for (const c of CASES) {
  for (const existing of [false, true]) {
    Deno.test(`failed sign (${c.name})${existing ? ", output exists" : ""}: no partial output`, () =>
      withTempDir(async (dir) => {
        const args = await c.args(dir);
        Deno.mkdirSync(`${dir}/out`);
        if (existing) Deno.writeFileSync(`${dir}/${OUT}`, SENTINEL);
        const before = snapshot(`${dir}/out`);
        const beforeTop = snapshot(dir);
        const r = await run(args, dir);
        assert.equal(r.code, c.exit, `exit ${c.exit}; stderr ${r.stderr}`);
        if (c.names) assertOneErrorLine(r.stderr, c.names(dir));
        else if (c.exit === 1) assert.match(r.stderr, /^Error: [^\n]+\n$/);
        assertUnchanged(`${dir}/out`, before);
        assertUnchanged(dir, beforeTop);
      }));
  }
}

// The original refuses after measuring, with its own message (printed as a Rust string value).
for (
  const [platform, file] of [["sev-es", "sev-es-from-qemu-snp-policy.igvm"], [
    "tdx",
    "qemu-tdp.igvm",
  ]]
) {
  Deno.test(`sign -p ${platform}: the original's refusal, nothing written`, () =>
    withTempDir(async (dir) => {
      const out = `${dir}/signed.igvm`;
      const r = await run([
        "-p",
        platform,
        input(file),
        "sign",
        "--output",
        out,
        "--id-key",
        ID_KEY,
      ], dir);
      assert.equal(r.code, 1);
      assert.equal(r.stdout, "");
      assert.equal(r.stderr, 'Error: "Signing is only supported for SEV-SNP"\n');
      assert.deepEqual(listDir(dir), []);
    }));
}

Deno.test("failed sign: output folder does not exist", () =>
  withTempDir(async (dir) => {
    const out = `${dir}/missing/signed.igvm`;
    const r = await run([BASE, "sign", "--output", out, "--id-key", ID_KEY], dir);
    assert.equal(r.code, 1);
    const reason = assertOneErrorLine(r.stderr, out);
    assert.match(reason, /no such file|not found/i);
    assert.deepEqual(listDir(dir), []);
  }));

Deno.test("failed sign: output folder is a regular file", () =>
  withTempDir(async (dir) => {
    Deno.writeFileSync(`${dir}/file`, SENTINEL);
    const before = snapshot(dir);
    const out = `${dir}/file/signed.igvm`;
    const r = await run([BASE, "sign", "--output", out, "--id-key", ID_KEY], dir);
    assert.equal(r.code, 1);
    assertOneErrorLine(r.stderr, out);
    assertUnchanged(dir, before);
  }));

Deno.test("failed sign: output is an existing folder (fails after the data is written)", () =>
  withTempDir(async (dir) => {
    Deno.mkdirSync(`${dir}/target`);
    Deno.writeFileSync(`${dir}/target/keep`, SENTINEL);
    const before = snapshot(dir);
    const r = await run([BASE, "sign", "--output", `${dir}/target`, "--id-key", ID_KEY], dir);
    assert.equal(r.code, 1);
    assertOneErrorLine(r.stderr, `${dir}/target`);
    assertUnchanged(dir, before);
    assertBytesEqual(Deno.readFileSync(`${dir}/target/keep`), SENTINEL, "folder content kept");
  }));

Deno.test({
  name: "failed sign: output folder not writable (skipped as root)",
  ignore: Deno.uid() === 0,
  fn: () =>
    withTempDir(async (dir) => {
      Deno.mkdirSync(`${dir}/ro`);
      Deno.writeFileSync(`${dir}/ro/signed.igvm`, SENTINEL);
      Deno.chmodSync(`${dir}/ro`, 0o555);
      try {
        const before = snapshot(`${dir}/ro`);
        const out = `${dir}/ro/signed.igvm`;
        const r = await run([BASE, "sign", "--output", out, "--id-key", ID_KEY], dir);
        assert.equal(r.code, 1);
        assert.match(assertOneErrorLine(r.stderr, out), /permission denied/);
        assertUnchanged(`${dir}/ro`, before);
      } finally {
        Deno.chmodSync(`${dir}/ro`, 0o755);
      }
    }),
});

Deno.test("external flow step 1: a bad --id-public-key writes neither file", () =>
  withTempDir(async (dir) => {
    Deno.writeTextFileSync(`${dir}/bad.pub.pem`, "not a key\n");
    Deno.writeFileSync(`${dir}/id_block.bin`, SENTINEL);
    const before = snapshot(dir);
    for (const existing of [true, false]) {
      if (!existing) Deno.removeSync(`${dir}/id_block.bin`);
      const snap = existing ? before : snapshot(dir);
      const r = await run(
        [
          BASE,
          "sign",
          "--write-id-block",
          `${dir}/id_block.bin`,
          "--id-public-key",
          `${dir}/bad.pub.pem`,
          "--write-id-key",
          `${dir}/id_key.bin`,
        ],
        dir,
      );
      assert.equal(r.code, 1);
      assertOneErrorLine(r.stderr, `${dir}/bad.pub.pem`);
      assertUnchanged(dir, snap);
    }
  }));

Deno.test("a successful sign replaces an existing output and leaves no temp file", () =>
  withTempDir(async (dir) => {
    const out = `${dir}/signed.igvm`;
    Deno.writeFileSync(out, SENTINEL);
    const r = await run([BASE, "sign", "--output", out, "--id-key", ID_KEY], dir);
    assert.equal(r.code, 0, r.stderr);
    assert.deepEqual(listDir(dir), ["signed.igvm"]);
    await assertReferenceOutput(
      Deno.readFileSync(out),
      "qemu-snp-policy.signed-id.igvm",
      "replaced output",
    );
  }));

Deno.test("output files get the permissions of a normally created file (umask), not 0600", () =>
  withTempDir(async (dir) => {
    Deno.writeFileSync(`${dir}/plain`, SENTINEL);
    const expected = Deno.statSync(`${dir}/plain`).mode! & 0o777;
    const r = await run([BASE, "sign", "--output", `${dir}/signed.igvm`, "--id-key", ID_KEY], dir);
    assert.equal(r.code, 0, r.stderr);
    await openssl(["ecparam", "-name", "secp384r1", "-genkey", "-noout", "-out", "k.pem"], dir);
    await openssl(["ec", "-in", "k.pem", "-pubout", "-out", "k.pub.pem"], dir);
    const s1 = await run(
      [
        BASE,
        "sign",
        "--write-id-block",
        `${dir}/id_block.bin`,
        "--id-public-key",
        `${dir}/k.pub.pem`,
        "--write-id-key",
        `${dir}/id_key.bin`,
      ],
      dir,
    );
    assert.equal(s1.code, 0, s1.stderr);
    for (const f of ["signed.igvm", "id_block.bin", "id_key.bin"]) {
      const mode = Deno.statSync(`${dir}/${f}`).mode! & 0o777;
      assert.equal(mode.toString(8), expected.toString(8), `${f} mode`);
    }
  }));

Deno.test("sign run without --allow-write: exit 1, the message names the missing permission", () =>
  withTempDir(async (dir) => {
    const out = await new Deno.Command(Deno.execPath(), {
      args: [
        "run",
        "--quiet",
        "--allow-read",
        MAIN,
        BASE,
        "sign",
        "--output",
        "o.igvm",
        "--id-key",
        ID_KEY,
      ],
      cwd: dir,
      stdout: "piped",
      stderr: "piped",
      env: { NO_COLOR: "1" },
    }).output();
    assert.equal(out.code, 1);
    const stderr = new TextDecoder().decode(out.stderr);
    assert.match(assertOneErrorLine(stderr, "o.igvm"), /--allow-write/);
    assert.deepEqual(listDir(dir), []);
  }));

Deno.test("external flow step 1: an ID key structure that cannot be written leaves no ID block", () =>
  withTempDir(async (dir) => {
    await openssl(["ec", "-in", ID_KEY, "-pubout", "-out", "id.pub.pem"], dir);
    const snap = snapshot(dir);
    const r = await run(
      [
        BASE,
        "sign",
        "--write-id-block",
        `${dir}/id_block.bin`,
        "--id-public-key",
        `${dir}/id.pub.pem`,
        "--write-id-key",
        `${dir}/missing/id_key.bin`,
      ],
      dir,
    );
    assert.equal(r.code, 1);
    assertOneErrorLine(r.stderr, `${dir}/missing/id_key.bin`);
    assertUnchanged(dir, snap);
  }));

Deno.test("key and signature files are read to a bound: /dev/zero is one error line", async () => {
  const cases = [["--id-key", "/dev/zero"], ["--id-key", ID_KEY, "--author-key", "/dev/zero"]];
  for (const keys of cases) {
    await withTempDir(async (dir) => {
      const r = await run([BASE, "sign", "--output", `${dir}/${OUT}`, ...keys], dir);
      assert.equal(r.code, 1);
      assertOneErrorLine(r.stderr, "/dev/zero");
      assert.match(r.stderr, /more than 65536 bytes/);
      assert.deepEqual(listDir(dir), []);
    });
  }
});
