/**
 * Run by no_wasm_test.ts in a process of its own: removes `WebAssembly` before
 * the library loads, so every page and PAGE_INFO is hashed by the plain
 * fallback (`hash.ts`), then replays the igvmmeasure conformance cases (sign
 * excepted) and the igvm crate's SNP, TDX and VBS digests, and prints one line
 * per mismatch. Exit code 0 when all agree.
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
// The igvm crate's rules (SNP, TDX, VBS) on the crate's own reference digests.
const { parseIgvm } = await import("../lib/igvm/parser.ts");
const { measureSnpOpenvmm } = await import("../lib/measure/openvmm_snp.ts");
const { measureTdx } = await import("../lib/measure/tdx.ts");
const { measureVbs } = await import("../lib/measure/vbs.ts");
const measures: Record<string, (f: ReturnType<typeof parseIgvm>) => Uint8Array> = {
  "sev-snp": (f) => measureSnpOpenvmm(f),
  "tdx": (f) => measureTdx(f),
  "vbs": (f) => measureVbs(f),
};
const crateCases = (JSON.parse(
  Deno.readTextFileSync(new URL("../../shared/conformance/expected.json", import.meta.url)),
).cases as { tool: string; args: string[]; exit: number; stdout: string }[])
  .filter((c) => c.tool === "igvm-crate" && c.exit === 0 && c.args[1] in measures);
for (const c of crateCases) {
  const [name, platform] = c.args;
  const file = parseIgvm(Deno.readFileSync(new URL(name, FILES)));
  const got = measures[platform](file).toHex().toUpperCase();
  if (got !== c.stdout.trim()) {
    bad++;
    console.log(`mismatch: igvm-crate ${c.args.join(" ")}`);
  }
}
const total = cases.length + crateCases.length;
console.log(`${total} cases, ${bad} mismatches`);
Deno.exit(bad === 0 ? 0 : 1);
