/**
 * Hostile key files, signatures and attestation reports: empty, binary,
 * enormous, truncated, wrong PEM labels and seeded random mutations of valid
 * PEM, DER and report bytes. Every input must give a result or a typed error
 * with a one-line message.
 *
 * `IGVM_FUZZ_SEED` fixes the seed, `IGVM_FUZZ_COUNT` scales the mutant count.
 *
 * @module
 */

import { parsePrivateKeyPem, parsePublicKeyPem } from "../../lib/snp/keys.ts";
import { parseReport } from "../../lib/snp/report.ts";
import { decodeIdAuthInfo } from "../../lib/snp/id_auth.ts";
import { publicKeyFromIgvm, publicKeyFromSnp } from "../../lib/snp/public_key.ts";
import {
  decodeIgvmSignature,
  decodeSnpSignature,
  parseDerSignature,
} from "../../lib/snp/signature.ts";
import { assertOk } from "../assert.ts";
import { envInt, errorProblem, mutantSeed, Rng } from "../fuzz_helpers.ts";

const SEED = envInt("IGVM_FUZZ_SEED", 0x5eed4b3f);
const COUNT = Math.max(200, Math.floor(envInt("IGVM_FUZZ_COUNT", 3000) / 3));

const vector = (path: string) =>
  Deno.readFileSync(new URL(`../../testdata/vectors/${path}`, import.meta.url));
const conformanceKey = (name: string) =>
  Deno.readFileSync(new URL(`../../testdata/conformance/keys/${name}`, import.meta.url));
const text = (b: Uint8Array) => new TextDecoder().decode(b);
const bytes = (s: string) => new TextEncoder().encode(s);

function check(label: string, problems: string[], fn: () => unknown): void {
  try {
    fn();
  } catch (e) {
    const p = errorProblem(e);
    if (p) problems.push(`${label}: ${p}`);
  }
}

/** Valid PEM keys to mutate: private (SEC1, with EC PARAMETERS) and certificates. */
const PRIVATE_PEMS = [
  conformanceKey("id_key.pem"),
  conformanceKey("author_key.pem"),
  vector("sev-snp-measure/id_key_test.pem"),
  vector("virtee-sev/test_id_key.pem"),
];
const OTHER_PEMS = [vector("tee-attestation-verification/milan_vcek.pem")];
const DERS = [vector("go-sev-guest/vcek.der"), vector("virtee-sev/vcek_milan.der")];
const REPORTS = [
  vector("go-sev-guest/attestation.bin"),
  vector("tee-attestation-verification/genoa_attestation_report.bin"),
  vector("tee-attestation-verification/milan_attestation_report.bin"),
  vector("tee-attestation-verification/turin_attestation_report.bin"),
  vector("virtee-sev/report_milan.bin"),
];

// SPKI and PKCS#8 forms of the private keys, built with node:crypto (deterministic).
const nodeCrypto = await import("node:crypto");
const PUBLIC_PEMS = PRIVATE_PEMS.map((p) =>
  bytes(nodeCrypto.createPublicKey(text(p)).export({ type: "spki", format: "pem" }) as string)
);
const PKCS8 = PRIVATE_PEMS.map((p) =>
  bytes(nodeCrypto.createPrivateKey(text(p)).export({ type: "pkcs8", format: "pem" }) as string)
);

const LABELS = [
  "EC PRIVATE KEY",
  "PRIVATE KEY",
  "PUBLIC KEY",
  "RSA PRIVATE KEY",
  "RSA PUBLIC KEY",
  "ENCRYPTED PRIVATE KEY",
  "CERTIFICATE",
  "X509 CRL",
  "EC PARAMETERS",
  "OPENSSH PRIVATE KEY",
  "DSA PRIVATE KEY",
  "FOO",
  "",
];

