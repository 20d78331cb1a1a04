/**
 * The certificate chain of a report's signing key: ARK (self-signed, trusted)
 * → ASK → VCEK, or ARK → ASVK → VLEK. Assembling picks the intermediate whose
 * subject is the leaf's issuer (given certificates first, then AMD's built-in
 * ones) and the root whose subject is the intermediate's issuer (a given root
 * must be one of the trusted roots; without one, the trusted root itself).
 * Verifying checks every RSASSA-PSS signature, the CA constraints of the
 * root and intermediate, unknown critical extensions, and validity periods.
 *
 * @module
 */

import { bytesEqual } from "../../snp/bytes.ts";
import { type Certificate, KEY_USAGE, keyUsageBits } from "../../x509/certificate.ts";
import { booleanValue, children, readTlv, Tag } from "../../x509/der.ts";
import { verifySignedData } from "../../x509/verify_signature.ts";
import { type AttestationCheck, day } from "./checks.ts";

/** A certificate and where it came from (a file name, `built-in AMD …`). */
export type SourcedCertificate = Certificate & { readonly source?: string };

/** A chain as assembled: the leaf, and the intermediate and root found for it. */
export interface Chain {
  /** The VCEK or VLEK. */
  readonly leaf: SourcedCertificate;
  /** The ASK or ASVK, when one was found. */
  readonly intermediate?: SourcedCertificate;
  /** The ARK, when one was found. */
  readonly root?: SourcedCertificate;
  /** Why the chain is incomplete or untrusted, one line each. */
  readonly problems: readonly string[];
  /**
   * What verifying each link's signature found while the chain was
   * assembled (empty: it verifies), so that {@link chainCheck} does not
   * verify it again: the leaf's by the intermediate, the intermediate's by
   * the root.
   */
  readonly linkProblems?: {
    readonly leaf?: readonly string[];
    readonly intermediate?: readonly string[];
  };
}

const BASIC_CONSTRAINTS = "2.5.29.19";
const KNOWN_CRITICAL = new Set([KEY_USAGE, BASIC_CONSTRAINTS]);

/** `CN (source)`, how messages name a certificate. */
export function certLabel(c: SourcedCertificate): string {
  const name = c.subject.commonName || c.subject.text || "(no subject)";
  return c.source ? `${name} (${c.source})` : name;
}

function selfIssued(c: Certificate): boolean {
  return bytesEqual(c.subject.der, c.issuer.der);
}

/** True when `a` and `b` are the same trust anchor: equal subject and public key. */
function sameAnchor(a: Certificate, b: Certificate): boolean {
  return bytesEqual(a.subject.der, b.subject.der) && bytesEqual(a.publicKey.der, b.publicKey.der);
}

/** The first candidate whose signature `child` carries, else the first candidate and why not. */
async function firstSigner(
  candidates: readonly SourcedCertificate[],
  child: SourcedCertificate,
): Promise<{ signer: SourcedCertificate; problems: string[] } | undefined> {
  let first: { signer: SourcedCertificate; problems: string[] } | undefined;
  for (const c of candidates) {
    const problems = await signatureProblem(child, c);
    if (problems.length === 0) return { signer: c, problems };
    first ??= { signer: c, problems };
  }
  return first;
}

/**
 * Assembles the chain of `leaf` from `given` certificates (any order: the
 * ASK/ASVK and ARK from files or a certificate table), the `trusted` roots,
 * and `builtIn` intermediates tried after the given ones.
 *
 * @example
 * ```ts
 * import { assembleChain } from "./chain.ts";
 * import { amdIntermediates, amdRoots } from "./amd_roots.ts";
 * // const chain = await assembleChain(vcek, [], amdRoots(), amdIntermediates());
 * // chain.root?.subject.commonName === "ARK-Milan"
 * ```
 */
export async function assembleChain(
  leaf: SourcedCertificate,
  given: readonly SourcedCertificate[],
  trusted: readonly SourcedCertificate[],
  builtIn: readonly SourcedCertificate[],
): Promise<Chain> {
  const issuedBy = (c: Certificate) => (x: Certificate) => bytesEqual(x.subject.der, c.issuer.der);
  const others = given.filter((c) => !bytesEqual(c.der, leaf.der));
  const givenInters = others.filter((c) => !selfIssued(c));
  const givenRoots = others.filter(selfIssued);
  const problems: string[] = [];
  // Certificates given for the chain must fit it: a wrong ASK is an error, not silently replaced.
  if (givenInters.length && !givenInters.some(issuedBy(leaf))) {
    problems.push(
      `${givenInters.map(certLabel).join(", ")} did not issue ${
        certLabel(leaf)
      } (its issuer is "${leaf.issuer.text}")`,
    );
  }
  const found = await firstSigner([...givenInters, ...builtIn].filter(issuedBy(leaf)), leaf);
  if (!found) {
    problems.push(
      `no intermediate certificate (ASK or ASVK) named "${leaf.issuer.text}" for ${
        certLabel(leaf)
      }`,
    );
    return { leaf, problems };
  }
  const intermediate = found.signer;
  const linkProblems = { leaf: found.problems };
  const presented = givenRoots.filter(issuedBy(intermediate));
  if (givenRoots.length && presented.length === 0) {
    problems.push(
      `${givenRoots.map(certLabel).join(", ")} did not issue ${certLabel(intermediate)} ` +
        `(its issuer is "${intermediate.issuer.text}")`,
    );
  }
  if (presented.length > 0) {
    const { signer: root, problems: rootLink } = (await firstSigner(presented, intermediate))!;
    if (!trusted.some((t) => sameAnchor(t, root))) {
      const names = trusted.map((t) => t.subject.commonName || t.subject.text).join(", ");
      problems.push(`${certLabel(root)} is not a trusted root (trusted: ${names || "none"})`);
    }
    return {
      leaf,
      intermediate,
      root,
      problems,
      linkProblems: { ...linkProblems, intermediate: rootLink },
    };
  }
  const anchor = await firstSigner(trusted.filter(issuedBy(intermediate)), intermediate);
  if (!anchor) {
    problems.push(
      `${
        certLabel(intermediate)
      } is issued by "${intermediate.issuer.text}", which is not a trusted root`,
    );
  }
  return {
    leaf,
    intermediate,
    root: anchor?.signer,
    problems,
    linkProblems: { ...linkProblems, intermediate: anchor?.problems },
  };
}

