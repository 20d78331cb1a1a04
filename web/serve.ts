/**
 * `deno task web`: builds the page and serves `dist/web/` on 127.0.0.1
 * (port 8000, or `--port N`; 0 picks a free one), printing the URL. A plain
 * static server for trying the page locally (a worker cannot start from a
 * `file://` page): it sends the page's files with their Content-Security-
 * Policy as a header too, and nothing else.
 *
 * @module
 */

import { parseArgs } from "node:util";
import { buildWeb, DEFAULT_OUT } from "./build.ts";
import { CONTENT_SECURITY_POLICY } from "./csp.ts";

const TYPES: Record<string, string> = {
  html: "text/html; charset=utf-8",
  css: "text/css; charset=utf-8",
  js: "text/javascript; charset=utf-8",
};

/** A running static server. */
export interface StaticServer {
  /** `http://127.0.0.1:PORT/`. */
  readonly url: string;
  /** Every request path, in order (tests check that nothing else was asked for). */
  readonly requests: string[];
  /** Stops the server. */
  shutdown(): Promise<void>;
}

/**
 * Serves the files of `dir` (no subfolders, no listing) on 127.0.0.1:`port`;
 * with `cspHeader: false`, without the policy header (as a host that sends
 * no headers of its own: the page's `<meta>` policy then holds alone).
 *
 * @example
 * ```ts ignore
 * import { serveStatic } from "./serve.ts";
 * const server = serveStatic("dist/web", 0);
 * console.log(server.url);
 * await server.shutdown();
 * ```
 */
export function serveStatic(
  dir: string,
  port: number,
  options: { cspHeader?: boolean } = {},
): StaticServer {
  const policy: Record<string, string> = options.cspHeader === false
    ? {}
    : { "content-security-policy": CONTENT_SECURITY_POLICY };
  const requests: string[] = [];
  const server = Deno.serve({ hostname: "127.0.0.1", port, onListen: () => {} }, async (req) => {
    const path = new URL(req.url).pathname;
    requests.push(path);
    const name = path === "/" ? "index.html" : path.slice(1);
    const type = TYPES[name.split(".").pop() ?? ""];
    if (
      (req.method !== "GET" && req.method !== "HEAD") || !/^[a-z_]+\.[a-z]+$/.test(name) ||
      type === undefined
    ) {
      return new Response("not found\n", { status: 404 });
    }
    try {
      const body = await Deno.readFile(`${dir}/${name}`);
      return new Response(body, {
        headers: {
          "content-type": type,
          ...policy,
          "referrer-policy": "no-referrer",
          "x-content-type-options": "nosniff",
          "cache-control": "no-cache",
        },
      });
    } catch (e) {
      if (e instanceof Deno.errors.NotFound) return new Response("not found\n", { status: 404 });
      throw e;
    }
  });
  return {
    url: `http://127.0.0.1:${server.addr.port}/`,
    requests,
    shutdown: () => server.shutdown(),
  };
}

if (import.meta.main) {
  const { values } = parseArgs({ args: Deno.args, options: { port: { type: "string" } } });
  const port = Number(values.port ?? 8000);
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    console.error(`Error: invalid port '${values.port}'`);
    Deno.exit(2);
  }
  await buildWeb(DEFAULT_OUT);
  const server = serveStatic(DEFAULT_OUT, port);
  console.log(`igvmmeasure web page: ${server.url} (serving ${DEFAULT_OUT}/; Ctrl-C stops)`);
}
