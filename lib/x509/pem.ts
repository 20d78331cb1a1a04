/**
 * PEM (RFC 7468) and "DER or PEM" inputs: certificates and CRLs arrive as
 * either, and AMD's KDS `cert_chain` is two PEM certificates in one file.
 *
 * @module
 */

import { CertificateError } from "./certificate_error.ts";
import { fromBase64, toBase64 } from "../encoding.ts";

/** One PEM block: its label (`CERTIFICATE`, `X509 CRL`) and decoded bytes. */
export interface PemBlock {
  /** The label between `-----BEGIN ` and `-----`. */
  readonly label: string;
  /** The base64-decoded contents. */
  readonly der: Uint8Array;
}

const BLOCK = /-----BEGIN ([A-Z0-9 ]+)-----([^-]*)-----END ([A-Z0-9 ]+)-----/g;

/**
 * Every PEM block in `text`, in order. Text outside the blocks (comments,
 * `openssl x509 -text` output) is ignored; a block that does not decode, or
 * whose END label differs from its BEGIN label, is an error.
 *
 * @example
 * ```ts
 * import { decodePem } from "./pem.ts";
 * decodePem("-----BEGIN X-----\nAQI=\n-----END X-----\n")[0].der; // Uint8Array [1, 2]
 * ```
 */
export function decodePem(text: string): PemBlock[] {
  const out: PemBlock[] = [];
  for (const m of text.matchAll(BLOCK)) {
    if (m[1] !== m[3]) {
      throw new CertificateError(`PEM block BEGIN ${m[1]} ends with END ${m[3]}`);
    }
    const body = m[2].replace(/\s+/g, "");
    if (!/^[A-Za-z0-9+/]*={0,2}$/.test(body) || body.length % 4 !== 0 || body.length === 0) {
      throw new CertificateError(`PEM block ${m[1]} is not valid base64`);
    }
    out.push({ label: m[1], der: fromBase64(body) });
  }
  if (out.length === 0 && text.includes("-----BEGIN")) {
    throw new CertificateError("PEM block has no matching END line");
  }
  return out;
}

/**
 * The DER encodings in `bytes`: the bytes themselves when they start with a
 * DER SEQUENCE (0x30), else every PEM block labelled `label`. Throws when
 * there is none.
 *
 * @example
 * ```ts
 * import { derBlocks } from "./pem.ts";
 * derBlocks(new Uint8Array([0x30, 0x00]), "CERTIFICATE").length; // 1
 * ```
 */
export function derBlocks(bytes: Uint8Array, label: string): Uint8Array[] {
  if (bytes.length > 0 && bytes[0] === 0x30) return [bytes];
  let text: string;
  try {
    text = new TextDecoder("utf-8", { fatal: true }).decode(bytes);
  } catch {
    throw new CertificateError(`neither DER (first byte is not 0x30) nor PEM text`);
  }
  const blocks = decodePem(text);
  if (blocks.length === 0) {
    throw new CertificateError(`neither DER nor PEM: no "-----BEGIN ${label}-----" block`);
  }
  const wanted = blocks.filter((b) => b.label === label);
  if (wanted.length === 0) {
    throw new CertificateError(
      `PEM has no ${label} block (found ${blocks.map((b) => b.label).join(", ")})`,
    );
  }
  return wanted.map((b) => b.der);
}

/**
 * `der` as a PEM block with 64-character lines.
 *
 * @example
 * ```ts
 * import { encodePem } from "./pem.ts";
 * encodePem("CERTIFICATE", new Uint8Array([1, 2])); // "-----BEGIN CERTIFICATE-----\nAQI=\n-----END CERTIFICATE-----\n"
 * ```
 */
export function encodePem(label: string, der: Uint8Array): string {
  const b64 = toBase64(der);
  const lines = b64.match(/.{1,64}/g) ?? [];
  return `-----BEGIN ${label}-----\n${lines.join("\n")}\n-----END ${label}-----\n`;
}
