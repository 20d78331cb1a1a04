/**
 * The `report` command and `verify --report` with attestation options, end
 * to end (mostly in-process through runCli; a few spawned runs check exit
 * codes and that no stack trace is printed). Real reports and VCEKs:
 * testdata/vectors/ (from testdata/vectors/, README sections 1 and 5).
 */

import { assertEquals, assertMatch, assertOk } from "./assert.ts";
import { CHECK_NAMES } from "../lib/verify/attestation/checks.ts";
import { derBlocks, encodePem } from "../lib/x509/pem.ts";
import { amdName, crl } from "./der_writer.ts";
import {
  AMD_CHAIN,
  AT_ARG,
  cli,
  makeReport,
  REAL,
  spawnCli,
  spki,
  tempFiles,
  testKeys,
  testPki,
} from "./attestation_helpers.ts";

const MEASUREMENTS: Record<string, string> = {
  // testdata/vectors/README.md section 1, "read from the bytes" tables.
  "milan_attestation_report.bin":
    "5feee30d6d7e1a29f403d70a4198237ddfb13051a2d6976439487c609388ed7f98189887920ab2fa0096903a0c23fca1",
  "turin_attestation_report.bin":
    "6d6c354511d6f7c6d7504668903dc5bdc066a048b651840d8d03fb85299ebfa142fccf1d1b0baca496841bdf243619d4",
  "attestation.bin":
    "b07af9620f3b839b47996422ddec6058338951d984e312115131ea82705eaf5b6bdf8a9ece31a5a608eb0cf2e4872b01",
};

