/**
 * Argument forms as clap 4 (the original's parser) treats them: `--`, values
 * that look like options, `-p=`, the `help` subcommand and subcommand names
 * before INPUT, empty values, and `--json` given as a value.
 */

import { assertEquals, assertMatch, assertThrowsMatch } from "./assert.ts";
import { HelpRequest, parseArgs, UsageError } from "../lib/cli/args.ts";
import { commandHelp, type ProgramSpec } from "../lib/cli/grammar.ts";
import { PROGRAM } from "../lib/cli/spec.ts";
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

Deno.test("`--json` after the argument a usage error stops at still gives one JSON object", async () => {
  const cases: [string[], string][] = [
    [[FILE, "measure", "--bogus", "--json"], "unexpected argument '--bogus' found"],
    [
      ["-p", "bogus", FILE, "measure", "--json"],
      "invalid value 'bogus' for '--platform <PLATFORM>' [possible values: sev, sev-es, sev-snp, tdx, vbs]",
    ],
    [
      ["-vp", "bogus", FILE, "measure", "--json"],
      "invalid value 'bogus' for '--platform <PLATFORM>' [possible values: sev, sev-es, sev-snp, tdx, vbs]",
    ],
    [[FILE, "measure", "x", "--json"], "unexpected argument 'x' found"],
  ];
  for (const [args, message] of cases) {
    const r = await runInProcess(args, FILES);
    assertEquals([r.code, r.stderr], [2, ""], args.join(" "));
    assertEquals(JSON.parse(r.stdout), {
      command: null,
      file: null,
      error: { type: "usage", message, file: null, code: null },
    });
  }
  // A `--json` that an option takes as its value, or that is itself the argument parsing
  // stopped at (after `--`), leaves the error as text.
  for (const args of [["-vp", "--json", FILE, "measure"], [FILE, "measure", "--", "--json"]]) {
    const r = await runInProcess(args, FILES);
    assertEquals([r.code, r.stdout], [2, ""], args.join(" "));
  }
});

Deno.test("each parsing path's usage error, word for word", () => {
  const cases: [string[], string][] = [
    [[FILE, "--", "measure", "-b"], "unexpected argument 'measure' found"],
    [["--", FILE, "measure", "-b"], "unexpected argument 'measure' found"],
    [["--", "-V", "measure"], "unexpected argument 'measure' found"],
    [[FILE, "measure", "-b", "--", "x"], "unexpected argument 'x' found"],
    [[FILE, "measure", "x"], "unexpected argument 'x' found"],
    [["measure", "measure"], "unexpected argument 'measure' found"],
    [["help", "foo"], "unrecognized subcommand 'foo'"],
    [["help", "measure", "x"], "unrecognized subcommand 'x'"],
    [[FILE, "help", "-v"], "unrecognized subcommand '-v'"],
    [[FILE, "frob"], "unrecognized subcommand 'frob'"],
    [["measure"], "the following required arguments were not provided:\n  <INPUT>"],
    [[FILE], "'igvmmeasure' requires a subcommand but one was not provided"],
    [
      ["-p", FILE, "measure"],
      "invalid value 'qemu-snp-policy.igvm' for '--platform <PLATFORM>'\n" +
      "  [possible values: sev, sev-es, sev-snp, tdx, vbs]",
    ],
  ];
  for (const [args, message] of cases) {
    const e = assertThrowsMatch(() => parseArgs(PROGRAM, args), UsageError);
    assertEquals(e.message, message, args.join(" "));
  }
});

Deno.test("help and version requests on each path; a parse fills in the global defaults", () => {
  const measure = PROGRAM.commands.find((c) => c.name === "measure")!;
  const help = (args: string[]) => assertThrowsMatch(() => parseArgs(PROGRAM, args), HelpRequest);
  assertEquals(help(["help", "measure"]).text, commandHelp(PROGRAM, measure));
  assertEquals(help([FILE, "measure", "-h"]).text, commandHelp(PROGRAM, measure));
  // The version a release carries is deno.json's.
  const { version } = JSON.parse(Deno.readTextFileSync(new URL("../deno.json", import.meta.url)));
  assertEquals(help([FILE, "-V"]).text, `igvmmeasure ${version}\n`);
  const a = parseArgs(PROGRAM, ["-n", "-", "measure"]);
  assertEquals([a.input, a.command, a.commandOptions], ["-", "measure", {}]);
  assertEquals(a.global, { "native-zero": true, platform: "sev-snp", semantics: "coconut" });
});

Deno.test("a command's required option missing is a usage error naming it", () => {
  const spec: ProgramSpec = {
    ...PROGRAM,
    commands: [{
      name: "sign",
      about: "x",
      options: [{ long: "out", value: "FILE", help: "x" }],
      required: ["out"],
    }],
  };
  const e = assertThrowsMatch(() => parseArgs(spec, [FILE, "sign"]), UsageError);
  assertEquals(e.message, "the following required arguments were not provided:\n  --out <FILE>");
  assertEquals(parseArgs(spec, [FILE, "sign", "--out", "o"]).commandOptions, { out: "o" });
});
