/**
 * The extended report's certificate table (SNP_GET_EXT_REPORT).
 *
 * Vector: the 183-byte table of virtee/sev's `test_uapi_to_vec_bytes` /
 * `test_parse_table_regular` (https://github.com/virtee/sev,
 * src/firmware/linux/host/types/snp.rs, Apache-2.0): ARK (25 × 0x01), ASK
 * (25 × 0x02), VCEK (15 × 0x05) and an unknown GUID
 * fbb6ed74-e73e-44ab-8893-4252792d737a (6 × 0x07), GUIDs in RFC 4122 byte
 * order, offsets from the table start, a 24-byte zero terminator.
 */

import { assertEquals, assertMatch, assertOk } from "./assert.ts";
import { AttestationError } from "../lib/verify/attestation/attestation_error.ts";
import {
  CERT_TABLE_GUIDS,
  encodeCertTable,
  parseCertTable,
} from "../lib/verify/attestation/cert_table.ts";
import { derBlocks } from "../lib/x509/pem.ts";
import { amdName, crl } from "./der_writer.ts";
import {
  AMD_CHAIN,
  AT_ARG,
  cli,
  makeReport,
  REAL,
  tempFiles,
  testPki,
} from "./attestation_helpers.ts";

const VIRTEE_TABLE = Uint8Array.from([
  192,
  180,
  6,
  164,
  168,
  3,
  73,
  82,
  151,
  67,
  63,
  182,
  1,
  76,
  208,
  174,
  120,
  0,
  0,
  0,
  25,
  0,
  0,
  0,
  74,
  183,
  179,
  121,
  187,
  172,
  79,
  228,
  160,
  47,
  5,
  174,
  243,
  39,
  199,
  130,
  145,
  0,
  0,
  0,
  25,
  0,
  0,
  0,
  99,
  218,
  117,
  141,
  230,
  100,
  69,
  100,
  173,
  197,
  244,
  185,
  59,
  232,
  172,
  205,
  170,
  0,
  0,
  0,
  15,
  0,
  0,
  0,
  251,
  182,
  237,
  116,
  231,
  62,
  68,
  171,
  136,
  147,
  66,
  82,
  121,
  45,
  115,
  122,
  185,
  0,
  0,
  0,
  6,
  0,
  0,
  0,
  ...new Array(24).fill(0),
  ...new Array(25).fill(1),
  ...new Array(25).fill(2),
  ...new Array(15).fill(5),
  ...new Array(6).fill(7),
]);

Deno.test("cert table: virtee/sev's table parses to ARK, ASK, VCEK and an unknown entry, and encodes back byte for byte", () => {
  const entries = parseCertTable(VIRTEE_TABLE);
  assertEquals(entries.map((e) => e.kind), ["ark", "ask", "vcek", "other"]);
  assertEquals(entries.map((e) => e.guid), [
    CERT_TABLE_GUIDS.ark,
    CERT_TABLE_GUIDS.ask,
    CERT_TABLE_GUIDS.vcek,
    "fbb6ed74-e73e-44ab-8893-4252792d737a",
  ]);
  assertEquals(entries.map((e) => [e.data.length, e.data[0]]), [[25, 1], [25, 2], [15, 5], [6, 7]]);
  assertEquals(encodeCertTable(entries), VIRTEE_TABLE);
});

function refused(bytes: Uint8Array, re: RegExp): void {
  try {
    parseCertTable(bytes);
  } catch (e) {
    assertOk(e instanceof AttestationError, String(e));
    assertMatch(e.message, re);
    return;
  }
  throw new Error(`accepted: ${re}`);
}

