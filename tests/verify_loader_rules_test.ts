/**
 * `verify` checks an ID block as the loader hands it to the firmware (QEMU
 * backends/igvm.c): the LAST matching guest policy, VERSION forced to 1, and
 * the author key enabled by the author key's curve field, not by the IGVM flag.
 */

import { assertEquals } from "./assert.ts";
import { CONFORMANCE, loadCases } from "./conformance_helpers.ts";
import { parseIgvm } from "../lib/igvm/parser.ts";
import type { IgvmFile, SnpIdBlock } from "../lib/igvm/types.ts";
import { verifyIdBlocks } from "../lib/verify/id_block_check.ts";

const SIGNED = new URL("signed/qemu-snp-policy.signed-id-author.igvm", CONFORMANCE);
const DIGEST = Uint8Array.fromHex(
  loadCases().find((c) =>
    c.tool === "igvmmeasure" && c.args.join(" ") === "qemu-snp-policy.igvm measure -b"
  )!
    .stdout.trim(),
);

function signedFile(): IgvmFile {
  return parseIgvm(Deno.readFileSync(SIGNED));
}

function withBlock(file: IgvmFile, change: Partial<SnpIdBlock>): IgvmFile {
  return {
    ...file,
    directives: file.directives.map((d) => d.type === "SnpIdBlock" ? { ...d, ...change } : d),
  };
}

async function statuses(file: IgvmFile): Promise<Record<string, string>> {
  const { checks } = await verifyIdBlocks(file, DIGEST, 1);
  return Object.fromEntries(checks.map((c) => [c.name, c.status]));
}

Deno.test("the reference signed file verifies", async () => {
  assertEquals(await statuses(signedFile()), {
    "ld": "pass",
    "id-signature": "pass",
    "author-signature": "pass",
  });
});

Deno.test("a later guest policy is the one the loader passes, so the ID signature no longer verifies", async () => {
  const f = signedFile();
  const file: IgvmFile = {
    ...f,
    initializations: [...f.initializations, {
      type: "GuestPolicy",
      policy: 0xb0000n,
      compatibilityMask: 1,
    }],
  };
  assertEquals((await statuses(file))["id-signature"], "fail");
});

Deno.test("VERSION is passed as 1: a directive version of 0 is flagged but the signature still verifies", async () => {
  const s = await statuses(withBlock(signedFile(), { version: 0 }));
  assertEquals([s["version"], s["id-signature"]], ["fail", "pass"]);
});

Deno.test("author_key_enabled 0 with an author key: flagged, and the author signature is still checked", async () => {
  const s = await statuses(withBlock(signedFile(), { authorKeyEnabled: 0 }));
  assertEquals([s["author-key-enabled"], s["author-signature"]], ["fail", "pass"]);
});

/** The checks as `name status detail` lines, in order, with the block each is about. */
async function checkLines(file: IgvmFile): Promise<string[]> {
  const { checks } = await verifyIdBlocks(file, DIGEST, 1);
  return checks.map((c) => `${c.idBlock ?? "-"} ${c.name} ${c.status}: ${c.detail}`);
}

Deno.test("every field wrong at once: the checks in order, each with its own line", async () => {
  const file = withBlock(signedFile(), {
    idKeyAlgorithm: 2,
    authorKeyAlgorithm: 3,
    version: 0,
    authorKeyEnabled: 0,
  });
  assertEquals(await checkLines(file), [
    "0 ld pass: ID block LD equals the launch digest",
    "0 id-signature fail: ID key algorithm is 2, expected 1 (ECDSA P-384 with SHA-384)",
    "0 author-key-enabled fail: author_key_enabled is 0 but the author key is present; " +
    "loaders go by the key (QEMU: author key curve != 0)",
    "0 version fail: ID block version is 0; loaders pass version 1 to the firmware",
    "0 author-signature fail: author key algorithm is 3, expected 1 (ECDSA P-384 with SHA-384)",
  ]);
});

Deno.test("no guest policy and no author key, two blocks: only the last is checked, then a note", async () => {
  const f = withBlock(signedFile(), { authorPublicKey: new Uint8Array(152) });
  const block = f.directives.find((d) => d.type === "SnpIdBlock")!;
  const file: IgvmFile = {
    ...f,
    initializations: f.initializations.filter((h) => h.type !== "GuestPolicy"),
    directives: [...f.directives, { ...block, ld: new Uint8Array(48).fill(0xab) }],
  };
  const { blocks } = await verifyIdBlocks(file, DIGEST, 1);
  assertEquals(blocks.map((b) => [b.policy, b.authorKeyEnabled]), [
    [undefined, false],
    [undefined, false],
  ]);
  assertEquals(blocks[1].authorKeyDigest, new Uint8Array(48));
  assertEquals(await checkLines(file), [
    `1 ld fail: ID block LD ${
      "AB".repeat(48)
    } differs from the launch digest ${DIGEST.toHex().toUpperCase()}`,
    "1 id-signature fail: the file has no guest policy for SEV-SNP, so the signed ID block " +
    "cannot be rebuilt",
    "1 author-key-enabled fail: author_key_enabled is 1 but the author key is absent; " +
    "loaders go by the key (QEMU: author key curve != 0)",
    "1 author-signature skip: no author key",
    "- id-block skip: the file has 2 SNP ID blocks; only the last, the one `measure` compares, " +
    "is checked; QEMU refuses to load a file with more than one (the original igvmmeasure " +
    "appends one when it re-signs a signed file)",
  ]);
});