function mutatePem(pem: Uint8Array, r: Rng): Uint8Array | string {
  const s = text(pem);
  switch (r.int(9)) {
    case 0: { // truncate at a random point or a line boundary
      const lines = [...s.matchAll(/\n/g)].map((m) => m.index! + 1);
      return s.slice(0, r.chance(0.5) && lines.length ? r.pick(lines) : r.int(s.length));
    }
    case 1: { // change the label (both lines, or only one)
      const label = r.pick(LABELS);
      return r.chance(0.7)
        ? s.replace(/-----(BEGIN|END) [A-Z0-9 ]+-----/g, `-----$1 ${label}-----`)
        : s.replace(/-----BEGIN [A-Z0-9 ]+-----/, `-----BEGIN ${label}-----`);
    }
    case 2: { // flip base64 characters in the body
      const chars = [...s];
      const n = 1 + r.int(6);
      for (let k = 0; k < n; k++) {
        const i = 31 + r.int(Math.max(1, chars.length - 60));
        if (chars[i] !== "\n" && chars[i] !== "-") {
          chars[i] = r.pick([
            ..."ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/=!*é\0 -",
          ]);
        }
      }
      return chars.join("");
    }
    case 3: { // re-encode with mutated DER bytes
      const m = /-----BEGIN ([A-Z0-9 ]+)-----\r?\n([\s\S]*?)-----END/.exec(s);
      if (!m) return s;
      let raw: string;
      try {
        raw = atob(m[2].replace(/\s/g, ""));
      } catch {
        return s; // an earlier mutation broke the base64
      }
      const der = Uint8Array.from(raw, (c) => c.charCodeAt(0));
      const n = 1 + r.int(4);
      for (let k = 0; k < n; k++) {
        const i = r.int(der.length);
        if (r.chance(0.5)) der[i] ^= 1 << r.int(8);
        else der[i] = r.pick([0, 0x80, 0x81, 0x82, 0xff, 0x30, 0x02, 0x04, 0x06, r.int(256)]);
      }
      const cut = r.chance(0.2) ? der.subarray(0, r.int(der.length)) : der;
      let b64 = "";
      for (const x of cut) b64 += String.fromCharCode(x);
      b64 = btoa(b64).replace(/.{64}/g, "$&\n");
      return `-----BEGIN ${m[1]}-----\n${b64}\n-----END ${m[1]}-----\n`;
    }
    case 4: // CRLF line ends, headers, encrypted marker
      return r.chance(0.5)
        ? s.replace(/\n/g, "\r\n")
        : s.replace(/-----\n/, "-----\nProc-Type: 4,ENCRYPTED\nDEK-Info: AES-128-CBC,00\n\n");
    case 5: // two blocks
      return s + text(r.pick([...PRIVATE_PEMS, ...PUBLIC_PEMS]));
    case 6: { // binary garbage around it
      const junk = new Uint8Array(1 + r.int(64));
      for (let i = 0; i < junk.length; i++) junk[i] = r.int(256);
      const out = new Uint8Array(pem.length + junk.length);
      const junkFirst = r.chance(0.5);
      out.set(junkFirst ? junk : pem);
      out.set(junkFirst ? pem : junk, junkFirst ? junk.length : pem.length);
      return out;
    }
    case 7: // delete a line
      return s.split("\n").filter((_, i) => i !== 1 + r.int(5)).join("\n");
    default: { // random byte flips in the raw text
      const out = pem.slice();
      const n = 1 + r.int(8);
      for (let k = 0; k < n; k++) out[r.int(out.length)] ^= 1 << r.int(8);
      return out;
    }
  }
}

function keyProblems(input: string | Uint8Array): string[] {
  const problems: string[] = [];
  check("parsePrivateKeyPem", problems, () => parsePrivateKeyPem(input));
  check("parsePublicKeyPem", problems, () => parsePublicKeyPem(input));
  return problems;
}

