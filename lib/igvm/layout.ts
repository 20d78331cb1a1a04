/**
 * How an on-disk structure is described, once, for both the parser and the
 * writer: a {@link Struct} names the igvm_defs structure, states its size and
 * gives each field's offset and width (and, for flag fields, the meaning of
 * its bits). The declarations themselves are in `structs.ts`.
 *
 * Reading and writing go through the field, never through a bare offset:
 * `getU32(body, IGVM_VHS_PAGE_DATA.fields.compatibilityMask)`. The field's
 * width is part of its type, so reading a u64 field with `getU32` does not
 * compile. The accessors are plain functions over a `DataView` (no closures,
 * no allocation), as fast as the hand-written offsets they replace.
 *
 * @module
 */

/** How wide a field is: a little-endian integer or a run of bytes. */
export type Width = "u8" | "u16" | "u32" | "u64" | "bytes";

/**
 * One field of a structure.
 */
export interface Field<W extends Width = Width> {
  /** Offset of the field from the start of the structure. */
  readonly at: number;
  /** Width of the field. */
  readonly width: W;
  /** Size of the field in bytes. */
  readonly size: number;
  /** Named bits of a flags field (bit masks), where the field holds flags. */
  readonly bits?: Readonly<Record<string, number>>;
}

/**
 * An on-disk structure: its igvm_defs name, its size and its fields. The
 * fields cover the structure exactly (reserved bytes are named fields too),
 * which `tests/igvm_structs_test.ts` checks for every structure.
 */
export interface Struct<
  F extends Readonly<Record<string, Field>> = Readonly<Record<string, Field>>,
> {
  /** The structure's name in igvm_defs (or the crate that defines it). */
  readonly name: string;
  /** Size in bytes (`size_of` the Rust structure). */
  readonly size: number;
  /** The fields, by the name the model (`types.ts`) gives them where it keeps them. */
  readonly fields: F;
}

/**
 * Declares a structure.
 *
 * @example
 * ```ts
 * import { struct, u16, u8 } from "./layout.ts";
 * const s = struct("Example", 4, { a: u8(0), b: u8(1), c: u16(2) });
 * console.log(s.fields.c.width); // u16
 * ```
 */
export function struct<F extends Readonly<Record<string, Field>>>(
  name: string,
  size: number,
  fields: F,
): Struct<F> {
  return { name, size, fields };
}

/**
 * A u8 field at `at`, with named `bits` if it holds flags.
 *
 * @example
 * ```ts
 * import { u8 } from "./layout.ts";
 * u8(7, { IS_VTL2: 1 }).bits?.IS_VTL2; // 1
 * ```
 */
export function u8(at: number, bits?: Readonly<Record<string, number>>): Field<"u8"> {
  return { at, width: "u8", size: 1, bits };
}

/**
 * A little-endian u16 field at `at`.
 *
 * @example
 * ```ts
 * import { u16 } from "./layout.ts";
 * u16(20).size; // 2
 * ```
 */
export function u16(at: number): Field<"u16"> {
  return { at, width: "u16", size: 2 };
}

/**
 * A little-endian u32 field at `at`, with named `bits` if it holds flags.
 *
 * @example
 * ```ts
 * import { u32 } from "./layout.ts";
 * u32(16, { UNMEASURED: 2 }).width; // "u32"
 * ```
 */
export function u32(at: number, bits?: Readonly<Record<string, number>>): Field<"u32"> {
  return { at, width: "u32", size: 4, bits };
}

/**
 * A little-endian u64 field at `at` (read as a bigint).
 *
 * @example
 * ```ts
 * import { u64 } from "./layout.ts";
 * u64(0).size; // 8
 * ```
 */
export function u64(at: number): Field<"u64"> {
  return { at, width: "u64", size: 8 };
}

/**
 * A field of `size` raw bytes at `at` (byte arrays, nested structures kept as bytes).
 *
 * @example
 * ```ts
 * import { bytes } from "./layout.ts";
 * bytes(8, 48).size; // 48
 * ```
 */
export function bytes(at: number, size: number): Field<"bytes"> {
  return { at, width: "bytes", size };
}

/**
 * Where one structure lies: a view over its bytes and its offset in the view.
 */
export interface StructView {
  /** A view holding the structure (usually a whole section of headers). */
  readonly view: DataView;
  /** Offset of the structure in `view`. */
  readonly at: number;
}

/**
 * Reads a u8 field.
 *
 * @example
 * ```ts
 * import { getU8, u8 } from "./layout.ts";
 * getU8({ view: new DataView(new Uint8Array([7, 9]).buffer), at: 1 }, u8(0)); // 9
 * ```
 */
export function getU8(s: StructView, f: Field<"u8">): number {
  return s.view.getUint8(s.at + f.at);
}

/**
 * Reads a little-endian u16 field.
 *
 * @example
 * ```ts
 * import { getU16, u16 } from "./layout.ts";
 * getU16({ view: new DataView(new Uint8Array([0, 0, 1, 2]).buffer), at: 0 }, u16(2)); // 0x201
 * ```
 */
export function getU16(s: StructView, f: Field<"u16">): number {
  return s.view.getUint16(s.at + f.at, true);
}

