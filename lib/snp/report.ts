/**
 * Parses SEV-SNP attestation reports (versions 2, 3 and 5), as binary
 * (1184 bytes) or as hex text (2368 hex digits; whitespace and a leading
 * `0x` allowed).
 *
 * Layout (SEV-SNP ABI spec, "ATTESTATION_REPORT Structure";
 * `docs/measurement-notes.md` d9), 0x4A0 bytes, integers little-endian:
 *
 * | off   | size | field                                          |
 * |-------|------|------------------------------------------------|
 * | 0x000 | 4    | VERSION                                        |
 * | 0x004 | 4    | GUEST_SVN                                      |
 * | 0x008 | 8    | POLICY                                         |
 * | 0x010 | 16   | FAMILY_ID                                      |
 * | 0x020 | 16   | IMAGE_ID                                       |
 * | 0x030 | 4    | VMPL                                           |
 * | 0x034 | 4    | SIGNATURE_ALGO                                 |
 * | 0x038 | 8    | CURRENT_TCB                                    |
 * | 0x040 | 8    | PLATFORM_INFO                                  |
 * | 0x048 | 4    | KEY_INFO: bit 0 AUTHOR_KEY_EN, bit 1 MASK_CHIP_KEY, bits 4:2 SIGNING_KEY |
 * | 0x04C | 4    | reserved                                       |
 * | 0x050 | 64   | REPORT_DATA                                    |
 * | 0x090 | 48   | MEASUREMENT                                    |
 * | 0x0C0 | 32   | HOST_DATA                                      |
 * | 0x0E0 | 48   | ID_KEY_DIGEST                                  |
 * | 0x110 | 48   | AUTHOR_KEY_DIGEST                              |
 * | 0x140 | 32   | REPORT_ID                                      |
 * | 0x160 | 32   | REPORT_ID_MA                                   |
 * | 0x180 | 8    | REPORTED_TCB                                   |
 * | 0x188 | 3    | CPUID_FAM_ID, CPUID_MOD_ID, CPUID_STEP (v3+)   |
 * | 0x1A0 | 64   | CHIP_ID                                        |
 * | 0x1E0 | 8    | COMMITTED_TCB                                  |
 * | 0x1E8 | 3    | CURRENT_BUILD, CURRENT_MINOR, CURRENT_MAJOR    |
 * | 0x1EC | 3    | COMMITTED_BUILD, COMMITTED_MINOR, COMMITTED_MAJOR |
 * | 0x1F0 | 8    | LAUNCH_TCB                                     |
 * | 0x1F8 | 8    | LAUNCH_MIT_VECTOR (v5+)                        |
 * | 0x200 | 8    | CURRENT_MIT_VECTOR (v5+)                       |
 * | 0x2A0 | 512  | SIGNATURE over bytes 0x000..0x29F (SNP form)   |
 *
 * TCB_VERSION (8 bytes) depends on the CPU generation. Milan/Genoa: byte 0
 * boot loader, 1 TEE, 6 SNP, 7 microcode. Turin and later: byte 0 FMC,
 * 1 boot loader, 2 TEE, 3 SNP, 7 microcode.
 *
 * @module
 */

import { ReportError } from "../errors.ts";
import type { P384PublicKey } from "./public_key.ts";
import { decodeSnpSignature, type EcdsaSignature, verifySignature } from "./signature.ts";
import { decodeTcb, type Product, productFromCpuid, type TcbVersion } from "./tcb_version.ts";

export { decodeTcb, productFromCpuid } from "./tcb_version.ts";
export type { Product, TcbVersion } from "./tcb_version.ts";

/** Size of an attestation report in bytes. */
export const REPORT_SIZE = 0x4a0;

/** Report versions this parser understands. */
export const SUPPORTED_REPORT_VERSIONS: readonly number[] = [2, 3, 5];

/** Number of leading bytes the report signature covers. */
export const REPORT_SIGNED_SIZE = 0x2a0;