async function withDir<T>(
  files: Record<string, Uint8Array | string>,
  fn: (dir: string) => Promise<T>,
): Promise<T> {
  const dir = await tempFiles(files);
  try {
    return await fn(dir);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

const lines = (s: string) => s.split("\n").filter((l) => l !== "");

Deno.test("report CLI: the five real reports verify (exit 0), text and JSON", async () => {
  for (const c of REAL) {
    const args = [c.report, "report", "--vcek", c.vcek, "--at", AT_ARG, "--allow-debug"];
    const t = await cli(args);
    assertEquals([t.code, t.stderr], [0, ""], c.name);
    assertMatch(
      t.stdout,
      /\nResult: verified \(a genuine AMD SEV-SNP report; every check passed\)\n$/,
    );
    assertOk(
      t.stdout.includes(`\n  ARK   CN=ARK-${c.product} (built-in AMD ARK-${c.product})`),
      c.name,
    );
    const j = await cli([...args, "--json"]);
    assertEquals(j.code, 0);
    const o = JSON.parse(j.stdout);
    assertEquals([o.command, o.file, o.verified, o.genuine, o.product], [
      "report",
      c.report,
      true,
      true,
      c.product,
    ]);
    assertEquals(o.checks.map((x: { name: string }) => x.name), [...CHECK_NAMES]);
    assertEquals(o.at, "2026-06-01T00:00:00.000Z");
    assertEquals(o.report.version, c.version);
    const m = MEASUREMENTS[c.report.split("/").at(-1)!];
    if (m) assertEquals(o.report.measurement, m);
    assertEquals(o.kdsUrl, c.version === 2 ? null : "https://kdsintf.amd.com" + c.kdsPath);
  }
});

Deno.test("report CLI: a sample of flipped bytes (signed region and R/S) fails with one report-signature line", async () => {
  const c = REAL[0];
  for (const i of [0x004, 0x090, 0x29f, 0x2a0, 0x2e8]) {
    const bad = Deno.readFileSync(c.report);
    bad[i] ^= 0x01;
    await withDir({ "r.bin": bad }, async (dir) => {
      const r = await cli([`${dir}/r.bin`, "report", "--vcek", c.vcek, "--at", AT_ARG]);
      assertEquals(r.code, 1, `byte 0x${i.toString(16)}`);
      assertEquals(lines(r.stderr), [
        `Error: ${dir}/r.bin: report-signature: the signature over bytes 0x000..0x29F does not verify with SEV-VCEK (${c.vcek})`,
      ]);
      assertMatch(
        r.stdout,
        /Result: NOT verified \(1 check failed; the report is not shown to be genuine\)/,
      );
    });
  }
});

Deno.test("report CLI: without a VCEK, one line says so with the KDS URL for this chip and TCB", async () => {
  for (const c of REAL.filter((x) => x.version >= 3)) {
    const r = await cli([c.report, "report"]);
    assertEquals(r.code, 1);
    assertEquals(lines(r.stderr), [
      `Error: ${c.report}: report-signature: no VCEK certificate was given: AMD's KDS serves this report's VCEK at https://kdsintf.amd.com${c.kdsPath}`,
    ]);
  }
  const v2 = await cli([REAL[4].report, "report", "--product", "Milan"]);
  assertOk(v2.stderr.includes("https://kdsintf.amd.com" + REAL[4].kdsPath), v2.stderr);
  const noProduct = await cli([REAL[4].report, "report"]);
  assertMatch(
    noProduct.stderr,
    /does not say which product it is from \(give --product Milan, Genoa or Turin\)/,
  );
});

Deno.test("report CLI: the Genoa VCEK does not verify the Milan report", async () => {
  const r = await cli([REAL[0].report, "report", "--vcek", REAL[1].vcek, "--at", AT_ARG]);
  assertEquals(r.code, 1);
  assertEquals(
    lines(r.stderr).map((l) => l.slice(`Error: ${REAL[0].report}: `.length).split(":")[0]),
    ["report-signature", "product", "chip-id", "tcb"],
  );
});

Deno.test("report CLI: --certs DIR in snpguest's layout (PEM or DER), and bad folders", async () => {
  const c = REAL[0];
  const [ask, ark] = derBlocks(Deno.readFileSync(AMD_CHAIN.Milan), "CERTIFICATE");
  const vcek = derBlocks(Deno.readFileSync(c.vcek), "CERTIFICATE")[0];
  await withDir({
    "ark.pem": encodePem("CERTIFICATE", ark),
    "ask.pem": encodePem("CERTIFICATE", ask),
    "vcek.der": vcek,
  }, async (dir) => {
    const r = await cli([c.report, "report", "--certs", dir, "--at", AT_ARG, "--json"]);
    assertEquals(r.code, 0, r.stderr);
    const o = JSON.parse(r.stdout);
    assertEquals(o.certificates.map((x: { source: string }) => x.source), [
      `${dir}/vcek.der`,
      `${dir}/ask.pem`,
      `${dir}/ark.pem`,
    ]);
    await Deno.writeFile(`${dir}/ark.der`, ark);
    const both = await cli([c.report, "report", "--certs", dir]);
    assertEquals([both.code, both.stderr], [
      1,
      `Error: ${dir}: both ark.pem and ark.der exist; keep one\n`,
    ]);
  });
  await withDir({ "readme.txt": "x" }, async (dir) => {
    const r = await cli([c.report, "report", "--certs", dir]);
    assertEquals([r.code, r.stderr], [
      1,
      `Error: ${dir}: has none of ark, ask, asvk, vcek, vlek, crl (.pem or .der)\n`,
    ]);
    const gone = await cli([c.report, "report", "--certs", `${dir}/nope`]);
    assertEquals([gone.code, gone.stderr], [
      1,
      `Error: ${dir}/nope: cannot read certificate folder: no such file\n`,
    ]);
  });
});

Deno.test("report CLI: --chain with KDS's cert_chain; another product's chain fails the chain check", async () => {
  const c = REAL[2];
  const ok = await cli([
    c.report,
    "report",
    "--vcek",
    c.vcek,
    "--chain",
    AMD_CHAIN.Turin,
    "--at",
    AT_ARG,
  ]);
  assertEquals(ok.code, 0, ok.stderr);
  assertOk(ok.stdout.includes(`ASK   CN=SEV-Turin (${AMD_CHAIN.Turin})`));
  const bad = await cli([
    c.report,
    "report",
    "--vcek",
    c.vcek,
    "--chain",
    AMD_CHAIN.Milan,
    "--at",
    AT_ARG,
  ]);
  assertEquals(bad.code, 1);
  assertMatch(
    bad.stderr,
    /^Error: .*: cert-chain: SEV-Milan \(.*ask_ark_milan\.pem\) did not issue SEV-VCEK/,
  );
});

Deno.test("report CLI: --root trusts a generated chain; --crl (DER or PEM) revoking its ASK fails; --at past the leaf", async () => {
  const pki = await testPki();
  const report = await makeReport({}, pki.keys.leaf.privateKey);
  const base = {
    issuer: amdName("ARK-Milan"),
    thisUpdate: new Date("2026-01-01T00:00:00Z"),
    nextUpdate: new Date("2026-12-01T00:00:00Z"),
    signer: pki.keys.ark.privateKey,
  };
  const revoking = await crl({
    ...base,
    revoked: [{ serial: pki.askSerial, date: base.thisUpdate }],
  });
  const clean = encodePem("X509 CRL", await crl(base));
  await withDir({
    "r.bin": report,
    "vcek.der": pki.leaf,
    "chain.pem": encodePem("CERTIFICATE", pki.ask) + encodePem("CERTIFICATE", pki.ark),
    "ark.der": pki.ark,
    "bad.crl": revoking,
    "good.crl": clean,
  }, async (d) => {
    const args = [
      `${d}/r.bin`,
      "report",
      "--vcek",
      `${d}/vcek.der`,
      "--chain",
      `${d}/chain.pem`,
      "--at",
      AT_ARG,
    ];
    const untrusted = await cli(args);
    assertEquals(untrusted.code, 1);
    assertMatch(untrusted.stderr, /cert-chain: ARK-Milan \(.*chain\.pem\) is not a trusted root/);
    const trusted = [...args, "--root", `${d}/ark.der`];
    assertEquals((await cli(trusted)).code, 0);
    assertEquals((await cli([...trusted, "--crl", `${d}/good.crl`])).code, 0);
    const revoked = await cli([...trusted, "--crl", `${d}/good.crl`, "--crl", `${d}/bad.crl`]);
    assertEquals(revoked.code, 1);
    assertEquals(lines(revoked.stderr).length, 1);
    assertMatch(
      revoked.stderr,
      /revocation: SEV-Milan \(.*chain\.pem\) \(serial 0x010001\) is revoked by the CRL of ARK-Milan \(.*bad\.crl\)/,
    );
    const expired = await cli([
      ...trusted.slice(0, -4),
      "--root",
      `${d}/ark.der`,
      "--at",
      "2030-01-01T00:00:01Z",
    ]);
    assertEquals(expired.code, 1);
    assertMatch(
      expired.stderr,
      /validity: at 2030-01-01T00:00:01Z: SEV-VCEK \(.*vcek\.der\) expired on 2030-01-01T00:00:00Z/,
    );
  });
});

Deno.test("report CLI: bad option values are usage errors (exit 2)", async () => {
  const c = REAL[0];
  const cases: [string[], RegExp][] = [
    [["--at", "tomorrow"], /invalid value 'tomorrow' for '--at <TIME>'/],
    [["--vmpl", "7"], /invalid value '7' for '--vmpl <N>'/],
    [["--report-data", "zz"], /--report-data <HEX>/],
    [["--host-data", "00".repeat(33)], /1 to 32 bytes of hex/],
    [["--min-tcb", "fast"], /--min-tcb <TCB>/],
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
  await withDir({
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
      assertEquals(lines(r.stderr).length, 1, r.stderr);
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
    assertEquals(lines(rsa.stderr), [
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

Deno.test("verify --report with a VCEK: signatureChecked true and the checks; without one, a note with the KDS URL", async () => {
  const c = REAL[0];
  const sample = "testdata/sample.igvm";
  const j = await cli([
    sample,
    "verify",
    "--report",
    c.report,
    "--vcek",
    c.vcek,
    "--at",
    AT_ARG,
    "--json",
  ]);
  assertEquals(j.code, 1, "the sample's digest is not the report's");
  const o = JSON.parse(j.stdout);
  assertEquals(o.report.signatureChecked, true);
  assertEquals(o.report.attestation.verified, true);
  assertEquals(o.report.attestation.checks.map((x: { name: string }) => x.name), [...CHECK_NAMES]);
  assertOk(
    o.failures.every((f: string) => f.includes("MEASUREMENT") || f.includes("report ")),
    "only field mismatches fail",
  );
  const t = await cli([sample, "verify", "--report", c.report, "--vcek", c.vcek, "--at", AT_ARG]);
  assertMatch(
    t.stdout,
    /\n {2}Checks \(at 2026-06-01T00:00:00Z\):\n {4}pass {2}report-signature: /,
  );
  const plain = await cli([sample, "verify", "--report", c.report, "--json"]);
  assertEquals(JSON.parse(plain.stdout).report.signatureChecked, false);
  assertEquals(JSON.parse(plain.stdout).report.attestation, null);
  const text = await cli([sample, "verify", "--report", c.report]);
  assertOk(
    text.stdout.includes(
      `NOTE: the report's own signature (VCEK/VLEK certificate chain) is NOT checked: no VCEK given (--vcek, --certs, --cert-table or --fetch); AMD's KDS serves it at https://kdsintf.amd.com${c.kdsPath}\n`,
    ),
  );
  // A failing attestation check is one more failure line, about the report file.
  const bad = await cli([
    sample,
    "verify",
    "--report",
    c.report,
    "--vcek",
    REAL[1].vcek,
    "--at",
    AT_ARG,
  ]);
  assertOk(
    lines(bad.stderr).includes(
      `Error: ${c.report}: product: report CPUID family 0x19 model 0x1 is Milan, the certificate is for Genoa`,
    ),
    bad.stderr,
  );
});

/** Static imports of `file`, recursively (dynamic `import()` calls are not followed). */
function staticGraph(file: URL, seen = new Set<string>()): Set<string> {
  if (seen.has(file.href)) return seen;
  seen.add(file.href);
  const src = Deno.readTextFileSync(file);
  for (const m of src.matchAll(/^\s*(?:import|export)\s[^;]*?from\s+"(\.[^"]+)"/gms)) {
    if (/^\s*(?:import|export)\s+type\s/.test(m[0])) continue;
    staticGraph(new URL(m[1], file), seen);
  }
  return seen;
}

Deno.test("start-up: main.ts loads no X.509 or attestation code until a command needs it", () => {
  const graph = [...staticGraph(new URL("../main.ts", import.meta.url))];
  assertOk(
    graph.some((f) => f.endsWith("lib/cli/attestation_options.ts")),
    "option declarations are static",
  );
  const heavy = graph.filter((f) =>
    f.includes("/lib/x509/") || f.includes("/lib/verify/attestation/")
  );
  assertEquals(heavy, []);
});
