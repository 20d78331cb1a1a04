/**
 * Compiles one of the project's WebAssembly modules (kept as base64 in a
 * TypeScript file, so that every way of shipping the code carries it).
 *
 * @module
 */

import { fromBase64 } from "./encoding.ts";

/**
 * The compiled module, or null where the code must run without it: the runtime
 * has no WebAssembly, or refuses to compile (an engine without SIMD, a web page
 * whose policy forbids compiling). Any other failure is a fault to report, not
 * a reason to quietly take the slower JavaScript path.
 *
 * @example
 * ```ts
 * import { compileModule } from "./wasm_module.ts";
 * import { CRC32_WASM } from "./igvm/crc32_wasm.ts";
 * compileModule(CRC32_WASM) instanceof WebAssembly.Module; // true in Deno
 * ```
 */
export function compileModule(base64: string): WebAssembly.Module | null {
  const bytes = fromBase64(base64);
  if (typeof WebAssembly === "undefined") return null;
  try {
    return new WebAssembly.Module(bytes);
  } catch (e) {
    if (e instanceof WebAssembly.CompileError) return null;
    throw e;
  }
}
