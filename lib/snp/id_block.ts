/**
 * The SEV-SNP ID block: the 96-byte structure the guest owner signs and the
 * hypervisor hands to `SNP_LAUNCH_FINISH`. Its fields come from an IGVM
 * `IGVM_VHT_SNP_ID_BLOCK` directive (LD, IDs, version, SVN) plus the policy of
 * the `IGVM_VHT_GUEST_POLICY` header.
 *
 * Layout (SEV-SNP ABI spec, "ID Block" table; `docs/measurement-notes.md` d2), all
 * integers little-endian:
 *
 * | off  | size | field      |
 * |------|------|------------|
 * | 0x00 | 48   | LD         |
 * | 0x30 | 16   | FAMILY_ID  |
 * | 0x40 | 16   | IMAGE_ID   |
 * | 0x50 | 4    | VERSION    |
 * | 0x54 | 4    | GUEST_SVN  |
 * | 0x58 | 8    | POLICY     |
 *
 * @module
 */

import { IgvmToolError } from "../errors.ts";

/** Size of an encoded ID block in bytes. */
export const ID_BLOCK_SIZE = 0x60;

/** The only ID block version the SEV-SNP firmware accepts. */
export const ID_BLOCK_VERSION = 1;

/** The fields of an SEV-SNP ID block. */
export interface IdBlock {
  /** Expected launch digest (48 bytes). */
  ld: Uint8Array;
  /** Family ID chosen by the guest owner (16 bytes). */
  familyId: Uint8Array;
  /** Image ID chosen by the guest owner (16 bytes). */
  imageId: Uint8Array;
  /** Structure version; must be 1. */
  version: number;
  /** Guest security version number (u32). */
  guestSvn: number;
  /** Guest policy (u64). */
  policy: bigint;
}

function checkLength(name: string, value: Uint8Array, size: number): void {
  if (value.length !== size) {
    throw new IgvmToolError(`ID block ${name} is ${value.length} bytes, expected ${size}`);
  }
}

function checkU32(name: string, value: number): void {
  if (!Number.isInteger(value) || value < 0 || value > 0xffffffff) {
    throw new IgvmToolError(`ID block ${name} ${value} is not a 32-bit unsigned integer`);
  }
}

/**
 * Encodes `block` into the 96-byte ID block. Throws `IgvmToolError` when a
 * field has the wrong length or range.
 *
 * @example
 * ```ts
 * import { encodeIdBlock } from "./id_block.ts";
 * const bytes = encodeIdBlock({
 *   ld: new Uint8Array(48), familyId: new Uint8Array(16), imageId: new Uint8Array(16),
 *   version: 1, guestSvn: 0, policy: 0x30000n,
 * });
 * bytes.length; // 96
 * ```
 */
export function encodeIdBlock(block: IdBlock): Uint8Array {
  checkLength("LD", block.ld, 48);
  checkLength("FAMILY_ID", block.familyId, 16);
  checkLength("IMAGE_ID", block.imageId, 16);
  checkU32("VERSION", block.version);
  checkU32("GUEST_SVN", block.guestSvn);
  if (block.policy < 0n || block.policy > 0xffffffffffffffffn) {
    throw new IgvmToolError(`ID block POLICY 0x${block.policy.toString(16)} is not a u64`);
  }
  const out = new Uint8Array(ID_BLOCK_SIZE);
  const view = new DataView(out.buffer);
  out.set(block.ld, 0x00);
  out.set(block.familyId, 0x30);
  out.set(block.imageId, 0x40);
  view.setUint32(0x50, block.version, true);
  view.setUint32(0x54, block.guestSvn, true);
  view.setBigUint64(0x58, block.policy, true);
  return out;
}

/**
 * Decodes a 96-byte ID block. The returned arrays are copies. Throws
 * `IgvmToolError` if `bytes` is not 96 bytes long.
 *
 * @example
 * ```ts
 * import { decodeIdBlock } from "./id_block.ts";
 * const b = decodeIdBlock(new Uint8Array(96));
 * b.policy; // 0n
 * ```
 */
export function decodeIdBlock(bytes: Uint8Array): IdBlock {
  if (bytes.length !== ID_BLOCK_SIZE) {
    throw new IgvmToolError(`ID block is ${bytes.length} bytes, expected ${ID_BLOCK_SIZE}`);
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  return {
    ld: bytes.slice(0x00, 0x30),
    familyId: bytes.slice(0x30, 0x40),
    imageId: bytes.slice(0x40, 0x50),
    version: view.getUint32(0x50, true),
    guestSvn: view.getUint32(0x54, true),
    policy: view.getBigUint64(0x58, true),
  };
}
