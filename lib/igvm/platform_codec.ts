/**
 * `IGVM_VHS_SUPPORTED_PLATFORM` (type 0x1, `structs.ts`) read and written:
 * microsoft/igvm `IgvmPlatformHeader::new_from_binary_split` and its
 * serialization.
 *
 * @module
 */

import { validatePlatform } from "./header_validate.ts";
import { getU16, getU32, getU64, getU8, setU16, setU32, setU64, setU8 } from "./layout.ts";
import type { StructView } from "./layout.ts";
import { IGVM_VHS_SUPPORTED_PLATFORM } from "./structs.ts";
import type { SupportedPlatform } from "./types.ts";

const F = IGVM_VHS_SUPPORTED_PLATFORM.fields;

/**
 * Decodes a platform header and applies `IgvmPlatformHeader::validate`
 * (`legacy`: igvm 0.4.0's platform types). The caller has checked the type
 * and length.
 *
 * @example
 * ```ts
 * import { decodePlatform } from "./platform_codec.ts";
 * const view = new DataView(new ArrayBuffer(16));
 * view.setUint32(0, 1, true); // compatibility mask
 * view.setUint8(5, 2); // platform type: SEV-SNP
 * view.setUint16(6, 1, true); // platform version
 * decodePlatform({ view, at: 0 }).platformType; // 2
 * ```
 */
export function decodePlatform(b: StructView, legacy = false): SupportedPlatform {
  const h: SupportedPlatform = {
    type: "SupportedPlatform",
    compatibilityMask: getU32(b, F.compatibilityMask),
    highestVtl: getU8(b, F.highestVtl),
    platformType: getU8(b, F.platformType),
    platformVersion: getU16(b, F.platformVersion),
    sharedGpaBoundary: getU64(b, F.sharedGpaBoundary),
  };
  validatePlatform(h, legacy);
  return h;
}

/**
 * Writes a platform header's structure into a zeroed body.
 *
 * @example
 * ```ts
 * import { encodePlatform } from "./platform_codec.ts";
 * const view = new DataView(new ArrayBuffer(16));
 * encodePlatform({ view, at: 0 }, {
 *   type: "SupportedPlatform", compatibilityMask: 1, highestVtl: 0, platformType: 2,
 *   platformVersion: 1, sharedGpaBoundary: 0n,
 * });
 * view.getUint8(5); // 2
 * ```
 */
export function encodePlatform(b: StructView, h: SupportedPlatform): void {
  setU32(b, F.compatibilityMask, h.compatibilityMask);
  setU8(b, F.highestVtl, h.highestVtl);
  setU8(b, F.platformType, h.platformType);
  setU16(b, F.platformVersion, h.platformVersion);
  setU64(b, F.sharedGpaBoundary, h.sharedGpaBoundary);
}
