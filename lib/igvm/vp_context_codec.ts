/**
 * Decoding of `IGVM_VHS_VP_CONTEXT` (type 0x304, 20 bytes: gpa u64, mask u32,
 * file_offset u32, vp_index u16, reserved u16): the platform named by the
 * mask decides what the file data holds — a 4 KiB SNP/SEV-ES VMSA, an x64
 * native or AArch64 CCA register structure padded to 4 KiB, or a VBS register
 * list (microsoft/igvm `IgvmDirectiveHeader::new_from_binary_split`).
 *
 * @module
 */

import {
  Arch,
  CCA_VP_CONTEXT_SIZE,
  NATIVE_VP_CONTEXT_X64_SIZE,
  PAGE_SIZE_4K,
  PlatformType,
  VBS_VP_CONTEXT_HEADER_SIZE,
  VBS_VP_CONTEXT_REGISTER_SIZE,
} from "./defs.ts";
import { HeaderError } from "./format_error.ts";
import {
  checkGpa,
  checkVtl,
  type HeaderBody,
  type HeaderContext,
  u16,
  u32,
  u64,
  vpContextRange,
} from "./header_body.ts";
import { isSupportedVbsRegister } from "./vbs_registers.ts";
import type { DirectiveHeader, VbsRegister } from "./types.ts";

/** Size of `SevVmsa` in igvm 0.4.0 (HEAD pads it to 4 KiB). */
const LEGACY_VMSA_SIZE = 1648;

/**
 * Decodes one `IGVM_VHS_VP_CONTEXT` body: `ctx.maskMap` names the platform
 * of its compatibility mask, which decides how the file data is read and
 * checked. Throws {@link HeaderError} as the crate refuses.
 *
 * @example
 * ```ts
 * import { Arch, PlatformType } from "./defs.ts";
 * import { parseVpContext } from "./vp_context_parser.ts";
 * import { bytesSource } from "./source.ts";
 * // An SEV-SNP file: 4 KiB of headers, then a zero VMSA page as file data.
 * const ctx = {
 *   source: bytesSource(new Uint8Array(8192)),
 *   fileDataStart: 4096,
 *   arch: Arch.X64,
 *   maskMap: new Map([[1, PlatformType.SEV_SNP]]),
 * };
 * const view = new DataView(new ArrayBuffer(20));
 * view.setBigUint64(0, 0xfffff000n, true); // VMSA GPA
 * view.setUint32(8, 1, true); // compatibility mask
 * view.setUint32(12, 4096, true); // file offset
 * parseVpContext({ view, at: 0 }, ctx).type; // "SnpVpContext"
 * ```
 */
export function parseVpContext(b: HeaderBody, ctx: HeaderContext): DirectiveHeader {
  // IGVM_VHS_VP_CONTEXT: gpa u64 @0, mask u32 @8, file_offset u32 @12, vp_index u16 @16, reserved u16 @18
  const gpa = u64(b, 0);
  const compatibilityMask = u32(b, 8);
  const fileOffset = u32(b, 12);
  const vpIndex = u16(b, 16);
  const platform = ctx.maskMap.get(compatibilityMask);
  switch (platform) {
    case PlatformType.VSM_ISOLATION:
      return parseVbsVpContext(ctx, fileOffset, compatibilityMask, vpIndex);
    case PlatformType.SEV_SNP:
    case PlatformType.SEV_ES: {
      const vmsa = vpContextRange(ctx, fileOffset, PAGE_SIZE_4K);
      if (ctx.legacy) {
        // igvm 0.4.0's SevVmsa is 1648 bytes; it refuses a VMSA page with non-zero bytes after them.
        const page = ctx.source.read(vmsa.offset, vmsa.length);
        for (let i = LEGACY_VMSA_SIZE; i < PAGE_SIZE_4K; i++) {
          if (page[i] !== 0) {
            throw new HeaderError(
              "InvalidVmsa",
              undefined,
              `byte 0x${
                i.toString(16)
              } of the VMSA page is not zero (igvm 0.4.0, which the original ` +
                "igvmmeasure uses, refuses this; igvm HEAD and --semantics openvmm accept it)",
            );
          }
        }
      }
      checkGpa(gpa);
      return { type: "SnpVpContext", gpa, compatibilityMask, vpIndex, vmsa };
    }
    case PlatformType.NATIVE:
    case PlatformType.SEV:
    case PlatformType.CCA: {
      const size = platform === PlatformType.CCA ? CCA_VP_CONTEXT_SIZE : NATIVE_VP_CONTEXT_X64_SIZE;
      const range = vpContextRange(ctx, fileOffset, PAGE_SIZE_4K);
      const page = ctx.source.read(range.offset, range.length);
      for (let i = size; i < PAGE_SIZE_4K; i++) {
        if (page[i] !== 0) {
          throw new HeaderError(
            "InvalidContext",
            undefined,
            `byte ${i} of the ${PLATFORM_LABEL[platform]} VP context page is not zero`,
          );
        }
      }
      const context = page.slice(0, size);
      return platform === PlatformType.CCA
        ? { type: "AArch64CcaVpContext", compatibilityMask, vpIndex, context }
        : { type: "X64NativeVpContext", compatibilityMask, vpIndex, context };
    }
    default:
      throw new HeaderError(
        "InvalidVpContextPlatformType",
        undefined,
        `mask 0x${compatibilityMask.toString(16)}`,
      );
  }
}

