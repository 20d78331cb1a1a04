/**
 * `verify`: every file the original signed verifies; copies with a corrupted
 * LD, ID signature, author signature or guest policy fail with the right line.
 * (The signed files outside testdata/ need ../shared/conformance.)
 *
 * @module
 */

import assert from "node:assert/strict";
import {
  corpusFile,
  corpusTest,
  FILES,
  filesFolder,
  loadCases,
  runInProcess,
  SIGNED,
  signedOutputs,
} from "./conformance_helpers.ts";
import { parseIgvm } from "../lib/igvm/parser.ts";
import { serializeIgvm } from "../lib/igvm/serializer.ts";
import type { IgvmFile, SnpIdBlock } from "../lib/igvm/types.ts";

const BASE = "qemu-snp-policy.signed-id-author.igvm";

for (const name of signedOutputs()) {
  const nz = name.includes("signed-nz");
  corpusTest(`verify passes: ${nz ? "-n " : ""}${name}`, [`signed/${name}`], async () => {
    const dir = new URL(".", corpusFile(`signed/${name}`));
    const r = await runInProcess([...(nz ? ["-n"] : []), name, "verify"], dir);
    assert.equal(r.stderr, "");
    assert.equal(r.code, 0);
    assert.match(r.stdout, /\nResult: verified\n$/);
    assert.match(r.stdout, /pass {2}ld: /);
    assert.match(r.stdout, /pass {2}id-signature: /);
    assert.match(
      r.stdout,
      /-id-author\.igvm$/.test(name) ? /pass {2}author-signature/ : /skip {2}author-signature/,
    );
  });
}

Deno.test("a signed-nz file without -n fails only the LD (and so the ID signature stays valid)", async () => {
  const r = await runInProcess(["qemu-snp-policy.signed-nz-id-author.igvm", "verify"], SIGNED);
  assert.equal(r.code, 1);
  const lines = r.stderr.trimEnd().split("\n");
  assert.equal(lines.length, 1, r.stderr);
  assert.match(
    lines[0],
    /^Error: qemu-snp-policy\.signed-nz-id-author\.igvm: ID block LD [0-9A-F]{96} differs from the launch digest/,
  );
});

/** Writes a modified copy of the base signed file and verifies it. */
async function verifyModified(edit: (f: IgvmFile) => IgvmFile) {
  const file = parseIgvm(Deno.readFileSync(new URL(BASE, SIGNED)));
  const dir = Deno.makeTempDirSync();
  try {
    Deno.writeFileSync(`${dir}/x.igvm`, serializeIgvm(edit(file)));
    return await runInProcess(["x.igvm", "verify"], new URL(`file://${dir}/`));
  } finally {
    Deno.removeSync(dir, { recursive: true });
  }
}

function editIdBlock(f: IgvmFile, change: (d: SnpIdBlock) => Partial<SnpIdBlock>): IgvmFile {
  return {
    ...f,
    directives: f.directives.map((d) => d.type === "SnpIdBlock" ? { ...d, ...change(d) } : d),
  };
}

function flip(bytes: Uint8Array, at = 0): Uint8Array {
  const c = bytes.slice();
  c[at] ^= 1;
  return c;
}

Deno.test("unmodified copy verifies (serializer round trip)", async () => {
  const r = await verifyModified((f) => f);
  assert.equal(r.code, 0, r.stderr);
});

Deno.test("corrupted LD: the LD line and the ID signature line", async () => {
  const r = await verifyModified((f) => editIdBlock(f, (d) => ({ ld: flip(d.ld) })));
  assert.equal(r.code, 1);
  const lines = r.stderr.trimEnd().split("\n");
  assert.equal(lines.length, 2, r.stderr);
  assert.match(
    lines[0],
    /^Error: x\.igvm: ID block LD [0-9A-F]{96} differs from the launch digest/,
  );
  assert.match(lines[1], /^Error: x\.igvm: ID key signature over the ID block .* does not verify$/);
  assert.match(r.stdout, /fail {2}ld: /);
  assert.match(r.stdout, /Result: FAILED \(2 failures\)/);
});

