/**
 * Turns the attestation options of the command line into the library's
 * `AttestationOptions`: option values checked (usage errors, exit 2), files
 * read with errors that name them, `--certs DIR` in snpguest's layout, the
 * extended report's certificate table, and `--fetch` with its cache.
 *
 * @module
 */

import { stringOption } from "./options.ts";
import { type ParsedArgs, UsageError } from "./args.ts";
import { readFileAtMost, withFile } from "./io.ts";
import type { IgvmToolError } from "../errors.ts";
import { DirectoryKdsCache } from "./kds_cache.ts";
import type { AttestationReport } from "../snp/report.ts";
import { CertificateError } from "../x509/certificate_error.ts";
import { parseCrl } from "../x509/crl.ts";
import { derBlocks } from "../x509/pem.ts";
import {
  type AttestationOptions,
  onlyCertificate,
  toCertificates,
} from "../verify/attestation/verify_attestation.ts";
import type { SourcedCertificate } from "../verify/attestation/chain.ts";
import type { SourcedCrl } from "../verify/attestation/revocation.ts";
import { parseCertTable } from "../verify/attestation/cert_table.ts";
import { fetchFromKds } from "../verify/attestation/kds.ts";
import { AttestationError } from "../verify/attestation/attestation_error.ts";
import { parseMinimumTcb, type PolicyOptions } from "../verify/attestation/policy_checks.ts";

/** Largest certificate, CRL or certificate table file read, in bytes. */
const MAX_FILE = 1 << 20;

function strs(args: ParsedArgs, name: string): string[] {
  const v = args.commandOptions[name];
  return Array.isArray(v) ? v : typeof v === "string" ? [v] : [];
}

function hexOption(args: ParsedArgs, name: string, max: number): Uint8Array | undefined {
  const v = stringOption(args.commandOptions, name);
  if (v === undefined) return undefined;
  const h = v.replace(/^0x/i, "");
  if (!/^([0-9a-f]{2})*$/i.test(h) || h.length === 0 || h.length > 2 * max) {
    throw new UsageError(
      `invalid value '${v}' for '--${name} <HEX>': expected 1 to ${max} bytes of hex`,
    );
  }
  return Uint8Array.fromHex(h);
}

const TIME =
  /^\d{4}-\d{2}-\d{2}(T([01]\d|2[0-3]):[0-5]\d(:[0-5]\d(\.\d{1,3})?)?(Z|[+-]([01]\d|2[0-3]):[0-5]\d))?$/;

/** Whether `text`'s calendar date exists (JavaScript turns 2026-02-30 into March 2nd). */
function realDate(text: string): boolean {
  const day = text.slice(0, 10);
  const d = new Date(`${day}T00:00:00Z`);
  return !Number.isNaN(d.getTime()) && d.toISOString().startsWith(day);
}

/**
 * The policy options and `--at`, `--product`, `--kds-url`, checked: a bad
 * value is a {@link UsageError}.
 */
