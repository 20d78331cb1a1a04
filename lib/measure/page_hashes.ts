/**
 * SHA-384 of many 4 KiB page ranges of a file, computed ahead and handed out
 * in order: by a {@link PageHashService} the caller passes to the measurement
 * (the CLI's, with worker threads for large files), else in batches on the
 * calling thread ({@link batchPageHashes}). Either way the digests are
 * identical: this only moves the work.
 *
 * @module
 */

import type { IgvmSource } from "../igvm/types.ts";
import { createPageHasher } from "./wasm_sha384.ts";

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

/**
 * Hashes 4 KiB ranges of the file being measured in bulk (the CLI's: worker
 * threads); passed to the measurement as `MeasureOptions.pageHashes`.
 */
export interface PageHashService {
  /**
   * Starts hashing the 4 KiB ranges at `offsets` of the measured file (in this
   * order). Returns undefined when it declines (the CLI's does when told to
   * hash in place): the measurement then hashes each page as it reaches it.
   */
  sha384Pages(offsets: Uint32Array | Float64Array): PageDigestReader | undefined;
}

/** Pages per batch of {@link batchPageHashes}. */
const BATCH_PAGES = 256;

/**
 * Hashes the pages at `offsets` of `source` in order, {@link BATCH_PAGES} at a
 * time (pairs of pages share the WebAssembly SHA-384's SIMD lanes), on the
 * calling thread: what a measurement does without a {@link PageHashService},
 * and what the CLI's service does for files too small to be worth worker
 * threads.
 *
 * @example
 * ```ts
 * import { batchPageHashes } from "./page_hashes.ts";
 * import { bytesSource } from "../igvm/source.ts";
 * const r = batchPageHashes(bytesSource(new Uint8Array(4096)), Float64Array.of(0));
 * r.next().length; // 48
 * ```
 */
export function batchPageHashes(
  source: IgvmSource,
  offsets: ArrayLike<number>,
): PageDigestReader {
  const hasher = createPageHasher(Math.max(1, Math.min(BATCH_PAGES, offsets.length)));
  let first = 0; // index of the first page in the hasher
  let end = 0; // one past the last
  let cursor = 0;
  return {
    next(): Uint8Array {
      if (cursor >= offsets.length) throw new Error("no more page digests");
      if (cursor >= end) {
        first = cursor;
        end = Math.min(offsets.length, first + hasher.capacity);
        for (let i = first; i < end; i++) {
          // A source that reads into `scratch` fills the page's own slot; one that returns
          // its own bytes (bytes in hand: a view) is copied there.
          const slot = hasher.input.subarray((i - first) * 4096, (i - first + 1) * 4096);
          slot.set(source.read(offsets[i], 4096, slot));
        }
        hasher.hash(end - first);
      }
      const at = (cursor++ - first) * 48;
      return hasher.output.subarray(at, at + 48);
    },
    close(): void {
      cursor = offsets.length;
    },
  };
}

/**
 * A {@link PageHashService} that remembers every digest it hands out, so that
 * measuring a file under several rule sets (`measureAll`: SEV-SNP by both)
 * hashes each page once. Pages not seen before go to `service` (or, without
 * one, to {@link batchPageHashes} over `source`); when `service` declines,
 * so does this.
 *
 * @example
 * ```ts
 * import { memoizedPageHashes } from "./page_hashes.ts";
 * import { bytesSource } from "../igvm/source.ts";
 * const hashes = memoizedPageHashes(undefined, bytesSource(new Uint8Array(8192)));
 * hashes.sha384Pages(Float64Array.of(0, 4096))!.next().length; // 48
 * hashes.sha384Pages(Float64Array.of(4096))!.next().length; // 48, from memory
 * ```
 */
export function memoizedPageHashes(
  service: PageHashService | undefined,
  source: IgvmSource,
): PageHashService {
  const known = new Map<number, Uint8Array>();
  return {
    sha384Pages(offsets: Uint32Array | Float64Array): PageDigestReader | undefined {
      // Each new page once, in the order the reader below first asks for it.
      const fresh = Float64Array.from(new Set(offsets.filter((o) => !known.has(o))));
      const reader = fresh.length === 0
        ? undefined
        : service
        ? service.sha384Pages(fresh)
        : batchPageHashes(source, fresh);
      if (fresh.length > 0 && reader === undefined) return undefined;
      let cursor = 0;
      return {
        next(): Uint8Array {
          const offset = offsets[cursor++];
          const digest = known.get(offset);
          if (digest !== undefined) return digest;
          const computed = reader!.next().slice();
          known.set(offset, computed);
          return computed;
        },
        close: () => reader?.close(),
      };
    },
  };
}
