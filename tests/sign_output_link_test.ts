/**
 * `sign --output` through a symbolic link writes the file the link points to,
 * as the original's `File::create` does, and leaves the link in place: with a
 * relative link, a chain of links, and a link to a file not created yet. A
 * link into a folder that does not exist is one error line naming the path as
 * given, and nothing is written.
 */

import assert from "node:assert/strict";
import {
  assertBytesEqual,
  assertOneErrorLine,
  ID_KEY,
  input,
  reference,
  run,
  strayTempFiles,
  withTempDir,
} from "./signing_helpers.ts";

const BASE = input("qemu-snp-policy.igvm");
const EXPECTED = reference("qemu-snp-policy.signed-id.igvm");

Deno.test("sign --output through symbolic links writes their target, links stay", async () => {
  await withTempDir(async (dir) => {
    Deno.mkdirSync(`${dir}/out`);
    Deno.writeTextFileSync(`${dir}/out/existing.igvm`, "old contents\n");
    Deno.symlinkSync("existing.igvm", `${dir}/out/to-existing.igvm`); // relative to its folder
    Deno.symlinkSync("out/to-existing.igvm", `${dir}/chain.igvm`); // a link to a link
    Deno.symlinkSync(`${dir}/out/new.igvm`, `${dir}/to-new.igvm`); // absolute, target not yet there
    const want = Deno.readFileSync(EXPECTED);
    for (
      const [link, target] of [
        ["out/to-existing.igvm", "out/existing.igvm"],
        ["chain.igvm", "out/existing.igvm"],
        ["to-new.igvm", "out/new.igvm"],
      ]
    ) {
      const r = await run([BASE, "sign", "--id-key", ID_KEY, "--output", link], dir);
      assert.equal(r.code, 0, r.stderr);
      assert.ok(Deno.lstatSync(`${dir}/${link}`).isSymlink, `${link} is still a link`);
      assertBytesEqual(Deno.readFileSync(`${dir}/${target}`), want, `${link} -> ${target}`);
    }
    assert.deepEqual(strayTempFiles(dir), []);
    assert.deepEqual(strayTempFiles(`${dir}/out`), []);
  });
});

Deno.test("sign --output through a link into a missing folder: one error line, nothing written", async () => {
  await withTempDir(async (dir) => {
    Deno.symlinkSync("missing/x.igvm", `${dir}/dangling.igvm`);
    const r = await run([BASE, "sign", "--id-key", ID_KEY, "--output", "dangling.igvm"], dir);
    assert.equal(r.code, 1);
    assert.equal(
      assertOneErrorLine(r.stderr, "dangling.igvm"),
      "cannot create output file: no such file",
    );
    assert.ok(Deno.lstatSync(`${dir}/dangling.igvm`).isSymlink);
    assert.deepEqual(strayTempFiles(dir), []);
  });
});
