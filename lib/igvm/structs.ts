/**
 * Every on-disk structure of an IGVM file, each declared once with its
 * igvm_defs name, its size and its fields (microsoft/igvm
 * `igvm_defs/src/lib.rs`; little-endian, `repr(C)`). The parser and the
 * writer both read their offsets from here; `tests/igvm_structs_test.ts`
 * checks that each structure's fields tile it exactly.
 *
 * Field names follow the model (`types.ts`) where it keeps the field.
 *
 * @module
 */

import { PageDataFlags, RelocationFlags, RequiredMemoryFlags } from "./defs.ts";
import { bytes, struct, u16, u32, u64, u8 } from "./layout.ts";

/** `IGVM_FIXED_HEADER` (format version 1, 24 bytes), at offset 0 of the file. */
export const IGVM_FIXED_HEADER = struct("IGVM_FIXED_HEADER", 24, {
  magic: u32(0), // IGVM_MAGIC_VALUE, "IGVM"
  formatVersion: u32(4),
  variableHeaderOffset: u32(8),
  variableHeaderSize: u32(12),
  totalFileSize: u32(16),
  checksum: u32(20), // CRC-32 of the fixed header (this field 0) and the variable headers
});

/** `IGVM_FIXED_HEADER_V2` (format version 2, 32 bytes): the v1 fields, then architecture and page size. */
export const IGVM_FIXED_HEADER_V2 = struct("IGVM_FIXED_HEADER_V2", 32, {
  ...IGVM_FIXED_HEADER.fields,
  architecture: u32(24), // IgvmArchitecture
  pageSize: u32(28),
});

/** `IGVM_VHS_VARIABLE_HEADER` (8 bytes): the prefix of every variable header. */
export const IGVM_VHS_VARIABLE_HEADER = struct("IGVM_VHS_VARIABLE_HEADER", 8, {
  type: u32(0), // IgvmVariableHeaderType
  length: u32(4), // size of the structure that follows, without the padding to 8 bytes
});

/** `IGVM_VHS_SUPPORTED_PLATFORM` (type 0x1, 16 bytes). */
export const IGVM_VHS_SUPPORTED_PLATFORM = struct("IGVM_VHS_SUPPORTED_PLATFORM", 16, {
  compatibilityMask: u32(0),
  highestVtl: u8(4),
  platformType: u8(5), // IgvmPlatformType
  platformVersion: u16(6),
  sharedGpaBoundary: u64(8),
});

/** `IGVM_VHS_GUEST_POLICY` (type 0x101, 16 bytes). */
export const IGVM_VHS_GUEST_POLICY = struct("IGVM_VHS_GUEST_POLICY", 16, {
  policy: u64(0),
  compatibilityMask: u32(8),
  reserved: u32(12),
});

/** `IGVM_VHS_RELOCATABLE_REGION` (type 0x102, 48 bytes). */
export const IGVM_VHS_RELOCATABLE_REGION = struct("IGVM_VHS_RELOCATABLE_REGION", 48, {
  compatibilityMask: u32(0),
  vpIndex: u16(4),
  vtl: u8(6),
  flags: u8(7, RelocationFlags), // IGVM_VHF_RELOCATABLE_REGION_*
  relocationAlignment: u64(8),
  relocationRegionGpa: u64(16),
  relocationRegionSize: u64(24),
  minimumRelocationGpa: u64(32),
  maximumRelocationGpa: u64(40),
});

/** `IGVM_VHS_PAGE_TABLE_RELOCATION` (type 0x103, 32 bytes). */
export const IGVM_VHS_PAGE_TABLE_RELOCATION = struct("IGVM_VHS_PAGE_TABLE_RELOCATION", 32, {
  compatibilityMask: u32(0),
  vpIndex: u16(4),
  vtl: u8(6),
  reserved: u8(7),
  gpa: u64(8),
  size: u64(16),
  usedSize: u64(24),
});

/** `IGVM_VHS_CORIM_DATA` (types 0x104 CoRIM document and 0x105 its signature, 16 bytes). */
export const IGVM_VHS_CORIM_DATA = struct("IGVM_VHS_CORIM_DATA", 16, {
  compatibilityMask: u32(0),
  fileOffset: u32(4),
  sizeBytes: u32(8),
  reserved: u32(12),
});

