/**
 * The four launch digests, each as a fold over measured pages (and, for VBS,
 * registers): what `engine.ts` feeds the records of a rule set into.
 *
 * | digest | hash | a page adds | spec |
 * |--------|------|-------------|------|
 * | `snp`  | SHA-384 chain | a 0x70-byte PAGE_INFO (`page_info.ts`) whose CONTENTS is the SHA-384 of the page for NORMAL and VMSA pages | AMD SEV-SNP ABI, SNP_LAUNCH_UPDATE |
 * | `sev`  | SHA-256 stream | the page's 4 KiB, if it has data | AMD SEV API, LAUNCH_UPDATE_DATA |
 * | `tdx`  | SHA-384 stream | `MEM.PAGE.ADD` (+ 16 `MR.EXTEND`s) records (`tdx_mrtd.ts`) | Intel TDX module ABI |
 * | `vbs`  | SHA-256 chain | a page chunk (`vbs_chain.ts`) | microsoft/igvm `measurement/vbs.rs` |
 *
 * @module
 */

import { SnpDigest, SnpPageType } from "./page_info.ts";
import { createHasher } from "../hash.ts";
import { MrtdHasher } from "./tdx_mrtd.ts";
import { VbsDigest } from "./vbs_chain.ts";
import type { RegisterRecord } from "./records.ts";
import type { DigestKind } from "./rule_set.ts";

const PAGE_4K = 0x1000n;

/** GPA of page `index` of a record starting at `gpa` (no BigInt arithmetic for the first). */
const gpaOf = (gpa: bigint, index: number): bigint =>
  index === 0 ? gpa : gpa + BigInt(index) * PAGE_4K;

/** A digest being computed from measured pages. */
export interface Fold {
  /**
   * What {@link Fold.page} takes for a page with contents: `"sha384"`, the
   * SHA-384 of its 4 KiB (which the engine computes in bulk); `"bytes"`, the
   * 4 KiB themselves.
   */
  readonly input: "sha384" | "bytes";
  /** Whether pages of `type` have contents (for `sha384` folds: are hashed). */
  hasContents(type: number): boolean;
  /**
   * Page `index` of a record of `type` starting at `gpa`; `contents` as
   * {@link Fold.input} says, or null (no data, or a type without contents).
   */
  page(type: number, gpa: bigint, index: number, contents: Uint8Array | null): void;
  /** A VP context's registers (VBS only). */
  registers(r: RegisterRecord): void;
  /** The launch digest. */
  digest(): Uint8Array;
}

const noRegisters = (): void => {
  throw new Error("only the VBS digest measures VP registers");
};

function snpFold(): Fold {
  const chain = new SnpDigest();
  return {
    input: "sha384",
    hasContents: (type) => type === SnpPageType.NORMAL || type === SnpPageType.VMSA,
    page: (type, gpa, index, contents) =>
      chain.extend(type as SnpPageType, gpaOf(gpa, index), contents ?? undefined),
    registers: noRegisters,
    digest: () => chain.digest,
  };
}

function sevFold(): Fold {
  const stream = createHasher("sha256");
  return {
    input: "bytes",
    hasContents: () => true,
    page: (_type, _gpa, _index, contents) => {
      if (contents !== null) stream.update(contents);
    },
    registers: noRegisters,
    digest: () => stream.digest(),
  };
}

function tdxFold(): Fold {
  const mrtd = new MrtdHasher();
  return {
    input: "bytes",
    hasContents: () => true,
    page: (type, gpa, index, contents) => mrtd.page(type, gpaOf(gpa, index), contents),
    registers: noRegisters,
    digest: () => mrtd.digest(),
  };
}

function vbsFold(): Fold {
  const chain = new VbsDigest();
  return {
    input: "bytes",
    hasContents: () => true,
    page: (type, gpa, index, contents) => chain.page(type, gpa, index, contents),
    registers: (r) => chain.registers(r),
    digest: () => chain.digest,
  };
}

const FOLDS: Record<DigestKind, () => Fold> = {
  snp: snpFold,
  sev: sevFold,
  tdx: tdxFold,
  vbs: vbsFold,
};

/**
 * A new fold for digest `kind`.
 *
 * @example
 * ```ts
 * import { createFold } from "./folds.ts";
 * const fold = createFold("sev");
 * fold.page(0, 0x1000n, 0, new Uint8Array(4096));
 * fold.digest().length; // 32: SHA-256 of one page of zeros
 * ```
 */
export function createFold(kind: DigestKind): Fold {
  return FOLDS[kind]();
}
