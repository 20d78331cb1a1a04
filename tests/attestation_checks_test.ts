/**
 * Every attestation check, both ways, on a PKI generated in the test
 * (tests/attestation_helpers.ts: RSA-PSS 2048 ARK and ASK/ASVK, ECDSA P-384
 * VCEK/VLEK, all made with Web Crypto and the test-only DER writer) and on
 * reports signed by it. Layouts of the reports and of AMD's extensions come
 * from the SEV-SNP ABI spec and AMD's VCEK specification as summarised in
 * ../shared/vectors/README.md.
 */

import { assertEquals, assertMatch, assertOk } from "./assert.ts";
import {
  type AttestationOptions,
  type AttestationResult,
  parseMinimumTcb,
  verifyAttestation,
} from "../lib/verify/attestation/mod.ts";
import { AttestationError } from "../lib/verify/attestation/attestation_error.ts";
import {
  amdName,
  basicConstraints,
  certificate,
  crl,
  extension,
  ia5,
  int,
  keyUsage,
} from "./der_writer.ts";
import {
  AT,
  leafExtensions,
  makeReport,
  type PkiSpec,
  type ReportSpec,
  spki,
  TEST_CHIP,
  TEST_TCB,
  testKeys,
  type TestPki,
  testPki,
} from "./attestation_helpers.ts";

function check(r: AttestationResult, name: string): { status: string; detail: string } {
  const c = r.checks.find((x) => x.name === name);
  assertOk(c, `no check ${name}`);
  return c;
}

function expectCheck(r: AttestationResult, name: string, status: string, detail?: RegExp): void {
  const c = check(r, name);
  assertEquals(c.status, status, `${name}: ${c.detail}`);
  if (detail) assertMatch(c.detail, detail);
}

/** Verifies a report of `report` fields against a chain of `pki` fields, trusting the test root. */
async function run(
  opts: {
    pki?: PkiSpec;
    report?: ReportSpec;
    options?: AttestationOptions;
    chain?: (p: TestPki) => Uint8Array[];
  } = {},
): Promise<AttestationResult> {
  const pki = await testPki(opts.pki);
  const report = await makeReport(opts.report ?? {}, pki.keys.leaf.privateKey);
  const leaf = opts.pki?.kind === "VLEK" ? { vlek: pki.leaf } : { vcek: pki.leaf };
  return verifyAttestation(report, {
    ...leaf,
    chain: opts.chain ? opts.chain(pki) : [pki.ask, pki.ark],
    roots: [pki.ark],
    at: AT,
    ...opts.options,
  });
}

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

Deno.test("checks: product: productName vs chain vs CPUID, and version 2 without CPUID", async () => {
  expectCheck(
    await run(),
    "product",
    "pass",
    /Milan: certificate productName Milan-B0, chain Milan; report CPUID family 0x19 model 0x1 is Milan/,
  );
  expectCheck(
    await run({ pki: { productName: "Genoa" } }),
    "product",
    "fail",
    /certificate is for Genoa, the chain for Milan/,
  );
  expectCheck(
    await run({ report: { cpuid: [0x19, 0x11, 0x01] } }),
    "product",
    "fail",
    /model 0x11 is Genoa, the certificate is for Milan-B0/,
  );
  expectCheck(
    await run({ report: { cpuid: [0x17, 0x31, 0x00] } }),
    "product",
    "fail",
    /is unknown/,
  );
  expectCheck(
    await run({ report: { version: 2 } }),
    "product",
    "pass",
    /version 2 has no CPUID fields/,
  );
  const noName = leafExtensions({}).filter((_, i) => i !== 1);
  expectCheck(
    await run({ pki: { leafExtensions: noName } }),
    "product",
    "fail",
    /has no productName extension/,
  );
});

