/**
 * The Intel TDX MRTD of an IGVM file by the rules of Microsoft's `igvm` crate
 * (microsoft/igvm commit e6c3ff1, `igvm/src/measurement/tdx.rs`,
 * `generate_tdx_measurement`).
 *
 * MRTD is one running SHA-384 (not a chain) over the records the TDX module
 * hashes for `TDH.MEM.PAGE.ADD` and `TDH.MR.EXTEND`, little-endian:
 *
 * `MEM.PAGE.ADD` (`TdxPageAdd`, 128 bytes):
 *
 * | off | size | field |
 * |-----|------|-------|
 * | 0   | 16   | ASCII `MEM.PAGE.ADD`, NUL-padded |
 * | 16  | 8    | GPA of the page (u64) |
 * | 24  | 104  | zero |
 *
 * `MR.EXTEND` (`TdxMrExtend`, 384 bytes), one per 256-byte chunk of a page:
 *
 * | off | size | field |
 * |-----|------|-------|
 * | 0   | 16   | ASCII `MR.EXTEND`, NUL-padded |
 * | 16  | 8    | GPA of the chunk: page GPA + chunk offset (u64) |
 * | 24  | 104  | zero |
 * | 128 | 256  | the chunk's bytes |
 *
 * Rules (tdx.rs), directives in file order, skipped unless their mask has
 * every bit of the target (`crate_rules.ts`); initialization headers (guest
 * policy) are not consulted:
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

import { PAGE_SIZE_4K, PageDataFlags, PlatformType } from "../igvm/defs.ts";
import type { IgvmFile } from "../igvm/types.ts";
import type { Hasher } from "../hash.ts";
import { createSha384Stream } from "./wasm_sha384.ts";
import { PageLog } from "./verbose_log.ts";
import {
  crateMask,
  cratePage,
  crateSelects,
  pagesOfRange,
  ParameterAreaSizes,
} from "./crate_rules.ts";

/** Size of the `MEM.PAGE.ADD` record and of the `MR.EXTEND` header. */
const TDX_RECORD_SIZE = 128;
/** `TDX_EXTEND_CHUNK_SIZE`: bytes of page data per `MR.EXTEND`. */
const TDX_EXTEND_CHUNK_SIZE = 256;

const ascii = (text: string) => new TextEncoder().encode(text);
const PAGE_ADD = ascii("MEM.PAGE.ADD");
const MR_EXTEND = ascii("MR.EXTEND");

/** Hashes TDX measurement records into one SHA-384. */
class MrtdHasher {
  readonly #hasher: Hasher = createSha384Stream();
  readonly #record = new Uint8Array(TDX_RECORD_SIZE);
  readonly #view = new DataView(this.#record.buffer);

  /** Hashes a 128-byte record: `operation` NUL-padded to 16 bytes, GPA at 16, zeros. */
  #header(operation: Uint8Array, gpa: bigint): void {
    this.#record.fill(0);
    this.#record.set(operation, 0);
    this.#view.setBigUint64(16, BigInt.asUintN(64, gpa), true);
    this.#hasher.update(this.#record);
  }

  /** `measure_page`: PAGE.ADD, then (if `page` is given) 16 MR.EXTENDs of it. */
  page(gpa: bigint, page: Uint8Array | null): void {
    this.#header(PAGE_ADD, gpa);
    if (page === null) return;
    for (let offset = 0; offset < PAGE_SIZE_4K; offset += TDX_EXTEND_CHUNK_SIZE) {
      this.#header(MR_EXTEND, gpa + BigInt(offset));
      this.#hasher.update(page.subarray(offset, offset + TDX_EXTEND_CHUNK_SIZE));
    }
  }

  /** The MRTD. */
  digest(): Uint8Array {
    return this.#hasher.digest();
  }
}

/**
 * Computes the 48-byte TDX MRTD of `file` by the `igvm` crate's rules, for
 * `compatibilityMask` (default: the mask of the file's first TDX platform
 * header).
 *
 * Throws {@link MeasurementError} when the file has no TDX platform header
 * (and no mask is given), names an unknown parameter area, or carries page
 * data longer than 4 KiB.
 *
 * @example
 * ```ts
 * import { measureTdx } from "./tdx.ts";
 * import { pageData, platform } from "../igvm/builder.ts";
 * const file = {
 *   revision: { version: 1 } as const,
 *   platforms: [platform(3, 0x1)],
 *   initializations: [],
 *   directives: [pageData(0x1000n, 0x1, new Uint8Array(4096))],
 * };
 * measureTdx(file).toHex().toUpperCase(); // 96 hex digits
 * ```
 */
export function measureTdx(
  file: IgvmFile,
  compatibilityMask?: number,
  log?: (line: string) => void,
): Uint8Array {
  const pageLog = log ? new PageLog(log) : undefined;
  const mask = crateMask(file, PlatformType.TDX, compatibilityMask);
  const mrtd = new MrtdHasher();
  const scratch = new Uint8Array(PAGE_SIZE_4K); // page reads are hashed at once
  const areas = new ParameterAreaSizes(true);
  for (const d of file.directives) {
    if (!crateSelects(d, mask)) continue;
    switch (d.type) {
      case "ParameterArea":
        areas.define(d.parameterAreaIndex, d.numberOfBytes);
        break;
      case "PageData":
        if ((d.flags & PageDataFlags.SHARED) !== 0) {
          pageLog?.page("Shared (skipped)", d.gpa, 0x1000n);
          break;
        }
        {
          const unmeasured = (d.flags & PageDataFlags.UNMEASURED) !== 0;
          mrtd.page(d.gpa, unmeasured ? null : cratePage(d.data, file.source, scratch));
          pageLog?.page(
            unmeasured ? "MEM.PAGE.ADD only" : "MEM.PAGE.ADD + MR.EXTEND",
            d.gpa,
            0x1000n,
          );
        }
        break;
      case "ParameterInsert":
        for (const gpa of pagesOfRange(d.gpa, areas.size(d.parameterAreaIndex))) {
          mrtd.page(gpa, null);
          pageLog?.page("MEM.PAGE.ADD only", gpa, 0x1000n);
        }
        break;
      default:
        break;
    }
  }
  pageLog?.finish();
  return mrtd.digest();
}
