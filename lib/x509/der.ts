/**
 * A strict, bounds-checked DER reader (ITU-T X.690 §8 and §10): just what
 * X.509 certificates and CRLs need, nothing that allocates by a length it has
 * not checked against the input first.
 *
 * Rules enforced on every element (X.690 §10.1, §8.1.2, §8.1.3):
 *
 * | part        | accepted                                                     |
 * |-------------|--------------------------------------------------------------|
 * | identifier  | one byte: class (bits 8..7), constructed (bit 6), tag < 31   |
 * | length      | short form (< 0x80) or long form 0x81..0x84, minimal         |
 * | contents    | must fit inside the enclosing element (no reading past it)   |
 *
 * The indefinite length (0x80), high tag numbers (0x1F) and lengths of 2^32
 * or more are refused. Every refusal is a {@link CertificateError} that says
 * what was wrong and at which byte offset.
 *
 * @module
 */

import { CertificateError } from "./certificate_error.ts";

/** Universal tags used by X.509 (X.680 §8.4). */
export const Tag = {
  BOOLEAN: 0x01,
  INTEGER: 0x02,
  BIT_STRING: 0x03,
  OCTET_STRING: 0x04,
  NULL: 0x05,
  OID: 0x06,
  UTF8_STRING: 0x0c,
  SEQUENCE: 0x30,
  SET: 0x31,
  PRINTABLE_STRING: 0x13,
  T61_STRING: 0x14,
  IA5_STRING: 0x16,
  UTC_TIME: 0x17,
  GENERALIZED_TIME: 0x18,
  BMP_STRING: 0x1e,
} as const;

/** One decoded element: where its identifier, contents and end are in the input. */
export interface Tlv {
  /** The identifier byte (class, constructed bit and tag number), e.g. 0x30 for SEQUENCE. */
  readonly tag: number;
  /** Offset of the identifier byte. */
  readonly offset: number;
  /** Offset of the first content byte. */
  readonly start: number;
  /** Offset just past the last content byte. */
  readonly end: number;
  /** The whole input the offsets refer to. */
  readonly input: Uint8Array;
}

/** The contents of `t` (a view, not a copy). */
export function contents(t: Tlv): Uint8Array {
  return t.input.subarray(t.start, t.end);
}

/** The whole encoding of `t`, identifier and length included (a view). */
export function encoding(t: Tlv): Uint8Array {
  return t.input.subarray(t.offset, t.end);
}

/** True when the identifier's constructed bit is set. */
function isConstructed(t: Tlv): boolean {
  return (t.tag & 0x20) !== 0;
}

/**
 * A tag or byte as messages show it: `0x` and at least two hex digits.
 *
 * @example
 * ```ts
 * import { hex } from "./der.ts";
 * hex(0x30); // "0x30"
 * ```
 */
export function hex(n: number): string {
  return "0x" + n.toString(16).padStart(2, "0");
}

/**
 * Reads the element at `offset`, which must end at or before `limit`.
 *
 * @example
 * ```ts
 * import { readTlv } from "./der.ts";
 * const t = readTlv(new Uint8Array([0x02, 0x01, 0x00]), 0);
 * console.log(t.tag, t.start, t.end); // 2 2 3
 * ```
 */
export function readTlv(input: Uint8Array, offset: number, limit = input.length): Tlv {
  if (offset >= limit) {
    throw new CertificateError(
      `DER element expected at offset ${offset}, found the end of the data`,
    );
  }
  const tag = input[offset];
  if ((tag & 0x1f) === 0x1f) {
    throw new CertificateError(
      `DER high tag number form (identifier ${hex(tag)}) at offset ${offset} is not supported`,
    );
  }
  let pos = offset + 1;
  if (pos >= limit) {
    throw new CertificateError(`DER length missing at offset ${pos} (data cut short)`);
  }
  const first = input[pos++];
  let length: number;
  if (first < 0x80) {
    length = first;
  } else if (first === 0x80) {
    throw new CertificateError(`DER indefinite length at offset ${pos - 1} is not allowed`);
  } else {
    const n = first & 0x7f;
    if (n > 4) {
      throw new CertificateError(`DER length of ${n} bytes at offset ${pos - 1} is too large`);
    }
    if (pos + n > limit) throw new CertificateError(`DER length at offset ${pos - 1} is cut short`);
    length = 0;
    for (let i = 0; i < n; i++) length = length * 256 + input[pos + i];
    if (input[pos] === 0 || length < 0x80) {
      throw new CertificateError(`DER length at offset ${pos - 1} is not minimally encoded`);
    }
    pos += n;
  }
  if (length > limit - pos) {
    throw new CertificateError(
      `DER element at offset ${offset} claims ${length} bytes but only ${limit - pos} remain`,
    );
  }
  return { tag, offset, start: pos, end: pos + length, input };
}

