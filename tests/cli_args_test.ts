/**
 * Argument forms as clap 4 (the original's parser) treats them: `--`, values
 * that look like options, `-p=`, the `help` subcommand and subcommand names
 * before INPUT, empty values, and `--json` given as a value.
 */

import { assertEquals, assertMatch } from "./assert.ts";
import { CONFORMANCE, FILES, loadCases, runInProcess } from "./conformance_helpers.ts";

const FILE = "qemu-snp-policy.igvm";
const DIGEST =
  loadCases().find((c) => c.tool === "igvmmeasure" && c.args.join(" ") === `${FILE} measure -b`)!
    .stdout;

const USAGE: string[][] = [
  [FILE, "--", "measure", "-b"],
  ["--", FILE, "measure", "-b"],
  [FILE, "measure", "-b", "--", "x"],
  ["-p=", "sev", FILE, "measure", "-b"],
  ["help", "foo"],
  [FILE, "help", "-v"],
  ["measure", "measure"],
  ["measure"],
  [FILE, "sign", "--output", "-x.igvm", "--id-key", "k.pem"],
  [FILE, "sign", "--output", "--id-key", "k.pem"],
];

for (const args of USAGE) {
  Deno.test(`usage error (exit 2): ${args.join(" ")}`, async () => {
    const r = await runInProcess(args, FILES);
    assertEquals(r.code, 2);
    assertEquals(r.stdout, "");
    assertMatch(r.stderr, /^error: /);
  });
}

Deno.test("a trailing `--` after the command is accepted", async () => {
  const r = await runInProcess([FILE, "measure", "-b", "--"], FILES);
  assertEquals([r.code, r.stdout], [0, DIGEST]);
});

Deno.test("`help` and `help measure` print help and exit 0", async () => {
  for (const args of [["help"], ["help", "measure"], ["-v", "help"]]) {
    const r = await runInProcess(args, FILES);
    assertEquals(r.code, 0, args.join(" "));
    assertMatch(r.stdout, /Usage: igvmmeasure/);
  }
});

Deno.test("empty option values reach the command and fail there (exit 1), writing nothing", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const input = new URL(FILE, FILES).pathname;
    const key = new URL("keys/id_key.pem", CONFORMANCE).pathname;
    for (
      const args of [
        [input, "sign", "--output=", "--id-key", key],
        [input, "sign", "--output", "o.igvm", "--id-key="],
        [input, "sign", "--output", "o.igvm", "--id-key", key, "--author-key="],
      ]
    ) {
      const r = await runInProcess(args, new URL(`file://${dir}/`));
      assertEquals(r.code, 1, args.join(" "));
      assertEquals(r.stdout, "");
      assertEquals(r.stderr.split("\n").length, 2, "one line");
      assertEquals([...Deno.readDirSync(dir)].length, 0, "no output");
    }
  } finally {
    Deno.removeSync(dir, { recursive: true });
  }
});

Deno.test("`--json` given as an option's value does not switch a usage error to JSON", async () => {
  const r = await runInProcess(["-p", "--json", FILE, "measure"], FILES);
  assertEquals(r.code, 2);
  assertEquals(r.stdout, "");
  const j = await runInProcess(["--json", FILE, "measure", "--bogus"], FILES);
  assertEquals(j.code, 2);
  assertEquals(JSON.parse(j.stdout).error.type !== undefined, true);
});
