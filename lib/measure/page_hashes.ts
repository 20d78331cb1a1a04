/**
 * An optional capability of an {@link IgvmSource}: SHA-384 of many 4 KiB page
 * ranges of the file, computed ahead (in batches, and for large files by worker
 * threads too) and handed out in order. The CLI's file source offers it; for
 * other sources (bytes in hand) {@link hashPagesAhead} batches the pages
 * itself. Either way the digests are identical: this only moves the work.
 *
 * @module
 */

import type { IgvmSource, Payload } from "../igvm/types.ts";
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

/** Digests of planned pages, handed out as a measurement reaches them. */
export interface PagesAhead {
  /**
   * SHA-384 of `payload` when it is the next planned page (a view, valid until
   * the next call), else undefined: the caller then hashes it in place.
   */
  take(payload: Payload): Uint8Array | undefined;
  /** Stops any work still under way. */
  close(): void;
}

/** Pages per batch of {@link batchPageHashes}. */
const BATCH_PAGES = 256;

/**
 * Hashes the pages at `offsets` of `source` in order, {@link BATCH_PAGES} at a
 * time (pairs of pages share the WebAssembly SHA-384's SIMD lanes), on the
 * calling thread: what {@link hashPagesAhead} does for sources without a
 * {@link PageHashService} (bytes in hand), and what the CLI's file source does
 * for files too small to be worth worker threads.
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
 * Hashes ahead the 4 KiB file ranges `plan()` lists, in the order a
 * measurement loop will reach them: by `source`'s {@link PageHashService} if
 * it has one (the CLI's file source), else in batches here. The plan is only a
 * hint: `take` hands out a digest only for the page planned next, at the same
 * offset, so the measurement rules stay in the loop alone. Undefined when there
 * is no source or its service declines (the loop then hashes every page itself).
 *
 * @example
 * ```ts
 * import { hashPagesAhead } from "./page_hashes.ts";
 * import { bytesSource } from "../igvm/source.ts";
 * const ahead = hashPagesAhead(bytesSource(new Uint8Array(8192)), () => Float64Array.of(4096));
 * ahead?.take({ offset: 4096, length: 4096 })?.length; // 48
 * ```
 */
export function hashPagesAhead(
  source: IgvmSource | undefined,
  plan: () => Float64Array,
): PagesAhead | undefined {
  if (source === undefined) return undefined;
  const service = pageHashService(source);
  const planned = plan();
  const reader = service ? service.sha384Pages(planned) : batchPageHashes(source, planned);
  if (reader === undefined) return undefined;
  let next = 0;
  return {
    take(payload: Payload): Uint8Array | undefined {
      if (
        payload instanceof Uint8Array || next >= planned.length ||
        planned[next] !== payload.offset || payload.length !== 4096
      ) return undefined;
      next++;
      return reader.next();
    },
    close: () => reader.close(),
  };
}

/**
 * Whether `payload` is a whole 4 KiB page range of the file (what a
 * {@link PageHashService} can hash).
 *
 * @example
 * ```ts
 * import { isFilePage } from "./page_hashes.ts";
 * isFilePage({ offset: 4096, length: 4096 }); // true
 * isFilePage(new Uint8Array(4096)); // false: bytes in hand
 * ```
 */
export function isFilePage(
  payload: Payload | null,
): payload is { readonly offset: number; readonly length: number } {
  return payload !== null && !(payload instanceof Uint8Array) && payload.length === 4096;
}
