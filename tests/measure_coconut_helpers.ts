/**
 * Shared helpers of the measurement-rule tests (`measure_coconut_*_test.ts`):
 * an independent SEV-SNP launch digest reference (each PAGE_INFO laid out by
 * hand and hashed with Web Crypto, not with lib/measure/page_info.ts or
 * lib/hash.ts), page and file builders, and `measure`, which measures a model
 * and the same file serialized then parsed.
 */

import { coconut, type CoconutOptions } from "./measure_helpers.ts";
import { assertEquals, assertThrowsMatch } from "./assert.ts";
import { MeasurementError } from "../lib/errors.ts";
import { parseIgvm } from "../lib/igvm/parser.ts";
import { serializeIgvm } from "../lib/igvm/serializer.ts";
import { pageData, platform, unsignedIdBlock } from "./builder.ts";
import { PlatformType } from "../lib/igvm/defs.ts";
import type {
  DirectiveHeader,
  IgvmFile,
  ParameterArea,
  ParameterInsert,
  SnpIdBlock,
} from "../lib/igvm/types.ts";

// ---------------------------------------------------------------------------
// Independent reference: PAGE_INFO laid out by hand, hashed with Web Crypto.
// ---------------------------------------------------------------------------

export async function digest(alg: "SHA-384" | "SHA-256", data: Uint8Array): Promise<Uint8Array> {
  const copy = new Uint8Array(data.length);
  copy.set(data);
  return new Uint8Array(await crypto.subtle.digest(alg, copy));
}

export const T_NORMAL = 1;
export const T_VMSA = 2;
export const T_ZERO = 3;
export const T_UNMEASURED = 4;
export const T_SECRETS = 5;
export const T_CPUID = 6;

/** The SNP launch digest chain, step by step. */
export class RefChain {
  current: Uint8Array = new Uint8Array(48);

  /** One PAGE_INFO: digest_cur[48], contents[48], u16 0x70, page_type, 0, 4 × 0, u64 gpa. */
  async page(pageType: number, gpa: bigint, contents?: Uint8Array): Promise<void> {
    const info = new Uint8Array(0x70);
    info.set(this.current, 0x00);
    if (contents) info.set(contents, 0x30);
    info[0x60] = 0x70;
    info[0x61] = 0x00;
    info[0x62] = pageType;
    info[0x63] = 0; // imi_page
    // 0x64..0x67: vmpl permissions / reserved, zero
    for (let i = 0; i < 8; i++) info[0x68 + i] = Number((gpa >> BigInt(8 * i)) & 0xffn);
    this.current = await digest("SHA-384", info);
  }

  async normal(gpa: bigint, data: Uint8Array): Promise<void> {
    await this.page(T_NORMAL, gpa, await digest("SHA-384", data));
  }

  get hex(): string {
    return this.current.toHex();
  }
}

// ---------------------------------------------------------------------------
// Files
// ---------------------------------------------------------------------------

export const PAGE = 4096;
export const KVM_GPA = 0xfffffffff000n;

export function filled(n: number, v: number): Uint8Array {
  return new Uint8Array(n).fill(v);
}

/** A page whose bytes are not all equal (so page hashes differ from trivial ones). */
export function pattern(seed: number): Uint8Array {
  const p = new Uint8Array(PAGE);
  for (let i = 0; i < PAGE; i++) p[i] = (i * 31 + seed) & 0xff;
  return p;
}

/** A VMSA page: a few fields set inside the first 1648 bytes, CR0 at 0x158. */
export function vmsa(cr0 = 0x31n, seed = 1): Uint8Array {
  const v = new Uint8Array(PAGE);
  for (let i = 0; i < 0x100; i++) v[i] = (i + seed) & 0xff;
  new DataView(v.buffer).setBigUint64(0x158, cr0, true);
  v[0x3b0] = seed; // somewhere in the register area
  return v;
}

/** A page for another compatibility mask: never measured, but gives the file a data section. */
export const FILLER = pageData(0xf0000000n, 0x80, filled(PAGE, 0xee));

/** A v1 file: an SEV-SNP platform (mask 1), other platforms, the filler page, then `directives`. */
export function snpFile(
  directives: DirectiveHeader[],
  others: IgvmFile["platforms"] = [],
): IgvmFile {
  return {
    revision: { version: 1 },
    platforms: [platform(PlatformType.SEV_SNP, 1), ...others],
    initializations: [],
    directives: [FILLER, ...directives],
  };
}

/** A file whose platform is `type` (mask 1). */
export function fileFor(type: number, directives: DirectiveHeader[]): IgvmFile {
  return {
    revision: { version: 1 },
    platforms: [platform(type, 1)],
    initializations: [],
    directives: [FILLER, ...directives],
  };
}

/** Measures the model and the file serialized then parsed; both must agree. */
export function measure(model: IgvmFile, options: CoconutOptions = {}) {
  const direct = coconut(model, options);
  const parsed = coconut(parseIgvm(serializeIgvm(model)), options);
  assertEquals(parsed.digest.toHex(), direct.digest.toHex(), "model vs parsed file");
  return parsed;
}

export function measureError(model: IgvmFile, options: CoconutOptions): MeasurementError {
  const file = parseIgvm(serializeIgvm(model));
  return assertThrowsMatch(
    () => coconut(file, options),
    MeasurementError,
  ) as MeasurementError;
}

export function area(index: number, bytes: bigint): ParameterArea {
  return {
    type: "ParameterArea",
    numberOfBytes: bytes,
    parameterAreaIndex: index,
    initialData: null,
  };
}
export function insert(gpa: bigint, mask: number, index: number): ParameterInsert {
  return { type: "ParameterInsert", gpa, compatibilityMask: mask, parameterAreaIndex: index };
}
export function idBlock(mask: number, ld: Uint8Array): SnpIdBlock {
  return unsignedIdBlock(ld, mask);
}

export const UNMEASURED = 2;
export const SHARED = 4;
export const IS_2MB = 1;
