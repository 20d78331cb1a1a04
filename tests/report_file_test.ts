/**
 * Report and certificate files are read to a bound, whatever they are: a
 * device that never ends (`/dev/zero`) is refused in one line naming it,
 * where a size check by `stat` would have read forever.
 */

import { assertEquals, assertMatch } from "./assert.ts";
import { runInProcess } from "./conformance_helpers.ts";

const ROOT = new URL("../", import.meta.url);
const HAVE_DEV_ZERO = (() => {
  try {
    return Deno.statSync("/dev/zero").isCharDevice === true;
  } catch {
    return false;
  }
})();

Deno.test({
  name: `report and verify --report read at most 64 KiB of a device${
    HAVE_DEV_ZERO ? "" : " (skipped: no /dev/zero here)"
  }`,
  ignore: !HAVE_DEV_ZERO,
  async fn() {
    for (
      const args of [
        ["/dev/zero", "report"],
        ["testdata/sample.igvm", "verify", "--report", "/dev/zero"],
      ]
    ) {
      const r = await runInProcess(args, ROOT);
      assertEquals(r.code, 1, r.stderr);
      assertEquals(r.stdout, "");
      assertMatch(r.stderr, /^Error: \/dev\/zero: attestation report is more than 65536 bytes/);
      assertEquals(r.stderr.split("\n").length, 2, r.stderr);
    }
  },
});

Deno.test({
  name: `--vcek reads at most 1 MiB of a device${
    HAVE_DEV_ZERO ? "" : " (skipped: no /dev/zero here)"
  }`,
  ignore: !HAVE_DEV_ZERO,
  async fn() {
    const report = "testdata/vectors/tee-attestation-verification/milan_attestation_report.bin";
    const r = await runInProcess([report, "report", "--vcek", "/dev/zero"], ROOT);
    assertEquals(r.code, 1, r.stderr);
    assertMatch(
      r.stderr,
      /^Error: \/dev\/zero: VCEK certificate file is more than the 1048576 bytes/,
    );
    assertEquals(r.stderr.split("\n").length, 2, r.stderr);
  },
});
