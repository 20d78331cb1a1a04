/**
 * The four launch digests, each as a fold over measured pages (and, for VBS,
 * registers): what `engine.ts` feeds the records of a rule set into.
 *
 * | digest | hash | a page adds | spec |
 * |--------|------|-------------|------|
 * | `snp`  | SHA-384 chain | a 0x70-byte PAGE_INFO (`page_info.ts`) whose CONTENTS is the SHA-384 of the page for NORMAL and VMSA pages | AMD SEV-SNP ABI, SNP_LAUNCH_UPDATE |
 * | `sev`  | SHA-256 stream (`wasm_sha256.ts`) | the page's 4 KiB, if it has data | AMD SEV API, LAUNCH_UPDATE_DATA |
 * | `tdx`  | SHA-384 stream | `MEM.PAGE.ADD` (+ 16 `MR.EXTEND`s) records (`tdx_mrtd.ts`) | Intel TDX module ABI |
 * | `vbs`  | SHA-256 chain (`wasm_sha256.ts`) | a page chunk (`vbs_chain.ts`) | microsoft/igvm `measurement/vbs.rs` |
 *
 * @module
 */

import { SnpDigest, SnpPageType } from "./page_info.ts";
import { sha256For } from "./wasm_sha256.ts";
import { MrtdHasher } from "./tdx_mrtd.ts";
import { VbsDigest } from "./vbs_chain.ts";
import type { RegisterRecord } from "./records.ts";
import type { DigestKind } from "./rule_set.ts";

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
   * `count` pages of `type` at `gpa`, `gpa + 4096`, … (a record); `contents`
   * as {@link Fold.input} says, or null (no data, or a type without contents).
   */
  pages(type: number, gpa: bigint, count: number, contents: Uint8Array | null): void;
  /** A VP context's registers (VBS only). */
  registers(r: RegisterRecord): void;
  /** The launch digest. */
  digest(): Uint8Array;
}

const noRegisters = (): void => {
  throw new Error("only the VBS digest measures VP registers");
};

/**
 * What each digest's fold takes for a page with contents: its SHA-384
 * (SEV-SNP's PAGE_INFO chain; the CLI can hash those ahead, in bulk) or the
 * page's bytes.
 */
export const FOLD_INPUT: Readonly<Record<DigestKind, "sha384" | "bytes">> = {
  snp: "sha384",
  sev: "bytes",
  tdx: "bytes",
  vbs: "bytes",
};

function snpFold(): Fold {
  const chain = new SnpDigest();
  return {
    input: FOLD_INPUT.snp,
    hasContents: (type) => type === SnpPageType.NORMAL || type === SnpPageType.VMSA,
    pages: (type, gpa, count, contents) =>
      chain.extend(type as SnpPageType, gpa, contents ?? undefined, count),
    registers: noRegisters,
    digest: () => chain.digest,
  };
}

function sevFold(bytes: () => number): Fold {
  const stream = sha256For(bytes());
  return {
    input: FOLD_INPUT.sev,
    hasContents: () => true,
    pages: (_type, _gpa, count, contents) => {
      if (contents !== null) { for (let i = 0; i < count; i++) stream.update(contents); }
    },
    registers: noRegisters,
    digest: () => stream.digest(),
  };
}

function tdxFold(): Fold {
  const mrtd = new MrtdHasher();
  return {
    input: FOLD_INPUT.tdx,
    hasContents: () => true,
    pages: (type, gpa, count, contents) => mrtd.page(type, gpa, contents, count),
    registers: noRegisters,
    digest: () => mrtd.digest(),
  };
}

function vbsFold(bytes: () => number): Fold {
  const chain = new VbsDigest(bytes());
  return {
    input: FOLD_INPUT.vbs,
    hasContents: () => true,
    pages: (type, gpa, count, contents) => chain.page(type, gpa, contents, count),
    registers: (r) => chain.registers(r),
    digest: () => chain.digest,
  };
}

const FOLDS: Record<DigestKind, (bytes: () => number) => Fold> = {
  snp: snpFold,
  sev: sevFold,
  tdx: tdxFold,
  vbs: vbsFold,
};

/**
 * A new fold for digest `kind`, which will hash about `bytes()` bytes (the
 * SHA-256 digests ask, to pick their implementation: `wasm_sha256.ts`).
 *
 * @example
 * ```ts
 * import { createFold } from "./folds.ts";
 * const fold = createFold("sev");
 * fold.pages(0, 0x1000n, 1, new Uint8Array(4096));
 * fold.digest().length; // 32: SHA-256 of one page of zeros
 * ```
 */
export function createFold(kind: DigestKind, bytes: () => number = () => 0): Fold {
  return FOLDS[kind](bytes);
}
