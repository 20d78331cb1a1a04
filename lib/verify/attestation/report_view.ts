/**
 * An attestation report and its verification as people read them (every
 * decoded field, like `snpguest display report`, then the chain and each
 * check) and as JSON (docs/json.md, `report`).
 *
 * @module
 */

import { day } from "./checks.ts";
import type { AttestationReport, TcbVersion } from "../../snp/report.ts";
import { policyJson, policyText } from "../policy_view.ts";
import type { AttestationResult } from "./verify_attestation.ts";
import { toHex } from "../../encoding.ts";

/** PLATFORM_INFO bits (SEV-SNP ABI spec, ATTESTATION_REPORT). */
const PLATFORM_BITS = [
  "SMT_EN",
  "TSME_EN",
  "ECC_EN",
  "RAPL_DIS",
  "CIPHERTEXT_HIDING_EN",
  "ALIAS_CHECK_COMPLETE",
];

function platformInfoText(v: bigint): string {
  const names: string[] = [];
  for (let i = 0; i < 64; i++) {
    if ((v >> BigInt(i)) & 1n) names.push(PLATFORM_BITS[i] ?? `bit ${i}`);
  }
  return `0x${v.toString(16)}${names.length ? ` (${names.join(", ")})` : ""}`;
}

function tcbText(t: TcbVersion): string {
  const parts = t.fmc === undefined ? [] : [`fmc=${t.fmc}`];
  parts.push(`bl=${t.bootLoader}`, `tee=${t.tee}`, `snp=${t.snp}`, `ucode=${t.microcode}`);
  return `${toHex(t.raw)} (${parts.join(" ")})`;
}

function tcbJson(t: TcbVersion): Record<string, unknown> {
  return {
    raw: toHex(t.raw),
    value: `0x${t.value.toString(16)}`,
    fmc: t.fmc ?? null,
    bootLoader: t.bootLoader,
    tee: t.tee,
    snp: t.snp,
    microcode: t.microcode,
  };
}

function keyInfoText(r: AttestationReport): string {
  const k = r.keyInfo;
  return `0x${k.raw.toString(16)} (signed by ${k.signingKeyName}; AUTHOR_KEY_EN ${
    Number(k.authorKeyEn)
  }, ` +
    `MASK_CHIP_KEY ${Number(k.maskChipKey)})`;
}

const PAD = 22;

function row(label: string, value: string): string {
  return `  ${(label + ":").padEnd(PAD)}${value}\n`;
}

/**
 * Every field of the report, one per line.
 *
 * @example
 * ```ts
 * import { reportText } from "./report_view.ts";
 * import { parseReport } from "../../snp/report.ts";
 * const r = parseReport(await Deno.readFile("testdata/vectors/go-sev-guest/attestation.bin"));
 * reportText(r).split("\n")[0]; // "  Version:              2"
 * ```
 */
export function reportText(r: AttestationReport): string {
  let t = row("Version", String(r.version));
  t += row("Guest SVN", String(r.guestSvn));
  t += row("Policy", policyText(r.policy));
  t += row("Family ID", toHex(r.familyId));
  t += row("Image ID", toHex(r.imageId));
  t += row("VMPL", String(r.vmpl));
  t += row(
    "Signature algorithm",
    `${r.signatureAlgo}${r.signatureAlgo === 1 ? " (ECDSA P-384 with SHA-384)" : ""}`,
  );
  t += row("Current TCB", tcbText(r.currentTcb));
  t += row("Platform info", platformInfoText(r.platformInfo));
  t += row("Key info", keyInfoText(r));
  t += row("Report data", toHex(r.reportData));
  t += row("Measurement", toHex(r.measurement));
  t += row("Host data", toHex(r.hostData));
  t += row("ID key digest", toHex(r.idKeyDigest));
  t += row("Author key digest", toHex(r.authorKeyDigest));
  t += row("Report ID", toHex(r.reportId));
  t += row("Report ID MA", toHex(r.reportIdMa));
  t += row("Reported TCB", tcbText(r.reportedTcb));
  if (r.version >= 3) {
    const h = (n: number) => `0x${n.toString(16)}`;
    t += row(
      "CPUID",
      `family ${h(r.cpuidFamId!)} model ${h(r.cpuidModId!)} stepping ${
        h(r.cpuidStep!)
      } (${r.product})`,
    );
  }
  t += row("Chip ID", toHex(r.chipId));
  t += row("Committed TCB", tcbText(r.committedTcb));
  t += row("Current version", `${r.currentMajor}.${r.currentMinor} build ${r.currentBuild}`);
  t += row(
    "Committed version",
    `${r.committedMajor}.${r.committedMinor} build ${r.committedBuild}`,
  );
  t += row("Launch TCB", tcbText(r.launchTcb));
  if (r.launchMitVector !== undefined) {
    t += row("Launch mit. vector", `0x${r.launchMitVector.toString(16)}`);
  }
  if (r.currentMitVector !== undefined) {
    t += row("Current mit. vector", `0x${r.currentMitVector.toString(16)}`);
  }
  t += row("Signature R", toHex(r.signature.r));
  t += row("Signature S", toHex(r.signature.s));
  return t;
}

