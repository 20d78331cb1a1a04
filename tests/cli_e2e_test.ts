/**
 * End-to-end CLI tests: `deno run --allow-read main.ts …` in a child process,
 * checking stdout, stderr and the exit code (0 success, 1 failure, 2 usage).
 */

import { assertEquals, assertMatch, assertOk } from "./assert.ts";
import { loadCases } from "./conformance_helpers.ts";
import { serializeIgvm } from "../lib/igvm/serializer.ts";
import { pageData, snpFile, unsignedIdBlock } from "./builder.ts";
import type { SnpIdBlock } from "../lib/igvm/types.ts";

const ROOT = new URL("../", import.meta.url);
const MAIN = new URL("main.ts", ROOT).pathname;
const RULE = "=".repeat(111);
const USAGE = "Usage: igvmmeasure [OPTIONS] <INPUT> <COMMAND>";

interface Result {
  code: number;
  stdout: string;
  stderr: string;
}

async function run(args: string[], cwd: URL = ROOT): Promise<Result> {
  const out = await new Deno.Command(Deno.execPath(), {
    args: ["run", "--allow-read", MAIN, ...args],
    env: { NO_COLOR: "1", RUST_BACKTRACE: "0" },
    cwd,
    stdout: "piped",
    stderr: "piped",
  }).output();
  const dec = new TextDecoder();
  return { code: out.code, stdout: dec.decode(out.stdout), stderr: dec.decode(out.stderr) };
}

function banner(input: string, hex: string): string {
  return `\n${RULE}\nigvmmeasure '${input}'\nLaunch Digest: ${hex}\n${RULE}\n\n`;
}

/** A failure: exit 1, nothing on stdout, one stderr line `Error: <path>: …`, no stack trace. */
function assertFileError(r: Result, path: string): void {
  assertEquals(r.code, 1, `exit code (stderr: ${r.stderr})`);
  assertEquals(r.stdout, "");
  const lines = r.stderr.split("\n");
  assertEquals(lines.length, 2, `one line: ${JSON.stringify(r.stderr)}`);
  assertEquals(lines[1], "");
  assertOk(lines[0].startsWith(`Error: ${path}: `), lines[0]);
  assertOk(lines[0].length > `Error: ${path}: `.length, "a reason follows");
  for (const s of ["    at ", "Stack", "stack backtrace", "Uncaught", "panicked"]) {
    assertOk(!r.stderr.includes(s), `no stack trace (${s})`);
  }
}

/** A usage error: exit 2, nothing on stdout, clap's layout on stderr. */
function assertUsage(r: Result, firstLine: string): void {
  assertEquals(r.code, 2);
  assertEquals(r.stdout, "");
  assertOk(r.stderr.startsWith(`error: ${firstLine}`), r.stderr);
  assertOk(r.stderr.includes(`\n\n${USAGE}\n\nFor more information, try '--help'.\n`), r.stderr);
}

// ---------------------------------------------------------------------------
// Success
// ---------------------------------------------------------------------------

Deno.test("cli e2e: testdata/sample.igvm measure (banner) and -b", async () => {
  const bare = await run(["testdata/sample.igvm", "measure", "-b"]);
  assertEquals(bare.code, 0);
  assertEquals(bare.stderr, "");
  assertMatch(bare.stdout, /^[0-9A-F]{96}\n$/);
  const hex = bare.stdout.trim();
  const full = await run(["testdata/sample.igvm", "measure"]);
  assertEquals(full.code, 0);
  assertEquals(full.stderr, "");
  assertEquals(full.stdout, banner("testdata/sample.igvm", hex));
});

Deno.test("cli e2e: conformance file qemu-snp-policy.igvm", async (t) => {
  const path = "testdata/conformance/files/qemu-snp-policy.igvm";
  const want = loadCases().find((c) =>
    c.tool === "igvmmeasure" && c.file === "qemu-snp-policy.igvm" &&
    c.args.join(" ") === "qemu-snp-policy.igvm measure -b"
  );
  assertOk(want, "expected.json has the case");
  const hex = want.stdout.trim();
  assertEquals(hex.length, 96);
  await t.step("-b", async () => {
    const r = await run([path, "measure", "-b"]);
    assertEquals([r.code, r.stdout, r.stderr], [0, `${hex}\n`, ""]);
  });
  await t.step("banner", async () => {
    const r = await run([path, "measure"]);
    assertEquals([r.code, r.stdout, r.stderr], [0, banner(path, hex), ""]);
  });
  await t.step("-p sev: quoted platform error", async () => {
    const r = await run(["-p", "sev", path, "measure", "-b"]);
    assertEquals(r.code, 1);
    assertEquals(r.stdout, "");
    assertEquals(r.stderr, 'Error: "IGVM file is not compatible with the specified platform."\n');
  });
});