/**
 * The children of a constructed element, which must fill it exactly.
 *
 * @example
 * ```ts
 * import { children, readTlv } from "./der.ts";
 * const seq = readTlv(new Uint8Array([0x30, 0x05, 0x02, 0x01, 0x07, 0x05, 0x00]), 0);
 * children(seq, "example").length; // 2
 * ```
 */
export function children(parent: Tlv, what: string): Tlv[] {
  if (!isConstructed(parent)) {
    throw new CertificateError(
      `${what}: expected a constructed DER element at offset ${parent.offset}`,
    );
  }
  const out: Tlv[] = [];
  let pos = parent.start;
  while (pos < parent.end) {
    const t = readTlv(parent.input, pos, parent.end);
    out.push(t);
    pos = t.end;
  }
  return out;
}

/** Throws unless `t` has identifier `tag`. */
export function expectTag(t: Tlv, tag: number, what: string): Tlv {
  if (t === undefined) throw new CertificateError(`${what}: missing`);
  if (t.tag !== tag) {
    throw new CertificateError(
      `${what}: expected DER identifier ${hex(tag)} at offset ${t.offset}, found ${hex(t.tag)}`,
    );
  }
  return t;
}

/**
 * The contents of an INTEGER, checked for the minimal two's-complement
 * encoding (X.690 §8.3.2). Zero (`02 01 00`) is accepted: AMD's VCEKs have
 * serial number 0.
 *
 * @example
 * ```ts
 * import { integerBytes, readTlv } from "./der.ts";
 * integerBytes(readTlv(new Uint8Array([0x02, 0x01, 0x00]), 0), "serial"); // Uint8Array [0]
 * ```
 */
export function integerBytes(t: Tlv, what: string): Uint8Array {
  expectTag(t, Tag.INTEGER, what);
  const c = contents(t);
  if (c.length === 0) throw new CertificateError(`${what}: empty INTEGER at offset ${t.offset}`);
  if (c.length > 1 && ((c[0] === 0 && c[1] < 0x80) || (c[0] === 0xff && c[1] >= 0x80))) {
    throw new CertificateError(`${what}: INTEGER at offset ${t.offset} is not minimally encoded`);
  }
  return c;
}

/**
 * A non-negative INTEGER's magnitude, big-endian without the sign byte.
 *
 * @example
 * ```ts
 * import { readTlv, unsignedInteger } from "./der.ts";
 * unsignedInteger(readTlv(new Uint8Array([0x02, 0x02, 0x00, 0x80]), 0), "n"); // Uint8Array [0x80]
 * ```
 */
export function unsignedInteger(t: Tlv, what: string): Uint8Array {
  const c = integerBytes(t, what);
  if (c[0] & 0x80) throw new CertificateError(`${what}: INTEGER at offset ${t.offset} is negative`);
  return c[0] === 0 && c.length > 1 ? c.subarray(1) : c;
}

/**
 * A small non-negative INTEGER (up to 2^31 - 1) as a number.
 *
 * @example
 * ```ts
 * import { readTlv, smallInteger } from "./der.ts";
 * smallInteger(readTlv(new Uint8Array([0x02, 0x01, 0x30]), 0), "salt"); // 48
 * ```
 */
export function smallInteger(t: Tlv, what: string): number {
  const c = unsignedInteger(t, what);
  if (c.length > 4 || (c.length === 4 && c[0] >= 0x80)) {
    throw new CertificateError(`${what}: INTEGER at offset ${t.offset} is too large`);
  }
  let v = 0;
  for (const b of c) v = v * 256 + b;
  return v;
}

