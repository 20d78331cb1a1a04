/**
 * `crateVersion: "0.4.0"`: the parser rules of the igvm release the original
 * igvmmeasure links (crates.io igvm 0.4.0, no features), which the CLI uses
 * for the coconut semantics; igvm HEAD rules elsewhere.
 */

import { assertEquals } from "./assert.ts";
import { guestPolicy, pageData, platform, snpVpContext } from "./builder.ts";
import { PlatformType } from "../lib/igvm/defs.ts";
import { parseIgvm } from "../lib/igvm/parser.ts";
import { serializeIgvm } from "../lib/igvm/serializer.ts";
import type { IgvmFile } from "../lib/igvm/types.ts";
import { IgvmFormatError } from "../lib/errors.ts";
import { runInProcess } from "./conformance_helpers.ts";

function codeOf(fn: () => unknown): string | undefined {
  try {
    fn();
    return undefined;
  } catch (e) {
    if (e instanceof IgvmFormatError) return e.code;
    throw e;
  }
}

function snpWithVmsaTail(tailByte: number): Uint8Array {
  const vmsa = new Uint8Array(4096);
  vmsa[0x158] = 0x31;
  vmsa[2000] = tailByte; // past igvm 0.4.0's 1648-byte SevVmsa
  const file: IgvmFile = {
    revision: { version: 1 },
    platforms: [platform(PlatformType.SEV_SNP, 1)],
    initializations: [guestPolicy(0x30000n, 1)],
    directives: [
      pageData(0x1000n, 1, new Uint8Array(4096).fill(7)),
      snpVpContext(0xFFFFFFFFF000n, 1, vmsa),
    ],
  };
  return serializeIgvm(file);
}

Deno.test("igvm 0.4.0 rules: a VMSA with non-zero bytes past 1648 is InvalidVmsa; HEAD accepts it", () => {
  const bytes = snpWithVmsaTail(1);
  assertEquals(codeOf(() => parseIgvm(bytes)), undefined);
  assertEquals(
    codeOf(() => parseIgvm(bytes, { crateVersion: "0.4.0" })),
    "InvalidBinaryDirectiveHeader(InvalidVmsa)",
  );
  assertEquals(codeOf(() => parseIgvm(snpWithVmsaTail(0), { crateVersion: "0.4.0" })), undefined);
});

Deno.test("igvm 0.4.0 rules: CoRIM and CCA headers and the CCA platform are unknown", () => {
  const file: IgvmFile = {
    revision: { version: 1 },
    platforms: [platform(PlatformType.SEV_SNP, 1)],
    initializations: [{
      type: "CorimDocument",
      compatibilityMask: 1,
      data: new Uint8Array([1, 2, 3]),
    }],
    directives: [pageData(0x1000n, 1, new Uint8Array(4096).fill(7))],
  };
  const bytes = serializeIgvm(file);
  assertEquals(codeOf(() => parseIgvm(bytes)), undefined);
  assertEquals(
    codeOf(() => parseIgvm(bytes, { crateVersion: "0.4.0" })),
    "InvalidBinaryInitializationHeader(InvalidVariableHeaderType)",
  );
});

Deno.test("CLI: coconut semantics parse as igvm 0.4.0, openvmm semantics as HEAD", async () => {
  const dir = await Deno.makeTempDir();
  try {
    Deno.writeFileSync(`${dir}/tail.igvm`, snpWithVmsaTail(1));
    const coconut = await runInProcess(["tail.igvm", "measure", "-b"], new URL(`file://${dir}/`));
    assertEquals(coconut.code, 1);
    assertEquals(coconut.stdout, "");
    assertEquals(coconut.stderr.split("\n").length, 2, "one line");
    const openvmm = await runInProcess(
      ["--semantics", "openvmm", "tail.igvm", "measure", "-b"],
      new URL(`file://${dir}/`),
    );
    assertEquals(openvmm.code, 0);
    assertEquals(openvmm.stdout.trim().length, 96);
  } finally {
    Deno.removeSync(dir, { recursive: true });
  }
});
