/**
 * Checks that bind the certified key to the report: the signing key kind
 * (KEY_INFO.SIGNING_KEY vs VCEK/VLEK), the product (certificate, chain and
 * the report's CPUID), the chip (hwID = CHIP_ID) and the TCB (each SPL
 * extension = its byte of REPORTED_TCB, in the product's layout).
 *
 * @module
 */

import { productFromCpuid } from "../../snp/report.ts";
import type { AttestationReport } from "../../snp/report.ts";
import type { AmdExtensions } from "./amd_extensions.ts";
import { certLabel, type Chain } from "./chain.ts";
import type { Certificate } from "../../x509/certificate.ts";
import { type AttestationCheck, outcome, skip } from "./checks.ts";
import { layoutOfProduct, splFields, tcbSummary } from "./tcb_layout.ts";
import { toHex } from "../../encoding.ts";
import { bytesEqual } from "../../snp/bytes.ts";

/** The leaf's kind by its extensions: a VCEK has hwID, a VLEK csp_id. */
export function leafKind(ext: AmdExtensions): "VCEK" | "VLEK" | undefined {
  if (ext.hwId && !ext.cspId) return "VCEK";
  if (ext.cspId && !ext.hwId) return "VLEK";
  return undefined;
}

/** Whether intermediate `c` is an ASVK (`SEV-VLEK-<product>`, which signs VLEKs), not an ASK. */
export function isAsvk(c: Certificate): boolean {
  return /^SEV-VLEK-/.test(c.subject.commonName);
}

/** The product a chain's names give: `ARK-<product>`, `SEV-<product>`, `SEV-VLEK-<product>`. */
export function chainProduct(chain: Chain): string | undefined {
  const root = /^ARK-(.+)$/.exec(chain.root?.subject.commonName ?? "")?.[1];
  const inter = /^SEV-(?:VLEK-)?(.+)$/.exec(chain.intermediate?.subject.commonName ?? "")?.[1];
  return root ?? inter;
}

/**
 * The `signing-key` check: the report says which key signed it (SIGNING_KEY
 * 0 VCEK, 1 VLEK); the leaf must be that kind, issued by the matching
 * intermediate (an ASK for a VCEK, an ASVK, `SEV-VLEK-*`, for a VLEK).
 */
export function signingKeyCheck(
  report: AttestationReport,
  chain: Chain,
  ext: AmdExtensions,
): AttestationCheck {
  const wanted = report.keyInfo.signingKeyName;
  const kind = leafKind(ext);
  const name = "signing-key";
  if (wanted !== "VCEK" && wanted !== "VLEK") {
    return outcome(
      name,
      false,
      `KEY_INFO.SIGNING_KEY is ${report.keyInfo.signingKey} (${wanted}), not a VCEK or VLEK`,
    );
  }
  if (!kind) {
    return outcome(
      name,
      false,
      `${certLabel(chain.leaf)} is neither a VCEK (hwID extension) nor a VLEK (csp_id extension)`,
    );
  }
  if (kind !== wanted) {
    return outcome(
      name,
      false,
      `the report is signed by its ${wanted}, but ${certLabel(chain.leaf)} is a ${kind}`,
    );
  }
  const inter = chain.intermediate;
  if (inter) {
    const asvk = isAsvk(inter);
    if (asvk !== (kind === "VLEK")) {
      return outcome(
        name,
        false,
        `${certLabel(inter)} is ${asvk ? "an ASVK" : "an ASK"}, which does not sign ${kind}s`,
      );
    }
  }
  const csp = kind === "VLEK" ? ` for cloud provider ${JSON.stringify(ext.cspId)}` : "";
  return outcome(
    name,
    true,
    `signed by a ${kind}${csp} (KEY_INFO.SIGNING_KEY ${report.keyInfo.signingKey})`,
  );
}

/**
 * The `product` check: the leaf's productName names the chain's product and,
 * for reports of version 3 or later, the product of the CPUID family and
 * model in the report.
 */
