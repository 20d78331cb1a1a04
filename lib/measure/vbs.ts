/**
 * The VBS (Hyper-V virtualization-based security, `VSM_ISOLATION` platform)
 * boot measurement digest by the rules of Microsoft's `igvm` crate
 * (microsoft/igvm commit e6c3ff1, `igvm/src/measurement/vbs.rs`,
 * `generate_vbs_measurement`; register encodings from `igvm/src/registers.rs`
 * and `igvm/src/hv_defs.rs`).
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
 * | 32  | 16   | `HV_REGISTER_VALUE` (encodings in {@link vbsRegisterValue}) |
 *
 * Rules (vbs.rs), directives in file order, skipped unless their mask has
 * every bit of the target (`crate_rules.ts`):
 *
 * - `PageData`: a data type other than NORMAL panics in the crate (an
 *   `assert_eq!` before the shared test); here it is a MeasurementError.
 *   `shared` → skipped. Otherwise one page chunk at `gpa`, metadata 0, or 4
 *   if `unmeasured` (then the data is replaced by zeros). `is_2mb_page` is
 *   ignored.
 * - `ParameterInsert`: `floor(size / 4096)` chunks of zeros from `gpa`,
 *   metadata 4.
 * - `ErrorRange`: `ceil(size_bytes / 4096)` chunks of zeros from `gpa`,
 *   metadata 7 (readable, writable, unmeasured).
 * - `ParameterArea`: remembers `number_of_bytes`; an index defined twice is
 *   `InvalidParameterAreaIndex`.
 * - `X64VbsVpContext` / `AArch64VbsVpContext`: their registers are measured
 *   after all other records, contexts in file order, registers in stored order.
 * - everything else: nothing (the `VbsMeasurement` header is not read).
 *
 * @module
 */

import { PAGE_SIZE_4K, PageDataFlags, PageDataType, PlatformType } from "../igvm/defs.ts";
import { readPayload } from "../igvm/source.ts";
import type { IgvmFile, IgvmSource, Payload, VbsVpContext } from "../igvm/types.ts";
import { MeasurementError } from "../errors.ts";
import { createHasher } from "../hash.ts";
import { crateMask, crateSelects, ParameterAreaSizes } from "./crate_rules.ts";
import { PageLog } from "./verbose_log.ts";
import { vbsRegisterBytes } from "../igvm/vbs_registers.ts";

const PAGE_4K = BigInt(PAGE_SIZE_4K);
/** `VBS_VP_CHUNK_SIZE_BYTES`: page chunk header plus a page. */
const PAGE_CHUNK_HEADER_SIZE = 32;
const REGISTER_CHUNK_SIZE = 48;
const CHUNK_VP_REGISTER = 0;
const CHUNK_VP_GPA_PAGE = 2;
/** `VBS_VM_GPA_PAGE_BOOT_METADATA` bits. */
const META_READABLE = 0x1n;
const META_WRITABLE = 0x2n;
const META_UNMEASURED = 0x4n;

/**
 * The 16-byte value the crate measures for a stored register. The crate
 * decodes each register into a typed value and encodes it again
 * (`X86Register::try_from` then `into_vbs_vp_context_reg`), so:
 * u64 registers keep bytes 0–7 and zero 8–15; the table registers GDTR/IDTR
 * (`HvX64TableRegister`: pad[3] u16, limit u16 @6, base u64 @8) zero bytes
 * 0–5; segment registers (`HvX64SegmentRegister`: base u64, limit u32,
 * selector u16, attributes u16) keep all 16 bytes. A register the crate
 * cannot represent (the parser refuses those) is a MeasurementError.
 *
 * @example
 * ```ts
 * import { vbsRegisterValue } from "./vbs.ts";
 * const raw = new Uint8Array(16).fill(0xff);
 * vbsRegisterValue("X64VbsVpContext", 0x00020010, raw); // RIP: 8 × 0xff, 8 × 0
 * ```
 */
export function vbsRegisterValue(
  context: VbsVpContext["type"],
  name: number,
  raw: Uint8Array,
): Uint8Array {
  const x64 = context === "X64VbsVpContext";
  const value = vbsRegisterBytes(x64, name, raw);
  if (value !== undefined) return value;
  throw new MeasurementError(
    `unsupported ${x64 ? "x64" : "AArch64"} VBS register 0x${
      name.toString(16)
    }: the igvm crate cannot measure it`,
  );
}

/** The VBS digest chain. */
class VbsDigest {
  #digest: Uint8Array = new Uint8Array(32);
  readonly #pageHeader = new Uint8Array(PAGE_CHUNK_HEADER_SIZE);
  readonly #pageView = new DataView(this.#pageHeader.buffer);
  readonly #page = new Uint8Array(PAGE_SIZE_4K);

