/**
 * The SEV-SNP launch digest by the rules of Microsoft's `igvm` crate
 * (microsoft/igvm commit e6c3ff1, `igvm/src/measurement/snp.rs`,
 * `generate_snp_measurement`), which OpenVMM's `igvmfilegen` and Hyper-V use.
 *
 * The digest chains SHA-384 over 0x70-byte PAGE_INFO records (layout in
 * `page_info.ts`; the crate's `SnpPageInfo` is `repr(C)` with
 * `lower_vmpl_permissions: u32` at 0x64, all zero, so the bytes are the same).
 * The rules, in the crate's order:
 *
 * 1. An `IGVM_VHS_GUEST_POLICY` initialization header whose mask has every bit
 *    of the target mask must exist (snp.rs, "Validate that the file carries an
 *    SNP guest policy"), else the measurement fails before any directive. The
 *    policy value does not enter the digest.
 * 2. Directives in file order, skipped unless their mask has every bit of the
 *    target (`allBits`). Then:
 *    - `ParameterArea`: remembers `number_of_bytes` under its index.
 *    - `PageData`: skipped entirely when `shared` (flag bit 2). SECRETS → one
 *      SECRETS (5) record, CPUID_DATA / CPUID_XF → one CPUID (6) record, both
 *      with zero contents whatever the data and the `unmeasured` flag. Any
 *      other type (NORMAL, and unknown types the parser would refuse):
 *      `unmeasured` → UNMEASURED (4), else NORMAL (1) with contents = SHA-384
 *      of the page (no data → a page of zeros, short data zero-padded).
 *      `is_2mb_page` is ignored: one 4 KiB record at `gpa`. The ZERO page type
 *      (3) is never used.
 *    - `ParameterInsert`: one UNMEASURED record per 4 KiB of the whole
 *      parameter area, from `gpa` up.
 *    - `SnpVpContext`: one VMSA (2) record, contents = SHA-384 of the 4 KiB
 *      VMSA page as stored.
 *    - everything else: nothing.
 *
 * `docs/semantics.md` compares these rules with COCONUT's (`coconut_rules.ts`).
 *
 * @module
 */

import { PageDataFlags, PageDataType } from "../igvm/defs.ts";
import type { IgvmFile, PageData } from "../igvm/types.ts";
import { MeasurementError } from "../errors.ts";
import { SnpPageType } from "./page_info.ts";
import { type PageRecord, pages, SKIPPED } from "./records.ts";
import { allBits, type RuleSet } from "./rule_set.ts";
import { checkPageSize, defineArea, insertedPages, ParameterAreaSizes } from "./crate_rules.ts";

/** The verbose log's names of the SNP page types, as the original spells them. */
const SNP_LOG_NAMES: Readonly<Record<number, string>> = {
  [SnpPageType.NORMAL]: "Normal",
  [SnpPageType.VMSA]: "VMSA",
  [SnpPageType.ZERO]: "Zero",
  [SnpPageType.UNMEASURED]: "Unmeasured",
  [SnpPageType.SECRETS]: "Secrets",
  [SnpPageType.CPUID]: "Cpuid",
};

/** The crate's `SnpPageType` for a page-data directive (its contents count only for NORMAL). */
function pageTypeOf(d: PageData): number {
  switch (d.dataType) {
    case PageDataType.SECRETS:
      return SnpPageType.SECRETS;
    case PageDataType.CPUID_DATA:
    case PageDataType.CPUID_XF:
      return SnpPageType.CPUID;
    default:
      return (d.flags & PageDataFlags.UNMEASURED) !== 0
        ? SnpPageType.UNMEASURED
        : SnpPageType.NORMAL;
  }
}

function page(d: PageData): PageRecord {
  if ((d.flags & PageDataFlags.SHARED) !== 0) {
    return pages(d.gpa, SKIPPED, null, "Shared (skipped)");
  }
  const type = pageTypeOf(d);
  if (type !== SnpPageType.NORMAL) return pages(d.gpa, type, null, SNP_LOG_NAMES[type]);
  checkPageSize(d.data);
  return pages(d.gpa, type, d.data, "Normal");
}

/** Rule 1: the file must carry a guest policy for every bit of the mask. */
function start(file: IgvmFile, mask: number): ParameterAreaSizes {
  const policy = file.initializations.find((h) =>
    h.type === "GuestPolicy" && ((h.compatibilityMask & mask) >>> 0) === mask >>> 0
  );
  if (policy === undefined) {
    throw new MeasurementError(
      `no SNP guest policy found in initialization headers: the igvm crate requires a ` +
        `guest policy header whose compatibility mask includes 0x${mask.toString(16)}`,
      "no-guest-policy",
    );
  }
  return new ParameterAreaSizes(true, "snp");
}

/**
 * SEV-SNP by the `igvm` crate's rules (see the module documentation).
 *
 * @example
 * ```ts
 * import { OPENVMM_SNP } from "./openvmm_snp_rules.ts";
 * import { planMeasurement } from "./rule_set.ts";
 * import { parseIgvm } from "../igvm/parser.ts";
 * const file = parseIgvm(await Deno.readFile("testdata/sample.igvm"));
 * planMeasurement(OPENVMM_SNP, file, 1, { nativeZero: false, checkKvm: false }).records.length;
 * ```
 */
export const OPENVMM_SNP: RuleSet<ParameterAreaSizes> = {
  digest: "snp",
  selects: allBits,
  start,
  directives: {
    ParameterArea: defineArea,
    PageData: page,
    ParameterInsert: (d, areas) => insertedPages(d, areas, SnpPageType.UNMEASURED, "Unmeasured"),
    SnpVpContext: (d) => pages(d.gpa, SnpPageType.VMSA, d.vmsa, "VMSA"),
  },
};
