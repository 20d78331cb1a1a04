/**
 * `measureAll`: a file that cannot be read (cut short since it was parsed)
 * fails the whole listing with the source's error, naming the file, instead
 * of being listed as every digest's refusal (refusals themselves are checked
 * against the reference tools in inspect_test.ts).
 */

import { assertEquals, assertOk, assertThrowsMatch } from "./assert.ts";
import { FileAccessError, measure, measureAll, parseIgvm } from "../lib/mod.ts";
import { type MeasureOptions, parseOptionsFor, usesPageHashes } from "../lib/measure/measure.ts";
import type { IgvmFile } from "../lib/igvm/types.ts";

const bytes = Deno.readFileSync(new URL("../testdata/sample.igvm", import.meta.url));
const SAMPLE_DIGEST =
  "c3ef3ed4d764b9dc1c6f6cb5641a5c51dba1603d884bcb8935f9f7cd9f81d285aae34250786decfbfab324d067b2b618";

Deno.test("measureAll: an unreadable file is thrown, naming it, not listed as refusals", () => {
  const file = parseIgvm(bytes);
  // Readable: both SEV-SNP rule sets give the sample's launch digest (worked out by hand from its
  // pages in sample_digest_test.ts).
  assertEquals(
    measureAll(file).map((d) => [d.platform, d.semantics, d.digest?.toHex(), d.refusal]),
    [["sev-snp", "coconut", SAMPLE_DIGEST, null], ["sev-snp", "openvmm", SAMPLE_DIGEST, null]],
  );
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

Deno.test("measure: a platform or semantics it does not know is a RangeError naming the value", () => {
  const file = parseIgvm(bytes);
  // What a JavaScript caller (no type checks) may pass.
  const unknown = { platform: "snp" } as unknown as MeasureOptions;
  assertThrowsMatch(() => measure(file, unknown), RangeError, /unknown platform 'snp' \(sev-snp, /);
  assertThrowsMatch(() => parseOptionsFor(unknown), RangeError, /unknown platform 'snp'/);
  assertThrowsMatch(() => usesPageHashes("snp" as never), RangeError, /unknown platform 'snp'/);
  const semantics = { semantics: "Coconut" } as unknown as MeasureOptions;
  assertThrowsMatch(
    () => measure(file, semantics),
    RangeError,
    /^unknown semantics 'Coconut' \(coconut, openvmm\)$/,
  );
});
