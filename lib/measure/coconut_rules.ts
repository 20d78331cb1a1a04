/**
 * The rules of COCONUT-SVSM's `igvmmeasure` (coconut-svsm/svsm
 * `tools/igvmmeasure/src/igvm_measure.rs`, commit f4bc4bcd), byte for byte:
 * SEV-SNP (the PAGE_INFO chain) and its SEV / SEV-ES mode (SHA-256 over the
 * page data stream).
 *
 * Where these rules differ from microsoft/igvm's `measurement/snp.rs`
 * ("crate") and QEMU's loader (`backends/igvm.c`, "QEMU"), the place is marked
 * `DIFF:` below; `docs/semantics.md` lists every difference with its sources.
 *
 * @module
 */

import { PAGE_SIZE_2M, PAGE_SIZE_4K, PageDataFlags, PageDataType } from "../igvm/defs.ts";
import type { DirectiveHeader, IgvmFile, PageData, SnpVpContext } from "../igvm/types.ts";
import { readPayload } from "../igvm/source.ts";
import { MeasurementError } from "../errors.ts";
import { SnpPageType } from "./page_info.ts";
import { type PageRecord, pages } from "./records.ts";
import type { RuleOptions, RuleSet } from "./rule_set.ts";
import { kvmCheckVmsa, kvmVmsaOrderError } from "./kvm_check.ts";
import { checkPageSize } from "./crate_rules.ts";

/** What a coconut measurement carries from directive to directive. */
interface CoconutState extends RuleOptions {
  readonly file: IgvmFile;
  /** VMSAs measured so far (the KVM checks allow one, and no parameter insert after it). */
  vmsaCount: number;
}

function start(file: IgvmFile, _mask: number, options: RuleOptions): CoconutState {
  return { file, nativeZero: options.nativeZero, checkKvm: options.checkKvm, vmsaCount: 0 };
}

/**
 * DIFF: page data and parameter inserts are selected when their mask shares
 * any bit with the platform's (QEMU too; the crate requires all bits: the same
 * for files whose platform masks have one bit each, which the parser
 * enforces). DIFF: a VP context's mask is not tested at all, so VMSAs for
 * every platform are measured; the crate measures only matching ones.
 */
function selects(d: DirectiveHeader, mask: number): boolean {
  return d.type === "SnpVpContext" ||
    ("compatibilityMask" in d && (d.compatibilityMask & mask) !== 0);
}

/** 512 pages for a 2 MiB page without data, else 1; refuses a 2 MiB page with data. */
function pageCount(d: PageData): number {
  if ((d.flags & PageDataFlags.IS_2MB_PAGE) === 0) return 1;
  if (d.data !== null) {
    // The parser reads only 4 KiB of a page's data, and the original asserts that a 2 MiB
    // page has 2 MiB of it, so it panics here. We refuse the file instead.
    throw new MeasurementError(
      `2 MiB page at GPA 0x${d.gpa.toString(16)} carries file data, which IGVM parsers read ` +
        "only 4 KiB of; the original igvmmeasure crashes on this file",
    );
  }
  // DIFF: a 2 MiB page is 512 consecutive 4 KiB measurements here and in KVM; the crate
  // measures one 4 KiB page at its GPA.
  return PAGE_SIZE_2M / PAGE_SIZE_4K;
}

/** The SNP record of a page-data directive (`count` pages), or undefined for unknown types. */
function snpPage(d: PageData, count: number, nativeZero: boolean): PageRecord | undefined {
  switch (d.dataType) {
    case PageDataType.NORMAL:
      if ((d.flags & PageDataFlags.UNMEASURED) !== 0) {
        return pages(d.gpa, SnpPageType.UNMEASURED, null, "Unmeasured", count);
      }
      if (d.data === null) {
        // DIFF: `-n` measures SNP ZERO pages; the crate and QEMU always measure a NORMAL
        // page of 4096 zero bytes (which is what the default does here too).
        return nativeZero
          ? pages(d.gpa, SnpPageType.ZERO, null, "Zero", count)
          : pages(d.gpa, SnpPageType.NORMAL, null, "Normal", count);
      }
      // DIFF: the `shared` flag is ignored (so does QEMU); the crate skips shared pages.
      checkPageSize(d.data); // only built files can have more: refused, not cut
      return pages(d.gpa, SnpPageType.NORMAL, d.data, "Normal");
    case PageDataType.SECRETS:
      return pages(d.gpa, SnpPageType.SECRETS, null, "Secrets", count);
    case PageDataType.CPUID_DATA:
    case PageDataType.CPUID_XF:
      return pages(d.gpa, SnpPageType.CPUID, null, "Cpuid", count);
    default:
      // DIFF: unknown data types are skipped (the crate measures them as NORMAL, QEMU
      // refuses them); the parser refuses types above 3 anyway.
      return undefined;
  }
}

