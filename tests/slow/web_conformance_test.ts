/// <reference lib="dom" />
/**
 * The web page in headless Chromium against the CLI: every conformance IGVM
 * file goes through the page's file input; every digest (and refusal) must
 * equal what `igvmmeasure <file> inspect --json` prints, the page's inspect
 * text must equal the CLI's text byte for byte, the memory map must draw
 * every memory range of the file, and a file the CLI refuses must show the
 * CLI's error line. A screenshot of a real file's page goes to
 * `dist/web-screenshot.png`.
 */

import { assertEquals, assertOk as assert } from "../assert.ts";
import {
  chooseIgvm,
  cli,
  cliDigests,
  conformanceFiles,
  HAVE_CHROMIUM,
  openPage,
  pageDigests,
  pageError,
  ROOT,
  SKIPPED,
} from "../web_browser.ts";
import { corpusFiles, reportCasesNotAtHand } from "../conformance_helpers.ts";

const { dir, names } = conformanceFiles();
// Without ../shared only the files copied into testdata/ are at hand: say how many are not.
if (HAVE_CHROMIUM) {
  reportCasesNotAtHand("web: the conformance files", corpusFiles().map((file) => ({ file })));
}

Deno.test({
  name: `web: every conformance file gives the CLI's digests, inspect text and errors${SKIPPED}`,
  ignore: !HAVE_CHROMIUM,
  sanitizeOps: false,
  sanitizeResources: false,
  fn: async (t) => {
    const s = await openPage();
    try {
      for (const name of names) {
        await t.step(name, async () => {
          const state = await chooseIgvm(s.page, `${dir}${name}`);
          const json = await cli(dir, [name, "inspect", "--json"]);
          if (json.code !== 0) {
            // The CLI refuses the file: the page shows the CLI's error line and no digest.
            const text = await cli(dir, [name, "inspect"]);
            assertEquals(state, "error");
            assertEquals(await pageError(s.page), text.stderr.trimEnd());
            assertEquals(await pageDigests(s.page), {});
            return;
          }
          assertEquals(state, "done");
          assertEquals(await pageError(s.page), "");
          const expected = JSON.parse(json.stdout);
          assertEquals(await pageDigests(s.page), cliDigests(expected));
          const text = await cli(dir, [name, "inspect"]);
          assertEquals(
            await s.page.$eval("pre[data-inspect-text]", (e) => e.textContent),
            text.stdout,
          );
          // Every merged memory range of the file is drawn, in every lane sharing its mask.
          const drawn = await s.page.$$eval(
            "svg[data-memory-map] rect.range",
            (rs) => rs.map((r) => r.getAttribute("aria-label")!),
          );
          for (const r of expected.memory) {
            const lanes = expected.platforms.filter((p: { compatibilityMask: number }) =>
              (p.compatibilityMask & r.compatibilityMask) !== 0
            );
            for (const p of lanes) {
              const label = `${p.type} 0x${p.compatibilityMask.toString(16)}: ${r.kind}: ` +
                `${r.start}..${r.end} `;
              assert(
                drawn.some((d) => d.startsWith(label)),
                `${name}: no map range ${label} among ${drawn.join(" | ")}`,
              );
            }
          }
        });
      }
      await t.step("a file that is not IGVM shows the CLI's error line", async () => {
        const tmp = await Deno.makeTempDir();
        try {
          await Deno.writeTextFile(`${tmp}/notes.txt`, "not an IGVM file\n");
          assertEquals(await chooseIgvm(s.page, `${tmp}/notes.txt`), "error");
          const { code, stderr } = await cli(tmp, ["notes.txt", "inspect"]);
          assertEquals(code, 1);
          assertEquals(stderr.split("\n").length, 2); // one line
          assertEquals(await pageError(s.page), stderr.trimEnd());
          assertEquals(await pageDigests(s.page), {});
        } finally {
          await Deno.remove(tmp, { recursive: true });
        }
      });
      await t.step("screenshot of a real file's page under dist/", async () => {
        const name = names.includes("qemu-all-policy.igvm") ? "qemu-all-policy.igvm" : names[0];
        assertEquals(await chooseIgvm(s.page, `${dir}${name}`), "done");
        await s.page.setViewport({ width: 1200, height: 900 });
        await s.page.evaluate(() => dispatchEvent(new Event("resize")));
        await new Promise((r) => setTimeout(r, 400)); // the map redraws at the new width
        await Deno.mkdir(new URL("dist/", ROOT), { recursive: true });
        const path = new URL("dist/web-screenshot.png", ROOT).pathname as `${string}.png`;
        await s.page.screenshot({ path, fullPage: true });
        assert(Deno.statSync(path).size > 10_000);
      });
    } finally {
      await s.close();
    }
  },
});
