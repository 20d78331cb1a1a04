/**
 * The SEV-SNP launch digest chain: each measured page extends the digest with
 * SHA-384 of a 0x70-byte PAGE_INFO structure (AMD SEV-SNP ABI specification,
 * SNP_LAUNCH_UPDATE, "PAGE_INFO"):
 *
 * | off  | size | field |
 * |------|------|-------|
 * | 0x00 | 48   | DIGEST_CUR (the launch digest so far; 48 zero bytes at the start) |
 * | 0x30 | 48   | CONTENTS: SHA-384 of the page for NORMAL and VMSA pages, zero otherwise |
 * | 0x60 | 2    | LENGTH = 0x70 |
 * | 0x62 | 1    | PAGE_TYPE |
 * | 0x63 | 1    | IMI_PAGE (0) |
 * | 0x64 | 3    | VMPL3, VMPL2, VMPL1 permissions (0) |
 * | 0x67 | 1    | reserved (0) |
 * | 0x68 | 8    | GPA |
 *
 * The original igvmmeasure names the permission bytes in another order
 * (reserved, vmpl1, vmpl2, vmpl3); all launch paths pass zero, so the digests
 * agree.
 *
 * @module
 */

import { createPageInfoHasher, type PageInfoHasher } from "./wasm_sha384.ts";

/**
 * SNP page types (PAGE_INFO.PAGE_TYPE).
 *
 * @example
 * ```ts
 * import { SnpDigest, SnpPageType } from "../mod.ts";
 * const ld = new SnpDigest();
 * ld.extend(SnpPageType.ZERO, 0x1000n);
 * console.log(ld.digest.toHex().toUpperCase());
 * ```
 */
export const SnpPageType = {
  NORMAL: 1,
  VMSA: 2,
  ZERO: 3,
  UNMEASURED: 4,
  SECRETS: 5,
  CPUID: 6,
} as const;
/** A PAGE_INFO page type. */
export type SnpPageType = typeof SnpPageType[keyof typeof SnpPageType];

/** Size of PAGE_INFO. */
const PAGE_INFO_SIZE = 0x70;

/**
 * A launch digest being built, one PAGE_INFO at a time.
 *
 * @example
 * ```ts
 * import { SnpDigest, SnpPageType } from "./page_info.ts";
 * const d = new SnpDigest();
 * d.extend(SnpPageType.UNMEASURED, 0x1000n);
 * d.digest.length; // 48
 * ```
 */
export class SnpDigest {
  readonly #hasher: PageInfoHasher = createPageInfoHasher();
  readonly #info = this.#hasher.info;
  readonly #view = new DataView(this.#info.buffer, this.#info.byteOffset, PAGE_INFO_SIZE);

  /** Starts from `initial` (48 zero bytes by default). */
  constructor(initial?: Uint8Array) {
    this.#info.fill(0);
    if (initial) this.#info.set(initial.subarray(0, 48), 0);
    this.#view.setUint16(0x60, PAGE_INFO_SIZE, true);
  }

  /** The current launch digest (a copy). */
  get digest(): Uint8Array {
    return this.#info.slice(0, 48);
  }

  /**
   * Extends the digest with one page, or with `count` pages at `gpa`,
   * `gpa + 4096`, … (in 64-bit arithmetic). `contents` is the page's SHA-384
   * for NORMAL and VMSA pages; omit it (zeros) for the other types.
   */
  extend(pageType: SnpPageType, gpa: bigint, contents?: Uint8Array, count = 1): void {
    const info = this.#info;
    const view = this.#view;
    if (contents) info.set(contents, 0x30);
    else info.fill(0, 0x30, 0x60);
    info[0x62] = pageType;
    const at = BigInt.asUintN(64, gpa);
    // The GPA as two 32-bit halves, stepped without BigInt arithmetic per page.
    let low = Number(at & 0xFFFFFFFFn);
    let high = Number(at >> 32n);
    const chain = this.#hasher.chain;
    for (let i = 0; i < count; i++) {
      view.setUint32(0x68, low, true);
      view.setUint32(0x6c, high, true);
      chain();
      low += 0x1000;
      if (low > 0xFFFFFFFF) {
        low -= 0x100000000;
        high = (high + 1) >>> 0;
      }
    }
  }
}
