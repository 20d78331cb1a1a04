/**
 * microsoft/igvm `validate_initialization_headers` (igvm/src/lib.rs): each
 * initialization header on its own (`header_validate.ts`), then the rule of
 * its type — CCA policies on AArch64 CCA platforms, one page table region per
 * platform, relocation regions that do not overlap, one CoRIM document and
 * signature per platform — collecting the VPs and page table regions the
 * directives are checked against.
 *
 * @module
 */

import { Arch, PlatformType } from "./defs.ts";
import { fileError, HeaderError, inSection, sectionError } from "./format_error.ts";
import { validateInitialization } from "./header_validate.ts";
import { RelocationRanges, singleBits } from "./relocation_ranges.ts";
import type {
  CcaPolicy,
  CorimData,
  IgvmFile,
  IgvmRevision,
  InitializationHeader,
  PageTableRelocationRegion,
  RelocatableRegion,
} from "./types.ts";

/** A VP named by a relocation header, which a VBS VP context must provide. */
export interface VpIdent {
  /** Compatibility mask of the header that named it. */
  readonly mask: number;
  /** VP index. */
  readonly vpIndex: number;
  /** VTL. */
  readonly vtl: number;
  /** Set once a VBS VP context satisfies it. */
  matched?: boolean;
}

/** A page table region, inside which no parameter may be inserted. */
export interface PageTableRegion {
  /** Compatibility mask of the region. */
  readonly mask: number;
  /** First GPA. */
  readonly gpa: bigint;
  /** Size in bytes. */
  readonly size: bigint;
}

/** What `validate_initialization_headers` hands to `validate_directive_headers`. */
export interface DirectiveValidationInfo {
  /** The VPs the relocation headers name. */
  readonly vpIdents: VpIdent[];
  /** The page table regions. */
  readonly pageTableRegions: PageTableRegion[];
}

/**
 * The architecture of a revision and its name in the crate's `{:?}` output.
 *
 * @example
 * ```ts
 * import { archOf } from "./validate_initializations.ts";
 * archOf({ version: 1 }); // { arch: 0, archName: "X64" }
 * ```
 */
export function archOf(revision: IgvmRevision): { arch: Arch; archName: string } {
  const arch = revision.version === 2 ? revision.arch : Arch.X64;
  return { arch, archName: arch === Arch.X64 ? "X64" : "AArch64" };
}

/** What the initialization rules track while going through the headers. */
interface InitializationState extends DirectiveValidationInfo {
  readonly arch: Arch;
  readonly archName: string;
  /** Platform type by compatibility mask. */
  readonly maskMap: ReadonlyMap<number, number>;
  /** Masks that have a page table region already. */
  pageTableMasks: number;
  readonly relocations: RelocationRanges;
  readonly corimDocuments: Set<number>;
  readonly corimSignatures: Set<number>;
}

type InitializationRules = {
  readonly [K in InitializationHeader["type"]]: (
    h: Extract<InitializationHeader, { type: K }>,
    s: InitializationState,
  ) => void;
};

/** The rule of each initialization header type that needs the other headers. */
const INITIALIZATION_RULES: InitializationRules = {
  GuestPolicy: () => {},
  CcaPolicy: (h: CcaPolicy, s) => {
    if (s.arch !== Arch.AARCH64) {
      throw fileError(
        `InvalidHeaderArch { arch: ${s.archName}, header_type: "CcaPolicy" }`,
        `CCA policy header in an ${s.archName} file`,
      );
    }
    for (const bit of singleBits(h.compatibilityMask)) {
      if (s.maskMap.get(bit) !== PlatformType.CCA) {
        throw fileError(
          `InvalidCcaPolicyCompatibilityMask(${bit})`,
          `CCA policy compatibility mask 0x${bit.toString(16)} does not reference a CCA platform`,
        );
      }
    }
  },
  PageTableRelocationRegion: (h: PageTableRelocationRegion, s) => {
    if ((h.compatibilityMask & s.pageTableMasks) !== 0) {
      throw fileError(
        "MultiplePageTableRelocationHeaders",
        "page table relocation header specified twice for a compatibility mask",
      );
    }
    s.pageTableMasks |= h.compatibilityMask;
    s.relocations.insert(h.compatibilityMask, h.gpa, h.size);
    s.vpIdents.push({ mask: h.compatibilityMask, vpIndex: h.vpIndex, vtl: h.vtl });
    s.pageTableRegions.push({ mask: h.compatibilityMask, gpa: h.gpa, size: h.size });
  },
  RelocatableRegion: (h: RelocatableRegion, s) => {
    s.relocations.insert(h.compatibilityMask, h.relocationRegionGpa, h.relocationRegionSize);
    s.vpIdents.push({ mask: h.compatibilityMask, vpIndex: h.vpIndex, vtl: h.vtl });
  },
  CorimDocument: (h: CorimData, s) => {
    for (const bit of singleBits(h.compatibilityMask)) {
      if (s.corimDocuments.has(bit)) {
        throw sectionError("initialization", new HeaderError("MultipleCorimDocuments", bit), 0);
      }
      s.corimDocuments.add(bit);
    }
  },
  CorimSignature: (h: CorimData, s) => {
    for (const bit of singleBits(h.compatibilityMask)) {
      if (s.corimSignatures.has(bit)) {
        throw sectionError("initialization", new HeaderError("MultipleCorimSignatures", bit), 0);
      }
      s.corimSignatures.add(bit);
      if (!s.corimDocuments.has(bit)) {
        throw sectionError("initialization", new HeaderError("MissingCorimDocument", bit), 0);
      }
    }
  },
};

/**
 * `validate_initialization_headers`; with `checkHeaders` false, the checks
 * of each header on its own are skipped (the parser made them already).
 *
 * @example
 * ```ts
 * import { validateInitializationHeaders } from "./validate_initializations.ts";
 * const file = { revision: { version: 1 }, platforms: [], directives: [],
 *   initializations: [{ type: "GuestPolicy", policy: 0x30000n, compatibilityMask: 1 }] } as const;
 * validateInitializationHeaders(file, true); // { vpIdents: [], pageTableRegions: [] }
 * ```
 */
export function validateInitializationHeaders(
  file: IgvmFile,
  checkHeaders: boolean,
): DirectiveValidationInfo {
  const s: InitializationState = {
    ...archOf(file.revision),
    maskMap: new Map(file.platforms.map((p) => [p.compatibilityMask, p.platformType])),
    pageTableMasks: 0,
    relocations: new RelocationRanges(),
    corimDocuments: new Set(),
    corimSignatures: new Set(),
    vpIdents: [],
    pageTableRegions: [],
  };
  file.initializations.forEach((h, i) => {
    const index = file.platforms.length + i + 1;
    if (checkHeaders) inSection("initialization", index, () => validateInitialization(h));
    (INITIALIZATION_RULES[h.type] as (h: InitializationHeader, s: InitializationState) => void)(
      h,
      s,
    );
  });
  return { vpIdents: s.vpIdents, pageTableRegions: s.pageTableRegions };
}