function fixedKeyInputs(): Array<[string, string | Uint8Array]> {
  const beginFlood = "-----BEGIN EC PRIVATE KEY-----\n".repeat(2_000_000); // ~60 MB
  return [
    ["empty string", ""],
    ["empty bytes", new Uint8Array(0)],
    ["whitespace", " \n\t\r\n"],
    ["binary", Uint8Array.from({ length: 300 }, (_, i) => (i * 37) & 0xff)],
    ["der", DERS[0]],
    ["50 MB of A (string)", "A".repeat(50 * 1024 * 1024)],
    ["50 MB of A (bytes)", new Uint8Array(50 * 1024 * 1024).fill(0x41)],
    ["60 MB of BEGIN lines", beginFlood],
    ["BEGIN without END", "-----BEGIN EC PRIVATE KEY-----\nAAAA\n"],
    [
      "EC PARAMETERS only",
      "-----BEGIN EC PARAMETERS-----\nBgUrgQQAIg==\n-----END EC PARAMETERS-----\n",
    ],
    ["empty body", "-----BEGIN PRIVATE KEY-----\n-----END PRIVATE KEY-----\n"],
    ["bad base64", "-----BEGIN PUBLIC KEY-----\n!!!!\n-----END PUBLIC KEY-----\n"],
    ["certificate", OTHER_PEMS[0]],
    ["lone surrogate", "-----BEGIN PUBLIC KEY-----\n\ud800\n-----END PUBLIC KEY-----\n"],
    ...LABELS.map((l): [string, string] => [
      `label ${l}`,
      text(PRIVATE_PEMS[0]).replace(/EC PRIVATE KEY/g, l),
    ]),
  ];
}

Deno.test("fuzz inputs: fixed hostile key files give typed one-line errors", () => {
  const problems: string[] = [];
  for (const [name, input] of fixedKeyInputs()) {
    for (const p of keyProblems(input)) problems.push(`${name}: ${p}`);
  }
  assertOk(problems.length === 0, problems.join("\n"));
});

Deno.test(`fuzz inputs: ${COUNT} mutated PEM keys (seed 0x${SEED.toString(16)})`, () => {
  const failures: string[] = [];
  const bases = [...PRIVATE_PEMS, ...PUBLIC_PEMS, ...PKCS8, ...OTHER_PEMS];
  for (let i = 0; i < COUNT && failures.length < 20; i++) {
    const r = new Rng(mutantSeed(SEED, i));
    let input: string | Uint8Array = r.pick(bases);
    const n = 1 + r.int(2);
    for (let k = 0; k < n; k++) {
      input = mutatePem(typeof input === "string" ? bytes(input) : input, r);
    }
    const problems = keyProblems(input);
    if (problems.length) {
      failures.push(
        `key mutant ${i} (IGVM_FUZZ_SEED=${SEED}): ${
          JSON.stringify(String(input).slice(0, 200))
        }\n  ` +
          problems.join("\n  "),
      );
    }
  }
  assertOk(failures.length === 0, failures.join("\n"));
});

function reportProblems(input: string | Uint8Array): string[] {
  const problems: string[] = [];
  check("parseReport", problems, () => parseReport(input));
  return problems;
}

function mutateReport(base: Uint8Array, r: Rng): string | Uint8Array {
  const b = base.slice();
  switch (r.int(7)) {
    case 0:
      return b.subarray(0, r.int(b.length));
    case 1: {
      const out = new Uint8Array(b.length + 1 + r.int(64));
      out.set(b);
      return out;
    }
    case 2: { // version and key fields
      const v = new DataView(b.buffer);
      v.setUint32(
        r.pick([0, 0x34, 0x48]),
        r.pick([0, 1, 2, 3, 4, 5, 6, 0xffffffff, r.u32()]),
        true,
      );
      return b;
    }
    case 3: { // CPUID / chip id / signature bytes
      const at = r.pick([
        0x188,
        0x189,
        0x18a,
        0x1a0,
        0x1a8,
        0x2a0,
        0x2a0 + 47,
        0x2a0 + 48,
        0x2a0 + 72,
        0x2a0 + 120,
        0x49f,
      ]);
      b[at] = r.pick([0, 0xff, 0x19, 0x1a, 0x11, 0xa0, r.int(256)]);
      if (r.chance(0.5)) b.fill(0xff, 0x2a0 + 48, 0x2a0 + 72);
      return b;
    }
    case 4: { // hex text, mutated
      let hex = b.toHex();
      if (r.chance(0.3)) hex = "0x" + hex.toUpperCase();
      if (r.chance(0.3)) hex = hex.replace(/.{64}/g, "$&\n");
      const i = r.int(hex.length);
      const c = r.pick(["g", " ", "\n", "", "0", "00", "\0", "é", "-"]);
      hex = hex.slice(0, i) + c + hex.slice(i + (r.chance(0.5) ? 1 : 0));
      return r.chance(0.5) ? hex : bytes(hex);
    }
    case 5: {
      for (let k = 0; k < 1 + r.int(16); k++) b[r.int(b.length)] ^= 1 << r.int(8);
      return b;
    }
    default: {
      const out = new Uint8Array(r.pick([0, 1, 0x2a0, 0x49f, 0x4a0, 0x4a1, 2368, 4096]));
      for (let i = 0; i < out.length; i++) out[i] = r.chance(0.5) ? 0x30 + r.int(10) : r.int(256);
      return out;
    }
  }
}

