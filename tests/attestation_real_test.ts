/**
 * Attestation library on the five real reports of ../shared/vectors/ (copied
 * to testdata/vectors/; sources: go-sev-guest af1c107a, virtee/sev 9cf2adbf,
 * microsoft/TEE-Attestation-Verification 220ffb3b, AMD KDS chains as
 * committed by go-sev-guest; see testdata/vectors/README.md sections 1 and
 * 5 for what those projects assert). Expected values (KDS URLs, TCBs, chip
 * IDs, fingerprints) come from those assertions and from openssl, not from
 * the code under test.
 */

import { assertEquals, assertMatch, assertOk } from "./assert.ts";
import { parseReport, verifyReportSignature } from "../lib/snp/report.ts";
import { ReportError } from "../lib/errors.ts";
import { parseCertificate } from "../lib/x509/certificate.ts";
import { derBlocks } from "../lib/x509/pem.ts";
import {
  amdIntermediates,
  amdRoots,
  locateVcek,
  verifyAttestation,
} from "../lib/verify/attestation/mod.ts";
import { AMD_CHAIN, AT, CHECK_ORDER, REAL } from "./attestation_helpers.ts";

const read = (p: string) => Deno.readFileSync(p);
const status = (r: { checks: readonly { name: string; status: string }[] }, n: string) =>
  r.checks.find((c) => c.name === n)?.status;

Deno.test("attestation: the five real reports verify against their VCEKs and AMD's built-in roots", async () => {
  for (const c of REAL) {
    const debug = c.report.includes("go-sev-guest"); // its policy allows debugging (0xb0000)
    const r = await verifyAttestation(read(c.report), {
      vcek: read(c.vcek),
      at: AT,
      allowDebug: debug,
    });
    assertEquals(r.checks.map((x) => x.name), CHECK_ORDER, c.name);
    for (
      const n of [
        "report-signature",
        "cert-chain",
        "validity",
        "signing-key",
        "product",
        "chip-id",
        "tcb",
        "debug",
      ]
    ) {
      assertEquals(
        status(r, n),
        "pass",
        `${c.name}: ${n}: ${r.checks.find((x) => x.name === n)?.detail}`,
      );
    }
    assertEquals([r.verified, r.genuine, r.product], [true, true, c.product], c.name);
    assertEquals(r.certificates.map((x) => x.role), ["VCEK", "ASK", "ARK"]);
    assertEquals(r.certificates[2].subject.endsWith(`CN=ARK-${c.product}`), true);
    if (debug) {
      const strict = await verifyAttestation(read(c.report), { vcek: read(c.vcek), at: AT });
      assertEquals([strict.verified, strict.genuine, status(strict, "debug")], [
        false,
        true,
        "fail",
      ]);
    }
  }
});

Deno.test("attestation: the report's hex text form verifies too", async () => {
  const c = REAL[0];
  const hex = read(c.report).toHex().replace(/(.{64})/g, "$1\n");
  const r = await verifyAttestation(new TextEncoder().encode(hex), { vcek: read(c.vcek), at: AT });
  assertEquals(r.verified, true);
});

Deno.test("attestation: flipping any byte of the signed region 0x000..0x29F or of R/S fails the signature (all five)", async () => {
  for (const c of REAL) {
    const bytes = read(c.report);
    const point = parseCertificate(derBlocks(read(c.vcek), "CERTIFICATE")[0]).publicKey.ec!.point;
    const key = { qx: point.slice(1, 49), qy: point.slice(49) };
    assertEquals(await verifyReportSignature(parseReport(bytes), key), true, c.name);
    const flips: Promise<void>[] = [];
    // Every byte of the signed region, then every byte of R (0x2A0..0x2E7) and S (0x2E8..0x32F);
    // a flip the parser already refuses (a version, R or S past 48 bytes) fails too.
    for (let i = 0; i < 0x330; i++) {
      const bad = bytes.slice();
      bad[i] ^= 0x01;
      let report;
      try {
        report = parseReport(bad);
      } catch (e) {
        assertOk(e instanceof ReportError, `${c.name}: byte 0x${i.toString(16)}: ${e}`);
        continue;
      }
      flips.push(
        verifyReportSignature(report, key).then((ok) =>
          assertEquals(ok, false, `${c.name}: byte 0x${i.toString(16)}`)
        ),
      );
    }
    await Promise.all(flips);
  }
});