Deno.test("checks: chip-id: equal, different, masked; Turin compares the first 8 bytes", async () => {
  expectCheck(
    await run(),
    "chip-id",
    "pass",
    new RegExp(`hwID equals CHIP_ID ${TEST_CHIP.toHex()}`),
  );
  const other = TEST_CHIP.slice();
  other[63] ^= 1;
  expectCheck(await run({ report: { chipId: other } }), "chip-id", "fail", /differs from CHIP_ID/);
  const masked = await run({ report: { keyInfo: 2, chipId: new Uint8Array(64) } });
  expectCheck(masked, "chip-id", "skip", /MASK_CHIP_KEY/);
  assertEquals(masked.verified, true);
  const turinChip = new Uint8Array(64);
  turinChip.set(TEST_CHIP.subarray(0, 8));
  const turinTcb = Uint8Array.from([1, 2, 3, 4, 0, 0, 0, 81]);
  const turin = {
    pki: { product: "Turin", chipId: turinChip, tcb: turinTcb },
    report: { version: 5, cpuid: [0x1a, 0x02, 0x01] as const, chipId: turinChip, tcb: turinTcb },
  };
  const t = await run(turin);
  expectCheck(
    t,
    "chip-id",
    "pass",
    new RegExp(`first 8 bytes of CHIP_ID ${TEST_CHIP.subarray(0, 8).toHex()}`),
  );
  assertEquals(t.verified, true);
  const bad = turinChip.slice();
  bad[7] ^= 1;
  expectCheck(await run({ ...turin, report: { ...turin.report, chipId: bad } }), "chip-id", "fail");
  // A 64-byte hwID on Turin is the wrong size.
  const wrongSize = leafExtensions(turin.pki).map((e, i, all) =>
    i === all.length - 1 ? extension("1.3.6.1.4.1.3704.1.4", new Uint8Array(64)) : e
  );
  expectCheck(
    await run({ ...turin, pki: { ...turin.pki, leafExtensions: wrongSize } }),
    "chip-id",
    "fail",
    /is 64 bytes, expected 8/,
  );
});

Deno.test("checks: tcb: every SPL byte, in the Milan/Genoa and the Turin layouts", async () => {
  expectCheck(
    await run(),
    "tcb",
    "pass",
    /REPORTED_TCB 0300000000000873 \(milan-genoa: bl=3 tee=0 snp=8 ucode=115\)/,
  );
  for (let byte = 0; byte < 8; byte++) {
    const tcb = TEST_TCB.slice();
    tcb[byte] += 1;
    const r = await run({ report: { tcb } });
    expectCheck(r, "tcb", "fail", new RegExp(`REPORTED_TCB byte ${byte} `));
    assertEquals(r.genuine, false);
  }
  // Turin: bytes 0 fmc, 1 bl, 2 tee, 3 snp, 7 ucode. Read as Milan this TCB would not match.
  const tcb = Uint8Array.from([1, 2, 3, 4, 0, 0, 0, 81]);
  const chip = new Uint8Array(64);
  chip.set(TEST_CHIP.subarray(0, 8));
  const turin = await run({
    pki: { product: "Turin", tcb, chipId: chip },
    report: { version: 5, cpuid: [0x1a, 0x02, 0x01], tcb, chipId: chip },
  });
  expectCheck(turin, "tcb", "pass", /turin: fmc=1 bl=2 tee=3 snp=4 ucode=81/);
  // A certificate without the fmcSPL extension, or with a malformed SPL.
  const noFmc = leafExtensions({ product: "Turin", tcb, chipId: chip }).filter((e) =>
    !e.toHex().includes("2b060104019c78010309")
  );
  const t2 = await run({
    pki: { product: "Turin", tcb, chipId: chip, leafExtensions: noFmc },
    report: { version: 5, cpuid: [0x1a, 0x02, 0x01], tcb, chipId: chip },
  });
  expectCheck(t2, "tcb", "fail", /no fmc SPL extension/);
  const malformed = [
    ...leafExtensions({}).slice(0, 2),
    extension("1.3.6.1.4.1.3704.1.3.1", ia5("x")),
    ...leafExtensions({}).slice(3),
  ];
  expectCheck(
    await run({ pki: { leafExtensions: malformed } }),
    "tcb",
    "fail",
    /3704\.1\.3\.1 is malformed/,
  );
});

