/**
 * `IGVM_VHS_VP_CONTEXT` (type 0x304, `structs.ts`) read and written: the
 * platform named by its compatibility mask decides what the file data holds —
 * a 4 KiB SNP/SEV-ES VMSA, an x64 native or AArch64 CCA register structure
 * padded to 4 KiB, or a VBS register list (`VbsVpContextHeader` and
 * `VbsVpContextRegister`s). microsoft/igvm
 * `IgvmDirectiveHeader::new_from_binary_split` and `write_binary_header`.
 *
 * @module
 */

import {
  Arch,
  CCA_VP_CONTEXT_SIZE,
  LEGACY_VMSA_SIZE,
  NATIVE_VP_CONTEXT_X64_SIZE,
  PAGE_SIZE_4K,
  PlatformType,
} from "./defs.ts";
import { HeaderError } from "./format_error.ts";
import { checkVtl, type HeaderContext, vpContextRange } from "./header_context.ts";
import { HEADERS } from "./header_types.ts";
import { validateGpa } from "./header_validate.ts";
import type { FileData, HeaderWriter } from "./header_writer.ts";
import {
  getBytes,
  getU16,
  getU32,
  getU64,
  getU8,
  setBytes,
  setU16,
  setU32,
  setU64,
  setU8,
  type StructView,
} from "./layout.ts";
import { IGVM_VHS_VP_CONTEXT, VBS_VP_CONTEXT_HEADER, VBS_VP_CONTEXT_REGISTER } from "./structs.ts";
import { isSupportedVbsRegister, vbsRegisterBytes } from "./vbs_registers.ts";
import type { DirectiveHeader, VbsRegister } from "./types.ts";

const VP = IGVM_VHS_VP_CONTEXT.fields;
const REG = VBS_VP_CONTEXT_REGISTER.fields;

const PLATFORM_LABEL: Record<number, string> = { 0: "native", 4: "SEV", 6: "CCA" };

/**
 * Decodes one `IGVM_VHS_VP_CONTEXT` body: `ctx.maskMap` names the platform
 * of its compatibility mask, which decides how the file data is read and
 * checked. Throws {@link HeaderError} as the crate refuses.
 *
 * @example
 * ```ts
 * import { Arch, PlatformType } from "./defs.ts";
 * import { decodeVpContext } from "./vp_context_codec.ts";
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
 * decodeVpContext({ view, at: 0 }, ctx).type; // "SnpVpContext"
 * ```
 */
