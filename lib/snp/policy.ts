/**
 * The SEV-SNP guest policy (u64), as set by an IGVM `IGVM_VHT_GUEST_POLICY`
 * header, signed into the ID block and reported in the attestation report.
 *
 * Bits (SEV-SNP ABI spec, "Guest Policy" table; `docs/measurement-notes.md` d9):
 *
 * | bits  | field                                                  |
 * |-------|--------------------------------------------------------|
 * | 7:0   | ABI_MINOR: minimum firmware ABI minor version          |
 * | 15:8  | ABI_MAJOR: minimum firmware ABI major version          |
 * | 16    | SMT: SMT allowed                                       |
 * | 17    | reserved, must be 1                                    |
 * | 18    | MIGRATE_MA: association with a migration agent allowed |
 * | 19    | DEBUG: debugging allowed                               |
 * | 20    | SINGLE_SOCKET: guest may run on only one socket        |
 * | 21    | CXL_ALLOW: CXL may be populated with guest memory      |
 * | 22    | MEM_AES_256_XTS: AES-256-XTS memory encryption required|
 * | 23    | RAPL_DIS: running average power limit must be disabled |
 * | 24    | CIPHERTEXT_HIDING: ciphertext hiding must be enabled   |
 * | 25    | PAGE_SWAP_DISABLE: SNP_PAGE_MOVE/SWAP disabled         |
 * | 63:26 | reserved, must be 0                                    |
 *
 * @module
 */

import { IgvmToolError } from "../errors.ts";

/** The original's message when no guest policy matches the SEV-SNP platform. */
export const NO_GUEST_POLICY = "IGVM file does not contain a guest policy.";

/** A decoded SEV-SNP guest policy. */
export interface GuestPolicy {
  /** The raw u64. */
  raw: bigint;
  /** Minimum ABI minor version (bits 7:0). */
  abiMinor: number;
  /** Minimum ABI major version (bits 15:8). */
  abiMajor: number;
  /** Bit 16: SMT allowed. */
  smt: boolean;
  /** Bit 17: reserved, must be 1. */
  reserved17: boolean;
  /** Bit 18: association with a migration agent allowed. */
  migrateMa: boolean;
  /** Bit 19: debugging allowed. */
  debug: boolean;
  /** Bit 20: guest may be activated on one socket only. */
  singleSocket: boolean;
  /** Bit 21: CXL may be populated with guest memory. */
  cxlAllow: boolean;
  /** Bit 22: AES-256-XTS memory encryption required. */
  memAes256Xts: boolean;
  /** Bit 23: running average power limit (RAPL) must be disabled. */
  raplDis: boolean;
  /** Bit 24: ciphertext hiding must be enabled. */
  ciphertextHiding: boolean;
  /** Bit 25: guest page swap/move disabled. */
  pageSwapDisable: boolean;
  /** Bits 63:26 as set in `raw` (must be zero). */
  reservedHigh: bigint;
}

const FLAGS: ReadonlyArray<readonly [number, keyof GuestPolicy, string]> = [
  [16, "smt", "SMT"],
  [18, "migrateMa", "MIGRATE_MA"],
  [19, "debug", "DEBUG"],
  [20, "singleSocket", "SINGLE_SOCKET"],
  [21, "cxlAllow", "CXL_ALLOW"],
  [22, "memAes256Xts", "MEM_AES_256_XTS"],
  [23, "raplDis", "RAPL_DIS"],
  [24, "ciphertextHiding", "CIPHERTEXT_HIDING"],
  [25, "pageSwapDisable", "PAGE_SWAP_DISABLE"],
];

function bit(policy: bigint, n: number): boolean {
  return ((policy >> BigInt(n)) & 1n) === 1n;
}

/**
 * Decodes the bits of a guest policy.
 *
 * @example
 * ```ts
 * import { decodePolicy } from "./policy.ts";
 * const p = decodePolicy(0xb0000n);
 * p.smt; // true
 * p.debug; // true
 * ```
 */
export function decodePolicy(policy: bigint): GuestPolicy {
  if (policy < 0n || policy > 0xffffffffffffffffn) {
    throw new IgvmToolError(`guest policy ${policy} is not a 64-bit unsigned integer`);
  }
  return {
    raw: policy,
    abiMinor: Number(policy & 0xffn),
    abiMajor: Number((policy >> 8n) & 0xffn),
    smt: bit(policy, 16),
    reserved17: bit(policy, 17),
    migrateMa: bit(policy, 18),
    debug: bit(policy, 19),
    singleSocket: bit(policy, 20),
    cxlAllow: bit(policy, 21),
    memAes256Xts: bit(policy, 22),
    raplDis: bit(policy, 23),
    ciphertextHiding: bit(policy, 24),
    pageSwapDisable: bit(policy, 25),
    reservedHigh: policy & ~((1n << 26n) - 1n),
  };
}

/**
 * A readable list for a guest policy: the minimum ABI version, the name of
 * every set flag (spec names), and a warning entry when reserved bit 17 is
 * clear or a bit above 25 is set.
 *
 * @example
 * ```ts
 * import { describePolicy } from "./policy.ts";
 * describePolicy(0xb0000n); // ["ABI >= 0.0", "SMT", "DEBUG"]
 * describePolicy(0x3001fn); // ["ABI >= 0.31", "SMT"]
 * ```
 */
export function describePolicy(policy: bigint): string[] {
  const p = decodePolicy(policy);
  const out = [`ABI >= ${p.abiMajor}.${p.abiMinor}`];
  for (const [, key, name] of FLAGS) if (p[key] === true) out.push(name);
  if (!p.reserved17) out.push("reserved bit 17 is 0 (must be 1)");
  if (p.reservedHigh !== 0n) {
    out.push(`reserved bits set: 0x${p.reservedHigh.toString(16)} (must be 0)`);
  }
  return out;
}
