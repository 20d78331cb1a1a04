/**
 * `igvmmeasure <file> sign`: measures the file, builds the SEV-SNP ID block,
 * signs it and writes a copy of the file with an `IGVM_VHT_SNP_ID_BLOCK`
 * directive; byte-identical to the original for the original's options.
 *
 * Three ways to sign:
 * - with private keys: `--output OUT --id-key KEY [--author-key KEY]`;
 * - keys in an HSM or KMS, step 1: `--write-id-block FILE` writes the 96-byte
 *   ID block to sign, and with `--id-public-key PEM` `--write-id-key FILE`
 *   writes the 0x404-byte ID key structure the author key signs;
 * - step 2: `--output OUT --id-public-key PEM --id-signature DER
 *   [--author-public-key PEM --author-signature DER]` assembles the file from
 *   DER ECDSA signatures (as `openssl dgst -sha384 -sign` writes them),
 *   checking every signature first.
 *
 * @module
 */

import type { ParsedArgs } from "./args.ts";
import { type CommandContext, FileAccessError, withFile } from "./io.ts";
import { measureInput } from "./measure_command.ts";
import { SIGN_SNP_ONLY } from "./error_line.ts";
import type { Measurement } from "../measure/measure.ts";
import { globalOptions, stringOption as opt } from "./options.ts";
import { baseJson, jsonText } from "./json.ts";
import { policyJson } from "../verify/policy_view.ts";
import type { IdBlock } from "../snp/id_block.ts";
import { MeasurementError } from "../errors.ts";
import { UsageError } from "./args.ts";
import { parsePrivateKeyPem, parsePublicKeyPem } from "../snp/keys.ts";
import { keyDigest, type P384PublicKey, snpPublicKey } from "../snp/public_key.ts";
import {
  type EcdsaSignature,
  parseDerSignature,
  signP384,
  verifySignature,
} from "../snp/signature.ts";
import {
  idBlockDirective,
  type IdBlockFields,
  idBlockFor,
  withIdBlock,
} from "../snp/igvm_id_block.ts";
import { serializedChunks } from "../igvm/serializer.ts";
import { writeAllSync, writeFileAtomic } from "./safe_write.ts";
import type { IgvmFile } from "../igvm/types.ts";

