/**
 * TCB_VERSION (SEV-SNP ABI spec), 8 bytes whose layout depends on the CPU
 * generation, and the generation of a CPUID family and model. Milan/Genoa: byte 0 boot loader, 1 TEE, 6 SNP, 7 microcode.
 * Turin and later: byte 0 FMC, 1 boot loader, 2 TEE, 3 SNP, 7 microcode.
 *
 * @module
 */

/** AMD EPYC generation, from the CPUID fields (v3+) or the CHIP_ID (v2). */
export type Product = "Milan" | "Genoa" | "Turin" | "Venice" | "unknown";

/** A decoded TCB_VERSION. */
export interface TcbVersion {
  /** The 8 bytes as stored. */
  raw: Uint8Array;
  /** The bytes read as a little-endian u64 (how some tools display it). */
  value: bigint;
  /** FMC SPL (Turin layout only). */
  fmc?: number;
  /** Boot loader SPL. */
  bootLoader: number;
  /** TEE SPL. */
  tee: number;
  /** SNP firmware SPL. */
  snp: number;
  /** Microcode SPL. */
  microcode: number;
}

/**
 * Identifies the CPU generation from CPUID family and model (ranges as the
 * virtee `sev` crate uses them).
 *
 * @example
 * ```ts
 * import { productFromCpuid } from "./tcb_version.ts";
 * productFromCpuid(0x19, 0x11); // "Genoa"
 * ```
 */
export function productFromCpuid(family: number, model: number): Product {
  if (family === 0x19) {
    if (model <= 0x0f) return "Milan";
    if ((model >= 0x10 && model <= 0x1f) || (model >= 0xa0 && model <= 0xaf)) return "Genoa";
  } else if (family === 0x1a) {
    if (model <= 0x11) return "Turin";
    const venice = [[0x50, 0x57], [0x90, 0x9f], [0xa0, 0xaf], [0xc0, 0xc7]];
    if (venice.some(([lo, hi]) => model >= lo && model <= hi)) return "Venice";
  }
  return "unknown";
}

/**
 * Decodes an 8-byte TCB_VERSION with the given layout.
 *
 * @example
 * ```ts
 * import { decodeTcb } from "./tcb_version.ts";
 * const t = decodeTcb(new Uint8Array([2, 0, 0, 0, 0, 0, 5, 0x44]), "milan-genoa");
 * t.microcode; // 68
 * ```
 */
export function decodeTcb(raw: Uint8Array, layout: "milan-genoa" | "turin"): TcbVersion {
  const bytes = raw.slice(0, 8);
  const value = new DataView(bytes.buffer, bytes.byteOffset, 8).getBigUint64(0, true);
  if (layout === "turin") {
    return {
      raw: bytes,
      value,
      fmc: bytes[0],
      bootLoader: bytes[1],
      tee: bytes[2],
      snp: bytes[3],
      microcode: bytes[7],
    };
  }
  return {
    raw: bytes,
    value,
    bootLoader: bytes[0],
    tee: bytes[1],
    snp: bytes[6],
    microcode: bytes[7],
  };
}
