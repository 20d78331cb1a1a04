/**
 * `--json`: every key docs/json.md documents is present with the documented
 * type, for measure, sign, verify, inspect, report and errors.
 *
 * @module
 */

import assert from "node:assert/strict";
import { CONFORMANCE, FILES, runInProcess } from "./conformance_helpers.ts";

const SIGNED = new URL("signed/", CONFORMANCE);
const KEYS = new URL("keys/", CONFORMANCE).pathname;
const VECTORS = new URL("../testdata/vectors/", import.meta.url);
const DOC = new URL("../docs/json.md", import.meta.url);

/** The tables of docs/json.md, by the paragraph that introduces them (its lines joined). */
function documentedTables(): Map<string, Array<[string, string]>> {
  const lines = Deno.readTextFileSync(DOC).split("\n");
  const tables = new Map<string, Array<[string, string]>>();
  let paragraph: string[] = [];
  let intro = "";
  let rows: Array<[string, string]> | undefined;
  for (const line of lines) {
    if (line.startsWith("|")) {
      const cells = line.split("|").slice(1, -1).map((c) => c.trim());
      if (cells[0] === "key" || /^-+$/.test(cells[0])) continue;
      if (paragraph.length) [intro, paragraph] = [paragraph.join(" "), []];
      if (!rows) {
        assert.ok(!tables.has(intro), `docs/json.md: two tables introduced by ${intro}`);
        tables.set(intro, rows = []);
      }
      rows.push([cells[0], cells[1]]);
    } else {
      rows = undefined;
      if (line.trim()) paragraph.push(line.trim());
      else if (paragraph.length) [intro, paragraph] = [paragraph.join(" "), []];
    }
  }
  return tables;
}

function table(prefix: string): Array<[string, string]> {
  for (const [intro, rows] of documentedTables()) if (intro.startsWith(prefix)) return rows;
  throw new Error(`docs/json.md has no table introduced by ${prefix}`);
}

function typeOf(v: unknown): string {
  return v === null ? "null" : Array.isArray(v) ? "array" : typeof v;
}

/** Values at `path` ("a.b", "a[].b"); an array step fans out over the elements. */
function valuesAt(obj: unknown, path: string): unknown[] {
  let cur: unknown[] = [obj];
  for (const part of path.split(".")) {
    const many = part.endsWith("[]");
    const key = many ? part.slice(0, -2) : part;
    const next: unknown[] = [];
    for (const o of cur) {
      assert.ok(o !== null && typeof o === "object", `${path}: parent of ${key} is ${typeOf(o)}`);
      assert.ok(key in (o as object), `missing documented key ${path} (at ${key})`);
      const v = (o as Record<string, unknown>)[key];
      if (many) {
        assert.ok(Array.isArray(v), `${path}: ${key} is not an array`);
        assert.ok(v.length > 0, `${path}: ${key} is empty in this sample; pick a richer one`);
        next.push(...v);
      } else next.push(v);
    }
    cur = next;
  }
  return cur;
}

function checkShape(obj: unknown, rows: Array<[string, string]>): void {
  for (const [key, type] of rows) {
    const allowed = type.split(" or ").map((t) => t.trim());
    for (const v of valuesAt(obj, key)) {
      assert.ok(allowed.includes(typeOf(v)), `${key}: ${typeOf(v)} is not ${type}`);
    }
  }
}

async function json(args: string[], cwd: URL, code = 0) {
  const r = await runInProcess(args, cwd);
  assert.equal(r.stderr, "", "nothing on stderr with --json");
  assert.equal(r.code, code, r.stdout);
  assert.ok(r.stdout.endsWith("}\n"));
  return JSON.parse(r.stdout);
}

Deno.test("docs/json.md documents the JSON tables", () => {
  for (
    const p of [
      "Every object",
      "`measure`:",
      "`sign`:",
      "`verify`:",
      "`report` (",
      "`report.report`",
      "A TCB object",
      "`inspect`",
      "The `error` member",
    ]
  ) {
    assert.ok(table(p).length > 0, p);
  }
});

