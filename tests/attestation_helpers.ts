/**
 * Shared pieces of the attestation tests: the real reports and VCEKs (files
 * in testdata/vectors/, copied byte for byte from ../shared/vectors/; their
 * sources, licences and the values other projects assert for them are in
 * testdata/vectors/README.md sections 1 and 5), a PKI generated in the test
 * (RSA-PSS ARK and ASK/ASVK, ECDSA P-384 VCEK/VLEK) and reports signed by it,
 * and CLI runners.
 *
 * Layouts here are written from the SEV-SNP ABI spec and AMD's VCEK
 * specification (as summarised in testdata/vectors/README.md), not taken
 * from lib/, so the tests do not check the code against itself.
 */

import { runCli } from "../lib/cli/run.ts";
import { assertEquals, assertMatch, assertOk } from "./assert.ts";
import {
  type AttestationOptions,
  type AttestationResult,
  verifyAttestation,
} from "../lib/verify/attestation/mod.ts";
import {
  amdName,
  basicConstraints,
  certificate,
  extension,
  ia5,
  int,
  keyUsage,
} from "./der_writer.ts";

/** The verification time of the tests: every real VCEK is valid then. */
export const AT = new Date("2026-06-01T00:00:00Z");
/** `--at` for {@link AT}. */
export const AT_ARG = "2026-06-01T00:00:00Z";

/** testdata/vectors/ as a path. */
export const VECTORS = new URL("../testdata/vectors/", import.meta.url).pathname;

/** A real report, its VCEK, and values asserted for them elsewhere (README sections 1 and 5). */
export interface RealCase {
  readonly name: string;
  readonly report: string;
  readonly vcek: string;
  readonly product: string;
  /** The KDS VCEK URL path asserted by go-sev-guest / CCF (go-sev-guest's v2 report: with --product). */
  readonly kdsPath: string;
  readonly version: number;
}

const TAV = "tee-attestation-verification/";

/** The five real reports of testdata/vectors/ (section 1). */
/**
 * Every check's name, in the order reported: the names (report-signature, cert-chain,
 * chip-id, tcb, revocation, debug, …), written out here rather than taken from the library.
 */
export const CHECK_ORDER: readonly string[] = [
  "report-signature",
  "cert-chain",
  "validity",
  "signing-key",
  "product",
  "chip-id",
  "tcb",
  "revocation",
  "debug",
  "min-tcb",
  "vmpl",
  "report-data",
  "host-data",
];

export const REAL: readonly RealCase[] = [
  {
    name: "Milan v3 (TEE-Attestation-Verification)",
    report: VECTORS + TAV + "milan_attestation_report.bin",
    vcek: VECTORS + TAV + "milan_vcek.pem",
    product: "Milan",
    kdsPath:
      "/vcek/v1/Milan/4ffb5cb4fd594f3fee6528fc3fb10370bb38abe89dcd5ba2cf0ab6a11df2ca282add516bef45a890a8c9f9732bdca68f9f3f16c42e846030a800295dbeb19ba5?blSPL=4&teeSPL=0&snpSPL=24&ucodeSPL=219",
    version: 3,
  },
  {
    name: "Genoa v3 (TEE-Attestation-Verification)",
    report: VECTORS + TAV + "genoa_attestation_report.bin",
    vcek: VECTORS + TAV + "genoa_vcek.pem",
    product: "Genoa",
    kdsPath:
      "/vcek/v1/Genoa/b1e24a27bbc3a4d58090d8b89851dce3b8031544be249b9ac17132bb222b027622347ee4d0fe4f689efdfc47a68cefc686cbb448d01436506ee1e28010cab7c0?blSPL=10&teeSPL=0&snpSPL=23&ucodeSPL=84",
    version: 3,
  },
  {
    name: "Turin v5 (TEE-Attestation-Verification)",
    report: VECTORS + TAV + "turin_attestation_report.bin",
    vcek: VECTORS + TAV + "turin_vcek.pem",
    product: "Turin",
    kdsPath: "/vcek/v1/Turin/59790fb1c39f35c1?fmcSPL=1&blSPL=1&teeSPL=1&snpSPL=4&ucodeSPL=81",
    version: 5,
  },
  {
    name: "Milan v2 (go-sev-guest)",
    report: VECTORS + "go-sev-guest/attestation.bin",
    vcek: VECTORS + "go-sev-guest/vcek.der",
    product: "Milan",
    kdsPath:
      "/vcek/v1/Milan/3ac3fe21e13fb0990eb28a802e3fb6a29483a6b0753590c951bdd3b8e53786184ca39e359669a2b76a1936776b564ea464cdce40c05f63c9b610c5068b006b5d?blSPL=2&teeSPL=0&snpSPL=5&ucodeSPL=68",
    version: 2,
  },
  {
    name: "Milan v2 (virtee/sev)",
    report: VECTORS + "virtee-sev/report_milan.bin",
    vcek: VECTORS + "virtee-sev/vcek_milan.der",
    product: "Milan",
    kdsPath:
      "/vcek/v1/Milan/d49554ec717f4e5b0fe6b143bcf0405bd7ae304727edf46603f2a76aef6a3abc15d7af38db757039029f0efacfd08e244324884738c72b082e2f87a44d541eb6?blSPL=3&teeSPL=0&snpSPL=8&ucodeSPL=115",
    version: 2,
  },
];

