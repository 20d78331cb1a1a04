/**
 * Reads an expected launch digest as other tools print it: hex in upper or
 * lower case with an optional `0x` (igvmmeasure, snpguest, sev-snp-measure's
 * default), or base64 (sev-snp-measure `--output-format base64`, standard or
 * URL-safe alphabet, padding optional). Spaces and colons in hex are ignored.
 *
 * @module
 */

import { fromBase64, fromHex } from "../encoding.ts";

function base64Digest(text: string): Uint8Array | undefined {
  let t = text.replace(/-/g, "+").replace(/_/g, "/");
  if (!/^[A-Za-z0-9+/]+={0,2}$/.test(t)) return undefined;
  t = t.replace(/=+$/, "");
  while (t.length % 4 !== 0) t += "=";
  try {
    return fromBase64(t);
  } catch {
    return undefined;
  }
}

/**
 * Parses `text` as a digest of `size` bytes (48 for SEV-SNP, 32 for SEV and
 * SEV-ES); undefined when it is neither hex nor base64 of that size.
 *
 * @example
 * ```ts
 * import { parseExpectedDigest } from "./expected_digest.ts";
 * parseExpectedDigest("0x" + "AB".repeat(48), 48)?.length; // 48
 * parseExpectedDigest("q".repeat(64), 48)?.length; // 48 (base64)
 * parseExpectedDigest("abc", 48); // undefined
 * ```
 */
export function parseExpectedDigest(text: string, size: number): Uint8Array | undefined {
  const trimmed = text.trim();
  const hex = trimmed.replace(/^0x/i, "").replace(/[\s:]/g, "");
  if (/^[0-9a-fA-F]+$/.test(hex) && hex.length === 2 * size) return fromHex(hex);
  const b64 = base64Digest(trimmed.replace(/\s/g, ""));
  return b64 && b64.length === size ? b64 : undefined;
}
