/**
 * Shared helpers for the `tests/sign_*_test.ts` suites: running the CLI (in
 * process or as `deno run -A main.ts`), running `openssl`, temp folders, and an
 * independent verifier of signed IGVM files that uses only Web Crypto
 * (`crypto.subtle.verify`, ECDSA P-384 with SHA-384): it rebuilds the 96-byte
 * ID block and the 0x404-byte ID key structure from the parsed directive and
 * converts the IGVM little-endian fields to big-endian itself, so it does not
 * share any signing or encoding code with `lib/snp`.
 *
 * @module
 */

import assert from "node:assert/strict";
import {
  AUTHOR_KEY,
  CONFORMANCE,
  corpusFile,
  FILES,
  ID_KEY,
  outputSha256,
  runInProcess,
  SIGNED,
  withTempDir,
} from "./conformance_helpers.ts";
import { parseIgvm } from "../lib/igvm/parser.ts";
import { PlatformType } from "../lib/igvm/defs.ts";
import type { IgvmFile, SnpIdBlock } from "../lib/igvm/types.ts";

export { AUTHOR_KEY, CONFORMANCE, FILES, ID_KEY, SIGNED, withTempDir };

/** The CLI entry point, for spawned runs. */
export const MAIN = new URL("../main.ts", import.meta.url).pathname;

/**
 * Absolute path of a conformance input file: the bundled copy, else the full corpus's (a test
 * reading one outside testdata/ is defined with `corpusTest`).
 */
export function input(name: string): string {
  return (corpusFile(`files/${name}`) ?? new URL(name, FILES)).pathname;
}

/** Absolute path of a reference signed output (bundled, else the full corpus's), as `input`. */
export function reference(name: string): string {
  return (corpusFile(`signed/${name}`) ?? new URL(name, SIGNED)).pathname;
}

/**
 * Asserts `bytes` are the original's signed output `name`: its SHA-256 is the one expected.json
 * gives, and when the file is at hand, byte for byte (naming the first differing offset).
 */
export async function assertReferenceOutput(
  bytes: Uint8Array<ArrayBuffer>,
  name: string,
  what: string,
): Promise<void> {
  const url = corpusFile(`signed/${name}`);
  if (url) assertBytesEqual(bytes, Deno.readFileSync(url), what);
  const digest = new Uint8Array(await crypto.subtle.digest("SHA-256", bytes)).toHex();
  assert.equal(digest, outputSha256(name), `${what}: SHA-256 of ${name}`);
}

/** Unsigned conformance inputs that `sign` accepts (SEV-SNP with a guest policy). */
export const SIGNABLE = [
  "hyperv-snp-novtom-bldr.igvm",
  "hyperv-snp-policy.igvm",
  "hyperv-snp-vsm-policy.igvm",
  "qemu-all-policy.igvm",
  "qemu-snp-ovmf-native-policy.igvm",
  "qemu-snp-ovmf-policy.igvm",
  "qemu-snp-policy.igvm",
  "qemu-snp-sorted-features.igvm",
  "qemu-snp-tdp-ovmf-policy.igvm",
  "vanadium-snp-policy.igvm",
];

/** Already-signed conformance inputs and the unsigned files they were made from. */
export const SIGNED_INPUTS: Record<string, string> = {
  "signed-qemu-snp-policy-id.igvm": "qemu-snp-policy.igvm",
  "signed-qemu-snp-policy-id-author.igvm": "qemu-snp-policy.igvm",
  "signed-native-zero-qemu-snp-policy-id.igvm": "qemu-snp-policy.igvm",
  "signed-qemu-snp-ovmf-policy-id-author.igvm": "qemu-snp-ovmf-policy.igvm",
};

/** The result of one CLI run. */
export interface RunResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs the CLI in process with `dir` as the working directory. */
export function run(args: readonly string[], dir: string): Promise<RunResult> {
  return runInProcess(args, new URL(`file://${dir.endsWith("/") ? dir : dir + "/"}`));
}

/** Runs `deno run -A main.ts ARGS` in `dir`, as a user would. */
export async function spawnCli(args: readonly string[], dir: string): Promise<RunResult> {
  const out = await new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", "--quiet", MAIN, ...args],
    cwd: dir,
    stdout: "piped",
    stderr: "piped",
    env: { NO_COLOR: "1" },
  }).output();
  const dec = new TextDecoder();
  return { code: out.code, stdout: dec.decode(out.stdout), stderr: dec.decode(out.stderr) };
}

/** Runs `openssl ARGS` in `dir`; throws with openssl's stderr when it fails. */
export async function openssl(args: readonly string[], dir: string): Promise<Uint8Array> {
  const out = await new Deno.Command("openssl", {
    args: [...args],
    cwd: dir,
    stdout: "piped",
    stderr: "piped",
  }).output();
  if (!out.success) {
    throw new Error(`openssl ${args.join(" ")}: ${new TextDecoder().decode(out.stderr)}`);
  }
  return out.stdout;
}

