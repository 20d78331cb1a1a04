/**
 * X.501 Names (RFC 5280 §4.1.2.4): kept as their DER (issuer/subject
 * chaining compares bytes) with a readable form for messages.
 *
 * ```
 * Name ::= SEQUENCE OF RelativeDistinguishedName
 * RelativeDistinguishedName ::= SET OF SEQUENCE { type OID, value ANY }
 * ```
 *
 * @module
 */

import { CertificateError } from "./certificate_error.ts";
import { children, encoding, expectTag, oidString, Tag, type Tlv } from "./der.ts";
import { stringValue } from "./der_text.ts";
import { toHex } from "../encoding.ts";

const SHORT: Record<string, string> = {
  "2.5.4.3": "CN",
  "2.5.4.6": "C",
  "2.5.4.7": "L",
  "2.5.4.8": "ST",
  "2.5.4.10": "O",
  "2.5.4.11": "OU",
};

/** A decoded Name. */
export interface Name {
  /** The Name's DER encoding; names match when these bytes are equal. */
  readonly der: Uint8Array;
  /** Attributes in order, as `[type, value]` (`CN`, `O`, … or the OID). */
  readonly attributes: readonly (readonly [string, string])[];
  /** Readable form: `OU=Engineering, C=US, …, CN=SEV-Milan`. */
  readonly text: string;
  /** The (last) common name, or "" when there is none. */
  readonly commonName: string;
}

/**
 * Reads a Name.
 *
 * @example
 * ```ts
 * import { readName } from "./name.ts";
 * import { readTlv } from "./der.ts";
 * // 30 0f 31 0d 30 0b 06 03 55 04 03 0c 04 "Test"
 * const der = Uint8Array.fromHex("300f310d300b06035504030c0454657374");
 * readName(readTlv(der, 0), "subject").text; // "CN=Test"
 * ```
 */
export function readName(t: Tlv, what: string): Name {
  expectTag(t, Tag.SEQUENCE, what);
  const attributes: [string, string][] = [];
  for (const rdn of children(t, what)) {
    expectTag(rdn, Tag.SET, `${what} RDN`);
    for (const atv of children(rdn, `${what} RDN`)) {
      expectTag(atv, Tag.SEQUENCE, `${what} attribute`);
      const [type, value, extra] = children(atv, `${what} attribute`);
      if (!value || extra) {
        throw new CertificateError(
          `${what}: attribute at offset ${atv.offset} is not a type and a value`,
        );
      }
      const oid = oidString(type, `${what} attribute type`);
      let text: string;
      try {
        text = stringValue(value, `${what} ${SHORT[oid] ?? oid}`);
      } catch {
        text = "#" + toHex(encoding(value));
      }
      attributes.push([SHORT[oid] ?? oid, text]);
    }
  }
  const cn = attributes.filter(([k]) => k === "CN").at(-1)?.[1] ?? "";
  return {
    der: encoding(t),
    attributes,
    text: attributes.map(([k, v]) => `${k}=${v}`).join(", "),
    commonName: cn,
  };
}
