/**
 * Reads ECDSA P-384 keys from PEM files for ID block signing.
 *
 * Accepted private keys: SEC1 (`-----BEGIN EC PRIVATE KEY-----`, optionally
 * preceded by the `-----BEGIN EC PARAMETERS-----` block that
 * `openssl ecparam -genkey` writes without `-noout`) and PKCS#8
 * (`-----BEGIN PRIVATE KEY-----`). Public keys: SPKI (`-----BEGIN PUBLIC KEY-----`).
 * The key itself is decoded by the runtime's `node:crypto` (Deno, Node.js,
 * Bun); this module only picks the PEM block and explains refusals. Each
 * refusal is a `KeyError` with a one-line message saying what is wrong (the
 * caller prefixes the file name). In a browser, where `node:crypto` is
 * missing, the functions throw `KeyError`.
 *
 * @module
 */

import { KeyError } from "../errors.ts";
import { p384 } from "../deps.ts";
import { bytesEqual, P384_BYTES } from "./bytes.ts";
import type { P384PublicKey } from "./public_key.ts";

/** A P-384 key pair: private scalar d and public point, 48-byte big-endian each. */
export interface P384PrivateKey extends P384PublicKey {
  /** Private scalar, 48 bytes big-endian. */
  d: Uint8Array;
}

/** The subset of a `node:crypto` KeyObject used here. */
interface NodeKeyObject {
  asymmetricKeyType?: string;
  asymmetricKeyDetails?: { namedCurve?: string };
  export(options: { format: "jwk" }): { d?: string; x?: string; y?: string };
}
interface NodeCrypto {
  createPrivateKey(key: string): NodeKeyObject;
  createPublicKey(key: string): NodeKeyObject;
}

let nodeCrypto: NodeCrypto | undefined;
try {
  nodeCrypto = (await import("node:crypto")) as unknown as NodeCrypto;
} catch {
  nodeCrypto = undefined;
}

interface PemBlock {
  label: string;
  headers: string;
  body: string;
}

const PEM_RE = /-----BEGIN ([A-Z0-9 ]+)-----\r?\n([\s\S]*?)-----END \1-----/g;

function toText(input: string | Uint8Array): string {
  if (typeof input === "string") return input;
  if (input.length === 0) throw new KeyError("key file is empty");
  let binary = 0;
  for (const b of input) if (b < 0x09 || (b > 0x0d && b < 0x20) || b === 0x7f) binary++;
  if (binary > 0) {
    if (input[0] === 0x30) {
      throw new KeyError(
        "key file is binary DER, not PEM; convert it with `openssl pkey -inform DER -in KEY -out key.pem`",
      );
    }
    throw new KeyError("key file is binary data, not a PEM key");
  }
  return new TextDecoder().decode(input);
}

function pemBlocks(text: string): PemBlock[] {
  const blocks: PemBlock[] = [];
  for (const m of text.matchAll(PEM_RE)) {
    const content = m[2];
    const split = content.search(/\r?\n\r?\n/);
    const hasHeaders = split >= 0 && /^[A-Za-z-]+:/.test(content);
    blocks.push({
      label: m[1],
      headers: hasHeaders ? content.slice(0, split) : "",
      body: hasHeaders ? content.slice(split).trim() : content.trim(),
    });
  }
  return blocks;
}

/**
 * Largest key file read. A P-384 key PEM is under 1 KiB; the bound keeps the
 * PEM scan (whose cost grows with the square of the text for a file full of
 * unmatched BEGIN lines) fast on hostile input.
 */
export const MAX_KEY_FILE_SIZE = 64 * 1024;

/** Picks the single key block of a file (ignoring EC PARAMETERS). */
function pickBlock(input: string | Uint8Array, kind: "private" | "public"): PemBlock {
  if (input.length > MAX_KEY_FILE_SIZE) {
    throw new KeyError(
      `key file is ${input.length} ${typeof input === "string" ? "characters" : "bytes"}, ` +
        `too large for a PEM key (at most ${MAX_KEY_FILE_SIZE})`,
    );
  }
  const text = toText(input);
  if (text.trim() === "") throw new KeyError("key file is empty");
  const blocks = pemBlocks(text).filter((b) => b.label !== "EC PARAMETERS");
  if (blocks.length === 0) {
    if (text.includes("-----BEGIN EC PARAMETERS-----")) {
      throw new KeyError("key file holds only EC PARAMETERS, no key");
    }
    if (text.includes("-----BEGIN ")) {
      throw new KeyError("PEM block is truncated or malformed (no matching END line)");
    }
    throw new KeyError(
      kind === "private"
        ? "no PEM private key found (expected -----BEGIN EC PRIVATE KEY----- or -----BEGIN PRIVATE KEY-----)"
        : "no PEM public key found (expected -----BEGIN PUBLIC KEY-----)",
    );
  }
  if (blocks.length > 1) {
    const labels = blocks.map((b) => b.label).join(", ");
    throw new KeyError(`key file holds ${blocks.length} PEM blocks (${labels}), expected one key`);
  }
  return blocks[0];
}

