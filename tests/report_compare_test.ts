/**
 * `verify --report`: reports built from the ABI layout (versions 2, 3, 5),
 * every compared field both ways, and the real reports in testdata/vectors.
 *
 * @module
 */

import assert from "node:assert/strict";
import { CONFORMANCE, FILES, runInProcess } from "./conformance_helpers.ts";
import { COMPARED_FIELDS, compareReport, expectedReport } from "../lib/verify/report_compare.ts";
import { parseReport } from "../lib/snp/report.ts";

const SIGNED = new URL("signed/", CONFORMANCE);
const VECTORS = new URL("../testdata/vectors/", import.meta.url);
const BASE = "qemu-snp-policy.signed-id-author.igvm";

interface Fields {
  measurement: Uint8Array;
  idKeyDigest: Uint8Array;
  authorKeyDigest: Uint8Array;
  keyInfo: number;
  familyId: Uint8Array;
  imageId: Uint8Array;
  guestSvn: number;
  policy: bigint;
}

/** A report laid out as the ABI says (offsets in lib/snp/report.ts), signature zero. */
function buildReport(version: number, f: Fields): Uint8Array {
  const b = new Uint8Array(0x4a0);
  const v = new DataView(b.buffer);
  v.setUint32(0x000, version, true);
  v.setUint32(0x004, f.guestSvn, true);
  v.setBigUint64(0x008, f.policy, true);
  b.set(f.familyId, 0x010);
  b.set(f.imageId, 0x020);
  v.setUint32(0x034, 1, true);
  v.setUint32(0x048, f.keyInfo, true);
  b.set(f.measurement, 0x090);
  b.set(f.idKeyDigest, 0x0e0);
  b.set(f.authorKeyDigest, 0x110);
  if (version >= 3) b.set([0x19, 0x11, 0x01], 0x188); // Genoa
  return b;
}

/** What the signed base file implies, read from `verify --json`. */
async function baseFields(): Promise<Fields> {
  const r = await runInProcess(["--json", BASE, "verify"], SIGNED);
  assert.equal(r.code, 0, r.stdout);
  const j = JSON.parse(r.stdout);
  const b = j.idBlocks.at(-1);
  return {
    measurement: Uint8Array.fromHex(j.digest),
    idKeyDigest: Uint8Array.fromHex(b.idKeyDigest),
    authorKeyDigest: Uint8Array.fromHex(b.authorKeyDigest),
    keyInfo: b.authorKeyEnabled ? 1 : 0,
    familyId: Uint8Array.fromHex(b.familyId),
    imageId: Uint8Array.fromHex(b.imageId),
    guestSvn: b.guestSvn,
    policy: BigInt(b.policy.value),
  };
}

async function verifyWithReport(
  input: string,
  cwd: URL,
  report: Uint8Array | string,
  extra: string[] = [],
) {
  const dir = Deno.makeTempDirSync();
  try {
    const path = `${dir}/report.${typeof report === "string" ? "hex" : "bin"}`;
    if (typeof report === "string") Deno.writeTextFileSync(path, report);
    else Deno.writeFileSync(path, report);
    return { path, ...(await runInProcess([...extra, input, "verify", "--report", path], cwd)) };
  } finally {
    Deno.removeSync(dir, { recursive: true });
  }
}

const MUTATIONS: Record<string, (f: Fields) => Fields> = {
  MEASUREMENT: (f) => ({ ...f, measurement: f.measurement.map((x, i) => i === 0 ? x ^ 1 : x) }),
  ID_KEY_DIGEST: (f) => ({ ...f, idKeyDigest: new Uint8Array(48) }),
  AUTHOR_KEY_DIGEST: (f) => ({ ...f, authorKeyDigest: new Uint8Array(48).fill(7) }),
  "KEY_INFO.AUTHOR_KEY_EN": (f) => ({ ...f, keyInfo: f.keyInfo ^ 1 }),
  FAMILY_ID: (f) => ({ ...f, familyId: new Uint8Array(16).fill(1) }),
  IMAGE_ID: (f) => ({ ...f, imageId: new Uint8Array(16).fill(2) }),
  GUEST_SVN: (f) => ({ ...f, guestSvn: 5 }),
  POLICY: (f) => ({ ...f, policy: 0xb0000n }),
};

