/**
 * The verbose page log of the original igvmmeasure (`IgvmMeasure::log_page`):
 * consecutive pages of one kind at contiguous GPAs are merged into one line
 * `gpa 0x… len 0x… (<Kind> page)`, printed when the run ends.
 *
 * @module
 */

/**
 * Page kinds as the original names them in its log (`Normal`, `Unmeasured`, `Zero`, `Secrets`,
 * `Cpuid`, `VMSA`); the igvm-crate rules add their own (e.g. `Shared (skipped)`, `TDX added`).
 */
export type LogKind = string;

/**
 * Merges page runs and emits one line per run.
 *
 * @example
 * ```ts
 * import { PageLog } from "./verbose_log.ts";
 * const lines: string[] = [];
 * const log = new PageLog((l) => lines.push(l));
 * log.page("Normal", 0x1000n, 0x1000n);
 * log.page("Normal", 0x2000n, 0x1000n);
 * log.finish();
 * // lines: ["gpa 0x1000 len 0x2000 (Normal page)"]
 * ```
 */
export class PageLog {
  #kind: LogKind = "None";
  #gpa = 0n;
  #next = 0n;
  #len = 0n;
  readonly #emit: (line: string) => void;

  /** Creates a log that hands each finished line to `emit`. */
  constructor(emit: (line: string) => void) {
    this.#emit = emit;
  }

  /** Records `len` bytes of `kind` at `gpa`. */
  page(kind: LogKind, gpa: bigint, len: bigint): void {
    if (kind !== this.#kind || gpa !== this.#next) {
      if (this.#len > 0n) {
        this.#emit(
          `gpa 0x${this.#gpa.toString(16)} len 0x${this.#len.toString(16)} (${this.#kind} page)`,
        );
      }
      this.#len = len;
      this.#gpa = gpa;
      this.#next = BigInt.asUintN(64, gpa + len);
      this.#kind = kind;
    } else {
      this.#len += len;
      this.#next = BigInt.asUintN(64, this.#next + len);
    }
  }

  /** Flushes the last run (the original logs a `None` page of length 0). */
  finish(): void {
    this.page("None", 0n, 0n);
  }
}
