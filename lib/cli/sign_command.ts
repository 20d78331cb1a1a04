/**
 * `igvmmeasure <file> sign`: measures the file, builds the SEV-SNP ID block,
 * signs it and writes a copy of the file with an `IGVM_VHT_SNP_ID_BLOCK`
 * directive; byte-identical to the original for the original's options.
 *
 * Three ways to sign (options and their checks in `sign_args.ts`):
 * - with private keys: `--output OUT --id-key KEY [--author-key KEY]`;
 * - keys in an HSM or KMS, step 1: `--write-id-block FILE` writes the 96-byte
 *   ID block to sign, and with `--id-public-key PEM` `--write-id-key FILE`
 *   writes the 0x404-byte ID key structure the author key signs;
 * - step 2: `--output OUT --id-public-key PEM --id-signature DER
 *   [--author-public-key PEM --author-signature DER]` assembles the file from
 *   DER ECDSA signatures (as `openssl dgst -sha384 -sign` writes them),
 *   checking every signature first.
 *
 * Every input is read and checked before anything is written, so a bad key or
 * signature leaves no output file behind.
 *
 * @module
 */

import type { ParsedArgs } from "./args.ts";
import { type CommandContext, readFileAtMost, withFile } from "./io.ts";
import { measureInput } from "./measure_command.ts";
import { SIGN_SNP_ONLY } from "../inspect/error_line.ts";
import type { Measurement } from "../measure/measure.ts";
import { globalOptions } from "./options.ts";
import { baseJson, jsonText } from "./json.ts";
import { policyJson } from "../verify/policy_view.ts";
import type { IdBlock } from "../snp/id_block.ts";
import { KeyError, MeasurementError } from "../errors.ts";
import { MAX_KEY_FILE_SIZE, parsePrivateKeyPem, parsePublicKeyPem } from "../snp/keys.ts";
import { authorKeyDigest, keyDigest, type P384PublicKey, snpPublicKey } from "../snp/public_key.ts";
import {
  type EcdsaSignature,
  parseDerSignature,
  SignatureError,
  signP384,
  verifySignature,
} from "../snp/signature.ts";
import {
  idBlockDirective,
  type IdBlockFields,
  idBlockFor,
  type IdBlockSignatures,
  withIdBlock,
} from "../snp/igvm_id_block.ts";
import { serializedChunks } from "../igvm/serializer.ts";
import { writeAllSync, writeFileAtomic } from "./safe_write.ts";
import type { IgvmFile } from "../igvm/types.ts";
import { idBlockFields, signFlow, type SignPaths, signPaths } from "./sign_args.ts";

/** What every flow works from: the command, the measurement and the ID block to sign. */
interface Signing {
  readonly args: ParsedArgs;
  readonly ctx: CommandContext;
  readonly m: Measurement;
  /** The ID block as fields. */
  readonly block: IdBlock;
  /** The 96 bytes that the ID key signs. */
  readonly idBlock: Uint8Array;
}

/** A key or signature file (`kind`), read to the size the key parser accepts at most. */
function readKeyInput(path: string, kind: string): Uint8Array {
  return readFileAtMost(
    path,
    `read ${kind}`,
    MAX_KEY_FILE_SIZE,
    () =>
      new KeyError(
        `${kind} is more than ${MAX_KEY_FILE_SIZE} bytes, too large for a key or signature`,
      ),
  );
}

function readPrivateKey(path: string): { d: Uint8Array; key: P384PublicKey } {
  const pem = readKeyInput(path, "key file");
  const { d, qx, qy } = withFile(path, "read key file", () => parsePrivateKeyPem(pem));
  return { d, key: { qx, qy } };
}

function readDerSignature(path: string): EcdsaSignature {
  const der = readKeyInput(path, "signature file");
  return withFile(path, "read signature file", () => parseDerSignature(der));
}

function readPublicKey(path: string): P384PublicKey {
  const pem = readKeyInput(path, "public key file");
  return withFile(path, "read public key file", () => parsePublicKeyPem(pem));
}

/** Writes `file` (serialized as the reference serializer does) to `path`, safely. */
async function writeIgvm(path: string, file: IgvmFile): Promise<void> {
  await writeFileAtomic(path, (f) => {
    for (const chunk of serializedChunks(file)) writeAllSync(f, chunk);
  });
}

/** The JSON object of `sign` (docs/json.md). */
function signJson(
  s: Signing,
  output: string | null,
  written: string[],
  idKey: P384PublicKey | undefined,
  authorKey: P384PublicKey | undefined,
): Record<string, unknown> {
  const { args, m, block } = s;
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
      authorKeyDigest: authorKeyDigest(authorKey && snpPublicKey(authorKey)).toHex(),
    },
  };
}

/** Prints the result: the JSON object with `--json`, else the verbose log and `lines`. */
function finish(s: Signing, json: () => Record<string, unknown>, lines: string[]): number {
  const ctx = s.ctx;
  if (ctx.json) {
    ctx.io.stdout(jsonText(json()));
    return 0;
  }
  ctx.out.push(...lines);
  ctx.io.stdout(ctx.out.splice(0).join(""));
  return 0;
}

