/**
 * A rule set: how one loader turns an IGVM file's directives into measurement
 * records (`records.ts`) for one platform. Each rule set is a table — which
 * directives it selects, and one small function per directive type it
 * measures — that {@link planMeasurement} walks in file order. Hashing is not
 * its business: the engine (`engine.ts`) does that for every rule set alike.
 *
 * @module
 */

import type { DirectiveHeader, DirectiveOf, IgvmFile } from "../igvm/types.ts";
import { type MeasurementPlan, type MeasurementRecord, RecordList } from "./records.ts";
import { IgvmToolError } from "../errors.ts";

/** The digest a rule set's records fold into (see `engine.ts`). */
export type DigestKind = "snp" | "sev" | "tdx" | "vbs";

/** What a rule emits for one directive: nothing, one record, or several. */
export type Emitted = MeasurementRecord | readonly MeasurementRecord[] | undefined;

/** The options a rule set reads (the original's `-n` and `-c`). */
export interface RuleOptions {
  /** Measure pages without data as SNP ZERO pages. */
  readonly nativeZero: boolean;
  /** Apply the original's QEMU/KVM checks. */
  readonly checkKvm: boolean;
}

/** A rule set; `S` is the state one measurement carries from directive to directive. */
export interface RuleSet<S> {
  /** The digest its records fold into. */
  readonly digest: DigestKind;
  /** Whether directive `d` is measured for the target compatibility mask `mask`. */
  readonly selects: (d: DirectiveHeader, mask: number) => boolean;
  /** Checks the file as a whole (may throw) and returns a measurement's initial state. */
  readonly start: (file: IgvmFile, mask: number, options: RuleOptions) => S;
  /** The rule of each directive type the rule set measures; other types emit nothing. */
  readonly directives: {
    readonly [T in DirectiveHeader["type"]]?: (d: DirectiveOf<T>, state: S) => Emitted;
  };
  /** Records emitted after the last directive (VBS: the VP registers). */
  readonly finish?: (state: S) => Emitted;
}

/** Appends what a rule emitted to `records`. */
function addEmitted(records: RecordList, emitted: Emitted): void {
  if (emitted === undefined) return;
  if (!Array.isArray(emitted)) records.add(emitted as MeasurementRecord);
  else for (let i = 0; i < emitted.length; i++) records.add(emitted[i]);
}

/**
 * Walks `file`'s directives in order through `rules`. A refusal of ours
 * ({@link IgvmToolError}) raised by a directive's rule ends the plan early, as
 * {@link MeasurementPlan.failure}, with the records emitted before it; one
 * raised by {@link RuleSet.start} is thrown at once (nothing was measured).
 *
 * @example
 * ```ts
 * import { planMeasurement } from "./rule_set.ts";
 * import { COCONUT_SNP } from "./coconut_rules.ts";
 * import { parseIgvm } from "../igvm/parser.ts";
 * const file = parseIgvm(await Deno.readFile("testdata/sample.igvm"));
 * const plan = planMeasurement(COCONUT_SNP, file, 1, { nativeZero: false, checkKvm: false });
 * console.log(plan.records.length, plan.failure); // the pages to measure, undefined
 * ```
 */
export function planMeasurement<S>(
  rules: RuleSet<S>,
  file: IgvmFile,
  mask: number,
  options: RuleOptions,
): MeasurementPlan {
  const state = rules.start(file, mask, options);
  const records = new RecordList();
  const table = rules.directives as Partial<Record<string, (d: DirectiveHeader, s: S) => Emitted>>;
  // Indexed loops: this one runs once per directive (80 000 on a large file), mostly before
  // V8 has optimized it, where an iterator costs.
  const directives = file.directives;
  try {
    for (let i = 0; i < directives.length; i++) {
      const d = directives[i];
      const rule = table[d.type];
      if (rule !== undefined && rules.selects(d, mask)) addEmitted(records, rule(d, state));
    }
    if (rules.finish) addEmitted(records, rules.finish(state));
  } catch (e) {
    if (!(e instanceof IgvmToolError)) throw e;
    return { records: records.records, failure: e };
  }
  return { records: records.records };
}

/**
 * The `igvm` crate's directive selection (microsoft/igvm `measurement/mod.rs`):
 * a directive without a compatibility mask (`ParameterArea` and the parameter
 * usages) always, the others when their mask has every bit of `mask`.
 *
 * @example
 * ```ts
 * import { allBits } from "./rule_set.ts";
 * const d = { type: "ErrorRange", compatibilityMask: 0x1, gpa: 0n, sizeBytes: 4096 } as const;
 * allBits(d, 0x3); // false: bit 0x2 is missing
 * ```
 */
export function allBits(d: DirectiveHeader, mask: number): boolean {
  if (!("compatibilityMask" in d)) return true;
  return ((d.compatibilityMask & mask) >>> 0) === mask >>> 0;
}
