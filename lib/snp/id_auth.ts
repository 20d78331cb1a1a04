/**
 * The SEV-SNP ID authentication information structure passed with the ID
 * block to `SNP_LAUNCH_FINISH`, and signing of an ID block the way COCONUT's
 * `igvmmeasure` does it.
 *
 * Layout (SEV-SNP ABI spec, "ID Authentication Information Structure";
 * `docs/measurement-notes.md` d3), 0x1000 bytes, little-endian:
 *
 * | off   | size  | field                                              |
 * |-------|-------|----------------------------------------------------|
 * | 0x000 | 4     | ID_KEY_ALGO (1 = ECDSA P-384 with SHA-384)         |
 * | 0x004 | 4     | AUTH_KEY_ALGO (1)                                  |
 * | 0x008 | 56    | reserved                                           |
 * | 0x040 | 0x200 | ID_BLOCK_SIG: ID key's signature over the ID block |
 * | 0x240 | 0x404 | ID_KEY: SNP public key structure                   |
 * | 0x644 | 60    | reserved                                           |
 * | 0x680 | 0x200 | ID_KEY_SIG: author key's signature over ID_KEY     |
 * | 0x880 | 0x404 | AUTHOR_KEY: SNP public key structure               |
 * | 0xC84 | 892   | reserved                                           |
 *
 * @module
 */

import { IgvmToolError } from "../errors.ts";
import type { P384PrivateKey } from "./keys.ts";
import { type P384PublicKey, SNP_PUBLIC_KEY_SIZE, snpPublicKey } from "./public_key.ts";
import {
  type EcdsaSignature,
  encodeSnpSignature,
  signP384,
  SNP_SIGNATURE_SIZE,
} from "./signature.ts";

/** Size of the ID authentication information structure. */
export const ID_AUTH_INFO_SIZE = 0x1000;

/** Algorithm identifier for ECDSA P-384 with SHA-384. */
export const ALGO_ECDSA_P384_SHA384 = 1;

/** The fields of the ID authentication information, in their SNP byte forms. */
export interface IdAuthInfo {
  /** ID_KEY_ALGO (u32). */
  idKeyAlgo: number;
  /** AUTH_KEY_ALGO (u32). */
  authorKeyAlgo: number;
  /** ID_BLOCK_SIG, 0x200-byte SNP signature. */
  idBlockSignature: Uint8Array;
  /** ID_KEY, 0x404-byte SNP public key. */
  idKey: Uint8Array;
  /** ID_KEY_SIG, 0x200-byte SNP signature (zeros without an author key). */
  idKeySignature: Uint8Array;
  /** AUTHOR_KEY, 0x404-byte SNP public key (zeros without an author key). */
  authorKey: Uint8Array;
}

/** The result of signing an ID block: signatures and public keys. */
export interface SignedIdBlock {
  /** The ID key's signature over the 96-byte ID block. */
  idBlockSignature: EcdsaSignature;
  /** The ID public key. */
  idKey: P384PublicKey;
  /** The author key's signature over the 0x404-byte SNP form of the ID key. */
  idKeySignature?: EcdsaSignature;
  /** The author public key. */
  authorKey?: P384PublicKey;
}

function checkSize(name: string, value: Uint8Array, size: number): void {
  if (value.length !== size) {
    throw new IgvmToolError(`ID auth info ${name} is ${value.length} bytes, expected ${size}`);
  }
}

/**
 * Encodes the 4096-byte ID authentication information structure.
 *
 * @example
 * ```ts
 * import { encodeIdAuthInfo } from "./id_auth.ts";
 * const bytes = encodeIdAuthInfo({
 *   idKeyAlgo: 1, authorKeyAlgo: 1,
 *   idBlockSignature: new Uint8Array(0x200), idKey: new Uint8Array(0x404),
 *   idKeySignature: new Uint8Array(0x200), authorKey: new Uint8Array(0x404),
 * });
 * bytes.length; // 4096
 * ```
 */
