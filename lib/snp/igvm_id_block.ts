/**
 * The IGVM `IGVM_VHT_SNP_ID_BLOCK` directive (type 0x30B, 696 bytes;
 * igvm_defs `IGVM_VHS_SNP_ID_BLOCK`) built from a launch digest, a guest
 * policy and signatures, as the original igvmmeasure `sign` builds it
 * (`tools/igvmmeasure/src/id_block.rs`):
 *
 * - compatibility_mask: the SEV-SNP platform's mask; author_key_enabled: 1
 *   with an author key, else 0; reserved: zero;
 * - ld, family_id, image_id, version (1), guest_svn;
 * - id_key_algorithm = author_key_algorithm = 1 (ECDSA P-384 with SHA-384),
 *   also without an author key;
 * - id_key_signature: r, s little-endian in 72-byte fields; id_public_key:
 *   curve 2, reserved 0, qx, qy little-endian in 72-byte fields;
 * - author_key_signature / author_public_key: the author key's signature over
 *   the 0x404-byte SNP form of the ID key, and its public key; zero without
 *   an author key.
 *
 * The ID block's POLICY is not stored in the directive: loaders take it from
 * the guest-policy header.
 *
 * @module
 */

import { MeasurementError } from "../errors.ts";
import { NO_GUEST_POLICY } from "./policy.ts";
import type { IgvmFile, SnpIdBlock } from "../igvm/types.ts";
import { encodeIdBlock, ID_BLOCK_VERSION, type IdBlock } from "./id_block.ts";
import { igvmPublicKey, type P384PublicKey } from "./public_key.ts";
import { type EcdsaSignature, encodeIgvmSignature } from "./signature.ts";

/**
 * The policy of the first guest-policy header that matches `mask`
 * (any bit), as the original's `get_policy`.
 *
 * @example
 * ```ts
 * import { firstGuestPolicy } from "./igvm_id_block.ts";
 * firstGuestPolicy({ revision: { version: 1 }, platforms: [], directives: [],
 *   initializations: [{ type: "GuestPolicy", policy: 0x30000n, compatibilityMask: 1 }] }, 1); // 0x30000n
 * ```
 */
export function firstGuestPolicy(file: IgvmFile, mask: number): bigint | undefined {
  for (const h of file.initializations) {
    if (h.type === "GuestPolicy" && (h.compatibilityMask & mask) !== 0) return h.policy;
  }
  return undefined;
}

/**
 * The policy of the last guest-policy header that matches `mask` (any bit):
 * what QEMU's loader passes to the firmware in the ID block and as the launch
 * policy (`qigvm_initialization_guest_policy` keeps overwriting it).
 *
 * @example
 * ```ts
 * import { loaderGuestPolicy } from "./igvm_id_block.ts";
 * loaderGuestPolicy({ revision: { version: 1 }, platforms: [], directives: [], initializations: [
 *   { type: "GuestPolicy", policy: 0x30000n, compatibilityMask: 1 },
 *   { type: "GuestPolicy", policy: 0xb0000n, compatibilityMask: 1 },
 * ] }, 1); // 0xb0000n
 * ```
 */
export function loaderGuestPolicy(file: IgvmFile, mask: number): bigint | undefined {
  let policy: bigint | undefined;
  for (const h of file.initializations) {
    if (h.type === "GuestPolicy" && (h.compatibilityMask & mask) !== 0) policy = h.policy;
  }
  return policy;
}

/** Optional ID block fields (the original always writes zeros and 0). */
export interface IdBlockFields {
  /** FAMILY_ID, 16 bytes; zeros when absent. */
  readonly familyId?: Uint8Array;
  /** IMAGE_ID, 16 bytes; zeros when absent. */
  readonly imageId?: Uint8Array;
  /** GUEST_SVN, a u32; 0 when absent. */
  readonly guestSvn?: number;
}

/**
 * The 96-byte SNP ID block for `ld` under the file's guest policy. Throws the
 * original's MeasurementError when the file has no matching guest policy.
 *
 * @example
 * ```ts
 * import { idBlockFor } from "./igvm_id_block.ts";
 * // const { block, bytes } = idBlockFor(file, digest, snpMask);
 * ```
 */
export function idBlockFor(
  file: IgvmFile,
  ld: Uint8Array,
  mask: number,
  fields: IdBlockFields = {},
): { block: IdBlock; bytes: Uint8Array } {
  const policy = firstGuestPolicy(file, mask);
  if (policy === undefined) throw new MeasurementError(NO_GUEST_POLICY, "no-guest-policy");
  const block: IdBlock = {
    ld,
    familyId: fields.familyId ?? new Uint8Array(16),
    imageId: fields.imageId ?? new Uint8Array(16),
    version: ID_BLOCK_VERSION,
    guestSvn: fields.guestSvn ?? 0,
    policy,
  };
  return { block, bytes: encodeIdBlock(block) };
}

/** Signatures and keys that go into the directive. */
export interface IdBlockSignatures {
  /** The ID key's signature over the 96-byte ID block. */
  readonly idSignature: EcdsaSignature;
  /** The ID key's public key. */
  readonly idKey: P384PublicKey;
  /** The author key's signature over the ID key's 0x404-byte SNP form, and its public key. */
  readonly author?: { readonly signature: EcdsaSignature; readonly key: P384PublicKey };
}

/**
 * Builds the ID block directive, as the original lays it out.
 *
 * @example
 * ```ts
 * import { idBlockDirective } from "./igvm_id_block.ts";
 * // const directive = idBlockDirective(mask, block, { idSignature, idKey });
 * ```
 */
export function idBlockDirective(
  mask: number,
  block: IdBlock,
  sigs: IdBlockSignatures,
): SnpIdBlock {
  return {
    type: "SnpIdBlock",
    compatibilityMask: mask,
    authorKeyEnabled: sigs.author ? 1 : 0,
    reserved: new Uint8Array(3),
    ld: block.ld,
    familyId: block.familyId,
    imageId: block.imageId,
    version: block.version,
    guestSvn: block.guestSvn,
    idKeyAlgorithm: 1,
    authorKeyAlgorithm: 1,
    idKeySignature: encodeIgvmSignature(sigs.idSignature),
    idPublicKey: igvmPublicKey(sigs.idKey),
    authorKeySignature: sigs.author
      ? encodeIgvmSignature(sigs.author.signature)
      : new Uint8Array(144),
    authorPublicKey: sigs.author ? igvmPublicKey(sigs.author.key) : new Uint8Array(152),
  };
}

/**
 * A copy of `file` with `directive` appended after the other directives and
 * any earlier ID block of the same platform removed. (The original appends a
 * second ID block, which QEMU refuses to load; replacing it means signing a
 * signed file gives exactly the file that signing its unsigned original gives.)
 *
 * @example
 * ```ts
 * import { withIdBlock } from "./igvm_id_block.ts";
 * // const signed = withIdBlock(file, directive);
 * ```
 */
export function withIdBlock(file: IgvmFile, directive: SnpIdBlock): IgvmFile {
  const kept = file.directives.filter(
    (d) => !(d.type === "SnpIdBlock" && (d.compatibilityMask & directive.compatibilityMask) !== 0),
  );
  return { ...file, directives: [...kept, directive] };
}