Deno.test("attestation: a flipped byte fails verifyAttestation: signature check, or a refusal of R/S above 48 bytes", async () => {
  const c = REAL[1];
  for (const i of [0x004, 0x034, 0x090, 0x1a0, 0x29f, 0x2a0, 0x2cf, 0x2e8, 0x317]) {
    const bad = read(c.report);
    bad[i] ^= 0x80;
    const r = await verifyAttestation(bad, { vcek: read(c.vcek), at: AT });
    assertEquals(
      [r.verified, status(r, "report-signature")],
      [false, "fail"],
      `byte 0x${i.toString(16)}`,
    );
  }
  // VERSION 0x83 is refused, as are R or S with bits above their 48 bytes.
  for (const i of [0x000, 0x2d0, 0x2e7, 0x318, 0x32f]) {
    const bad = read(c.report);
    bad[i] ^= 0x80;
    let refused = false;
    try {
      await verifyAttestation(bad, { vcek: read(c.vcek), at: AT });
    } catch (e) {
      refused = e instanceof ReportError;
    }
    assertOk(refused, `byte 0x${i.toString(16)} is refused as malformed`);
  }
});

Deno.test("attestation: the Genoa VCEK does not verify the Milan report (nor the other way round)", async () => {
  const milan = REAL[0];
  const genoa = REAL[1];
  const r = await verifyAttestation(read(milan.report), { vcek: read(genoa.vcek), at: AT });
  assertEquals([r.verified, r.genuine], [false, false]);
  assertEquals(status(r, "report-signature"), "fail");
  assertEquals(status(r, "cert-chain"), "pass", "the Genoa VCEK itself is genuine");
  assertEquals([status(r, "product"), status(r, "chip-id"), status(r, "tcb")], [
    "fail",
    "fail",
    "fail",
  ]);
  const back = await verifyAttestation(read(genoa.report), { vcek: read(milan.vcek), at: AT });
  assertEquals(status(back, "report-signature"), "fail");
  // The Turin VCEK on the Turin-layout vs the Milan report.
  const turin = await verifyAttestation(read(milan.report), { vcek: read(REAL[2].vcek), at: AT });
  assertEquals([status(turin, "report-signature"), status(turin, "chip-id")], ["fail", "fail"]);
});

Deno.test("attestation: KDS URLs are the ones go-sev-guest and CCF assert (v2 reports need the product)", () => {
  for (const c of REAL) {
    const report = parseReport(read(c.report));
    const loc = locateVcek(report, c.version === 2 ? { product: "Milan" } : {});
    assertEquals(loc.vcekUrl, "https://kdsintf.amd.com" + c.kdsPath, c.name);
    if (c.version === 2) assertMatch(locateVcek(report).problem!, /does not say which product/);
  }
  const milan = parseReport(read(REAL[0].report));
  assertEquals(
    locateVcek(milan, { baseUrl: "http://127.0.0.1:8080/" }).vcekUrl,
    "http://127.0.0.1:8080" + REAL[0].kdsPath,
  );
});

Deno.test("attestation: without a leaf, the one failing check names the KDS URL; the rest are skipped", async () => {
  const c = REAL[2];
  const r = await verifyAttestation(read(c.report), { at: AT });
  assertEquals([r.verified, r.genuine], [false, false]);
  const sig = r.checks.find((x) => x.name === "report-signature")!;
  assertEquals(sig.status, "fail");
  assertOk(sig.detail.includes("https://kdsintf.amd.com" + c.kdsPath), sig.detail);
  assertEquals(r.kdsUrl, "https://kdsintf.amd.com" + c.kdsPath);
  for (
    const n of ["cert-chain", "validity", "signing-key", "product", "chip-id", "tcb", "revocation"]
  ) {
    assertEquals(status(r, n), "skip", n);
  }
});

