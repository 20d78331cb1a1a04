// Tests for lib/snp/report.ts and lib/snp/policy.ts against the five reports
// in testdata/vectors (README section 1): every listed field, the TCB
// layouts, the hex text form, signatures (Web Crypto, VCEK from the
// certificate) and the error messages.

import assert from "node:assert/strict";
import { X509Certificate } from "node:crypto";
import {
  decodeTcb,
  parseReport,
  productFromCpuid,
  REPORT_SIZE,
  verifyReportSignature,
} from "../lib/snp/report.ts";
import { decodePolicy, describePolicy } from "../lib/snp/policy.ts";
import { parsePublicKeyPem } from "../lib/snp/keys.ts";
import type { P384PublicKey } from "../lib/snp/public_key.ts";
import { IgvmToolError, ReportError } from "../lib/errors.ts";

const vector = (path: string) =>
  Deno.readFileSync(new URL(`../testdata/vectors/${path}`, import.meta.url));
const zeros = (n: number) => "00".repeat(n);

/** The VCEK's public key, via node:crypto's certificate parser and our SPKI reader. */
function vcekKey(path: string): P384PublicKey {
  const cert = new X509Certificate(vector(path));
  const spki = cert.publicKey.export({ type: "spki", format: "pem" }) as string;
  return parsePublicKeyPem(spki);
}

interface Expected {
  file: string;
  vcek: string;
  version: number;
  guestSvn: number;
  policy: bigint;
  familyId: string;
  imageId: string;
  currentTcb: string;
  tcb: { fmc?: number; bootLoader: number; tee: number; snp: number; microcode: number };
  platformInfo: bigint;
  reportData: string;
  measurement: string;
  hostData: string;
  idKeyDigest: string;
  reportId: string;
  cpuid?: [number, number, number];
  chipId: string;
  current: [number, number, number];
  mit?: [bigint, bigint];
  product: string;
  /** SIGNATURE R as stored (little-endian), without the 24 zero bytes. */
  sigR: string;
  /** SIGNATURE S as stored (little-endian), without the 24 zero bytes. */
  sigS: string;
}

const milanGenoaMeasurement =
  "5feee30d6d7e1a29f403d70a4198237ddfb13051a2d6976439487c609388ed7f98189887920ab2fa0096903a0c23fca1";
const milanGenoaIdKeyDigest =
  "0ad79ceb0b648b0e6a90d8aa9f6ea24c33a968b6632085353145e8b19a4741a2dab9ba342e13be4fc0d225e889cc1a58";
const milanGenoaHostData = "4f4448c67f3c8dfc8de8a5e37125d807dadcc41f06cf23f615dbd52eec777d10";