/** Sorted names in `dir`. */
export function listDir(dir: string): string[] {
  return [...Deno.readDirSync(dir)].map((e) => e.name).sort();
}

/** Names of leftover temporary files of the safe writer in `dir`. */
export function strayTempFiles(dir: string): string[] {
  return listDir(dir).filter((n) => /^\.igvmmeasure-.*\.tmp$/.test(n));
}

/** Asserts two byte arrays are equal, reporting the first differing offset. */
export function assertBytesEqual(actual: Uint8Array, expected: Uint8Array, what: string): void {
  if (actual.length !== expected.length) {
    assert.fail(`${what}: length ${actual.length}, expected ${expected.length}`);
  }
  for (let i = 0; i < actual.length; i++) {
    if (actual[i] !== expected[i]) {
      assert.fail(
        `${what}: differs at offset 0x${i.toString(16)}: ` +
          `0x${actual[i].toString(16)} != 0x${expected[i].toString(16)}`,
      );
    }
  }
}

/** Asserts stderr is exactly one line `Error: <file>: <reason>` and returns the reason. */
export function assertOneErrorLine(stderr: string, file: string): string {
  const lines = stderr.split("\n");
  assert.equal(lines.length, 2, `exactly one stderr line, got ${JSON.stringify(stderr)}`);
  assert.equal(lines[1], "", "stderr ends with a newline");
  const prefix = `Error: ${file}: `;
  assert.ok(lines[0].startsWith(prefix), `stderr ${JSON.stringify(stderr)} starts with ${prefix}`);
  const reason = lines[0].slice(prefix.length);
  assert.ok(reason.trim().length > 0, "a reason follows the file name");
  assert.doesNotMatch(reason, /internal error/, "not an internal error");
  return reason;
}

// ---------------------------------------------------------------------------
// Independent verification with Web Crypto.

/** A 72-byte little-endian IGVM/SNP field as a 48-byte big-endian P-384 value. */
export function le72ToBe48(field: Uint8Array): Uint8Array<ArrayBuffer> {
  assert.equal(field.length, 72, "72-byte field");
  for (let i = 48; i < 72; i++) assert.equal(field[i], 0, `byte ${i} of a 72-byte field is zero`);
  const out = new Uint8Array(48);
  for (let i = 0; i < 48; i++) out[i] = field[47 - i];
  return out;
}

/** The SEV-SNP compatibility mask of a file (its SEV_SNP platform header). */
export function snpMask(file: IgvmFile): number {
  const p = file.platforms.find((h) => h.platformType === PlatformType.SEV_SNP);
  assert.ok(p, "file has an SEV-SNP platform header");
  return p.compatibilityMask;
}

/** The last SNP ID block directive of a file. */
export function lastIdBlock(file: IgvmFile): SnpIdBlock {
  const blocks = file.directives.filter((d): d is SnpIdBlock => d.type === "SnpIdBlock");
  assert.ok(blocks.length > 0, "file has an SnpIdBlock directive");
  return blocks[blocks.length - 1];
}

/** Number of SNP ID block directives. */
export function idBlockCount(file: IgvmFile): number {
  return file.directives.filter((d) => d.type === "SnpIdBlock").length;
}

/** The policy of the file's first guest-policy header for the SEV-SNP platform. */
export function snpPolicy(file: IgvmFile): bigint {
  const mask = snpMask(file);
  for (const h of file.initializations) {
    if (h.type === "GuestPolicy" && (h.compatibilityMask & mask) !== 0) return h.policy;
  }
  assert.fail("file has an SEV-SNP guest policy");
}

/** Rebuilds the 96-byte SEV-SNP ID block the directive's signature covers. */
export function rebuildIdBlock(d: SnpIdBlock, policy: bigint): Uint8Array<ArrayBuffer> {
  const out = new Uint8Array(96);
  const v = new DataView(out.buffer);
  assert.equal(d.ld.length, 48);
  assert.equal(d.familyId.length, 16);
  assert.equal(d.imageId.length, 16);
  out.set(d.ld, 0);
  out.set(d.familyId, 0x30);
  out.set(d.imageId, 0x40);
  v.setUint32(0x50, d.version, true);
  v.setUint32(0x54, d.guestSvn, true);
  v.setBigUint64(0x58, policy, true);
  return out;
}

/** A 152-byte IGVM public key (curve, reserved, qx, qy) as big-endian coordinates. */
export function igvmKeyCoordinates(key: Uint8Array): { x: Uint8Array; y: Uint8Array } {
  assert.equal(key.length, 152, "IGVM public key is 152 bytes");
  const v = new DataView(key.buffer, key.byteOffset, key.byteLength);
  assert.equal(v.getUint32(0, true), 2, "curve is P-384 (2)");
  assert.equal(v.getUint32(4, true), 0, "reserved is zero");
  return { x: le72ToBe48(key.subarray(8, 80)), y: le72ToBe48(key.subarray(80, 152)) };
}

