/// <reference lib="dom" />
/**
 * The page by keyboard and for everyone (headless Chromium): the file input
 * is reached with Tab and opened with Space; the copy buttons are reached
 * with Tab and copy exactly the CLI's digest; the memory map takes the focus
 * and the arrow keys, and shows the focused or hovered range's address
 * range, kind and page count; every control has a label; text is readable
 * in the light and the dark scheme.
 */

import { assertEquals, assertOk } from "../assert.ts";
import {
  cli,
  cliDigests,
  conformanceFiles,
  HAVE_CHROMIUM,
  openPage,
  pageDigests,
  settled,
  SKIPPED,
} from "../web_browser.ts";
import type { FileChooser, Page } from "npm:puppeteer-core@25.19.0";

/** Presses Tab until the focused element matches `selector`; returns the number of presses. */
async function tabTo(page: Page, selector: string, limit = 80): Promise<number> {
  for (let i = 1; i <= limit; i++) {
    await page.keyboard.press("Tab");
    if (await page.evaluate((sel) => document.activeElement?.matches(sel) ?? false, selector)) {
      return i;
    }
  }
  throw new Error(`Tab never reached ${selector}`);
}

/**
 * Presses Space on the focused `selector` and returns the file chooser it
 * opens. Headless Chromium on a loaded machine has been seen to drop the
 * first chooser (a 30 s timeout in CI, never reproduced alone): up to three
 * presses, each with the element still focused by the keyboard, 10 s each.
 */
async function spaceOpensChooser(page: Page, selector: string): Promise<FileChooser> {
  for (let attempt = 1;; attempt++) {
    const isFocused = await page.evaluate(
      (sel) => document.activeElement?.matches(sel) ?? false,
      selector,
    );
    if (!isFocused) await tabTo(page, selector);
    const chooser = page.waitForFileChooser({ timeout: 10_000 });
    await page.keyboard.press("Space");
    try {
      return await chooser;
    } catch (e) {
      if (attempt === 3) throw e;
      console.error(`no file chooser after Space (attempt ${attempt}): ${e}`);
    }
  }
}

const focused = (page: Page) =>
  page.evaluate(() => document.activeElement?.getAttribute("aria-label") ?? "");

/** WCAG contrast ratio of two `rgb(r, g, b)` colours. */
function contrast(a: string, b: string): number {
  const lum = (c: string) => {
    const [r, g, bl] = c.match(/\d+(\.\d+)?/g)!.slice(0, 3).map(Number).map((v) => {
      const s = v / 255;
      return s <= 0.03928 ? s / 12.92 : ((s + 0.055) / 1.055) ** 2.4;
    });
    return 0.2126 * r + 0.7152 * g + 0.0722 * bl;
  };
  const [x, y] = [lum(a), lum(b)].sort((p, q) => q - p);
  return (x + 0.05) / (y + 0.05);
}