const reports: Expected[] = [
  {
    file: "go-sev-guest/attestation.bin",
    vcek: "go-sev-guest/vcek.der",
    version: 2,
    guestSvn: 0,
    policy: 0xb0000n,
    familyId: zeros(16),
    imageId: zeros(16),
    currentTcb: "0200000000000544",
    tcb: { bootLoader: 2, tee: 0, snp: 5, microcode: 68 },
    platformInfo: 1n,
    reportData: "0102030405" + zeros(59),
    measurement:
      "b07af9620f3b839b47996422ddec6058338951d984e312115131ea82705eaf5b6bdf8a9ece31a5a608eb0cf2e4872b01",
    hostData: zeros(32),
    idKeyDigest: zeros(48),
    reportId: "8edc638e1857c555d21f6b11bda3c8b1b5a09dba4852b4c8ee7aa2f16f22cc0a",
    chipId: "3ac3fe21e13fb0990eb28a802e3fb6a29483a6b0753590c951bdd3b8e5378618" +
      "4ca39e359669a2b76a1936776b564ea464cdce40c05f63c9b610c5068b006b5d",
    current: [3, 49, 1],
    product: "unknown",
    sigR:
      "4f8e8b5ab8f8f969ca4f27b6bba65faa5313ae72f66b893874bce5d62d3b08babb321ac2c990a5d24b50a232999cc821",
    sigS:
      "e689246ba09566b6b6f91c3004a15f8f34bd65020b7e16f447f876428bd7e90adb2c157fc9311becf6119498555d10e0",
  },
  {
    file: "virtee-sev/report_milan.bin",
    vcek: "virtee-sev/vcek_milan.der",
    version: 2,
    guestSvn: 0,
    policy: 0x30000n,
    familyId: zeros(16),
    imageId: zeros(16),
    currentTcb: "0300000000000873",
    tcb: { bootLoader: 3, tee: 0, snp: 8, microcode: 115 },
    platformInfo: 1n,
    reportData: "d447b55d197491bfe15cf298f9de9986b7a7c4be2468b4f6e2d53b71d7c64581" +
      "0b0f2cdfca0040433be063fc1a8293f0f3f8dae7b79fecb3d1cd82bd6a93ebfd",
    measurement:
      "7a1e5c266c0108dbc9bb94fa926951320940915d0aafb42464bd88b579ea158d3e1a0dc39b2c60bd95b9c480cd81841f",
    hostData: zeros(32),
    idKeyDigest: zeros(48),
    reportId: "92b3b47d59f0a2a10a74c5678868a80238cf593c01a82f3cffb878e904c28d5b",
    chipId: "d49554ec717f4e5b0fe6b143bcf0405bd7ae304727edf46603f2a76aef6a3abc" +
      "15d7af38db757039029f0efacfd08e244324884738c72b082e2f87a44d541eb6",
    current: [4, 52, 1],
    product: "unknown",
    sigR:
      "61ab4f11aa661997625f233df42a4ad54440eeb7a96ea63de170cbc29c37c005cb54054881ec7d2bee569b02d07f8272",
    sigS:
      "209d7eb9be919a1d0baf1d57fe6ebfeabbc53b778c6e977e40b15ca931bb6d44c5ab9e30cfdc7346cb41ac083b90bf49",
  },
  {
    file: "tee-attestation-verification/milan_attestation_report.bin",
    vcek: "tee-attestation-verification/milan_vcek.pem",
    version: 3,
    guestSvn: 2,
    policy: 0x3001fn,
    familyId: "01" + zeros(15),
    imageId: "02" + zeros(15),
    currentTcb: "04000000000018db",
    tcb: { bootLoader: 4, tee: 0, snp: 24, microcode: 219 },
    platformInfo: 0x25n,
    reportData: zeros(64),
    measurement: milanGenoaMeasurement,
    hostData: milanGenoaHostData,
    idKeyDigest: milanGenoaIdKeyDigest,
    reportId: "5e01036273418d910bdca3f5cb9c7d849e88e2141483eb6cc9afd794ffbbbcbc",
    cpuid: [0x19, 0x1, 0x1],
    chipId: "4ffb5cb4fd594f3fee6528fc3fb10370bb38abe89dcd5ba2cf0ab6a11df2ca28" +
      "2add516bef45a890a8c9f9732bdca68f9f3f16c42e846030a800295dbeb19ba5",
    current: [29, 55, 1],
    product: "Milan",
    sigR:
      "c4c97ce68cfa7fe769a569fc55cee5ad38b238a4e1db928436a006b76e9a5885851d13c88892e5ffd93f3e1cf853f3b7",
    sigS:
      "1e739e881fffadfeab34e3fb205ff0a5d8992496d0fb390a18baa725de048253e664e519b8f38309061b4af2a3e69f53",
  },
  {
    file: "tee-attestation-verification/genoa_attestation_report.bin",
    vcek: "tee-attestation-verification/genoa_vcek.pem",
    version: 3,
    guestSvn: 2,
    policy: 0x3001fn,
    familyId: "01" + zeros(15),
    imageId: "02" + zeros(15),
    currentTcb: "0a00000000001754",
    tcb: { bootLoader: 10, tee: 0, snp: 23, microcode: 84 },
    platformInfo: 0x27n,
    reportData: zeros(64),
    measurement: milanGenoaMeasurement,
    hostData: milanGenoaHostData,
    idKeyDigest: milanGenoaIdKeyDigest,
    reportId: "c840e4fc01bec5121388abbf2e850c5b1d482adab7a4b06c4d93028c56599429",
    cpuid: [0x19, 0x11, 0x1],
    chipId: "b1e24a27bbc3a4d58090d8b89851dce3b8031544be249b9ac17132bb222b0276" +
      "22347ee4d0fe4f689efdfc47a68cefc686cbb448d01436506ee1e28010cab7c0",
    current: [40, 55, 1],
    product: "Genoa",
    sigR:
      "64e80f5b0f231b2d5e5c36ad8d347507b1faad4a28982bfea12dd6a1d36e05b4e28f4fd86fc2cf93379418327a2c4c42",
    sigS:
      "c81a42207120f35ecf3ac1b64673b080b4c27b6b3d471c17aea8d9b5cfd7f56138df672d51a141a739da89c28787c729",
  },
  {
    file: "tee-attestation-verification/turin_attestation_report.bin",
    vcek: "tee-attestation-verification/turin_vcek.pem",
    version: 5,
    guestSvn: 2,
    policy: 0x3001fn,
    familyId: "01" + zeros(15),
    imageId: "02" + zeros(15),
    currentTcb: "0101010400000051",
    tcb: { fmc: 1, bootLoader: 1, tee: 1, snp: 4, microcode: 81 },
    platformInfo: 0x65n,
    reportData: zeros(64),
    measurement:
      "6d6c354511d6f7c6d7504668903dc5bdc066a048b651840d8d03fb85299ebfa142fccf1d1b0baca496841bdf243619d4",
    hostData: "b3452a0ed30f1010bd32740dd1610bc63296ceb0f882f2cac3a3152d651fe7e4",
    idKeyDigest:
      "4068e9ae4b315aa4b33938ce0ed01a3d5d8e80eb98eab479a0558cd7de9d4d40d6d80d328d90732688a42b13a0cd6405",
    reportId: "d2f0b13e226f7c8aee44f2fd22cac739438124864fec3e3a2249901a2f4bc9a6",
    cpuid: [0x1a, 0x2, 0x1],
    chipId: "59790fb1c39f35c1" + zeros(56),
    current: [65, 55, 1],
    mit: [0x3fn, 0x3fn],
    product: "Turin",
    sigR:
      "29d46ab22f4f295fe22a63fce3fb15120afa350b1842e0daf19225627aa817f31a6f375d1de6f150d67c7e5e209f0ef6",
    sigS:
      "223f8e2870adce4d54c64a04dbea5109f3e5bc143e8498c1d07fbcb6ef2006a5be92782fed9d59291971f89b06c5cc90",
  },
];

