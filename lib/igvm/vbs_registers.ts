/**
 * The VBS VP-context registers the igvm crate supports, and how it encodes
 * their 16-byte values (microsoft/igvm `igvm/src/registers.rs`,
 * `X86Register::try_from` / `AArch64Register::try_from` and
 * `into_vbs_vp_context_reg`; register names from `hv_defs.rs`).
 *
 * The crate decodes each stored register into a typed value and encodes it
 * again when it serializes or measures, so:
 * - u64 registers keep bytes 0–7 and zero bytes 8–15;
 * - the table registers GDTR/IDTR (`HvX64TableRegister`: pad[3] u16,
 *   limit u16 @6, base u64 @8) zero bytes 0–5;
 * - segment registers (`HvX64SegmentRegister`: base u64, limit u32,
 *   selector u16, attributes u16) keep all 16 bytes.
 * Any other register name is refused by the parser
 * (`UnsupportedX64Register` / `UnsupportedAArch64Register`).
 *
 * @module
 */

/** `HvX64RegisterName` table registers: Idtr, Gdtr. */
const X64_TABLE_REGISTERS: ReadonlySet<number> = new Set([0x00070000, 0x00070001]);
/** `HvX64RegisterName` segment registers. */
const X64_SEGMENT_REGISTERS: ReadonlySet<number> = new Set([
  0x00060000, // Es
  0x00060001, // Cs
  0x00060002, // Ss
  0x00060003, // Ds
  0x00060004, // Fs
  0x00060005, // Gs
  0x00060007, // Tr
]);
/** `HvX64RegisterName` registers the crate holds as u64. */
const X64_U64_REGISTERS: ReadonlySet<number> = new Set([
  0x00040000, // Cr0
  0x00040002, // Cr3
  0x00040003, // Cr4
  0x00080001, // Efer
  0x00080004, // Pat
  0x00020004, // Rsp
  0x00020005, // Rbp
  0x00020006, // Rsi
  0x00020008, // R8
  0x00020009, // R9
  0x0002000a, // R10
  0x0002000b, // R11
  0x0002000c, // R12
  0x00020010, // Rip
  0x00020011, // Rflags
  0x0008000e, // MsrMtrrDefType
  0x00080010, // MsrMtrrPhysBase0..4
  0x00080011,
  0x00080012,
  0x00080013,
  0x00080014,
  0x00080040, // MsrMtrrPhysMask0..4
  0x00080041,
  0x00080042,
  0x00080043,
  0x00080044,
  0x00080070, // MsrMtrrFix64k00000
  0x00080071, // MsrMtrrFix16k80000
  0x00080077, // MsrMtrrFix4kE0000
  0x00080078, // MsrMtrrFix4kE8000
  0x00080079, // MsrMtrrFix4kF0000
  0x0008007a, // MsrMtrrFix4kF8000
]);
/** `HvArm64RegisterName` registers the crate supports (all u64). */
const AARCH64_REGISTERS: ReadonlySet<number> = new Set([
  0x00020000, // X0..X7
  0x00020001,
  0x00020002,
  0x00020003,
  0x00020004,
  0x00020005,
  0x00020006,
  0x00020007,
  0x00020022, // XPc
  0x00020023, // Cpsr
  0x00040002, // SctlrEl1
  0x00040005, // Ttbr0El1
  0x00040006, // Ttbr1El1
  0x00040007, // TcrEl1
  0x0004000b, // MairEl1
  0x0004000c, // VbarEl1
]);

/**
 * True if the crate can represent register `name` in an x64 (`x64` true) or
 * AArch64 VBS VP context.
 *
 * @example
 * ```ts
 * import { isSupportedVbsRegister } from "./vbs_registers.ts";
 * isSupportedVbsRegister(true, 0x00020010); // true (RIP)
 * ```
 */
export function isSupportedVbsRegister(x64: boolean, name: number, igvm040 = false): boolean {
  // igvm 0.4.0 supports X0, X1 but not X2–X7 (added later).
  if (!x64 && igvm040 && name >= 0x00020002 && name <= 0x00020007) return false;
  return x64
    ? X64_U64_REGISTERS.has(name) || X64_SEGMENT_REGISTERS.has(name) ||
      X64_TABLE_REGISTERS.has(name)
    : AARCH64_REGISTERS.has(name);
}

/**
 * The 16-byte value the crate writes and measures for a stored register, or
 * `undefined` for a register it does not support.
 *
 * @example
 * ```ts
 * import { vbsRegisterBytes } from "./vbs_registers.ts";
 * vbsRegisterBytes(true, 0x00020010, new Uint8Array(16).fill(0xff)); // RIP: 8 × 0xff, 8 × 0
 * ```
 */
export function vbsRegisterBytes(
  x64: boolean,
  name: number,
  raw: Uint8Array,
): Uint8Array | undefined {
  const value = new Uint8Array(16);
  value.set(raw.subarray(0, 16));
  if (x64 && X64_SEGMENT_REGISTERS.has(name)) return value;
  if (x64 && X64_TABLE_REGISTERS.has(name)) {
    value.fill(0, 0, 6);
    return value;
  }
  if (x64 ? X64_U64_REGISTERS.has(name) : AARCH64_REGISTERS.has(name)) {
    value.fill(0, 8, 16);
    return value;
  }
  return undefined;
}
