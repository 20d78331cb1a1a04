/**
 * The VBS boot measurement digest chain (microsoft/igvm
 * `igvm/src/measurement/vbs.rs`, `VbsDigestor`).
 *
 * The digest starts as 32 zero bytes; each record replaces it with
 * SHA-256(digest ‖ record) (`VbsDigestor::create_record_entry`). Records,
 * little-endian:
 *
 * GPA page chunk (`VpGpaPageChunk`, 32 bytes, then exactly 4096 bytes of
 * page data zero-padded):
 *
 * | off | size | field |
 * |-----|------|-------|
 * | 0   | 4    | byte_count = 4096 + 32 |
 * | 4   | 4    | chunk type VP_GPA_PAGE = 2 |
 * | 8   | 8    | reserved (0) |
 * | 16  | 8    | metadata: bits 0–1 acceptance (1 readable, 2 writable), bit 2 data_unmeasured |
 * | 24  | 8    | page number (GPA / 4096) |
 *
 * VP register chunk (`VbsRegisterChunk`, 48 bytes, hashed alone):
 *
 * | off | size | field |
 * |-----|------|-------|
 * | 0   | 4    | byte_count = 48 |
 * | 4   | 4    | chunk type VP_REGISTER = 0 |
 * | 8   | 12   | reserved (0) |
 * | 20  | 1    | VTL of the VP context |
 * | 21  | 7    | reserved (0) |
 * | 28  | 4    | Hyper-V register name |
 * | 32  | 16   | `HV_REGISTER_VALUE` (encodings in `vbs_rules.ts`) |
 *
 * @module
 */

import { PAGE_SIZE_4K } from "../igvm/defs.ts";
import { type Sha256, sha256For } from "./wasm_sha256.ts";
import type { RegisterRecord } from "./records.ts";

/** `VBS_VP_CHUNK_SIZE_BYTES`: page chunk header plus a page. */
const PAGE_CHUNK_HEADER_SIZE = 32;
const REGISTER_CHUNK_SIZE = 48;
const CHUNK_VP_REGISTER = 0;
const CHUNK_VP_GPA_PAGE = 2;
const PAGE_4K = BigInt(PAGE_SIZE_4K);
const ZERO_PAGE = new Uint8Array(PAGE_SIZE_4K);

/**
 * `VBS_VM_GPA_PAGE_BOOT_METADATA` bits (`PageRecord.type` of VBS records).
 *
 * @example
 * ```ts
 * import { VbsPageMetadata } from "./vbs_chain.ts";
 * VbsPageMetadata.READABLE | VbsPageMetadata.WRITABLE | VbsPageMetadata.UNMEASURED; // 7
 * ```
 */
export const VbsPageMetadata = { READABLE: 0x1, WRITABLE: 0x2, UNMEASURED: 0x4 } as const;

/**
 * The VBS digest chain.
 *
 * @example
 * ```ts
 * import { VbsDigest } from "./vbs_chain.ts";
 * const chain = new VbsDigest();
 * chain.page(4, 0x1000n, null);
 * chain.digest.length; // 32
 * ```
 */
export class VbsDigest {
  #digest: Uint8Array = new Uint8Array(32);
  readonly #sha256: Sha256;
  readonly #pageHeader = new Uint8Array(PAGE_CHUNK_HEADER_SIZE);
  readonly #pageView = new DataView(this.#pageHeader.buffer);

  /** `bytes`: about how much the chain will hash (it picks its SHA-256 by it, see `sha256For`). */
  constructor(bytes = 0) {
    this.#sha256 = sha256For(bytes);
  }

  /**
   * `record_gpa_page`: the page chunk with `metadata` and 4 KiB of `page`
   * (null: zeros; unmeasured pages are always zeros), for the page at `gpa`,
   * or for `count` pages at `gpa`, `gpa + 4096`, … (page numbers
   * `gpa / 4096 + i`, in 64-bit arithmetic).
   */
  page(metadata: number, gpa: bigint, page: Uint8Array | null, count = 1): void {
    const view = this.#pageView;
    view.setUint32(0, PAGE_CHUNK_HEADER_SIZE + PAGE_SIZE_4K, true);
    view.setUint32(4, CHUNK_VP_GPA_PAGE, true);
    view.setBigUint64(16, BigInt(metadata), true);
    const unmeasured = (metadata & VbsPageMetadata.UNMEASURED) !== 0;
    const bytes = unmeasured || page === null ? ZERO_PAGE : page;
    const first = BigInt.asUintN(64, gpa / PAGE_4K);
    let low = Number(first & 0xFFFFFFFFn);
    let high = Number(first >> 32n);
    for (let i = 0; i < count; i++) {
      view.setUint32(24, low, true);
      view.setUint32(28, high, true);
      this.#record(this.#pageHeader, bytes);
      if (++low > 0xFFFFFFFF) {
        low = 0;
        high = (high + 1) >>> 0;
      }
    }
  }

  /** `record_vp_register`: one 48-byte register chunk per register. */
  registers(r: RegisterRecord): void {
    for (const { name, value } of r.registers) {
      const chunk = new Uint8Array(REGISTER_CHUNK_SIZE);
      const view = new DataView(chunk.buffer);
      view.setUint32(0, REGISTER_CHUNK_SIZE, true);
      view.setUint32(4, CHUNK_VP_REGISTER, true);
      view.setUint8(20, r.vtl);
      view.setUint32(28, name, true);
      chunk.set(value, 32);
      this.#record(chunk);
    }
  }

  #record(...parts: Uint8Array[]): void {
    const h = this.#sha256.update(this.#digest);
    for (const p of parts) h.update(p);
    this.#digest = h.digest();
  }

  /** The digest so far (a copy). */
  get digest(): Uint8Array {
    return this.#digest.slice();
  }
}