for (const e of reports) {
  Deno.test(`report ${e.file}: every field`, () => {
    const r = parseReport(vector(e.file));
    assert.equal(r.version, e.version);
    assert.equal(r.guestSvn, e.guestSvn);
    assert.equal(r.policy, e.policy);
    assert.equal(r.familyId.toHex(), e.familyId);
    assert.equal(r.imageId.toHex(), e.imageId);
    assert.equal(r.vmpl, 0);
    assert.equal(r.signatureAlgo, 1);
    assert.equal(r.platformInfo, e.platformInfo);
    assert.equal(r.keyInfo.raw, 0);
    assert.equal(r.keyInfo.authorKeyEn, false);
    assert.equal(r.keyInfo.maskChipKey, false);
    assert.equal(r.keyInfo.signingKey, 0);
    assert.equal(r.keyInfo.signingKeyName, "VCEK");
    assert.equal(r.reportData.toHex(), e.reportData);
    assert.equal(r.measurement.toHex(), e.measurement);
    assert.equal(r.hostData.toHex(), e.hostData);
    assert.equal(r.idKeyDigest.toHex(), e.idKeyDigest);
    assert.equal(r.authorKeyDigest.toHex(), zeros(48));
    assert.equal(r.reportId.toHex(), e.reportId);
    assert.equal(r.reportIdMa.toHex(), "ff".repeat(32));
    for (const tcb of [r.currentTcb, r.reportedTcb, r.committedTcb, r.launchTcb]) {
      assert.equal(tcb.raw.toHex(), e.currentTcb);
      assert.deepEqual({ ...tcb, raw: undefined, value: undefined }, {
        ...e.tcb,
        raw: undefined,
        value: undefined,
      });
    }
    if (e.cpuid === undefined) {
      assert.equal(r.cpuidFamId, undefined);
      assert.equal(r.cpuidModId, undefined);
      assert.equal(r.cpuidStep, undefined);
    } else {
      assert.deepEqual([r.cpuidFamId, r.cpuidModId, r.cpuidStep], e.cpuid);
    }
    assert.equal(r.chipId.toHex(), e.chipId);
    assert.deepEqual([r.currentBuild, r.currentMinor, r.currentMajor], e.current);
    assert.deepEqual([r.committedBuild, r.committedMinor, r.committedMajor], e.current);
    assert.deepEqual([r.launchMitVector, r.currentMitVector], e.mit ?? [undefined, undefined]);
    assert.equal(r.product, e.product);
    assert.equal(r.tcbLayout, e.product === "Turin" ? "turin" : "milan-genoa");
    // testdata/vectors/README.md lists R and S as stored: 72-byte little-endian.
    assert.equal(r.signature.r.slice().reverse().toHex() + zeros(24), e.sigR + zeros(24));
    assert.equal(r.signature.s.slice().reverse().toHex() + zeros(24), e.sigS + zeros(24));
    assert.deepEqual(r.bytes, vector(e.file));
  });

  Deno.test(`report ${e.file}: signature verifies with the VCEK (Web Crypto)`, async () => {
    const r = parseReport(vector(e.file));
    const key = vcekKey(e.vcek);
    assert.equal(await verifyReportSignature(r, key), true);
    for (const offset of [0x15, 0x64, 0x29f]) {
      const bytes = vector(e.file);
      bytes[offset] ^= 0x80;
      assert.equal(await verifyReportSignature(parseReport(bytes), key), false);
    }
  });
}

