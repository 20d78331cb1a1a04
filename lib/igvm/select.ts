/**
 * Selecting headers of a parsed file for a platform: the queries that the
 * measurements, `sign`, `verify` and `inspect` share.
 *
 * @module
 */

import type { IgvmFile, SnpIdBlock } from "./types.ts";

/**
 * The compatibility mask of the first platform header of `platformType`
 * (the original's `utils::get_compatibility_mask`), or undefined.
 *
 * @example
 * ```ts
 * import { platformMask } from "./select.ts";
 * platformMask({ revision: { version: 1 }, platforms: [], initializations: [], directives: [] }, 2); // undefined
 * ```
 */
export function platformMask(file: IgvmFile, platformType: number): number | undefined {
  return file.platforms.find((p) => p.platformType === platformType)?.compatibilityMask;
}

/**
 * The SNP ID block directives that apply to `mask` (any bit), in file order.
 * Loaders and `measure` use the last one.
 *
 * @example
 * ```ts
 * import { snpIdBlocks } from "./select.ts";
 * snpIdBlocks({ revision: { version: 1 }, platforms: [], initializations: [], directives: [] }, 1); // []
 * ```
 */
export function snpIdBlocks(file: IgvmFile, mask: number): SnpIdBlock[] {
  return file.directives.filter((d): d is SnpIdBlock =>
    d.type === "SnpIdBlock" && (d.compatibilityMask & mask) !== 0
  );
}