Deno.test("fuzz inputs: fixed hostile attestation reports give typed one-line errors", () => {
  const problems: string[] = [];
  const inputs: Array<[string, string | Uint8Array]> = [
    ["empty", new Uint8Array(0)],
    ["empty string", ""],
    ["50 MB of A", new Uint8Array(50 * 1024 * 1024).fill(0x41)],
    ["50 MB of A (string)", "A".repeat(50 * 1024 * 1024)],
    ["50 MB of hex digits", "0".repeat(50 * 1024 * 1024)],
    ["all ones", new Uint8Array(0x4a0).fill(0xff)],
    ["zeros", new Uint8Array(0x4a0)],
    ["pem", PRIVATE_PEMS[0]],
    ["der", DERS[0]],
  ];
  for (const [name, input] of inputs) {
    for (const p of reportProblems(input)) problems.push(`${name}: ${p}`);
  }
  assertOk(problems.length === 0, problems.join("\n"));
});

Deno.test(`fuzz inputs: ${COUNT} mutated attestation reports (seed 0x${SEED.toString(16)})`, () => {
  const failures: string[] = [];
  for (let i = 0; i < COUNT && failures.length < 20; i++) {
    const r = new Rng(mutantSeed(SEED ^ 0x1234, i));
    const input = mutateReport(r.pick(REPORTS), r);
    const problems = reportProblems(input);
    if (problems.length) {
      failures.push(`report mutant ${i} (IGVM_FUZZ_SEED=${SEED}): ${problems.join("; ")}`);
    }
  }
  assertOk(failures.length === 0, failures.join("\n"));
});

Deno.test(`fuzz inputs: ${COUNT} mutated signatures, public keys and ID auth blocks`, () => {
  const failures: string[] = [];
  const idAuth = vector("virtee-sev/test_auth_block.bin");
  const sig = vector("virtee-sev/test_id_sig.bin");
  for (let i = 0; i < COUNT && failures.length < 20; i++) {
    const r = new Rng(mutantSeed(SEED ^ 0x5678, i));
    const base = r.pick([idAuth, sig, REPORTS[0].subarray(0x2a0), idAuth.subarray(0, 0x200)]);
    let b = base.slice(0, r.chance(0.2) ? r.int(base.length + 1) : base.length);
    for (let k = 0; k < r.int(8); k++) if (b.length) b[r.int(b.length)] = r.int(256);
    if (r.chance(0.1)) b = new Uint8Array(r.pick([0, 8, 72, 144, 152, 0x404, 0x1000]));
    const problems: string[] = [];
    check("decodeIdAuthInfo", problems, () => decodeIdAuthInfo(b));
    check("decodeSnpSignature", problems, () => decodeSnpSignature(b));
    check("decodeIgvmSignature", problems, () => decodeIgvmSignature(b));
    check("parseDerSignature", problems, () => parseDerSignature(b));
    check("publicKeyFromSnp", problems, () => publicKeyFromSnp(b));
    check("publicKeyFromIgvm", problems, () => publicKeyFromIgvm(b));
    if (problems.length) {
      failures.push(`blob mutant ${i}: ${b.toHex().slice(0, 200)}\n  ${problems.join("\n  ")}`);
    }
  }
  assertOk(failures.length === 0, failures.join("\n"));
});