export function decodeVpContext(b: StructView, ctx: HeaderContext): DirectiveHeader {
  const compatibilityMask = getU32(b, VP.compatibilityMask);
  const fileOffset = getU32(b, VP.fileOffset);
  const vpIndex = getU16(b, VP.vpIndex);
  const platform = ctx.maskMap.get(compatibilityMask);
  switch (platform) {
    case PlatformType.VSM_ISOLATION:
      return decodeVbsVpContext(ctx, fileOffset, compatibilityMask, vpIndex);
    case PlatformType.SEV_SNP:
    case PlatformType.SEV_ES: {
      const vmsa = vpContextRange(ctx, fileOffset, PAGE_SIZE_4K);
      if (ctx.legacy) checkLegacyVmsa(ctx.source.read(vmsa.offset, vmsa.length));
      const gpa = getU64(b, VP.gpa);
      validateGpa(gpa);
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

/** igvm 0.4.0's `SevVmsa` is 1648 bytes; it refuses a VMSA page with non-zero bytes after them. */
function checkLegacyVmsa(page: Uint8Array): void {
  for (let i = LEGACY_VMSA_SIZE; i < PAGE_SIZE_4K; i++) {
    if (page[i] !== 0) {
      throw new HeaderError(
        "InvalidVmsa",
        undefined,
        `byte 0x${i.toString(16)} of the VMSA page is not zero (igvm 0.4.0, which the original ` +
          "igvmmeasure uses, refuses this; igvm HEAD and --semantics openvmm accept it)",
      );
    }
  }
}

/** The registers of a VBS VP context's file data, bounded by the bytes present. */
function readVbsRegisters(ctx: HeaderContext, fileOffset: number): StructView & { count: number } {
  const start = (fileOffset - ctx.fileDataStart) >>> 0;
  const dataLength = ctx.source.size - ctx.fileDataStart;
  if (start + VBS_VP_CONTEXT_HEADER.size > dataLength) {
    throw new HeaderError("InvalidDataSize", undefined, "VBS VP context header");
  }
  const at = ctx.fileDataStart + start;
  const header = ctx.source.read(at, VBS_VP_CONTEXT_HEADER.size).slice();
  const count = getU32(
    { view: new DataView(header.buffer, header.byteOffset, header.byteLength), at: 0 },
    VBS_VP_CONTEXT_HEADER.fields.registerCount,
  );
  // Bound the register count by the bytes present before reading any of them.
  const available = Math.floor(
    (dataLength - start - VBS_VP_CONTEXT_HEADER.size) / VBS_VP_CONTEXT_REGISTER.size,
  );
  if (count > available) {
    throw new HeaderError("InvalidDataSize", undefined, `VBS VP context with ${count} registers`);
  }
  const raw = ctx.source.read(at + VBS_VP_CONTEXT_HEADER.size, count * VBS_VP_CONTEXT_REGISTER.size)
    .slice();
  return { view: new DataView(raw.buffer, raw.byteOffset, raw.byteLength), at: 0, count };
}

function decodeVbsVpContext(
  ctx: HeaderContext,
  fileOffset: number,
  compatibilityMask: number,
  vpIndex: number,
): DirectiveHeader {
  const list = readVbsRegisters(ctx, fileOffset);
  const registers: VbsRegister[] = [];
  let vtl: number | undefined;
  for (let i = 0; i < list.count; i++) {
    const r: StructView = { view: list.view, at: i * VBS_VP_CONTEXT_REGISTER.size };
    const regVtl = getU8(r, REG.vtl);
    if (vtl === undefined) vtl = regVtl;
    else if (vtl !== regVtl) {
      // The crate asserts here (it supports one VTL per context) and panics.
      throw new HeaderError(
        "InvalidVtl",
        undefined,
        "VBS VP context registers name different VTLs",
      );
    }
    registers.push({ name: getU32(r, REG.name), value: getBytes(r, REG.value) });
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

/** A VBS VP context's file data: the header, then each register as the crate re-encodes it. */
function vbsContextData(vtl: number, registers: readonly VbsRegister[], x64: boolean): Uint8Array {
  const data = new Uint8Array(
    VBS_VP_CONTEXT_HEADER.size + registers.length * VBS_VP_CONTEXT_REGISTER.size,
  );
  const view = new DataView(data.buffer);
  setU32({ view, at: 0 }, VBS_VP_CONTEXT_HEADER.fields.registerCount, registers.length);
  registers.forEach((reg, i) => {
    const r: StructView = {
      view,
      at: VBS_VP_CONTEXT_HEADER.size + i * VBS_VP_CONTEXT_REGISTER.size,
    };
    setU8(r, REG.vtl, vtl);
    setU32(r, REG.name, reg.name);
    setBytes(r, REG.value, vbsRegisterBytes(x64, reg.name, reg.value) ?? new Uint8Array(16));
  });
  return data;
}

/**
 * Appends the VP context header of any VP-context directive to `w` and its
 * file data (the VMSA or context page, or the VBS register list) to `data`;
 * `x64` is the file's architecture.
 *
 * @example
 * ```ts
 * import { FileData, HeaderWriter } from "./header_writer.ts";
 * import { encodeVpContext } from "./vp_context_codec.ts";
 * import { parseIgvm } from "./parser.ts";
 * const file = parseIgvm(await Deno.readFile("testdata/sample.igvm"));
 * const vmsa = file.directives.find((d) => d.type === "SnpVpContext")!;
 * const w = new HeaderWriter();
 * const data = new FileData(4096, file);
 * encodeVpContext(w, vmsa, data, true);
 * w.length; // 32: the 8-byte prefix and 20 bytes padded to 24
 * ```
 */
export function encodeVpContext(
  w: HeaderWriter,
  h: Extract<DirectiveHeader, { type: `${string}VpContext` }>,
  data: FileData,
  x64: boolean,
): void {
  let gpa = 0n;
  let offset: number;
  let vpIndex = 0;
  switch (h.type) {
    case "SnpVpContext":
      gpa = h.gpa;
      vpIndex = h.vpIndex;
      offset = data.write(h.vmsa, PAGE_SIZE_4K);
      break;
    case "X64NativeVpContext":
    case "AArch64CcaVpContext":
      vpIndex = h.vpIndex;
      offset = data.write(h.context, PAGE_SIZE_4K);
      break;
    default: {
      const bytes = vbsContextData(h.vtl, h.registers, x64);
      offset = data.write(bytes, bytes.length);
    }
  }
  const b = w.begin(HEADERS[h.type]);
  setU64(b, VP.gpa, gpa);
  setU32(b, VP.compatibilityMask, h.compatibilityMask);
  setU32(b, VP.fileOffset, offset);
  setU16(b, VP.vpIndex, vpIndex);
}
