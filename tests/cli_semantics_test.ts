/**
 * The igvm-crate rules through the CLI: every `igvm-crate` case of
 * the conformance corpus's expected.json for sev-snp (`--semantics openvmm`),
 * tdx and vbs (`-p tdx`, `-p vbs`), digest and refusal alike, and the option
 * combinations the CLI refuses.
 */

import { assertEquals, assertMatch } from "./assert.ts";
import { corpusTest, FILES, filesFolder, loadCases, runInProcess } from "./conformance_helpers.ts";

const FLAGS: Record<string, string[]> = {
  "sev-snp": ["--semantics", "openvmm"],
  "tdx": ["-p", "tdx"],
  "vbs": ["-p", "vbs"],
};

for (const c of loadCases()) {
  if (c.tool !== "igvm-crate" || c.args[1] === "parse") continue;
  const [file, platform] = c.args;
  const title = `CLI ${FLAGS[platform].join(" ")} ${file} measure -b -i (crate exit ${c.exit})`;
  corpusTest(title, [`files/${file}`], async () => {
    const args = [...FLAGS[platform], file, "measure", "-b", "-i"];
    const r = await runInProcess(args, filesFolder(file)!);
    if (c.exit === 0) {
      assertEquals(r.stdout, c.stdout.trim() + "\n");
      assertEquals(r.code, 0);
      assertEquals(r.stderr, "");
      return;
    }
    assertEquals(r.stdout, "");
    assertEquals(r.code, 1);
    if (c.exit === 3) {
      assertEquals(r.stderr, `Error: "IGVM file is not compatible with the specified platform."\n`);
    } else if (c.exit === 4) {
      // The crate's refusal is ours to word: one line naming the file.
      assertEquals(
        r.stderr.startsWith(`Error: ${file}: no SNP guest policy found`),
        true,
        r.stderr,
      );
      assertEquals(r.stderr.split("\n").length, 2, r.stderr);
    } else {
      assertMatch(r.stderr, new RegExp(`^Error: ${file.replaceAll(".", "\\.")}: [^\\n]+\\n$`));
    }
  });
}

const REFUSED: string[][] = [
  ["-p", "tdx", "-n"],
  ["-p", "vbs", "-c"],
  ["--semantics", "openvmm", "-n"],
  ["--semantics", "openvmm", "-c"],
  ["--semantics", "openvmm", "-p", "sev-es"],
  ["--semantics", "openvmm", "-p", "sev"],
  ["--semantics", "qemu"],
];

for (const flags of REFUSED) {
  Deno.test(`CLI refuses ${flags.join(" ")} as a usage error`, async () => {
    const r = await runInProcess([...flags, "qemu-all-policy.igvm", "measure", "-b"], FILES);
    assertEquals(r.code, 2);
    assertEquals(r.stdout, "");
    assertMatch(r.stderr, /^error: /);
  });
}
