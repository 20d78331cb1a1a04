/**
 * TCB_VERSION (SEV-SNP ABI spec), 8 bytes whose layout depends on the CPU
 * generation, with the VCEK/VLEK extension (OID arc under
 * 1.3.6.1.4.1.3704.1.3) and AMD KDS parameter of each security patch level
 * (SPL); and the generation of a CPUID family and model.
 *
 * Milan and Genoa (`milan-genoa`):
 *
 * | byte | SPL          | OID arc .3.x | KDS parameter |
 * |------|--------------|--------------|---------------|
 * | 0    | boot loader  | 1            | blSPL         |
 * | 1    | TEE          | 2            | teeSPL        |
 * | 2..5 | reserved     | 4, 5, 6, 7   |               |
 * | 6    | SNP firmware | 3            | snpSPL        |
 * | 7    | microcode    | 8            | ucodeSPL      |
 *
 * Turin and later (`turin`):
 *
 * | byte | SPL          | OID arc .3.x | KDS parameter |
 * |------|--------------|--------------|---------------|
 * | 0    | FMC          | 9            | fmcSPL        |
 * | 1    | boot loader  | 1            | blSPL         |
 * | 2    | TEE          | 2            | teeSPL        |
 * | 3    | SNP firmware | 3            | snpSPL        |
 * | 4..6 | reserved     | 5, 6, 7      |               |
 * | 7    | microcode    | 8            | ucodeSPL      |
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

/** A TCB layout name, as `AttestationReport.tcbLayout` uses them. */
export type TcbLayoutName = "milan-genoa" | "turin";

/** One byte of a TCB_VERSION. */
export interface SplField {
  /** Byte index in the 8-byte TCB_VERSION. */
  readonly byte: number;
  /** Last arc of the certificate extension's OID, 1.3.6.1.4.1.3704.1.3.<arc>. */
  readonly arc: number;
  /** Short name used in messages and in `--min-tcb` (`bl`, `tee`, `snp`, `ucode`, `fmc`, `spl4`…). */
  readonly name: string;
  /** KDS query parameter, for the named SPLs (reserved bytes have none). */
  readonly kds?: string;
}

/** The Milan and Genoa layout, in byte order. */
export const MILAN_GENOA_TCB: readonly SplField[] = [
  { byte: 0, arc: 1, name: "bl", kds: "blSPL" },
  { byte: 1, arc: 2, name: "tee", kds: "teeSPL" },
  { byte: 2, arc: 4, name: "spl4" },
  { byte: 3, arc: 5, name: "spl5" },
  { byte: 4, arc: 6, name: "spl6" },
  { byte: 5, arc: 7, name: "spl7" },
  { byte: 6, arc: 3, name: "snp", kds: "snpSPL" },
  { byte: 7, arc: 8, name: "ucode", kds: "ucodeSPL" },
];

/** The Turin layout, in byte order. */
export const TURIN_TCB: readonly SplField[] = [
  { byte: 0, arc: 9, name: "fmc", kds: "fmcSPL" },
  { byte: 1, arc: 1, name: "bl", kds: "blSPL" },
  { byte: 2, arc: 2, name: "tee", kds: "teeSPL" },
  { byte: 3, arc: 3, name: "snp", kds: "snpSPL" },
  { byte: 4, arc: 5, name: "spl5" },
  { byte: 5, arc: 6, name: "spl6" },
  { byte: 6, arc: 7, name: "spl7" },
  { byte: 7, arc: 8, name: "ucode", kds: "ucodeSPL" },
];

/**
 * The fields of a layout, in byte order.
 *
 * @example
 * ```ts
 * import { splFields } from "./tcb_version.ts";
 * splFields("turin")[0].name; // "fmc"
 * ```
 */
export function splFields(layout: TcbLayoutName): readonly SplField[] {
  return layout === "turin" ? TURIN_TCB : MILAN_GENOA_TCB;
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
export function decodeTcb(raw: Uint8Array, layout: TcbLayoutName): TcbVersion {
  const bytes = raw.slice(0, 8);
  const value = new DataView(bytes.buffer, bytes.byteOffset, 8).getBigUint64(0, true);
  const spl = (name: string) => bytes[splFields(layout).find((f) => f.name === name)!.byte];
  return {
    raw: bytes,
    value,
    ...(layout === "turin" ? { fmc: spl("fmc") } : {}),
    bootLoader: spl("bl"),
    tee: spl("tee"),
    snp: spl("snp"),
    microcode: spl("ucode"),
  };
}
