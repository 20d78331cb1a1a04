/**
 * lib/x509: the DER reader, certificates, CRLs, PEM and RSASSA-PSS checks.
 *
 * Real inputs: AMD's ARK/ASK/ASVK chains and five VCEKs in testdata/vectors/
 * (byte-identical copies of ../shared/vectors/; sources in its README,
 * sections 1 and 5). Expected field values are what `openssl x509 -text`
 * prints for those files (serials, names, dates, key sizes), not values
 * produced by the code under test.
 */

import { assertEquals, assertMatch, assertOk } from "./assert.ts";
import { parseCertificate, readExtensions } from "../lib/x509/certificate.ts";
import { CertificateError } from "../lib/x509/certificate_error.ts";
import { parseCrl } from "../lib/x509/crl.ts";
import { integerBytes, oidString, readTlv } from "../lib/x509/der.ts";
import { timeValue } from "../lib/x509/der_text.ts";
import { decodePem, derBlocks, encodePem } from "../lib/x509/pem.ts";
import { verifySignedData } from "../lib/x509/verify_signature.ts";
import { amdName, bitString, certificate, crl, oid, pssAlgorithm, seq, tlv } from "./der_writer.ts";
import { AMD_CHAIN, REAL, spki, testKeys } from "./attestation_helpers.ts";

function certsOf(path: string) {
  return derBlocks(Deno.readFileSync(path), "CERTIFICATE").map((d) => parseCertificate(d));
}

function throwsCert(fn: () => unknown, re?: RegExp): void {
  try {
    fn();
  } catch (e) {
    assertOk(e instanceof CertificateError, `expected CertificateError, got ${e}`);
    if (re) assertMatch(e.message, re);
    assertOk(!e.message.includes("\n"), "one-line message");
    return;
  }
  throw new Error("expected a CertificateError");
}

// openssl x509 -noout -subject -serial -dates of each file (intermediate, then root).
const AMD_EXPECTED: Record<string, [string, string, string, string][]> = {
  Milan: [
    ["SEV-Milan", "010001", "2020-10-22T18:24:20Z", "2045-10-22T18:24:20Z"],
    ["ARK-Milan", "010000", "2020-10-22T17:23:05Z", "2045-10-22T17:23:05Z"],
  ],
  Genoa: [
    ["SEV-Genoa", "020002", "2022-10-31T13:33:48Z", "2047-10-31T13:33:48Z"],
    ["ARK-Genoa", "020000", "2022-01-26T15:34:37Z", "2047-01-26T15:34:37Z"],
  ],
  Turin: [
    ["SEV-Turin", "030001", "2023-05-15T20:25:21Z", "2048-05-15T20:25:21Z"],
    ["ARK-Turin", "030000", "2023-05-15T20:03:12Z", "2048-05-15T20:03:12Z"],
  ],
};

const iso = (d: Date) => d.toISOString().replace(".000Z", "Z");

Deno.test("x509: AMD chains parse with openssl's names, serials, dates and key sizes; every signature verifies", async () => {
  for (const [product, expected] of Object.entries(AMD_EXPECTED)) {
    const [ask, ark] = certsOf(AMD_CHAIN[product]);
    for (const [c, [cn, serial, from, to]] of [[ask, expected[0]], [ark, expected[1]]] as const) {
      assertEquals(c.subject.commonName, cn);
      assertEquals(c.serial.toHex(), serial);
      assertEquals([iso(c.notBefore), iso(c.notAfter)], [from, to]);
      assertEquals(c.publicKey.description, "RSA 4096-bit");
      assertEquals(
        c.subject.text,
        `OU=Engineering, C=US, L=Santa Clara, ST=CA, O=Advanced Micro Devices, CN=${cn}`,
      );
    }
    assertEquals(ask.issuer.commonName, `ARK-${product}`);
    assertEquals(await verifySignedData(ark, ark.publicKey), { ok: true });
    assertEquals(await verifySignedData(ask, ark.publicKey), { ok: true });
  }
});