/** The AMD chain files (intermediate then root) of testdata/vectors/amd. */
export const AMD_CHAIN: Readonly<Record<string, string>> = {
  Milan: VECTORS + "amd/ask_ark_milan.pem",
  Genoa: VECTORS + "amd/ask_ark_genoa.pem",
  Turin: VECTORS + "amd/ask_ark_turin_vcek.pem",
};

/** The keys of the generated PKI (made once per test process). */
export interface TestKeys {
  readonly ark: CryptoKeyPair;
  readonly ask: CryptoKeyPair;
  readonly leaf: CryptoKeyPair;
  /** Another RSA key, for forgeries. */
  readonly other: CryptoKeyPair;
}

let keys: Promise<TestKeys> | undefined;

function rsa(): Promise<CryptoKeyPair> {
  return crypto.subtle.generateKey(
    {
      name: "RSA-PSS",
      modulusLength: 2048,
      publicExponent: Uint8Array.of(1, 0, 1),
      hash: "SHA-384",
    },
    true,
    ["sign", "verify"],
  );
}

/** RSA-PSS 2048 keys for ARK, ASK and a forger, and an ECDSA P-384 leaf key. */
export function testKeys(): Promise<TestKeys> {
  keys ??= (async () => {
    const [ark, ask, other] = await Promise.all([rsa(), rsa(), rsa()]);
    const leaf = await crypto.subtle.generateKey({ name: "ECDSA", namedCurve: "P-384" }, true, [
      "sign",
      "verify",
    ]);
    return { ark, ask, leaf, other };
  })();
  return keys;
}

/** SubjectPublicKeyInfo DER of a key. */
export async function spki(key: CryptoKey): Promise<Uint8Array> {
  return new Uint8Array(await crypto.subtle.exportKey("spki", key));
}

/**
 * TCB byte → AMD SPL extension arc (1.3.6.1.4.1.3704.1.3.<arc>), per
 * testdata/vectors/README.md section 5: Milan/Genoa bytes 0 bl(1), 1 tee(2),
 * 2..5 reserved (4..7), 6 snp(3), 7 ucode(8); Turin 0 fmc(9), 1 bl(1),
 * 2 tee(2), 3 snp(3), 4..6 reserved (5..7), 7 ucode(8).
 */
export const SPL_ARCS: Readonly<Record<"milan" | "turin", readonly number[]>> = {
  milan: [1, 2, 4, 5, 6, 7, 3, 8],
  turin: [9, 1, 2, 3, 5, 6, 7, 8],
};

const AMD = "1.3.6.1.4.1.3704.1";

/** What the generated chain and its leaf look like. */
export interface PkiSpec {
  readonly product?: string;
  readonly kind?: "VCEK" | "VLEK";
  readonly chipId?: Uint8Array;
  readonly tcb?: Uint8Array;
  readonly productName?: string;
  readonly leafNotBefore?: Date;
  readonly leafNotAfter?: Date;
  /** Replaces the leaf's AMD extensions. */
  readonly leafExtensions?: readonly Uint8Array[];
  /** Replaces the leaf's public key. */
  readonly leafSpki?: Uint8Array;
  readonly askSerial?: bigint;
  /** keyUsage bits of the ASK (default 5, keyCertSign, as AMD's ASKs). */
  readonly askKeyUsage?: readonly number[];
}

