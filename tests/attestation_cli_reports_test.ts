/**
 * The `report` command and `verify --report` on real reports, end to end
 * (in-process through runCli): the five real reports and their VCEKs verify,
 * a flipped byte or another chip's VCEK fails with one line a check, and
 * without a VCEK one line gives the KDS URL. Real reports and VCEKs:
 * testdata/vectors/ (README sections 1 and 5).
 */

import { assertEquals, assertMatch, assertOk } from "./assert.ts";
import {
  AT_ARG,
  CHECK_ORDER,
  cli,
  makeReport,
  nonEmptyLines,
  REAL,
  testPki,
  withTempFiles,
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
    assertEquals(o.checks.map((x: { name: string }) => x.name), CHECK_ORDER);
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
    await withTempFiles({ "r.bin": bad }, async (dir) => {
      const r = await cli([`${dir}/r.bin`, "report", "--vcek", c.vcek, "--at", AT_ARG]);
      assertEquals(r.code, 1, `byte 0x${i.toString(16)}`);
      assertEquals(nonEmptyLines(r.stderr), [
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
    assertEquals(nonEmptyLines(r.stderr), [
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
    nonEmptyLines(r.stderr).map((l) => l.slice(`Error: ${REAL[0].report}: `.length).split(":")[0]),
    ["report-signature", "product", "chip-id", "tcb"],
  );
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
  assertEquals(o.report.attestation.checks.map((x: { name: string }) => x.name), CHECK_ORDER);
  assertOk(
    o.failures[0]?.startsWith(
      `${c.report}: report MEASUREMENT is ${MEASUREMENTS["milan_attestation_report.bin"]},`,
    ),
    o.failures[0],
  );
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
    nonEmptyLines(bad.stderr).includes(
      `Error: ${c.report}: product: report CPUID family 0x19 model 0x1 is Milan, the certificate is for Genoa`,
    ),
    bad.stderr,
  );
});

Deno.test("verify --report: an unsigned report (SIGNING_KEY 7) with a VCEK says signatureChecked false", async () => {
  const pki = await testPki();
  const report = await makeReport({ keyInfo: 7 << 2 }, pki.keys.leaf.privateKey);
  await withTempFiles({ "r.bin": report, "vcek.der": pki.leaf, "ark.der": pki.ark }, async (d) => {
    const args = ["testdata/sample.igvm", "verify", "--report", `${d}/r.bin`, "--vcek"];
    const j = await cli([...args, `${d}/vcek.der`, "--root", `${d}/ark.der`, "--json"]);
    assertEquals(j.code, 1);
    const o = JSON.parse(j.stdout);
    assertEquals(o.report.signatureChecked, false);
    assertEquals(o.report.attestation.checks[0].status, "fail");
  });
});
