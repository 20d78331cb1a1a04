/**
 * No module of the project imports itself through others, type-only imports
 * included (`deno info --json` lists both): each layer can be read, and
 * bundled, from the bottom up.
 */

import { assertEquals } from "./assert.ts";

const ROOT = new URL("../", import.meta.url);

interface ModuleInfo {
  specifier: string;
  dependencies?: { code?: { specifier?: string }; type?: { specifier?: string } }[];
}

/** The project's import graph reachable from `entry`: module → the project modules it imports. */
async function importGraph(entry: string): Promise<Map<string, string[]>> {
  const r = await new Deno.Command(Deno.execPath(), {
    args: ["info", "--json", entry],
    cwd: ROOT.pathname,
    stdout: "piped",
    stderr: "piped",
    env: { NO_COLOR: "1" },
  }).output();
  if (!r.success) throw new Error(new TextDecoder().decode(r.stderr));
  const modules: ModuleInfo[] = JSON.parse(new TextDecoder().decode(r.stdout)).modules;
  const ours = (s?: string) => s !== undefined && s.startsWith(ROOT.href);
  return new Map(
    modules.filter((m) => ours(m.specifier)).map((m) => [
      m.specifier.slice(ROOT.href.length),
      (m.dependencies ?? []).flatMap((d) => [d.code?.specifier, d.type?.specifier])
        .filter(ours).map((s) => s!.slice(ROOT.href.length)),
    ]),
  );
}

/** Every cycle found by a depth-first walk, as the list of modules around it. */
function cycles(graph: Map<string, string[]>): string[][] {
  const state = new Map<string, "open" | "done">();
  const found: string[][] = [];
  const path: string[] = [];
  const visit = (m: string) => {
    state.set(m, "open");
    path.push(m);
    for (const d of graph.get(m) ?? []) {
      if (state.get(d) === "open") found.push([...path.slice(path.indexOf(d)), d]);
      else if (!state.has(d)) visit(d);
    }
    path.pop();
    state.set(m, "done");
  };
  for (const m of graph.keys()) if (!state.has(m)) visit(m);
  return found;
}

for (const entry of ["main.ts", "lib/mod.ts"]) {
  Deno.test(`imports: no cycles among the modules ${entry} loads`, async () => {
    const graph = await importGraph(entry);
    assertEquals(cycles(graph).map((c) => c.join(" → ")), []);
  });
}