Deno.test("the mutations cover every compared field", () => {
  assert.deepEqual(Object.keys(MUTATIONS), [...COMPARED_FIELDS]);
});

for (const version of [2, 3, 5]) {
  Deno.test(`report v${version} built from the file's values: every field matches`, async () => {
    const f = await baseFields();
    const r = await verifyWithReport(BASE, SIGNED, buildReport(version, f));
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stderr, "");
    for (const field of COMPARED_FIELDS) {
      assert.match(r.stdout, new RegExp(`\\n  match {5}${field.replace(".", "\\.")}\\n`));
    }
    assert.match(
      r.stdout,
      /NOTE: the report's own signature \(VCEK\/VLEK certificate chain\) is NOT checked/,
    );
    assert.match(
      r.stdout,
      new RegExp(`\\(version ${version}, ${version >= 3 ? "Genoa" : "unknown"}, VMPL 0\\)`),
    );
  });

  for (const [field, mutate] of Object.entries(MUTATIONS)) {
    Deno.test(`report v${version}: ${field} mismatch is one failure naming the field`, async () => {
      const f = await baseFields();
      const r = await verifyWithReport(BASE, SIGNED, buildReport(version, mutate(f)));
      assert.equal(r.code, 1);
      const lines = r.stderr.trimEnd().split("\n");
      assert.equal(lines.length, 1, r.stderr);
      assert.ok(lines[0].startsWith(`Error: ${r.path}: report ${field} is `), lines[0]);
      assert.match(lines[0], /, the IGVM file implies /);
      assert.match(r.stdout, new RegExp(`\\n  mismatch  ${field.replace(".", "\\.")}\\n`));
      assert.match(r.stdout, /Result: FAILED \(1 failure\)/);
    });
  }
}

Deno.test("a hex text report is read like the binary one", async () => {
  const f = await baseFields();
  const hex = buildReport(5, f).toHex().replace(/(.{64})/g, "$1\n");
  const r = await verifyWithReport(BASE, SIGNED, hex);
  assert.equal(r.code, 0, r.stderr);
});

Deno.test("a file without an ID block: the report must show zero digests, AUTHOR_KEY_EN 0", async () => {
  const digest = Uint8Array.fromHex(
    "240D21CC3C524A58C9FFB2008DD378C929782B91DE3CDD448C8C1575A3B584F298E4C45F51529EC47A792EB3A078927A",
  );
  const zero: Fields = {
    measurement: digest,
    idKeyDigest: new Uint8Array(48),
    authorKeyDigest: new Uint8Array(48),
    keyInfo: 0,
    familyId: new Uint8Array(16),
    imageId: new Uint8Array(16),
    guestSvn: 0,
    policy: 0x30000n,
  };
  const ok = await verifyWithReport("qemu-snp-policy.igvm", FILES, buildReport(3, zero));
  assert.equal(ok.code, 0, ok.stderr);
  assert.match(ok.stdout, /skip {2}id-block: the file has no SNP ID block\n/);
  const bad = await verifyWithReport(
    "qemu-snp-policy.igvm",
    FILES,
    buildReport(3, { ...zero, keyInfo: 1 }),
  );
  assert.equal(bad.code, 1);
  assert.match(bad.stderr, /report KEY_INFO\.AUTHOR_KEY_EN is 1, the IGVM file implies 0\n$/);
});

