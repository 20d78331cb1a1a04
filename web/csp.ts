/**
 * The page's Content-Security-Policy, in one place: `build.ts` writes it into
 * `index.html` (a `<meta>`, so it holds on any static host) and into
 * `_headers` (for hosts that read that file); `serve.ts` also sends it as a
 * header.
 *
 * - `connect-src 'none'`: no fetch, XMLHttpRequest, WebSocket or beacon.
 * - `default-src 'none'`: nothing else is loaded either (fonts, frames,
 *   media, manifests, objects), except what follows.
 * - `script-src 'self' 'wasm-unsafe-eval'`: the page's own script, and
 *   compiling WebAssembly (the SHA-384 and CRC-32 modules shipped inside the
 *   script; no JavaScript `eval`).
 * - `worker-src blob:`: the worker is started from the page's own script
 *   (a `blob:` URL made from a string in it), so starting a worker loads
 *   nothing, and the worker inherits this very policy.
 * - `style-src 'self'`, `img-src 'self' data:`: the page's style sheet, and
 *   its icon written inline.
 * - `base-uri 'none'`, `form-action 'none'`: no base URL, no form posts.
 *
 * @module
 */

/** The policy, as one header value. */
export const CONTENT_SECURITY_POLICY: string = [
  "default-src 'none'",
  "script-src 'self' 'wasm-unsafe-eval'",
  "worker-src blob:",
  "style-src 'self'",
  "img-src 'self' data:",
  "connect-src 'none'",
  "base-uri 'none'",
  "form-action 'none'",
].join("; ");