function refuseLabel(label: string, kind: "private" | "public"): never {
  if (/CERTIFICATE|CRL/.test(label)) {
    throw new KeyError(
      kind === "private"
        ? `key file holds a ${label}, not a private key`
        : `key file holds a ${label}, not a public key; extract the key with \`openssl x509 -in CERT -pubkey -noout -out pub.pem\``,
    );
  }
  if (kind === "private" && /PUBLIC KEY/.test(label)) {
    throw new KeyError(`key file holds a public key (${label}), not a private key`);
  }
  if (kind === "public" && /PRIVATE KEY/.test(label)) {
    throw new KeyError(
      `key file holds a private key (${label}), not a public key; extract it with \`openssl pkey -in KEY -pubout -out pub.pem\``,
    );
  }
  const type = /^(RSA|DSA|OPENSSH|SSH2|PGP)\b/.exec(label);
  if (type) throw unsupportedType(`${type[1]} (${label} block)`);
  throw new KeyError(`unsupported PEM block "${label}"`);
}

function unsupportedType(name: string): KeyError {
  return new KeyError(`unsupported key type ${name}; an ECDSA P-384 key is required`);
}

const CURVE_NAMES: Record<string, string> = {
  prime256v1: "P-256 (prime256v1)",
  secp256r1: "P-256 (prime256v1)",
  secp521r1: "P-521 (secp521r1)",
  secp224r1: "P-224 (secp224r1)",
  secp256k1: "secp256k1",
  "1.2.840.10045.3.1.7": "P-256 (prime256v1)",
  "1.3.132.0.35": "P-521 (secp521r1)",
  "1.3.132.0.33": "P-224 (secp224r1)",
  "1.3.132.0.10": "secp256k1",
  "1.2.840.10045.3.1.1": "P-192 (prime192v1)",
  "1.3.36.3.3.2.8.1.1.7": "brainpoolP256r1",
  "1.3.36.3.3.2.8.1.1.11": "brainpoolP384r1",
  "1.3.36.3.3.2.8.1.1.13": "brainpoolP512r1",
};
const OID_EC_PUBLIC_KEY = "1.2.840.10045.2.1";
const OID_PRIME_FIELD = "1.2.840.10045.1.1";

function base64Decode(b64: string): Uint8Array {
  const bin = atob(b64.replace(/[\s]/g, "").replace(/-/g, "+").replace(/_/g, "/"));
  const out = new Uint8Array(bin.length);
  for (let i = 0; i < bin.length; i++) out[i] = bin.charCodeAt(i);
  return out;
}

function oidText(b: Uint8Array): string {
  const parts = [Math.floor(b[0] / 40), b[0] % 40];
  let v = 0;
  for (let i = 1; i < b.length; i++) {
    v = v * 128 + (b[i] & 0x7f);
    if (!(b[i] & 0x80)) {
      parts.push(v);
      v = 0;
    }
  }
  return parts.join(".");
}

/**
 * Collects the OBJECT IDENTIFIERs of a DER structure, descending only into
 * constructed values (never into OCTET/BIT STRING contents). Only used to name
 * the curve in an error message when the runtime cannot import the key.
 */
function collectOids(der: Uint8Array, start = 0, end = der.length, out: string[] = []): string[] {
  let pos = start;
  while (pos + 2 <= end) {
    const tag = der[pos];
    let len = der[pos + 1];
    let hdr = 2;
    if (len & 0x80) {
      const n = len & 0x7f;
      if (n === 0 || n > 2 || pos + 2 + n > end) return out;
      len = 0;
      for (let i = 0; i < n; i++) len = len * 256 + der[pos + 2 + i];
      hdr += n;
    }
    const body = pos + hdr;
    if (body + len > end) return out;
    if (tag === 0x06 && len > 0) out.push(oidText(der.subarray(body, body + len)));
    else if (tag & 0x20) collectOids(der, body, body + len, out);
    pos = body + len;
  }
  return out;
}

function curveError(curve: string): KeyError {
  const name = CURVE_NAMES[curve] ?? curve;
  return new KeyError(`key is on curve ${name}; only P-384 (secp384r1) is supported`);
}

/** Explains why the runtime could not import an EC key, from the DER OIDs. */
function explainImportFailure(block: PemBlock, cause: unknown): KeyError {
  let oids: string[] = [];
  try {
    oids = collectOids(base64Decode(block.body));
  } catch {
    return new KeyError(`malformed ${block.label} block: invalid base64`);
  }
  const curve = oids.find((o) => o !== OID_EC_PUBLIC_KEY && o !== OID_PRIME_FIELD);
  if (curve !== undefined && CURVE_NAMES[curve] !== undefined) return curveError(curve);
  if (oids.includes(OID_PRIME_FIELD)) {
    return new KeyError(
      "key uses explicit curve parameters; re-encode it with `openssl ec -in KEY -param_enc named_curve -out named.pem`",
    );
  }
  if (curve !== undefined && curve !== "1.3.132.0.34") return curveError(curve);
  const msg = cause instanceof Error ? cause.message.split("\n")[0] : String(cause);
  return new KeyError(`malformed ${block.label} block: ${msg}`);
}

