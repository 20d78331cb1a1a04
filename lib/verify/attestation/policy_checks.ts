/**
 * Checks a verifier asks for on top of genuineness (go-sev-guest `validate`
 * is the model): a debuggable guest fails unless allowed; a minimum TCB; the
 * VMPL; REPORT_DATA and HOST_DATA.
 *
 * @module
 */

import type { AttestationReport } from "../../snp/report.ts";
import { AttestationError } from "./attestation_error.ts";
import { type AttestationCheck, outcome, skip } from "./checks.ts";
import { MILAN_GENOA_TCB, splFields, type TcbLayoutName, TURIN_TCB } from "./tcb_layout.ts";
import { toHex } from "../../encoding.ts";
import { bytesEqual } from "../../snp/bytes.ts";

/**
 * A minimum TCB: 8 raw TCB_VERSION bytes (each byte is one SPL whatever the
 * layout), or SPLs by name (`bl`, `tee`, `snp`, `ucode`, and `fmc` on Turin).
 */
export type MinimumTcb = Uint8Array | Readonly<Record<string, number>>;

/** What {@link policyChecks} checks; absent members are not checked (`debug` always is). */
export interface PolicyOptions {
  /** Accept a guest whose policy allows debugging (POLICY bit 19). */
  readonly allowDebug?: boolean;
  /** Every SPL of CURRENT_TCB, COMMITTED_TCB and REPORTED_TCB must be at least this. */
  readonly minTcb?: MinimumTcb;
  /** The VMPL the report must have been requested from. */
  readonly vmpl?: number;
  /** Expected REPORT_DATA (up to 64 bytes; shorter values are padded with zeros). */
  readonly reportData?: Uint8Array;
  /** Expected HOST_DATA (up to 32 bytes; zero-padded). */
  readonly hostData?: Uint8Array;
}

const DEBUG_BIT = 1n << 19n;

/** The SPL field names of every TCB layout. */
const SPL_NAMES = new Set([...MILAN_GENOA_TCB, ...TURIN_TCB].map((f) => f.name));

/**
 * Parses `--min-tcb`: a u64 TCB_VERSION as decimal or `0x` hex (the
 * little-endian value tools print, e.g. `0xdb18000000000004`), or SPLs as
 * `bl=4,tee=0,snp=24,ucode=219` (`fmc=` on Turin). Throws
 * {@link AttestationError} for anything else.
 *
 * @example
 * ```ts
 * import { parseMinimumTcb } from "./policy_checks.ts";
 * parseMinimumTcb("0xdb18000000000004"); // Uint8Array [4, 0, 0, 0, 0, 0, 0x18, 0xdb]
 * parseMinimumTcb("snp=24,ucode=219"); // { snp: 24, ucode: 219 }
 * ```
 */
export function parseMinimumTcb(text: string): MinimumTcb {
  const t = text.trim();
  if (/^(0x[0-9a-f]{1,16}|[0-9]{1,20})$/i.test(t)) {
    const v = BigInt(t);
    if (v >= 1n << 64n) throw new AttestationError(`minimum TCB ${text} does not fit in 64 bits`);
    const out = new Uint8Array(8);
    new DataView(out.buffer).setBigUint64(0, v, true);
    return out;
  }
  const parts: Record<string, number> = {};
  for (const item of t.split(",")) {
    const m = /^\s*([a-z0-9]+)\s*=\s*([0-9]{1,3})\s*$/i.exec(item);
    if (!m || Number(m[2]) > 255) {
      throw new AttestationError(
        `minimum TCB ${
          JSON.stringify(text)
        }: expected a number or name=value pairs such as bl=4,tee=0,snp=24,ucode=219`,
      );
    }
    const name = m[1].toLowerCase();
    if (!SPL_NAMES.has(name)) {
      throw new AttestationError(
        `minimum TCB ${JSON.stringify(text)}: no TCB has a field '${m[1]}' (fields: ${
          [...SPL_NAMES].join(", ")
        })`,
      );
    }
    parts[name] = Number(m[2]);
  }
  return parts;
}

function minimumBytes(min: MinimumTcb, layout: TcbLayoutName): Uint8Array {
  if (min instanceof Uint8Array) {
    if (min.length !== 8) {
      throw new AttestationError(`minimum TCB has ${min.length} bytes, expected 8`);
    }
    return min;
  }
  const out = new Uint8Array(8);
  const fields = splFields(layout);
  for (const [k, v] of Object.entries(min)) {
    const f = fields.find((x) => x.name === k);
    if (!f) {
      throw new AttestationError(
        `minimum TCB names ${k}, which the ${layout} TCB does not have (${
          fields.map((x) => x.name).join(", ")
        })`,
      );
    }
    out[f.byte] = v;
  }
  return out;
}

