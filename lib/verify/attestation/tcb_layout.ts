/**
 * Where each security patch level (SPL) sits in an 8-byte TCB_VERSION, which
 * VCEK/VLEK extension certifies it, and how AMD's KDS names it in a URL.
 *
 * Sources: SEV-SNP ABI spec (TCB_VERSION, "Milan/Genoa" and "Turin"
 * layouts); AMD "Versioned Chip Endorsement Key (VCEK) Certificate and KDS
 * Interface Specification" (extension OIDs under 1.3.6.1.4.1.3704.1.3 and
 * the query parameters); `testdata/vectors/README.md` section 5.
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

/** Products and the TCB layout of their chips (Turin and its successors use Turin's). */
const PRODUCT_LAYOUT: Record<string, TcbLayoutName> = {
  Milan: "milan-genoa",
  Genoa: "milan-genoa",
  Turin: "turin",
  Venice: "turin",
};

/**
 * The layout of `product`'s TCB_VERSION, or undefined for a product this
 * tool does not know.
 *
 * @example
 * ```ts
 * import { layoutOfProduct } from "./tcb_layout.ts";
 * layoutOfProduct("Turin"); // "turin"
 * ```
 */
export function layoutOfProduct(product: string | undefined): TcbLayoutName | undefined {
  return product === undefined ? undefined : PRODUCT_LAYOUT[product];
}

/**
 * The fields of a layout, in byte order.
 *
 * @example
 * ```ts
 * import { splFields } from "./tcb_layout.ts";
 * splFields("turin")[0].name; // "fmc"
 * ```
 */
export function splFields(layout: TcbLayoutName): readonly SplField[] {
  return layout === "turin" ? TURIN_TCB : MILAN_GENOA_TCB;
}

/**
 * A TCB_VERSION as `name=value` pairs of its named SPLs: `bl=4 tee=0 snp=24 ucode=219`.
 *
 * @example
 * ```ts
 * import { tcbSummary } from "./tcb_layout.ts";
 * tcbSummary(Uint8Array.fromHex("04000000000018db"), "milan-genoa"); // "bl=4 tee=0 snp=24 ucode=219"
 * ```
 */
export function tcbSummary(tcb: Uint8Array, layout: TcbLayoutName): string {
  return splFields(layout).filter((f) => f.kds || tcb[f.byte] !== 0)
    .map((f) => `${f.name}=${tcb[f.byte]}`).join(" ");
}
