/**
 * AMD's Key Distribution Service (AMD "VCEK Certificate and KDS Interface
 * Specification"): where a report's VCEK, its product's chain and CRL live,
 * and a small client with a pluggable `fetch` and cache.
 *
 * | what        | URL (GET)                                                        | body |
 * |-------------|------------------------------------------------------------------|------|
 * | VCEK        | `<base>/vcek/v1/<product>/<hwid>?blSPL=…&teeSPL=…&snpSPL=…&ucodeSPL=…` | DER |
 * | VCEK, Turin | `<base>/vcek/v1/Turin/<8-byte hwid>?fmcSPL=…&blSPL=…&teeSPL=…&snpSPL=…&ucodeSPL=…` | DER |
 * | chain       | `<base>/{vcek,vlek}/v1/<product>/cert_chain` (ASK or ASVK, then ARK) | PEM |
 * | CRL         | `<base>/{vcek,vlek}/v1/<product>/crl`                           | DER |
 *
 * `<hwid>` is CHIP_ID in lower-case hex (Turin and later: its first 8 bytes);
 * the SPLs are REPORTED_TCB's bytes in the product's layout. VLEKs are not
 * public (a cloud provider's credentials are needed), so only their chain and
 * CRL are fetched.
 *
 * @module
 */

import type { AttestationReport } from "../../snp/report.ts";
import { parseCrl } from "../../x509/crl.ts";
import { parseCertificate } from "../../x509/certificate.ts";
import { derBlocks } from "../../x509/pem.ts";
import { KdsError } from "./attestation_error.ts";
import { layoutOfProduct, splFields } from "./tcb_layout.ts";
import { toHex } from "../../encoding.ts";

/** AMD's KDS. */
export const AMD_KDS_URL = "https://kdsintf.amd.com";

/** Largest KDS answer accepted, in bytes. */
const MAX_KDS_RESPONSE = 1 << 20;

/** A store for KDS answers, keyed by a relative path such as `vcek/v1/Milan/crl.der`. */
export interface KdsCache {
  /** The stored bytes, or undefined. */
  get(key: string): Promise<Uint8Array | undefined>;
  /** Stores bytes. */
  put(key: string, bytes: Uint8Array): Promise<void>;
}

/** Where a report's certificates are, or why that cannot be said. */
export interface KdsLocation {
  /** The product in the URL (`Milan`, `Genoa`, `Turin`), if known. */
  readonly product?: string;
  /** The VCEK URL, when the report is signed by a VCEK and its product and CHIP_ID are known. */
  readonly vcekUrl?: string;
  /** The cache key of the VCEK. */
  readonly vcekKey?: string;
  /** Why there is no VCEK URL. */
  readonly problem?: string;
}

/**
 * The product for KDS URLs: `override` if given, else the report's (CPUID
 * for version 3 and later; version 2 reports do not say, unless their CHIP_ID
 * has Turin's 8-byte form).
 */
function kdsProduct(report: AttestationReport, override?: string): string | undefined {
  if (override) return override;
  return report.product === "unknown" ? undefined : report.product;
}

/**
 * Locates the report's VCEK on the KDS at `baseUrl`.
 *
 * @example
 * ```ts
 * import { locateVcek } from "./kds.ts";
 * import { parseReport } from "../../snp/report.ts";
 * const r = parseReport(await Deno.readFile("testdata/vectors/tee-attestation-verification/turin_attestation_report.bin"));
 * locateVcek(r).vcekUrl;
 * // "https://kdsintf.amd.com/vcek/v1/Turin/59790fb1c39f35c1?fmcSPL=1&blSPL=1&teeSPL=1&snpSPL=4&ucodeSPL=81"
 * ```
 */
