/// <reference lib="dom" />
/**
 * Nothing leaves the machine: in headless Chromium, the page asks its server
 * for its own three files and nothing else, before or after files are put
 * through it (every request of the page and its worker is recorded, by the
 * browser and by the server); its Content-Security-Policy refuses requests
 * to anywhere else, from the page and from the worker, while it lets the
 * worker compile WebAssembly; the page says so; and with the server gone it
 * still measures files (offline).
 */

import { assertEquals, assertOk } from "../assert.ts";
import {
  chooseIgvm,
  cli,
  cliDigests,
  conformanceFiles,
  HAVE_CHROMIUM,
  openPage,
  pageDigests,
  SKIPPED,
} from "../web_browser.ts";
import { CONTENT_SECURITY_POLICY } from "../../web/csp.ts";

const OWN_FILES = ["/", "/style.css", "/main.js"];

Deno.test({
  name:
    `web: no request beyond the page's own files; the CSP forbids them; works offline${SKIPPED}`,
  ignore: !HAVE_CHROMIUM,
  sanitizeOps: false,
  sanitizeResources: false,
  fn: async (t) => {
    // A server the page must never reach.
    let sentinelHits = 0;
    const sentinel = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen: () => {} }, () => {
      sentinelHits++;
      return new Response("leaked", { headers: { "access-control-allow-origin": "*" } });
    });
    const elsewhere = `http://127.0.0.1:${sentinel.addr.port}/leak`;
    const s = await openPage();
    const { dir, names } = conformanceFiles();
    const own = (u: string) =>
      OWN_FILES.some((p) => u === new URL(p, s.server.url).href) ||
      u.startsWith(`blob:${s.server.url.replace(/\/$/, "")}/`);
    try {
      await t.step("loading asks for the page's own files only", () => {
        assertEquals(s.server.requests, OWN_FILES);
        assertEquals(
          s.urls.filter((u) => !u.startsWith("blob:")),
          OWN_FILES.map((p) => new URL(p, s.server.url).href),
        );
      });

      await t.step("the page states it and carries the policy", async () => {
        const meta = await s.page.$eval(
          "meta[http-equiv=Content-Security-Policy]",
          (m) => m.getAttribute("content"),
        );
        assertEquals(meta, CONTENT_SECURITY_POLICY);
        const note = await s.page.$eval("#privacy", (p) => p.textContent ?? "");
        assertOk(note.includes("Nothing leaves this machine"));
        assertOk(note.includes("'wasm-unsafe-eval'"));
        assertOk(note.includes("connect-src 'none'"));
      });

      await t.step("files put through the page cause no request", async () => {
        for (const name of names.slice(0, 4)) {
          assertEquals(await chooseIgvm(s.page, `${dir}${name}`), "done");
        }
        // A report to compare (with a file that has an SEV-SNP platform).
        assertEquals(await chooseIgvm(s.page, `${dir}${names[0]}`), "done");
        const report = await s.page.$("input[data-input=report]");
        const tmp = await Deno.makeTempDir();
        await Deno.writeFile(`${tmp}/report.bin`, new Uint8Array(1184).fill(2, 0, 1));
        await (report as unknown as { uploadFile(p: string): Promise<void> }).uploadFile(
          `${tmp}/report.bin`,
        );
        await s.page.waitForSelector("[data-verify-result][data-verified]");
        await Deno.remove(tmp, { recursive: true });
        assertEquals(s.server.requests, OWN_FILES);
        assertEquals(s.urls.filter((u) => !own(u)), []);
      });

      await t.step(
        "the policy refuses requests elsewhere, from the page and the worker",
        async () => {
          const violations = await s.page.evaluate(async (url) => {
            const seen: string[] = [];
            document.addEventListener(
              "securitypolicyviolation",
              (e) => seen.push(e.effectiveDirective),
            );
            const tries = [
              fetch(url).then(() => "fetched", () => "refused"),
              new Promise((r) => {
                const img = new Image();
                img.onload = () => r("loaded");
                img.onerror = () => r("refused");
                img.src = url;
              }),
            ];
            const results = await Promise.all(tries);
            let evalRefused = false;
            try {
              (0, eval)("1");
            } catch {
              evalRefused = true;
            }
            await new Promise((r) => setTimeout(r, 100));
            // Each refusal is reported once per policy: the <meta> one and the server's header.
            return { results, seen: [...new Set(seen)].sort(), evalRefused };
          }, elsewhere);
          assertEquals(violations.results, ["refused", "refused"]);
          assertEquals(violations.seen, ["connect-src", "img-src", "script-src"]);
          assertOk(violations.evalRefused);
          const worker = s.page.workers()[0];
          assertOk(worker, "the page's worker");
          const inWorker = await worker.evaluate(async (url) => {
            const seen: string[] = [];
            self.addEventListener(
              "securitypolicyviolation",
              (e) => seen.push(e.effectiveDirective),
            );
            const fetched = await fetch(url).then(() => "fetched", () => "refused");
            let wasm = "compiled";
            try {
              new WebAssembly.Module(new Uint8Array([0, 0x61, 0x73, 0x6d, 1, 0, 0, 0]));
            } catch (e) {
              wasm = String(e);
            }
            await new Promise((r) => setTimeout(r, 100));
            return { fetched, seen, wasm };
          }, elsewhere);
          assertEquals(inWorker, { fetched: "refused", seen: ["connect-src"], wasm: "compiled" });
          assertEquals(sentinelHits, 0);
        },
      );

      await t.step("offline: with the server gone, the page still measures", async () => {
        await s.server.shutdown();
        const name = names.at(-1)!;
        assertEquals(await chooseIgvm(s.page, `${dir}${name}`), "done");
        const json = await cli(dir, [name, "inspect", "--json"]);
        assertEquals(await pageDigests(s.page), cliDigests(JSON.parse(json.stdout)));
        // The only other URL recorded is the one the previous step asked for on purpose.
        assertEquals(s.urls.filter((u) => !own(u) && u !== elsewhere), []);
      });
    } finally {
      await s.close().catch(() => {});
      await sentinel.shutdown();
    }
  },
});
