/**
 * The certificate table a guest receives with an extended report
 * (SNP_GET_EXT_REPORT; GHCB spec "SNP Extended Guest Request"; Linux
 * `Documentation/virt/coco/sev-guest.rst`):
 *
 * | off       | size | field                                              |
 * |-----------|------|----------------------------------------------------|
 * | 24·i      | 16   | GUID, in RFC 4122 byte order (as the text reads)   |
 * | 24·i + 16 | 4    | offset of the data from the start of the table, LE |
 * | 24·i + 20 | 4    | length of the data, LE                             |
 *
 * An entry whose GUID is all zeros ends the table; the data (DER or PEM)
 * follows the table. Known GUIDs:
 *
 * | GUID                                   | content     |
 * |----------------------------------------|-------------|
 * | `c0b406a4-a803-4952-9743-3fb6014cd0ae` | ARK         |
 * | `4ab7b379-bbac-4fe4-a02f-05aef327c782` | ASK (or ASVK) |
 * | `63da758d-e664-4564-adc5-f4b93be8accd` | VCEK        |
 * | `a8074bc2-a25a-483e-aae6-39c045a0b8a1` | VLEK        |
 * | `92f81bc3-5811-4d3d-97ff-d19f88dc67ea` | CRL         |
 *
 * Other GUIDs are kept as `other` and not used.
 *
 * @module
 */

import { AttestationError } from "./attestation_error.ts";
import { fromHex, toHex } from "../../encoding.ts";

/** The GUID of each kind of entry. */
export const CERT_TABLE_GUIDS = {
  ark: "c0b406a4-a803-4952-9743-3fb6014cd0ae",
  ask: "4ab7b379-bbac-4fe4-a02f-05aef327c782",
  vcek: "63da758d-e664-4564-adc5-f4b93be8accd",
  vlek: "a8074bc2-a25a-483e-aae6-39c045a0b8a1",
  crl: "92f81bc3-5811-4d3d-97ff-d19f88dc67ea",
} as const;

/** A kind of table entry. */
export type CertTableKind = keyof typeof CERT_TABLE_GUIDS | "other";

/** One entry of the table. */
export interface CertTableEntry {
  /** The GUID as text, lower-case. */
  readonly guid: string;
  /** What the GUID says the data is. */
  readonly kind: CertTableKind;
  /** The data (a view into the table bytes). */
  readonly data: Uint8Array;
}

const ENTRY = 24;

function guidText(b: Uint8Array): string {
  const h = toHex(b);
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
}

function kindOf(guid: string): CertTableKind {
  const found = Object.entries(CERT_TABLE_GUIDS).find(([, g]) => g === guid);
  return found ? found[0] as CertTableKind : "other";
}

/**
 * Parses a certificate table. Throws {@link AttestationError} when there is
 * no terminating entry, an entry points outside the data or into the table,
 * an entry is empty, or a known GUID appears twice.
 *
 * @example
 * ```ts
 * import { encodeCertTable, parseCertTable } from "./cert_table.ts";
 * const table = encodeCertTable([{ guid: "63da758d-e664-4564-adc5-f4b93be8accd", data: new Uint8Array([0x30, 0]) }]);
 * parseCertTable(table)[0].kind; // "vcek"
 * ```
 */
export function parseCertTable(bytes: Uint8Array): CertTableEntry[] {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.length);
  const entries: { guid: string; offset: number; length: number }[] = [];
  let end = -1;
  for (let at = 0; at + ENTRY <= bytes.length; at += ENTRY) {
    const guid = bytes.subarray(at, at + 16);
    if (guid.every((b) => b === 0)) {
      end = at + ENTRY;
      break;
    }
    entries.push({
      guid: guidText(guid),
      offset: view.getUint32(at + 16, true),
      length: view.getUint32(at + 20, true),
    });
  }
  if (end < 0) {
    throw new AttestationError(
      `certificate table (${bytes.length} bytes) has no terminating all-zero entry`,
    );
  }
  const seen = new Set<string>();
  return entries.map((e, i) => {
    const where = `certificate table entry ${i + 1} (${e.guid})`;
    if (e.length === 0) throw new AttestationError(`${where} is empty`);
    if (e.offset < end) {
      throw new AttestationError(`${where} points at offset ${e.offset}, inside the table`);
    }
    if (e.offset > bytes.length || e.length > bytes.length - e.offset) {
      throw new AttestationError(
        `${where}: ${e.length} bytes at offset ${e.offset} run past the end (${bytes.length} bytes)`,
      );
    }
    const kind = kindOf(e.guid);
    if (kind !== "other" && seen.has(kind)) {
      throw new AttestationError(`${where}: a second ${kind.toUpperCase()} entry`);
    }
    seen.add(kind);
    return { guid: e.guid, kind, data: bytes.subarray(e.offset, e.offset + e.length) };
  });
}

/**
 * Builds a certificate table: the entries, the terminator, then the data in
 * order (as a host would hand it to the guest).
 *
 * @example
 * ```ts
 * import { CERT_TABLE_GUIDS, encodeCertTable } from "./cert_table.ts";
 * encodeCertTable([{ guid: CERT_TABLE_GUIDS.ark, data: new Uint8Array(3) }]).length; // 51
 * ```
 */
export function encodeCertTable(
  entries: readonly { guid: string; data: Uint8Array }[],
): Uint8Array {
  const head = (entries.length + 1) * ENTRY;
  const total = head + entries.reduce((n, e) => n + e.data.length, 0);
  const out = new Uint8Array(total);
  const view = new DataView(out.buffer);
  let data = head;
  entries.forEach((e, i) => {
    const hex = e.guid.replaceAll("-", "");
    if (!/^[0-9a-f]{32}$/i.test(hex)) {
      throw new AttestationError(`${JSON.stringify(e.guid)} is not a GUID`);
    }
    out.set(fromHex(hex), i * ENTRY);
    view.setUint32(i * ENTRY + 16, data, true);
    view.setUint32(i * ENTRY + 20, e.data.length, true);
    out.set(e.data, data);
    data += e.data.length;
  });
  return out;
}