/** KEY_INFO decoded. */
export interface KeyInfo {
  /** The raw u32. */
  raw: number;
  /** Bit 0: the ID auth info carried an author key (AUTHOR_KEY_DIGEST is valid). */
  authorKeyEn: boolean;
  /** Bit 1: CHIP_ID was masked to zero. */
  maskChipKey: boolean;
  /** Bits 4:2: signing key, 0 VCEK, 1 VLEK, 7 none. */
  signingKey: number;
  /** `signingKey` as a name. */
  signingKeyName: "VCEK" | "VLEK" | "none" | "reserved";
}

/** A parsed attestation report. Byte fields are copies. */
export interface AttestationReport {
  /** VERSION (0x000). */
  version: number;
  /** GUEST_SVN (0x004). */
  guestSvn: number;
  /** POLICY (0x008); see `decodePolicy`. */
  policy: bigint;
  /** FAMILY_ID (0x010, 16 bytes). */
  familyId: Uint8Array;
  /** IMAGE_ID (0x020, 16 bytes). */
  imageId: Uint8Array;
  /** VMPL (0x030). */
  vmpl: number;
  /** SIGNATURE_ALGO (0x034); 1 = ECDSA P-384 with SHA-384. */
  signatureAlgo: number;
  /** CURRENT_TCB (0x038). */
  currentTcb: TcbVersion;
  /** PLATFORM_INFO (0x040). */
  platformInfo: bigint;
  /** KEY_INFO (0x048). */
  keyInfo: KeyInfo;
  /** REPORT_DATA (0x050, 64 bytes). */
  reportData: Uint8Array;
  /** MEASUREMENT (0x090, 48 bytes): the launch digest. */
  measurement: Uint8Array;
  /** HOST_DATA (0x0C0, 32 bytes). */
  hostData: Uint8Array;
  /** ID_KEY_DIGEST (0x0E0, 48 bytes). */
  idKeyDigest: Uint8Array;
  /** AUTHOR_KEY_DIGEST (0x110, 48 bytes). */
  authorKeyDigest: Uint8Array;
  /** REPORT_ID (0x140, 32 bytes). */
  reportId: Uint8Array;
  /** REPORT_ID_MA (0x160, 32 bytes). */
  reportIdMa: Uint8Array;
  /** REPORTED_TCB (0x180). */
  reportedTcb: TcbVersion;
  /** CPUID family (v3+; undefined for v2). */
  cpuidFamId?: number;
  /** CPUID model (v3+). */
  cpuidModId?: number;
  /** CPUID stepping (v3+). */
  cpuidStep?: number;
  /** CHIP_ID (0x1A0, 64 bytes). */
  chipId: Uint8Array;
  /** COMMITTED_TCB (0x1E0). */
  committedTcb: TcbVersion;
  /** CURRENT_BUILD (0x1E8). */
  currentBuild: number;
  /** CURRENT_MINOR (0x1E9). */
  currentMinor: number;
  /** CURRENT_MAJOR (0x1EA). */
  currentMajor: number;
  /** COMMITTED_BUILD (0x1EC). */
  committedBuild: number;
  /** COMMITTED_MINOR (0x1ED). */
  committedMinor: number;
  /** COMMITTED_MAJOR (0x1EE). */
  committedMajor: number;
  /** LAUNCH_TCB (0x1F0). */
  launchTcb: TcbVersion;
  /** LAUNCH_MIT_VECTOR (v5+; undefined before). */
  launchMitVector?: bigint;
  /** CURRENT_MIT_VECTOR (v5+). */
  currentMitVector?: bigint;
  /** Report signature, r and s big-endian. */
  signature: EcdsaSignature;
  /** CPU generation, which selects the TCB layout. */
  product: Product;
  /** TCB layout used to decode the TCB fields. */
  tcbLayout: "milan-genoa" | "turin";
  /** The 1184 report bytes (a copy). */
  bytes: Uint8Array;
}

