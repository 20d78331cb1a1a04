/**
 * The SEV-SNP digest replayed on the sev-snp-measure vectors
 * (testdata/vectors/README.md §3).
 */

import { coconut } from "./measure_helpers.ts";
import { assertEquals } from "./assert.ts";
import { parseIgvm } from "../lib/igvm/parser.ts";
import { serializeIgvm } from "../lib/igvm/serializer.ts";
import { pageData, platform } from "./builder.ts";
import { PlatformType } from "../lib/igvm/defs.ts";
import type { IgvmFile } from "../lib/igvm/types.ts";
import { SnpDigest, type SnpPageType } from "../lib/measure/page_info.ts";
import { digest, PAGE, RefChain } from "./measure_coconut_helpers.ts";

// ---------------------------------------------------------------------------
// sev-snp-measure vectors (testdata/vectors/README.md §3)
// ---------------------------------------------------------------------------

const VECTORS = new URL("../testdata/vectors/sev-snp-measure/", import.meta.url);

interface Update {
  page_type: number;
  gpa: string;
  contents: string;
}
interface Sequence {
  initial_launch_digest: string;
  common_updates: Update[];
  final_update_variants: Record<
    string,
    Update & { vmsa_file: string; expected_launch_digest: string }
  >;
}

Deno.test("measure: page_info_sequence.json replayed through SnpDigest", async (t) => {
  const seq: Sequence = JSON.parse(
    Deno.readTextFileSync(new URL("page_info_sequence.json", VECTORS)),
  );
  assertEquals(seq.common_updates.length, 31);
  for (const [name, last] of Object.entries(seq.final_update_variants)) {
    await t.step(name, async () => {
      const d = new SnpDigest(Uint8Array.fromHex(seq.initial_launch_digest));
      const ref = new RefChain();
      ref.current = Uint8Array.fromHex(seq.initial_launch_digest);
      for (const u of [...seq.common_updates, last]) {
        const contents = Uint8Array.fromHex(u.contents);
        d.extend(u.page_type as SnpPageType, BigInt(u.gpa), contents);
        await ref.page(u.page_type, BigInt(u.gpa), contents);
      }
      assertEquals(d.digest.toHex(), last.expected_launch_digest);
      assertEquals(ref.hex, last.expected_launch_digest);
      const vmsaBytes = Deno.readFileSync(new URL(last.vmsa_file, VECTORS));
      assertEquals(vmsaBytes.length, PAGE);
      assertEquals((await digest("SHA-384", vmsaBytes)).toHex(), last.contents);
    });
  }
  await t.step("zero-contents page types need no contents argument", () => {
    const withZeros = new SnpDigest();
    const without = new SnpDigest();
    withZeros.extend(3, 0x800000n, new Uint8Array(48));
    without.extend(3, 0x800000n);
    assertEquals(without.digest, withZeros.digest);
  });
});

Deno.test("measure: ovmf_AmdSev_suffix.bin as one page at GPA 0xFFFFF000 (vector 3.1)", async () => {
  const suffix = Deno.readFileSync(new URL("ovmf_AmdSev_suffix.bin", VECTORS));
  assertEquals(suffix.length, PAGE);
  assertEquals(
    (await digest("SHA-384", suffix)).toHex(),
    "161ace084859674ded7322ad102eb33f49457e0f7845a8f9ad0e03a59eac3e3e360f8b78345363feaeac956ebba2d894",
  );
  const file: IgvmFile = {
    revision: { version: 1 },
    platforms: [platform(PlatformType.SEV_SNP, 1)],
    initializations: [],
    directives: [pageData(0xfffff000n, 1, suffix)],
  };
  const m = coconut(parseIgvm(serializeIgvm(file)));
  assertEquals(
    m.digest.toHex(),
    "086e2e9149ebf45abdc3445fba5b2da8270bdbb04094d7a2c37faaa4b24af3aa16aff8c374c2a55c467a50da6d466b74",
  );
});
