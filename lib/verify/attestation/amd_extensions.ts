/**
 * The extensions AMD's KDS puts in VCEK and VLEK certificates (AMD "VCEK
 * Certificate and KDS Interface Specification"; arc 1.3.6.1.4.1.3704.1):
 *
 * | OID arc | name          | value                                                   |
 * |---------|---------------|---------------------------------------------------------|
 * | .1      | structVersion | INTEGER                                                 |
 * | .2      | productName   | IA5String, e.g. `Milan-B0`, `Genoa`, `Turin`             |
 * | .3.1-9  | SPLs          | INTEGER 0..255 each (see `tcb_layout.ts`)              |
 * | .4      | hwID          | CHIP_ID: 64 bytes (Turin: 8), stored raw (no OCTET STRING header) |
 * | .5      | csp_id        | IA5String: the cloud provider a VLEK belongs to         |
 *
 * A VCEK has hwID and no csp_id; a VLEK the reverse. Malformed values are
 * reported, not thrown: they make a check fail with the reason.
 *
 * @module
 */

import type { Certificate } from "../../x509/certificate.ts";
import { readTlv, smallInteger, Tag } from "../../x509/der.ts";
import { stringValue } from "../../x509/der_text.ts";

/** AMD's extension arc. */
const AMD_OID = "1.3.6.1.4.1.3704.1";

/** The AMD extensions of one certificate, decoded. */
export interface AmdExtensions {
  /** structVersion. */
  readonly structVersion?: number;
  /** productName as stored (`Milan-B0`). */
  readonly productName?: string;
  /** The product line: productName up to the first `-` (`Milan`). */
  readonly productLine?: string;
  /** SPL values by the last OID arc (1.3.6.1.4.1.3704.1.3.<arc>). */
  readonly spl: ReadonlyMap<number, number>;
  /** hwID bytes (CHIP_ID, or its first 8 bytes on Turin). */
  readonly hwId?: Uint8Array;
  /** csp_id (VLEKs). */
  readonly cspId?: string;
  /**
   * Why each extension that could not be decoded was refused, one line each,
   * by its arcs below 1.3.6.1.4.1.3704.1 (`2` productName, `4` hwID, `3.<n>`
   * an SPL).
   */
  readonly problems: ReadonlyMap<string, string>;
}

function derValue<T>(value: Uint8Array, read: (t: ReturnType<typeof readTlv>) => T): T {
  const t = readTlv(value, 0);
  if (t.end !== value.length) throw new Error("trailing bytes");
  return read(t);
}

function ia5(value: Uint8Array): string {
  return derValue(value, (t) => {
    if (t.tag !== Tag.IA5_STRING) throw new Error("not an IA5String");
    return stringValue(t, "value");
  });
}

/**
 * The hwID: raw bytes when the value has a CHIP_ID size (64, or 8 on Turin),
 * else an OCTET STRING around them (tolerated in case AMD ever adds one).
 */
function hwIdValue(value: Uint8Array): Uint8Array {
  if (value.length === 64 || value.length === 8) return value;
  return derValue(value, (t) => {
    if (t.tag !== Tag.OCTET_STRING) throw new Error(`${value.length} bytes, not a CHIP_ID`);
    return t.input.subarray(t.start, t.end);
  });
}

/**
 * Decodes the AMD extensions of `cert`.
 *
 * @example
 * ```ts
 * import { amdExtensions } from "./amd_extensions.ts";
 * import { parseCertificate } from "../../x509/certificate.ts";
 * const vcek = parseCertificate(await Deno.readFile("testdata/vectors/go-sev-guest/vcek.der"));
 * const ext = amdExtensions(vcek);
 * console.log(ext.productName, ext.spl.get(8)); // Milan-B0 68
 * ```
 */
export function amdExtensions(cert: Certificate): AmdExtensions {
  const spl = new Map<number, number>();
  const problems = new Map<string, string>();
  const out: {
    structVersion?: number;
    productName?: string;
    hwId?: Uint8Array;
    cspId?: string;
  } = {};
  for (const e of cert.extensions) {
    if (!e.oid.startsWith(AMD_OID + ".")) continue;
    const arcs = e.oid.slice(AMD_OID.length + 1);
    try {
      if (arcs === "1") {
        out.structVersion = derValue(e.value, (t) => smallInteger(t, "structVersion"));
      } else if (arcs === "2") out.productName = ia5(e.value);
      else if (arcs === "4") out.hwId = hwIdValue(e.value);
      else if (arcs === "5") out.cspId = ia5(e.value);
      else if (/^3\.[1-9]$/.test(arcs)) {
        const v = derValue(e.value, (t) => smallInteger(t, "SPL"));
        if (v > 255) throw new Error(`${v} is not a byte`);
        spl.set(Number(arcs.slice(2)), v);
      }
    } catch (err) {
      problems.set(
        arcs,
        `extension ${e.oid} is malformed (${err instanceof Error ? err.message : err})`,
      );
    }
  }
  const productLine = out.productName?.split("-")[0];
  return { ...out, productLine, spl, problems };
}