Deno.test("x509: the five VCEKs have serial number 0, a P-384 key, and verify under their product's ASK", async () => {
  const dates: Record<string, string> = {
    "milan_vcek.pem": "2026-02-05T01:04:33Z",
    "genoa_vcek.pem": "2026-02-05T02:05:07Z",
    "turin_vcek.pem": "2026-02-05T01:04:33Z",
    "vcek.der": "2022-09-24T00:55:28Z",
    "vcek_milan.der": "2023-04-03T19:23:43Z",
  };
  for (const c of REAL) {
    const [vcek] = certsOf(c.vcek);
    assertEquals(vcek.serial.toHex(), "00", c.name);
    assertEquals(vcek.subject.commonName, "SEV-VCEK");
    assertEquals(vcek.issuer.commonName, `SEV-${c.product}`);
    assertEquals(vcek.publicKey.description, "EC P-384");
    assertEquals(iso(vcek.notBefore), dates[c.vcek.split("/").at(-1)!]);
    const [ask] = certsOf(AMD_CHAIN[c.product]);
    assertEquals(await verifySignedData(vcek, ask.publicKey), { ok: true }, c.name);
    const other = certsOf(AMD_CHAIN[c.product === "Genoa" ? "Milan" : "Genoa"])[0];
    assertEquals(
      (await verifySignedData(vcek, other.publicKey)).ok,
      false,
      "another product's ASK",
    );
  }
});

Deno.test("x509: any changed TBS or signature byte of a VCEK fails its signature check", async () => {
  const der = derBlocks(Deno.readFileSync(REAL[0].vcek), "CERTIFICATE")[0];
  const [ask] = certsOf(AMD_CHAIN.Milan);
  const good = parseCertificate(der);
  let checked = 0;
  // Bytes of the TBS that keep it parseable (a serial/validity/extension byte) and of the signature.
  for (
    const i of [
      good.tbs.byteOffset + 20,
      good.tbs.byteOffset + good.tbs.length - 1,
      der.length - 1,
      der.length - 200,
    ]
  ) {
    const bad = der.slice();
    bad[i] ^= 0x01;
    let parsed;
    try {
      parsed = parseCertificate(bad);
    } catch (e) {
      assertOk(e instanceof CertificateError);
      continue;
    }
    checked++;
    assertEquals((await verifySignedData(parsed, ask.publicKey)).ok, false, `byte ${i}`);
  }
  assertOk(checked >= 3, `${checked} changed certificates still parsed and were checked`);
});

Deno.test("x509: every truncation of a certificate is one CertificateError, never another exception", () => {
  for (const path of [REAL[0].vcek, REAL[2].vcek, AMD_CHAIN.Turin]) {
    const der = derBlocks(Deno.readFileSync(path), "CERTIFICATE")[0];
    for (let n = 0; n < der.length; n++) throwsCert(() => parseCertificate(der.subarray(0, n)));
    throwsCert(() => parseCertificate(Uint8Array.of(...der, 0)), /bytes after the end/);
  }
});

Deno.test("x509: hostile DER lengths and forms are refused with the offset", () => {
  throwsCert(
    () => readTlv(Uint8Array.of(0x30, 0x84, 0xff, 0xff, 0xff, 0xff), 0),
    /claims 4294967295 bytes/,
  );
  throwsCert(() => readTlv(Uint8Array.of(0x30, 0x85, 1, 0, 0, 0, 0), 0), /length of 5 bytes/);
  throwsCert(() => readTlv(Uint8Array.of(0x30, 0x80, 0, 0), 0), /indefinite length/);
  throwsCert(() => readTlv(Uint8Array.of(0x1f, 0x81, 0x00), 0), /high tag number/);
  throwsCert(
    () => readTlv(Uint8Array.of(0x04, 0x81, 0x05, 1, 2, 3, 4, 5), 0),
    /not minimally encoded/,
  );
  throwsCert(() => readTlv(Uint8Array.of(0x04, 0x82, 0x00, 0x90), 0), /not minimally encoded/);
  throwsCert(() => readTlv(Uint8Array.of(0x04), 0), /length missing/);
  // A huge inner length inside a small outer element.
  throwsCert(
    () => parseCertificate(seq(tlv(0x30, Uint8Array.of(0x30, 0x83, 0x10, 0, 0)))),
    /claims|expected/,
  );
  throwsCert(() => parseCertificate(new Uint8Array(0)), /end of the data/);
  throwsCert(() => parseCertificate(Uint8Array.of(0x31, 0x00)), /expected DER identifier 0x30/);
  throwsCert(() => parseCertificate(new Uint8Array((1 << 20) + 1)), /more than the/);
});