function hexToBytes(text: string): Uint8Array {
  let t = text.replace(/\s+/g, "");
  if (/^0x/i.test(t)) t = t.slice(2);
  const bad = /[^0-9a-fA-F]/.exec(t);
  if (bad) {
    const shown = JSON.stringify(bad[0]);
    throw new ReportError(
      `attestation report text is not hex: unexpected character ${shown} at position ${bad.index}`,
    );
  }
  if (t.length !== 2 * REPORT_SIZE) {
    throw new ReportError(
      `attestation report hex has ${t.length} digits, expected ${2 * REPORT_SIZE}`,
    );
  }
  const out = new Uint8Array(REPORT_SIZE);
  for (let i = 0; i < REPORT_SIZE; i++) out[i] = parseInt(t.slice(2 * i, 2 * i + 2), 16);
  return out;
}

function isText(bytes: Uint8Array): boolean {
  for (const b of bytes) if (b < 0x09 || (b > 0x0d && b < 0x20) || b > 0x7e) return false;
  return true;
}

function decodeKeyInfo(raw: number): KeyInfo {
  const signingKey = (raw >> 2) & 7;
  const names: Record<number, KeyInfo["signingKeyName"]> = { 0: "VCEK", 1: "VLEK", 7: "none" };
  return {
    raw,
    authorKeyEn: (raw & 1) === 1,
    maskChipKey: (raw & 2) === 2,
    signingKey,
    signingKeyName: names[signingKey] ?? "reserved",
  };
}

/**
 * Parses an attestation report. `input` is the binary report (1184 bytes),
 * its hex text form as a string, or the bytes of a hex text file. Throws
 * `ReportError` for a wrong size, non-hex text or an unsupported version.
 *
 * @example
 * ```ts
 * import { parseReport, REPORT_SIZE } from "./report.ts";
 * const bytes = new Uint8Array(REPORT_SIZE); // an all-zero version-2 report
 * bytes[0] = 2;
 * const report = parseReport(bytes);
 * console.log(report.version, report.measurement.length); // 2 48
 * ```
 */
export function parseReport(input: Uint8Array | string): AttestationReport {
  const bytes = reportBytes(input);
  const version = reportVersion(bytes);
  return decodeReport(bytes, version, reportGeneration(bytes, version));
}

/** The 1184 report bytes of `input`: a copy of a binary report, or its hex text decoded. */
function reportBytes(input: Uint8Array | string): Uint8Array {
  if (typeof input === "string") return hexToBytes(input);
  if (input.length === REPORT_SIZE) {
    return Uint8Array.prototype.slice.call(input); // a copy, also of a Node.js Buffer
  }
  if (input.length > 0 && isText(input)) return hexToBytes(new TextDecoder().decode(input));
  throw new ReportError(`attestation report is ${input.length} bytes, expected ${REPORT_SIZE}`);
}

/** VERSION (0x000), refused unless one of {@link SUPPORTED_REPORT_VERSIONS}. */
function reportVersion(bytes: Uint8Array): number {
  const version = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength).getUint32(0, true);
  if (!SUPPORTED_REPORT_VERSIONS.includes(version)) {
    throw new ReportError(
      `unsupported attestation report version ${version} (supported: ${
        SUPPORTED_REPORT_VERSIONS.join(", ")
      })`,
    );
  }
  return version;
}

/** The CPU generation of a report and what tells it: the CPUID fields (v3+) or CHIP_ID (v2). */
interface Generation {
  /** The CPU generation. */
  readonly product: Product;
  /** The layout of the report's TCB_VERSION fields. */
  readonly tcbLayout: AttestationReport["tcbLayout"];
  /** CPUID_FAM_ID, CPUID_MOD_ID, CPUID_STEP (v3+; undefined for v2). */
  readonly cpuidFamId?: number;
  readonly cpuidModId?: number;
  readonly cpuidStep?: number;
}

