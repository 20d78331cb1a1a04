/**
 * The genuineness checks (report signature, chain, validity, signing key),
 * both ways, on a PKI generated in the test (tests/attestation_helpers.ts: RSA-PSS 2048 ARK and ASK/ASVK, ECDSA P-384
 * VCEK/VLEK, all made with Web Crypto and the test-only DER writer) and on
 * reports signed by it. Layouts of the reports and of AMD's extensions come
 * from the SEV-SNP ABI spec and AMD's VCEK specification as summarised in
 * testdata/vectors/README.md.
 */

import { assertEquals } from "./assert.ts";
import { verifyAttestation } from "../lib/verify/attestation/mod.ts";
import { amdName, basicConstraints, certificate, extension, int, keyUsage } from "./der_writer.ts";
import {
  AT,
  expectCheck,
  leafExtensions,
  makeReport,
  run,
  spki,
  testKeys,
  testPki,
} from "./attestation_helpers.ts";

Deno.test("checks: a generated chain with its own root is refused by default and accepted when that root is passed", async () => {
  const pki = await testPki();
  const report = await makeReport({}, pki.keys.leaf.privateKey);
  const byDefault = await verifyAttestation(report, {
    vcek: pki.leaf,
    chain: [pki.ask, pki.ark],
    at: AT,
  });
  assertEquals([byDefault.verified, byDefault.genuine], [false, false]);
  expectCheck(byDefault, "report-signature", "pass");
  expectCheck(
    byDefault,
    "cert-chain",
    "fail",
    /ARK-Milan \(chain 2\) is not a trusted root \(trusted: ARK-Milan, ARK-Genoa, ARK-Turin\)/,
  );
  // Without the chain, the VCEK's issuer name matches AMD's built-in SEV-Milan, whose key did not sign it.
  const alone = await verifyAttestation(report, { vcek: pki.leaf, at: AT });
  expectCheck(alone, "cert-chain", "fail", /is not signed by SEV-Milan \(built-in AMD SEV-Milan\)/);
  const pinned = await verifyAttestation(report, {
    vcek: pki.leaf,
    chain: [pki.ask, pki.ark],
    roots: [pki.ark],
    at: AT,
  });
  assertEquals([pinned.verified, pinned.genuine], [true, true]);
  // The trusted root need not be in the chain.
  const rootOnly = await verifyAttestation(report, {
    vcek: pki.leaf,
    chain: [pki.ask],
    roots: [pki.ark],
    at: AT,
  });
  assertEquals(rootOnly.verified, true);
  assertEquals(rootOnly.certificates.map((c) => `${c.role}:${c.source}`), [
    "VCEK:VCEK",
    "ASK:chain",
    "ARK:root 1",
  ]);
});

Deno.test("checks: report-signature both ways (wrong key, SIGNING_KEY 7, SIGNATURE_ALGO 2, zero R, S ≥ n)", async () => {
  expectCheck(await run(), "report-signature", "pass", /verifies with SEV-VCEK/);
  const k = await testKeys();
  const pki = await testPki();
  const other = await crypto.subtle.generateKey({ name: "ECDSA", namedCurve: "P-384" }, false, [
    "sign",
  ]);
  const forged = await makeReport({}, other.privateKey);
  const opts = { vcek: pki.leaf, chain: [pki.ask], roots: [pki.ark], at: AT };
  expectCheck(await verifyAttestation(forged, opts), "report-signature", "fail", /does not verify/);
  const none = await makeReport({ keyInfo: 7 << 2 }, k.leaf.privateKey);
  const rNone = await verifyAttestation(none, opts);
  expectCheck(rNone, "report-signature", "fail", /SIGNING_KEY is 7/);
  assertEquals(rNone.genuine, false);
  // Unsigned: a VCEK was given, but no signature was checked with it.
  assertEquals(rNone.signatureChecked, false);
  assertEquals((await verifyAttestation(forged, opts)).signatureChecked, true);
  assertEquals((await verifyAttestation(forged, { at: AT })).signatureChecked, false);
  expectCheck(
    await verifyAttestation(await makeReport({ signatureAlgo: 2 }, k.leaf.privateKey), opts),
    "report-signature",
    "fail",
    /SIGNATURE_ALGO is 2/,
  );
  const zeroR = await makeReport({}, k.leaf.privateKey);
  zeroR.fill(0, 0x2a0, 0x2e8);
  expectCheck(await verifyAttestation(zeroR, opts), "report-signature", "fail", /R is zero/);
  const bigS = await makeReport({}, k.leaf.privateKey);
  bigS.fill(0xff, 0x2e8, 0x2e8 + 48); // 2^384 - 1 > n
  expectCheck(
    await verifyAttestation(bigS, opts),
    "report-signature",
    "fail",
    /S is not below the P-384 group order/,
  );
});

