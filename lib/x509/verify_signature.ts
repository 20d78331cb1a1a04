/**
 * Checks the issuer's signature on a certificate or CRL with Web Crypto.
 * Only RSASSA-PSS is supported (AMD signs ARK, ASK/ASVK, VCEK/VLEK and CRLs
 * with it: SHA-384, MGF1-SHA-384, salt 48, trailer 1). Deno's
 * `node:crypto` `X509Certificate.verify` returns false for these
 * certificates, so the TBS bytes are verified directly.
 *
 * @module
 */

import { Oid, pssParams, type PublicKeyInfo } from "./algorithm.ts";
import type { SignedData } from "./certificate.ts";
import { CertificateError } from "./certificate_error.ts";
import { toBase64, toHex } from "../encoding.ts";

/** Smallest and largest RSA moduli accepted, in bits (AMD's keys are 4096-bit). */
const RSA_BITS = { min: 2048, max: 8192 } as const;

/** The outcome of a signature check: `ok`, or why not. */
export type SignatureCheck = { ok: true } | { ok: false; reason: string };

function copy(bytes: Uint8Array): Uint8Array<ArrayBuffer> {
  const out = new Uint8Array(bytes.length);
  out.set(bytes);
  return out;
}

const importCache = new WeakMap<Uint8Array, Map<string, Promise<CryptoKey>>>();

/**
 * Imports an RSA public key for RSASSA-PSS verification with `hash`
 * (cached per key and hash). Throws {@link CertificateError} when the key is
 * not RSA or its size is outside {@link RSA_BITS}.
 */
function importRsaPssKey(key: PublicKeyInfo, hash: string): Promise<CryptoKey> {
  if (!key.rsa) throw new CertificateError(`the issuer's key is ${key.description}, not RSA`);
  const { n, e, bits } = key.rsa;
  if (bits < RSA_BITS.min || bits > RSA_BITS.max) {
    throw new CertificateError(
      `the issuer's RSA key is ${bits}-bit; ${RSA_BITS.min} to ${RSA_BITS.max} bits are accepted`,
    );
  }
  if (e.length > 4 || (e[e.length - 1] & 1) === 0 || (e.length === 1 && e[0] < 3)) {
    throw new CertificateError(`the issuer's RSA exponent 0x${toHex(e)} is not accepted`);
  }
  let byHash = importCache.get(key.der);
  if (!byHash) importCache.set(key.der, byHash = new Map());
  let p = byHash.get(hash);
  if (!p) {
    // JWK wants base64url without padding.
    const b64u = (b: Uint8Array) =>
      toBase64(b).replace(/=+$/, "").replaceAll("+", "-").replaceAll("/", "_");
    p = crypto.subtle.importKey(
      "jwk",
      { kty: "RSA", n: b64u(n), e: b64u(e), ext: true },
      { name: "RSA-PSS", hash },
      false,
      ["verify"],
    );
    p.catch(() => byHash!.delete(hash));
    byHash.set(hash, p);
  }
  return p;
}

/**
 * Verifies `signed` (a certificate or CRL) with `issuerKey`. Resolves to
 * `{ ok: false, reason }` for a wrong signature, an algorithm other than
 * RSASSA-PSS, PSS parameters that disagree (MGF1 hash differs from the
 * message hash, trailer not 1) or an issuer key that is not a usable RSA key.
 *
 * @example
 * ```ts
 * import { parseCertificate } from "./certificate.ts";
 * import { derBlocks } from "./pem.ts";
 * import { verifySignedData } from "./verify_signature.ts";
 * const pem = await Deno.readFile("testdata/vectors/amd/ask_ark_milan.pem");
 * const [ask, ark] = derBlocks(pem, "CERTIFICATE").map((d) => parseCertificate(d));
 * console.log(await verifySignedData(ask, ark.publicKey)); // { ok: true }
 * ```
 */
export async function verifySignedData(
  signed: SignedData,
  issuerKey: PublicKeyInfo,
): Promise<SignatureCheck> {
  const alg = signed.signatureAlgorithm;
  if (alg.oid !== Oid.RSASSA_PSS) {
    return { ok: false, reason: `signature algorithm ${alg.oid} is not RSASSA-PSS` };
  }
  let key: CryptoKey;
  let saltLength: number;
  try {
    const p = pssParams(alg, "signature");
    if (p.mgfHash !== p.hash) {
      return { ok: false, reason: `RSASSA-PSS uses ${p.hash} with MGF1-${p.mgfHash}` };
    }
    if (p.trailer !== 1) {
      return { ok: false, reason: `RSASSA-PSS trailer field ${p.trailer} is not 1` };
    }
    if (p.hash === "SHA-1") return { ok: false, reason: "RSASSA-PSS with SHA-1 is not accepted" };
    saltLength = p.saltLength;
    key = await importRsaPssKey(issuerKey, p.hash);
  } catch (e) {
    if (e instanceof CertificateError) return { ok: false, reason: e.message };
    if (e instanceof Error) {
      return { ok: false, reason: `the issuer's key was refused: ${e.message}` };
    }
    throw e;
  }
  const size = Math.ceil(issuerKey.rsa!.bits / 8);
  if (signed.signature.length !== size) {
    return {
      ok: false,
      reason: `signature is ${signed.signature.length} bytes, the issuer's key needs ${size}`,
    };
  }
  const ok = await crypto.subtle.verify(
    { name: "RSA-PSS", saltLength },
    key,
    copy(signed.signature),
    copy(signed.tbs),
  );
  return ok
    ? { ok: true }
    : { ok: false, reason: "signature does not verify with the issuer's key" };
}