function policyFromArgs(
  args: ParsedArgs,
): PolicyOptions & { at: Date; product?: string; kdsBaseUrl?: string } {
  const atText = stringOption(args.commandOptions, "at");
  let at = new Date();
  if (atText !== undefined) {
    at = new Date(atText);
    if (!TIME.test(atText) || !realDate(atText) || Number.isNaN(at.getTime())) {
      throw new UsageError(
        `invalid value '${atText}' for '--at <TIME>': expected a time such as 2026-01-01T00:00:00Z`,
      );
    }
  }
  const vmplText = stringOption(args.commandOptions, "vmpl");
  if (vmplText !== undefined && !/^[0-3]$/.test(vmplText)) {
    throw new UsageError(`invalid value '${vmplText}' for '--vmpl <N>': expected 0, 1, 2 or 3`);
  }
  const minText = stringOption(args.commandOptions, "min-tcb");
  let minTcb;
  try {
    minTcb = minText === undefined ? undefined : parseMinimumTcb(minText);
  } catch (e) {
    if (e instanceof AttestationError) {
      throw new UsageError(`invalid value for '--min-tcb <TCB>': ${e.message}`);
    }
    throw e;
  }
  const kds = stringOption(args.commandOptions, "kds-url");
  if (kds !== undefined && !/^https?:\/\/[^\s/?#]+(\/[^\s?#]*)?$/.test(kds)) {
    throw new UsageError(`invalid value '${kds}' for '--kds-url <URL>': expected an http(s) URL`);
  }
  if (
    (kds !== undefined || stringOption(args.commandOptions, "cache") !== undefined) &&
    args.commandOptions.fetch !== true
  ) {
    throw new UsageError(`'--${kds !== undefined ? "kds-url" : "cache"}' is used with '--fetch'`);
  }
  return {
    at,
    allowDebug: args.commandOptions["allow-debug"] === true,
    minTcb,
    vmpl: vmplText === undefined ? undefined : Number(vmplText),
    reportData: hexOption(args, "report-data", 64),
    hostData: hexOption(args, "host-data", 32),
    product: stringOption(args.commandOptions, "product"),
    kdsBaseUrl: kds,
  };
}

/** `e` with `file` set to `path`, to throw. */
function about<E extends IgvmToolError>(path: string, e: E): E {
  e.file = path;
  return e;
}

function readSmall(path: string, what: string): Uint8Array {
  return readFileAtMost(
    path,
    `read ${what}`,
    MAX_FILE,
    () => new AttestationError(`${what} file is more than the ${MAX_FILE} bytes accepted`),
  );
}

function certificatesIn(bytes: Uint8Array, path: string, role: string): SourcedCertificate[] {
  return withFile(
    path,
    `read ${role}`,
    () => toCertificates(bytes, role).map((c) => ({ ...c, source: path })),
  );
}

function crlIn(bytes: Uint8Array, path: string): SourcedCrl {
  return withFile(path, "read CRL", () => {
    try {
      const ders = derBlocks(bytes, "X509 CRL");
      if (ders.length !== 1) throw new CertificateError(`holds ${ders.length} CRLs, expected 1`);
      return { ...parseCrl(ders[0], "CRL"), source: path };
    } catch (e) {
      if (e instanceof CertificateError) {
        throw new CertificateError(`not a valid CRL: ${e.message}`);
      }
      throw e;
    }
  });
}

function oneLeaf(path: string, role: string): SourcedCertificate {
  const certs = certificatesIn(readSmall(path, `${role} certificate`), path, role);
  return withFile(path, `read ${role}`, () => onlyCertificate(certs, role));
}

/** What was gathered for the library, before `--fetch`. */
interface Gathered {
  vcek?: SourcedCertificate;
  vlek?: SourcedCertificate;
  chain: SourcedCertificate[];
  crl: SourcedCrl[];
}

/** The files of `--certs DIR`: `<name>.pem` or `<name>.der`, as snpguest writes them. */
const CERT_DIR_NAMES = ["ark", "ask", "asvk", "vcek", "vlek", "crl"] as const;

function readCertDir(dir: string, into: Gathered): void {
  let found = 0;
  for (const name of CERT_DIR_NAMES) {
    const present = ["pem", "der"].map((ext) => `${dir.replace(/\/+$/, "")}/${name}.${ext}`).filter(
      (p) => {
        try {
          return Deno.statSync(p).isFile;
        } catch {
          return false;
        }
      },
    );
    if (present.length === 2) {
      throw about(dir, new AttestationError(`both ${name}.pem and ${name}.der exist; keep one`));
    }
    if (present.length === 0) continue;
    found++;
    const path = present[0];
    const bytes = readSmall(path, name === "crl" ? "CRL" : `${name.toUpperCase()} certificate`);
    if (name === "crl") into.crl.push(crlIn(bytes, path));
    else if (name === "vcek" || name === "vlek") {
      const role = name.toUpperCase();
      const certs = certificatesIn(bytes, path, role);
      into[name] ??= withFile(path, `read ${role}`, () => onlyCertificate(certs, role));
    } else into.chain.push(...certificatesIn(bytes, path, name.toUpperCase()));
  }
  if (found === 0) {
    withFile(dir, "read certificate folder", () => Deno.readDirSync(dir));
    throw about(
      dir,
      new AttestationError(`has none of ${CERT_DIR_NAMES.join(", ")} (.pem or .der)`),
    );
  }
}

function readCertTable(path: string, into: Gathered): void {
  const bytes = readSmall(path, "certificate table");
  const entries = withFile(path, "read certificate table", () => parseCertTable(bytes));
  for (const e of entries) {
    const where = `${path} (${e.kind.toUpperCase()} entry)`;
    if (e.kind === "crl") into.crl.push(crlIn(e.data, where));
    else if (e.kind === "vcek" || e.kind === "vlek") {
      const certs = certificatesIn(e.data, where, e.kind.toUpperCase());
      into[e.kind] ??= certs[0];
      into.chain.push(...certs.slice(1));
    } else if (e.kind !== "other") {
      into.chain.push(...certificatesIn(e.data, where, e.kind.toUpperCase()));
    }
  }
}

/**
 * Gathers the certificates and CRLs the options name (and, with `--fetch`,
 * downloads what is missing) into the library's options.
 *
 * @example
 * ```ts
 * import { gatherAttestation } from "./attestation_inputs.ts";
 * // const options = await gatherAttestation(args, report);
 * ```
 */
export async function gatherAttestation(
  args: ParsedArgs,
  report: AttestationReport,
): Promise<AttestationOptions> {
  const policy = policyFromArgs(args);
  const got: Gathered = { chain: [], crl: [] };
  const vcek = stringOption(args.commandOptions, "vcek");
  const vlek = stringOption(args.commandOptions, "vlek");
  if (vcek !== undefined) got.vcek = oneLeaf(vcek, "VCEK");
  if (vlek !== undefined) got.vlek = oneLeaf(vlek, "VLEK");
  const dir = stringOption(args.commandOptions, "certs");
  if (dir !== undefined) readCertDir(dir, got);
  const chain = stringOption(args.commandOptions, "chain");
  if (chain !== undefined) {
    got.chain.push(...certificatesIn(readSmall(chain, "certificate chain"), chain, "chain"));
  }
  const table = stringOption(args.commandOptions, "cert-table");
  if (table !== undefined) readCertTable(table, got);
  for (const p of strs(args, "crl")) got.crl.push(crlIn(readSmall(p, "CRL"), p));
  const rootFiles = strs(args, "root");
  const roots = rootFiles.length
    ? rootFiles.flatMap((p) => certificatesIn(readSmall(p, "root certificate"), p, "root"))
    : undefined;
  if (args.commandOptions.fetch === true) await fetchMissing(args, report, got, policy);
  return {
    ...policy,
    vcek: got.vcek,
    vlek: got.vlek,
    chain: got.chain,
    crl: got.crl,
    roots,
  };
}

async function fetchMissing(
  args: ParsedArgs,
  report: AttestationReport,
  got: Gathered,
  policy: { at: Date; product?: string; kdsBaseUrl?: string },
): Promise<void> {
  const cacheDir = stringOption(args.commandOptions, "cache");
  const signer = report.keyInfo.signingKeyName;
  if (signer !== "VCEK" && signer !== "VLEK") return; // an unsigned report: nothing to fetch for it
  const isVcek = signer === "VCEK";
  const want = {
    vcek: isVcek && got.vcek === undefined,
    chain: got.chain.length === 0,
    crl: got.crl.length === 0,
  };
  const fetched = await fetchFromKds(report, want, {
    baseUrl: policy.kdsBaseUrl,
    product: policy.product,
    at: policy.at,
    cache: cacheDir === undefined ? undefined : new DirectoryKdsCache(cacheDir),
  });
  if (fetched.vcek) {
    const certs = certificatesIn(fetched.vcek.bytes, fetched.vcek.source, "VCEK");
    got.vcek = certs[0];
  }
  if (fetched.chain) {
    got.chain.push(...certificatesIn(fetched.chain.bytes, fetched.chain.source, "chain"));
  }
  if (fetched.crl) got.crl.push(crlIn(fetched.crl.bytes, fetched.crl.source));
}