/** The 0x404-byte SEV-SNP public key structure: [u32 2][qx LE 72][qy LE 72][zeros]. */
export function snpKeyStructure(key: Uint8Array): Uint8Array<ArrayBuffer> {
  const { x, y } = igvmKeyCoordinates(key);
  const out = new Uint8Array(0x404);
  new DataView(out.buffer).setUint32(0, 2, true);
  for (let i = 0; i < 48; i++) {
    out[4 + i] = x[47 - i];
    out[4 + 72 + i] = y[47 - i];
  }
  return out;
}

/** Uncompressed point 0x04 || x || y of a 152-byte IGVM public key. */
export function rawPoint(key: Uint8Array): Uint8Array<ArrayBuffer> {
  const { x, y } = igvmKeyCoordinates(key);
  const out = new Uint8Array(97);
  out[0] = 4;
  out.set(x, 1);
  out.set(y, 49);
  return out;
}

/** Verifies a 144-byte IGVM signature (r, s LE 72 each) over `message` with Web Crypto. */
export async function webCryptoVerify(
  message: Uint8Array<ArrayBuffer>,
  signature: Uint8Array,
  publicKey: Uint8Array,
): Promise<boolean> {
  assert.equal(signature.length, 144, "IGVM signature is 144 bytes");
  const rs = new Uint8Array(96);
  rs.set(le72ToBe48(signature.subarray(0, 72)), 0);
  rs.set(le72ToBe48(signature.subarray(72, 144)), 48);
  const key = await crypto.subtle.importKey(
    "raw",
    rawPoint(publicKey),
    { name: "ECDSA", namedCurve: "P-384" },
    false,
    ["verify"],
  );
  return await crypto.subtle.verify({ name: "ECDSA", hash: "SHA-384" }, key, rs, message);
}

/** What {@link verifySignedIgvm} found. */
export interface SignedInfo {
  file: IgvmFile;
  directive: SnpIdBlock;
  /** The rebuilt 96-byte ID block. */
  idBlock: Uint8Array<ArrayBuffer>;
  /** The 0x404-byte ID key structure. */
  idKeyStructure: Uint8Array<ArrayBuffer>;
  hasAuthor: boolean;
}

/**
 * Parses a signed IGVM file and checks its last ID block directive with Web
 * Crypto: the ID signature over the rebuilt ID block and, when
 * author_key_enabled, the author signature over the ID key structure. Also
 * checks the fixed fields (version 1, algorithm 1, zeroed author fields without
 * an author key).
 */
export async function verifySignedIgvm(bytes: Uint8Array): Promise<SignedInfo> {
  const file = parseIgvm(bytes);
  const d = lastIdBlock(file);
  assert.equal(d.compatibilityMask & snpMask(file), d.compatibilityMask, "SNP mask");
  assert.equal(d.version, 1, "ID block version 1");
  assert.equal(d.idKeyAlgorithm, 1, "id_key_algorithm ECDSA P-384 SHA-384");
  assert.equal(d.authorKeyAlgorithm, 1, "author_key_algorithm");
  const idBlock = rebuildIdBlock(d, snpPolicy(file));
  assert.ok(
    await webCryptoVerify(idBlock, d.idKeySignature, d.idPublicKey),
    "ID signature verifies over the ID block (Web Crypto)",
  );
  const idKeyStructure = snpKeyStructure(d.idPublicKey);
  const hasAuthor = d.authorKeyEnabled === 1;
  if (hasAuthor) {
    assert.ok(
      await webCryptoVerify(idKeyStructure, d.authorKeySignature, d.authorPublicKey),
      "author signature verifies over the ID key structure (Web Crypto)",
    );
  } else {
    assert.equal(d.authorKeyEnabled, 0, "author_key_enabled is 0 or 1");
    assert.ok(d.authorKeySignature.every((b) => b === 0), "no author signature");
    assert.ok(d.authorPublicKey.every((b) => b === 0), "no author public key");
  }
  return { file, directive: d, idBlock, idKeyStructure, hasAuthor };
}

/** The uncompressed public point (97 bytes) of a PEM private key, via the openssl CLI. */
export async function publicPointOf(pemPath: string, dir: string): Promise<Uint8Array> {
  const der = await openssl(["pkey", "-in", pemPath, "-pubout", "-outform", "DER"], dir);
  return der.slice(der.length - 97);
}

/** Runs `measure` (with `-n` when asked) on `path`; returns the result. */
export function measure(path: string, dir: string, nativeZero = false): Promise<RunResult> {
  return run([...(nativeZero ? ["-n"] : []), path, "measure", "-b"], dir);
}