export function productCheck(
  report: AttestationReport,
  chain: Chain,
  ext: AmdExtensions,
): AttestationCheck {
  const name = "product";
  const line = ext.productLine;
  if (!line) {
    const why = ext.problems.get("2") ?? "has no productName extension";
    return outcome(name, false, `${certLabel(chain.leaf)} ${why}`);
  }
  const fromChain = chainProduct(chain);
  const problems: string[] = [];
  if (fromChain && fromChain !== line) {
    problems.push(`the certificate is for ${ext.productName}, the chain for ${fromChain}`);
  }
  let cpu = "report version 2 has no CPUID fields";
  if (report.version >= 3) {
    const fam = `0x${report.cpuidFamId!.toString(16)}`;
    const mod = `0x${report.cpuidModId!.toString(16)}`;
    const p = productFromCpuid(report.cpuidFamId!, report.cpuidModId!);
    cpu = `report CPUID family ${fam} model ${mod} is ${p}`;
    if (p !== line) problems.push(`${cpu}, the certificate is for ${ext.productName}`);
  }
  if (problems.length) return outcome(name, false, problems.join("; "));
  return outcome(
    name,
    true,
    `${line}: certificate productName ${ext.productName}` +
      `${fromChain ? `, chain ${fromChain}` : ""}; ${cpu}`,
  );
}

/** The layout to read REPORTED_TCB with: the certified product's, else the report's own guess. */
export function certifiedLayout(report: AttestationReport, ext: AmdExtensions, chain?: Chain) {
  return layoutOfProduct(ext.productLine) ?? layoutOfProduct(chain && chainProduct(chain)) ??
    report.tcbLayout;
}

/**
 * The `chip-id` check: a VCEK's hwID equals CHIP_ID (Turin and later: its
 * first 8 bytes). Skipped for a VLEK (not tied to a chip) and when
 * MASK_CHIP_KEY hides CHIP_ID.
 */
export function chipIdCheck(
  report: AttestationReport,
  chain: Chain,
  ext: AmdExtensions,
): AttestationCheck {
  const name = "chip-id";
  if (leafKind(ext) === "VLEK") return skip(name, "a VLEK is not tied to one chip");
  if (report.keyInfo.maskChipKey) {
    return skip(name, "KEY_INFO.MASK_CHIP_KEY is set: the report's CHIP_ID is masked");
  }
  if (!ext.hwId) {
    const why = ext.problems.get("4") ?? "has no hwID extension";
    return outcome(name, false, `${certLabel(chain.leaf)} ${why}`);
  }
  const size = certifiedLayout(report, ext, chain) === "turin" ? 8 : 64;
  const chip = report.chipId.subarray(0, size);
  if (ext.hwId.length !== size) {
    return outcome(
      name,
      false,
      `hwID of ${certLabel(chain.leaf)} is ${ext.hwId.length} bytes, expected ${size}`,
    );
  }
  const ok = bytesEqual(ext.hwId, chip);
  const what = size === 8 ? "the first 8 bytes of CHIP_ID" : "CHIP_ID";
  return outcome(
    name,
    ok,
    ok
      ? `hwID equals ${what} ${toHex(chip)}`
      : `hwID ${toHex(ext.hwId)} differs from ${what} ${toHex(chip)}`,
  );
}

/**
 * The `tcb` check: every SPL extension of the leaf equals its byte of
 * REPORTED_TCB (the named SPLs must be present; a reserved byte without an
 * extension must be zero).
 */
export function tcbCheck(
  report: AttestationReport,
  chain: Chain,
  ext: AmdExtensions,
): AttestationCheck {
  const name = "tcb";
  const malformed = [...ext.problems].filter(([arcs]) => arcs.startsWith("3.")).map(([, p]) => p);
  if (malformed.length) {
    return outcome(name, false, `${certLabel(chain.leaf)}: ${malformed.join("; ")}`);
  }
  const layout = certifiedLayout(report, ext, chain);
  const tcb = report.reportedTcb.raw;
  const problems: string[] = [];
  for (const f of splFields(layout)) {
    const cert = ext.spl.get(f.arc);
    if (cert === undefined) {
      if (f.kds || tcb[f.byte] !== 0) {
        problems.push(
          `no ${f.name} SPL extension (…3704.1.3.${f.arc}), REPORTED_TCB byte ${f.byte} is ${
            tcb[f.byte]
          }`,
        );
      }
    } else if (cert !== tcb[f.byte]) {
      problems.push(`${f.name}: certificate ${cert}, REPORTED_TCB byte ${f.byte} ${tcb[f.byte]}`);
    }
  }
  const shown = `REPORTED_TCB ${toHex(tcb)} (${layout}: ${tcbSummary(tcb, layout)})`;
  if (problems.length) {
    return outcome(
      name,
      false,
      `${shown} is not what ${certLabel(chain.leaf)} certifies: ${problems.join("; ")}`,
    );
  }
  return outcome(name, true, `${shown} equals the certificate's SPLs`);
}
