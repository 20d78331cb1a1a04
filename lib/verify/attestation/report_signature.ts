/**
 * The report's own signature (SEV-SNP ABI spec, ATTESTATION_REPORT and
 * "ECDSA Signature Format"): ECDSA P-384 with SHA-384 over bytes
 * 0x000..0x29F, by the VCEK or VLEK. R is at 0x2A0 and S at 0x2E8, each a
 * 72-byte little-endian integer whose upper 24 bytes are zero.
 *
 * @module
 */

import { toArrayBufferBytes } from "../../snp/bytes.ts";
import type { PublicKeyInfo } from "../../x509/algorithm.ts";
import { P384_ORDER } from "../../snp/signature.ts";
import { REPORT_SIGNED_SIZE, REPORT_SIZE } from "../../snp/report.ts";
import { toHex } from "../../encoding.ts";

/** Offset of R; S follows 72 bytes later. */
const SIG_R = 0x2a0;
const SIG_S = 0x2e8;
const COMPONENT = 72;

/** The outcome: `ok`, or why not. */
export type ReportSignatureCheck = { ok: true } | { ok: false; reason: string };

/**
 * Imports a certificate's public key for report verification. Resolves to a
 * reason string when the key is not an uncompressed P-384 point.
 *
 * @example
 * ```ts
 * import { importReportKey } from "./report_signature.ts";
 * // const key = await importReportKey(vcek.publicKey);
 * // if (typeof key === "string") console.log(key);
 * ```
 */
export async function importReportKey(spki: PublicKeyInfo): Promise<CryptoKey | string> {
  if (spki.ec?.curve !== "P-384") return `key is ${spki.description}, expected EC P-384`;
  const point = spki.ec.point;
  if (point.length !== 97 || point[0] !== 0x04) {
    return "key is not an uncompressed P-384 point";
  }
  try {
    return await crypto.subtle.importKey(
      "raw",
      toArrayBufferBytes(point),
      { name: "ECDSA", namedCurve: "P-384" },
      false,
      [
        "verify",
      ],
    );
  } catch {
    return "key is not a point on the P-384 curve";
  }
}

function component(bytes: Uint8Array, at: number, name: string): Uint8Array | string {
  const le = bytes.subarray(at, at + COMPONENT);
  if (le.subarray(48).some((b) => b !== 0)) {
    return `${name} has non-zero bytes above its 48-byte P-384 range (0x${
      (at + 48).toString(16)
    }..0x${(at + 72).toString(16)})`;
  }
  const be = le.slice(0, 48).reverse();
  const v = BigInt("0x" + toHex(be));
  if (v === 0n) return `${name} is zero`;
  if (v >= P384_ORDER) return `${name} is not below the P-384 group order`;
  return be;
}

/**
 * Verifies the signature of the 1184 report bytes with `key` (from
 * {@link importReportKey}). SIGNATURE_ALGO must be 1 (ECDSA P-384 with
 * SHA-384); R and S must be in [1, n-1] with zero upper bytes.
 *
 * @example
 * ```ts
 * import { importReportKey, verifyReportBytes } from "./report_signature.ts";
 * // const key = await importReportKey(vcek.publicKey);
 * // (await verifyReportBytes(reportBytes, key as CryptoKey)).ok
 * ```
 */
export async function verifyReportBytes(
  bytes: Uint8Array,
  key: CryptoKey,
): Promise<ReportSignatureCheck> {
  if (bytes.length !== REPORT_SIZE) {
    return { ok: false, reason: `report is ${bytes.length} bytes, not ${REPORT_SIZE}` };
  }
  const algo = new DataView(bytes.buffer, bytes.byteOffset, bytes.length).getUint32(0x34, true);
  if (algo !== 1) {
    return { ok: false, reason: `SIGNATURE_ALGO is ${algo}, not 1 (ECDSA P-384 with SHA-384)` };
  }
  const r = component(bytes, SIG_R, "signature R");
  if (typeof r === "string") return { ok: false, reason: r };
  const s = component(bytes, SIG_S, "signature S");
  if (typeof s === "string") return { ok: false, reason: s };
  const rs = new Uint8Array(96);
  rs.set(r, 0);
  rs.set(s, 48);
  const ok = await crypto.subtle.verify(
    { name: "ECDSA", hash: "SHA-384" },
    key,
    rs,
    toArrayBufferBytes(bytes.subarray(0, REPORT_SIGNED_SIZE)),
  );
  return ok
    ? { ok: true }
    : { ok: false, reason: "the signature over bytes 0x000..0x29F does not verify" };
}
