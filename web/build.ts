/**
 * `deno task web:build`: writes the static page to `dist/web/` (or the folder
 * given as the first argument): `index.html` (with the Content-Security-Policy
 * of `csp.ts`), `style.css`, `main.js` (the page's script, which carries the
 * worker's script as a string) and `_headers` (the same policy as a header,
 * for static hosts that read that file). Any static host can serve the
 * folder; nothing runs on the server. Bundles offline with `deno bundle`.
 *
 * @module
 */

import { CONTENT_SECURITY_POLICY } from "./csp.ts";

const ROOT = new URL("../", import.meta.url);
const WEB = new URL("web/", ROOT);

/** Default output folder, relative to the repository root. */
export const DEFAULT_OUT = "dist/web";

/** Bundles `entry` (relative to the repository root) for browsers; returns the script. */
async function bundle(entry: string, dir: string): Promise<string> {
  const out = `${dir}/${entry.replaceAll("/", "_")}.js`;
  const { code, stderr } = await new Deno.Command(Deno.execPath(), {
    args: ["bundle", "--quiet", "--platform=browser", "--frozen-lockfile", "-o", out, entry],
    cwd: ROOT,
    stdout: "inherit",
    stderr: "piped",
  }).output();
  if (code !== 0) {
    throw new Error(`deno bundle ${entry} failed:\n${new TextDecoder().decode(stderr)}`);
  }
  const script = await Deno.readTextFile(out);
  if (/^\s*(import|export)\b/m.test(script)) throw new Error(`${entry}: the bundle has imports`);
  return script;
}

/**
 * The page's script as a classic script (which browsers also load from
 * `file://`, unlike module scripts): the bundle, which imports nothing and
 * awaits nothing at its top, in a strict function, preceded by the worker's
 * script (a module: the library awaits at its top) as a string.
 */
function pageScript(main: string, worker: string): string {
  return `globalThis.IGVM_WORKER_SOURCE = ${JSON.stringify(worker)};\n` +
    `(function () {\n"use strict";\n${main}\n})();\n`;
}

/** `index.html` with the policy written in. */
async function indexHtml(): Promise<string> {
  const html = await Deno.readTextFile(new URL("index.html", WEB));
  if (html.split("{{CSP}}").length !== 2) throw new Error("web/index.html must hold {{CSP}} once");
  return html.replace("{{CSP}}", CONTENT_SECURITY_POLICY);
}

/**
 * Builds the page into `out` (relative to the current directory); returns the
 * files written.
 *
 * @example
 * ```ts ignore
 * import { buildWeb } from "./build.ts";
 * await buildWeb("dist/web"); // ["index.html", "style.css", "main.js", "_headers"]
 * ```
 */
export async function buildWeb(out: string = DEFAULT_OUT): Promise<string[]> {
  const tmp = await Deno.makeTempDir({ prefix: "igvm-web-" });
  try {
    const worker = await bundle("web/worker.ts", tmp);
    const main = await bundle("web/main.ts", tmp);
    const files: Record<string, string> = {
      "index.html": await indexHtml(),
      "style.css": await Deno.readTextFile(new URL("style.css", WEB)),
      // The worker's script travels inside the page's: starting a worker then loads nothing.
      "main.js": pageScript(main, worker),
      "_headers": `/*\n  Content-Security-Policy: ${CONTENT_SECURITY_POLICY}\n` +
        "  Referrer-Policy: no-referrer\n  X-Content-Type-Options: nosniff\n",
    };
    await Deno.remove(out, { recursive: true }).catch((e) => {
      if (!(e instanceof Deno.errors.NotFound)) throw e;
    });
    await Deno.mkdir(out, { recursive: true });
    for (const [name, text] of Object.entries(files)) {
      await Deno.writeTextFile(`${out}/${name}`, text);
    }
    return Object.keys(files);
  } finally {
    await Deno.remove(tmp, { recursive: true });
  }
}

if (import.meta.main) {
  const out = Deno.args[0] ?? DEFAULT_OUT;
  const files = await buildWeb(out);
  console.log(`Wrote ${files.join(", ")} to ${out}/`);
}