Deno.test("attestation: built-in roots and intermediates are AMD's files, with openssl's SHA-256 fingerprints", async () => {
  const fingerprints: Record<string, string> = {
    "ARK-Milan": "69D063B45344D26A2E94E1F4210DE49EF555308287D4C174445C95639A540BCD",
    "SEV-Milan": "67D303BD3905FD38DB8B20E0793699870E7FA612EAAD5DEC358293FD8C0BAC1B",
    "SEV-VLEK-Milan": "C5E081F59B7EFAB1FE2F8B505E159704E72F29CAB7EF7CF628A05A42439082F5",
    "ARK-Genoa": "4C6598D19C18719C5DFD4A7D335F674E5BFE1D8F800CEA2CF270C10D103DB2F1",
    "SEV-Genoa": "5464738C1546AED5F2CECF1DC98C5C960A92E8913238A61711BC90EC6E828521",
    "SEV-VLEK-Genoa": "197E610743A917D6B9BB982A5A9226CCC0A15B611BE0619E626ACA9151457372",
    "ARK-Turin": "1F084161A44BB6D93778A904877D4819CAFA5D05EF4193B2DED9DD9C73DD3F6A",
    "SEV-Turin": "5B77EF5FE7A7A004FD9032668FBA9D0FDA22F88C4442069A479636A6AE3B3185",
    "SEV-VLEK-Turin": "104E10A8BD060A3C20A434261A57D0588FD65A88915B4F65B08BDECAF8DF1A3C",
  };
  const all = [...amdRoots(), ...amdIntermediates()];
  assertEquals(all.map((c) => c.subject.commonName).sort(), Object.keys(fingerprints).sort());
  for (const c of all) {
    const sha = new Uint8Array(await crypto.subtle.digest("SHA-256", c.der.slice()));
    assertEquals(
      sha.toHex().toUpperCase(),
      fingerprints[c.subject.commonName],
      c.subject.commonName,
    );
  }
  const files = [
    ...Object.values(AMD_CHAIN),
    ...["milan", "genoa", "turin"].map((p) =>
      AMD_CHAIN.Milan.replace("ask_ark_milan.pem", `ask_ark_${p}_vlek.pem`)
    ),
  ];
  const fromFiles = files.flatMap((f) => derBlocks(read(f), "CERTIFICATE").map((d) => d.toHex()));
  for (const c of all) {
    assertOk(fromFiles.includes(c.der.toHex()), `${c.subject.commonName} is in the vector files`);
  }
});

Deno.test("attestation: the KDS cert_chain files as --chain pass; another product's chain is a chain error", async () => {
  for (const c of REAL) {
    const r = await verifyAttestation(read(c.report), {
      vcek: read(c.vcek),
      chain: read(AMD_CHAIN[c.product]),
      at: AT,
      allowDebug: true,
    });
    assertEquals(r.verified, true, c.name);
    assertOk(r.certificates[1].source.startsWith("chain"), "the given ASK is used");
  }
  // As TEE-Attestation-Verification asserts: the Milan report with the Genoa ASK is a chain error.
  const r = await verifyAttestation(read(REAL[0].report), {
    vcek: read(REAL[0].vcek),
    chain: read(AMD_CHAIN.Genoa),
    at: AT,
  });
  assertEquals([status(r, "cert-chain"), status(r, "report-signature")], ["fail", "pass"]);
  assertMatch(r.checks.find((x) => x.name === "cert-chain")!.detail, /did not issue SEV-VCEK/);
});

Deno.test("attestation: pinning one root refuses the other products' chains", async () => {
  const milanArk = derBlocks(read(AMD_CHAIN.Milan), "CERTIFICATE")[1];
  const ok = await verifyAttestation(read(REAL[0].report), {
    vcek: read(REAL[0].vcek),
    roots: [milanArk],
    at: AT,
  });
  assertEquals(ok.verified, true);
  const no = await verifyAttestation(read(REAL[1].report), {
    vcek: read(REAL[1].vcek),
    roots: [milanArk],
    at: AT,
  });
  assertEquals([no.verified, status(no, "cert-chain")], [false, "fail"]);
  assertMatch(no.checks.find((x) => x.name === "cert-chain")!.detail, /not a trusted root/);
});