Deno.test("report TCB values as u64 (as asserted by go-sev-guest and CCF)", () => {
  const sevGuest = parseReport(vector("go-sev-guest/attestation.bin"));
  assert.equal(sevGuest.reportedTcb.value, 4901323769462652930n);
  assert.equal(sevGuest.launchTcb.value, 0x4405000000000002n);
  const milan = parseReport(vector("tee-attestation-verification/milan_attestation_report.bin"));
  assert.equal(milan.reportedTcb.value, 0xdb18000000000004n);
  const genoa = parseReport(vector("tee-attestation-verification/genoa_attestation_report.bin"));
  assert.equal(genoa.reportedTcb.value, 0x541700000000000an);
  assert.equal(genoa.currentTcb.fmc, undefined);
});

Deno.test("a VCEK of another generation does not verify", async () => {
  const milan = parseReport(vector("tee-attestation-verification/milan_attestation_report.bin"));
  const genoaKey = vcekKey("tee-attestation-verification/genoa_vcek.pem");
  assert.equal(await verifyReportSignature(milan, genoaKey), false);
});

Deno.test("Milan and Genoa match one expected set; Turin does not", () => {
  const pick = (f: string) => {
    const r = parseReport(vector(`tee-attestation-verification/${f}_attestation_report.bin`));
    return [r.measurement, r.idKeyDigest, r.authorKeyDigest, r.familyId, r.imageId, r.guestSvn]
      .map((x) => typeof x === "number" ? String(x) : x.toHex()).concat(String(r.policy));
  };
  assert.deepEqual(pick("milan"), pick("genoa"));
  assert.notDeepEqual(pick("turin"), pick("milan"));
});

Deno.test("hex text form of a report", () => {
  const bin = vector("virtee-sev/report_milan.bin");
  const h = bin.toHex();
  const expected = parseReport(bin);
  assert.deepEqual(parseReport(h), expected);
  assert.deepEqual(parseReport("0x" + h.toUpperCase()), expected);
  const wrapped = h.match(/.{1,64}/g)!.join("\n") + "\n";
  assert.deepEqual(parseReport(wrapped), expected);
  assert.deepEqual(parseReport(new TextEncoder().encode(wrapped)), expected);
  assert.deepEqual(parseReport(h.match(/.{2}/g)!.join(" ")), expected);
});

function refuses(fn: () => unknown, re: RegExp): void {
  assert.throws(fn, (e: unknown) => {
    assert.ok(e instanceof ReportError, `expected ReportError, got ${e}`);
    assert.match(e.message, re);
    assert.ok(!e.message.includes("\n"));
    return true;
  });
}

