/**
 * The Intel TDX MRTD of an IGVM file by the rules of Microsoft's `igvm` crate
 * (microsoft/igvm commit e6c3ff1, `igvm/src/measurement/tdx.rs`,
 * `generate_tdx_measurement`).
 *
 * MRTD is one running SHA-384 over `MEM.PAGE.ADD` and `MR.EXTEND` records
 * (layouts in `tdx_mrtd.ts`).
 *
 * Rules (tdx.rs), directives in file order, skipped unless their mask has
 * every bit of the target (`allBits`); initialization headers (guest policy)
 * are not consulted:
 *
 * - `ParameterArea`: remembers `number_of_bytes` under its index.
 * - `PageData`: skipped entirely when `shared` (flag bit 2); `unmeasured` →
 *   PAGE.ADD only; otherwise PAGE.ADD + 16 MR.EXTENDs of the page (no data →
 *   16 extends of zeros; short data zero-padded). `data_type` is ignored
 *   (SECRETS and CPUID pages are measured like any other), and so is
 *   `is_2mb_page` (one 4 KiB page at `gpa`).
 * - `ParameterInsert`: one PAGE.ADD (no extends) per 4 KiB of the whole area.
 * - everything else (VP contexts included): nothing.
 *
 * @module
 */

import { PageDataFlags } from "../igvm/defs.ts";
import type { PageData } from "../igvm/types.ts";
import { type PageRecord, pages, SKIPPED } from "./records.ts";
import { allBits, type RuleSet } from "./rule_set.ts";
import { checkPageSize, defineArea, insertedPages, ParameterAreaSizes } from "./crate_rules.ts";
import { TdxOperation } from "./tdx_mrtd.ts";

function page(d: PageData): PageRecord {
  if ((d.flags & PageDataFlags.SHARED) !== 0) {
    return pages(d.gpa, SKIPPED, null, "Shared (skipped)");
  }
  if ((d.flags & PageDataFlags.UNMEASURED) !== 0) {
    return pages(d.gpa, TdxOperation.ADD, null, "MEM.PAGE.ADD only");
  }
  checkPageSize(d.data);
  return pages(d.gpa, TdxOperation.ADD_EXTEND, d.data, "MEM.PAGE.ADD + MR.EXTEND");
}

/**
 * TDX by the `igvm` crate's rules (see the module documentation).
 *
 * @example
 * ```ts
 * import { CRATE_TDX } from "./tdx_rules.ts";
 * CRATE_TDX.digest; // "tdx"
 * ```
 */
export const CRATE_TDX: RuleSet<ParameterAreaSizes> = {
  digest: "tdx",
  selects: allBits,
  start: () => new ParameterAreaSizes(true, "tdx"),
  directives: {
    ParameterArea: defineArea,
    PageData: page,
    ParameterInsert: (d, areas) => insertedPages(d, areas, TdxOperation.ADD, "MEM.PAGE.ADD only"),
  },
};
