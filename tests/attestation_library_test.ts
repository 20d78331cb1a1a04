/**
 * The attestation library's shape: browser-clean (no Deno or Node.js APIs in
 * lib/x509 and lib/verify/attestation), a documented entry point
 * (`@igvmmeasure/igvmmeasure/attestation` → lib/verify/attestation/mod.ts,
 * `deno doc --lint` clean, an example on every function and class).
 */

import { assertEquals, assertOk } from "./assert.ts";

const ROOT = new URL("../", import.meta.url);

function sources(dir: string): string[] {
  return [...Deno.readDirSync(new URL(dir, ROOT))].filter((e) => e.name.endsWith(".ts"))
    .map((e) => `${dir}${e.name}`);
}

Deno.test("attestation library: no Deno or Node.js APIs outside JSDoc examples", () => {
  for (const f of [...sources("lib/x509/"), ...sources("lib/verify/attestation/")]) {
    const code = Deno.readTextFileSync(new URL(f, ROOT))
      .split("\n").filter((l) => !/^\s*(\*|\/\/|\/\*\*)/.test(l)).join("\n");
    assertOk(!/\bDeno\./.test(code), `${f} uses Deno APIs`);
    assertOk(!/from\s+"node:/.test(code), `${f} imports node:`);
    assertOk(!/from\s+"\.\.\/\.\.\/cli\/|from\s+"\.\.\/cli\//.test(code), `${f} imports the CLI`);
  }
});

Deno.test("attestation library: deno doc --lint is clean and every function and class has an example", async () => {
  const run = (args: string[]) =>
    new Deno.Command(Deno.execPath(), {
      args,
      cwd: ROOT,
      stdout: "piped",
      stderr: "piped",
      env: { NO_COLOR: "1" },
    })
      .output();
  const lint = await run(["doc", "--lint", "lib/verify/attestation/mod.ts"]);
  assertEquals(lint.code, 0, new TextDecoder().decode(lint.stderr));
  const doc = await run(["doc", "--json", "lib/verify/attestation/mod.ts"]);
  const nodes = JSON.parse(new TextDecoder().decode(doc.stdout)).nodes;
  const mod = nodes[new URL("lib/verify/attestation/mod.ts", ROOT).href];
  type Decl = { kind: string; jsDoc?: { tags?: { kind: string }[] } };
  const symbols: { name: string; declarations: Decl[] }[] = mod.symbols;
  const callable = symbols.filter((s) =>
    s.declarations.some((d) => d.kind === "function" || d.kind === "class")
  );
  assertOk(callable.length >= 15, `${callable.length} functions and classes`);
  const missing = callable.filter((s) =>
    !s.declarations.some((d) => d.jsDoc?.tags?.some((t) => t.kind === "example"))
  )
    .map((s) => s.name);
  assertEquals(missing, []);
});