Deno.test("measure --json: documented shape, before or after the command", async () => {
  const a = await json(["--json", "qemu-snp-policy.igvm", "measure"], FILES);
  const b = await json(["qemu-snp-policy.igvm", "measure", "--json"], FILES);
  assert.deepEqual(a, b);
  checkShape(a, [...table("Every object"), ...table("`measure`:")]);
  assert.equal(
    a.digest,
    "240d21cc3c524a58c9ffb2008dd378c929782b91de3cdd448c8c1575a3b584f298e4c45f51529ec47a792eb3a078927a",
  );
  assert.equal("error" in a, false);
});

Deno.test("measure --json: an ID block mismatch is the result plus an error, exit 1", async () => {
  const j = await json(
    ["--json", "qemu-snp-policy.signed-nz-id-author.igvm", "measure"],
    SIGNED,
    1,
  );
  checkShape(j, [...table("Every object"), ...table("`measure`:"), ...table("The `error` member")]);
  assert.equal(j.idBlockMatches, false);
  assert.equal(j.error.type, "measurement");
  assert.match(j.error.message, /^An ID block has been provided/);
});

Deno.test("sign --json: documented shape", async () => {
  const dir = Deno.makeTempDirSync();
  try {
    const out = `${dir}/out.igvm`;
    const j = await json([
      "--json",
      "qemu-snp-policy.igvm",
      "sign",
      "--output",
      out,
      "--id-key",
      `${KEYS}id_key.pem`,
      "--author-key",
      `${KEYS}author_key.pem`,
    ], FILES);
    checkShape(j, [...table("Every object"), ...table("`sign`:")]);
    assert.deepEqual(j.written, [out]);
    assert.equal(j.idBlock.authorKeyEnabled, true);
    // The same digests as verify finds in the signed file.
    const v = await json(["--json", out, "verify"], FILES);
    assert.equal(v.idBlocks[0].idKeyDigest, j.idBlock.idKeyDigest);
    assert.equal(v.idBlocks[0].authorKeyDigest, j.idBlock.authorKeyDigest);
    const e = await json([
      "qemu-snp-policy.igvm",
      "sign",
      "--write-id-block",
      `${dir}/ib.bin`,
      "--json",
    ], FILES);
    assert.equal(e.output, null);
    assert.equal(e.idBlock.idKeyDigest, null);
  } finally {
    Deno.removeSync(dir, { recursive: true });
  }
});

Deno.test("sign --json on another platform: the measurement so far plus the refusal, exit 1", async () => {
  const cases = [
    // Digests: the original's `-p sev-es ... measure -b`, the igvm crate's TDX measurement.
    [
      "sev-es",
      "sev-es-from-qemu-snp-policy.igvm",
      "8798D056DD3B30C6B79D4EF340013026B811D4FD34408D8B859B67BE94DC451B",
    ],
    [
      "tdx",
      "qemu-tdp.igvm",
      "ACA10E59AFA4ACC80BB6390EE978040B13FAE7B0CA008B8060B0CC538778FB328B50B4A6A051F897E98A1BAA29BDC5E1",
    ],
  ];
  for (const [platform, file, digest] of cases) {
    const args = [
      "-p",
      platform,
      file,
      "sign",
      "--output",
      "never.igvm",
      "--id-key",
      `${KEYS}id_key.pem`,
    ];
    const j = await json(["--json", ...args], FILES, 1);
    checkShape(j, [...table("Every object"), ...table("The `error` member")]);
    assert.equal(j.platform, platform);
    assert.equal(j.digest, digest.toLowerCase());
    assert.deepEqual(j.error, {
      type: "measurement",
      message: "Signing is only supported for SEV-SNP",
      file: null,
      code: null,
    });
  }
});

