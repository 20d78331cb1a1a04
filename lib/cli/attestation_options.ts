/**
 * The options of attestation verification, shared by `report` and
 * `verify --report`. Only declarations: the code that uses them is loaded
 * when a command needs it.
 *
 * @module
 */

import type { ParsedArgs } from "./args.ts";
import type { OptionSpec } from "./grammar.ts";

/** Where the report's certificates and CRLs come from. */
const CERTIFICATE_OPTIONS: readonly OptionSpec[] = [
  {
    long: "vcek",
    value: "FILE",
    help: "The report's VCEK certificate (PEM or DER); AMD's built-in chain supplies the rest",
  },
  {
    long: "vlek",
    value: "FILE",
    help: "The report's VLEK certificate (PEM or DER), for a report signed by a VLEK",
  },
  {
    long: "certs",
    value: "DIR",
    help:
      "A folder in snpguest's layout: ark, ask or asvk, vcek or vlek, and optionally crl, each .pem or .der",
  },
  {
    long: "chain",
    value: "FILE",
    help:
      "Intermediate and/or root certificates (PEM or DER), e.g. AMD KDS's cert_chain (ASK then ARK)",
  },
  {
    long: "cert-table",
    value: "FILE",
    help:
      "The certificate table of an extended report (SNP_GET_EXT_REPORT: GUID, offset, length entries)",
  },
  {
    long: "crl",
    value: "FILE",
    help:
      "A CRL (DER or PEM) to check revocation with, e.g. AMD KDS's /vcek/v1/<product>/crl; repeatable",
    multiple: true,
  },
  {
    long: "root",
    value: "FILE",
    help:
      "Trust this root (ARK) certificate instead of AMD's built-in Milan, Genoa and Turin ARKs; repeatable",
    multiple: true,
  },
  {
    long: "at",
    value: "TIME",
    help:
      "Check certificate and CRL validity at this time (e.g. 2026-01-01T00:00:00Z) [default: now]",
  },
  {
    long: "product",
    value: "PRODUCT",
    help: "The report's product, for version 2 reports, which do not name it",
    possible: ["Milan", "Genoa", "Turin"],
  },
  {
    long: "fetch",
    help: "Download what is missing (VCEK, cert_chain, CRL) from AMD's KDS (needs --allow-net)",
  },
  {
    long: "kds-url",
    value: "URL",
    help: "KDS base URL for --fetch [default: https://kdsintf.amd.com]",
  },
  {
    long: "cache",
    value: "DIR",
    help: "Keep --fetch downloads in this folder and reuse them (needs --allow-write)",
  },
];

/** Policy checks on top of genuineness. */
const POLICY_OPTIONS: readonly OptionSpec[] = [
  { long: "allow-debug", help: "Accept a guest whose policy allows debugging (fails by default)" },
  {
    long: "min-tcb",
    value: "TCB",
    help: "Minimum TCB: a u64 (0xdb18000000000004) or SPLs (bl=4,tee=0,snp=24,ucode=219[,fmc=1])",
  },
  { long: "vmpl", value: "N", help: "The VMPL (0-3) the report must have been requested at" },
  {
    long: "report-data",
    value: "HEX",
    help: "Expected REPORT_DATA: up to 64 bytes of hex, zero-padded",
  },
  {
    long: "host-data",
    value: "HEX",
    help: "Expected HOST_DATA: up to 32 bytes of hex, zero-padded",
  },
];

/** Every attestation option. */
export const ATTESTATION_OPTIONS: readonly OptionSpec[] = [
  ...CERTIFICATE_OPTIONS,
  ...POLICY_OPTIONS,
];

/**
 * True when any attestation option was given (`verify` then verifies the
 * report too).
 *
 * @example
 * ```ts
 * import { attestationRequested } from "./attestation_options.ts";
 * import { parseArgs } from "./args.ts";
 * import { PROGRAM } from "./spec.ts";
 * attestationRequested(parseArgs(PROGRAM, ["r.bin", "report", "--vmpl", "0"])); // true
 * ```
 */
export function attestationRequested(args: ParsedArgs): boolean {
  return ATTESTATION_OPTIONS.some((o) => args.commandOptions[o.long] !== undefined);
}
