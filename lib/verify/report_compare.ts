/**
 * Compares an SEV-SNP attestation report with what an IGVM file implies for
 * a guest launched from it: MEASUREMENT, ID_KEY_DIGEST, AUTHOR_KEY_DIGEST,
 * KEY_INFO.AUTHOR_KEY_EN, FAMILY_ID, IMAGE_ID, GUEST_SVN and POLICY.
 *
 * What the file implies:
 * - MEASUREMENT: the launch digest computed for the file;
 * - with an SNP ID block (the last one on the platform's mask, as loaders
 *   use it): its key digests, author_key_enabled, FAMILY_ID, IMAGE_ID and
 *   GUEST_SVN;
 * - without one: the firmware reports zero key digests, AUTHOR_KEY_EN 0,
 *   zero FAMILY_ID and IMAGE_ID and GUEST_SVN 0 — these are compared too;
 * - POLICY: the first guest-policy header on the platform's mask; a file
 *   without one leaves the policy to the launcher (e.g. QEMU's `policy`
 *   property), so POLICY is then not compared ("skip").
 *
 * The report's own signature (VCEK/VLEK chain) is NOT checked here.
 *
 * @module
 */

import type { AttestationReport } from "../snp/report.ts";
import { bytesEqual } from "../snp/bytes.ts";
import { policyText } from "./policy_view.ts";
import { toHex } from "../encoding.ts";

/** The values a report should carry, as derived from the file. */
export interface ExpectedReport {
  /** Expected MEASUREMENT: the launch digest computed for the file (48 bytes). */
  readonly measurement: Uint8Array;
  /** Expected ID_KEY_DIGEST (48 bytes; zeros without an ID block). */
  readonly idKeyDigest: Uint8Array;
  /** Expected AUTHOR_KEY_DIGEST (48 bytes; zeros without an author key). */
  readonly authorKeyDigest: Uint8Array;
  /** Expected KEY_INFO.AUTHOR_KEY_EN. */
  readonly authorKeyEnabled: boolean;
  /** Expected FAMILY_ID (16 bytes; zeros without an ID block). */
  readonly familyId: Uint8Array;
  /** Expected IMAGE_ID (16 bytes; zeros without an ID block). */
  readonly imageId: Uint8Array;
  /** Expected GUEST_SVN (0 without an ID block). */
  readonly guestSvn: number;
  /** Undefined when the file does not fix the policy. */
  readonly policy?: bigint;
  /** True when the values come from an ID block. */
  readonly fromIdBlock: boolean;
}

/** Comparison of one report field; values are display strings. */
export interface FieldComparison {
  /** Report field name as the ABI spells it: `MEASUREMENT`, `KEY_INFO.AUTHOR_KEY_EN`, … */
  readonly field: string;
  /** `match` or `mismatch`, or `skip` when the file implies no value. */
  readonly status: "match" | "mismatch" | "skip";
  /** The report's value as shown: hex for byte fields, text otherwise. */
  readonly report: string;
  /** What the file implies, or null when it implies nothing (status "skip"). */
  readonly expected: string | null;
}

/** Fields compared, in the order they are shown. */
export const COMPARED_FIELDS: readonly string[] = [
  "MEASUREMENT",
  "ID_KEY_DIGEST",
  "AUTHOR_KEY_DIGEST",
  "KEY_INFO.AUTHOR_KEY_EN",
  "FAMILY_ID",
  "IMAGE_ID",
  "GUEST_SVN",
  "POLICY",
];

/**
 * What a report of a guest launched from a file shows, from the file's
 * digest, its ID block (if any) and its guest policy (if any).
 *
 * @example
 * ```ts
 * import { expectedReport } from "./report_compare.ts";
 * const e = expectedReport(new Uint8Array(48), undefined, 0x30000n);
 * e.authorKeyEnabled; // false
 * ```
 */
export function expectedReport(
  measurement: Uint8Array,
  block: {
    idKeyDigest: Uint8Array;
    authorKeyDigest: Uint8Array;
    authorKeyEnabled: boolean;
    familyId: Uint8Array;
    imageId: Uint8Array;
    guestSvn: number;
  } | undefined,
  policy: bigint | undefined,
): ExpectedReport {
  const zero = (n: number) => new Uint8Array(n);
  return {
    measurement,
    idKeyDigest: block?.idKeyDigest ?? zero(48),
    authorKeyDigest: block?.authorKeyDigest ?? zero(48),
    authorKeyEnabled: block?.authorKeyEnabled ?? false,
    familyId: block?.familyId ?? zero(16),
    imageId: block?.imageId ?? zero(16),
    guestSvn: block?.guestSvn ?? 0,
    policy,
    fromIdBlock: block !== undefined,
  };
}

function bytesField(field: string, report: Uint8Array, expected: Uint8Array): FieldComparison {
  return {
    field,
    status: bytesEqual(report, expected) ? "match" : "mismatch",
    report: toHex(report),
    expected: toHex(expected),
  };
}

function valueField(field: string, report: string, expected: string | null): FieldComparison {
  if (expected === null) return { field, status: "skip", report, expected };
  return { field, status: report === expected ? "match" : "mismatch", report, expected };
}

/**
 * Compares `report` with `expected`, field by field, in {@link COMPARED_FIELDS} order.
 *
 * @example
 * ```ts
 * import { compareReport, expectedReport } from "./report_compare.ts";
 * import { parseReport } from "../snp/report.ts";
 * // const rows = compareReport(parseReport(bytes), expectedReport(digest, block, policy));
 * // rows.filter((r) => r.status === "mismatch");
 * ```
 */
export function compareReport(
  report: AttestationReport,
  expected: ExpectedReport,
): FieldComparison[] {
  return [
    bytesField("MEASUREMENT", report.measurement, expected.measurement),
    bytesField("ID_KEY_DIGEST", report.idKeyDigest, expected.idKeyDigest),
    bytesField("AUTHOR_KEY_DIGEST", report.authorKeyDigest, expected.authorKeyDigest),
    valueField(
      "KEY_INFO.AUTHOR_KEY_EN",
      report.keyInfo.authorKeyEn ? "1" : "0",
      expected.authorKeyEnabled ? "1" : "0",
    ),
    bytesField("FAMILY_ID", report.familyId, expected.familyId),
    bytesField("IMAGE_ID", report.imageId, expected.imageId),
    valueField("GUEST_SVN", String(report.guestSvn), String(expected.guestSvn)),
    valueField(
      "POLICY",
      policyText(report.policy),
      expected.policy === undefined ? null : policyText(expected.policy),
    ),
  ];
}