/** A generated ARK → ASK/ASVK → VCEK/VLEK chain (DER). */
export interface TestPki {
  readonly ark: Uint8Array;
  readonly ask: Uint8Array;
  readonly leaf: Uint8Array;
  readonly keys: TestKeys;
  readonly askSerial: bigint;
}

/** The default chip ID and TCB of generated reports. */
export const TEST_CHIP = Uint8Array.from({ length: 64 }, (_, i) => (i * 7 + 3) & 0xff);
/** Milan layout: bl 3, tee 0, snp 8, ucode 115. */
export const TEST_TCB = Uint8Array.from([3, 0, 0, 0, 0, 0, 8, 115]);

/** The AMD extensions a KDS VCEK/VLEK would carry for `spec`. */
export function leafExtensions(spec: PkiSpec): Uint8Array[] {
  const product = spec.product ?? "Milan";
  const turin = product === "Turin";
  const tcb = spec.tcb ?? TEST_TCB;
  const arcs = turin ? SPL_ARCS.turin : SPL_ARCS.milan;
  const out = [
    extension(`${AMD}.1`, int(turin ? 1 : 0)),
    extension(`${AMD}.2`, ia5(spec.productName ?? (product === "Milan" ? "Milan-B0" : product))),
    ...arcs.map((arc, byte) => extension(`${AMD}.3.${arc}`, int(tcb[byte]))),
  ];
  if ((spec.kind ?? "VCEK") === "VCEK") {
    out.push(extension(`${AMD}.4`, (spec.chipId ?? TEST_CHIP).subarray(0, turin ? 8 : 64)));
  } else {
    out.push(extension(`${AMD}.5`, ia5("test-cloud")));
  }
  return out;
}

/** Builds a chain with the test keys (valid 2025..2030 unless told otherwise). */
export async function testPki(spec: PkiSpec = {}): Promise<TestPki> {
  const k = await testKeys();
  const product = spec.product ?? "Milan";
  const vlek = spec.kind === "VLEK";
  const arkName = amdName(`ARK-${product}`);
  const askName = amdName(vlek ? `SEV-VLEK-${product}` : `SEV-${product}`);
  const from = new Date("2025-01-01T00:00:00Z");
  const to = new Date("2045-01-01T00:00:00Z");
  const askSerial = spec.askSerial ?? 0x010001n;
  const ark = await certificate({
    serial: 0x010000n,
    issuer: arkName,
    subject: arkName,
    notBefore: from,
    notAfter: to,
    spki: await spki(k.ark.publicKey),
    extensions: [keyUsage(5, 6), basicConstraints(true)],
    signer: k.ark.privateKey,
  });
  const ask = await certificate({
    serial: askSerial,
    issuer: arkName,
    subject: askName,
    notBefore: from,
    notAfter: to,
    spki: await spki(k.ask.publicKey),
    extensions: [basicConstraints(true), keyUsage(...(spec.askKeyUsage ?? [5]))],
    signer: k.ark.privateKey,
  });
  const leaf = await certificate({
    serial: 0n,
    issuer: askName,
    subject: amdName(vlek ? "SEV-VLEK" : "SEV-VCEK"),
    notBefore: spec.leafNotBefore ?? from,
    notAfter: spec.leafNotAfter ?? new Date("2030-01-01T00:00:00Z"),
    spki: spec.leafSpki ?? await spki(k.leaf.publicKey),
    extensions: spec.leafExtensions ?? leafExtensions(spec),
    signer: k.ask.privateKey,
  });
  return { ark, ask, leaf, keys: k, askSerial };
}

/** Report fields for {@link makeReport} (offsets: testdata/vectors/README.md "Conventions"). */
export interface ReportSpec {
  readonly version?: number;
  readonly policy?: bigint;
  readonly vmpl?: number;
  readonly signatureAlgo?: number;
  readonly keyInfo?: number;
  readonly reportData?: Uint8Array;
  readonly hostData?: Uint8Array;
  readonly chipId?: Uint8Array;
  readonly tcb?: Uint8Array;
  /** CPUID family, model, stepping (v3+); default Milan 0x19/0x01/0x01. */
  readonly cpuid?: readonly [number, number, number];
}