Deno.test("corrupted ID signature: only the ID signature line", async () => {
  const r = await verifyModified((f) =>
    editIdBlock(f, (d) => ({ idKeySignature: flip(d.idKeySignature, 3) }))
  );
  assert.equal(r.code, 1);
  assert.equal(
    r.stderr,
    "Error: x.igvm: ID key signature over the ID block (with POLICY 0x30000) does not verify\n",
  );
  assert.match(r.stdout, /pass {2}ld: /);
  assert.match(r.stdout, /pass {2}author-signature: /);
});

Deno.test("corrupted author signature: only the author signature line", async () => {
  const r = await verifyModified((f) =>
    editIdBlock(f, (d) => ({ authorKeySignature: flip(d.authorKeySignature, 0x48) }))
  );
  assert.equal(r.code, 1);
  assert.equal(r.stderr, "Error: x.igvm: author key signature over the ID key does not verify\n");
  assert.match(r.stdout, /pass {2}id-signature: /);
});

Deno.test("changed guest policy: the ID signature no longer verifies, naming the policy", async () => {
  const r = await verifyModified((f) => ({
    ...f,
    initializations: f.initializations.map((h) =>
      h.type === "GuestPolicy" ? { ...h, policy: 0xb0000n } : h
    ),
  }));
  assert.equal(r.code, 1);
  assert.equal(
    r.stderr,
    "Error: x.igvm: ID key signature over the ID block (with POLICY 0xb0000) does not verify\n",
  );
  assert.match(r.stdout, /POLICY: +0xb0000 \(ABI >= 0\.0, SMT, DEBUG\)/);
});

Deno.test("an ID public key that is not on the curve is a failed check, not a crash", async () => {
  const r = await verifyModified((f) =>
    editIdBlock(f, (d) => ({ idPublicKey: flip(d.idPublicKey, 8) }))
  );
  assert.equal(r.code, 1);
  assert.match(r.stderr, /^Error: x\.igvm: ID key signature .* cannot be checked: .*P-384/m);
  assert.doesNotMatch(r.stderr, /internal error/);
});

Deno.test("two ID blocks: only the last is checked, a skip line says so", async () => {
  const r = await verifyModified((f) => {
    const id = f.directives.find((d) => d.type === "SnpIdBlock")! as SnpIdBlock;
    return { ...f, directives: [...f.directives, { ...id, ld: flip(id.ld) }] };
  });
  assert.equal(r.code, 1);
  assert.match(r.stderr, /^Error: x\.igvm: ID block 2: ID block LD/);
  assert.match(r.stdout, /SNP ID block 2 of 2/);
  assert.match(r.stdout, /skip {2}id-block: the file has 2 SNP ID blocks; only the last/);
  const ok = await verifyModified((f) => {
    const id = f.directives.find((d) => d.type === "SnpIdBlock")! as SnpIdBlock;
    return {
      ...f,
      directives: [...f.directives.filter((d) => d !== id), { ...id, ld: flip(id.ld) }, id],
    };
  });
  assert.equal(ok.code, 0, ok.stderr);
});

Deno.test("a file without an ID block says so and exits 1", async () => {
  const r = await runInProcess(["qemu-snp-policy.igvm", "verify"], FILES);
  assert.equal(r.code, 1);
  assert.equal(
    r.stderr,
    "Error: qemu-snp-policy.igvm: the file has no SNP ID block (nothing to verify; give --report or --expect)\n",
  );
  assert.match(r.stdout, /fail {2}id-block: /);
});

const DIGEST =
  "240D21CC3C524A58C9FFB2008DD378C929782B91DE3CDD448C8C1575A3B584F298E4C45F51529EC47A792EB3A078927A";