Deno.test("x509: INTEGER, OID and time rules (X.690 §8.3, §8.19; RFC 5280 §4.1.2.5)", () => {
  assertEquals(integerBytes(readTlv(Uint8Array.of(2, 1, 0), 0), "serial"), Uint8Array.of(0));
  throwsCert(
    () => integerBytes(readTlv(Uint8Array.of(2, 2, 0, 1), 0), "serial"),
    /not minimally encoded/,
  );
  throwsCert(() => integerBytes(readTlv(Uint8Array.of(2, 0), 0), "serial"), /empty INTEGER/);
  // 1.2.840.113549.1.1.10 (id-RSASSA-PSS) and 1.3.132.0.34 (secp384r1), as RFC 4055 / SEC 2 encode them.
  assertEquals(
    oidString(readTlv(Uint8Array.fromHex("06092a864886f70d01010a"), 0), "x"),
    "1.2.840.113549.1.1.10",
  );
  assertEquals(oidString(readTlv(Uint8Array.fromHex("06052b81040022"), 0), "x"), "1.3.132.0.34");
  throwsCert(() => oidString(readTlv(Uint8Array.fromHex("06022a86"), 0), "x"), /cut short/);
  throwsCert(
    () => oidString(readTlv(Uint8Array.fromHex("0603802a01"), 0), "x"),
    /not minimally encoded/,
  );
  const t = (tag: number, s: string) =>
    timeValue(readTlv(tlv(tag, new TextEncoder().encode(s)), 0), "t");
  assertEquals(iso(t(0x17, "491231235959Z")), "2049-12-31T23:59:59Z");
  assertEquals(iso(t(0x17, "500101000000Z")), "1950-01-01T00:00:00Z");
  assertEquals(iso(t(0x18, "20500101000000Z")), "2050-01-01T00:00:00Z");
  throwsCert(() => t(0x17, "230230000000Z"), /invalid date/);
  throwsCert(() => t(0x17, "2302011200Z"), /malformed time/);
  throwsCert(() => t(0x17, "230201120000+0100"), /malformed time/);
  // A hostile length is refused by its size, before its text is decoded or quoted.
  throwsCert(() => t(0x17, "2".repeat(200_000) + "Z"), /malformed time of 200001 bytes/);
  throwsCert(() => t(0x18, "230201120000Z"), /malformed time of 13 bytes .* \(DER has 15\)/);
});

Deno.test("x509: PEM blocks, labels and bad base64", () => {
  const pem = new TextDecoder().decode(Deno.readFileSync(AMD_CHAIN.Milan));
  assertEquals(decodePem(pem).map((b) => b.label), ["CERTIFICATE", "CERTIFICATE"]);
  const der = decodePem(pem)[0].der;
  assertEquals(decodePem(encodePem("CERTIFICATE", der))[0].der, der);
  throwsCert(
    () => decodePem("-----BEGIN CERTIFICATE-----\nAA*A\n-----END CERTIFICATE-----"),
    /base64/,
  );
  throwsCert(
    () => decodePem("-----BEGIN CERTIFICATE-----\nAAAA\n-----END X509 CRL-----"),
    /ends with END/,
  );
  throwsCert(() => decodePem("-----BEGIN CERTIFICATE-----\nAAAA\n"), /no matching END/);
  throwsCert(
    () => derBlocks(new TextEncoder().encode("hello"), "CERTIFICATE"),
    /neither DER nor PEM/,
  );
  throwsCert(() => derBlocks(Uint8Array.of(0xff, 0xfe), "CERTIFICATE"), /neither DER/);
  throwsCert(
    () => derBlocks(new TextEncoder().encode(encodePem("X509 CRL", der)), "CERTIFICATE"),
    /no CERTIFICATE block/,
  );
});

