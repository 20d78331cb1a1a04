/**
 * Run by no_wasm_test.ts in a process of its own: removes `WebAssembly` before
 * the library loads, so every page and PAGE_INFO is hashed by the plain
 * fallback (`hash.ts`), then replays the conformance cases the test names
 * (and the every-kind files) and prints one line per mismatch. Exit code 0
 * when all agree.
 */

delete (globalThis as { WebAssembly?: unknown }).WebAssembly;

const { FILES, loadCases, runInProcess } = await import("./conformance_helpers.ts");
const { createPageHasher, createPageInfoHasher } = await import("../lib/measure/wasm_sha384.ts");

// The fallback is really in use: the hashers are plain arrays, not WebAssembly memory.
if (createPageHasher(1).input.buffer.byteLength !== 4096) {
  throw new Error("page hasher is not plain");
}
if (createPageInfoHasher().info.buffer.byteLength !== 112) throw new Error("chain is not plain");

const cases = loadCases().filter((c) => c.tool === "igvmmeasure" && !c.args.includes("sign"));
let bad = 0;
for (const c of cases) {
  const r = await runInProcess(c.args, FILES);
  if (r.stdout !== c.stdout || r.code !== c.exit) {
    bad++;
    console.log(`mismatch: ${c.args.join(" ")}`);
  }
}
console.log(`${cases.length} cases, ${bad} mismatches`);
Deno.exit(bad === 0 ? 0 : 1);
