/**
 * Bad inputs to the `report` command: option values that are usage errors
 * (exit 2), and hostile certificates, reports and certificate tables, each
 * one error line naming the file, exit 1 and no stack trace (spawned, as a
 * user runs it).
 */

import { assertEquals, assertMatch, assertOk } from "./assert.ts";
import { derBlocks } from "../lib/x509/pem.ts";
import {
  AT_ARG,
  cli,
  makeReport,
  nonEmptyLines,
  REAL,
  spawnCli,
  spki,
  testKeys,
  testPki,
  withTempFiles,
} from "./attestation_helpers.ts";

Deno.test("report CLI: bad option values are usage errors (exit 2)", async () => {
  const c = REAL[0];
  const cases: [string[], RegExp][] = [
    [["--at", "tomorrow"], /invalid value 'tomorrow' for '--at <TIME>'/],
    [["--vmpl", "7"], /invalid value '7' for '--vmpl <N>'/],
    [["--report-data", "zz"], /--report-data <HEX>/],
    [["--host-data", "00".repeat(33)], /1 to 32 bytes of hex/],
    [["--min-tcb", "fast"], /--min-tcb <TCB>/],
    [["--min-tcb", "snp=24,foo=1"], /no TCB has a field 'foo'/],
    // Dates that do not exist (JavaScript's Date would roll them over).
    [["--at", "2026-02-30T00:00:00Z"], /invalid value '2026-02-30T00:00:00Z' for '--at <TIME>'/],
    [["--at", "2026-01-01T24:00:00Z"], /invalid value '2026-01-01T24:00:00Z' for '--at <TIME>'/],
    [["--kds-url", "http://127.0.0.1:1"], /'--kds-url' is used with '--fetch'/],
    [["--cache", "/tmp/x"], /'--cache' is used with '--fetch'/],
    [["--fetch", "--kds-url", "ftp://x"], /expected an http\(s\) URL/],
    [["--product", "Naples"], /possible values: Milan, Genoa, Turin/],
  ];
  for (const [extra, re] of cases) {
    const r = await cli([c.report, "report", ...extra]);
    assertEquals(r.code, 2, extra.join(" "));
    assertMatch(r.stderr, re);
  }
  // A file given as --certs' folder: one line, in words.
  const notDir = await cli([c.report, "report", "--certs", c.vcek]);
  assertEquals(notDir.code, 1);
  assertEquals(nonEmptyLines(notDir.stderr).length, 1, notDir.stderr);
  assertMatch(notDir.stderr, /not a directory$/m);
  const v = await cli(["testdata/sample.igvm", "verify", "--vcek", c.vcek]);
  assertEquals(v.code, 2);
  assertMatch(v.stderr, /need '--report <FILE>'/);
  const help = await cli(["x", "report", "--help"]);
  assertEquals(help.code, 0);
  for (
    const o of [
      "--vcek",
      "--certs",
      "--cert-table",
      "--crl",
      "--root",
      "--at",
      "--fetch",
      "--min-tcb",
      "--allow-debug",
    ]
  ) {
    assertOk(help.stdout.includes(o), o);
  }
});

Deno.test("report CLI: hostile inputs are one error line naming the file, exit 1, no stack trace (spawned)", async () => {
  const vcek = derBlocks(Deno.readFileSync(REAL[0].vcek), "CERTIFICATE")[0];
  const huge = vcek.slice();
  huge.set([0x30, 0x84, 0x7f, 0xff, 0xff, 0xff], 0); // outer length 2^31-1
  await withTempFiles({
    "trunc.der": vcek.subarray(0, 700),
    "huge.der": huge.subarray(0, 600),
    "junk.pem": "-----BEGIN CERTIFICATE-----\n!!!!\n-----END CERTIFICATE-----\n",
    "r.bin": new Uint8Array(100),
    "table.bin": new Uint8Array(30).fill(9),
  }, async (d) => {
    const report = REAL[0].report;
    const cases: [string[], string, RegExp][] = [
      [
        [report, "report", "--vcek", `${d}/trunc.der`],
        `${d}/trunc.der`,
        new RegExp(
          `not a valid VCEK certificate: DER element at offset 0 claims ${
            vcek.length - 4
          } bytes but only 696 remain`,
        ),
      ],
      [[report, "report", "--vcek", `${d}/huge.der`], `${d}/huge.der`, /claims 2147483647 bytes/],
      [
        [report, "report", "--chain", `${d}/junk.pem`],
        `${d}/junk.pem`,
        /not a valid chain certificate: PEM block CERTIFICATE is not valid base64/,
      ],
      [[`${d}/r.bin`, "report"], `${d}/r.bin`, /attestation report is 100 bytes, expected 1184/],
      [
        [report, "report", "--cert-table", `${d}/table.bin`],
        `${d}/table.bin`,
        /no terminating all-zero entry/,
      ],
    ];
    for (const [args, file, re] of cases) {
      const r = await spawnCli(args);
      assertEquals(r.code, 1, args.join(" "));
      assertEquals(nonEmptyLines(r.stderr).length, 1, r.stderr);
      assertOk(r.stderr.startsWith(`Error: ${file}: `), r.stderr);
      assertMatch(r.stderr, re);
      assertOk(!/\n\s+at /.test(r.stderr), "no stack trace");
    }
    // A VCEK with an RSA key (under a trusted test chain): one failed check, naming the file.
    const pki = await testPki({ leafSpki: await spki((await testKeys()).other.publicKey) });
    await Deno.writeFile(`${d}/rsa-vcek.der`, pki.leaf);
    await Deno.writeFile(`${d}/test-ark.der`, pki.ark);
    await Deno.writeFile(`${d}/test-ask.der`, pki.ask);
    await Deno.writeFile(`${d}/test.bin`, await makeReport({}, (await testKeys()).leaf.privateKey));
    const rsa = await cli([
      `${d}/test.bin`,
      "report",
      "--vcek",
      `${d}/rsa-vcek.der`,
      "--chain",
      `${d}/test-ask.der`,
      "--root",
      `${d}/test-ark.der`,
      "--at",
      AT_ARG,
    ]);
    assertEquals(rsa.code, 1);
    assertEquals(nonEmptyLines(rsa.stderr), [
      `Error: ${d}/test.bin: report-signature: SEV-VCEK (${d}/rsa-vcek.der): key is RSA 2048-bit, expected EC P-384`,
    ]);
    // The same in JSON: one object, `verified: false`, the error typed.
    const j = await cli([report, "report", "--vcek", `${d}/trunc.der`, "--json"]);
    const o = JSON.parse(j.stdout);
    assertEquals([j.code, o.verified, o.error.type, o.error.file], [
      1,
      false,
      "certificate",
      `${d}/trunc.der`,
    ]);
  });
});
