/// <reference lib="dom" />
/**
 * The launch digests as a table: one row per platform and rule set, the
 * digest in upper-case hex (`[data-digest="<platform>/<semantics>"]`), or the
 * refusal (`data-refusal`), and a button that copies the digest exactly as
 * shown (the CLI's `measure -b` output without the newline).
 *
 * @module
 */

import type { DigestLine } from "../lib/inspect/inspect_text.ts";
import { h } from "./dom.ts";

const RULES: Record<string, string> = {
  coconut: "coconut (COCONUT-SVSM igvmmeasure)",
  openvmm: "openvmm (Microsoft igvm crate)",
};

async function copyText(text: string, source: HTMLElement): Promise<void> {
  try {
    await navigator.clipboard.writeText(text);
  } catch {
    // No clipboard API (e.g. a page not served from a secure origin): copy the selection.
    const range = document.createRange();
    range.selectNodeContents(source);
    const selection = getSelection();
    selection?.removeAllRanges();
    selection?.addRange(range);
    document.execCommand("copy");
  }
}

function digestRow(d: DigestLine, announce: (text: string) => void): HTMLTableRowElement {
  const key = `${d.platform}/${d.semantics}`;
  const label = `${d.platform} (${d.semantics})`;
  let value: HTMLElement;
  let action: HTMLElement | string = "";
  if (d.digest !== null) {
    const hex = d.digest.toUpperCase();
    value = h("code", { "data-digest": key, class: "digest" }, hex);
    const button = h(
      "button",
      { type: "button", "aria-label": `Copy the ${label} digest` },
      "Copy",
    );
    button.addEventListener("click", async () => {
      await copyText(hex, value);
      announce(`Copied the ${label} digest.`);
    });
    action = button;
  } else {
    value = h(
      "span",
      {},
      "refused: ",
      h("span", { "data-digest": key, "data-refusal": d.refusal ?? "" }, d.refusal ?? ""),
    );
    value.className = "refusal";
  }
  return h(
    "tr",
    {},
    h("th", { scope: "row" }, d.platform),
    h("td", {}, RULES[d.semantics] ?? d.semantics),
    h("td", {}, value),
    h("td", {}, action),
  );
}

/**
 * The digest table; `announce` receives the "copied" messages.
 *
 * @example
 * ```ts ignore
 * import { digestsView } from "./digests_view.ts";
 * box.replaceChildren(digestsView(digests, (t) => status.textContent = t));
 * ```
 */
export function digestsView(
  digests: readonly DigestLine[],
  announce: (text: string) => void,
): HTMLElement {
  if (digests.length === 0) {
    return h("p", {}, "None: the file has no platform this tool measures.");
  }
  return h(
    "table",
    { class: "digests" },
    h("caption", {}, "Launch digests, as igvmmeasure inspect lists them"),
    h(
      "thead",
      {},
      h(
        "tr",
        {},
        h("th", { scope: "col" }, "Platform"),
        h("th", { scope: "col" }, "Rules"),
        h("th", { scope: "col" }, "Launch digest"),
        h("th", { scope: "col" }, h("span", { class: "visually-hidden" }, "Copy")),
      ),
    ),
    h("tbody", {}, ...digests.map((d) => digestRow(d, announce))),
  );
}
