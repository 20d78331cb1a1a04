/**
 * `inspect`: golden listings (testdata/golden/, checked by hand, digests equal
 * to the conformance corpus's expected.json), and for every corpus file the
 * digests `inspect --json` lists equal the reference tools' digests (files
 * outside testdata/ need ../shared/conformance).
 *
 * Regenerate the golden files after a deliberate change with
 * `UPDATE_GOLDEN=1 deno test -A tests/inspect_test.ts`, and check them by hand.
 *
 * @module
 */

import assert from "node:assert/strict";
import {
  corpusFiles,
  corpusTest,
  FILES,
  filesFolder,
  loadCases,
  runInProcess,
} from "./conformance_helpers.ts";

const GOLDEN = new URL("../testdata/golden/", import.meta.url);
const UPDATE = Deno.env.get("UPDATE_GOLDEN") === "1";

const GOLDENS: Array<[string, string[], string]> = [
  ["qemu-all-policy.igvm", [], "qemu-all-policy.inspect.txt"],
  ["qemu-all-policy.igvm", ["--json"], "qemu-all-policy.inspect.json"],
  ["signed-qemu-snp-policy-id-author.igvm", [], "signed-qemu-snp-policy-id-author.inspect.txt"],
  ["qemu-snp.igvm", [], "qemu-snp.inspect.txt"],
];

for (const [file, extra, golden] of GOLDENS) {
  Deno.test(`inspect golden: ${file} ${extra.join(" ")}`, async () => {
    const r = await runInProcess([...extra, file, "inspect"], FILES);
    assert.equal(r.stderr, "");
    assert.equal(r.code, 0);
    const path = new URL(golden, GOLDEN);
    if (UPDATE) {
      Deno.writeTextFileSync(path, r.stdout);
      assert.fail(
        `${golden} rewritten from our own output: check it by hand, then run without UPDATE_GOLDEN`,
      );
    }
    assert.equal(r.stdout, Deno.readTextFileSync(path));
  });
}

/** The reference digest (upper-case hex) or refusal for one inspect entry, from expected.json. */
function reference(
  file: string,
  platform: string,
  semantics: string,
): { digest?: string; refused?: boolean } {
  for (const c of loadCases()) {
    if (c.file !== file) continue;
    if (semantics === "coconut" && c.tool === "igvmmeasure") {
      const want = platform === "sev-snp"
        ? [file, "measure", "-b"]
        : ["-p", platform, file, "measure", "-b"];
      if (JSON.stringify(c.args) !== JSON.stringify(want)) continue;
      // An ID block mismatch still prints the digest first.
      return c.stdout ? { digest: c.stdout.trim() } : { refused: true };
    }
    if (semantics === "openvmm" && c.tool === "igvm-crate" && c.args[1] === platform) {
      return c.exit === 0 ? { digest: c.stdout.trim() } : { refused: true };
    }
  }
  return {};
}

for (const name of corpusFiles()) {
  corpusTest(`inspect digests equal the reference tools': ${name}`, [`files/${name}`], async () => {
    const r = await runInProcess(["--json", name, "inspect"], filesFolder(name)!);
    if (r.code !== 0) {
      // Files the parser refuses: the reference refuses them too.
      const j = JSON.parse(r.stdout);
      assert.equal(j.error.type, "format");
      assert.ok(
        loadCases().some((c) => c.file === name && c.tool === "igvm-crate" && c.exit === 2),
      );
      return;
    }
    const j = JSON.parse(r.stdout);
    let compared = 0;
    for (const d of j.digests) {
      const ref = reference(name, d.platform, d.semantics);
      if (ref.digest === undefined && !ref.refused) continue;
      compared++;
      if (ref.refused) assert.equal(d.digest, null, `${d.platform} ${d.semantics} refused`);
      else assert.equal(d.digest?.toUpperCase(), ref.digest, `${d.platform} ${d.semantics}`);
    }
    const measuredByReference = loadCases().some((c) =>
      c.file === name && c.tool === "igvm-crate" && c.args[1] !== "parse" && c.exit === 0
    );
    if (measuredByReference) assert.ok(compared > 0, "at least one digest compared");
    // The directive count, independently of our code: the crate's parse line for this file.
    const parse = loadCases().find((c) =>
      c.file === name && c.tool === "igvm-crate" && c.args[1] === "parse"
    );
    const total = /directives=(\d+)/.exec(parse?.stdout ?? "")?.[1];
    if (total !== undefined) {
      const counts = Object.values(j.directiveCounts as Record<string, number>);
      assert.equal(counts.reduce((a, b) => a + b, 0), Number(total), "directive count");
    }
  });
}

Deno.test("inspect: -n applies to the coconut digests only", async () => {
  const r = await runInProcess(["-n", "--json", "qemu-all-policy.igvm", "inspect"], FILES);
  const j = JSON.parse(r.stdout);
  const by = Object.fromEntries(
    j.digests.map((
      d: { platform: string; semantics: string; digest: string },
    ) => [`${d.platform}/${d.semantics}`, d.digest]),
  );
  assert.equal(
    by["sev-snp/coconut"].toUpperCase(),
    "4FD77278E6CD7B019773BCBC8AD06C1DBDA69C2B5F265CA9B92E098AB56AB0688D13F8CDE645800C6BE43B1FB12B107B",
  );
  assert.equal(
    by["sev-snp/openvmm"].toUpperCase(),
    "240D21CC3C524A58C9FFB2008DD378C929782B91DE3CDD448C8C1575A3B584F298E4C45F51529EC47A792EB3A078927A",
  );
  assert.equal(j.nativeZero, true);
});

Deno.test("inspect: SNP VMSA fields and merged memory ranges", async () => {
  const r = await runInProcess(["--json", "hyperv-snp-vsm-policy.igvm", "inspect"], FILES);
  const j = JSON.parse(r.stdout);
  const vmsa = j.vpContexts.find((v: { type: string }) => v.type === "SnpVpContext");
  // GPA as the original's -c check reports it for this file: 0x0000000008FFF000.
  assert.equal(vmsa.gpa, "0x8fff000");
  assert.equal(
    j.memory.reduce((n: number, m: { pages: number }) => n + m.pages, 0),
    j.directiveCounts.PageData,
  );
});