/** `IGVM_VHS_CCA_POLICY` (type 0x106, 32 bytes). */
export const IGVM_VHS_CCA_POLICY = struct("IGVM_VHS_CCA_POLICY", 32, {
  compatibilityMask: u32(0),
  reserved: u32(4),
  attributesRequiredZeroes: u64(8),
  attributesRequiredOnes: u64(16),
  hashAlgorithm: u8(24), // CcaHashAlgorithm
  lfaPolicy: u8(25), // CcaLfaPolicy
  reserved2: bytes(26, 6),
});

/** `IGVM_VHS_PARAMETER_AREA` (type 0x301, 16 bytes). */
export const IGVM_VHS_PARAMETER_AREA = struct("IGVM_VHS_PARAMETER_AREA", 16, {
  numberOfBytes: u64(0),
  parameterAreaIndex: u32(8),
  fileOffset: u32(12), // initial contents, or 0 for none
});

/** `IGVM_VHS_PAGE_DATA` (type 0x302, 24 bytes). */
export const IGVM_VHS_PAGE_DATA = struct("IGVM_VHS_PAGE_DATA", 24, {
  gpa: u64(0),
  compatibilityMask: u32(8),
  fileOffset: u32(12), // 4 KiB of data, or 0 for a page without data
  flags: u32(16, PageDataFlags), // IgvmPageDataFlags
  dataType: u16(20), // IgvmPageDataType
  reserved: u16(22),
});

/** `IGVM_VHS_PARAMETER_INSERT` (type 0x303, 16 bytes). */
export const IGVM_VHS_PARAMETER_INSERT = struct("IGVM_VHS_PARAMETER_INSERT", 16, {
  gpa: u64(0),
  compatibilityMask: u32(8),
  parameterAreaIndex: u32(12),
});

/** `IGVM_VHS_PARAMETER` (8 bytes): every parameter-usage header (0x307–0x310, 0x312, 0x313). */
export const IGVM_VHS_PARAMETER = struct("IGVM_VHS_PARAMETER", 8, {
  parameterAreaIndex: u32(0),
  byteOffset: u32(4),
});

/**
 * `IGVM_VHS_VP_CONTEXT` (type 0x304, 20 bytes: its u64 is unaligned, so the
 * structure is not padded; the header still takes 24 bytes in the section).
 */
export const IGVM_VHS_VP_CONTEXT = struct("IGVM_VHS_VP_CONTEXT", 20, {
  gpa: u64(0),
  compatibilityMask: u32(8),
  fileOffset: u32(12),
  vpIndex: u16(16),
  reserved: u16(18),
});

/** `IGVM_VHS_REQUIRED_MEMORY` (type 0x305, 24 bytes). */
export const IGVM_VHS_REQUIRED_MEMORY = struct("IGVM_VHS_REQUIRED_MEMORY", 24, {
  gpa: u64(0),
  compatibilityMask: u32(8),
  numberOfBytes: u32(12),
  flags: u32(16, RequiredMemoryFlags), // RequiredMemoryFlags
  reserved: u32(20),
});

/** `IGVM_VHS_ERROR_RANGE` (type 0x30D, 16 bytes). */
export const IGVM_VHS_ERROR_RANGE = struct("IGVM_VHS_ERROR_RANGE", 16, {
  gpa: u64(0),
  compatibilityMask: u32(8),
  sizeBytes: u32(12),
});

/** `IGVM_VHS_SNP_ID_BLOCK_SIGNATURE` (144 bytes): ECDSA r and s, little-endian, zero-extended. */
export const IGVM_VHS_SNP_ID_BLOCK_SIGNATURE = struct("IGVM_VHS_SNP_ID_BLOCK_SIGNATURE", 144, {
  rComp: bytes(0, 72),
  sComp: bytes(72, 72),
});

/** `IGVM_VHS_SNP_ID_BLOCK_PUBLIC_KEY` (152 bytes): an ECDSA public key, little-endian coordinates. */
export const IGVM_VHS_SNP_ID_BLOCK_PUBLIC_KEY = struct("IGVM_VHS_SNP_ID_BLOCK_PUBLIC_KEY", 152, {
  curve: u32(0),
  reserved: u32(4),
  qx: bytes(8, 72),
  qy: bytes(80, 72),
});