Deno.test({
  name: `web: keyboard, labels, copy buttons, map focus, light and dark${SKIPPED}`,
  ignore: !HAVE_CHROMIUM,
  sanitizeOps: false,
  sanitizeResources: false,
  fn: async (t) => {
    const { dir, names } = conformanceFiles();
    const name = names.includes("qemu-all-policy.igvm") ? "qemu-all-policy.igvm" : names[0];
    const s = await openPage();
    try {
      await t.step("Tab reaches the file input; Space opens it", async () => {
        await tabTo(s.page, "input[data-input=igvm]");
        const chooser = await spaceOpensChooser(s.page, "input[data-input=igvm]");
        await chooser.accept([`${dir}${name}`]);
        assertEquals(await settled(s.page), "done");
      });

      await t.step("Tab and Enter on each copy button copy the CLI's digest", async () => {
        await s.browser.defaultBrowserContext().overridePermissions(s.server.url, [
          "clipboard-read",
          "clipboard-write",
          "clipboard-sanitized-write",
        ]);
        const expected = cliDigests(
          JSON.parse((await cli(dir, [name, "inspect", "--json"])).stdout),
        );
        assertEquals(await pageDigests(s.page), expected);
        const copied: Record<string, string> = {};
        for (const key of Object.keys(expected)) {
          if (expected[key].startsWith("refused")) continue;
          const [platform, semantics] = key.split("/");
          const label = `Copy the ${platform} (${semantics}) digest`;
          await tabTo(s.page, `table.digests button[aria-label="${label}"]`);
          assertEquals(await focused(s.page), label);
          await s.page.keyboard.press("Enter");
          await s.page.waitForFunction(
            (l) => document.querySelector("#status")!.textContent!.includes(l.slice(9)),
            {},
            label,
          );
          copied[key] = await s.page.evaluate(() => navigator.clipboard.readText());
          await s.page.$eval("input[data-input=igvm]", (i) => (i as HTMLElement).focus());
        }
        const refusedOnly = Object.fromEntries(
          Object.entries(expected).filter(([, v]) => !v.startsWith("refused")),
        );
        assertEquals(copied, refusedOnly);
      });

      await t.step(
        "the map takes the focus; arrows move it; focus and hover show the range",
        async () => {
          await tabTo(s.page, "svg[data-memory-map] rect.range");
          const detail = () => s.page.$eval("[data-map-detail]", (d) => d.textContent ?? "");
          const first = await focused(s.page);
          assertOk(
            /: 0x[0-9a-f]+\.\.0x[0-9a-f]+ \(.*\d+ pages?, mask 0x[0-9a-f]+\)$/.test(first),
            first,
          );
          assertEquals(await detail(), first);
          await s.page.keyboard.press("ArrowRight");
          const second = await focused(s.page);
          assertOk(second !== first && second !== "");
          assertEquals(await detail(), second);
          await s.page.keyboard.press("End");
          assertEquals(await detail(), await focused(s.page));
          const rects = await s.page.$$("svg[data-memory-map] rect.range");
          await rects[3].hover();
          assertEquals(
            await detail(),
            await rects[3].evaluate((r) => r.getAttribute("aria-label")),
          );
          const titled = await s.page.$$eval(
            "svg[data-memory-map] rect.range",
            (rs) => rs.every((r) => (r.querySelector("title")?.textContent ?? "").length > 0),
          );
          assertOk(titled, "every range has a tooltip");
        },
      );

      await t.step("every control has a label", async () => {
        const unlabelled = await s.page.evaluate(() =>
          [...document.querySelectorAll("input, select, button, [tabindex='0']")]
            .filter((e) => {
              const labels = (e as HTMLInputElement).labels;
              const name = e.getAttribute("aria-label") ??
                (labels && labels.length ? labels[0].textContent : null) ??
                (e.tagName === "BUTTON" ? e.textContent : null);
              return !name?.trim();
            })
            .map((e) => e.outerHTML.slice(0, 80))
        );
        assertEquals(unlabelled, []);
        assertEquals(await s.page.$eval("[data-error]", (e) => e.getAttribute("role")), "alert");
      });

      for (const scheme of ["light", "dark"] as const) {
        await t.step(`readable in the ${scheme} scheme`, async () => {
          await s.page.emulateMediaFeatures([{ name: "prefers-color-scheme", value: scheme }]);
          const colors = await s.page.evaluate(() =>
            ["body", "code[data-digest]", ".hint", "table.digests caption", "button"].map((sel) => {
              const e = document.querySelector(sel)!;
              const st = getComputedStyle(e);
              return [sel, st.color, getComputedStyle(document.body).backgroundColor];
            })
          );
          for (const [sel, fg, bg] of colors) {
            assertOk(contrast(fg, bg) >= 4.5, `${scheme} ${sel}: ${fg} on ${bg}`);
          }
          const bg = colors[0][2];
          const dark = contrast(bg, "rgb(0, 0, 0)") < contrast(bg, "rgb(255, 255, 255)");
          assertEquals(dark, scheme === "dark", `${scheme} background ${bg}`);
        });
      }
    } finally {
      await s.close();
    }
  },
});
