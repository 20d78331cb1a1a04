/**
 * The message side of the SHA-2 WebAssembly modules (`sha256.wat`,
 * `sha384.wat`): bytes are staged in the instance's own memory and hashed
 * whole blocks at a time when the staging area fills, so that many small
 * updates cost a copy each, not a call into the module; the message's last
 * blocks are padded as FIPS 180-4 §5.1 says.
 *
 * @module
 */

/** Where a message is staged in a module instance, and how the module hashes blocks. */
export interface StageLayout {
  /** The instance's memory (never grown, so views of it stay valid). */
  readonly memory: ArrayBufferLike;
  /** Offset of the staging area. */
  readonly at: number;
  /**
   * Size of the staging area, a multiple of the block size; two more blocks
   * after it are the padding's (at most two blocks, FIPS 180-4 §5.1).
   */
  readonly bytes: number;
  /** Block size: 64 (SHA-256) or 128 (SHA-384). */
  readonly blockBytes: 64 | 128;
  /** Hashes `n` blocks at `src` of the memory into the module's running state. */
  readonly blocks: (src: number, n: number) => void;
}

/** A message being staged: add bytes, then finish it. */
export interface BlockStage {
  /** Adds `data` to the message, hashing the staging area each time it fills. */
  add(data: Uint8Array): void;
  /**
   * Pads the message and hashes its last blocks: the module's state then holds
   * the digest. The next `add` starts a new message (the caller resets the
   * module's state).
   */
  finish(): void;
}

/**
 * Stages a message in `layout`'s staging area.
 *
 * @example
 * ```ts
 * import { createBlockStage } from "./block_stage.ts";
 * const memory = new ArrayBuffer(4096);
 * const seen: number[] = [];
 * const stage = createBlockStage({
 *   memory,
 *   at: 1024,
 *   bytes: 128,
 *   blockBytes: 64,
 *   blocks: (_src, n) => seen.push(n),
 * });
 * stage.add(new Uint8Array(200)); // hashes 2 blocks, stages 72 bytes
 * stage.finish(); // pads to 2 more blocks
 * seen; // [2, 2]
 * ```
 */
export function createBlockStage(layout: StageLayout): BlockStage {
  const { at, bytes, blockBytes, blocks } = layout;
  const stage = new Uint8Array(layout.memory, at, bytes + 2 * blockBytes);
  const view = new DataView(layout.memory, at, bytes + 2 * blockBytes);
  const stageBlocks = bytes / blockBytes;
  // The length in bits is the last 64 bits (SHA-256) or 128 bits (SHA-384) of the padding.
  const lengthBytes = blockBytes / 8;
  let fill = 0;
  let total = 0;
  return {
    add(data: Uint8Array): void {
      total += data.length;
      for (let off = 0; off < data.length;) {
        const n = Math.min(data.length - off, bytes - fill);
        stage.set(data.subarray(off, off + n), fill);
        fill += n;
        off += n;
        if (fill === bytes) {
          blocks(at, stageBlocks);
          fill = 0;
        }
      }
    },
    finish(): void {
      // FIPS 180-4 §5.1.1 and §5.1.2: 0x80, zeros, the length in bits as a big-endian number
      // (lengths below 2^64 bits: a 128-bit field's high half stays zero).
      const end = Math.ceil((fill + 1 + lengthBytes) / blockBytes) * blockBytes;
      stage[fill] = 0x80;
      stage.fill(0, fill + 1, end - 8);
      view.setBigUint64(end - 8, BigInt(total) * 8n);
      blocks(at, end / blockBytes);
      fill = 0;
      total = 0;
    },
  };
}