function readKeyFile(path: string): Uint8Array {
  return withFile(path, "read key file", () => Deno.readFileSync(path));
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

/** Parses the ID block field options. */
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

function readDerSignature(path: string): EcdsaSignature {
  const der = withFile(path, "read signature file", () => Deno.readFileSync(path));
  return withFile(path, "read signature file", () => parseDerSignature(der));
}

function readPublicKey(path: string): P384PublicKey {
  const pem = withFile(path, "read public key file", () => Deno.readFileSync(path));
  return withFile(path, "read public key file", () => parsePublicKeyPem(pem));
}

/** Writes `file` (serialized as the reference serializer does) to `path`, safely. */
export async function writeIgvm(path: string, file: IgvmFile): Promise<void> {
  await writeFileAtomic(path, (f) => {
    for (const chunk of serializedChunks(file)) writeAllSync(f, chunk);
  });
}

/** The JSON object of `sign` (docs/json.md). */
function signJson(
  args: ParsedArgs,
  m: Measurement,
  block: IdBlock,
  output: string | null,
  written: string[],
  idKey: P384PublicKey | undefined,
  authorKey: P384PublicKey | undefined,
): Record<string, unknown> {
  return {
    ...baseJson(args, m),
    compatibilityMask: m.compatibilityMask,
    digest: m.digest.toHex(),
    output,
    written,
    idBlock: {
      ld: block.ld.toHex(),
      familyId: block.familyId.toHex(),
      imageId: block.imageId.toHex(),
      version: block.version,
      guestSvn: block.guestSvn,
      policy: policyJson(block.policy),
      authorKeyEnabled: authorKey !== undefined,
      idKeyDigest: idKey ? keyDigest(snpPublicKey(idKey)).toHex() : null,
      authorKeyDigest: authorKey
        ? keyDigest(snpPublicKey(authorKey)).toHex()
        : new Uint8Array(48).toHex(),
    },
  };
}

/** Runs `sign`. */
export async function signCommand(args: ParsedArgs, ctx: CommandContext): Promise<number> {
  const o = args.commandOptions;
  const output = opt(o, "output");
  const idKeyPath = opt(o, "id-key");
  const authorKeyPath = opt(o, "author-key");
  const idPubPath = opt(o, "id-public-key");
  const idSigPath = opt(o, "id-signature");
  const authorPubPath = opt(o, "author-public-key");
  const authorSigPath = opt(o, "author-signature");
  const writeIdBlock = opt(o, "write-id-block");
  const writeIdKey = opt(o, "write-id-key");
  const external = idSigPath !== undefined;
  const exporting = writeIdBlock !== undefined || writeIdKey !== undefined;
  if (exporting) {
    if (
      output !== undefined || idKeyPath !== undefined || external || authorKeyPath !== undefined
    ) {
      throw new UsageError(
        "'--write-id-block'/'--write-id-key' cannot be used with '--output', keys or signatures",
      );
    }
    if (writeIdKey !== undefined && idPubPath === undefined) {
      throw new UsageError("'--write-id-key' requires '--id-public-key <PEM>'");
    }
  } else {
    if (output === undefined) {
      throw new UsageError(
        "the following required arguments were not provided:\n  --output <OUTPUT>",
      );
    }
    if (idKeyPath === undefined && !external) {
      throw new UsageError(
        "the following required arguments were not provided:\n  --id-key <ID_KEY>",
      );
    }
    if (idKeyPath !== undefined && external) {
      throw new UsageError("'--id-key' cannot be used with '--id-signature'");
    }
    if (external && idPubPath === undefined) {
      throw new UsageError("'--id-signature' requires '--id-public-key <PEM>'");
    }
    if (
      authorKeyPath !== undefined && (authorSigPath !== undefined || authorPubPath !== undefined)
    ) {
      throw new UsageError(
        "'--author-key' cannot be used with '--author-signature'/'--author-public-key'",
      );
    }
    if ((authorSigPath === undefined) !== (authorPubPath === undefined)) {
      throw new UsageError("'--author-signature' and '--author-public-key' go together");
    }
    if (authorSigPath !== undefined && !external) {
      throw new UsageError("'--author-signature' requires '--id-signature'");
    }
  }
  const fields = idBlockFields(o);

  const g = globalOptions(args);
  const log = g.verbose ? (line: string) => ctx.out.push(line + "\n") : undefined;
  const { input, m } = measureInput(args.input, g, log);
  const file = input.file;
  try {
    if (ctx.json) {
      ctx.out.length = 0; // no verbose log in JSON
      ctx.partial = {
        ...baseJson(args, m),
        compatibilityMask: m.compatibilityMask,
        digest: m.digest.toHex(),
      };
    }
    if (m.platform !== "sev-snp") {
      throw new MeasurementError(SIGN_SNP_ONLY, "snp-only");
    }
    const { block, bytes: idBlock } = idBlockFor(file, m.digest, m.compatibilityMask, fields);

    if (exporting) {
      // Read every input before writing anything, so a bad key leaves no output behind.
      const idKey = idPubPath !== undefined ? readPublicKey(idPubPath) : undefined;
      const structure = writeIdKey !== undefined ? snpPublicKey(idKey!) : undefined;
      if (writeIdBlock !== undefined) {
        await writeFileAtomic(writeIdBlock, (f) => writeAllSync(f, idBlock));
      }
      if (writeIdKey !== undefined) {
        await writeFileAtomic(writeIdKey, (f) => writeAllSync(f, structure!));
      }
      const written = [writeIdBlock, writeIdKey].filter((p): p is string => p !== undefined);
      if (ctx.json) {
        ctx.io.stdout(jsonText(signJson(args, m, block, null, written, idKey, undefined)));
        return 0;
      }
      for (const p of written) ctx.out.push(`Wrote ${p}\n`);
      ctx.io.stdout(ctx.out.splice(0).join(""));
      return 0;
    }

    let idKey: P384PublicKey;
    let idSignature: EcdsaSignature;
    let author: { signature: EcdsaSignature; key: P384PublicKey } | undefined;
    if (!external) {
      const key = withFile(
        idKeyPath!,
        "read key file",
        () => parsePrivateKeyPem(readKeyFile(idKeyPath!)),
      );
      idKey = { qx: key.qx, qy: key.qy };
      idSignature = signP384(idBlock, key.d);
      if (authorKeyPath !== undefined) {
        const ak = withFile(
          authorKeyPath,
          "read key file",
          () => parsePrivateKeyPem(readKeyFile(authorKeyPath)),
        );
        author = { signature: signP384(snpPublicKey(idKey), ak.d), key: { qx: ak.qx, qy: ak.qy } };
      }
    } else {
      idKey = readPublicKey(idPubPath!);
      idSignature = readDerSignature(idSigPath!);
      if (!(await verifySignature(idBlock, idSignature, idKey))) {
        throw new FileAccessError(
          idSigPath!,
          "signature does not verify over this file's ID block with the given ID public key",
        );
      }
      if (authorSigPath !== undefined) {
        const key = readPublicKey(authorPubPath!);
        const signature = readDerSignature(authorSigPath);
        if (!(await verifySignature(snpPublicKey(idKey), signature, key))) {
          throw new FileAccessError(
            authorSigPath,
            "signature does not verify over the ID key structure with the given author public key",
          );
        }
        author = { signature, key };
      }
    }
    const directive = idBlockDirective(m.compatibilityMask, block, { idSignature, idKey, author });
    // The original rebuilds the file as format version 1 (`IgvmRevision::V1`) whatever the input's
    // version; SEV-SNP files are x64 with 4 KiB pages, which version 1 implies.
    await writeIgvm(output!, { ...withIdBlock(file, directive), revision: { version: 1 } });
    if (ctx.json) {
      ctx.io.stdout(jsonText(signJson(args, m, block, output!, [output!], idKey, author?.key)));
      return 0;
    }
    ctx.out.push(`Successfully created signed file: ${output}\n`);
    ctx.io.stdout(ctx.out.splice(0).join(""));
    return 0;
  } finally {
    input.close();
  }
}