Deno.test("report errors: size, version, non-hex text", () => {
  const bin = vector("tee-attestation-verification/turin_attestation_report.bin");
  refuses(() => parseReport(bin.subarray(0, 1000)), /is 1000 bytes, expected 1184/);
  refuses(() => parseReport(new Uint8Array(0)), /is 0 bytes, expected 1184/);
  refuses(() => parseReport(new Uint8Array(REPORT_SIZE + 1)), /is 1185 bytes/);
  for (const version of [0, 1, 4, 6]) {
    const b = bin.slice();
    b[0] = version;
    refuses(
      () => parseReport(b),
      new RegExp(`unsupported .* version ${version} \\(supported: 2, 3, 5\\)`),
    );
  }
  const h = bin.toHex();
  refuses(() => parseReport(h.slice(0, 10) + "zz" + h.slice(12)), /not hex: .*"z" at position 10/);
  refuses(() => parseReport(h.slice(2)), /has 2366 digits, expected 2368/);
  refuses(() => parseReport(h + "00"), /has 2370 digits/);
  refuses(() => parseReport(new TextEncoder().encode("hello")), /not hex/);
});

Deno.test("CPU generation from CPUID, TCB layouts", () => {
  assert.equal(productFromCpuid(0x19, 0x01), "Milan");
  assert.equal(productFromCpuid(0x19, 0x11), "Genoa");
  assert.equal(productFromCpuid(0x19, 0xa0), "Genoa");
  assert.equal(productFromCpuid(0x1a, 0x02), "Turin");
  assert.equal(productFromCpuid(0x1a, 0x50), "Venice");
  assert.equal(productFromCpuid(0x17, 0x31), "unknown");
  const raw = new Uint8Array([1, 2, 3, 4, 0, 0, 5, 6]);
  assert.deepEqual(
    { ...decodeTcb(raw, "turin"), raw: undefined },
    {
      raw: undefined,
      value: 0x0605000004030201n,
      fmc: 1,
      bootLoader: 2,
      tee: 3,
      snp: 4,
      microcode: 6,
    },
  );
  assert.deepEqual(
    { ...decodeTcb(raw, "milan-genoa"), raw: undefined },
    { raw: undefined, value: 0x0605000004030201n, bootLoader: 1, tee: 2, snp: 5, microcode: 6 },
  );
});

Deno.test("guest policy decoding", () => {
  const p = decodePolicy(0xb0000n);
  assert.equal(p.smt, true);
  assert.equal(p.reserved17, true);
  assert.equal(p.debug, true);
  assert.equal(p.migrateMa, false);
  assert.deepEqual(describePolicy(0xb0000n), ["ABI >= 0.0", "SMT", "DEBUG"]);
  assert.deepEqual(describePolicy(0x3001fn), ["ABI >= 0.31", "SMT"]);
  assert.deepEqual(describePolicy(0x30000n), ["ABI >= 0.0", "SMT"]);
  const all = decodePolicy(0x3ff0305n);
  assert.deepEqual(
    [all.abiMajor, all.abiMinor, all.smt, all.reserved17, all.migrateMa, all.debug],
    [3, 5, true, true, true, true],
  );
  assert.deepEqual(
    [all.singleSocket, all.cxlAllow, all.memAes256Xts, all.raplDis],
    [true, true, true, true],
  );
  assert.deepEqual([all.ciphertextHiding, all.pageSwapDisable, all.reservedHigh], [true, true, 0n]);
  assert.deepEqual(describePolicy(0x3ff0305n), [
    "ABI >= 3.5",
    "SMT",
    "MIGRATE_MA",
    "DEBUG",
    "SINGLE_SOCKET",
    "CXL_ALLOW",
    "MEM_AES_256_XTS",
    "RAPL_DIS",
    "CIPHERTEXT_HIDING",
    "PAGE_SWAP_DISABLE",
  ]);
  assert.deepEqual(describePolicy(0x4000000n | 0x10000n), [
    "ABI >= 0.0",
    "SMT",
    "reserved bit 17 is 0 (must be 1)",
    "reserved bits set: 0x4000000 (must be 0)",
  ]);
  // Policies from the vector reports.
  assert.equal(
    decodePolicy(parseReport(vector("go-sev-guest/attestation.bin")).policy).debug,
    true,
  );
  assert.throws(() => decodePolicy(-1n), IgvmToolError);
});