  /**
   * `record_gpa_page`: `count` page chunks from page number `firstPage`, each
   * with the next 4 KiB of `data` (none if unmeasured), zero-padded.
   */
  pages(firstPage: bigint, count: bigint, metadata: bigint, data: Uint8Array): void {
    const view = this.#pageView;
    view.setUint32(0, PAGE_CHUNK_HEADER_SIZE + PAGE_SIZE_4K, true);
    view.setUint32(4, CHUNK_VP_GPA_PAGE, true);
    view.setBigUint64(16, metadata, true);
    let rest = (metadata & META_UNMEASURED) !== 0n ? data.subarray(0, 0) : data;
    for (let i = 0n; i < count; i++) {
      view.setBigUint64(24, BigInt.asUintN(64, firstPage + i), true);
      const chunk = rest.subarray(0, PAGE_SIZE_4K);
      rest = rest.subarray(chunk.length);
      this.#page.fill(0);
      this.#page.set(chunk);
      this.#record(this.#pageHeader, this.#page);
    }
  }

  /** `record_vp_register`: one 48-byte register chunk. */
  register(vtl: number, name: number, value: Uint8Array): void {
    const chunk = new Uint8Array(REGISTER_CHUNK_SIZE);
    const view = new DataView(chunk.buffer);
    view.setUint32(0, REGISTER_CHUNK_SIZE, true);
    view.setUint32(4, CHUNK_VP_REGISTER, true);
    view.setUint8(20, vtl);
    view.setUint32(28, name, true);
    chunk.set(value, 32);
    this.#record(chunk);
  }

  #record(...parts: Uint8Array[]): void {
    const h = createHasher("sha256").update(this.#digest);
    for (const p of parts) h.update(p);
    this.#digest = h.digest();
  }

  get digest(): Uint8Array {
    return this.#digest.slice();
  }
}

function pageBytes(data: Payload | null, source: IgvmSource | undefined): Uint8Array {
  return data === null ? new Uint8Array(0) : readPayload(data, source);
}

/**
 * Computes the 32-byte VBS boot measurement digest of `file` by the `igvm`
 * crate's rules, for `compatibilityMask` (default: the mask of the file's
 * first VSM_ISOLATION platform header).
 *
 * Throws {@link MeasurementError} when the file has no VSM_ISOLATION platform
 * header (and no mask is given), names an unknown parameter area or defines
 * one twice, or has a selected page-data directive whose type is not NORMAL
 * (where the crate panics).
 *
 * @example
 * ```ts
 * import { measureVbs } from "./vbs.ts";
 * import { pageData, platform } from "../igvm/builder.ts";
 * const file = {
 *   revision: { version: 1 } as const,
 *   platforms: [platform(1, 0x1)],
 *   initializations: [],
 *   directives: [pageData(0x1000n, 0x1, new Uint8Array(4096))],
 * };
 * measureVbs(file).toHex().toUpperCase(); // 64 hex digits
 * ```
 */
export function measureVbs(
  file: IgvmFile,
  compatibilityMask?: number,
  log?: (line: string) => void,
): Uint8Array {
  const pageLog = log ? new PageLog(log) : undefined;
  const mask = crateMask(file, PlatformType.VSM_ISOLATION, compatibilityMask);
  const chain = new VbsDigest();
  const areas = new ParameterAreaSizes(false);
  const contexts: VbsVpContext[] = [];
  for (const d of file.directives) {
    if (!crateSelects(d, mask)) continue;
    switch (d.type) {
      case "PageData": {
        if (d.dataType !== PageDataType.NORMAL) {
          throw new MeasurementError(
            `page at GPA 0x${d.gpa.toString(16)} has data type ${d.dataType}, ` +
              "but VBS measures only NORMAL pages (the igvm crate panics here)",
          );
        }
        if ((d.flags & PageDataFlags.SHARED) !== 0) {
          pageLog?.page("Shared (skipped)", d.gpa, PAGE_4K);
          break;
        }
        const metadata = (d.flags & PageDataFlags.UNMEASURED) !== 0 ? META_UNMEASURED : 0n;
        chain.pages(d.gpa / PAGE_4K, 1n, metadata, pageBytes(d.data, file.source));
        pageLog?.page(metadata === 0n ? "Measured" : "Unmeasured", d.gpa, PAGE_4K);
        break;
      }
      case "ParameterInsert": {
        const size = areas.size(d.parameterAreaIndex);
        chain.pages(d.gpa / PAGE_4K, size / PAGE_4K, META_UNMEASURED, new Uint8Array(0));
        pageLog?.page("Unmeasured", d.gpa, size);
        break;
      }
      case "ErrorRange": {
        const count = (BigInt(d.sizeBytes) + PAGE_4K - 1n) / PAGE_4K;
        areas.chargePages(count, `error range at GPA 0x${d.gpa.toString(16)}`);
        const metadata = META_READABLE | META_WRITABLE | META_UNMEASURED;
        chain.pages(d.gpa / PAGE_4K, count, metadata, new Uint8Array(0));
        pageLog?.page("Error range", d.gpa, count * PAGE_4K);
        break;
      }
      case "ParameterArea":
        areas.define(d.parameterAreaIndex, d.numberOfBytes);
        break;
      case "X64VbsVpContext":
      case "AArch64VbsVpContext":
        contexts.push(d);
        break;
      default:
        break;
    }
  }
  pageLog?.finish();
  for (const context of contexts) {
    log?.(`vp registers: VTL ${context.vtl}, ${context.registers.length} registers`);
    for (const r of context.registers) {
      chain.register(context.vtl, r.name, vbsRegisterValue(context.type, r.name, r.value));
    }
  }
  return chain.digest;
}