/** With `-c`: the original's VMSA checks (one VMSA, at KVM's GPA, with KVM's CR0). */
function checkVmsa(d: SnpVpContext, s: CoconutState): void {
  if (!s.checkKvm) return;
  const page = new Uint8Array(PAGE_SIZE_4K); // short VMSA data reads as zero-padded
  page.set(readPayload(d.vmsa, s.file.source).subarray(0, PAGE_SIZE_4K));
  kvmCheckVmsa(s.vmsaCount, d.gpa, page);
}

/**
 * A parameter insert: DIFF: one UNMEASURED 4 KiB page at its GPA; the crate,
 * OpenVMM and QEMU measure the whole parameter area. With `-c`, refused after
 * a VMSA (the original applies that check to parameter inserts only).
 */
function checkInsertOrder(s: CoconutState): void {
  if (s.checkKvm && s.vmsaCount > 0) throw kvmVmsaOrderError();
}

/**
 * SEV-SNP by the original's rules: PAGE_INFO records in directive order.
 * The original's `measure` also compares the LD of the last SNP ID block on
 * the mask with the digest (see `measure.ts`); ID blocks are not records.
 *
 * @example
 * ```ts
 * import { COCONUT_SNP } from "./coconut_rules.ts";
 * import { planMeasurement } from "./rule_set.ts";
 * import { parseIgvm } from "../igvm/parser.ts";
 * const file = parseIgvm(await Deno.readFile("testdata/sample.igvm"));
 * planMeasurement(COCONUT_SNP, file, 1, { nativeZero: true, checkKvm: false }).records.length;
 * ```
 */
export const COCONUT_SNP: RuleSet<CoconutState> = {
  digest: "snp",
  selects,
  start,
  directives: {
    PageData: (d, s) => snpPage(d, pageCount(d), s.nativeZero),
    ParameterInsert: (d, s) => {
      checkInsertOrder(s);
      return pages(d.gpa, SnpPageType.UNMEASURED, null, "Unmeasured");
    },
    SnpVpContext: (d, s) => {
      checkVmsa(d, s);
      s.vmsaCount++;
      // KVM measures each vCPU's VMSA at launch finish, after all pages, at GPA
      // 0xFFFFFFFFF000 (see kvm_check.ts); the original measures it where it stands.
      return pages(d.gpa, SnpPageType.VMSA, d.vmsa, "VMSA");
    },
  },
};

/**
 * SEV and SEV-ES by the original's rules: SHA-256 over the data of every
 * selected page, whatever its type and flags, and of every VMSA (records of
 * type 0). DIFF: a page without data adds nothing (QEMU's LAUNCH_UPDATE_DATA
 * hashes 4 KiB of zeros, and skips unmeasured pages); the result is GCTX.LD,
 * not the reported (HMAC) measurement.
 *
 * @example
 * ```ts
 * import { COCONUT_SEV } from "./coconut_rules.ts";
 * COCONUT_SEV.digest; // "sev"
 * ```
 */
export const COCONUT_SEV: RuleSet<CoconutState> = {
  digest: "sev",
  selects,
  start,
  directives: {
    PageData: (d) => {
      checkPageSize(d.data); // only built files can have more: refused, not cut
      return pages(d.gpa, 0, d.data, "Normal", pageCount(d));
    },
    ParameterInsert: (d, s) => {
      checkInsertOrder(s);
      return pages(d.gpa, 0, null, "Normal");
    },
    SnpVpContext: (d, s) => {
      checkVmsa(d, s);
      s.vmsaCount++;
      return pages(d.gpa, 0, d.vmsa, "VMSA");
    },
  },
};
