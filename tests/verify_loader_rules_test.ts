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