Deno.test("checks: revocation: a CRL made in the test that revokes the VCEK's issuer; forged, stale, foreign CRLs", async () => {
  const k = await testKeys();
  const base = {
    issuer: amdName("ARK-Milan"),
    thisUpdate: new Date("2026-01-01T00:00:00Z"),
    nextUpdate: new Date("2026-12-01T00:00:00Z"),
    signer: k.ark.privateKey,
  };
  expectCheck(await run(), "revocation", "skip", /no CRL given/);
  const clean = await run({ options: { crl: await crl(base) } });
  expectCheck(clean, "revocation", "pass", /not revoked: CRL of ARK-Milan \(CRL\)/);
  assertEquals(clean.verified, true);
  const revoked = await run({
    options: {
      crl: await crl({
        ...base,
        revoked: [{ serial: 0x010001n, date: new Date("2026-01-01T00:00:00Z") }],
      }),
    },
  });
  expectCheck(
    revoked,
    "revocation",
    "fail",
    /SEV-Milan \(chain 1\) \(serial 0x010001\) is revoked by the CRL of ARK-Milan/,
  );
  assertEquals([revoked.verified, revoked.genuine], [false, false]);
  // Another serial on the list: not revoked.
  expectCheck(
    await run({
      options: {
        crl: await crl({ ...base, revoked: [{ serial: 0x010002n, date: base.thisUpdate }] }),
      },
    }),
    "revocation",
    "pass",
  );
  // An ASK-issued CRL speaks for the VCEK (serial 0), when the ASK may sign CRLs (AMD's may not).
  const askCrl = await crl({
    ...base,
    issuer: amdName("SEV-Milan"),
    signer: k.ask.privateKey,
    revoked: [{ serial: 0n, date: base.thisUpdate }],
  });
  expectCheck(
    await run({ options: { crl: askCrl } }),
    "revocation",
    "fail",
    /SEV-Milan \(chain 1\) may not sign CRLs/,
  );
  const crlAsk = { askKeyUsage: [5, 6] };
  expectCheck(
    await run({ pki: crlAsk, options: { crl: askCrl } }),
    "revocation",
    "fail",
    /SEV-VCEK \(VCEK\) \(serial 0x00\) is revoked/,
  );
  expectCheck(
    await run({ options: { crl: await crl({ ...base, signer: k.other.privateKey }) } }),
    "revocation",
    "fail",
    /is not signed by ARK-Milan/,
  );
  expectCheck(
    await run({
      options: { crl: await crl({ ...base, nextUpdate: new Date("2026-05-01T00:00:00Z") }) },
    }),
    "revocation",
    "fail",
    /out of date: its next update was due 2026-05-01/,
  );
  expectCheck(
    await run({
      options: { crl: await crl({ ...base, thisUpdate: new Date("2026-07-01T00:00:00Z") }) },
    }),
    "revocation",
    "fail",
    /is dated 2026-07-01/,
  );
  expectCheck(
    await run({ options: { crl: await crl({ ...base, issuer: amdName("ARK-Genoa") }) } }),
    "revocation",
    "fail",
    /not from a CA of this chain/,
  );
  expectCheck(
    await run({
      options: {
        crl: await crl({
          ...base,
          extensions: [extension("2.5.29.28", new Uint8Array([0x30, 0]), true)],
        }),
      },
    }),
    "revocation",
    "fail",
    /critical extension 2\.5\.29\.28/,
  );
  // Two CRLs: one per CA of the chain, both clean.
  const both = await run({
    pki: crlAsk,
    options: {
      crl: [
        await crl(base),
        await crl({ ...base, issuer: amdName("SEV-Milan"), signer: k.ask.privateKey }),
      ],
    },
  });
  expectCheck(both, "revocation", "pass", /CRL 1.*CRL 2/);
});