Deno.test("checks: wrong key types: an RSA or P-256 VCEK, an EC ASK", async () => {
  const k = await testKeys();
  const rsaLeaf = await run({ pki: { leafSpki: await spki(k.other.publicKey) } });
  expectCheck(rsaLeaf, "report-signature", "fail", /key is RSA 2048-bit, expected EC P-384/);
  const p256 = await crypto.subtle.generateKey({ name: "ECDSA", namedCurve: "P-256" }, true, [
    "sign",
  ]);
  expectCheck(
    await run({ pki: { leafSpki: await spki(p256.publicKey) } }),
    "report-signature",
    "fail",
    /EC P-256, expected EC P-384/,
  );
  // An ASK whose key is EC cannot have signed the (RSA-PSS) VCEK signature.
  const pki = await testPki();
  const ecAsk = await certificate({
    serial: 7n,
    issuer: amdName("ARK-Milan"),
    subject: amdName("SEV-Milan"),
    notBefore: new Date("2025-01-01T00:00:00Z"),
    notAfter: new Date("2045-01-01T00:00:00Z"),
    spki: await spki(k.leaf.publicKey),
    extensions: [basicConstraints(true)],
    signer: k.ark.privateKey,
  });
  const r = await verifyAttestation(await makeReport({}, k.leaf.privateKey), {
    vcek: pki.leaf,
    chain: [ecAsk, pki.ark],
    roots: [pki.ark],
    at: AT,
  });
  expectCheck(r, "cert-chain", "fail", /the issuer's key is EC P-384, not RSA/);
});

Deno.test("checks: cert-chain fails for a forged ASK, a non-CA intermediate, an unknown critical extension", async () => {
  const k = await testKeys();
  const pki = await testPki();
  const report = await makeReport({}, k.leaf.privateKey);
  const askSpec = {
    serial: 0x010001n,
    issuer: amdName("ARK-Milan"),
    subject: amdName("SEV-Milan"),
    notBefore: new Date("2025-01-01T00:00:00Z"),
    notAfter: new Date("2045-01-01T00:00:00Z"),
    spki: await spki(k.ask.publicKey),
    extensions: [basicConstraints(true), keyUsage(5)],
    signer: k.other.privateKey, // not the ARK
  };
  const v = (ask: Uint8Array) =>
    verifyAttestation(report, { vcek: pki.leaf, chain: [ask, pki.ark], roots: [pki.ark], at: AT });
  expectCheck(
    await v(await certificate(askSpec)),
    "cert-chain",
    "fail",
    /SEV-Milan \(chain 1\) is not signed by ARK-Milan/,
  );
  const notCa = await certificate({
    ...askSpec,
    signer: k.ark.privateKey,
    extensions: [basicConstraints(false)],
  });
  expectCheck(await v(notCa), "cert-chain", "fail", /is not a CA certificate/);
  const noSign = await certificate({
    ...askSpec,
    signer: k.ark.privateKey,
    extensions: [basicConstraints(true), keyUsage(6)],
  });
  expectCheck(await v(noSign), "cert-chain", "fail", /keyUsage lacks keyCertSign/);
  const critical = await testPki({
    leafExtensions: [...leafExtensions({}), extension("1.2.3.4", int(1), true)],
  });
  expectCheck(
    await verifyAttestation(report, {
      vcek: critical.leaf,
      chain: [critical.ask],
      roots: [critical.ark],
      at: AT,
    }),
    "cert-chain",
    "fail",
    /unknown critical extension 1\.2\.3\.4/,
  );
  // A leaf whose issuer matches nothing.
  const stray = await certificate({
    ...askSpec,
    issuer: amdName("SEV-Nowhere"),
    subject: amdName("SEV-VCEK"),
    spki: await spki(k.leaf.publicKey),
  });
  expectCheck(
    await verifyAttestation(report, { vcek: stray, roots: [pki.ark], at: AT }),
    "cert-chain",
    "fail",
    /no intermediate certificate .* named ".*CN=SEV-Nowhere"/,
  );
});

Deno.test("checks: validity: an expired leaf via the verification time, and a leaf not yet valid", async () => {
  const pki = {
    leafNotBefore: new Date("2026-01-01T00:00:00Z"),
    leafNotAfter: new Date("2026-03-01T00:00:00Z"),
  };
  expectCheck(
    await run({ pki, options: { at: new Date("2026-02-01T00:00:00Z") } }),
    "validity",
    "pass",
    /3 certificates valid/,
  );
  const expired = await run({ pki, options: { at: new Date("2026-03-01T00:00:01Z") } });
  expectCheck(expired, "validity", "fail", /SEV-VCEK \(VCEK\) expired on 2026-03-01T00:00:00Z/);
  assertEquals([expired.verified, expired.genuine], [false, false]);
  expectCheck(
    await run({ pki, options: { at: new Date("2025-12-31T23:59:59Z") } }),
    "validity",
    "fail",
    /not valid before 2026-01-01/,
  );
  expectCheck(
    await run({ options: { at: new Date("2045-01-01T00:00:01Z") } }),
    "validity",
    "fail",
    /ARK-Milan .* expired/,
  );
});

Deno.test("checks: signing-key: VCEK and VLEK both ways", async () => {
  expectCheck(await run(), "signing-key", "pass", /signed by a VCEK/);
  const vlek = await run({ pki: { kind: "VLEK" }, report: { keyInfo: 1 << 2 } });
  expectCheck(vlek, "signing-key", "pass", /signed by a VLEK for cloud provider "test-cloud"/);
  expectCheck(vlek, "chip-id", "skip", /not tied to one chip/);
  assertEquals(vlek.verified, true);
  assertEquals(vlek.certificates.map((c) => c.role), ["VLEK", "ASVK", "ARK"]);
  expectCheck(
    await run({ report: { keyInfo: 1 << 2 } }),
    "signing-key",
    "fail",
    /signed by its VLEK, but .* is a VCEK/,
  );
  expectCheck(
    await run({ pki: { kind: "VLEK" } }),
    "signing-key",
    "fail",
    /signed by its VCEK, but .* is a VLEK/,
  );
  expectCheck(
    await run({ report: { keyInfo: 3 << 2 } }),
    "signing-key",
    "fail",
    /SIGNING_KEY is 3/,
  );
  // A VLEK issued by an intermediate named like an ASK.
  const k = await testKeys();
  const pki = await testPki();
  const vlekUnderAsk = await certificate({
    serial: 0n,
    issuer: amdName("SEV-Milan"),
    subject: amdName("SEV-VLEK"),
    notBefore: new Date("2025-01-01T00:00:00Z"),
    notAfter: new Date("2030-01-01T00:00:00Z"),
    spki: await spki(k.leaf.publicKey),
    extensions: leafExtensions({ kind: "VLEK" }),
    signer: k.ask.privateKey,
  });
  const r = await verifyAttestation(await makeReport({ keyInfo: 1 << 2 }, k.leaf.privateKey), {
    vlek: vlekUnderAsk,
    chain: [pki.ask, pki.ark],
    roots: [pki.ark],
    at: AT,
  });
  expectCheck(r, "signing-key", "fail", /is an ASK, which does not sign VLEKs/);
});

Deno.test("checks: SIGNING_KEY 7 with a VCEK given: the other genuineness checks are skipped and no chain is shown", async () => {
  const pki = await testPki();
  const none = await makeReport({ keyInfo: 7 << 2 }, pki.keys.leaf.privateKey);
  const r = await verifyAttestation(none, {
    vcek: pki.leaf,
    chain: [pki.ask],
    roots: [pki.ark],
    at: AT,
  });
  const skipped = [
    "cert-chain",
    "validity",
    "signing-key",
    "product",
    "chip-id",
    "tcb",
    "revocation",
  ];
  assertEquals(r.checks.slice(0, 8).map((c) => `${c.name} ${c.status}: ${c.detail}`), [
    "report-signature fail: KEY_INFO.SIGNING_KEY is 7: the firmware did not sign this report",
    ...skipped.map((n) => `${n} skip: no VCEK or VLEK certificate to check`),
  ]);
  assertEquals([r.genuine, r.verified, r.certificates, r.product], [false, false, [], "Milan"]);
});
