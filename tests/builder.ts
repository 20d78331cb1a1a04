/**
 * Test helpers that build IGVM files in memory (also used by the sample
 * script and the benchmark). Headers are plain objects of the library's
 * model (`lib/igvm/types.ts`); these functions fill in the usual values.
 */

import { PAGE_SIZE_4K, PlatformType } from "../lib/igvm/defs.ts";
import type {
  GuestPolicy,
  IgvmFile,
  PageData,
  SnpIdBlock,
  SnpVpContext,
  SupportedPlatform,
} from "../lib/igvm/types.ts";

/**
 * A platform header with version 1.
 */
export function platform(
  platformType: number,
  compatibilityMask: number,
  sharedGpaBoundary = 0n,
  highestVtl = 0,
): SupportedPlatform {
  return {
    type: "SupportedPlatform",
    compatibilityMask,
    highestVtl,
    platformType,
    platformVersion: 1,
    sharedGpaBoundary,
  };
}

/**
 * A guest policy header.
 */
export function guestPolicy(policy: bigint, compatibilityMask: number): GuestPolicy {
  return { type: "GuestPolicy", policy, compatibilityMask };
}

/**
 * A page-data directive; `data` null for a page without data.
 */
export function pageData(
  gpa: bigint,
  compatibilityMask: number,
  data: Uint8Array | null,
  flags = 0,
  dataType = 0,
): PageData {
  return { type: "PageData", gpa, compatibilityMask, flags, dataType, data };
}

/**
 * An SNP VP context; the VMSA is zero-padded to 4 KiB.
 */
export function snpVpContext(
  gpa: bigint,
  compatibilityMask: number,
  vmsa: Uint8Array,
  vpIndex = 0,
): SnpVpContext {
  const page = new Uint8Array(PAGE_SIZE_4K);
  page.set(vmsa.subarray(0, PAGE_SIZE_4K));
  return { type: "SnpVpContext", gpa, compatibilityMask, vpIndex, vmsa: page };
}

/**
 * A version-1 file with one SEV-SNP platform (mask 0x1) around `directives`.
 */
export function snpFile(directives: IgvmFile["directives"], policy?: bigint): IgvmFile {
  return {
    revision: { version: 1 },
    platforms: [platform(PlatformType.SEV_SNP, 0x1)],
    initializations: policy === undefined ? [] : [guestPolicy(policy, 0x1)],
    directives,
  };
}

/**
 * An SNP ID block directive carrying only an LD (no signatures or keys): what
 * `measure` compares; for tests and tools that do not sign.
 */
export function unsignedIdBlock(ld: Uint8Array, compatibilityMask: number): SnpIdBlock {
  return {
    type: "SnpIdBlock",
    compatibilityMask,
    authorKeyEnabled: 0,
    reserved: new Uint8Array(3),
    ld,
    familyId: new Uint8Array(16),
    imageId: new Uint8Array(16),
    version: 1,
    guestSvn: 0,
    idKeyAlgorithm: 1,
    authorKeyAlgorithm: 0,
    idKeySignature: new Uint8Array(144),
    idPublicKey: new Uint8Array(152),
    authorKeySignature: new Uint8Array(144),
    authorPublicKey: new Uint8Array(152),
  };
}