export function encodeIdAuthInfo(info: IdAuthInfo): Uint8Array {
  checkSize("ID_BLOCK_SIG", info.idBlockSignature, SNP_SIGNATURE_SIZE);
  checkSize("ID_KEY", info.idKey, SNP_PUBLIC_KEY_SIZE);
  checkSize("ID_KEY_SIG", info.idKeySignature, SNP_SIGNATURE_SIZE);
  checkSize("AUTHOR_KEY", info.authorKey, SNP_PUBLIC_KEY_SIZE);
  const out = new Uint8Array(ID_AUTH_INFO_SIZE);
  const view = new DataView(out.buffer);
  view.setUint32(0x000, info.idKeyAlgo, true);
  view.setUint32(0x004, info.authorKeyAlgo, true);
  out.set(info.idBlockSignature, 0x040);
  out.set(info.idKey, 0x240);
  out.set(info.idKeySignature, 0x680);
  out.set(info.authorKey, 0x880);
  return out;
}

/**
 * Splits a 4096-byte ID authentication information structure into its
 * fields (copies). Reserved bytes are not checked.
 *
 * @example
 * ```ts
 * import { decodeIdAuthInfo } from "./id_auth.ts";
 * decodeIdAuthInfo(new Uint8Array(4096)).idKey.length; // 1028
 * ```
 */
export function decodeIdAuthInfo(bytes: Uint8Array): IdAuthInfo {
  checkSize("structure", bytes, ID_AUTH_INFO_SIZE);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  return {
    idKeyAlgo: view.getUint32(0x000, true),
    authorKeyAlgo: view.getUint32(0x004, true),
    idBlockSignature: bytes.slice(0x040, 0x240),
    idKey: bytes.slice(0x240, 0x644),
    idKeySignature: bytes.slice(0x680, 0x880),
    authorKey: bytes.slice(0x880, 0xc84),
  };
}

/**
 * Signs an encoded 96-byte ID block with the ID key and, if given, signs the
 * ID key's 0x404-byte SNP public key structure with the author key (the
 * reserved u32 of the IGVM key form is not part of the signed bytes).
 * Deterministic; see {@link signP384}.
 *
 * @example
 * ```ts
 * import { signIdBlock } from "./id_auth.ts";
 * import { encodeIdBlock } from "./id_block.ts";
 * import { parsePrivateKeyPem } from "./keys.ts";
 * const idKey = parsePrivateKeyPem(
 *   await Deno.readTextFile("testdata/keys/example_id_key.pem"),
 * );
 * const block = encodeIdBlock({
 *   ld: new Uint8Array(48), familyId: new Uint8Array(16), imageId: new Uint8Array(16),
 *   version: 1, guestSvn: 0, policy: 0x30000n,
 * });
 * const signed = signIdBlock(block, idKey);
 * ```
 */
export function signIdBlock(
  idBlock: Uint8Array,
  idKey: P384PrivateKey,
  authorKey?: P384PrivateKey,
): SignedIdBlock {
  if (idBlock.length !== 0x60) {
    throw new IgvmToolError(`ID block is ${idBlock.length} bytes, expected 96`);
  }
  const idPublic = { qx: idKey.qx, qy: idKey.qy };
  const signed: SignedIdBlock = {
    idBlockSignature: signP384(idBlock, idKey.d),
    idKey: idPublic,
  };
  if (authorKey !== undefined) {
    signed.idKeySignature = signP384(snpPublicKey(idPublic), authorKey.d);
    signed.authorKey = { qx: authorKey.qx, qy: authorKey.qy };
  }
  return signed;
}

/**
 * Builds the 4096-byte ID authentication information from signatures and
 * keys. Without an author key, ID_KEY_SIG and AUTHOR_KEY stay zero; both
 * algorithm fields are 1 either way (as `igvmmeasure` writes them).
 *
 * @example
 * ```ts
 * import { idAuthInfoFromSigned } from "./id_auth.ts";
 * // const auth = idAuthInfoFromSigned(signIdBlock(block, idKey, authorKey));
 * ```
 */
export function idAuthInfoFromSigned(signed: SignedIdBlock): Uint8Array {
  return encodeIdAuthInfo({
    idKeyAlgo: ALGO_ECDSA_P384_SHA384,
    authorKeyAlgo: ALGO_ECDSA_P384_SHA384,
    idBlockSignature: encodeSnpSignature(signed.idBlockSignature),
    idKey: snpPublicKey(signed.idKey),
    idKeySignature: signed.idKeySignature === undefined
      ? new Uint8Array(SNP_SIGNATURE_SIZE)
      : encodeSnpSignature(signed.idKeySignature),
    authorKey: signed.authorKey === undefined
      ? new Uint8Array(SNP_PUBLIC_KEY_SIZE)
      : snpPublicKey(signed.authorKey),
  });
}
