/**
 * Reading an attestation report file for the CLI (`report`, `verify --report`):
 * binary or hex text, never more than a report's text could be, errors naming
 * the file.
 *
 * @module
 */

import { readFileAtMost, withFile } from "./io.ts";
import { type AttestationReport, parseReport, REPORT_SIZE } from "../snp/report.ts";
import { ReportError } from "../errors.ts";

/** Largest report file read: the binary is 1184 bytes, its hex text about 2.4 KB. */
const MAX_REPORT_FILE = 64 * 1024;

/**
 * Reads and parses an attestation report file (binary or hex text); errors
 * name the file.
 *
 * @example
 * ```ts
 * import { readReportFile } from "./report_file.ts";
 * readReportFile("testdata/vectors/go-sev-guest/attestation.bin").version; // 2
 * ```
 */
export function readReportFile(path: string): AttestationReport {
  const bytes = readFileAtMost(
    path,
    "read attestation report",
    MAX_REPORT_FILE,
    () =>
      new ReportError(
        `attestation report is more than ${MAX_REPORT_FILE} bytes, expected ${REPORT_SIZE} (or its hex text)`,
      ),
  );
  return withFile(path, "read attestation report", () => parseReport(bytes));
}