Deno.test("cert table: hostile tables are refused with the reason", () => {
  refused(new Uint8Array(0), /no terminating all-zero entry/);
  refused(VIRTEE_TABLE.subarray(0, 100), /no terminating/);
  const t = VIRTEE_TABLE.slice();
  const v = new DataView(t.buffer);
  v.setUint32(16, 0xffffffff, true);
  refused(t, /at offset 4294967295 run past the end/);
  const t2 = VIRTEE_TABLE.slice();
  new DataView(t2.buffer).setUint32(20, 0xffffffff, true);
  refused(t2, /4294967295 bytes at offset 120 run past the end/);
  const t3 = VIRTEE_TABLE.slice();
  new DataView(t3.buffer).setUint32(16, 8, true);
  refused(t3, /inside the table/);
  const t4 = VIRTEE_TABLE.slice();
  new DataView(t4.buffer).setUint32(20, 0, true);
  refused(t4, /is empty/);
  const dup = encodeCertTable([
    { guid: CERT_TABLE_GUIDS.vcek, data: Uint8Array.of(0x30, 0) },
    { guid: CERT_TABLE_GUIDS.vcek, data: Uint8Array.of(0x30, 0) },
  ]);
  refused(dup, /a second VCEK entry/);
  // A table of a million entries without a terminator is read without allocating per entry.
  refused(new Uint8Array(24 * 100_000).fill(1), /no terminating/);
});

Deno.test("cert table: the CLI verifies a real report with a table of AMD's ARK and ASK and the VCEK (DER and PEM)", async () => {
  const c = REAL[0];
  const [ask, ark] = derBlocks(Deno.readFileSync(AMD_CHAIN.Milan), "CERTIFICATE");
  const vcekPem = Deno.readFileSync(c.vcek);
  const table = encodeCertTable([
    { guid: CERT_TABLE_GUIDS.ark, data: ark },
    { guid: CERT_TABLE_GUIDS.ask, data: ask },
    { guid: CERT_TABLE_GUIDS.vcek, data: vcekPem },
  ]);
  const dir = await tempFiles({ "certs.bin": table });
  try {
    const r = await cli([
      c.report,
      "report",
      "--cert-table",
      `${dir}/certs.bin`,
      "--at",
      AT_ARG,
      "--json",
    ]);
    assertEquals(r.code, 0, r.stderr);
    const j = JSON.parse(r.stdout);
    assertEquals(j.verified, true);
    assertEquals(j.certificates.map((x: { source: string }) => x.source), [
      `${dir}/certs.bin (VCEK entry)`,
      `${dir}/certs.bin (ASK entry)`,
      `${dir}/certs.bin (ARK entry)`,
    ]);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("cert table: a generated chain in a table with a CRL entry; refused without --root, accepted with it", async () => {
  const pki = await testPki();
  const report = await makeReport({}, pki.keys.leaf.privateKey);
  const table = encodeCertTable([
    { guid: CERT_TABLE_GUIDS.vcek, data: pki.leaf },
    { guid: CERT_TABLE_GUIDS.ask, data: pki.ask },
    { guid: CERT_TABLE_GUIDS.ark, data: pki.ark },
    {
      guid: CERT_TABLE_GUIDS.crl,
      data: await crl({
        issuer: amdName("ARK-Milan"),
        thisUpdate: new Date("2026-01-01T00:00:00Z"),
        nextUpdate: new Date("2026-12-01T00:00:00Z"),
        revoked: [{ serial: 0x777n, date: new Date("2026-01-01T00:00:00Z") }],
        signer: pki.keys.ark.privateKey,
      }),
    },
  ]);
  const dir = await tempFiles({
    "r.bin": report,
    "t.bin": table,
    "ark.der": pki.ark,
    "bad.bin": table.subarray(0, 50),
  });
  try {
    const args = [`${dir}/r.bin`, "report", "--cert-table", `${dir}/t.bin`, "--at", AT_ARG];
    const no = await cli(args);
    assertEquals(no.code, 1);
    assertMatch(
      no.stderr,
      /cert-chain: ARK-Milan \(.*t\.bin \(ARK entry\)\) is not a trusted root/,
    );
    const yes = await cli([...args, "--root", `${dir}/ark.der`]);
    assertEquals(yes.code, 0, yes.stderr);
    assertMatch(
      yes.stdout,
      /pass {2}revocation: not revoked: CRL of ARK-Milan \(.*t\.bin \(CRL entry\)\)/,
    );
    const bad = await cli([`${dir}/r.bin`, "report", "--cert-table", `${dir}/bad.bin`]);
    assertEquals(bad.code, 1);
    assertEquals(
      bad.stderr,
      `Error: ${dir}/bad.bin: certificate table (50 bytes) has no terminating all-zero entry\n`,
    );
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