Deno.test("x509: a CRL made in the test parses back: issuer, dates, revoked serials; its signature verifies", async () => {
  const k = await testKeys();
  const der = await crl({
    issuer: amdName("ARK-Milan"),
    thisUpdate: new Date("2026-01-01T00:00:00Z"),
    nextUpdate: new Date("2026-07-01T00:00:00Z"),
    revoked: [{ serial: 0x010001n, date: new Date("2026-01-01T00:00:00Z") }, {
      serial: 0n,
      date: new Date("2026-02-01T00:00:00Z"),
    }],
    signer: k.ark.privateKey,
  });
  const c = parseCrl(der);
  assertEquals(c.issuer.commonName, "ARK-Milan");
  assertEquals([iso(c.thisUpdate), iso(c.nextUpdate!)], [
    "2026-01-01T00:00:00Z",
    "2026-07-01T00:00:00Z",
  ]);
  assertEquals(c.revoked.map((r) => r.serial.toHex()), ["010001", "00"]);
  const arkKey = parseCertificate(
    await certificate({
      serial: 1n,
      issuer: amdName("ARK-Milan"),
      subject: amdName("ARK-Milan"),
      notBefore: new Date("2025-01-01T00:00:00Z"),
      notAfter: new Date("2045-01-01T00:00:00Z"),
      spki: await spki(k.ark.publicKey),
      signer: k.ark.privateKey,
    }),
  ).publicKey;
  assertEquals(await verifySignedData(c, arkKey), { ok: true });
  for (let n = 0; n < der.length; n++) throwsCert(() => parseCrl(der.subarray(0, n)));
});

Deno.test("x509: RSASSA-PSS parameters and issuer keys that are refused, with the reason", async () => {
  const k = await testKeys();
  const base = {
    serial: 5n,
    issuer: amdName("X"),
    subject: amdName("Y"),
    notBefore: new Date("2025-01-01T00:00:00Z"),
    notAfter: new Date("2030-01-01T00:00:00Z"),
    spki: await spki(k.leaf.publicKey),
    signer: k.ark.privateKey,
  };
  const arkSpki =
    parseCertificate(await certificate({ ...base, spki: await spki(k.ark.publicKey) })).publicKey;
  // Salt 32 instead of AMD's 48 is still RSASSA-PSS: verified with the salt the parameters state.
  const salt32 = parseCertificate(
    await (async () => {
      const { tbsCertificate, signed } = await import("./der_writer.ts");
      const alg = pssAlgorithm(32);
      return signed(tbsCertificate({ ...base, algorithm: alg }), alg, k.ark.privateKey, 32);
    })(),
  );
  assertEquals(await verifySignedData(salt32, arkSpki), { ok: true });
  const mgf = parseCertificate(
    await certificate({
      ...base,
      algorithm: pssAlgorithm(48, "2.16.840.1.101.3.4.2.2", "2.16.840.1.101.3.4.2.1"),
    }),
  );
  assertMatch((await verifySignedData(mgf, arkSpki) as { reason: string }).reason, /MGF1-SHA-256/);
  const ecdsa = parseCertificate(
    await certificate({ ...base, algorithm: seq(oid("1.2.840.10045.4.3.3")) }),
  );
  assertMatch(
    (await verifySignedData(ecdsa, arkSpki) as { reason: string }).reason,
    /not RSASSA-PSS/,
  );
  // An EC "issuer" key, and a 1024-bit RSA key.
  const good = parseCertificate(await certificate(base));
  assertMatch(
    (await verifySignedData(good, good.publicKey) as { reason: string }).reason,
    /EC P-384, not RSA/,
  );
  const small = await crypto.subtle.generateKey(
    {
      name: "RSA-PSS",
      modulusLength: 1024,
      publicExponent: Uint8Array.of(1, 0, 1),
      hash: "SHA-384",
    },
    true,
    ["sign"],
  );
  const smallSpki =
    parseCertificate(await certificate({ ...base, spki: await spki(small.publicKey) })).publicKey;
  assertEquals(smallSpki.description, "RSA 1024-bit");
  assertMatch(
    (await verifySignedData(good, smallSpki) as { reason: string }).reason,
    /1024-bit; 2048 to 8192/,
  );
  // A signature of the wrong length for the key.
  const short = parseCertificate(seq(good.tbs, pssAlgorithm(), bitString(new Uint8Array(10))));
  assertMatch((await verifySignedData(short, arkSpki) as { reason: string }).reason, /10 bytes/);
});

Deno.test("x509: extensions: every one kept in order, a repeated one refused", () => {
  const ext = (dotted: string) => seq(oid(dotted), tlv(0x04, Uint8Array.of(5)));
  const arcs = Array.from({ length: 20_000 }, (_, i) => `1.2.3.${i}`);
  const parsed = readExtensions(readTlv(seq(...arcs.map(ext)), 0), "test");
  assertEquals(parsed.map((e) => e.oid), arcs);
  throwsCert(
    () => readExtensions(readTlv(seq(ext("1.2.3.4"), ext("1.2.3.5"), ext("1.2.3.4")), 0), "test"),
    /test: duplicate extension 1\.2\.3\.4/,
  );
});