/**
 * Reads a little-endian u32 field.
 *
 * @example
 * ```ts
 * import { getU32, u32 } from "./layout.ts";
 * getU32({ view: new DataView(new Uint8Array([1, 0, 0, 0]).buffer), at: 0 }, u32(0)); // 1
 * ```
 */
export function getU32(s: StructView, f: Field<"u32">): number {
  return s.view.getUint32(s.at + f.at, true);
}

/**
 * Reads a little-endian u64 field.
 *
 * @example
 * ```ts
 * import { getU64, u64 } from "./layout.ts";
 * const view = new DataView(new ArrayBuffer(16));
 * view.setBigUint64(8, 0x1000n, true);
 * getU64({ view, at: 8 }, u64(0)); // 0x1000n
 * ```
 */
export function getU64(s: StructView, f: Field<"u64">): bigint {
  return s.view.getBigUint64(s.at + f.at, true);
}

/**
 * Reads the low 32 bits of a little-endian u64 field, as a number (no bigint
 * is made): enough for checks that look only at those bits, such as a 4 KiB
 * alignment.
 *
 * @example
 * ```ts
 * import { getU64Low, u64 } from "./layout.ts";
 * const view = new DataView(new ArrayBuffer(8));
 * view.setBigUint64(0, 0x1_0000_1001n, true);
 * getU64Low({ view, at: 0 }, u64(0)); // 0x1001
 * ```
 */
export function getU64Low(s: StructView, f: Field<"u64">): number {
  return s.view.getUint32(s.at + f.at, true);
}

/**
 * Copies a bytes field (the copy outlives the buffer).
 *
 * @example
 * ```ts
 * import { bytes, getBytes } from "./layout.ts";
 * getBytes({ view: new DataView(new Uint8Array([1, 2, 3, 4]).buffer), at: 1 }, bytes(1, 2)); // [3, 4]
 * ```
 */
export function getBytes(s: StructView, f: Field<"bytes">): Uint8Array {
  const start = s.view.byteOffset + s.at + f.at;
  return new Uint8Array(s.view.buffer, start, f.size).slice();
}

/**
 * Writes a u8 field.
 *
 * @example
 * ```ts
 * import { setU8, u8 } from "./layout.ts";
 * const view = new DataView(new ArrayBuffer(2));
 * setU8({ view, at: 0 }, u8(1), 5); // view.getUint8(1) === 5
 * ```
 */
export function setU8(s: StructView, f: Field<"u8">, value: number): void {
  s.view.setUint8(s.at + f.at, value);
}

/**
 * Writes a little-endian u16 field.
 *
 * @example
 * ```ts
 * import { setU16, u16 } from "./layout.ts";
 * const view = new DataView(new ArrayBuffer(2));
 * setU16({ view, at: 0 }, u16(0), 0x201); // bytes 01 02
 * ```
 */
export function setU16(s: StructView, f: Field<"u16">, value: number): void {
  s.view.setUint16(s.at + f.at, value, true);
}

/**
 * Writes a little-endian u32 field.
 *
 * @example
 * ```ts
 * import { setU32, u32 } from "./layout.ts";
 * const view = new DataView(new ArrayBuffer(4));
 * setU32({ view, at: 0 }, u32(0), 1); // bytes 01 00 00 00
 * ```
 */
export function setU32(s: StructView, f: Field<"u32">, value: number): void {
  s.view.setUint32(s.at + f.at, value, true);
}

/**
 * Writes a little-endian u64 field.
 *
 * @example
 * ```ts
 * import { setU64, u64 } from "./layout.ts";
 * const view = new DataView(new ArrayBuffer(8));
 * setU64({ view, at: 0 }, u64(0), 0x1000n); // bytes 00 10 00 00 00 00 00 00
 * ```
 */
export function setU64(s: StructView, f: Field<"u64">, value: bigint): void {
  s.view.setBigUint64(s.at + f.at, value, true);
}

/**
 * Writes `value` into a bytes field (as much of the field as `value` covers;
 * a longer value is a RangeError, never a write into the next field).
 *
 * @example
 * ```ts
 * import { bytes, setBytes } from "./layout.ts";
 * const view = new DataView(new ArrayBuffer(4));
 * setBytes({ view, at: 0 }, bytes(1, 2), new Uint8Array([7, 8])); // bytes 00 07 08 00
 * ```
 */
export function setBytes(s: StructView, f: Field<"bytes">, value: Uint8Array): void {
  if (value.length > f.size) {
    throw new RangeError(`${value.length} bytes do not fit the ${f.size}-byte field at ${f.at}`);
  }
  new Uint8Array(s.view.buffer, s.view.byteOffset + s.at + f.at, f.size).set(value);
}

/**
 * `n` rounded up to a multiple of 8: every variable header is padded to 8 bytes.
 *
 * @example
 * ```ts
 * import { align8 } from "./layout.ts";
 * align8(20); // 24
 * align8(0xffff_fff9); // 2 ** 32
 * ```
 */
export function align8(n: number): number {
  // Arithmetic, not bitwise: lengths read from a file go up to 2^32 - 1.
  return n % 8 === 0 ? n : n + 8 - (n % 8);
}
