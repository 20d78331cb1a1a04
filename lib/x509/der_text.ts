/**
 * Text values of DER: the string types of names and AMD's extensions, and
 * the two time types of X.509 validity and CRL dates (X.690, RFC 5280).
 *
 * @module
 */

import { CertificateError } from "./certificate_error.ts";
import { contents, hex, Tag, type Tlv } from "./der.ts";

/**
 * A string type used in names and AMD's extensions (PrintableString,
 * UTF8String, IA5String, T61String, BMPString).
 *
 * @example
 * ```ts
 * import { readTlv } from "./der.ts";
 * import { stringValue } from "./der_text.ts";
 * stringValue(readTlv(new Uint8Array([0x16, 0x02, 0x4f, 0x4b]), 0), "name"); // "OK"
 * ```
 */
export function stringValue(t: Tlv, what: string): string {
  const c = contents(t);
  switch (t.tag) {
    case Tag.UTF8_STRING:
      try {
        return new TextDecoder("utf-8", { fatal: true }).decode(c);
      } catch {
        throw new CertificateError(`${what}: UTF8String at offset ${t.offset} is not valid UTF-8`);
      }
    case Tag.BMP_STRING: {
      if (c.length % 2) {
        throw new CertificateError(`${what}: BMPString at offset ${t.offset} has an odd length`);
      }
      let s = "";
      for (let i = 0; i < c.length; i += 2) s += String.fromCharCode((c[i] << 8) | c[i + 1]);
      return s;
    }
    case Tag.PRINTABLE_STRING:
    case Tag.IA5_STRING:
    case Tag.T61_STRING: {
      let s = "";
      for (const b of c) {
        if (b > 0x7f) {
          throw new CertificateError(`${what}: non-ASCII byte in string at offset ${t.offset}`);
        }
        s += String.fromCharCode(b);
      }
      return s;
    }
  }
  throw new CertificateError(
    `${what}: expected a string at offset ${t.offset}, found identifier ${hex(t.tag)}`,
  );
}

const TIME_FORMATS: Record<number, { readonly bytes: number; readonly re: RegExp }> = {
  [Tag.UTC_TIME]: { bytes: 13, re: /^(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})Z$/ },
  [Tag.GENERALIZED_TIME]: { bytes: 15, re: /^(\d{4})(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})Z$/ },
};

/**
 * A UTCTime or GeneralizedTime in the forms RFC 5280 §4.1.2.5 allows
 * (`YYMMDDHHMMSSZ`, years 1950..2049; `YYYYMMDDHHMMSSZ`), as a `Date`.
 *
 * @example
 * ```ts
 * import { readTlv } from "./der.ts";
 * import { timeValue } from "./der_text.ts";
 * const t = new TextEncoder().encode("451022172305Z");
 * timeValue(readTlv(new Uint8Array([0x17, t.length, ...t]), 0), "notAfter").toISOString();
 * // "2045-10-22T17:23:05.000Z"
 * ```
 */
export function timeValue(t: Tlv, what: string): Date {
  const format = TIME_FORMATS[t.tag];
  if (!format) {
    throw new CertificateError(
      `${what}: expected UTCTime or GeneralizedTime at offset ${t.offset}`,
    );
  }
  const bytes = contents(t);
  if (bytes.length !== format.bytes) {
    throw new CertificateError(
      `${what}: malformed time of ${bytes.length} bytes at offset ${t.offset} (DER has ${format.bytes})`,
    );
  }
  const text = String.fromCharCode(...bytes);
  const m = format.re.exec(text);
  if (!m) {
    throw new CertificateError(
      `${what}: malformed time ${JSON.stringify(text)} at offset ${t.offset}`,
    );
  }
  let year = Number(m[1]);
  if (t.tag === Tag.UTC_TIME) year += year < 50 ? 2000 : 1900;
  const [mo, d, h, mi, s] = m.slice(2).map(Number);
  const back = new Date(Date.UTC(2000, mo - 1, d, h, mi, s));
  back.setUTCFullYear(year, mo - 1, d);
  if (
    mo < 1 || mo > 12 || back.getUTCDate() !== d || h > 23 || mi > 59 || s > 59 ||
    back.getUTCMonth() !== mo - 1
  ) {
    throw new CertificateError(
      `${what}: invalid date ${JSON.stringify(text)} at offset ${t.offset}`,
    );
  }
  return back;
}