// ---------------------------------------------------------------------------
// Usage errors, help, version
// ---------------------------------------------------------------------------

Deno.test("cli e2e: usage errors exit 2", async (t) => {
  await t.step("no arguments", async () => {
    assertUsage(await run([]), "the following required arguments were not provided:\n  <INPUT>\n");
  });
  await t.step("unknown option", async () => {
    assertUsage(
      await run(["--bogus", "testdata/sample.igvm", "measure"]),
      "unexpected argument '--bogus' found\n",
    );
  });
  await t.step("unknown command option", async () => {
    assertUsage(
      await run(["testdata/sample.igvm", "measure", "-x"]),
      "unexpected argument '-x' found\n",
    );
  });
  await t.step("bad -p value", async () => {
    assertUsage(
      await run(["-p", "sev-snp2", "testdata/sample.igvm", "measure"]),
      "invalid value 'sev-snp2' for '--platform <PLATFORM>'\n  [possible values: sev, sev-es, sev-snp",
    );
  });
  await t.step("missing command", async () => {
    assertUsage(
      await run(["testdata/sample.igvm"]),
      "'igvmmeasure' requires a subcommand but one was not provided",
    );
  });
  await t.step("unknown command", async () => {
    assertUsage(await run(["testdata/sample.igvm", "frob"]), "unrecognized subcommand 'frob'");
  });
  await t.step("a usage error does not read the file", async () => {
    assertUsage(await run(["/nonexistent/file.igvm", "frob"]), "unrecognized subcommand 'frob'");
  });
});

Deno.test("cli e2e: --help, measure --help, --version exit 0", async (t) => {
  await t.step("--help", async () => {
    const r = await run(["--help"]);
    assertEquals(r.code, 0);
    assertEquals(r.stderr, "");
    assertOk(r.stdout.includes(`${USAGE}\n`), r.stdout);
    for (
      const s of ["measure", "sign", "--platform", "--native-zero", "--check-kvm", "--verbose"]
    ) {
      assertOk(r.stdout.includes(s), s);
    }
  });
  await t.step("-h", async () => {
    const r = await run(["-h"]);
    assertEquals([r.code, r.stderr], [0, ""]);
    assertOk(r.stdout.includes(USAGE));
  });
  await t.step("<INPUT> measure --help", async () => {
    const r = await run(["testdata/sample.igvm", "measure", "--help"]);
    assertEquals(r.code, 0);
    assertEquals(r.stderr, "");
    assertOk(r.stdout.includes("Usage: igvmmeasure <INPUT> measure [OPTIONS]"), r.stdout);
    assertOk(r.stdout.includes("--ignore-idblock") && r.stdout.includes("--bare"), r.stdout);
  });
  await t.step("--help does not read the input file", async () => {
    const r = await run(["/nonexistent/file.igvm", "measure", "--help"]);
    assertEquals([r.code, r.stderr], [0, ""]);
  });
  await t.step("--version", async () => {
    const r = await run(["--version"]);
    assertEquals(r.code, 0);
    assertEquals(r.stderr, "");
    assertMatch(r.stdout, /^igvmmeasure \d+\.\d+\.\d+\n$/);
  });
  await t.step("-V", async () => {
    const r = await run(["-V"]);
    assertEquals(r.code, 0);
    assertMatch(r.stdout, /^igvmmeasure \d+\.\d+\.\d+\n$/);
  });
});

// ---------------------------------------------------------------------------
// Bad files
// ---------------------------------------------------------------------------