Deno.test("checks: debug, min-tcb, vmpl, report-data, host-data both ways", async () => {
  expectCheck(await run(), "debug", "pass", /does not allow debugging/);
  const dbg = await run({ report: { policy: 0xb0000n } });
  expectCheck(dbg, "debug", "fail", /allows debugging/);
  assertEquals([dbg.verified, dbg.genuine], [false, true]);
  expectCheck(
    await run({ report: { policy: 0xb0000n }, options: { allowDebug: true } }),
    "debug",
    "pass",
    /accepted/,
  );
  for (const n of ["min-tcb", "vmpl", "report-data", "host-data"]) {
    expectCheck(await run(), n, "skip");
  }
  expectCheck(
    await run({ options: { minTcb: parseMinimumTcb("bl=3,tee=0,snp=8,ucode=115") } }),
    "min-tcb",
    "pass",
  );
  expectCheck(
    await run({ options: { minTcb: parseMinimumTcb("snp=9") } }),
    "min-tcb",
    "fail",
    /snp 8 < 9/,
  );
  expectCheck(
    await run({ options: { minTcb: parseMinimumTcb("0x7308000000000003") } }),
    "min-tcb",
    "pass",
  );
  expectCheck(
    await run({ options: { minTcb: parseMinimumTcb("0x7308000000000004") } }),
    "min-tcb",
    "fail",
    /bl 3 < 4/,
  );
  expectCheck(
    await run({ report: { vmpl: 2 }, options: { vmpl: 2 } }),
    "vmpl",
    "pass",
    /VMPL is 2/,
  );
  expectCheck(
    await run({ report: { vmpl: 2 }, options: { vmpl: 0 } }),
    "vmpl",
    "fail",
    /VMPL is 2, expected 0/,
  );
  const rd = crypto.getRandomValues(new Uint8Array(64));
  expectCheck(
    await run({ report: { reportData: rd }, options: { reportData: rd } }),
    "report-data",
    "pass",
  );
  expectCheck(
    await run({ report: { reportData: rd }, options: { reportData: rd.subarray(0, 63) } }),
    "report-data",
    "fail",
    /expected/,
  );
  const hd = Uint8Array.fromHex("ab".repeat(16));
  expectCheck(
    await run({ report: { hostData: hd }, options: { hostData: hd } }),
    "host-data",
    "pass",
    /HOST_DATA is abab/,
  );
  expectCheck(await run({ options: { hostData: hd } }), "host-data", "fail");
  let threw = false;
  try {
    await run({ options: { hostData: new Uint8Array(33) } });
  } catch (e) {
    threw = e instanceof AttestationError && /33 bytes, at most 32/.test(e.message);
  }
  assertOk(threw, "a 33-byte HOST_DATA is refused");
});

Deno.test("checks: parseMinimumTcb accepts a u64 and SPL pairs, refuses anything else", () => {
  assertEquals(
    parseMinimumTcb("0xdb18000000000004"),
    Uint8Array.from([4, 0, 0, 0, 0, 0, 0x18, 0xdb]),
  );
  assertEquals(
    parseMinimumTcb("4901323769462652930"),
    Uint8Array.from([2, 0, 0, 0, 0, 0, 5, 0x44]),
  );
  assertEquals(parseMinimumTcb("bl=4, snp=24"), { bl: 4, snp: 24 });
  for (const bad of ["", "0x1ffffffffffffffff", "bl=256", "bl", "x=1,=2", "18446744073709551616"]) {
    let threw = false;
    try {
      parseMinimumTcb(bad);
    } catch (e) {
      threw = e instanceof AttestationError;
    }
    assertOk(threw, `'${bad}' is refused`);
  }
});
