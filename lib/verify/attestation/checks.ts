/**
 * The result of one attestation check, and the names of all of them.
 *
 * @module
 */

/** `pass`, `fail`, or `skip` (not applicable, or not asked for). */
export type CheckStatus = "pass" | "fail" | "skip";

/** One named check with its outcome and a readable one-line detail. */
export interface AttestationCheck {
  /** The check's name (see {@link CHECK_NAMES}). */
  readonly name: string;
  /** Its outcome. */
  readonly status: CheckStatus;
  /** One line saying what was compared and what was found. */
  readonly detail: string;
}

/**
 * Every check, in the order they are reported. The first eight decide
 * whether the report is genuine (signed by an AMD chip whose certificate
 * says what the report says); the rest are the policy a verifier asks for.
 */
export const CHECK_NAMES = [
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
] as const;

/** The checks that decide whether a report is genuine. */
export const GENUINENESS_CHECKS: readonly string[] = CHECK_NAMES.slice(0, 8);

/** A `skip` check. */
export function skip(name: string, detail: string): AttestationCheck {
  return { name, status: "skip", detail };
}

/** A time as check details show it: ISO 8601 to the second, e.g. `2026-01-01T00:00:00Z`. */
export function day(d: Date): string {
  return d.toISOString().replace(".000Z", "Z");
}

/** A `pass` or `fail` check. */
export function outcome(name: string, ok: boolean, detail: string): AttestationCheck {
  return { name, status: ok ? "pass" : "fail", detail };
}
