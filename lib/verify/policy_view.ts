/**
 * An SEV-SNP guest policy as shown to people (one line) and as JSON (value
 * and every decoded bit).
 *
 * @module
 */

import { decodePolicy, describePolicy } from "../snp/policy.ts";

/**
 * A guest policy as one line: `0x30000 (ABI >= 0.0, SMT)`.
 *
 * @example
 * ```ts
 * import { policyText } from "./policy_view.ts";
 * policyText(0xb0000n); // "0xb0000 (ABI >= 0.0, SMT, DEBUG)"
 * ```
 */
export function policyText(policy: bigint): string {
  return `0x${policy.toString(16)} (${describePolicy(policy).join(", ")})`;
}

/**
 * A guest policy as JSON: `value` ("0x…"), the decoded bits, `reservedHigh`
 * ("0x…", bits 63:26) and `description` (the words of {@link policyText}).
 *
 * @example
 * ```ts
 * import { policyJson } from "./policy_view.ts";
 * policyJson(0x30000n).smt; // true
 * ```
 */
export function policyJson(policy: bigint): Record<string, unknown> {
  const p = decodePolicy(policy);
  return {
    value: `0x${policy.toString(16)}`,
    abiMajor: p.abiMajor,
    abiMinor: p.abiMinor,
    smt: p.smt,
    reserved17: p.reserved17,
    migrateMa: p.migrateMa,
    debug: p.debug,
    singleSocket: p.singleSocket,
    cxlAllow: p.cxlAllow,
    memAes256Xts: p.memAes256Xts,
    raplDis: p.raplDis,
    ciphertextHiding: p.ciphertextHiding,
    pageSwapDisable: p.pageSwapDisable,
    reservedHigh: `0x${p.reservedHigh.toString(16)}`,
    description: describePolicy(policy),
  };
}
