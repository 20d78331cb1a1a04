/**
 * The library is publishable: `deno publish --dry-run` passes (package metadata, slow types),
 * `deno doc --lint lib/mod.ts` is clean, every export of lib/mod.ts has a JSDoc example, and the
 * examples run (`deno task test:doc`, i.e. `deno test --doc` on the library's modules).
 */

import { assertEquals, assertOk } from "../assert.ts";
import { assertSuccess, deno, ROOT } from "../dist_helpers.ts";

Deno.test("publish: deno publish --dry-run passes", async () => {
  const r = await deno(["publish", "--dry-run", "--allow-dirty"], { cwd: ROOT });
  assertSuccess(r, "deno publish --dry-run");
  assertOk(/Dry run complete/.test(r.stderr + r.stdout), r.stderr);
});

Deno.test("publish: deno doc --lint lib/mod.ts is clean", async () => {
  const r = await deno(["doc", "--lint", "lib/mod.ts"], { cwd: ROOT });
  assertSuccess(r, "deno doc --lint");
});

Deno.test("publish: every function and class lib/mod.ts exports has an @example", async () => {
  const r = await deno(["doc", "--json", "lib/mod.ts"], { cwd: ROOT });
  assertSuccess(r, "deno doc --json");
  const nodes = JSON.parse(r.stdout).nodes;
  const mod = nodes[new URL("lib/mod.ts", ROOT).href];
  const symbols: {
    name: string;
    declarations: { kind: string; jsDoc?: { tags?: { kind: string }[] } }[];
  }[] = mod.symbols;
  // Deno std's rule: an example on each public function and class, not on every type.
  const code = symbols.filter((s) =>
    s.declarations.some((d) => d.kind === "function" || d.kind === "class")
  );
  assertOk(code.length > 10, `functions and classes: ${code.length}`);
  const missing = code.filter((s) =>
    !s.declarations.some((d) => d.jsDoc?.tags?.some((t) => t.kind === "example"))
  ).map((s) => s.name);
  assertEquals(missing, [], "exports without an @example");
});

Deno.test("publish: the JSDoc examples run (deno task test:doc)", async () => {
  const r = await deno(["task", "test:doc"], { cwd: ROOT });
  assertSuccess(r, "deno task test:doc");
  assertOk(/^ok \| \d+ passed \| 0 failed/m.test(r.stdout), r.stdout.slice(-500));
});