function requireNodeCrypto(): NodeCrypto {
  if (nodeCrypto === undefined) {
    throw new KeyError("reading PEM keys needs node:crypto (Deno, Node.js or Bun)");
  }
  return nodeCrypto;
}

function checkKeyObject(key: NodeKeyObject): void {
  const type = key.asymmetricKeyType;
  if (type !== "ec") {
    const names: Record<string, string> = {
      rsa: "RSA",
      "rsa-pss": "RSA-PSS",
      dsa: "DSA",
      ed25519: "Ed25519",
      ed448: "Ed448",
      x25519: "X25519",
      x448: "X448",
      dh: "DH",
    };
    throw unsupportedType(names[type ?? ""] ?? type ?? "unknown");
  }
  const curve = key.asymmetricKeyDetails?.namedCurve;
  if (curve !== "secp384r1") throw curveError(curve ?? "unknown");
}

function jwkCoordinate(value: string | undefined, name: string): Uint8Array {
  const bytes = value === undefined ? undefined : base64Decode(value);
  if (bytes === undefined || bytes.length !== P384_BYTES) {
    throw new KeyError(`key has no valid 48-byte ${name}`);
  }
  return bytes;
}

/** The block as canonical PEM: base64 body without whitespace, 64-column lines. */
function reassemble(block: PemBlock): string {
  const b64 = block.body.replace(/\s/g, "");
  const lines = b64.match(/.{1,64}/g) ?? [];
  return `-----BEGIN ${block.label}-----\n${lines.join("\n")}\n-----END ${block.label}-----\n`;
}

/**
 * Parses a P-384 private key PEM (SEC1 or PKCS#8, unencrypted) into its
 * scalar and public point. `input` is the file's text or bytes. Throws
 * `KeyError` for an empty or binary file, an encrypted key, a public key or
 * certificate, an RSA/Ed25519/other key, or another curve.
 *
 * @example
 * ```ts
 * import { parsePrivateKeyPem } from "./keys.ts";
 * const pem = await Deno.readTextFile("testdata/keys/example_id_key.pem");
 * const { d, qx, qy } = parsePrivateKeyPem(pem);
 * ```
 */
export function parsePrivateKeyPem(input: string | Uint8Array): P384PrivateKey {
  const block = pickBlock(input, "private");
  if (block.label === "ENCRYPTED PRIVATE KEY") {
    throw new KeyError(
      "key is encrypted (PKCS#8); decrypt it with `openssl pkcs8 -in KEY -out plain.pem`",
    );
  }
  if (block.label !== "EC PRIVATE KEY" && block.label !== "PRIVATE KEY") {
    refuseLabel(block.label, "private");
  }
  if (/Proc-Type:\s*4,\s*ENCRYPTED/i.test(block.headers)) {
    const tool = block.label === "EC PRIVATE KEY" ? "ec" : "pkey";
    throw new KeyError(
      `key is encrypted; decrypt it with \`openssl ${tool} -in KEY -out plain.pem\``,
    );
  }
  const nc = requireNodeCrypto();
  let key: NodeKeyObject;
  try {
    key = nc.createPrivateKey(reassemble(block));
  } catch (e) {
    throw explainImportFailure(block, e);
  }
  checkKeyObject(key);
  const jwk = key.export({ format: "jwk" });
  const d = jwkCoordinate(jwk.d, "private scalar");
  const qx = jwkCoordinate(jwk.x, "X coordinate");
  const qy = jwkCoordinate(jwk.y, "Y coordinate");
  // The public point stored in the file must be the one d generates.
  let derived: Uint8Array;
  try {
    derived = p384.getPublicKey(d, false);
  } catch {
    throw new KeyError("private key scalar is out of range for P-384");
  }
  if (!bytesEqual(derived.subarray(1, 49), qx) || !bytesEqual(derived.subarray(49), qy)) {
    throw new KeyError("key's public point does not match its private scalar");
  }
  return { d, qx, qy };
}

/**
 * Parses a P-384 SPKI public key PEM (`-----BEGIN PUBLIC KEY-----`, as
 * `openssl pkey -pubout` or an HSM writes) into its point. Throws `KeyError`
 * for anything else, with a hint for certificates and private keys.
 *
 * @example
 * ```ts
 * import { parsePublicKeyPem } from "./keys.ts";
 * const { qx, qy } = parsePublicKeyPem(
 *   await Deno.readTextFile("testdata/keys/example_id_pub.pem"),
 * );
 * ```
 */
export function parsePublicKeyPem(input: string | Uint8Array): P384PublicKey {
  const block = pickBlock(input, "public");
  if (block.label !== "PUBLIC KEY") refuseLabel(block.label, "public");
  const nc = requireNodeCrypto();
  let key: NodeKeyObject;
  try {
    key = nc.createPublicKey(reassemble(block));
  } catch (e) {
    throw explainImportFailure(block, e);
  }
  checkKeyObject(key);
  const jwk = key.export({ format: "jwk" });
  return { qx: jwkCoordinate(jwk.x, "X coordinate"), qy: jwkCoordinate(jwk.y, "Y coordinate") };
}
