/**
 * Run by slow/no_wasm_test.ts in a process of its own, with the argument `absent`
 * (removes `WebAssembly` before the library loads, as in a runtime without it)
 * or `refused` (every module compile throws `CompileError`, as on a web page
 * whose policy forbids compiling): either way every page, PAGE_INFO, stream, SHA-256
 * and header checksum takes the JavaScript fallback. Then replays the
 * igvmmeasure conformance cases (sign excepted) and the igvm crate's SNP, TDX
 * and VBS digests, and prints one line per mismatch. Exit code 0 when all agree.
 */

const refused = Deno.args[0] === "refused";
/** Compile attempts (refused mode): the CRC-32 must try, and fall back, too. */
let compiles = 0;
if (refused) {
  (WebAssembly as { Module: unknown }).Module = function () {
    compiles++;
    throw new WebAssembly.CompileError("compiling WebAssembly is not allowed here");
  };
} else {
  delete (globalThis as { WebAssembly?: unknown }).WebAssembly;
}

const { casesAtHand, corpusFile, filesFolder, loadCases, runInProcess } = await import(
  "./conformance_helpers.ts"
);
const { createPageHasher, createPageInfoHasher } = await import("../lib/measure/wasm_sha384.ts");

// The fallback is really in use: the hashers are plain arrays, not WebAssembly memory.
if (createPageHasher(1).input.buffer.byteLength !== 4096) {
  throw new Error("page hasher is not plain");
}
if (createPageInfoHasher().info.buffer.byteLength !== 112) throw new Error("chain is not plain");
const { createWasmSha256 } = await import("../lib/measure/wasm_sha256.ts");
if (createWasmSha256() !== null) throw new Error("SHA-256 is not plain");
const compilesBefore = compiles;

// The cases whose file is at hand (slow/no_wasm_test.ts reports the others as ignored).
const cases = casesAtHand(
  loadCases().filter((c) => c.tool === "igvmmeasure" && !c.args.includes("sign")),
);
let bad = 0;
for (const c of cases) {
  const r = await runInProcess(c.args, filesFolder(c.file)!);
  if (r.stdout !== c.stdout || r.code !== c.exit) {
    bad++;
    console.log(`mismatch: ${c.args.join(" ")}`);
  }
}
// The igvm crate's rules (SNP, TDX, VBS) on the crate's own reference digests.
const { parseIgvm } = await import("../lib/igvm/parser.ts");
const { CRATE_MEASURES, crateCases } = await import("./crate_cases.ts");
const measured = casesAtHand(crateCases().filter((c) => c.exit === 0));
for (const c of measured) {
  const [name, platform] = c.args;
  const file = parseIgvm(Deno.readFileSync(corpusFile(`files/${name}`)!));
  const got = CRATE_MEASURES[platform].measure(file).toHex().toUpperCase();
  if (got !== c.stdout.trim()) {
    bad++;
    console.log(`mismatch: igvm-crate ${c.args.join(" ")}`);
  }
}
const total = cases.length + measured.length;
if (refused && compiles === compilesBefore) throw new Error("the CRC-32 never tried WebAssembly");
console.log(`${total} cases, ${bad} mismatches`);
Deno.exit(bad === 0 ? 0 : 1);