const PLATFORM_LABEL: Record<number, string> = { 0: "native", 4: "SEV", 6: "CCA" };

function parseVbsVpContext(
  ctx: HeaderContext,
  fileOffset: number,
  compatibilityMask: number,
  vpIndex: number,
): DirectiveHeader {
  const start = (fileOffset - ctx.fileDataStart) >>> 0;
  const dataLength = ctx.source.size - ctx.fileDataStart;
  if (start + VBS_VP_CONTEXT_HEADER_SIZE > dataLength) {
    throw new HeaderError("InvalidDataSize", undefined, "VBS VP context header");
  }
  const at = ctx.fileDataStart + start;
  const count = new DataView(ctx.source.read(at, 4).slice().buffer).getUint32(0, true);
  // Bound the register count by the bytes present before reading any of them.
  const available = Math.floor(
    (dataLength - start - VBS_VP_CONTEXT_HEADER_SIZE) / VBS_VP_CONTEXT_REGISTER_SIZE,
  );
  if (count > available) {
    throw new HeaderError("InvalidDataSize", undefined, `VBS VP context with ${count} registers`);
  }
  const raw = ctx.source.read(at + VBS_VP_CONTEXT_HEADER_SIZE, count * VBS_VP_CONTEXT_REGISTER_SIZE)
    .slice();
  const view = new DataView(raw.buffer);
  const registers: VbsRegister[] = [];
  let vtl: number | undefined;
  for (let i = 0; i < count; i++) {
    // VbsVpContextRegister: vtl u8 @0, register_name u32 @1, mbz[11] @5, register_value[16] @16
    const o = i * VBS_VP_CONTEXT_REGISTER_SIZE;
    const regVtl = view.getUint8(o);
    if (vtl === undefined) vtl = regVtl;
    else if (vtl !== regVtl) {
      // The crate asserts here (it supports one VTL per context) and panics.
      throw new HeaderError(
        "InvalidVtl",
        undefined,
        "VBS VP context registers name different VTLs",
      );
    }
    registers.push({ name: view.getUint32(o + 1, true), value: raw.slice(o + 16, o + 32) });
  }
  if (vpIndex !== 0) {
    // The crate asserts vp_index == 0 (BSP only) and panics.
    throw new HeaderError(
      "InvalidContext",
      undefined,
      `VBS VP context for VP ${vpIndex} (only VP 0 is supported)`,
    );
  }
  if (vtl === undefined) throw new HeaderError("NoVbsVpContextRegisters");
  checkVtl(vtl);
  for (const r of registers) {
    if (!isSupportedVbsRegister(ctx.arch === Arch.X64, r.name, ctx.legacy)) {
      throw new HeaderError(
        ctx.arch === Arch.X64 ? "UnsupportedX64Register" : "UnsupportedAArch64Register",
        undefined,
        `register 0x${r.name.toString(16)}`,
      );
    }
  }
  return {
    type: ctx.arch === Arch.X64 ? "X64VbsVpContext" : "AArch64VbsVpContext",
    vtl,
    registers,
    compatibilityMask,
  };
}
