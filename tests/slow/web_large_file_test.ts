/// <reference lib="dom" />
/**
 * A large IGVM file in the page (headless Chromium): a 259 MiB file made with
 * the project's serializer (the benchmark's model: 256 MiB of random pages,
 * 64 MiB of pages without data, unmeasured, secrets and CPUID pages, a VMSA
 * just below 2^48) is hashed in the worker with a moving progress bar and
 * ends with the CLI's digests; the worker's memory (JavaScript heap and
 * array buffers, sampled throughout) stays far below the file's size, as it
 * reads the file in slices and lets go of each; the memory map shows the lone 4 KiB pages beside
 * the 256 MiB range; and the cancel button stops the worker.
 */

import { assertEquals, assertOk } from "../assert.ts";
import {
  cli,
  cliDigests,
  HAVE_CHROMIUM,
  openPage,
  pageDigests,
  settled,
  SKIPPED,
} from "../web_browser.ts";
import { largeModel, writeModel } from "../../bench/bench_helpers.ts";
import type { Page } from "npm:puppeteer-core@25.19.0";

const MiB = 1024 * 1024;
/** The worker holds a read window, a batch of pages and the parsed headers (about 25 MiB here), never the file. */
const WORKER_MEMORY_BOUND = 64 * MiB;

/** Records every value the progress bar takes, in `window.progressSeen`. */
function recordProgress(page: Page): Promise<void> {
  return page.evaluate(() => {
    const bar = document.querySelector<HTMLProgressElement>("#progress")!;
    const seen: [number, number][] = [];
    (globalThis as unknown as { progressSeen: [number, number][] }).progressSeen = seen;
    new MutationObserver(() => {
      if (bar.hasAttribute("value")) seen.push([bar.value, bar.max]);
    }).observe(bar, { attributes: true, attributeFilter: ["value", "max"] });
  });
}

/** Puts `path` through the file input; returns once the page measures it. */
async function upload(page: Page, path: string): Promise<void> {
  const input = await page.$("input[type=file][data-input=igvm]");
  await input!.evaluate((i) => (i as HTMLInputElement).value = ""); // the same file is a change
  await (input as unknown as { uploadFile(p: string): Promise<void> }).uploadFile(path);
  await page.waitForFunction(() => document.querySelector("main")!.dataset.state === "measuring");
}

Deno.test({
  name:
    `web: a 259 MiB file shows progress, ends with the CLI's digests, and can be cancelled${SKIPPED}`,
  ignore: !HAVE_CHROMIUM,
  sanitizeOps: false,
  sanitizeResources: false,
  fn: async (t) => {
    const dir = await Deno.makeTempDir({ prefix: "igvm-web-large-" });
    const name = "large.igvm";
    const size = writeModel(largeModel(256, 64), `${dir}/${name}`);
    const s = await openPage();
    try {
      await t.step("progress, bounded worker memory, the CLI's digests", async () => {
        await recordProgress(s.page);
        await upload(s.page, `${dir}/${name}`);
        // Sample the worker's memory until the page is done.
        let peak = 0;
        let samples = 0;
        while (
          await s.page.$eval("main", (m) => (m as HTMLElement).dataset.state) === "measuring"
        ) {
          const worker = s.page.workers()[0];
          const heap = await worker?.client.send("Runtime.getHeapUsage").catch(() => undefined);
          if (heap) {
            peak = Math.max(peak, heap.usedSize + (heap.backingStorageSize ?? 0));
            samples++;
          }
          // Every 20 ms: three samples need only 60 ms of the hashing of 256 MiB, which takes
          // far longer on any machine (a native SHA-384 at 1 GB/s would take 250 ms).
          await new Promise((r) => setTimeout(r, 20));
        }
        assertEquals(await settled(s.page), "done");
        const json = await cli(dir, [name, "inspect", "--json"]);
        assertEquals(await pageDigests(s.page), cliDigests(JSON.parse(json.stdout)));

        const seen = await s.page.evaluate(() =>
          (globalThis as unknown as { progressSeen: [number, number][] }).progressSeen
        );
        const between = seen.filter(([v, max]) => v > 0 && v < max);
        assertOk(
          new Set(between.map(([v]) => v)).size >= 3,
          `progress seen: ${JSON.stringify(seen)}`,
        );
        for (let i = 1; i < seen.length; i++) {
          assertOk(
            seen[i][0] / seen[i][1] >= seen[i - 1][0] / seen[i - 1][1],
            "progress goes forward",
          );
        }
        assertOk(samples >= 3, `worker memory sampled ${samples} times`);
        assertOk(
          peak < WORKER_MEMORY_BOUND && peak < size / 4,
          `worker memory peaked at ${(peak / MiB).toFixed(1)} MiB for a ${
            (size / MiB).toFixed(0)
          } MiB file`,
        );
      });

      await t.step("the map shows the 4 KiB pages beside 256 MiB", async () => {
        const widths = await s.page.$$eval(
          "svg[data-memory-map] rect.range",
          (rs) => rs.map((r) => [r.getAttribute("data-kind")!, r.getBoundingClientRect().width]),
        );
        for (const kind of ["normal", "zero", "unmeasured", "secrets", "cpuid", "vmsa"]) {
          const w = widths.filter(([k]) => k === kind).map(([, w]) => w as number);
          assertOk(w.length > 0 && w.every((x) => x >= 8), `${kind}: widths ${w}`);
        }
      });

      await t.step("cancel stops the worker mid-way", async () => {
        await recordProgress(s.page);
        await upload(s.page, `${dir}/${name}`);
        await s.page.waitForFunction(() => {
          const bar = document.querySelector<HTMLProgressElement>("#progress")!;
          return bar.hasAttribute("value") && bar.value > 0;
        }, { polling: 20 });
        await s.page.$eval("#cancel", (b) => (b as HTMLButtonElement).click());
        assertEquals(await settled(s.page), "cancelled");
        assertEquals(await pageDigests(s.page), {});
        assertEquals(await s.page.$eval("#progress", (p) => (p as HTMLElement).hidden), true);
        // The worker is gone (terminated, not merely ignored).
        for (let i = 0; i < 50 && s.page.workers().length > 0; i++) {
          await new Promise((r) => setTimeout(r, 100));
        }
        assertEquals(s.page.workers().length, 0);
      });
    } finally {
      await s.close();
      await Deno.remove(dir, { recursive: true });
    }
  },
});