export function locateVcek(
  report: AttestationReport,
  options: { baseUrl?: string; product?: string } = {},
): KdsLocation {
  const base = (options.baseUrl ?? AMD_KDS_URL).replace(/\/+$/, "");
  const product = kdsProduct(report, options.product);
  if (report.keyInfo.signingKeyName !== "VCEK") {
    return {
      product,
      problem: `the report is signed by its ${report.keyInfo.signingKeyName}, not a VCEK`,
    };
  }
  if (!product) {
    return {
      problem:
        `a version ${report.version} report does not say which product it is from (give --product Milan, Genoa or Turin)`,
    };
  }
  const layout = layoutOfProduct(product);
  if (!layout) return { product, problem: `no KDS URL is known for product ${product}` };
  if (report.keyInfo.maskChipKey) {
    return {
      product,
      problem: "KEY_INFO.MASK_CHIP_KEY is set: the report has no CHIP_ID to look the VCEK up by",
    };
  }
  const hwid = toHex(report.chipId.subarray(0, layout === "turin" ? 8 : 64));
  const tcb = report.reportedTcb.raw;
  const fields = splFields(layout).filter((f) => f.kds);
  const query = fields.map((f) => `${f.kds}=${tcb[f.byte]}`).join("&");
  return {
    product,
    vcekUrl: `${base}/vcek/v1/${product}/${hwid}?${query}`,
    vcekKey: `vcek/v1/${product}/${hwid}/${
      fields.map((f) => `${f.kds}-${tcb[f.byte]}`).join("_")
    }.der`,
  };
}

/** Options of {@link fetchFromKds}. */
export interface KdsFetchOptions {
  /** The KDS base URL (default {@link AMD_KDS_URL}). */
  readonly baseUrl?: string;
  /** The product, for version 2 reports. */
  readonly product?: string;
  /** `fetch` to use (default `globalThis.fetch`). */
  readonly fetch?: typeof globalThis.fetch;
  /** Where answers are kept between runs; a CRL is fetched again once past its nextUpdate. */
  readonly cache?: KdsCache;
  /** Time the CRL must be current at (default now). */
  readonly at?: Date;
}

/** What {@link fetchFromKds} got: each item's bytes and the URL or cache key it came from. */
export interface KdsDownload {
  /** The VCEK (DER), when asked for. */
  readonly vcek?: { readonly bytes: Uint8Array; readonly source: string };
  /** The cert_chain PEM (intermediate then ARK), when asked for. */
  readonly chain?: { readonly bytes: Uint8Array; readonly source: string };
  /** The CRL (DER), when asked for. */
  readonly crl?: { readonly bytes: Uint8Array; readonly source: string };
}

async function readLimited(res: Response, url: string): Promise<Uint8Array> {
  const declared = Number(res.headers.get("content-length") ?? "0");
  if (declared > MAX_KDS_RESPONSE) {
    await res.body?.cancel();
    throw new KdsError(`${url}: answer of ${declared} bytes is larger than ${MAX_KDS_RESPONSE}`);
  }
  const chunks: Uint8Array[] = [];
  let size = 0;
  try {
    for await (const chunk of res.body ?? []) {
      size += chunk.length;
      if (size > MAX_KDS_RESPONSE) {
        throw new KdsError(`${url}: answer is larger than ${MAX_KDS_RESPONSE} bytes`);
      }
      chunks.push(chunk);
    }
  } catch (e) {
    if (e instanceof KdsError) throw e;
    const why = e instanceof Error ? e.message.split("\n")[0] : String(e);
    throw new KdsError(`cannot fetch ${url}: the answer broke off: ${why}`);
  }
  const out = new Uint8Array(size);
  let off = 0;
  for (const c of chunks) {
    out.set(c, off);
    off += c.length;
  }
  return out;
}

async function download(url: string, doFetch: typeof globalThis.fetch): Promise<Uint8Array> {
  let res: Response;
  try {
    res = await doFetch(url, { redirect: "follow" });
  } catch (e) {
    const why = e instanceof Error ? e.message.split("\n")[0] : String(e);
    throw new KdsError(`cannot fetch ${url}: ${why}`);
  }
  if (!res.ok) {
    await res.body?.cancel();
    const hint = res.status === 429
      ? " (AMD's KDS limits requests: use --cache and retry later)"
      : "";
    throw new KdsError(`cannot fetch ${url}: HTTP ${res.status} ${res.statusText}${hint}`.trim());
  }
  const bytes = await readLimited(res, url);
  if (bytes.length === 0) throw new KdsError(`${url}: empty answer`);
  return bytes;
}

/** Why `bytes` is not what a KDS item must be (undefined when it is): certificates, or a CRL. */
type Check = (bytes: Uint8Array) => string | undefined;

function certificates(bytes: Uint8Array): string | undefined {
  try {
    for (const der of derBlocks(bytes, "CERTIFICATE")) parseCertificate(der, "KDS answer");
    return undefined;
  } catch (e) {
    return e instanceof Error ? e.message.split("\n")[0] : String(e);
  }
}

