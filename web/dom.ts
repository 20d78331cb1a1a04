/// <reference lib="dom" />
/**
 * Small DOM builders for the page (text only: nothing is ever parsed as
 * HTML, so no file content can inject markup).
 *
 * @module
 */

/** A child: an element, or text. */
export type Child = Node | string;

/**
 * Creates `<tag>` with attributes and children.
 *
 * @example
 * ```ts ignore
 * import { h } from "./dom.ts";
 * h("p", { class: "note" }, "Nothing leaves this machine.");
 * ```
 */
export function h<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  attrs: Record<string, string> = {},
  ...children: Child[]
): HTMLElementTagNameMap[K] {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) e.setAttribute(k, v);
  e.append(...children);
  return e;
}

/**
 * A table with a caption, column headers and rows of cells.
 *
 * @example
 * ```ts ignore
 * import { table } from "./dom.ts";
 * table("Platforms", ["Type", "Mask"], [["SEV_SNP", "0x1"]]);
 * ```
 */
export function table(caption: string, headers: string[], rows: Child[][]): HTMLTableElement {
  return h(
    "table",
    {},
    h("caption", {}, caption),
    h("thead", {}, h("tr", {}, ...headers.map((t) => h("th", { scope: "col" }, t)))),
    h("tbody", {}, ...rows.map((r) => h("tr", {}, ...r.map((c) => h("td", {}, c))))),
  );
}

/** `<code>` with `text`. */
export function code(text: string): HTMLElement {
  return h("code", {}, text);
}
