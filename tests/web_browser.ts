/// <reference lib="dom" />
/**
 * Helpers of the browser tests (`web_*_test.ts`): the page built into a
 * temporary folder, served by `web/serve.ts` on 127.0.0.1, opened in Debian's
 * headless Chromium driven by puppeteer-core, with every request the page and
 * its workers make recorded. The tests are skipped, saying why, when
 * `/usr/bin/chromium` is absent (`.ci/run` installs it).
 *
 * @module
 */

import puppeteer, {
  type Browser,
  type CDPSession,
  type Page,
  type WebWorker,
} from "npm:puppeteer-core@25.19.0";
import { buildWeb } from "../web/build.ts";
import { serveStatic, type StaticServer } from "../web/serve.ts";
import { isFile, runInProcess } from "./conformance_helpers.ts";

/** Debian's Chromium. */
export const CHROMIUM = "/usr/bin/chromium";

/** True when the browser tests can run. */
export const HAVE_CHROMIUM: boolean = isFile(new URL(`file://${CHROMIUM}`));

/** Test name suffix when they cannot. */
export const SKIPPED: string = HAVE_CHROMIUM
  ? ""
  : ` (skipped: ${CHROMIUM} is absent; apt-get install chromium)`;

/** The repository root. */
export const ROOT = new URL("../", import.meta.url);

/** The conformance IGVM files: `../shared/conformance/files/` when present, else `testdata/conformance/files/`. */
export function conformanceFiles(): { dir: string; names: string[] } {
  for (const dir of ["../shared/conformance/files/", "testdata/conformance/files/"]) {
    const path = new URL(dir, ROOT).pathname;
    try {
      const names = [...Deno.readDirSync(path)]
        .filter((e) => e.isFile && e.name.endsWith(".igvm"))
        .map((e) => e.name)
        .sort();
      if (names.length) return { dir: path, names };
    } catch (e) {
      if (!(e instanceof Deno.errors.NotFound)) throw e;
    }
  }
  return { dir: new URL("testdata/", ROOT).pathname, names: ["sample.igvm"] };
}

/** An open page and everything recorded about it. */
export interface Session {
  /** The browser. */
  readonly browser: Browser;
  /** The page, loaded. */
  readonly page: Page;
  /** The static server (its `requests` are the paths it was asked for). */
  readonly server: StaticServer;
  /** Every URL the page and its workers requested, as the browser reports them. */
  readonly urls: string[];
  /** The folder the page was built into. */
  readonly site: string;
  /** Closes the browser, stops the server, removes the built page. */
  close(): Promise<void>;
}

function recordWorker(worker: WebWorker, urls: string[]): void {
  const client: CDPSession = worker.client;
  client.on("Network.requestWillBeSent", (e) => urls.push(e.request.url));
  client.send("Network.enable").catch(() => {/* the worker may already be gone */});
}

/**
 * Builds the page, serves it and opens it.
 *
 * @example
 * ```ts ignore
 * const s = await openPage();
 * try { ... } finally { await s.close(); }
 * ```
 */
export async function openPage(options: { dark?: boolean } = {}): Promise<Session> {
  const site = await Deno.makeTempDir({ prefix: "igvm-web-test-" });
  await buildWeb(site);
  // No policy header: the page's own <meta> policy must hold alone, as on any static host.
  const server = serveStatic(site, 0, { cspHeader: false });
  const profile = await Deno.makeTempDir({ prefix: "igvm-chromium-" });
  const browser = await puppeteer.launch({
    executablePath: CHROMIUM,
    headless: true,
    userDataDir: profile,
    args: [
      "--no-sandbox",
      "--disable-gpu",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
      "--no-first-run",
      "--disable-dev-shm-usage",
      // Nothing can reach past this machine, whatever the page tried.
      "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1",
    ],
  });
  const page = await browser.newPage();
  await page.setViewport({ width: 1200, height: 900 });
  if (options.dark) {
    await page.emulateMediaFeatures([{ name: "prefers-color-scheme", value: "dark" }]);
  }
  const urls: string[] = [];
  page.on("request", (r) => void urls.push(r.url()));
  page.on("workercreated", (w) => recordWorker(w, urls));
  page.on("pageerror", (e) => console.error("page error:", e));
  await page.goto(server.url, { waitUntil: "load" });
  return {
    browser,
    page,
    server,
    urls,
    site,
    async close() {
      await browser.close();
      await server.shutdown();
      await Deno.remove(site, { recursive: true });
      await Deno.remove(profile, { recursive: true }).catch(() => {});
    },
  };
}

/** Waits until the page is no longer measuring; returns `main[data-state]`. */
export async function settled(page: Page, timeout = 120_000): Promise<string> {
  await page.waitForFunction(
    () => !["measuring"].includes(document.querySelector("main")!.dataset.state ?? ""),
    { timeout, polling: 50 },
  );
  return await page.$eval("main", (m) => (m as HTMLElement).dataset.state ?? "");
}

/** Puts `path` through the IGVM file input and waits for the outcome. */
export async function chooseIgvm(page: Page, path: string): Promise<string> {
  const input = await page.$("input[type=file][data-input=igvm]");
  if (input === null) throw new Error("no IGVM file input");
  // The page's change handler sets the state at once: reset it, to see this file's outcome;
  // and empty the input, so that the same file chosen again is a change.
  await page.$eval("main", (m) => (m as HTMLElement).dataset.state = "idle");
  await input.evaluate((i) => (i as HTMLInputElement).value = "");
  await (input as unknown as { uploadFile(p: string): Promise<void> }).uploadFile(path);
  await page.waitForFunction(
    () => document.querySelector("main")!.dataset.state !== "idle",
    { polling: 20 },
  );
  return await settled(page);
}

/** The page's digests: `platform/semantics` → upper-case hex, or `refused: <reason>`. */
export function pageDigests(page: Page): Promise<Record<string, string>> {
  return page.$$eval("[data-digest]", (es) =>
    Object.fromEntries(es.map((e) => {
      const refusal = e.getAttribute("data-refusal");
      return [
        e.getAttribute("data-digest")!,
        refusal === null ? e.textContent ?? "" : `refused: ${refusal}`,
      ];
    })));
}

/** The page's error line, or "" when none is shown. */
export function pageError(page: Page): Promise<string> {
  return page.$eval("[data-error]", (e) => (e as HTMLElement).hidden ? "" : e.textContent ?? "");
}

/** What the CLI says about `name` in `dir` (run there, so it names the file as the page does). */
export async function cli(
  dir: string,
  args: string[],
): Promise<{ code: number; stdout: string; stderr: string }> {
  return await runInProcess(args, new URL(`file://${dir.endsWith("/") ? dir : dir + "/"}`));
}

/** The CLI's digests in the page's form (see {@link pageDigests}), from `inspect --json`. */
export function cliDigests(
  json: {
    digests: {
      platform: string;
      semantics: string;
      digest: string | null;
      refusal: string | null;
    }[];
  },
): Record<string, string> {
  return Object.fromEntries(json.digests.map((d) => [
    `${d.platform}/${d.semantics}`,
    d.digest !== null ? d.digest.toUpperCase() : `refused: ${d.refusal}`,
  ]));
}