/** A 1184-byte report with `spec`'s fields, signed by `key` (ECDSA P-384 SHA-384, R/S 72-byte LE). */
export async function makeReport(spec: ReportSpec, key: CryptoKey): Promise<Uint8Array> {
  const r = new Uint8Array(0x4a0);
  const v = new DataView(r.buffer);
  const version = spec.version ?? 3;
  const tcb = spec.tcb ?? TEST_TCB;
  v.setUint32(0x000, version, true);
  v.setBigUint64(0x008, spec.policy ?? 0x30000n, true);
  v.setUint32(0x030, spec.vmpl ?? 0, true);
  v.setUint32(0x034, spec.signatureAlgo ?? 1, true);
  for (const off of [0x038, 0x180, 0x1e0, 0x1f0]) r.set(tcb, off); // CURRENT, REPORTED, COMMITTED, LAUNCH TCB
  v.setUint32(0x048, spec.keyInfo ?? 0, true);
  if (spec.reportData) r.set(spec.reportData, 0x050);
  if (spec.hostData) r.set(spec.hostData, 0x0c0);
  if (version >= 3) r.set(spec.cpuid ?? [0x19, 0x01, 0x01], 0x188);
  r.set(spec.chipId ?? TEST_CHIP, 0x1a0);
  const sig = new Uint8Array(
    await crypto.subtle.sign({ name: "ECDSA", hash: "SHA-384" }, key, r.slice(0, 0x2a0)),
  );
  r.set(sig.slice(0, 48).reverse(), 0x2a0);
  r.set(sig.slice(48).reverse(), 0x2e8);
  return r;
}

/** The outcome of a CLI run. */
export interface CliRun {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs the CLI in this process (fast; for most CLI tests). */
export async function cli(args: readonly string[]): Promise<CliRun> {
  let stdout = "";
  let stderr = "";
  const code = await runCli(args, { stdout: (t) => (stdout += t), stderr: (t) => (stderr += t) });
  return { code, stdout, stderr };
}

/** Runs `deno run main.ts` in a child process with `permissions` (for exit codes and stack traces). */
export async function spawnCli(
  args: readonly string[],
  permissions = ["--allow-read"],
): Promise<CliRun> {
  const main = new URL("../main.ts", import.meta.url).pathname;
  const out = await new Deno.Command(Deno.execPath(), {
    args: ["run", "--quiet", ...permissions, main, ...args],
    env: { NO_COLOR: "1", RUST_BACKTRACE: "0" },
    stdout: "piped",
    stderr: "piped",
  }).output();
  const dec = new TextDecoder();
  return { code: out.code, stdout: dec.decode(out.stdout), stderr: dec.decode(out.stderr) };
}

/** Writes `files` (name → bytes) into a fresh temporary folder; returns its path. */
export async function tempFiles(
  files: Readonly<Record<string, Uint8Array | string>>,
): Promise<string> {
  const dir = await Deno.makeTempDir({ prefix: "igvmmeasure-attest-" });
  for (const [n, b] of Object.entries(files)) {
    await Deno.writeFile(`${dir}/${n}`, typeof b === "string" ? new TextEncoder().encode(b) : b);
  }
  return dir;
}

/** Runs `fn` on a fresh temporary folder holding `files` (see {@link tempFiles}), then removes it. */
export async function withTempFiles<T>(
  files: Readonly<Record<string, Uint8Array | string>>,
  fn: (dir: string) => Promise<T>,
): Promise<T> {
  const dir = await tempFiles(files);
  try {
    return await fn(dir);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

/** The non-empty lines of `s` (a run's stderr, one error a line). */
export const nonEmptyLines = (s: string): string[] => s.split("\n").filter((l) => l !== "");

/** The check `name` of `r`. */
export function check(r: AttestationResult, name: string): { status: string; detail: string } {
  const c = r.checks.find((x) => x.name === name);
  assertOk(c, `no check ${name}`);
  return c;
}

export function expectCheck(
  r: AttestationResult,
  name: string,
  status: string,
  detail?: RegExp,
): void {
  const c = check(r, name);
  assertEquals(c.status, status, `${name}: ${c.detail}`);
  if (detail) assertMatch(c.detail, detail);
}

/** Verifies a report of `report` fields against a chain of `pki` fields, trusting the test root. */
export async function run(
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
