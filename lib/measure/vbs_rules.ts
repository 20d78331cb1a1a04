/**
 * The VBS (Hyper-V virtualization-based security, `VSM_ISOLATION` platform)
 * boot measurement digest by the rules of Microsoft's `igvm` crate
 * (microsoft/igvm commit e6c3ff1, `igvm/src/measurement/vbs.rs`,
 * `generate_vbs_measurement`; register encodings from `igvm/src/registers.rs`
 * and `igvm/src/hv_defs.rs`).
 *
 * The digest chains SHA-256 over page and register chunks (layouts in
 * `vbs_chain.ts`).
 *
 * Rules (vbs.rs), directives in file order, skipped unless their mask has
 * every bit of the target (`allBits`):
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

import { PAGE_SIZE_4K, PageDataFlags, PageDataType } from "../igvm/defs.ts";
import type { PageData, VbsVpContext } from "../igvm/types.ts";
import { MeasurementError } from "../errors.ts";
import { type PageRecord, pages, type RegisterRecord, SKIPPED } from "./records.ts";
import { allBits, type RuleSet } from "./rule_set.ts";
import { ParameterAreaSizes } from "./crate_rules.ts";
import { VbsPageMetadata } from "./vbs_chain.ts";
import { vbsRegisterBytes } from "../igvm/vbs_registers.ts";

const PAGE_4K = BigInt(PAGE_SIZE_4K);

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
 * import { vbsRegisterValue } from "./vbs_rules.ts";
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

/** What a VBS measurement carries: the parameter areas, and the VP contexts measured last. */
interface VbsState {
  readonly areas: ParameterAreaSizes;
  readonly contexts: VbsVpContext[];
}

function page(d: PageData): PageRecord {
  if (d.dataType !== PageDataType.NORMAL) {
    throw new MeasurementError(
      `page at GPA 0x${d.gpa.toString(16)} has data type ${d.dataType}, ` +
        "but VBS measures only NORMAL pages (the igvm crate panics here)",
    );
  }
  if ((d.flags & PageDataFlags.SHARED) !== 0) {
    return pages(d.gpa, SKIPPED, null, "Shared (skipped)");
  }
  return (d.flags & PageDataFlags.UNMEASURED) !== 0
    ? pages(d.gpa, VbsPageMetadata.UNMEASURED, null, "Unmeasured")
    : pages(d.gpa, 0, d.data, "Measured");
}

function registers(context: VbsVpContext): RegisterRecord {
  return {
    kind: "registers",
    vtl: context.vtl,
    registers: context.registers.map((r) => ({
      name: r.name,
      value: vbsRegisterValue(context.type, r.name, r.value),
    })),
  };
}

/**
 * VBS by the `igvm` crate's rules (see the module documentation).
 *
 * @example
 * ```ts
 * import { CRATE_VBS } from "./vbs_rules.ts";
 * CRATE_VBS.digest; // "vbs"
 * ```
 */
export const CRATE_VBS: RuleSet<VbsState> = {
  digest: "vbs",
  selects: allBits,
  start: () => ({ areas: new ParameterAreaSizes(false, "vbs"), contexts: [] }),
  directives: {
    PageData: page,
    ParameterInsert: (d, s) => {
      const size = s.areas.size(d.parameterAreaIndex);
      s.areas.chargePages(size / PAGE_4K, `parameter area ${d.parameterAreaIndex}`);
      // The parser refuses an area whose size is not a multiple of 4 KiB.
      return pages(d.gpa, VbsPageMetadata.UNMEASURED, null, "Unmeasured", Number(size / PAGE_4K));
    },
    ErrorRange: (d, s) => {
      const count = (BigInt(d.sizeBytes) + PAGE_4K - 1n) / PAGE_4K;
      s.areas.chargePages(count, `error range at GPA 0x${d.gpa.toString(16)}`);
      const metadata = VbsPageMetadata.READABLE | VbsPageMetadata.WRITABLE |
        VbsPageMetadata.UNMEASURED;
      return pages(d.gpa, metadata, null, "Error range", Number(count));
    },
    ParameterArea: (d, s) => {
      s.areas.define(d.parameterAreaIndex, d.numberOfBytes);
    },
    X64VbsVpContext: (d, s) => {
      s.contexts.push(d);
    },
    AArch64VbsVpContext: (d, s) => {
      s.contexts.push(d);
    },
  },
  finish: (s) => s.contexts.map(registers),
};