Deno.test("verify --json: documented shape, with a report", async () => {
  const report =
    new URL("tee-attestation-verification/genoa_attestation_report.bin", VECTORS).pathname;
  const j = await json(
    ["--json", "qemu-snp-policy.signed-id-author.igvm", "verify", "--report", report],
    SIGNED,
    1,
  );
  checkShape(j, [...table("Every object"), ...table("`verify`:"), ...table("The `error` member")]);
  checkShape(j.idBlocks[0].policy, [
    ["value", "string"],
    ["abiMajor", "number"],
    ["abiMinor", "number"],
    ["smt", "boolean"],
    ["reserved17", "boolean"],
    ["migrateMa", "boolean"],
    ["debug", "boolean"],
    ["singleSocket", "boolean"],
    ["cxlAllow", "boolean"],
    ["memAes256Xts", "boolean"],
    ["raplDis", "boolean"],
    ["ciphertextHiding", "boolean"],
    ["pageSwapDisable", "boolean"],
    ["reservedHigh", "string"],
    ["description", "array"],
  ]);
  assert.equal(j.verified, false);
  const ok = await json(["qemu-snp-policy.signed-id-author.igvm", "verify", "--json"], SIGNED);
  assert.equal(ok.verified, true);
  assert.equal(ok.report, null);
  assert.deepEqual(ok.failures, []);
  assert.equal("error" in ok, false);
});

Deno.test("inspect --json: documented shape", async () => {
  const j = await json(["--json", "qemu-all-policy.igvm", "inspect"], FILES);
  checkShape(j, [
    ["command", "string"],
    ["file", "string"],
    ["nativeZero", "boolean"],
    ...table("`inspect`"),
  ]);
  const s = await json(["signed-qemu-snp-policy-id-author.igvm", "inspect", "--json"], FILES);
  assert.equal(s.idBlocks.length, 1);
});

Deno.test("report --json: documented shape, for a version 3 and a version 5 report", async () => {
  const dir = new URL("tee-attestation-verification/", VECTORS).pathname;
  for (const product of ["milan", "turin"]) {
    const j = await json([
      `${dir}${product}_attestation_report.bin`,
      "report",
      "--vcek",
      `${dir}${product}_vcek.pem`,
      "--at",
      "2026-06-01T00:00:00Z",
      "--json",
    ], FILES);
    checkShape(j, [["command", "string"], ["file", "string"], ...table("`report` (")]);
    checkShape(j.report, table("`report.report`"));
    for (const tcb of ["currentTcb", "reportedTcb", "committedTcb", "launchTcb"]) {
      checkShape(j.report[tcb], table("A TCB object"));
    }
    assert.equal(j.command, "report");
    assert.equal(j.verified, true);
    assert.equal("error" in j, false);
  }
});

Deno.test("errors as JSON: a missing file, a usage error", async () => {
  const j = await json(["--json", "nonexistent.igvm", "measure"], FILES, 1);
  checkShape(j, table("The `error` member"));
  assert.deepEqual(j, {
    command: "measure",
    file: "nonexistent.igvm",
    error: {
      type: "file",
      message: "cannot read file: no such file",
      file: "nonexistent.igvm",
      code: null,
    },
  });
  const u = await json(["--json", "x.igvm", "measure", "--bogus"], FILES, 2);
  assert.equal(u.command, null);
  assert.equal(u.error.type, "usage");
  const v = await json(["--json", "-p", "tdx", "qemu-all-policy.igvm", "verify"], FILES, 2);
  assert.equal(v.error.type, "usage");
});

Deno.test("a format error carries the crate's code", async () => {
  const dir = Deno.makeTempDirSync();
  try {
    Deno.writeFileSync(`${dir}/bad.igvm`, new Uint8Array(64));
    const j = await json(["--json", `${dir}/bad.igvm`, "inspect"], FILES, 1);
    assert.equal(j.error.type, "format");
    assert.equal(typeof j.error.code, "string");
  } finally {
    Deno.removeSync(dir, { recursive: true });
  }
});
