/**
 * An optional capability of an {@link IgvmSource}: SHA-384 of many 4 KiB page
 * ranges of the file, computed ahead (in batches, and for large files by worker
 * threads too) and handed out in order. The CLI's file source offers it; bytes
 * in hand and browsers never do, and the measurement code then hashes each page
 * itself. Either way the digests are identical: this only moves the work.
 *
 * @module
 */

import type { IgvmSource } from "../igvm/types.ts";

/** Digests of the ranges passed to {@link PageHashService.sha384Pages}, in the same order. */
export interface PageDigestReader {
  /**
   * SHA-384 of the next range (48 bytes). The array is valid until the next
   * call; it may be a view into a buffer the reader reuses.
   */
  next(): Uint8Array;
  /** Stops any work still under way; call it whether or not all digests were read. */
  close(): void;
}

/** A source that can hash 4 KiB ranges of itself in bulk. */
export interface PageHashService {
  /**
   * Starts hashing the 4 KiB ranges at `offsets` (in this order). Returns
   * undefined when it declines (the CLI's source does when told to hash in
   * place): the caller then hashes the pages itself.
   */
  sha384Pages(offsets: Uint32Array | Float64Array): PageDigestReader | undefined;
}

/**
 * The page hash service of `source`, if it offers one.
 *
 * @example
 * ```ts
 * import { pageHashService } from "./page_hashes.ts";
 * import { bytesSource } from "../igvm/source.ts";
 * pageHashService(bytesSource(new Uint8Array(8))); // undefined
 * ```
 */
export function pageHashService(source: IgvmSource | undefined): PageHashService | undefined {
  const s = source as Partial<PageHashService> | undefined;
  return typeof s?.sha384Pages === "function" ? (s as PageHashService) : undefined;
}
