/**
 * Usage errors of `sign`: exit 2, a clap-style `error: ...` message with the
 * usage line on stderr, nothing on stdout, and nothing written.
 */

import assert from "node:assert/strict";
import {
  AUTHOR_KEY,
  ID_KEY,
  input,
  listDir,
  run,
  spawnCli,
  withTempDir,
} from "./signing_helpers.ts";

const BASE = input("qemu-snp-policy.igvm");
// Paths that need not exist: usage is checked before any file is read.
const PUB = "id.pub.pem";
const SIG = "id.sig";
const APUB = "author.pub.pem";
const ASIG = "author.sig";

const CASES: [string, string[], RegExp][] = [
  ["no options at all", [], /--output/],
  ["missing --output", ["--id-key", ID_KEY], /--output/],
  ["missing --id-key", ["--output", "o.igvm"], /--id-key/],
  ["--author-key without --id-key", ["--output", "o.igvm", "--author-key", AUTHOR_KEY], /--id-key/],
  [
    "--id-key with --id-signature",
    ["--output", "o.igvm", "--id-key", ID_KEY, "--id-signature", SIG, "--id-public-key", PUB],
    /--id-key.*--id-signature/,
  ],
  [
    "--id-signature without --id-public-key",
    ["--output", "o.igvm", "--id-signature", SIG],
    /--id-public-key/,
  ],
  [
    "--author-key with --author-signature",
    [
      "--output",
      "o.igvm",
      "--id-key",
      ID_KEY,
      "--author-key",
      AUTHOR_KEY,
      "--author-signature",
      ASIG,
      "--author-public-key",
      APUB,
    ],
    /--author-key/,
  ],
  [
    "--author-signature without --author-public-key",
    [
      "--output",
      "o.igvm",
      "--id-public-key",
      PUB,
      "--id-signature",
      SIG,
      "--author-signature",
      ASIG,
    ],
    /--author-signature.*--author-public-key|--author-public-key.*--author-signature/,
  ],
  [
    "--author-public-key without --author-signature",
    [
      "--output",
      "o.igvm",
      "--id-public-key",
      PUB,
      "--id-signature",
      SIG,
      "--author-public-key",
      APUB,
    ],
    /--author-signature/,
  ],
  [
    "--author-signature without --id-signature",
    [
      "--output",
      "o.igvm",
      "--id-key",
      ID_KEY,
      "--author-signature",
      ASIG,
      "--author-public-key",
      APUB,
    ],
    /--author/,
  ],
  ["--write-id-key without --id-public-key", ["--write-id-key", "k.bin"], /--id-public-key/],
  [
    "--write-id-block with --output",
    ["--write-id-block", "b.bin", "--output", "o.igvm"],
    /--output/,
  ],
  [
    "--write-id-block with --id-key",
    ["--write-id-block", "b.bin", "--id-key", ID_KEY],
    /--write-id-block/,
  ],
  [
    "--write-id-block with --id-signature",
    ["--write-id-block", "b.bin", "--id-signature", SIG, "--id-public-key", PUB],
    /--write-id-block/,
  ],
  [
    "--write-id-key with --author-key",
    ["--write-id-key", "k.bin", "--id-public-key", PUB, "--author-key", AUTHOR_KEY],
    /--write-id/,
  ],
  ["--output without a value", ["--id-key", ID_KEY, "--output"], /--output/],
  ["--id-key without a value", ["--output", "o.igvm", "--id-key"], /--id-key/],
  ["unknown option", ["--output", "o.igvm", "--id-key", ID_KEY, "--idkey", ID_KEY], /--idkey/],
  [
    "measure's option given to sign",
    ["--output", "o.igvm", "--id-key", ID_KEY, "--bare"],
    /--bare/,
  ],
  ["an extra positional argument", ["--output", "o.igvm", "--id-key", ID_KEY, "extra"], /extra/],
];

for (const [name, args, message] of CASES) {
  Deno.test(`sign usage error: ${name} → exit 2`, () =>
    withTempDir(async (dir) => {
      const r = await run([BASE, "sign", ...args], dir);
      assert.equal(r.code, 2, `exit 2; stderr ${r.stderr}`);
      assert.equal(r.stdout, "");
      assert.match(r.stderr, /^error: /);
      assert.match(r.stderr, /\nUsage: igvmmeasure \[OPTIONS\] <INPUT> <COMMAND>\n/);
      assert.match(r.stderr, message);
      assert.doesNotMatch(r.stderr, /internal error/);
      assert.deepEqual(listDir(dir), [], "nothing written");
    }));
}

Deno.test("sign usage errors are found before the input is read (missing input, exit 2)", () =>
  withTempDir(async (dir) => {
    const r = await run([`${dir}/missing.igvm`, "sign", "--id-key", ID_KEY], dir);
    assert.equal(r.code, 2, r.stderr);
  }));

Deno.test("sign usage error through the real CLI: exit 2", () =>
  withTempDir(async (dir) => {
    const r = await spawnCli([BASE, "sign", "--id-key", ID_KEY], dir);
    assert.equal(r.code, 2, r.stderr);
    assert.equal(r.stdout, "");
    assert.match(r.stderr, /^error: .*\n[\s\S]*--output/);
    assert.deepEqual(listDir(dir), []);
  }));

Deno.test("sign --help prints the options and exits 0", () =>
  withTempDir(async (dir) => {
    const r = await run([BASE, "sign", "--help"], dir);
    assert.equal(r.code, 0);
    for (
      const flag of [
        "--output",
        "--id-key",
        "--author-key",
        "--family-id",
        "--image-id",
        "--guest-svn",
        "--write-id-block",
        "--write-id-key",
        "--id-public-key",
        "--id-signature",
        "--author-public-key",
        "--author-signature",
      ]
    ) assert.ok(r.stdout.includes(flag), flag);
  }));
