/**
 * A `measure` run on a small file does not load Deno's Node compatibility
 * layer (≈ 25 ms of start-up), whatever the platform: SEV-SNP and TDX hash
 * with the WebAssembly SHA-384, SEV-ES, SEV and VBS with the WebAssembly
 * SHA-256 (lib/measure/wasm_sha256.ts). Each run is a process of its own
 * (node_free_run.ts) that watches the `process` global.
 */

import { assertEquals } from "./assert.ts";
import { serializeIgvm } from "../lib/igvm/serializer.ts";
import { pageData, platform } from "./builder.ts";
import type { IgvmFile } from "../lib/igvm/types.ts";

const RUNNER = new URL("./node_free_run.ts", import.meta.url).pathname;

function smallFile(platformType: number): IgvmFile {
  return {
    revision: { version: 1 },
    platforms: [platform(platformType, 0x1)],
    initializations: [],
    directives: Array.from(
      { length: 16 },
      (_, i) => pageData(0x100000n + BigInt(i) * 0x1000n, 0x1, new Uint8Array(4096).fill(i + 1)),
    ),
  };
}

async function run(args: string[]): Promise<string> {
  const out = await new Deno.Command(Deno.execPath(), {
    args: ["run", "--allow-read", RUNNER, ...args],
    env: { NO_COLOR: "1", RUST_BACKTRACE: "0" },
    stdout: "piped",
    stderr: "piped",
  }).output();
  return new TextDecoder().decode(out.stdout) + new TextDecoder().decode(out.stderr);
}

Deno.test("measure: no platform loads the Node compatibility layer for a small file", async () => {
  const dir = await Deno.makeTempDir({ prefix: "igvmmeasure_node_free_" });
  try {
    const cases: [string, number, string[]][] = [
      ["sev-snp", 2, []],
      ["sev-es", 5, ["-p", "sev-es"]],
      ["sev", 4, ["-p", "sev"]],
      ["tdx", 3, ["-p", "tdx"]],
      ["vbs", 1, ["-p", "vbs"]],
    ];
    for (const [name, type, options] of cases) {
      const path = `${dir}/${name}.igvm`;
      await Deno.writeFile(path, serializeIgvm(smallFile(type)));
      const out = await run([...options, path, "measure", "-b"]);
      assertEquals(out.split("\n").at(-2), "exit 0, node: not loaded", `${name}: ${out}`);
    }
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