Deno.test("cli e2e: bad files exit 1 with one line naming the file", async (t) => {
  const dir = await Deno.makeTempDir({ prefix: "igvmmeasure_e2e_" });
  try {
    const sample = await Deno.readFile(new URL("testdata/sample.igvm", ROOT));
    const write = async (name: string, bytes: Uint8Array) => {
      const p = `${dir}/${name}`;
      await Deno.writeFile(p, bytes);
      return p;
    };
    await t.step("missing file", async () => {
      const p = `${dir}/does-not-exist.igvm`;
      const r = await run([p, "measure"]);
      assertFileError(r, p);
      assertOk(r.stderr.includes("no such file"), r.stderr);
    });
    await t.step("a directory", async () => {
      assertFileError(await run([dir, "measure"]), dir);
    });
    await t.step("empty file", async () => {
      const p = await write("empty.igvm", new Uint8Array(0));
      assertFileError(await run([p, "measure"]), p);
    });
    await t.step("not an IGVM file", async () => {
      const p = await write(
        "text.igvm",
        new TextEncoder().encode("this is not an IGVM file\n".repeat(10)),
      );
      assertFileError(await run([p, "measure"]), p);
    });
    await t.step("truncated", async () => {
      const p = await write("truncated.igvm", sample.subarray(0, sample.length - 100));
      assertFileError(await run([p, "measure", "-b"]), p);
    });
    await t.step("truncated inside the fixed header", async () => {
      const p = await write("tiny.igvm", sample.subarray(0, 10));
      assertFileError(await run([p, "measure"]), p);
    });
    await t.step("bad checksum", async () => {
      const c = sample.slice();
      c[20] ^= 0xff;
      const p = await write("checksum.igvm", c);
      const r = await run([p, "measure"]);
      assertFileError(r, p);
      assertOk(r.stderr.toLowerCase().includes("checksum"), r.stderr);
    });
    await t.step("same errors with -v, -c and -p sev-es", async () => {
      const p = await write("empty2.igvm", new Uint8Array(0));
      assertFileError(await run(["-v", "-c", "-p", "sev-es", p, "measure", "-b"]), p);
    });
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

// ---------------------------------------------------------------------------
// ID block mismatch
// ---------------------------------------------------------------------------

const MISMATCH =
  "Error: An ID block has been provided in the IGVM file but the calculated measurement does not " +
  "match the expected measurement in the ID block. \nExpected: ";

Deno.test("cli e2e: ID block mismatch → exit 1, digest printed first", async (t) => {
  await t.step("conformance file signed for -n, measured without", async () => {
    const cwd = new URL("testdata/conformance/files/", ROOT);
    const file = "signed-native-zero-qemu-snp-policy-id.igvm";
    const want = loadCases().find((c) =>
      c.tool === "igvmmeasure" && c.args.join(" ") === `${file} measure`
    );
    assertOk(want);
    const r = await run([file, "measure"], cwd);
    assertEquals(r.code, 1);
    assertEquals(r.stdout, want.stdout);
    assertEquals(r.stderr, want.stderr);
  });
  const dir = await Deno.makeTempDir({ prefix: "igvmmeasure_e2e_" });
  try {
    const ld = new Uint8Array(48).fill(0xab);
    const idBlock: SnpIdBlock = unsignedIdBlock(ld, 1);
    const p = `${dir}/idblock.igvm`;
    await Deno.writeFile(
      p,
      serializeIgvm(
        snpFile([pageData(0x1000n, 1, new Uint8Array(4096).fill(1)), idBlock], 0x30000n),
      ),
    );
    const expected = `${MISMATCH}${"AB".repeat(48)}\n`;
    await t.step("built file, -b", async () => {
      const r = await run([p, "measure", "-b"]);
      assertEquals(r.code, 1);
      assertMatch(r.stdout, /^[0-9A-F]{96}\n$/);
      assertEquals(r.stderr, expected);
    });
    await t.step("built file, banner", async () => {
      const r = await run([p, "measure"]);
      assertEquals(r.code, 1);
      assertOk(r.stdout.startsWith(`\n${RULE}\nigvmmeasure '${p}'\nLaunch Digest: `), r.stdout);
      assertEquals(r.stderr, expected);
    });
    await t.step("-i ignores the ID block", async () => {
      const r = await run([p, "measure", "-b", "-i"]);
      assertEquals(r.code, 0);
      assertEquals(r.stderr, "");
    });
    await t.step("-p sev-es: no ID block check (platform missing here)", async () => {
      const r = await run(["-p", "sev-es", p, "measure", "-b"]);
      assertEquals(r.code, 1);
      assertEquals(r.stderr, 'Error: "IGVM file is not compatible with the specified platform."\n');
    });
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
