/**
 * The text `inspect` prints, from the data of {@link inspectFile} and the
 * digests the CLI computed.
 *
 * @module
 */

import type { Json } from "./inspect_file.ts";

/** One digest line: a platform and rules, and the digest or why there is none. */
export interface DigestLine {
  /** `sev-snp`, `sev-es`, `sev`, `tdx`, `vbs`. */
  readonly platform: string;
  /** `coconut` or `openvmm` (the igvm crate's rules). */
  readonly semantics: string;
  /** Lower-case hex, or null when refused. */
  readonly digest: string | null;
  /** Why the digest was refused, or null. */
  readonly refusal: string | null;
}

function mask(m: unknown): string {
  return `0x${(m as number).toString(16)}`.padEnd(5);
}

function list(v: unknown): Json[] {
  return v as Json[];
}

/**
 * Formats the inspect listing.
 *
 * @example
 * ```ts
 * import { inspectText } from "./inspect_text.ts";
 * // io.stdout(inspectText("f.igvm", inspectFile(file), digests));
 * ```
 */
export function inspectText(name: string, info: Json, digests: readonly DigestLine[]): string {
  const lines: string[] = [`igvmmeasure '${name}' inspect`, ""];
  lines.push(
    `Format version ${info.formatVersion} (${info.arch}, ${
      (info.pageSize as number) / 1024
    } KiB pages)`,
  );
  lines.push("", "Platforms:");
  for (const p of list(info.platforms)) {
    lines.push(
      `  ${String(p.type).padEnd(14)} mask ${
        mask(p.compatibilityMask)
      }  highest VTL ${p.highestVtl}  ` +
        `shared GPA boundary ${p.sharedGpaBoundary}`,
    );
  }
  lines.push("", "Initialization headers:");
  if (list(info.initializations).length === 0) lines.push("  none");
  for (const h of list(info.initializations)) {
    let t = `  ${String(h.type).padEnd(26)} mask ${mask(h.compatibilityMask)}`;
    if (h.policy) {
      const p = h.policy as Json;
      t += `  policy ${p.value} (${(p.description as string[]).join(", ")})`;
    }
    for (const k of ["gpa", "size", "usedSize", "alignment", "minimumGpa", "maximumGpa", "vtl"]) {
      if (h[k] !== undefined) t += `  ${k} ${h[k]}`;
    }
    lines.push(t);
  }
  const counts = Object.entries(info.directiveCounts as Record<string, number>)
    .map(([k, v]) => `${k} ${v}`).join(", ");
  lines.push("", `Directives: ${counts || "none"}`);
  lines.push("", "Memory (page data merged into GPA ranges; end exclusive):");
  if (list(info.memory).length === 0) lines.push("  none");
  for (const r of list(info.memory)) {
    lines.push(
      `  mask ${mask(r.compatibilityMask)}  ${String(r.kind).padEnd(10)} ` +
        `${String(r.start).padStart(12)}..${String(r.end).padEnd(12)} ${r.pages} page(s)`,
    );
  }
  if (list(info.requiredMemory).length) {
    lines.push("", "Required memory:");
    for (const r of list(info.requiredMemory)) {
      lines.push(
        `  mask ${mask(r.compatibilityMask)}  gpa ${r.gpa}  ${r.size} bytes` +
          (r.vtl2Protectable ? "  VTL2-protectable" : ""),
      );
    }
  }
  lines.push("", "Parameter areas:");
  if (list(info.parameterAreas).length === 0) lines.push("  none");
  for (const a of list(info.parameterAreas)) {
    const uses = list(a.uses).map((u) => `${u.type} @${u.byteOffset}`).join(", ") || "none";
    const at = list(a.insertedAt).map((i) => `${i.gpa} (mask ${mask(i.compatibilityMask).trim()})`)
      .join(", ") || "not inserted";
    lines.push(
      `  area ${a.index}: ${a.size ?? "?"} bytes${a.initialData ? ", initial data" : ""}; ` +
        `uses: ${uses}; inserted at ${at}`,
    );
  }
  if (list(info.errorRanges).length) {
    lines.push("", "Error ranges:");
    for (const r of list(info.errorRanges)) {
      lines.push(`  mask ${mask(r.compatibilityMask)}  gpa ${r.gpa}  ${r.size} bytes`);
    }
  }
  lines.push("", "VP contexts:");
  if (list(info.vpContexts).length === 0) lines.push("  none");
  for (const v of list(info.vpContexts)) {
    let t = `  ${String(v.type).padEnd(20)} mask ${mask(v.compatibilityMask)}`;
    if (v.vpIndex !== undefined) t += `  vp ${v.vpIndex}`;
    if (v.gpa !== undefined) {
      t += `  GPA ${v.gpa}  CR0 ${v.cr0}  RIP ${v.rip}  SEV features ${v.sevFeatures}`;
    }
    if (v.registers !== undefined) t += `  VTL ${v.vtl}  ${v.registers} register(s)`;
    lines.push(t);
  }
  lines.push("", "SNP ID blocks:");
  if (list(info.idBlocks).length === 0) lines.push("  none");
  for (const b of list(info.idBlocks)) {
    lines.push(`  mask ${mask(b.compatibilityMask)}`);
    lines.push(`    LD                 ${String(b.ld).toUpperCase()}`);
    lines.push(`    FAMILY_ID          ${b.familyId}`);
    lines.push(`    IMAGE_ID           ${b.imageId}`);
    lines.push(`    VERSION            ${b.version}`);
    lines.push(`    GUEST_SVN          ${b.guestSvn}`);
    lines.push(`    AUTHOR_KEY_EN      ${b.authorKeyEnabled ? 1 : 0}`);
    lines.push(`    ID_KEY_DIGEST      ${b.idKeyDigest}`);
    lines.push(`    AUTHOR_KEY_DIGEST  ${b.authorKeyDigest}`);
  }
  lines.push("", "Launch digests:");
  if (digests.length === 0) lines.push("  none (no platform this tool measures)");
  for (const d of digests) {
    const label = `${d.platform} (${d.semantics})`.padEnd(20);
    lines.push(
      `  ${label} ${d.digest !== null ? d.digest.toUpperCase() : `refused: ${d.refusal}`}`,
    );
  }
  return lines.join("\n") + "\n";
}
