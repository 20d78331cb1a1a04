/**
 * Replays every `igvmmeasure` case of the conformance corpus's expected.json
 * except `sign`: stdout byte for byte, the exit code, and stderr for the
 * messages the original words itself. Cases on files outside testdata/ need
 * ../shared/conformance (conformance_helpers.ts).
 */

import { assertEquals, assertMatch } from "./assert.ts";
import { corpusTest, filesFolder, loadCases, runInProcess } from "./conformance_helpers.ts";

const cases = loadCases().filter((c) => c.tool === "igvmmeasure" && !c.args.includes("sign"));

/** Messages the original words itself; ours must read the same. */
const OWN_MESSAGES = [
  "not compatible with the specified platform",
  "KVM",
  "ID block has been provided",
  "does not contain a guest policy",
];

for (const c of cases) {
  corpusTest(`conformance measure: ${c.args.join(" ")}`, [`files/${c.file}`], async () => {
    const r = await runInProcess(c.args, filesFolder(c.file)!);
    assertEquals(r.stdout, c.stdout, "stdout");
    assertEquals(r.code, c.exit, "exit code");
    if (c.exit === 0) {
      assertEquals(r.stderr, "", "stderr");
    } else if (OWN_MESSAGES.some((m) => c.stderr.includes(m))) {
      assertEquals(r.stderr, c.stderr, "stderr");
    } else {
      // Parser refusals: ours is one line naming the file and the reason.
      assertMatch(r.stderr, new RegExp(`^Error: ${c.file.replaceAll(".", "\\.")}: [^\\n]+\\n$`));
    }
  });
}
