/**
 * Third-party imports, in one place, with fully qualified specifiers so that a
 * remote `deno run https://…/main.ts` (which does not read `deno.json`) resolves
 * them exactly as a local checkout does.
 *
 * @module
 */
export { p384 } from "npm:@noble/curves@2.4.0/nist.js";
export { sha256 as nobleSha256, sha384 as nobleSha384 } from "npm:@noble/hashes@2.4.0/sha2.js";
