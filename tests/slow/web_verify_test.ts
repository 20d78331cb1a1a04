/// <reference lib="dom" />
/**
 * Verification in the page (headless Chromium) against the CLI's
 * `verify --report`: a report built from what the CLI says the file implies
 * verifies (`data-verified="true"`), the same report with one bit of
 * MEASUREMENT flipped does not (`"false"`), under both SEV-SNP rule sets and
 * with `-n`; the page's text equals the CLI's stdout byte for byte and its
 * failure lines equal the CLI's stderr; a malformed report shows the CLI's
 * error line; with a VCEK, the report's own signature and chain are checked
 * as the CLI checks them (AMD's real Milan report and VCEK), and a VCEK that
 * is not a certificate shows the CLI's error line.
 */

import { assertEquals, assertOk } from "../assert.ts";
import {
  chooseIgvm,
  cli,
  conformanceFiles,
  HAVE_CHROMIUM,
  openPage,
  pageError,
  SKIPPED,
} from "../web_browser.ts";
import type { Page } from "npm:puppeteer-core@25.19.0";

/** File, global options, rules: each case whose file exists. */
const CASES: [string, string[], "coconut" | "openvmm"][] = [
  ["signed-qemu-snp-policy-id-author.igvm", [], "coconut"],
  ["signed-qemu-snp-policy-id-author.igvm", [], "openvmm"],
  ["signed-native-zero-qemu-snp-policy-id.igvm", ["-n"], "coconut"],
  ["qemu-snp-policy.igvm", [], "coconut"],
];

/** A version-2 report of a guest launched from the file, from `verify --json`'s view of it. */
function reportFor(v: Record<string, unknown>): Uint8Array {
  const r = new Uint8Array(0x4a0);
  const view = new DataView(r.buffer);
  const blocks = v.idBlocks as Record<string, unknown>[];
  const b = blocks.at(-1);
  view.setUint32(0x000, 2, true);
  view.setUint32(0x004, (b?.guestSvn as number) ?? 0, true);
  const policy = (b?.policy as { value: string } | null)?.value ?? "0x30000";
  view.setBigUint64(0x008, BigInt(policy), true);
  if (b) {
    r.set(Uint8Array.fromHex(b.familyId as string), 0x010);
    r.set(Uint8Array.fromHex(b.imageId as string), 0x020);
    view.setUint32(0x048, b.authorKeyEnabled ? 1 : 0, true);
    r.set(Uint8Array.fromHex(b.idKeyDigest as string), 0x0e0);
    r.set(Uint8Array.fromHex(b.authorKeyDigest as string), 0x110);
  }
  r.set(Uint8Array.fromHex(v.digest as string), 0x090);
  return r;
}

async function upload(page: Page, kind: string, path: string): Promise<void> {
  const input = await page.$(`input[type=file][data-input=${kind}]`);
  await input!.evaluate((i) => (i as HTMLInputElement).value = "");
  await (input as unknown as { uploadFile(p: string): Promise<void> }).uploadFile(path);
}

/** Waits for the verification's outcome: `true`, `false`, or the error line. */
async function outcome(page: Page): Promise<string> {
  await page.waitForFunction(() => {
    const r = document.querySelector("[data-verify-result]") as HTMLElement;
    const e = document.querySelector("[data-error]") as HTMLElement;
    return r.dataset.verified !== undefined || !e.hidden;
  }, { polling: 20 });
  return await page.$eval("[data-verify-result]", (r) => (r as HTMLElement).dataset.verified) ??
    await pageError(page);
}

async function pageVerification(page: Page): Promise<{ text: string; failures: string[] }> {
  return {
    text: await page.$eval("pre[data-verify-text]", (p) => p.textContent ?? ""),
    failures: await page.$$eval(
      "[data-verify-result] .failures li",
      (l) => l.map((e) => e.textContent ?? ""),
    ),
  };
}