function minTcbCheck(
  report: AttestationReport,
  min: MinimumTcb,
  layout: TcbLayoutName,
): AttestationCheck {
  let floor: Uint8Array;
  try {
    floor = minimumBytes(min, layout);
  } catch (e) {
    if (e instanceof AttestationError) return outcome("min-tcb", false, e.message);
    throw e;
  }
  const fields = splFields(layout);
  const problems: string[] = [];
  const tcbs = [
    ["CURRENT_TCB", report.currentTcb.raw],
    ["COMMITTED_TCB", report.committedTcb.raw],
    ["REPORTED_TCB", report.reportedTcb.raw],
  ] as const;
  for (const [label, tcb] of tcbs) {
    const low = fields.filter((f) => tcb[f.byte] < floor[f.byte]).map((f) =>
      `${f.name} ${tcb[f.byte]} < ${floor[f.byte]}`
    );
    if (low.length) problems.push(`${label} ${toHex(tcb)}: ${low.join(", ")}`);
  }
  const shown = fields.filter((f) => f.kds || floor[f.byte]).map((f) =>
    `${f.name}=${floor[f.byte]}`
  ).join(" ");
  return outcome(
    "min-tcb",
    problems.length === 0,
    problems.length
      ? `below the minimum (${shown}): ${problems.join("; ")}`
      : `CURRENT, COMMITTED and REPORTED TCB are at least ${shown}`,
  );
}

function padded(value: Uint8Array, size: number, field: string): Uint8Array {
  if (value.length > size) {
    throw new AttestationError(
      `expected ${field} is ${value.length} bytes, at most ${size} allowed`,
    );
  }
  const out = new Uint8Array(size);
  out.set(value);
  return out;
}

function bytesCheck(
  name: string,
  field: string,
  actual: Uint8Array,
  wanted: Uint8Array,
): AttestationCheck {
  const w = padded(wanted, actual.length, field);
  const ok = bytesEqual(w, actual);
  return outcome(
    name,
    ok,
    ok ? `${field} is ${toHex(actual)}` : `${field} is ${toHex(actual)}, expected ${toHex(w)}`,
  );
}

/**
 * The policy checks: `debug` (always), and `min-tcb`, `vmpl`, `report-data`
 * and `host-data` when asked for (else `skip`). `layout` reads the TCBs.
 *
 * @example
 * ```ts
 * import { policyChecks } from "./policy_checks.ts";
 * // policyChecks(report, { vmpl: 0 }, "milan-genoa").find((c) => c.name === "vmpl")?.status
 * ```
 */
export function policyChecks(
  report: AttestationReport,
  options: PolicyOptions,
  layout: TcbLayoutName,
): AttestationCheck[] {
  const debug = (report.policy & DEBUG_BIT) !== 0n;
  const out: AttestationCheck[] = [
    debug
      ? outcome(
        "debug",
        options.allowDebug === true,
        options.allowDebug
          ? "POLICY allows debugging (bit 19), accepted by --allow-debug"
          : "POLICY allows debugging (bit 19): the host can read and change guest memory (--allow-debug accepts it)",
      )
      : outcome("debug", true, "POLICY does not allow debugging (bit 19 clear)"),
  ];
  out.push(
    options.minTcb === undefined
      ? skip("min-tcb", "no minimum TCB asked for")
      : minTcbCheck(report, options.minTcb, layout),
  );
  out.push(
    options.vmpl === undefined ? skip("vmpl", "no VMPL asked for") : outcome(
      "vmpl",
      report.vmpl === options.vmpl,
      `VMPL is ${report.vmpl}${report.vmpl === options.vmpl ? "" : `, expected ${options.vmpl}`}`,
    ),
  );
  out.push(
    options.reportData === undefined
      ? skip("report-data", "no REPORT_DATA asked for")
      : bytesCheck("report-data", "REPORT_DATA", report.reportData, options.reportData),
  );
  out.push(
    options.hostData === undefined
      ? skip("host-data", "no HOST_DATA asked for")
      : bytesCheck("host-data", "HOST_DATA", report.hostData, options.hostData),
  );
  return out;
}
