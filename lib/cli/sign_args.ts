/**
 * The options of `igvmmeasure <file> sign`: the paths of keys, signatures and
 * outputs, the usage checks that choose one of the three signing flows (in
 * the order the tests and users see their errors), and the ID block fields.
 *
 * @module
 */

import { type ParsedArgs, UsageError } from "./args.ts";
import { stringOption as opt } from "./options.ts";
import type { IdBlockFields } from "../snp/igvm_id_block.ts";

/** The paths `sign`'s options name; undefined when the option is absent. */
export interface SignPaths {
  /** `--output`: the signed IGVM file. */
  readonly output?: string;
  /** `--id-key`: the ID private key (PEM). */
  readonly idKey?: string;
  /** `--author-key`: the author private key (PEM). */
  readonly authorKey?: string;
  /** `--id-public-key`: the ID public key (PEM). */
  readonly idPublicKey?: string;
  /** `--id-signature`: the ID key's DER signature over the ID block. */
  readonly idSignature?: string;
  /** `--author-public-key`: the author public key (PEM). */
  readonly authorPublicKey?: string;
  /** `--author-signature`: the author key's DER signature over the ID key structure. */
  readonly authorSignature?: string;
  /** `--write-id-block`: where to write the 96-byte ID block. */
  readonly writeIdBlock?: string;
  /** `--write-id-key`: where to write the 0x404-byte ID key structure. */
  readonly writeIdKey?: string;
}

/**
 * How `sign` signs: with private keys, by assembling external signatures, or
 * by exporting the ID block (and ID key structure) for an HSM to sign.
 */
export type SignFlow = "keys" | "external" | "export";

/**
 * The paths named by `sign`'s options.
 *
 * @example
 * ```ts
 * import { signPaths } from "./sign_args.ts";
 * signPaths({ output: "out.igvm", "id-key": "id.pem" }).idKey; // "id.pem"
 * ```
 */
export function signPaths(o: ParsedArgs["commandOptions"]): SignPaths {
  return {
    output: opt(o, "output"),
    idKey: opt(o, "id-key"),
    authorKey: opt(o, "author-key"),
    idPublicKey: opt(o, "id-public-key"),
    idSignature: opt(o, "id-signature"),
    authorPublicKey: opt(o, "author-public-key"),
    authorSignature: opt(o, "author-signature"),
    writeIdBlock: opt(o, "write-id-block"),
    writeIdKey: opt(o, "write-id-key"),
  };
}

/** The usage checks of the export flow (`--write-id-block`/`--write-id-key`). */
function checkExportArgs(p: SignPaths): void {
  if (
    p.output !== undefined || p.idKey !== undefined || p.idSignature !== undefined ||
    p.authorKey !== undefined
  ) {
    throw new UsageError(
      "'--write-id-block'/'--write-id-key' cannot be used with '--output', keys or signatures",
    );
  }
  if (p.writeIdKey !== undefined && p.idPublicKey === undefined) {
    throw new UsageError("'--write-id-key' requires '--id-public-key <PEM>'");
  }
}

/** The usage checks of the two signing flows (private keys, external signatures), in order. */
function checkSigningArgs(p: SignPaths): void {
  const external = p.idSignature !== undefined;
  if (p.output === undefined) {
    throw new UsageError(
      "the following required arguments were not provided:\n  --output <OUTPUT>",
    );
  }
  if (p.idKey === undefined && !external) {
    throw new UsageError(
      "the following required arguments were not provided:\n  --id-key <ID_KEY>",
    );
  }
  if (p.idKey !== undefined && external) {
    throw new UsageError("'--id-key' cannot be used with '--id-signature'");
  }
  if (external && p.idPublicKey === undefined) {
    throw new UsageError("'--id-signature' requires '--id-public-key <PEM>'");
  }
  if (
    p.authorKey !== undefined &&
    (p.authorSignature !== undefined || p.authorPublicKey !== undefined)
  ) {
    throw new UsageError(
      "'--author-key' cannot be used with '--author-signature'/'--author-public-key'",
    );
  }
  if ((p.authorSignature === undefined) !== (p.authorPublicKey === undefined)) {
    throw new UsageError("'--author-signature' and '--author-public-key' go together");
  }
  if (p.authorSignature !== undefined && !external) {
    throw new UsageError("'--author-signature' requires '--id-signature'");
  }
}

/**
 * Checks the combination of `p` (throwing the first {@link UsageError}) and
 * says which flow it asks for: any `--write-id-*` option exports, an
 * `--id-signature` assembles external signatures, otherwise keys sign.
 *
 * @example
 * ```ts
 * import { signFlow } from "./sign_args.ts";
 * signFlow({ writeIdBlock: "id_block.bin" }); // "export"
 * signFlow({ output: "out.igvm", idKey: "id.pem" }); // "keys"
 * ```
 */
export function signFlow(p: SignPaths): SignFlow {
  if (p.writeIdBlock !== undefined || p.writeIdKey !== undefined) {
    checkExportArgs(p);
    return "export";
  }
  checkSigningArgs(p);
  return p.idSignature !== undefined ? "external" : "keys";
}

function hex16(value: string, flag: string): Uint8Array {
  const clean = value.replace(/^0x/i, "");
  if (!/^[0-9a-fA-F]{1,32}$/.test(clean) || clean.length % 2 !== 0) {
    throw new UsageError(
      `invalid value '${value}' for '--${flag} <HEX>': expected up to 16 bytes of hex`,
    );
  }
  const out = new Uint8Array(16);
  out.set(Uint8Array.fromHex(clean));
  return out;
}

/**
 * Parses the ID block field options (`--family-id`, `--image-id`, `--guest-svn`).
 *
 * @example
 * ```ts
 * import { idBlockFields } from "./sign_args.ts";
 * idBlockFields({ "guest-svn": "0x10" }).guestSvn; // 16
 * ```
 */
export function idBlockFields(o: ParsedArgs["commandOptions"]): IdBlockFields {
  const fields: { familyId?: Uint8Array; imageId?: Uint8Array; guestSvn?: number } = {};
  if (typeof o["family-id"] === "string") fields.familyId = hex16(o["family-id"], "family-id");
  if (typeof o["image-id"] === "string") fields.imageId = hex16(o["image-id"], "image-id");
  if (typeof o["guest-svn"] === "string") {
    const v = o["guest-svn"];
    const n = /^(0x[0-9a-f]+|[0-9]+)$/i.test(v) ? Number(v) : NaN;
    if (!Number.isInteger(n) || n < 0 || n > 0xffffffff) {
      throw new UsageError(
        `invalid value '${v}' for '--guest-svn <N>': expected an integer 0..4294967295`,
      );
    }
    fields.guestSvn = n;
  }
  return fields;
}