function crl(bytes: Uint8Array): string | undefined {
  try {
    parseCrl(bytes);
    return undefined;
  } catch (e) {
    return e instanceof Error ? e.message.split("\n")[0] : String(e);
  }
}

/** A cached CRL is used until its nextUpdate; then it is fetched again. */
function crlIsCurrent(at: Date): (bytes: Uint8Array) => boolean {
  return (bytes) => {
    const next = parseCrl(bytes).nextUpdate;
    return !next || next >= at;
  };
}

/**
 * The item at `url`: from the cache when it holds a good, `fresh` copy under
 * `key`, else downloaded, checked, and only then cached (a bad answer is
 * never kept; a stale CRL is, and the revocation check says it is stale).
 */
async function cached(
  key: string,
  url: string,
  options: KdsFetchOptions,
  check: Check,
  fresh: (bytes: Uint8Array) => boolean = () => true,
): Promise<{ bytes: Uint8Array; source: string }> {
  const hit = await options.cache?.get(key);
  if (hit && check(hit) === undefined && fresh(hit)) return { bytes: hit, source: url };
  const bytes = await download(url, options.fetch ?? globalThis.fetch);
  const bad = check(bytes);
  if (bad !== undefined) throw new KdsError(`${url}: not a usable answer: ${bad}`);
  await options.cache?.put(key, bytes);
  return { bytes, source: url };
}

/**
 * Downloads what `want` asks for: the report's VCEK, its product's
 * `cert_chain` and CRL (for a VLEK-signed report, the VLEK chain and CRL).
 * Throws {@link KdsError} when something cannot be downloaded, or when the
 * VCEK cannot be located (the reason says why).
 *
 * @example
 * ```ts
 * import { fetchFromKds } from "./kds.ts";
 * // const got = await fetchFromKds(report, { vcek: true, chain: true, crl: true }, { cache });
 * // got.vcek?.bytes
 * ```
 */
export async function fetchFromKds(
  report: AttestationReport,
  want: { readonly vcek?: boolean; readonly chain?: boolean; readonly crl?: boolean },
  options: KdsFetchOptions = {},
): Promise<KdsDownload> {
  const base = (options.baseUrl ?? AMD_KDS_URL).replace(/\/+$/, "");
  const loc = locateVcek(report, options);
  const out: {
    vcek?: KdsDownload["vcek"];
    chain?: KdsDownload["chain"];
    crl?: KdsDownload["crl"];
  } = {};
  if (want.vcek) {
    if (!loc.vcekUrl || !loc.vcekKey) {
      throw new KdsError(`cannot locate the VCEK on the KDS: ${loc.problem}`);
    }
    out.vcek = await cached(loc.vcekKey, loc.vcekUrl, options, certificates);
  }
  const product = loc.product;
  if ((want.chain || want.crl) && !product) {
    throw new KdsError(`cannot fetch the certificate chain: ${loc.problem}`);
  }
  const kind = report.keyInfo.signingKeyName === "VLEK" ? "vlek" : "vcek";
  const dir = `${kind}/v1/${product}`;
  if (want.chain) {
    out.chain = await cached(
      `${dir}/cert_chain.pem`,
      `${base}/${dir}/cert_chain`,
      options,
      certificates,
    );
  }
  if (want.crl) {
    const at = options.at ?? new Date();
    out.crl = await cached(`${dir}/crl.der`, `${base}/${dir}/crl`, options, crl, crlIsCurrent(at));
  }
  return out;
}

/**
 * One line saying that no VCEK was given and, where the report names its
 * chip and TCB, the KDS URL that serves it (what `verify --report` prints
 * when it cannot check the report's signature).
 *
 * @example
 * ```ts
 * import { missingVcekNote } from "./kds.ts";
 * import { parseReport } from "../../snp/report.ts";
 * const r = parseReport(await Deno.readFile("testdata/vectors/tee-attestation-verification/turin_attestation_report.bin"));
 * missingVcekNote(r); // "no VCEK given (…); AMD's KDS serves it at https://kdsintf.amd.com/vcek/v1/Turin/…"
 * ```
 */
export function missingVcekNote(report: AttestationReport): string {
  const url = locateVcek(report).vcekUrl;
  return "no VCEK given (--vcek, --certs, --cert-table or --fetch)" +
    (url ? `; AMD's KDS serves it at ${url}` : "");
}