/**
 * Every field of the report as JSON: byte strings as lower-case hex, u64
 * values as `"0x…"`, TCBs decoded in the report's layout.
 *
 * @example
 * ```ts
 * import { reportJson } from "./report_view.ts";
 * import { parseReport } from "../../snp/report.ts";
 * const r = parseReport(await Deno.readFile("testdata/vectors/go-sev-guest/attestation.bin"));
 * reportJson(r).measurement; // "b07af962…"
 * ```
 */
export function reportJson(r: AttestationReport): Record<string, unknown> {
  const v3 = r.version >= 3;
  return {
    version: r.version,
    guestSvn: r.guestSvn,
    policy: policyJson(r.policy),
    familyId: toHex(r.familyId),
    imageId: toHex(r.imageId),
    vmpl: r.vmpl,
    signatureAlgo: r.signatureAlgo,
    currentTcb: tcbJson(r.currentTcb),
    platformInfo: `0x${r.platformInfo.toString(16)}`,
    keyInfo: {
      value: r.keyInfo.raw,
      authorKeyEn: r.keyInfo.authorKeyEn,
      maskChipKey: r.keyInfo.maskChipKey,
      signingKey: r.keyInfo.signingKeyName,
    },
    reportData: toHex(r.reportData),
    measurement: toHex(r.measurement),
    hostData: toHex(r.hostData),
    idKeyDigest: toHex(r.idKeyDigest),
    authorKeyDigest: toHex(r.authorKeyDigest),
    reportId: toHex(r.reportId),
    reportIdMa: toHex(r.reportIdMa),
    reportedTcb: tcbJson(r.reportedTcb),
    cpuid: v3 ? { family: r.cpuidFamId, model: r.cpuidModId, stepping: r.cpuidStep } : null,
    chipId: toHex(r.chipId),
    committedTcb: tcbJson(r.committedTcb),
    currentVersion: `${r.currentMajor}.${r.currentMinor}.${r.currentBuild}`,
    committedVersion: `${r.committedMajor}.${r.committedMinor}.${r.committedBuild}`,
    launchTcb: tcbJson(r.launchTcb),
    launchMitVector: r.launchMitVector === undefined ? null : `0x${r.launchMitVector.toString(16)}`,
    currentMitVector: r.currentMitVector === undefined
      ? null
      : `0x${r.currentMitVector.toString(16)}`,
    signature: { r: toHex(r.signature.r), s: toHex(r.signature.s) },
    product: r.product,
    tcbLayout: r.tcbLayout,
  };
}

/**
 * The chain and the checks, as `report` and `verify --report` print them.
 *
 * @example
 * ```ts
 * import { checksText } from "./report_view.ts";
 * // io.stdout(checksText(result));
 * ```
 */
export function checksText(result: AttestationResult): string {
  let t = "";
  if (result.certificates.length) {
    t += "\nCertificates:\n";
    for (const c of result.certificates) {
      t +=
        `  ${c.role.padEnd(5)} ${
          c.subject.split(", ").at(-1)
        } (${c.source}), serial 0x${c.serial}, ` +
        `${day(c.notBefore)} to ${day(c.notAfter)}, ${c.key}\n`;
    }
  }
  t += `\nChecks (at ${day(result.at)}):\n`;
  for (const c of result.checks) t += `  ${c.status.padEnd(4)}  ${c.name}: ${c.detail}\n`;
  return t;
}

/**
 * The `report` command's whole text: the fields, the chain, the checks and
 * a result line.
 *
 * @example
 * ```ts
 * import { attestationText } from "./report_view.ts";
 * // io.stdout(attestationText("report.bin", result));
 * ```
 */
export function attestationText(file: string, result: AttestationResult): string {
  const r = result.report;
  let t = `Attestation report '${file}' (version ${r.version}, ${result.product ?? r.product})\n`;
  t += reportText(r);
  t += checksText(result);
  const failed = result.checks.filter((c) => c.status === "fail").length;
  t += result.verified
    ? "\nResult: verified (a genuine AMD SEV-SNP report; every check passed)\n"
    : `\nResult: NOT verified (${failed} check${failed === 1 ? "" : "s"} failed${
      result.genuine ? "" : "; the report is not shown to be genuine"
    })\n`;
  return t;
}

/**
 * The attestation members of the JSON output: `verified`, `genuine`,
 * `product`, `at`, `kdsUrl`, `checks`, `certificates`.
 *
 * @example
 * ```ts
 * import { attestationJson } from "./report_view.ts";
 * // JSON.stringify({ command: "report", file, ...attestationJson(result), report: reportJson(result.report) });
 * ```
 */
export function attestationJson(result: AttestationResult): Record<string, unknown> {
  return {
    verified: result.verified,
    genuine: result.genuine,
    product: result.product ?? null,
    at: result.at.toISOString(),
    kdsUrl: result.kdsUrl ?? null,
    checks: result.checks.map((c) => ({ name: c.name, status: c.status, detail: c.detail })),
    certificates: result.certificates.map((c) => ({
      role: c.role,
      source: c.source,
      subject: c.subject,
      issuer: c.issuer,
      serial: c.serial,
      notBefore: c.notBefore.toISOString(),
      notAfter: c.notAfter.toISOString(),
      key: c.key,
    })),
  };
}