Deno.test({
  name: `web: verify --report in the page gives the CLI's verdict, text and errors${SKIPPED}`,
  ignore: !HAVE_CHROMIUM,
  sanitizeOps: false,
  sanitizeResources: false,
  fn: async (t) => {
    const { dir: source, names } = conformanceFiles();
    const cases = CASES.filter(([n]) => names.includes(n));
    if (cases.length === 0) cases.push([names[0], [], "coconut"]);
    const dir = await Deno.makeTempDir({ prefix: "igvm-web-verify-" });
    for (const n of new Set(cases.map(([n]) => n))) {
      await Deno.copyFile(`${source}${n}`, `${dir}/${n}`);
    }
    const name = cases[0][0];
    const verdicts: string[] = [];
    const s = await openPage();
    try {
      for (const [file, flags, semantics] of cases) {
        const global = [...flags, "--semantics", semantics];
        await t.step(`${file} ${global.join(" ")}`, async () => {
          const n = flags.includes("-n");
          await s.page.$eval("#native-zero", (c, on) => (c as HTMLInputElement).checked = on, n);
          await s.page.select("#semantics", semantics);
          assertEquals(await chooseIgvm(s.page, `${dir}/${file}`), "done");
          const view = await cli(dir, [...global, file, "verify", "--json"]);
          const good = reportFor(JSON.parse(view.stdout));
          const bad = good.slice();
          bad[0x090] ^= 1; // one bit of MEASUREMENT
          for (const [report, bytes] of [["good.bin", good], ["bad.bin", bad]] as const) {
            await Deno.writeFile(`${dir}/${report}`, bytes);
            const expected = await cli(dir, [...global, file, "verify", "--report", report]);
            await upload(s.page, "report", `${dir}/${report}`);
            const verdict = await outcome(s.page);
            assertEquals(verdict, expected.code === 0 ? "true" : "false");
            verdicts.push(`${report}:${verdict}`);
            const shown = await pageVerification(s.page);
            assertEquals(shown.text, expected.stdout);
            assertEquals(shown.failures, expected.stderr.split("\n").filter((l) => l !== ""));
          }
        });
      }
      await t.step("both verdicts were seen", () => {
        assertOk(verdicts.includes("good.bin:true"), verdicts.join(" "));
        assertOk(verdicts.includes("bad.bin:false"), verdicts.join(" "));
      });

      await t.step(
        "with a VCEK: the report's signature is checked as the CLI checks it",
        async () => {
          // The page still shows the last case's file, measured with its flags and rules.
          const [file, flags, semantics] = cases.at(-1)!;
          const global = [...flags, "--semantics", semantics];
          const vectors = new URL(
            "../../testdata/vectors/tee-attestation-verification/",
            import.meta.url,
          );
          await Deno.copyFile(new URL("milan_attestation_report.bin", vectors), `${dir}/milan.bin`);
          await Deno.copyFile(new URL("milan_vcek.pem", vectors), `${dir}/milan_vcek.pem`);
          await Deno.writeTextFile(
            `${dir}/broken.pem`,
            "-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n",
          );
          // A VCEK that is not a certificate: the CLI's error line, naming it.
          const broken = await cli(dir, [
            ...global,
            file,
            "verify",
            "--report",
            "milan.bin",
            "--vcek",
            "broken.pem",
          ]);
          assertEquals(broken.code, 1);
          await upload(s.page, "vcek", `${dir}/broken.pem`);
          await upload(s.page, "report", `${dir}/milan.bin`);
          assertEquals(await outcome(s.page), broken.stderr.trimEnd());
          // AMD's real Milan report and its VCEK: genuine, but not a launch of this file.
          const real = await cli(dir, [
            ...global,
            file,
            "verify",
            "--report",
            "milan.bin",
            "--vcek",
            "milan_vcek.pem",
          ]);
          assertEquals(real.code, 1, real.stderr);
          await upload(s.page, "vcek", `${dir}/milan_vcek.pem`);
          assertEquals(await outcome(s.page), "false");
          // Both check at the time they run ("now", to the millisecond; certificate dates have none).
          const now = (t: string) => t.replace(/\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z/g, "<now>");
          const shown = await pageVerification(s.page);
          assertEquals(now(shown.text), now(real.stdout));
          const lines = real.stderr.split("\n").filter((l) => l !== "");
          assertEquals(shown.failures.map(now), lines.map(now));
          const row = await s.page.$$eval(
            "[data-verify-result] tr",
            (rows) =>
              rows.map((r) => r.textContent ?? "").find((t) => t.startsWith("report-signature")),
          );
          assertOk(row?.includes("pass"), row);
        },
      );

      await t.step("a malformed report shows the CLI's error line", async () => {
        await Deno.writeFile(`${dir}/short.bin`, new Uint8Array(100));
        const expected = await cli(dir, [name, "verify", "--report", "short.bin"]);
        assertEquals(expected.code, 1);
        await upload(s.page, "report", `${dir}/short.bin`);
        assertEquals(await outcome(s.page), expected.stderr.trimEnd());
        assertEquals(
          await s.page.$eval("[data-verify-result]", (r) => (r as HTMLElement).dataset.verified),
          undefined,
        );
      });
    } finally {
      await s.close();
      await Deno.remove(dir, { recursive: true });
    }
  },
});
