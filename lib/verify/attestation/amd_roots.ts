/**
 * The built-in AMD roots (trusted by default) and intermediates (used when a
 * report's VCEK or VLEK comes alone), parsed on first use.
 *
 * @module
 */

import { parseCertificate } from "../../x509/certificate.ts";
import { derBlocks } from "../../x509/pem.ts";
import * as certs from "./amd_certs.ts";
import type { SourcedCertificate } from "./chain.ts";

/** The products AMD's built-in chains cover. */
export const AMD_PRODUCTS: readonly string[] = ["Milan", "Genoa", "Turin"];

function load(pem: string, source: string): SourcedCertificate {
  const der = derBlocks(new TextEncoder().encode(pem), "CERTIFICATE")[0];
  return { ...parseCertificate(der, source), source };
}

let roots: SourcedCertificate[] | undefined;
let intermediates: SourcedCertificate[] | undefined;

/**
 * AMD's ARKs (Milan, Genoa, Turin): the default trusted roots.
 *
 * @example
 * ```ts
 * import { amdRoots } from "./amd_roots.ts";
 * amdRoots().map((c) => c.subject.commonName); // ["ARK-Milan", "ARK-Genoa", "ARK-Turin"]
 * ```
 */
export function amdRoots(): readonly SourcedCertificate[] {
  roots ??= [
    load(certs.ARK_MILAN, "built-in AMD ARK-Milan"),
    load(certs.ARK_GENOA, "built-in AMD ARK-Genoa"),
    load(certs.ARK_TURIN, "built-in AMD ARK-Turin"),
  ];
  return roots;
}

/**
 * AMD's ASKs (which sign VCEKs) and ASVKs (which sign VLEKs) for Milan,
 * Genoa and Turin.
 *
 * @example
 * ```ts
 * import { amdIntermediates } from "./amd_roots.ts";
 * amdIntermediates().length; // 6
 * ```
 */
export function amdIntermediates(): readonly SourcedCertificate[] {
  intermediates ??= [
    load(certs.ASK_MILAN, "built-in AMD SEV-Milan"),
    load(certs.ASVK_MILAN, "built-in AMD SEV-VLEK-Milan"),
    load(certs.ASK_GENOA, "built-in AMD SEV-Genoa"),
    load(certs.ASVK_GENOA, "built-in AMD SEV-VLEK-Genoa"),
    load(certs.ASK_TURIN, "built-in AMD SEV-Turin"),
    load(certs.ASVK_TURIN, "built-in AMD SEV-VLEK-Turin"),
  ];
  return intermediates;
}
