/**
 * Generates `testdata/sample.igvm`, the small SEV-SNP IGVM file the README's
 * first command measures: a guest policy, eight pages of deterministic data,
 * two pages without data, an unmeasured page, secrets and CPUID pages, a
 * parameter area inserted at 0x9000, and a VMSA at KVM's GPA with CR0 = 0x31.
 *
 * Run: `deno run --allow-write scripts/make_sample.ts [out]`.
 *
 * @module
 */

import { guestPolicy, pageData, platform, snpVpContext } from "../tests/builder.ts";
import { PageDataFlags, PageDataType, PlatformType } from "../lib/igvm/defs.ts";
import { serializeIgvm } from "../lib/igvm/serializer.ts";
import type { IgvmFile } from "../lib/igvm/types.ts";

/** The sample file's model. */
export function sampleFile(): IgvmFile {
  const pages = [];
  for (let i = 0; i < 8; i++) {
    const data = new Uint8Array(4096);
    for (let j = 0; j < data.length; j++) data[j] = (i * 31 + j * 7) & 0xff;
    pages.push(pageData(BigInt(0x100000 + i * 0x1000), 1, data));
  }
  const vmsa = new Uint8Array(4096);
  const v = new DataView(vmsa.buffer);
  v.setBigUint64(0x158, 0x31n, true); // CR0
  v.setBigUint64(0x178, 0xfff0n, true); // RIP
  v.setBigUint64(0x3b0, 0x1n, true); // SEV_FEATURES: SNP active
  return {
    revision: { version: 1 },
    platforms: [platform(PlatformType.SEV_SNP, 0x1)],
    initializations: [guestPolicy(0x30000n, 0x1)],
    directives: [
      { type: "ParameterArea", numberOfBytes: 4096n, parameterAreaIndex: 0, initialData: null },
      { type: "VpCount", parameterAreaIndex: 0, byteOffset: 0 },
      { type: "ParameterInsert", gpa: 0x9000n, compatibilityMask: 1, parameterAreaIndex: 0 },
      pageData(0x8000n, 1, null, PageDataFlags.UNMEASURED),
      pageData(0xa000n, 1, null, 0, PageDataType.SECRETS),
      pageData(0xb000n, 1, null, 0, PageDataType.CPUID_DATA),
      pageData(0xc000n, 1, null),
      pageData(0xd000n, 1, null),
      ...pages,
      snpVpContext(0xFFFFFFFFF000n, 1, vmsa),
    ],
  };
}

if (import.meta.main) {
  const out = Deno.args[0] ?? new URL("../testdata/sample.igvm", import.meta.url).pathname;
  Deno.writeFileSync(out, serializeIgvm(sampleFile()));
  console.log(`wrote ${out}`);
}
