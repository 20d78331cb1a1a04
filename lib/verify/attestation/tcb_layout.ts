/**
 * Which VCEK/VLEK extension certifies each security patch level (SPL) of a
 * TCB_VERSION (the layouts themselves are in `snp/tcb_version.ts`), how
 * AMD's KDS names it, and which products use which layout.
 *
 * Sources: AMD "Versioned Chip Endorsement Key (VCEK) Certificate and KDS
 * Interface Specification" (extension OIDs under 1.3.6.1.4.1.3704.1.3 and
 * the query parameters); `testdata/vectors/README.md` section 5.
 *
 * @module
 */

import {
  MILAN_GENOA_TCB,
  type SplField,
  splFields,
  type TcbLayoutName,
  TURIN_TCB,
} from "../../snp/tcb_version.ts";

export { MILAN_GENOA_TCB, type SplField, splFields, type TcbLayoutName, TURIN_TCB };

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
