/**
 * Verifies the SEV-SNP ID blocks of an IGVM file (`IGVM_VHT_SNP_ID_BLOCK`
 * directives on the SEV-SNP platform's mask) the way the firmware would at
 * `SNP_LAUNCH_FINISH`:
 *
 * - `ld`: the ID block's LD equals the launch digest computed for the file;
 * - `id-signature`: the ID key's signature verifies over the 96-byte ID block
 *   rebuilt from the directive (LD, FAMILY_ID, IMAGE_ID, VERSION, GUEST_SVN)
 *   and the policy of the first guest-policy header on the platform's mask
 *   (loaders take POLICY from that header; it is not stored in the directive);
 * - `author-signature` (only when author_key_enabled): the author key's
 *   signature verifies over the 0x404-byte SNP form of the ID key.
 *
 * It also derives what an attestation report of a guest launched with the
 * block shows: ID_KEY_DIGEST and AUTHOR_KEY_DIGEST (SHA-384 of the 0x404-byte
 * key structures; zeros without an author key).
 *
 * @module
 */

import type { IgvmFile, SnpIdBlock } from "../igvm/types.ts";
import { snpIdBlocks } from "../igvm/select.ts";
import { encodeIdBlock, ID_BLOCK_VERSION } from "../snp/id_block.ts";
import { loaderGuestPolicy } from "../snp/igvm_id_block.ts";
import {
  authorKeyDigest,
  igvmToSnpPublicKey,
  keyDigest,
  publicKeyFromIgvm,
} from "../snp/public_key.ts";
import { decodeIgvmSignature, verifySignature } from "../snp/signature.ts";
import { bytesEqual } from "../snp/bytes.ts";
import { IgvmToolError } from "../errors.ts";
import { toHex } from "../encoding.ts";

/** Outcome of one check: passed, failed, or not applicable. */
export type CheckStatus = "pass" | "fail" | "skip";

/** One check and its outcome; `detail` is one readable line. */
export interface Check {
  /** Stable name: `ld`, `id-signature`, `author-signature`, `id-block`, `expect`, `report`. */
  readonly name: string;
  /** Whether the check passed, failed or did not apply. */
  readonly status: CheckStatus;
  /** What was found, in one readable line. */
  readonly detail: string;
  /** Index of the ID block (in the file's order) the check is about, if any. */
  readonly idBlock?: number;
}

/** An ID block of the file with what it implies for an attestation report. */
export interface IdBlockSummary {
  /** The directive as parsed. */
  readonly directive: SnpIdBlock;
  /** POLICY of the rebuilt block: the last matching guest policy (as loaders pass it), if any. */
  readonly policy?: bigint;
  /** SHA-384 of the 0x404-byte SNP form of the ID key. */
  readonly idKeyDigest: Uint8Array;
  /** SHA-384 of the author key's SNP form, or 48 zero bytes when there is no author key. */
  readonly authorKeyDigest: Uint8Array;
  /** True when the block carries an author key (its curve field is set), as loaders decide. */
  readonly authorKeyEnabled: boolean;
}

/** Result of {@link verifyIdBlocks}. */
export interface IdBlockVerification {
  /** Every SNP ID block on the mask, in file order. */
  readonly blocks: readonly IdBlockSummary[];
  /** The checks of the last block, plus an `id-block` note when there are several. */
  readonly checks: readonly Check[];
}

function upper(bytes: Uint8Array): string {
  return toHex(bytes).toUpperCase();
}

async function signatureCheck(
  name: string,
  message: () => Uint8Array,
  signature: Uint8Array,
  publicKey: Uint8Array,
  what: string,
  index: number,
): Promise<Check> {
  try {
    const ok = await verifySignature(
      message(),
      decodeIgvmSignature(signature),
      publicKeyFromIgvm(publicKey),
    );
    return {
      name,
      status: ok ? "pass" : "fail",
      detail: ok ? `${what} verifies` : `${what} does not verify`,
      idBlock: index,
    };
  } catch (e) {
    if (!(e instanceof IgvmToolError)) throw e;
    return {
      name,
      status: "fail",
      detail: `${what} cannot be checked: ${e.message}`,
      idBlock: index,
    };
  }
}

/** The summary of directive `d` (with POLICY `policy`) and the 0x404-byte SNP form of its ID key. */
function summarise(
  d: SnpIdBlock,
  policy: bigint | undefined,
): { summary: IdBlockSummary; idSnpKey: Uint8Array } {
  const authorKeyEnabled = d.authorPublicKey[0] !== 0;
  const idSnpKey = igvmToSnpPublicKey(d.idPublicKey);
  const summary = {
    directive: d,
    policy,
    idKeyDigest: keyDigest(idSnpKey),
    authorKeyDigest: authorKeyDigest(
      authorKeyEnabled ? igvmToSnpPublicKey(d.authorPublicKey) : undefined,
    ),
    authorKeyEnabled,
  };
  return { summary, idSnpKey };
}

/** `ld`: the block's LD equals the launch digest. */
function ldCheck(d: SnpIdBlock, digest: Uint8Array, index: number): Check {
  const ok = bytesEqual(d.ld, digest);
  return {
    name: "ld",
    status: ok ? "pass" : "fail",
    detail: ok
      ? "ID block LD equals the launch digest"
      : `ID block LD ${upper(d.ld)} differs from the launch digest ${upper(digest)}`,
    idBlock: index,
  };
}

