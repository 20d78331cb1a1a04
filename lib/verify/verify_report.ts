/**
 * The result of `verify` as data, its text form and its JSON form. Built by
 * the CLI from {@link verifyIdBlocks}, {@link compareReport} and an
 * `--expect` comparison; nothing here touches files.
 *
 * @module
 */

import type { AttestationReport } from "../snp/report.ts";
import type { Check, IdBlockSummary } from "./id_block_check.ts";
import type { FieldComparison } from "./report_compare.ts";
import { policyJson, policyText } from "./policy_view.ts";
import type { Failure } from "./verification_error.ts";
import type { AttestationResult } from "./attestation/verify_attestation.ts";
import { attestationJson, checksText } from "./attestation/report_view.ts";
import { toHex } from "../encoding.ts";

/** Everything `verify` found. */
export interface VerifyResult {
  /** The IGVM file's name as given. */
  readonly file: string;
  /** The platform measured, as given with `--platform` (e.g. `sev-snp`). */
  readonly platform: string;
  /** The measurement rules used: `coconut` or `openvmm`. */
  readonly semantics: string;
  /** The launch digest computed for the file. */
  readonly digest: Uint8Array;
  /** Compatibility mask of the measured platform's header. */
  readonly compatibilityMask: number;
  /** The SNP ID blocks on that mask, in file order. */
  readonly blocks: readonly IdBlockSummary[];
  /** ID block checks, the `id-block` presence check and the `expect` check. */
  readonly checks: readonly Check[];
  /** The compared report, if `--report` was given. */
  readonly report?: {
    readonly file: string;
    readonly parsed: AttestationReport;
    readonly fields: readonly FieldComparison[];
    /**
     * The report's verification (signature, chain, binding, policy), when it
     * was asked for; its `signatureChecked` says whether a VCEK or VLEK key
     * checked the report's signature.
     */
    readonly attestation?: AttestationResult;
    /** Without `attestation`: why the signature is not checked (one line, e.g. the KDS URL). */
    readonly note?: string;
  };
  /** The `--expect` digest, if given. */
  readonly expected?: Uint8Array;
}

/**
 * Every failure of `r`: failed checks (about the IGVM file) and mismatched
 * report fields (about the report file).
 *
 * @example
 * ```ts
 * import { failuresOf } from "./verify_report.ts";
 * // if (failuresOf(result).length) throw new VerificationError(failuresOf(result));
 * ```
 */
export function failuresOf(r: VerifyResult): Failure[] {
  const many = r.blocks.length > 1;
  const out: Failure[] = [];
  for (const c of r.checks) {
    if (c.status !== "fail") continue;
    const prefix = many && c.idBlock !== undefined ? `ID block ${c.idBlock + 1}: ` : "";
    out.push({ file: r.file, message: prefix + c.detail });
  }
  for (const f of r.report?.fields ?? []) {
    if (f.status !== "mismatch") continue;
    out.push({
      file: r.report!.file,
      message: `report ${f.field} is ${f.report}, the IGVM file implies ${f.expected}`,
    });
  }
  if (r.report?.attestation) out.push(...attestationFailures(r.report.file, r.report.attestation));
  return out;
}

/**
 * One {@link Failure} per failed attestation check of the report `file`:
 * `<check>: <detail>`, as `report` and `verify --report` word them.
 *
 * @example
 * ```ts
 * import { attestationFailures } from "./verify_report.ts";
 * const checks = [{ name: "tcb", status: "fail", detail: "too old" }] as const;
 * attestationFailures("r.bin", { checks } as never); // [{ file: "r.bin", message: "tcb: too old" }]
 * ```
 */
export function attestationFailures(file: string, result: AttestationResult): Failure[] {
  return result.checks.filter((c) => c.status === "fail")
    .map((c) => ({ file, message: `${c.name}: ${c.detail}` }));
}

const PAD = 20;

function row(label: string, value: string, indent = "  "): string {
  return `${indent}${(label + ":").padEnd(PAD)}${value}\n`;
}

/**
 * The text `verify` prints on stdout.
 *
 * @example
 * ```ts
 * import { verifyText } from "./verify_report.ts";
 * // io.stdout(verifyText(result));
 * ```
 */
