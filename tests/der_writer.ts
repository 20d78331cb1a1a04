/**
 * Test-only DER writer and X.509 builders (RFC 5280 structures), used to
 * make certificate chains and CRLs inside the tests with Web Crypto keys.
 * Written independently of lib/x509 (which only reads), so the tests do not
 * check the reader against itself.
 */

import { concat } from "./hand_records.ts";

/** DER length octets (X.690 §8.1.3). */
function lengthOctets(n: number): number[] {
  if (n < 0x80) return [n];
  const out: number[] = [];
  for (let v = n; v > 0; v = Math.floor(v / 256)) out.unshift(v & 0xff);
  return [0x80 | out.length, ...out];
}

/** An element with identifier `tag` and the concatenated contents. */
export function tlv(tag: number, ...contents: Uint8Array[]): Uint8Array {
  const body = concat(...contents);
  return concat(Uint8Array.of(tag, ...lengthOctets(body.length)), body);
}

/** SEQUENCE. */
export const seq = (...c: Uint8Array[]): Uint8Array => tlv(0x30, ...c);
/** SET. */
export const set = (...c: Uint8Array[]): Uint8Array => tlv(0x31, ...c);
/** [n] EXPLICIT (constructed context tag). */
export const explicit = (n: number, ...c: Uint8Array[]): Uint8Array => tlv(0xa0 | n, ...c);
/** NULL. */
export const nul = (): Uint8Array => Uint8Array.of(0x05, 0x00);
/** OCTET STRING. */
export const octet = (b: Uint8Array): Uint8Array => tlv(0x04, b);
/** BIT STRING with no unused bits. */
export const bitString = (b: Uint8Array, unused = 0): Uint8Array =>
  tlv(0x03, Uint8Array.of(unused), b);
/** BOOLEAN. */
export const bool = (b: boolean): Uint8Array => Uint8Array.of(0x01, 0x01, b ? 0xff : 0x00);
/** IA5String. */
export const ia5 = (s: string): Uint8Array => tlv(0x16, new TextEncoder().encode(s));
/** UTF8String. */
export const utf8 = (s: string): Uint8Array => tlv(0x0c, new TextEncoder().encode(s));

/** A non-negative INTEGER, minimally encoded. */
export function int(v: bigint | number | Uint8Array): Uint8Array {
  let bytes: number[];
  if (v instanceof Uint8Array) {
    bytes = [...v];
    while (bytes.length > 1 && bytes[0] === 0) bytes.shift();
  } else {
    let x = BigInt(v);
    bytes = [];
    do {
      bytes.unshift(Number(x & 0xffn));
      x >>= 8n;
    } while (x > 0n);
  }
  if (bytes[0] & 0x80) bytes.unshift(0);
  return tlv(0x02, Uint8Array.from(bytes));
}

/** OBJECT IDENTIFIER from dotted text. */
export function oid(dotted: string): Uint8Array {
  const arcs = dotted.split(".").map(Number);
  const out: number[] = [];
  const push = (n: number) => {
    const groups = [n & 0x7f];
    for (n = Math.floor(n / 128); n > 0; n = Math.floor(n / 128)) groups.unshift(0x80 | (n & 0x7f));
    out.push(...groups);
  };
  push(arcs[0] * 40 + arcs[1]);
  for (const a of arcs.slice(2)) push(a);
  return tlv(0x06, Uint8Array.from(out));
}

/** UTCTime (years 1950..2049) or GeneralizedTime, as RFC 5280 §4.1.2.5 requires. */
export function time(d: Date): Uint8Array {
  const iso = d.toISOString();
  const y = d.getUTCFullYear();
  const rest = iso.slice(5, 7) + iso.slice(8, 10) + iso.slice(11, 13) + iso.slice(14, 16) +
    iso.slice(17, 19) + "Z";
  if (y >= 1950 && y < 2050) return tlv(0x17, new TextEncoder().encode(iso.slice(2, 4) + rest));
  return tlv(0x18, new TextEncoder().encode(String(y).padStart(4, "0") + rest));
}

const ATTR: Record<string, string> = {
  CN: "2.5.4.3",
  C: "2.5.4.6",
  L: "2.5.4.7",
  ST: "2.5.4.8",
  O: "2.5.4.10",
  OU: "2.5.4.11",
};

/** A Name from `[type, value]` pairs, one RDN each (as AMD's certificates are). */
export function name(attrs: readonly (readonly [string, string])[]): Uint8Array {
  return seq(...attrs.map(([k, v]) => set(seq(oid(ATTR[k]), utf8(v)))));
}

/** PrintableString. */
export const printable = (s: string): Uint8Array => tlv(0x13, new TextEncoder().encode(s));

/**
 * AMD's name layout with the given common name: the attributes in AMD's
 * order, C as a PrintableString and the rest as UTF8String (as in AMD's ARK).
 */