Deno.test("attestation: real VCEKs are out of their validity before notBefore and after notAfter", async () => {
  const c = REAL[0]; // VCEK valid 2026-02-05T01:04:33Z .. 2033-02-05T01:04:33Z
  const before = await verifyAttestation(read(c.report), {
    vcek: read(c.vcek),
    at: new Date("2026-02-05T01:04:32Z"),
  });
  assertEquals([before.verified, before.genuine, status(before, "validity")], [
    false,
    false,
    "fail",
  ]);
  assertMatch(
    before.checks.find((x) => x.name === "validity")!.detail,
    /not valid before 2026-02-05T01:04:33Z/,
  );
  const edge = await verifyAttestation(read(c.report), {
    vcek: read(c.vcek),
    at: new Date("2033-02-05T01:04:33Z"),
  });
  assertEquals(status(edge, "validity"), "pass", "notAfter is inclusive");
  const after = await verifyAttestation(read(c.report), {
    vcek: read(c.vcek),
    at: new Date("2033-02-05T01:04:34Z"),
  });
  assertMatch(
    after.checks.find((x) => x.name === "validity")!.detail,
    /expired on 2033-02-05T01:04:33Z/,
  );
});

Deno.test("attestation: policy checks on real reports (values asserted by go-sev-guest's check tests)", async () => {
  const c = REAL[3]; // go-sev-guest: REPORT_DATA 0102030405 + zeros, HOST_DATA zeros, VMPL 0, TCB 0x4405000000000002
  const v = (o: Record<string, unknown>) =>
    verifyAttestation(read(c.report), { vcek: read(c.vcek), at: AT, allowDebug: true, ...o });
  assertEquals((await v({ reportData: Uint8Array.fromHex("0102030405") })).verified, true);
  const rd = new Uint8Array(64);
  rd[63] = 1;
  assertEquals(status(await v({ reportData: rd }), "report-data"), "fail");
  assertEquals((await v({ hostData: new Uint8Array(32) })).verified, true);
  assertEquals(
    status(await v({ hostData: Uint8Array.fromHex("00".repeat(31) + "01") }), "host-data"),
    "fail",
  );
  assertEquals((await v({ vmpl: 0 })).verified, true);
  assertEquals(status(await v({ vmpl: 1 }), "vmpl"), "fail");
  const { parseMinimumTcb } = await import("../lib/verify/attestation/mod.ts");
  assertEquals((await v({ minTcb: parseMinimumTcb("4901323769462652930") })).verified, true);
  assertEquals(
    status(await v({ minTcb: parseMinimumTcb("4901323769462652931") }), "min-tcb"),
    "fail",
  );
  assertEquals((await v({ minTcb: parseMinimumTcb("bl=2,snp=5,ucode=68") })).verified, true);
  assertEquals(status(await v({ minTcb: parseMinimumTcb("ucode=69") }), "min-tcb"), "fail");
  assertEquals(
    status(await v({ minTcb: parseMinimumTcb("fmc=1") }), "min-tcb"),
    "fail",
    "no FMC on Milan",
  );
});

Deno.test("attestation: a parsed report's fields are not trusted over its signed bytes", async () => {
  const c = REAL.find((x) => !x.report.includes("go-sev-guest"))!;
  const report = parseReport(read(c.report));
  const claimed = new Uint8Array(64).fill(0xee);
  assertOk(report.reportData.toHex() !== claimed.toHex());
  report.reportData = claimed; // what the signature does not cover
  const r = await verifyAttestation(report, { vcek: read(c.vcek), at: AT, reportData: claimed });
  assertEquals([status(r, "report-signature"), status(r, "report-data")], ["pass", "fail"]);
  assertEquals(r.verified, false);
});