/** `IGVM_VHS_SNP_ID_BLOCK` (type 0x30B, 696 bytes). Signatures and keys are kept as bytes. */
export const IGVM_VHS_SNP_ID_BLOCK = struct("IGVM_VHS_SNP_ID_BLOCK", 696, {
  compatibilityMask: u32(0x0),
  authorKeyEnabled: u8(0x4),
  reserved: bytes(0x5, 3),
  ld: bytes(0x8, 48),
  familyId: bytes(0x38, 16),
  imageId: bytes(0x48, 16),
  version: u32(0x58),
  guestSvn: u32(0x5c),
  idKeyAlgorithm: u32(0x60),
  authorKeyAlgorithm: u32(0x64),
  idKeySignature: bytes(0x68, IGVM_VHS_SNP_ID_BLOCK_SIGNATURE.size),
  idPublicKey: bytes(0xf8, IGVM_VHS_SNP_ID_BLOCK_PUBLIC_KEY.size),
  authorKeySignature: bytes(0x190, IGVM_VHS_SNP_ID_BLOCK_SIGNATURE.size),
  authorPublicKey: bytes(0x220, IGVM_VHS_SNP_ID_BLOCK_PUBLIC_KEY.size),
});

/** `IGVM_VHS_VBS_MEASUREMENT` (type 0x311, 864 bytes). */
export const IGVM_VHS_VBS_MEASUREMENT = struct("IGVM_VHS_VBS_MEASUREMENT", 864, {
  compatibilityMask: u32(0),
  version: u32(4),
  productId: u32(8),
  moduleId: u32(12),
  securityVersion: u32(16),
  policyFlags: u32(20),
  bootDigestAlgo: u32(24),
  signingAlgo: u32(28),
  bootMeasurementDigest: bytes(32, 64),
  signature: bytes(96, 256),
  publicKey: bytes(352, 512),
});

/** `VbsVpContextHeader` (4 bytes): file data of a VBS VP context, before its registers. */
export const VBS_VP_CONTEXT_HEADER = struct("VbsVpContextHeader", 4, {
  registerCount: u32(0),
});

/** `VbsVpContextRegister` (32 bytes), `register_count` of them after the header. */
export const VBS_VP_CONTEXT_REGISTER = struct("VbsVpContextRegister", 32, {
  vtl: u8(0),
  name: u32(1), // register_name: an HvRegisterName (unaligned)
  mbz: bytes(5, 11),
  value: bytes(16, 16), // register_value
});

/**
 * Every structure above, for checks that go over all of them.
 *
 * @example
 * ```ts
 * import { STRUCTS } from "./structs.ts";
 * console.log(STRUCTS.map((s) => `${s.name}: ${s.size}`).join("\n"));
 * ```
 */
export const STRUCTS = [
  IGVM_FIXED_HEADER,
  IGVM_FIXED_HEADER_V2,
  IGVM_VHS_VARIABLE_HEADER,
  IGVM_VHS_SUPPORTED_PLATFORM,
  IGVM_VHS_GUEST_POLICY,
  IGVM_VHS_RELOCATABLE_REGION,
  IGVM_VHS_PAGE_TABLE_RELOCATION,
  IGVM_VHS_CORIM_DATA,
  IGVM_VHS_CCA_POLICY,
  IGVM_VHS_PARAMETER_AREA,
  IGVM_VHS_PAGE_DATA,
  IGVM_VHS_PARAMETER_INSERT,
  IGVM_VHS_PARAMETER,
  IGVM_VHS_VP_CONTEXT,
  IGVM_VHS_REQUIRED_MEMORY,
  IGVM_VHS_ERROR_RANGE,
  IGVM_VHS_SNP_ID_BLOCK_SIGNATURE,
  IGVM_VHS_SNP_ID_BLOCK_PUBLIC_KEY,
  IGVM_VHS_SNP_ID_BLOCK,
  IGVM_VHS_VBS_MEASUREMENT,
  VBS_VP_CONTEXT_HEADER,
  VBS_VP_CONTEXT_REGISTER,
] as const;