export function verifyText(r: VerifyResult): string {
  let t = `igvmmeasure '${r.file}' verify\n`;
  const mask = `0x${r.compatibilityMask.toString(16)}`;
  t += row("Platform", `${r.platform} (${r.semantics} semantics, mask ${mask})`, "");
  t += row("Launch digest", toHex(r.digest).toUpperCase(), "");
  if (r.expected) t += row("Expected digest", toHex(r.expected).toUpperCase(), "");
  for (const [i, b] of r.blocks.entries()) {
    const d = b.directive;
    const n = r.blocks.length > 1 ? ` ${i + 1} of ${r.blocks.length}` : "";
    t += `\nSNP ID block${n} (compatibility mask 0x${d.compatibilityMask.toString(16)}):\n`;
    t += row("LD", toHex(d.ld).toUpperCase());
    t += row("FAMILY_ID", toHex(d.familyId));
    t += row("IMAGE_ID", toHex(d.imageId));
    t += row("VERSION", String(d.version));
    t += row("GUEST_SVN", String(d.guestSvn));
    t += row(
      "POLICY",
      b.policy === undefined ? "none (no SEV-SNP guest policy)" : policyText(b.policy),
    );
    t += row("AUTHOR_KEY_EN", b.authorKeyEnabled ? "1" : "0");
    t += row("ID_KEY_DIGEST", toHex(b.idKeyDigest));
    t += row("AUTHOR_KEY_DIGEST", toHex(b.authorKeyDigest));
  }
  t += "\nChecks:\n";
  const many = r.blocks.length > 1;
  for (const c of r.checks) {
    const where = many && c.idBlock !== undefined ? `ID block ${c.idBlock + 1}: ` : "";
    t += `  ${c.status.padEnd(4)}  ${c.name}: ${where}${c.detail}\n`;
  }
  if (r.report) {
    const p = r.report.parsed;
    t +=
      `\nAttestation report '${r.report.file}' (version ${p.version}, ${p.product}, VMPL ${p.vmpl}):\n`;
    if (!r.report.attestation) {
      t += "  NOTE: the report's own signature (VCEK/VLEK certificate chain) is NOT checked" +
        (r.report.note ? `: ${r.report.note}` : ".") + "\n";
    }
    for (const f of r.report.fields) {
      t += `  ${f.status.padEnd(8)}  ${f.field}\n`;
      t += `      report: ${f.report}\n`;
      t += `      file:   ${f.expected ?? "(not determined by the file)"}\n`;
    }
    if (r.report.attestation) {
      t += checksText(r.report.attestation).replaceAll("\n", "\n  ").trimEnd() + "\n";
    }
  }
  const failures = failuresOf(r).length;
  t += `\nResult: ${
    failures === 0 ? "verified" : `FAILED (${failures} failure${failures === 1 ? "" : "s"})`
  }\n`;
  return t;
}

/**
 * The JSON object `verify --json` prints (docs/json.md), without
 * the `error` member the driver adds on failure.
 *
 * @example
 * ```ts
 * import { verifyJson } from "./verify_report.ts";
 * // JSON.stringify(verifyJson(result, { command: "verify", file: "f.igvm" }));
 * ```
 */
export function verifyJson(
  r: VerifyResult,
  base: Record<string, unknown>,
): Record<string, unknown> {
  const failures = failuresOf(r);
  return {
    ...base,
    compatibilityMask: r.compatibilityMask,
    digest: toHex(r.digest),
    expected: r.expected ? toHex(r.expected) : null,
    idBlocks: r.blocks.map((b) => ({
      compatibilityMask: b.directive.compatibilityMask,
      ld: toHex(b.directive.ld),
      familyId: toHex(b.directive.familyId),
      imageId: toHex(b.directive.imageId),
      version: b.directive.version,
      guestSvn: b.directive.guestSvn,
      policy: b.policy === undefined ? null : policyJson(b.policy),
      authorKeyEnabled: b.authorKeyEnabled,
      idKeyDigest: toHex(b.idKeyDigest),
      authorKeyDigest: toHex(b.authorKeyDigest),
    })),
    checks: r.checks.map((c) => ({
      name: c.name,
      status: c.status,
      detail: c.detail,
      idBlock: c.idBlock ?? null,
    })),
    report: r.report
      ? {
        file: r.report.file,
        version: r.report.parsed.version,
        product: r.report.parsed.product,
        signatureChecked: r.report.attestation?.signatureChecked ?? false,
        fields: r.report.fields.map((f) => ({ ...f })),
        attestation: r.report.attestation ? attestationJson(r.report.attestation) : null,
      }
      : null,
    verified: failures.length === 0,
    failures: failures.map((f) => `${f.file}: ${f.message}`),
  };
}
