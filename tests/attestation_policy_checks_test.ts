/**
 * The binding and policy checks (product, chip ID, TCB, revocation, debug,
 * minimum TCB, VMPL, REPORT_DATA, HOST_DATA), both ways, on a PKI generated in
 * the test (tests/attestation_helpers.ts: RSA-PSS 2048 ARK and ASK/ASVK, ECDSA P-384
 * VCEK/VLEK, all made with Web Crypto and the test-only DER writer) and on
 * reports signed by it. Layouts of the reports and of AMD's extensions come
 * from the SEV-SNP ABI spec and AMD's VCEK specification as summarised in
 * testdata/vectors/README.md.
 */

import { assertEquals, assertOk } from "./assert.ts";
import { parseMinimumTcb } from "../lib/verify/attestation/mod.ts";
import { AttestationError } from "../lib/verify/attestation/attestation_error.ts";
import { amdName, crl, extension, ia5 } from "./der_writer.ts";
import {
  expectCheck,
  leafExtensions,
  run,
  TEST_CHIP,
  TEST_TCB,
  testKeys,
} from "./attestation_helpers.ts";

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