for (
  const form of [
    DIGEST,
    DIGEST.toLowerCase(),
    "0x" + DIGEST,
    "0X" + DIGEST.toLowerCase(),
    Uint8Array.fromHex(DIGEST).toBase64(),
    Uint8Array.fromHex(DIGEST).toBase64({ alphabet: "base64url", omitPadding: true }),
  ]
) {
  Deno.test(`--expect ${form.slice(0, 12)}… passes`, async () => {
    const r = await runInProcess(["qemu-snp-policy.igvm", "verify", "--expect", form], FILES);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /skip {2}id-block: the file has no SNP ID block\n/);
    assert.match(r.stdout, /pass {2}expect: /);
  });
}

Deno.test("--expect with another digest fails with one line", async () => {
  const other = "00" + DIGEST.slice(2);
  const r = await runInProcess(["qemu-snp-policy.igvm", "verify", "--expect", other], FILES);
  assert.equal(r.code, 1);
  assert.equal(
    r.stderr,
    `Error: qemu-snp-policy.igvm: launch digest ${DIGEST} differs from the expected ${other}\n`,
  );
});

Deno.test("--expect that is neither hex nor base64 of 48 bytes is a usage error", async () => {
  for (const bad of ["abc", DIGEST + "00", "zz" + DIGEST.slice(2)]) {
    const r = await runInProcess(["qemu-snp-policy.igvm", "verify", "--expect", bad], FILES);
    assert.equal(r.code, 2, bad);
    assert.match(r.stderr, /^error: invalid value .* for '--expect <DIGEST>'/);
  }
});

Deno.test("TDX: --expect against the igvm crate's MRTD; verify without --expect is a usage error", async () => {
  const mrtd =
    "ACA10E59AFA4ACC80BB6390EE978040B13FAE7B0CA008B8060B0CC538778FB328B50B4A6A051F897E98A1BAA29BDC5E1";
  let r = await runInProcess(
    ["-p", "tdx", "qemu-all-policy.igvm", "verify", "--expect", mrtd],
    FILES,
  );
  assert.equal(r.code, 0, r.stderr);
  r = await runInProcess(["-p", "tdx", "qemu-all-policy.igvm", "verify"], FILES);
  assert.equal(r.code, 2);
  assert.match(r.stderr, /needs '--expect <DIGEST>'/);
  r = await runInProcess([
    "-p",
    "tdx",
    "qemu-all-policy.igvm",
    "verify",
    "--report",
    "x",
    "--expect",
    mrtd,
  ], FILES);
  assert.equal(r.code, 2);
});

Deno.test("--semantics openvmm applies to verify", async () => {
  const r = await runInProcess(["--semantics", "openvmm", BASE, "verify"], SIGNED);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /sev-snp \(openvmm semantics/);
});

Deno.test("--expect on every platform: the reference digest passes (32 bytes for VBS and SEV-ES)", async (t) => {
  // The reference tools' digests: the igvm crate's for TDX and VBS, the original's for SEV-ES.
  const cases = loadCases().filter((c) =>
    c.exit === 0 &&
    (c.tool === "igvm-crate"
      ? c.args[1] === "tdx" || c.args[1] === "vbs"
      : c.args[0] === "-p" && c.args[1] === "sev-es" && c.args.includes("-b"))
  );
  const seen = new Set<string>();
  for (const c of cases) {
    const [platform, file] = c.tool === "igvm-crate"
      ? [c.args[1], c.args[0]]
      : [c.args[1], c.args[2]];
    const folder = filesFolder(file);
    if (seen.has(platform) || folder === undefined) continue;
    seen.add(platform);
    await t.step(`-p ${platform} ${file}`, async () => {
      const r = await runInProcess(
        ["-p", platform, file, "verify", "--expect", c.stdout.trim()],
        folder,
      );
      assert.equal(r.code, 0, r.stderr);
      assert.match(r.stdout, /pass {2}expect: /);
    });
  }
  assert.deepEqual([...seen].sort(), ["sev-es", "tdx", "vbs"]);
});