function caProblems(c: SourcedCertificate, role: string): string[] {
  const out: string[] = [];
  const bc = c.extensions.find((e) => e.oid === BASIC_CONSTRAINTS);
  let isCa = false;
  try {
    if (bc) {
      const seq = readTlv(bc.value, 0);
      const parts = seq.tag === Tag.SEQUENCE ? children(seq, "basicConstraints") : [];
      isCa = parts[0]?.tag === Tag.BOOLEAN && booleanValue(parts[0], "basicConstraints cA");
    }
  } catch {
    out.push(`${certLabel(c)}: malformed basicConstraints`);
  }
  if (!isCa) {
    out.push(
      `${
        certLabel(c)
      } is not a CA certificate (basicConstraints cA is not TRUE), so it cannot be the ${role}`,
    );
  }
  try {
    const bits = keyUsageBits(c);
    if (bits && !bits[5]) out.push(`${certLabel(c)}: keyUsage lacks keyCertSign`);
  } catch {
    out.push(`${certLabel(c)}: malformed keyUsage`);
  }
  return out;
}

function criticalProblems(c: SourcedCertificate): string[] {
  return c.extensions.filter((e) => e.critical && !KNOWN_CRITICAL.has(e.oid))
    .map((e) => `${certLabel(c)} has an unknown critical extension ${e.oid}`);
}

async function signatureProblem(
  child: SourcedCertificate,
  issuer: SourcedCertificate,
): Promise<string[]> {
  const r = await verifySignedData(child, issuer.publicKey);
  return r.ok ? [] : [`${certLabel(child)} is not signed by ${certLabel(issuer)}: ${r.reason}`];
}

/**
 * The `cert-chain` check: the chain is complete, ends in a trusted root,
 * and every signature verifies; the root and intermediate are CAs; no
 * certificate has a critical extension this tool does not understand.
 *
 * @example
 * ```ts
 * import { chainCheck } from "./chain.ts";
 * // (await chainCheck(chain)).status === "pass"
 * ```
 */
export async function chainCheck(chain: Chain): Promise<AttestationCheck> {
  const problems = [...chain.problems];
  const { leaf, intermediate, root } = chain;
  const links = chain.linkProblems;
  if (intermediate && root) {
    problems.push(...await signatureProblem(root, root));
    problems.push(...links?.intermediate ?? await signatureProblem(intermediate, root));
    problems.push(...caProblems(root, "root"), ...caProblems(intermediate, "intermediate"));
  }
  if (intermediate) problems.push(...links?.leaf ?? await signatureProblem(leaf, intermediate));
  for (const c of [leaf, intermediate, root]) if (c) problems.push(...criticalProblems(c));
  if (problems.length) {
    return { name: "cert-chain", status: "fail", detail: [...new Set(problems)].join("; ") };
  }
  return {
    name: "cert-chain",
    status: "pass",
    detail: `${certLabel(root!)} → ${certLabel(intermediate!)} → ${certLabel(leaf)}: ` +
      "every signature verifies and the root is trusted",
  };
}

/**
 * The `validity` check: every certificate of the chain is valid at `at`
 * (notBefore ≤ at ≤ notAfter, RFC 5280 §4.1.2.5).
 *
 * @example
 * ```ts
 * import { validityCheck } from "./chain.ts";
 * // validityCheck(chain, new Date("2026-01-01T00:00:00Z")).status
 * ```
 */
export function validityCheck(chain: Chain, at: Date): AttestationCheck {
  const certs = [chain.leaf, chain.intermediate, chain.root].filter((c) => c !== undefined);
  const problems: string[] = [];
  for (const c of certs) {
    if (at < c.notBefore) problems.push(`${certLabel(c)} is not valid before ${day(c.notBefore)}`);
    if (at > c.notAfter) problems.push(`${certLabel(c)} expired on ${day(c.notAfter)}`);
  }
  if (problems.length) {
    return { name: "validity", status: "fail", detail: `at ${day(at)}: ${problems.join("; ")}` };
  }
  return {
    name: "validity",
    status: "pass",
    detail: `${certs.length} certificate${certs.length === 1 ? "" : "s"} valid at ${day(at)} ` +
      `(${certLabel(chain.leaf)} until ${day(chain.leaf.notAfter)})`,
  };
}
