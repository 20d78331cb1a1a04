/**
 * The two signed-measurement directives read and written, field by field as
 * `structs.ts` lays them out: `IGVM_VHS_SNP_ID_BLOCK` (type 0x30B) and
 * `IGVM_VHS_VBS_MEASUREMENT` (type 0x311). The crate decodes them without
 * checks (`validate` has none for them yet).
 *
 * @module
 */

import { getBytes, getU32, getU8, setBytes, setU32, setU8, type StructView } from "./layout.ts";
import { IGVM_VHS_SNP_ID_BLOCK, IGVM_VHS_VBS_MEASUREMENT } from "./structs.ts";
import type { SnpIdBlock, VbsMeasurement } from "./types.ts";

const ID = IGVM_VHS_SNP_ID_BLOCK.fields;
const VBS = IGVM_VHS_VBS_MEASUREMENT.fields;

/**
 * Decodes an SNP ID block directive (all fields kept as stored).
 *
 * @example
 * ```ts
 * import { decodeSnpIdBlock } from "./id_block_codec.ts";
 * const view = new DataView(new ArrayBuffer(696));
 * view.setUint32(0, 1, true); // compatibility mask
 * view.setUint32(0x58, 1, true); // version
 * decodeSnpIdBlock({ view, at: 0 }).version; // 1
 * ```
 */
export function decodeSnpIdBlock(b: StructView): SnpIdBlock {
  return {
    type: "SnpIdBlock",
    compatibilityMask: getU32(b, ID.compatibilityMask),
    authorKeyEnabled: getU8(b, ID.authorKeyEnabled),
    reserved: getBytes(b, ID.reserved),
    ld: getBytes(b, ID.ld),
    familyId: getBytes(b, ID.familyId),
    imageId: getBytes(b, ID.imageId),
    version: getU32(b, ID.version),
    guestSvn: getU32(b, ID.guestSvn),
    idKeyAlgorithm: getU32(b, ID.idKeyAlgorithm),
    authorKeyAlgorithm: getU32(b, ID.authorKeyAlgorithm),
    idKeySignature: getBytes(b, ID.idKeySignature),
    idPublicKey: getBytes(b, ID.idPublicKey),
    authorKeySignature: getBytes(b, ID.authorKeySignature),
    authorPublicKey: getBytes(b, ID.authorPublicKey),
  };
}

/**
 * Writes an SNP ID block directive's structure into a zeroed body.
 *
 * @example
 * ```ts
 * import { decodeSnpIdBlock, encodeSnpIdBlock } from "./id_block_codec.ts";
 * const view = new DataView(new ArrayBuffer(696));
 * const block = { ...decodeSnpIdBlock({ view, at: 0 }), ld: new Uint8Array(48).fill(7) };
 * encodeSnpIdBlock({ view, at: 0 }, block);
 * decodeSnpIdBlock({ view, at: 0 }).ld[0]; // 7
 * ```
 */
export function encodeSnpIdBlock(b: StructView, h: SnpIdBlock): void {
  setU32(b, ID.compatibilityMask, h.compatibilityMask);
  setU8(b, ID.authorKeyEnabled, h.authorKeyEnabled);
  setBytes(b, ID.reserved, h.reserved);
  setBytes(b, ID.ld, h.ld);
  setBytes(b, ID.familyId, h.familyId);
  setBytes(b, ID.imageId, h.imageId);
  setU32(b, ID.version, h.version);
  setU32(b, ID.guestSvn, h.guestSvn);
  setU32(b, ID.idKeyAlgorithm, h.idKeyAlgorithm);
  setU32(b, ID.authorKeyAlgorithm, h.authorKeyAlgorithm);
  setBytes(b, ID.idKeySignature, h.idKeySignature);
  setBytes(b, ID.idPublicKey, h.idPublicKey);
  setBytes(b, ID.authorKeySignature, h.authorKeySignature);
  setBytes(b, ID.authorPublicKey, h.authorPublicKey);
}

/**
 * Decodes a VBS measurement directive.
 *
 * @example
 * ```ts
 * import { decodeVbsMeasurement } from "./id_block_codec.ts";
 * const view = new DataView(new ArrayBuffer(864));
 * view.setUint32(4, 1, true); // version
 * decodeVbsMeasurement({ view, at: 0 }).version; // 1
 * ```
 */
export function decodeVbsMeasurement(b: StructView): VbsMeasurement {
  return {
    type: "VbsMeasurement",
    compatibilityMask: getU32(b, VBS.compatibilityMask),
    version: getU32(b, VBS.version),
    productId: getU32(b, VBS.productId),
    moduleId: getU32(b, VBS.moduleId),
    securityVersion: getU32(b, VBS.securityVersion),
    policyFlags: getU32(b, VBS.policyFlags),
    bootDigestAlgo: getU32(b, VBS.bootDigestAlgo),
    signingAlgo: getU32(b, VBS.signingAlgo),
    bootMeasurementDigest: getBytes(b, VBS.bootMeasurementDigest),
    signature: getBytes(b, VBS.signature),
    publicKey: getBytes(b, VBS.publicKey),
  };
}

/**
 * Writes a VBS measurement directive's structure into a zeroed body.
 *
 * @example
 * ```ts
 * import { decodeVbsMeasurement, encodeVbsMeasurement } from "./id_block_codec.ts";
 * const view = new DataView(new ArrayBuffer(864));
 * const h = decodeVbsMeasurement({ view, at: 0 });
 * encodeVbsMeasurement({ view, at: 0 }, { ...h, productId: 5 });
 * view.getUint32(8, true); // 5
 * ```
 */
export function encodeVbsMeasurement(b: StructView, h: VbsMeasurement): void {
  setU32(b, VBS.compatibilityMask, h.compatibilityMask);
  setU32(b, VBS.version, h.version);
  setU32(b, VBS.productId, h.productId);
  setU32(b, VBS.moduleId, h.moduleId);
  setU32(b, VBS.securityVersion, h.securityVersion);
  setU32(b, VBS.policyFlags, h.policyFlags);
  setU32(b, VBS.bootDigestAlgo, h.bootDigestAlgo);
  setU32(b, VBS.signingAlgo, h.signingAlgo);
  setBytes(b, VBS.bootMeasurementDigest, h.bootMeasurementDigest);
  setBytes(b, VBS.signature, h.signature);
  setBytes(b, VBS.publicKey, h.publicKey);
}
