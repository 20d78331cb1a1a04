/**
 * The TDX MRTD (Intel TDX module ABI, `TDH.MEM.PAGE.ADD` and `TDH.MR.EXTEND`;
 * microsoft/igvm `igvm/src/measurement/tdx.rs`).
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
 * @module
 */

import { PAGE_SIZE_4K } from "../igvm/defs.ts";
import type { Hasher } from "../hash.ts";
import { createSha384Stream } from "./wasm_sha384.ts";

/**
 * The TDX operations a page is measured with (`PageRecord.type` of TDX records).
 *
 * @example
 * ```ts
 * import { TdxOperation } from "./tdx_mrtd.ts";
 * TdxOperation.ADD_EXTEND; // 2: MEM.PAGE.ADD, then 16 MR.EXTENDs of the page
 * ```
 */
export const TdxOperation = {
  /** `MEM.PAGE.ADD` only. */
  ADD: 1,
  /** `MEM.PAGE.ADD`, then 16 `MR.EXTEND`s of the page's bytes (zeros without data). */
  ADD_EXTEND: 2,
} as const;

/** Size of the `MEM.PAGE.ADD` record and of the `MR.EXTEND` header. */
const TDX_RECORD_SIZE = 128;
/** `TDX_EXTEND_CHUNK_SIZE`: bytes of page data per `MR.EXTEND`. */
const TDX_EXTEND_CHUNK_SIZE = 256;

const ascii = (text: string) => new TextEncoder().encode(text);
const PAGE_ADD = ascii("MEM.PAGE.ADD");
const MR_EXTEND = ascii("MR.EXTEND");
const ZERO_PAGE = new Uint8Array(PAGE_SIZE_4K);
const PAGE_4K = BigInt(PAGE_SIZE_4K);

/**
 * Hashes TDX measurement records into one SHA-384.
 *
 * @example
 * ```ts
 * import { MrtdHasher, TdxOperation } from "./tdx_mrtd.ts";
 * const mrtd = new MrtdHasher();
 * mrtd.page(TdxOperation.ADD, 0x1000n, null);
 * mrtd.digest().length; // 48
 * ```
 */
export class MrtdHasher {
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

  /**
   * `measure_page`: PAGE.ADD, then for {@link TdxOperation.ADD_EXTEND} 16
   * MR.EXTENDs of `page` (4 KiB; null: zeros); `count` times, at `gpa`,
   * `gpa + 4096`, … (in 64-bit arithmetic).
   */
  page(operation: number, gpa: bigint, page: Uint8Array | null, count = 1): void {
    if (operation !== TdxOperation.ADD_EXTEND) return this.#pageAdds(gpa, count);
    const bytes = page ?? ZERO_PAGE;
    for (let i = 0; i < count; i++) {
      const at = gpa + BigInt(i) * PAGE_4K;
      this.#header(PAGE_ADD, at);
      for (let offset = 0; offset < PAGE_SIZE_4K; offset += TDX_EXTEND_CHUNK_SIZE) {
        this.#header(MR_EXTEND, at + BigInt(offset));
        this.#hasher.update(bytes.subarray(offset, offset + TDX_EXTEND_CHUNK_SIZE));
      }
    }
  }

  /** `count` PAGE.ADD records from `gpa` up, the GPA stepped without BigInt arithmetic. */
  #pageAdds(gpa: bigint, count: number): void {
    this.#record.fill(0);
    this.#record.set(PAGE_ADD, 0);
    const at = BigInt.asUintN(64, gpa);
    let low = Number(at & 0xFFFFFFFFn);
    let high = Number(at >> 32n);
    for (let i = 0; i < count; i++) {
      this.#view.setUint32(16, low, true);
      this.#view.setUint32(20, high, true);
      this.#hasher.update(this.#record);
      low += PAGE_SIZE_4K;
      if (low > 0xFFFFFFFF) {
        low -= 0x100000000;
        high = (high + 1) >>> 0;
      }
    }
  }

  /** The MRTD. */
  digest(): Uint8Array {
    return this.#hasher.digest();
  }
}
