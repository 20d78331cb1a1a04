/// <reference lib="dom" />
/**
 * The outcome of a verification: a verdict, the report fields compared
 * (report value against what the file implies, match or not), the checks,
 * and the CLI's `verify --report` text.
 *
 * @module
 */

import type { Verified } from "./protocol.ts";
import { code, h, table } from "./dom.ts";

const MARK: Record<string, string> = {
  match: "✓ match",
  mismatch: "✗ mismatch",
  pass: "✓ pass",
  fail: "✗ fail",
  skip: "– skip",
};

function status(s: string): HTMLElement {
  return h("span", { class: `status-${s}` }, MARK[s] ?? s);
}

/**
 * The verification view of `v`.
 *
 * @example
 * ```ts ignore
 * import { verifyView } from "./verify_view.ts";
 * resultBox.replaceChildren(...verifyView(verified));
 * ```
 */
export function verifyView(v: Verified): HTMLElement[] {
  const failures = v.failures.length;
  const verdict = v.verified
    ? "Verified: the report matches the IGVM file."
    : `Not verified: ${failures} failure${failures === 1 ? "" : "s"}.`;
  return [
    h("p", { class: v.verified ? "verdict pass" : "verdict fail" }, verdict),
    ...(failures ? [h("ul", { class: "failures" }, ...v.failures.map((f) => h("li", {}, f)))] : []),
    table(
      "Report fields against the IGVM file",
      ["Field", "Result", "Report", "IGVM file implies"],
      v.fields.map((f) => [
        f.field,
        status(f.status),
        code(f.report),
        f.expected === null ? "(not determined by the file)" : code(f.expected),
      ]),
    ),
    table(
      "Checks",
      ["Check", "Result", "Detail"],
      v.checks.map((c) => [c.name, status(c.status), c.detail]),
    ),
    h(
      "details",
      { class: "cli-text" },
      h(
        "summary",
        {},
        "The same, as ",
        code("igvmmeasure <file> verify --report <report>"),
        " prints it",
      ),
      h("pre", { "data-verify-text": "" }, v.text),
    ),
  ];
}
