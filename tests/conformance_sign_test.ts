/**
 * Replays every `sign` case of the conformance corpus's expected.json: the
 * same exit code and stdout, and an output file whose SHA-256 is
 * `output_sha256`. For the inputs that are already signed, the output must
 * equal the reference output of their unsigned base file (re-signing replaces
 * the ID block): its SHA-256 is that output's `output_sha256`. Cases on files
 * outside testdata/ need ../shared/conformance (conformance_helpers.ts).
 */

import { assertEquals, assertMatch, assertOk } from "./assert.ts";
import {
  CONFORMANCE,
  corpusFile,
  corpusTest,
  loadCases,
  outputSha256,
  runInProcess,
  sha256Hex,
} from "./conformance_helpers.ts";

const cases = loadCases().filter((c) => c.tool === "igvmmeasure" && c.args.includes("sign"));

/** Already-signed inputs and the unsigned files they were made from. */
const BASE: Record<string, string> = {
  "signed-qemu-snp-policy-id.igvm": "qemu-snp-policy",
  "signed-qemu-snp-policy-id-author.igvm": "qemu-snp-policy",
  "signed-native-zero-qemu-snp-policy-id.igvm": "qemu-snp-policy",
  "signed-qemu-snp-ovmf-policy-id-author.igvm": "qemu-snp-ovmf-policy",
};

for (const c of cases) {
  const note = BASE[c.file] === undefined
    ? ""
    : " (deliberate difference: re-signing replaces the ID block, so the output is the base file's)";
  corpusTest(`conformance sign: ${c.args.join(" ")}${note}`, [`files/${c.file}`], async () => {
    const dir = await Deno.makeTempDir();
    try {
      // Inputs are relative to files/, keys to the corpus folder, outputs to a temp folder.
      const args = c.args.map((a, i) => {
        if (a === c.file) return corpusFile(`files/${a}`)!.pathname;
        if (c.args[i - 1] === "--id-key" || c.args[i - 1] === "--author-key") {
          return new URL(a, CONFORMANCE).pathname;
        }
        return a;
      });
      const r = await runInProcess(args, new URL(`file://${dir}/`));
      assertEquals(r.stdout, c.stdout, "stdout");
      assertEquals(r.code, c.exit, "exit code");
      const out = c.args[c.args.indexOf("--output") + 1];
      if (c.exit !== 0) {
        if (c.stderr.includes("InvalidBinary")) assertMatch(r.stderr, /^Error: \S+: [^\n]+\n$/);
        else assertEquals(r.stderr, c.stderr, "stderr");
        assertEquals([...Deno.readDirSync(dir)].length, 0, "no output file on failure");
        return;
      }
      assertEquals(r.stderr, "");
      const produced = Deno.readFileSync(`${dir}/${out}`);
      const base = BASE[c.file];
      if (base === undefined) {
        assertEquals(await sha256Hex(produced), c.output_sha256, "output SHA-256");
      } else {
        const suffix = out.slice(out.indexOf(".signed-"));
        // The original's own output (with two ID blocks) is not what we write, by design.
        assertOk(
          await sha256Hex(produced) !== c.output_sha256,
          "differs from the original's re-signed file",
        );
        assertEquals(
          await sha256Hex(produced),
          outputSha256(`${base}${suffix}`),
          "equals base file's signed output",
        );
      }
    } finally {
      Deno.removeSync(dir, { recursive: true });
    }
  });
}
