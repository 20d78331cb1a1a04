/**
 * The SEV-SNP launch digest by the rules of Microsoft's `igvm` crate
 * (microsoft/igvm commit e6c3ff1, `igvm/src/measurement/snp.rs`,
 * `generate_snp_measurement`), which OpenVMM's `igvmfilegen` and Hyper-V use.
 *
 * The digest chains SHA-384 over 0x70-byte PAGE_INFO records, built by
 * {@link SnpDigest} (layout in `page_info.ts`; the crate's `SnpPageInfo` is
 * `repr(C)` with `lower_vmpl_permissions: u32` at 0x64, all zero, so the bytes
 * are the same). The rules, in the crate's order:
 *
 * 1. An `IGVM_VHS_GUEST_POLICY` initialization header whose mask has every bit
 *    of the target mask must exist (snp.rs, "Validate that the file carries an
 *    SNP guest policy"), else the measurement fails before any directive. The
 *    policy value does not enter the digest.
 * 2. Directives in file order, skipped unless their mask has every bit of the
 *    target (`crate_rules.ts`). Then:
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
 * `docs/semantics.md` compares these rules with COCONUT's (`coconut.ts`).
 *
 * @module
 */

import { PageDataFlags, PageDataType, PlatformType } from "../igvm/defs.ts";
import type { IgvmFile, Payload } from "../igvm/types.ts";
import { MeasurementError } from "../errors.ts";
import { SnpDigest, SnpPageType } from "./page_info.ts";
import { createPageHasher, zeroPageSha384 } from "./wasm_sha384.ts";
import { hashPagesAhead, isFilePage } from "./page_hashes.ts";
import { PageLog } from "./verbose_log.ts";
import {
  crateMask,
  cratePage,
  crateSelects,
  pagesOfRange,
  ParameterAreaSizes,
} from "./crate_rules.ts";

/** The SNP page type the crate gives a page-data directive (`null`: NORMAL with contents). */
function pageTypeOf(dataType: number, flags: number): SnpPageType | null {
  switch (dataType) {
    case PageDataType.SECRETS:
      return SnpPageType.SECRETS;
    case PageDataType.CPUID_DATA:
    case PageDataType.CPUID_XF:
      return SnpPageType.CPUID;
    default:
      return (flags & PageDataFlags.UNMEASURED) !== 0 ? SnpPageType.UNMEASURED : null;
  }
}

/**
 * File offsets of the 4 KiB page ranges whose SHA-384 the loop below will ask
 * for, in order, so that they can be hashed ahead ({@link hashPagesAhead}).
 * Only a hint: a page not found here at its turn is hashed in place.
 */
function plannedPageHashes(file: IgvmFile, mask: number): Float64Array {
  const offsets: number[] = [];
  for (const d of file.directives) {
    if (!crateSelects(d, mask)) continue;
    if (d.type === "PageData") {
      if (
        (d.flags & PageDataFlags.SHARED) === 0 && pageTypeOf(d.dataType, d.flags) === null &&
        isFilePage(d.data)
      ) offsets.push(d.data.offset);
    } else if (d.type === "SnpVpContext" && isFilePage(d.vmsa)) offsets.push(d.vmsa.offset);
  }
  return Float64Array.from(offsets);
}

/**
 * Computes the 48-byte SEV-SNP launch digest of `file` by the `igvm` crate's
 * rules, for `compatibilityMask` (default: the mask of the file's first
 * SEV-SNP platform header).
 *
 * Throws {@link MeasurementError} when the file has no SEV-SNP platform header
 * (and no mask is given), has no guest policy for the mask, names an unknown
 * parameter area, or carries page data longer than 4 KiB.
 *
 * @example
 * ```ts
 * import { measureSnpOpenvmm } from "./openvmm_snp.ts";
 * import { pageData, snpFile } from "../igvm/builder.ts";
 * const file = snpFile([pageData(0x1000n, 0x1, new Uint8Array(4096))], 0x30000n);
 * measureSnpOpenvmm(file).toHex().toUpperCase(); // 96 hex digits
 * ```
 */
export function measureSnpOpenvmm(
  file: IgvmFile,
  compatibilityMask?: number,
  log?: (line: string) => void,
): Uint8Array {
  const pageLog = log ? new PageLog(log) : undefined;
  const mask = crateMask(file, PlatformType.SEV_SNP, compatibilityMask);
  const policy = file.initializations.find((h) =>
    h.type === "GuestPolicy" && ((h.compatibilityMask & mask) >>> 0) === mask
  );
  if (policy === undefined) {
    throw new MeasurementError(
      `no SNP guest policy found in initialization headers: the igvm crate requires a ` +
        `guest policy header whose compatibility mask includes 0x${mask.toString(16)}`,
    );
  }
  const chain = new SnpDigest();
  const pages = createPageHasher(1); // its digest view is reused: the chain copies it at once
  // Page contents hashed ahead (the CLI's file source), or in place.
  const ahead = hashPagesAhead(file.source, () => plannedPageHashes(file, mask));
  const pageHash = (data: Payload | null): Uint8Array =>
    data === null
      ? zeroPageSha384()
      : ahead?.take(data) ?? pages.hashPage(cratePage(data, file.source));
  const areas = new ParameterAreaSizes(true);
  try {
    for (const d of file.directives) {
      if (!crateSelects(d, mask)) continue;
      switch (d.type) {
        case "ParameterArea":
          areas.define(d.parameterAreaIndex, d.numberOfBytes);
          break;
        case "PageData": {
          if ((d.flags & PageDataFlags.SHARED) !== 0) {
            pageLog?.page("Shared (skipped)", d.gpa, PAGE_4K);
            break;
          }
          const pageType = pageTypeOf(d.dataType, d.flags);
          if (pageType === null) {
            chain.extend(SnpPageType.NORMAL, d.gpa, pageHash(d.data));
          } else {
            chain.extend(pageType, d.gpa);
          }
          pageLog?.page(KIND_NAMES[pageType ?? SnpPageType.NORMAL], d.gpa, PAGE_4K);
          break;
        }
        case "ParameterInsert":
          for (const gpa of pagesOfRange(d.gpa, areas.size(d.parameterAreaIndex))) {
            chain.extend(SnpPageType.UNMEASURED, gpa);
            pageLog?.page("Unmeasured", gpa, PAGE_4K);
          }
          break;
        case "SnpVpContext":
          chain.extend(SnpPageType.VMSA, d.gpa, pageHash(d.vmsa));
          pageLog?.page("VMSA", d.gpa, PAGE_4K);
          break;
        default:
          break;
      }
    }
  } finally {
    ahead?.close();
  }
  pageLog?.finish();
  return chain.digest;
}

const PAGE_4K = 0x1000n;
/** Log names of the SNP page types, as the original spells them. */
const KIND_NAMES: Record<number, string> = {
  [SnpPageType.NORMAL]: "Normal",
  [SnpPageType.VMSA]: "VMSA",
  [SnpPageType.ZERO]: "Zero",
  [SnpPageType.UNMEASURED]: "Unmeasured",
  [SnpPageType.SECRETS]: "Secrets",
  [SnpPageType.CPUID]: "Cpuid",
};