/**
 * An OBJECT IDENTIFIER in dotted form (X.690 §8.19), each arc minimally
 * encoded and below 2^53.
 *
 * @example
 * ```ts
 * import { oidString, readTlv } from "./der.ts";
 * oidString(readTlv(new Uint8Array([0x06, 0x03, 0x2b, 0x81, 0x04]), 0), "curve"); // "1.3.132"
 * ```
 */
export function oidString(t: Tlv, what: string): string {
  expectTag(t, Tag.OID, what);
  const c = contents(t);
  if (c.length === 0) {
    throw new CertificateError(`${what}: empty OBJECT IDENTIFIER at offset ${t.offset}`);
  }
  const arcs: number[] = [];
  let value = 0;
  let started = false;
  for (let i = 0; i < c.length; i++) {
    const b = c[i];
    if (!started && b === 0x80) {
      throw new CertificateError(
        `${what}: OBJECT IDENTIFIER at offset ${t.offset} is not minimally encoded`,
      );
    }
    started = true;
    value = value * 128 + (b & 0x7f);
    if (value > Number.MAX_SAFE_INTEGER / 128) {
      throw new CertificateError(
        `${what}: OBJECT IDENTIFIER arc at offset ${t.offset} is too large`,
      );
    }
    if ((b & 0x80) === 0) {
      arcs.push(value);
      value = 0;
      started = false;
    } else if (i === c.length - 1) {
      throw new CertificateError(`${what}: OBJECT IDENTIFIER at offset ${t.offset} is cut short`);
    }
  }
  const first = arcs[0];
  const head = first < 40 ? [0, first] : first < 80 ? [1, first - 40] : [2, first - 80];
  return [...head, ...arcs.slice(1)].join(".");
}

/**
 * A BIT STRING's bytes; it must have no unused bits (keys and signatures).
 *
 * @example
 * ```ts
 * import { bitStringBytes, readTlv } from "./der.ts";
 * bitStringBytes(readTlv(new Uint8Array([0x03, 0x02, 0x00, 0xab]), 0), "signature"); // Uint8Array [0xab]
 * ```
 */
export function bitStringBytes(t: Tlv, what: string): Uint8Array {
  expectTag(t, Tag.BIT_STRING, what);
  const c = contents(t);
  if (c.length === 0) throw new CertificateError(`${what}: empty BIT STRING at offset ${t.offset}`);
  if (c[0] !== 0) {
    throw new CertificateError(
      `${what}: BIT STRING at offset ${t.offset} has ${c[0]} unused bits, expected 0`,
    );
  }
  return c.subarray(1);
}

/**
 * A BIT STRING as named bits (bit 0 first), for KeyUsage (RFC 5280 §4.2.1.3).
 *
 * @example
 * ```ts
 * import { namedBits, readTlv } from "./der.ts";
 * namedBits(readTlv(new Uint8Array([0x03, 0x02, 0x01, 0x06]), 0), "keyUsage")[5]; // true
 * ```
 */
export function namedBits(t: Tlv, what: string): boolean[] {
  expectTag(t, Tag.BIT_STRING, what);
  const c = contents(t);
  if (c.length === 0 || c[0] > 7 || (c.length === 1 && c[0] !== 0)) {
    throw new CertificateError(`${what}: malformed BIT STRING at offset ${t.offset}`);
  }
  const bits: boolean[] = [];
  for (let i = 1; i < c.length; i++) {
    for (let b = 7; b >= 0; b--) bits.push(((c[i] >> b) & 1) === 1);
  }
  return bits.slice(0, bits.length - c[0]);
}

/**
 * A BOOLEAN; DER allows only 0x00 and 0xFF (X.690 §11.1).
 *
 * @example
 * ```ts
 * import { booleanValue, readTlv } from "./der.ts";
 * booleanValue(readTlv(new Uint8Array([0x01, 0x01, 0xff]), 0), "critical"); // true
 * ```
 */
export function booleanValue(t: Tlv, what: string): boolean {
  expectTag(t, Tag.BOOLEAN, what);
  const c = contents(t);
  if (c.length !== 1 || (c[0] !== 0 && c[0] !== 0xff)) {
    throw new CertificateError(`${what}: malformed BOOLEAN at offset ${t.offset}`);
  }
  return c[0] === 0xff;
}
