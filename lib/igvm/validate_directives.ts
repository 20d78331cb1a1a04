/**
 * microsoft/igvm `validate_directive_headers` (igvm/src/lib.rs): each
 * directive on its own (`header_validate.ts`), then the rule of its type —
 * parameter areas declared once and used before they are inserted, VP
 * contexts on the file's architecture, no insert inside a page table region
 * — and finally every VP a relocation header names has a VBS VP context.
 *
 * @module
 */

import { Arch } from "./defs.ts";
import { fileError, inSection } from "./format_error.ts";
import { validateDirective } from "./header_validate.ts";
import { singleBits } from "./relocation_ranges.ts";
import type {
  DirectiveHeader,
  DirectiveOf,
  IgvmFile,
  ParameterArea,
  ParameterInsert,
  ParameterUsage,
  VbsVpContext,
} from "./types.ts";
import { archOf, type DirectiveValidationInfo, type VpIdent } from "./validate_initializations.ts";

/** What the directive rules track while going through the headers. */
interface DirectiveState {
  readonly arch: Arch;
  readonly archName: string;
  readonly info: DirectiveValidationInfo;
  /** State of each parameter area index declared so far. */
  readonly areas: Map<number, "allocated" | "inserted">;
  /** The VP identifiers with VP index 0 not matched yet, by `vtl:bit` (built on first use). */
  pendingIdents?: Map<string, VpIdent[]>;
}

function badIndex(index: number, what: string) {
  return fileError(
    "InvalidParameterAreaIndex",
    `${what} uses parameter area index ${index}, which is not allocated`,
  );
}

/** `InvalidHeaderArch` unless the file's architecture is `want`; `name` as the crate spells it. */
function requireArch(s: DirectiveState, want: Arch, name: string, what: string): void {
  if (s.arch !== want) {
    throw fileError(
      `InvalidHeaderArch { arch: ${s.archName}, header_type: "${name}" }`,
      `${what} in an ${s.archName} file`,
    );
  }
}

function parameterArea(h: ParameterArea, s: DirectiveState): void {
  if (s.areas.has(h.parameterAreaIndex)) {
    throw fileError(
      "InvalidParameterAreaIndex",
      `parameter area index ${h.parameterAreaIndex} is declared twice`,
    );
  }
  s.areas.set(h.parameterAreaIndex, "allocated");
}

function parameterUsage(h: ParameterUsage, s: DirectiveState): void {
  if (s.areas.get(h.parameterAreaIndex) !== "allocated") {
    throw badIndex(h.parameterAreaIndex, h.type);
  }
}

/** Marks every VP ident with VP index 0, this VTL and a mask bit in common as provided. */
function vbsVpContext(h: VbsVpContext, s: DirectiveState): void {
  const x64 = h.type === "X64VbsVpContext";
  requireArch(s, x64 ? Arch.X64 : Arch.AARCH64, h.type, h.type);
  // Idents are bucketed by (VTL, bit) so each is visited once however many contexts there are.
  if (s.pendingIdents === undefined) {
    s.pendingIdents = new Map();
    for (const id of s.info.vpIdents) {
      if (id.vpIndex !== 0) continue;
      for (const bit of singleBits(id.mask)) {
        const key = `${id.vtl}:${bit}`;
        const list = s.pendingIdents.get(key) ?? [];
        list.push(id);
        s.pendingIdents.set(key, list);
      }
    }
  }
  for (const bit of singleBits(h.compatibilityMask)) {
    const key = `${h.vtl}:${bit}`;
    for (const id of s.pendingIdents.get(key) ?? []) id.matched = true;
    s.pendingIdents.delete(key);
  }
}

function parameterInsert(h: ParameterInsert, s: DirectiveState): void {
  if (s.areas.get(h.parameterAreaIndex) !== "allocated") {
    throw badIndex(h.parameterAreaIndex, "ParameterInsert");
  }
  s.areas.set(h.parameterAreaIndex, "inserted");
  for (const r of s.info.pageTableRegions) {
    // The crate adds gpa + size as u64, which wraps (release build): a region at the top of
    // the address space then contains no insert.
    if (
      (r.mask & h.compatibilityMask) !== 0 && h.gpa >= r.gpa &&
      h.gpa < BigInt.asUintN(64, r.gpa + r.size)
    ) {
      throw fileError(
        "ParameterInsertInsidePageTableRegion",
        `parameter insert at 0x${h.gpa.toString(16)} is inside a page table region`,
      );
    }
  }
}

type DirectiveRules = {
  readonly [K in DirectiveHeader["type"]]: (h: DirectiveOf<K>, s: DirectiveState) => void;
};

const NONE = () => {};

/** The rule of each directive type that needs the other headers. */
const DIRECTIVE_RULES: DirectiveRules = {
  PageData: NONE,
  ParameterArea: parameterArea,
  VpCount: parameterUsage,
  EnvironmentInfo: parameterUsage,
  Srat: parameterUsage,
  Madt: parameterUsage,
  Slit: parameterUsage,
  Pptt: parameterUsage,
  MmioRanges: parameterUsage,
  MemoryMap: parameterUsage,
  CommandLine: parameterUsage,
  DeviceTree: parameterUsage,
  RequiredMemory: NONE,
  SnpVpContext: NONE,
  // The crate names the wrong type in this error; kept as it is.
  X64NativeVpContext: (_h, s) =>
    requireArch(s, Arch.X64, "X64VbsVpContext", "x64 native VP context"),
  X64VbsVpContext: vbsVpContext,
  AArch64VbsVpContext: vbsVpContext,
  AArch64CcaVpContext: (_h, s) =>
    requireArch(s, Arch.AARCH64, "AArch64CcaVpContext", "AArch64 CCA VP context"),
  ParameterInsert: parameterInsert,
  ErrorRange: NONE,
  SnpIdBlock: NONE,
  VbsMeasurement: NONE,
};

/**
 * `validate_directive_headers`, given what the initialization headers left;
 * with `checkHeaders` false, the checks of each header on its own are
 * skipped (the parser made them already), and only `ruled` (default: all the
 * file's directives) are visited: a subsequence, in file order, that leaves
 * out only headers whose rule is {@link NONE} (the parser leaves out page
 * data).
 *
 * @example
 * ```ts
 * import { validateDirectiveHeaders } from "./validate_directives.ts";
 * const file = { revision: { version: 1 }, platforms: [], initializations: [], directives: [] } as const;
 * validateDirectiveHeaders(file, { vpIdents: [], pageTableRegions: [] }, true); // valid: returns
 * ```
 */
export function validateDirectiveHeaders(
  file: IgvmFile,
  info: DirectiveValidationInfo,
  checkHeaders: boolean,
  ruled: readonly DirectiveHeader[] = file.directives,
): void {
  const s: DirectiveState = { ...archOf(file.revision), info, areas: new Map() };
  const first = file.platforms.length + file.initializations.length + 1;
  const rules = DIRECTIVE_RULES as Record<string, (h: DirectiveHeader, s: DirectiveState) => void>;
  const list = checkHeaders ? file.directives : ruled;
  for (let i = 0; i < list.length; i++) {
    const d = list[i];
    if (checkHeaders) inSection("directive", first + i, () => validateDirective(d));
    rules[d.type](d, s);
  }
  const unmatched = info.vpIdents.find((id) => !id.matched);
  if (unmatched !== undefined) {
    throw fileError(
      "NoMatchingVpContext",
      `no VBS VP context for VP ${unmatched.vpIndex} VTL ${unmatched.vtl} named by a relocation header`,
    );
  }
}
