/**
 * Our parser against microsoft/igvm's `IgvmFile::new_from_binary` on the
 * conformance corpus: every `igvm-crate … parse` case of
 * the conformance corpus's expected.json. Same accept/refuse verdict; on accept
 * the same header counts and platform fields as the crate printed; on refuse
 * our `IgvmFormatError.code` equals the crate's `Debug` name of the error.
 * Files outside testdata/ need ../shared/conformance: without it their steps
 * are ignored, the reason in their names.
 */

import { assertEquals, assertOk } from "./assert.ts";
import {
  type ConformanceCase,
  corpusFile,
  FULL_CORPUS_SKIP,
  loadCases,
} from "./conformance_helpers.ts";
import { IgvmFormatError } from "../lib/errors.ts";
import { parseIgvm } from "../lib/igvm/parser.ts";
import type { IgvmFile } from "../lib/igvm/types.ts";

type Verdict = { ok: true; file: IgvmFile } | { ok: false; error: IgvmFormatError };

const verdicts = new Map<string, Verdict>();

function verdict(name: string): Verdict {
  let v = verdicts.get(name);
  if (v === undefined) {
    const bytes = Deno.readFileSync(corpusFile(`files/${name}`)!);
    try {
      v = { ok: true, file: parseIgvm(bytes) };
    } catch (e) {
      if (!(e instanceof IgvmFormatError)) throw e;
      v = { ok: false, error: e };
    }
    verdicts.set(name, v);
  }
  return v;
}

/** Our file printed as the crate's test harness prints an accepted file. */
function describe(f: IgvmFile): string {
  const lines = [
    `OK platforms=${f.platforms.length} initializations=${f.initializations.length} ` +
    `directives=${f.directives.length}`,
  ];
  for (const p of f.platforms) {
    lines.push(
      `platform type=0x${p.platformType.toString(16)} mask=0x${p.compatibilityMask.toString(16)} ` +
        `version=${p.platformVersion} highest_vtl=${p.highestVtl} ` +
        `shared_gpa_boundary=0x${p.sharedGpaBoundary.toString(16)}`,
    );
  }
  return lines.join("\n") + "\n";
}

const all = loadCases().filter((c) => c.tool === "igvm-crate");
const parseCases = all.filter((c) => c.args[1] === "parse");

Deno.test(`parse verdict: ${parseCases.length} igvm-crate parse cases`, async (t) => {
  assertOk(parseCases.length > 0);
  assertOk(parseCases.some((c) => c.exit === 0) && parseCases.some((c) => c.exit === 2));
  for (const c of parseCases) {
    await step(t, c.file, c.file, () => checkParseCase(c));
  }
});

/** A step on the corpus file `file`: ignored, the reason in its name, when it is not at hand. */
function step(t: Deno.TestContext, name: string, file: string, fn: () => void): Promise<boolean> {
  const at = corpusFile(`files/${file}`) !== undefined;
  return t.step({ name: at ? name : `${name} (${FULL_CORPUS_SKIP})`, ignore: !at, fn });
}

function checkParseCase(c: ConformanceCase): void {
  const v = verdict(c.file);
  if (c.exit === 0) {
    assertOk(v.ok, `crate accepts, we refuse: ${v.ok ? "" : v.error.code}`);
    assertEquals(describe(v.file), c.stdout);
  } else {
    assertEquals(c.exit, 2, "a parse case fails only with exit 2");
    assertOk(!v.ok, "crate refuses, we accept");
    assertEquals(v.error.code, c.stderr.trim());
  }
}

Deno.test("parse verdict: measurement cases refuse exactly the files parse refuses", async (t) => {
  const parseVerdict = new Map(parseCases.map((c) => [c.file, c.exit === 0]));
  for (const c of all.filter((c) => c.args[1] !== "parse")) {
    await step(t, c.args.join(" "), c.file, () => {
      const crateParsed = c.exit !== 2;
      assertEquals(crateParsed, parseVerdict.get(c.file), "crate consistent with its parse case");
      const v = verdict(c.file);
      assertEquals(v.ok, crateParsed);
      if (!v.ok) assertEquals(v.error.code, c.stderr.trim());
    });
  }
});
