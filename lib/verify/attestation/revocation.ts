/**
 * The `revocation` check. A CRL speaks for the certificates its issuer
 * signed (RFC 5280 §5, §6.3): AMD's per-product CRL is signed by the ARK and
 * lists revoked ASKs/ASVKs; a CRL signed by an ASK would list VCEKs. Each
 * CRL given must come from a CA of the chain (its issuer name and a verifying
 * RSASSA-PSS signature), be current at the verification time (thisUpdate ≤
 * at ≤ nextUpdate), have no critical extension this tool cannot process,
 * and must not list the serial number of a certificate that CA issued.
 *
 * @module
 */

import { bytesEqual } from "../../snp/bytes.ts";
import type { Crl } from "../../x509/crl.ts";
import { keyUsageBits } from "../../x509/certificate.ts";
import { verifySignedData } from "../../x509/verify_signature.ts";
import { certLabel, type Chain, type SourcedCertificate } from "./chain.ts";
import { type AttestationCheck, day, outcome, skip } from "./checks.ts";
import { toHex } from "../../encoding.ts";

/** A CRL and where it came from. */
export type SourcedCrl = Crl & { readonly source?: string };

/** CRL extensions that may be critical: none this tool would need to act on are processed. */
const KNOWN_CRL_EXTENSIONS = new Set(["2.5.29.20", "2.5.29.35"]); // cRLNumber, authorityKeyIdentifier

function crlLabel(crl: SourcedCrl): string {
  const cn = crl.issuer.commonName || crl.issuer.text;
  return `CRL of ${cn}${crl.source ? ` (${crl.source})` : ""}`;
}

function canSignCrls(ca: SourcedCertificate): boolean {
  try {
    const bits = keyUsageBits(ca);
    return bits === undefined || bits[6] === true;
  } catch {
    return false;
  }
}

async function oneCrl(crl: SourcedCrl, chain: Chain, at: Date): Promise<string[]> {
  const pairs: [SourcedCertificate, SourcedCertificate][] = [];
  if (chain.root && chain.intermediate) pairs.push([chain.root, chain.intermediate]);
  if (chain.intermediate) pairs.push([chain.intermediate, chain.leaf]);
  const pair = pairs.find(([ca]) => bytesEqual(ca.subject.der, crl.issuer.der));
  const label = crlLabel(crl);
  if (!pair) return [`${label} is not from a CA of this chain (issuer "${crl.issuer.text}")`];
  const [ca, subject] = pair;
  const sig = await verifySignedData(crl, ca.publicKey);
  if (!sig.ok) return [`${label} is not signed by ${certLabel(ca)}: ${sig.reason}`];
  if (!canSignCrls(ca)) return [`${certLabel(ca)} may not sign CRLs (keyUsage lacks cRLSign)`];
  const problems: string[] = [];
  if (at < crl.thisUpdate) {
    problems.push(`${label} is dated ${day(crl.thisUpdate)}, after ${day(at)}`);
  }
  if (crl.nextUpdate && at > crl.nextUpdate) {
    problems.push(`${label} is out of date: its next update was due ${day(crl.nextUpdate)}`);
  }
  const critical = [
    ...crl.extensions.filter((e) => e.critical && !KNOWN_CRL_EXTENSIONS.has(e.oid)),
    ...crl.revoked.flatMap((r) => r.extensions.filter((e) => e.critical)),
  ];
  for (const e of critical) {
    problems.push(`${label} has a critical extension ${e.oid} this tool cannot process`);
  }
  const entry = crl.revoked.find((r) => bytesEqual(r.serial, subject.serial));
  if (entry) {
    problems.push(
      `${certLabel(subject)} (serial 0x${toHex(subject.serial)}) is revoked by the ${label} since ${
        day(entry.date)
      }`,
    );
  }
  return problems;
}

/**
 * Checks every CRL of `crls` against `chain` at time `at`; `skip` when none
 * is given.
 *
 * @example
 * ```ts
 * import { revocationCheck } from "./revocation.ts";
 * // (await revocationCheck(chain, [parseCrl(der)], new Date())).status
 * ```
 */
export async function revocationCheck(
  chain: Chain,
  crls: readonly SourcedCrl[],
  at: Date,
): Promise<AttestationCheck> {
  if (crls.length === 0) {
    return skip("revocation", "no CRL given");
  }
  const problems: string[] = [];
  for (const crl of crls) problems.push(...await oneCrl(crl, chain, at));
  if (problems.length) return outcome("revocation", false, problems.join("; "));
  const names = crls.map(crlLabel).join(", ");
  return outcome(
    "revocation",
    true,
    `not revoked: ${names} ${crls.length === 1 ? "lists" : "list"} no certificate of the chain`,
  );
}
