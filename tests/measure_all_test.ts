/**
 * `measureAll`: a file that cannot be read (cut short since it was parsed)
 * fails the whole listing with the source's error, naming the file, instead
 * of being listed as every digest's refusal (refusals themselves are checked
 * against the reference tools in inspect_test.ts).
 */

import { assertEquals, assertOk } from "./assert.ts";
import { FileAccessError, measureAll, parseIgvm } from "../lib/mod.ts";
import type { IgvmFile } from "../lib/igvm/types.ts";

const bytes = Deno.readFileSync(new URL("../testdata/sample.igvm", import.meta.url));

Deno.test("measureAll: an unreadable file is thrown, naming it, not listed as refusals", () => {
  const file = parseIgvm(bytes);
  assertOk(measureAll(file).every((d) => d.digest !== null), "readable: every digest");
  const cut: IgvmFile = {
    ...file,
    source: {
      size: file.source!.size,
      read() {
        throw new FileAccessError("sample.igvm", "cannot read file: unexpected end of file");
      },
    },
  };
  let thrown: unknown;
  try {
    measureAll(cut);
  } catch (e) {
    thrown = e;
  }
  assertOk(thrown instanceof FileAccessError, String(thrown));
  assertEquals((thrown as FileAccessError).file, "sample.igvm");
});