function reportGeneration(bytes: Uint8Array, version: number): Generation {
  if (version >= 3) {
    const [cpuidFamId, cpuidModId, cpuidStep] = bytes.subarray(0x188, 0x18b);
    return {
      product: productFromCpuid(cpuidFamId, cpuidModId),
      tcbLayout: cpuidFamId >= 0x1a ? "turin" : "milan-genoa",
      cpuidFamId,
      cpuidModId,
      cpuidStep,
    };
  }
  // v2 has no CPUID fields. Turin uses only the first 8 bytes of CHIP_ID.
  const chipId = bytes.subarray(0x1a0, 0x1e0);
  const tail = chipId.subarray(8).some((b) => b !== 0);
  const head = chipId.subarray(0, 8).some((b) => b !== 0);
  const product = head && !tail ? "Turin" : "unknown";
  return { product, tcbLayout: product === "Turin" ? "turin" : "milan-genoa" };
}

/** The report's fields (layout in the module comment), decoded with the generation's TCB layout. */
function decodeReport(bytes: Uint8Array, version: number, g: Generation): AttestationReport {
  const v = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const tcb = (off: number) => decodeTcb(bytes.subarray(off, off + 8), g.tcbLayout);
  return {
    version,
    guestSvn: v.getUint32(0x004, true),
    policy: v.getBigUint64(0x008, true),
    familyId: bytes.slice(0x010, 0x020),
    imageId: bytes.slice(0x020, 0x030),
    vmpl: v.getUint32(0x030, true),
    signatureAlgo: v.getUint32(0x034, true),
    currentTcb: tcb(0x038),
    platformInfo: v.getBigUint64(0x040, true),
    keyInfo: decodeKeyInfo(v.getUint32(0x048, true)),
    reportData: bytes.slice(0x050, 0x090),
    measurement: bytes.slice(0x090, 0x0c0),
    hostData: bytes.slice(0x0c0, 0x0e0),
    idKeyDigest: bytes.slice(0x0e0, 0x110),
    authorKeyDigest: bytes.slice(0x110, 0x140),
    reportId: bytes.slice(0x140, 0x160),
    reportIdMa: bytes.slice(0x160, 0x180),
    reportedTcb: tcb(0x180),
    cpuidFamId: g.cpuidFamId,
    cpuidModId: g.cpuidModId,
    cpuidStep: g.cpuidStep,
    chipId: bytes.slice(0x1a0, 0x1e0),
    committedTcb: tcb(0x1e0),
    currentBuild: bytes[0x1e8],
    currentMinor: bytes[0x1e9],
    currentMajor: bytes[0x1ea],
    committedBuild: bytes[0x1ec],
    committedMinor: bytes[0x1ed],
    committedMajor: bytes[0x1ee],
    launchTcb: tcb(0x1f0),
    launchMitVector: version >= 5 ? v.getBigUint64(0x1f8, true) : undefined,
    currentMitVector: version >= 5 ? v.getBigUint64(0x200, true) : undefined,
    signature: decodeReportSignature(bytes),
    product: g.product,
    tcbLayout: g.tcbLayout,
    bytes,
  };
}

function decodeReportSignature(bytes: Uint8Array): EcdsaSignature {
  try {
    return decodeSnpSignature(bytes.subarray(0x2a0, 0x4a0));
  } catch {
    throw new ReportError("attestation report signature r or s does not fit in 48 bytes");
  }
}

/**
 * Verifies the report's ECDSA P-384 / SHA-384 signature over bytes
 * 0x000..0x29F with the signing key's public point (VCEK or VLEK, e.g. taken
 * from the certificate). Resolves to false for a wrong signature or a
 * SIGNATURE_ALGO other than 1.
 *
 * @example
 * ```ts
 * import { parseReport, verifyReportSignature } from "./report.ts";
 * // const ok = await verifyReportSignature(parseReport(bin), vcekPublicKey);
 * ```
 */
export function verifyReportSignature(
  report: AttestationReport,
  key: P384PublicKey,
): Promise<boolean> {
  if (report.signatureAlgo !== 1) return Promise.resolve(false);
  return verifySignature(report.bytes.subarray(0, REPORT_SIGNED_SIZE), report.signature, key);
}
