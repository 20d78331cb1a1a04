/**
 * The bundled sample (`testdata/sample.igvm`, the README's first command):
 * its SEV-SNP launch digest worked out independently of the code under test,
 * from the sample's layout (scripts/make_sample.ts) with hand-built PAGE_INFO
 * records hashed by Web Crypto, must equal what the CLI prints.
 */

import { assertEquals } from "./assert.ts";
import { runInProcess } from "./conformance_helpers.ts";
import { digest, page4k, pageHash, PT, snpChain, type SnpRecord } from "./hand_records.ts";

const ROOT = new URL("../", import.meta.url);

Deno.test("sample.igvm: the CLI's digest equals the hand-computed PAGE_INFO chain", async () => {
  const zeros = await digest("SHA-384", page4k());
  const records: SnpRecord[] = [
    { type: PT.UNMEASURED, gpa: 0x9000n }, // parameter insert: one unmeasured page (coconut rule)
    { type: PT.UNMEASURED, gpa: 0x8000n },
    { type: PT.SECRETS, gpa: 0xa000n },
    { type: PT.CPUID, gpa: 0xb000n },
    { type: PT.NORMAL, gpa: 0xc000n, contents: zeros }, // pages without data: 4 KiB of zeros
    { type: PT.NORMAL, gpa: 0xd000n, contents: zeros },
  ];
  for (let i = 0; i < 8; i++) {
    const data = new Uint8Array(4096);
    for (let j = 0; j < data.length; j++) data[j] = (i * 31 + j * 7) & 0xff;
    records.push({
      type: PT.NORMAL,
      gpa: BigInt(0x100000 + i * 0x1000),
      contents: await pageHash(data),
    });
  }
  const vmsa = new Uint8Array(4096);
  const v = new DataView(vmsa.buffer);
  v.setBigUint64(0x158, 0x31n, true); // CR0
  v.setBigUint64(0x178, 0xfff0n, true); // RIP
  v.setBigUint64(0x3b0, 0x1n, true); // SEV_FEATURES
  records.push({ type: PT.VMSA, gpa: 0xFFFFFFFFF000n, contents: await pageHash(vmsa) });
  const expected = (await snpChain(records)).toUpperCase();

  const r = await runInProcess(["testdata/sample.igvm", "measure", "-b"], ROOT);
  assertEquals(r.code, 0);
  assertEquals(r.stdout, expected + "\n");
});