export function amdName(cn: string): Uint8Array {
  const attrs: [string, string][] = [
    ["OU", "Engineering"],
    ["C", "US"],
    ["L", "Santa Clara"],
    ["ST", "CA"],
    ["O", "Advanced Micro Devices"],
    ["CN", cn],
  ];
  return seq(...attrs.map(([k, v]) => set(seq(oid(ATTR[k]), k === "C" ? printable(v) : utf8(v)))));
}

const SHA384 = "2.16.840.1.101.3.4.2.2";

/** RSASSA-PSS AlgorithmIdentifier with SHA-384, MGF1-SHA-384 and the given salt (AMD uses 48). */
export function pssAlgorithm(salt = 48, hash = SHA384, mgfHash = hash): Uint8Array {
  return seq(
    oid("1.2.840.113549.1.1.10"),
    seq(
      explicit(0, seq(oid(hash), nul())),
      explicit(1, seq(oid("1.2.840.113549.1.1.8"), seq(oid(mgfHash), nul()))),
      explicit(2, int(salt)),
    ),
  );
}

/** An Extension. */
export function extension(id: string, value: Uint8Array, critical = false): Uint8Array {
  return critical ? seq(oid(id), bool(true), octet(value)) : seq(oid(id), octet(value));
}

/** basicConstraints (critical), cA as given. */
export const basicConstraints = (ca: boolean): Uint8Array =>
  extension("2.5.29.19", seq(...(ca ? [bool(true)] : [])), true);

/** keyUsage (critical) with the named bits set (5 keyCertSign, 6 cRLSign). */
export function keyUsage(...bits: number[]): Uint8Array {
  let v = 0;
  for (const b of bits) v |= 0x80 >> b;
  const unused = Math.min(7, 7 - Math.max(...bits));
  return extension("2.5.29.15", bitString(Uint8Array.of(v), unused), true);
}

/** Signs `tbs` with an RSA-PSS private key (salt 48) and wraps it with `alg`. */
export async function signed(
  tbs: Uint8Array,
  alg: Uint8Array,
  key: CryptoKey,
  salt = 48,
): Promise<Uint8Array> {
  const sig = new Uint8Array(
    await crypto.subtle.sign(
      { name: "RSA-PSS", saltLength: salt },
      key,
      tbs as Uint8Array<ArrayBuffer>,
    ),
  );
  return seq(tbs, alg, bitString(sig));
}

/** What a test certificate holds. */
export interface CertSpec {
  readonly serial: bigint | Uint8Array;
  readonly issuer: Uint8Array;
  readonly subject: Uint8Array;
  readonly notBefore: Date;
  readonly notAfter: Date;
  /** SubjectPublicKeyInfo DER. */
  readonly spki: Uint8Array;
  readonly extensions?: readonly Uint8Array[];
  /** The issuer's RSA-PSS private key. */
  readonly signer: CryptoKey;
  /** Signature AlgorithmIdentifier (default {@link pssAlgorithm}). */
  readonly algorithm?: Uint8Array;
}

/** The TBSCertificate of `spec` (version 3). */
export function tbsCertificate(spec: CertSpec): Uint8Array {
  const alg = spec.algorithm ?? pssAlgorithm();
  const ext = spec.extensions?.length ? [explicit(3, seq(...spec.extensions))] : [];
  return seq(
    explicit(0, int(2)),
    int(spec.serial),
    alg,
    spec.issuer,
    seq(time(spec.notBefore), time(spec.notAfter)),
    spec.subject,
    spec.spki,
    ...ext,
  );
}

/** A signed certificate (DER). */
export function certificate(spec: CertSpec): Promise<Uint8Array> {
  return signed(tbsCertificate(spec), spec.algorithm ?? pssAlgorithm(), spec.signer);
}

/** What a test CRL holds. */
export interface CrlSpec {
  readonly issuer: Uint8Array;
  readonly thisUpdate: Date;
  readonly nextUpdate?: Date;
  readonly revoked?: readonly { serial: bigint | Uint8Array; date: Date }[];
  readonly extensions?: readonly Uint8Array[];
  readonly signer: CryptoKey;
}

/** A signed CRL (DER), version 2. */
export function crl(spec: CrlSpec): Promise<Uint8Array> {
  const alg = pssAlgorithm();
  const revoked = spec.revoked?.length
    ? [seq(...spec.revoked.map((r) => seq(int(r.serial), time(r.date))))]
    : [];
  const ext = spec.extensions?.length ? [explicit(0, seq(...spec.extensions))] : [];
  const tbs = seq(
    int(1),
    alg,
    spec.issuer,
    time(spec.thisUpdate),
    ...(spec.nextUpdate ? [time(spec.nextUpdate)] : []),
    ...revoked,
    ...ext,
  );
  return signed(tbs, alg, spec.signer);
}