/** `id-signature`: the ID key signs the 96-byte block rebuilt with the loader's POLICY. */
function idSignatureCheck(
  d: SnpIdBlock,
  policy: bigint | undefined,
  index: number,
): Promise<Check> | Check {
  if (d.idKeyAlgorithm !== 1) {
    return {
      name: "id-signature",
      status: "fail",
      detail: `ID key algorithm is ${d.idKeyAlgorithm}, expected 1 (ECDSA P-384 with SHA-384)`,
      idBlock: index,
    };
  }
  if (policy === undefined) {
    return {
      name: "id-signature",
      status: "fail",
      detail: "the file has no guest policy for SEV-SNP, so the signed ID block cannot be rebuilt",
      idBlock: index,
    };
  }
  const block = {
    ld: d.ld,
    familyId: d.familyId,
    imageId: d.imageId,
    version: ID_BLOCK_VERSION,
    guestSvn: d.guestSvn,
    policy,
  };
  return signatureCheck(
    "id-signature",
    () => encodeIdBlock(block),
    d.idKeySignature,
    d.idPublicKey,
    `ID key signature over the ID block (with POLICY 0x${policy.toString(16)})`,
    index,
  );
}

/**
 * `author-key-enabled` and `version`, only when they fail: fields loaders
 * override (the author key's presence decides; VERSION is passed as 1).
 */
function overriddenFieldChecks(d: SnpIdBlock, authorKeyEnabled: boolean, index: number): Check[] {
  const checks: Check[] = [];
  if ((d.authorKeyEnabled !== 0) !== authorKeyEnabled) {
    checks.push({
      name: "author-key-enabled",
      status: "fail",
      detail: `author_key_enabled is ${d.authorKeyEnabled} but the author key is ${
        authorKeyEnabled ? "present" : "absent"
      }; loaders go by the key (QEMU: author key curve != 0)`,
      idBlock: index,
    });
  }
  if (d.version !== ID_BLOCK_VERSION) {
    checks.push({
      name: "version",
      status: "fail",
      detail: `ID block version is ${d.version}; loaders pass version 1 to the firmware`,
      idBlock: index,
    });
  }
  return checks;
}

/** `author-signature`: the author key signs the ID key's SNP form (skipped without an author key). */
function authorSignatureCheck(
  d: SnpIdBlock,
  authorKeyEnabled: boolean,
  idSnpKey: Uint8Array,
  index: number,
): Promise<Check> | Check {
  if (!authorKeyEnabled) {
    return { name: "author-signature", status: "skip", detail: "no author key", idBlock: index };
  }
  if (d.authorKeyAlgorithm !== 1) {
    return {
      name: "author-signature",
      status: "fail",
      detail:
        `author key algorithm is ${d.authorKeyAlgorithm}, expected 1 (ECDSA P-384 with SHA-384)`,
      idBlock: index,
    };
  }
  return signatureCheck(
    "author-signature",
    () => idSnpKey,
    d.authorKeySignature,
    d.authorPublicKey,
    "author key signature over the ID key",
    index,
  );
}

/** The checks of one block, in the order they are shown. */
async function blockChecks(
  summary: IdBlockSummary,
  idSnpKey: Uint8Array,
  digest: Uint8Array,
  index: number,
): Promise<Check[]> {
  const d = summary.directive;
  return [
    ldCheck(d, digest, index),
    await idSignatureCheck(d, summary.policy, index),
    ...overriddenFieldChecks(d, summary.authorKeyEnabled, index),
    await authorSignatureCheck(d, summary.authorKeyEnabled, idSnpKey, index),
  ];
}

/** The `id-block` note when there are several blocks (only the last is checked). */
function severalBlocksNote(count: number): Check {
  return {
    name: "id-block",
    status: "skip",
    detail: `the file has ${count} SNP ID blocks; only the last, the one ` +
      "`measure` compares, is checked; QEMU refuses to load a file with more than one " +
      "(the original igvmmeasure appends one when it re-signs a signed file)",
  };
}

/**
 * Checks the SNP ID block of `file` on `mask` against `digest` (the launch
 * digest computed with the options the file is meant to be launched with).
 * With several blocks, every one is summarised but only the last is checked
 * (the one `measure` compares; the original `sign` appends a new block to an
 * already signed file), and an `id-block` entry notes the others.
 * Never throws for a bad block: every problem is a failed {@link Check}.
 * A file without an ID block gives no blocks and no checks.
 *
 * @example
 * ```ts
 * import { verifyIdBlocks } from "./id_block_check.ts";
 * // const { blocks, checks } = await verifyIdBlocks(file, digest, snpMask);
 * // checks.every((c) => c.status !== "fail");
 * ```
 */
export async function verifyIdBlocks(
  file: IgvmFile,
  digest: Uint8Array,
  mask: number,
): Promise<IdBlockVerification> {
  // As the loader passes them (QEMU backends/igvm.c): the last matching guest policy, VERSION
  // forced to 1, and the author key enabled when the author key's curve field is set.
  const policy = loaderGuestPolicy(file, mask);
  const summarised = snpIdBlocks(file, mask).map((d) => summarise(d, policy));
  const blocks = summarised.map((s) => s.summary);
  const last = summarised.length - 1;
  // Only the last block counts, as for `measure` (and the original appends a new block when
  // signing a signed file, leaving the stale one before it).
  const checks = last < 0
    ? []
    : await blockChecks(summarised[last].summary, summarised[last].idSnpKey, digest, last);
  if (summarised.length > 1) checks.push(severalBlocksNote(summarised.length));
  return { blocks, checks };
}