/**
 * The ID block of the measured file; with `--json`, the head of the answer
 * (also of an error's) is set first. Refuses a platform other than SEV-SNP.
 */
function idBlockToSign(
  args: ParsedArgs,
  ctx: CommandContext,
  file: IgvmFile,
  m: Measurement,
  fields: IdBlockFields,
): Signing {
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
  const { block, bytes } = idBlockFor(file, m.digest, m.compatibilityMask, fields);
  return { args, ctx, m, block, idBlock: bytes };
}

/** The export flow: writes the ID block and/or the ID key structure for an HSM to sign. */
async function exportIdBlock(s: Signing, p: SignPaths): Promise<number> {
  // Read every input before writing anything, so a bad key leaves no output behind.
  const idKey = p.idPublicKey !== undefined ? readPublicKey(p.idPublicKey) : undefined;
  const structure = p.writeIdKey !== undefined ? snpPublicKey(idKey!) : undefined;
  const writeKey = async () => {
    if (p.writeIdKey !== undefined) {
      await writeFileAtomic(p.writeIdKey, (f) => writeAllSync(f, structure!));
    }
  };
  // The ID key structure is written while the ID block is still a temporary file: when it
  // cannot be written, neither output is left behind.
  if (p.writeIdBlock === undefined) await writeKey();
  else {
    await writeFileAtomic(p.writeIdBlock, async (f) => {
      writeAllSync(f, s.idBlock);
      await writeKey();
    });
  }
  const written = [p.writeIdBlock, p.writeIdKey].filter((w): w is string => w !== undefined);
  return finish(
    s,
    () => signJson(s, null, written, idKey, undefined),
    written.map((w) => `Wrote ${w}\n`),
  );
}

/** The key flow: signs the ID block with the ID key, and the ID key with the author key. */
function signWithKeys(s: Signing, p: SignPaths): IdBlockSignatures {
  const id = readPrivateKey(p.idKey!);
  const idSignature = signP384(s.idBlock, id.d);
  if (p.authorKey === undefined) return { idSignature, idKey: id.key };
  const author = readPrivateKey(p.authorKey);
  return {
    idSignature,
    idKey: id.key,
    author: { signature: signP384(snpPublicKey(id.key), author.d), key: author.key },
  };
}

/** A signature file whose signature does not verify (`kind` `signature`, naming the file). */
function notVerified(path: string, message: string): SignatureError {
  const e = new SignatureError(message);
  e.file = path;
  return e;
}

/** The external flow: reads the DER signatures and checks each against its public key. */
async function externalSignatures(s: Signing, p: SignPaths): Promise<IdBlockSignatures> {
  const idKey = readPublicKey(p.idPublicKey!);
  const idSignature = readDerSignature(p.idSignature!);
  if (!(await verifySignature(s.idBlock, idSignature, idKey))) {
    throw notVerified(
      p.idSignature!,
      "signature does not verify over this file's ID block with the given ID public key",
    );
  }
  if (p.authorSignature === undefined) return { idSignature, idKey };
  const key = readPublicKey(p.authorPublicKey!);
  const signature = readDerSignature(p.authorSignature);
  if (!(await verifySignature(snpPublicKey(idKey), signature, key))) {
    throw notVerified(
      p.authorSignature,
      "signature does not verify over the ID key structure with the given author public key",
    );
  }
  return { idSignature, idKey, author: { signature, key } };
}

/** Writes the signed copy of `file` to `output`. */
async function writeSigned(
  s: Signing,
  file: IgvmFile,
  output: string,
  sigs: IdBlockSignatures,
): Promise<number> {
  const directive = idBlockDirective(s.m.compatibilityMask, s.block, sigs);
  // The original rebuilds the file as format version 1 (`IgvmRevision::V1`) whatever the input's
  // version; SEV-SNP files are x64 with 4 KiB pages, which version 1 implies.
  await writeIgvm(output, { ...withIdBlock(file, directive), revision: { version: 1 } });
  return finish(
    s,
    () => signJson(s, output, [output], sigs.idKey, sigs.author?.key),
    [`Successfully created signed file: ${output}\n`],
  );
}

/** Runs `sign`. */
export async function signCommand(args: ParsedArgs, ctx: CommandContext): Promise<number> {
  const paths = signPaths(args.commandOptions);
  const flow = signFlow(paths);
  const fields = idBlockFields(args.commandOptions);
  const g = globalOptions(args);
  const log = g.verbose ? (line: string) => ctx.out.push(line + "\n") : undefined;
  const { input, m } = measureInput(args.input, g, log);
  try {
    const s = idBlockToSign(args, ctx, input.file, m, fields);
    if (flow === "export") return await exportIdBlock(s, paths);
    const sigs = flow === "keys" ? signWithKeys(s, paths) : await externalSignatures(s, paths);
    return await writeSigned(s, input.file, paths.output!, sigs);
  } finally {
    input.close();
  }
}