Deno.test("a file without a guest policy: POLICY is skipped", () => {
  const report = parseReport(buildReport(2, {
    measurement: new Uint8Array(48),
    idKeyDigest: new Uint8Array(48),
    authorKeyDigest: new Uint8Array(48),
    keyInfo: 0,
    familyId: new Uint8Array(16),
    imageId: new Uint8Array(16),
    guestSvn: 0,
    policy: 0x30000n,
  }));
  const rows = compareReport(report, expectedReport(new Uint8Array(48), undefined, undefined));
  assert.deepEqual(rows.map((r) => r.status), [...Array(7).fill("match"), "skip"]);
  assert.equal(rows[7].expected, null);
});

Deno.test("real reports (Milan v3, Genoa v3, Turin v5): parsed, compared, ID_KEY_DIGEST shown as stored", async () => {
  for (const name of ["milan", "genoa", "turin"]) {
    const path =
      new URL(`tee-attestation-verification/${name}_attestation_report.bin`, VECTORS).pathname;
    const bytes = Deno.readFileSync(path);
    const r = await runInProcess(["--json", BASE, "verify", "--report", path], SIGNED);
    assert.equal(r.code, 1, name);
    const j = JSON.parse(r.stdout);
    assert.equal(j.verified, false);
    assert.equal(j.error.type, "verification");
    assert.equal(j.report.signatureChecked, false);
    assert.equal(j.report.product.toLowerCase(), name);
    assert.deepEqual(j.report.fields.map((f: { field: string }) => f.field), [...COMPARED_FIELDS]);
    const byName = Object.fromEntries(j.report.fields.map((f: { field: string }) => [f.field, f]));
    assert.equal(byName.MEASUREMENT.status, "mismatch");
    assert.equal(byName.MEASUREMENT.report, bytes.subarray(0x90, 0xc0).toHex());
    assert.equal(byName.ID_KEY_DIGEST.report, bytes.subarray(0xe0, 0x110).toHex());
    assert.notEqual(
      byName.ID_KEY_DIGEST.report,
      new Uint8Array(48).toHex(),
      "carries an ID key digest",
    );
    assert.ok(j.failures.some((l: string) => l.includes("report MEASUREMENT is ")));
  }
});

Deno.test("go-sev-guest report (v2, no ID block) against a file without an ID block", async () => {
  const path = new URL("go-sev-guest/attestation.bin", VECTORS).pathname;
  const r = await runInProcess(["qemu-snp-policy.igvm", "verify", "--report", path], FILES);
  assert.equal(r.code, 1);
  for (
    const f of [
      "ID_KEY_DIGEST",
      "AUTHOR_KEY_DIGEST",
      "KEY_INFO.AUTHOR_KEY_EN",
      "FAMILY_ID",
      "IMAGE_ID",
      "GUEST_SVN",
    ]
  ) {
    assert.match(r.stdout, new RegExp(`\\n  match {5}${f.replace(".", "\\.")}\\n`), f);
  }
  assert.ok(
    r.stdout.includes(
      "\n  mismatch  POLICY\n      report: 0xb0000 (ABI >= 0.0, SMT, DEBUG)\n" +
        "      file:   0x30000 (ABI >= 0.0, SMT)\n",
    ),
    r.stdout,
  );
  assert.equal(r.stderr.trimEnd().split("\n").length, 2, r.stderr); // MEASUREMENT, POLICY
});

Deno.test("an unreadable or malformed report is an error naming it", async () => {
  let r = await runInProcess([BASE, "verify", "--report", "/nonexistent/report.bin"], SIGNED);
  assert.equal(r.code, 1);
  assert.equal(
    r.stderr,
    "Error: /nonexistent/report.bin: cannot read attestation report: no such file\n",
  );
  const dir = Deno.makeTempDirSync();
  Deno.writeFileSync(`${dir}/short.bin`, new Uint8Array(100).fill(0xff));
  r = await runInProcess([BASE, "verify", "--report", `${dir}/short.bin`], SIGNED);
  Deno.removeSync(dir, { recursive: true });
  assert.equal(r.code, 1);
  assert.match(r.stderr, /^Error: .*short\.bin: attestation report is 100 bytes, expected 1184\n$/);
});
