/**
 * HOOK for the attestation report's own signature (VCEK/VLEK and AMD's
 * certificate chain). `lib/` does not check it yet (issue 13 adds it); the
 * page calls {@link reportSignatureCheck} after the field comparison and
 * shows its outcome as the `report-signature` check, which counts towards
 * the verdict as soon as it can fail.
 *
 * To wire the library in, replace the body with the library's check of the
 * report against the VCEK (and its built-in AMD roots), mapping its outcome
 * to a {@link CheckRow}: `pass` when the report is signed by the chip, `fail`
 * with the library's one-line reason otherwise. Nothing else on the page
 * changes.
 *
 * @module
 */

import type { AttestationReport } from "../lib/snp/report.ts";
import type { CheckRow, NamedBytes } from "./protocol.ts";

/**
 * The `report-signature` check for `report`, with the VCEK the user gave.
 * Today it is always `skip` and says why.
 *
 * @example
 * ```ts
 * import { reportSignatureCheck } from "./report_signature.ts";
 * // const check = await reportSignatureCheck(parseReport(bytes), { name: "vcek.pem", bytes: pem });
 * // check.status; // "skip" until lib/ checks report signatures
 * ```
 */
export function reportSignatureCheck(
  _report: AttestationReport,
  vcek: NamedBytes | undefined,
): Promise<CheckRow> {
  return Promise.resolve({
    name: "report-signature",
    status: "skip",
    detail: vcek === undefined
      ? "not checked: no VCEK given, and this version cannot check report signatures yet"
      : `not checked: this version cannot check report signatures yet (VCEK '${vcek.name}' not used)`,
  });
}
