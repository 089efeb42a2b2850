/*
 * Tiny DOM helpers for the Unroll View: elements are built with createElement /
 * createElementNS and text goes in through textContent only. There is deliberately no helper
 * that accepts HTML: every string from a document is hostile.
 * Layer: webview (DOM only).
 */

export const SVG_NS = 'http://www.w3.org/2000/svg';

type Attrs = Record<string, string | number | boolean | undefined>;
type Child = Node | string | undefined | null | false;

function setAttrs(e: Element, attrs?: Attrs): void {
  if (!attrs) return;
  for (const [k, v] of Object.entries(attrs)) {
    if (v === undefined || v === false) continue;
    // never an event handler attribute: handlers are attached with addEventListener
    if (/^on/i.test(k)) throw new Error(`refusing attribute ${k}`);
    e.setAttribute(k, v === true ? '' : String(v));
  }
}

function append(e: Element, children: Child[]): void {
  for (const c of children) {
    if (c === undefined || c === null || c === false) continue;
    e.appendChild(typeof c === 'string' ? document.createTextNode(c) : c);
  }
}

/** An HTML element with attributes and children (strings become text nodes). */
export function h<K extends keyof HTMLElementTagNameMap>(tag: K, attrs?: Attrs, ...children: Child[]): HTMLElementTagNameMap[K] {
  const e = document.createElement(tag);
  setAttrs(e, attrs);
  append(e, children);
  return e;
}

/** An SVG element with attributes and children. */
export function s<K extends keyof SVGElementTagNameMap>(tag: K, attrs?: Attrs, ...children: Child[]): SVGElementTagNameMap[K] {
  const e = document.createElementNS(SVG_NS, tag);
  setAttrs(e, attrs);
  append(e, children);
  return e;
}

/** Removes every child. */
export function clear(e: Element): void {
  while (e.firstChild) e.removeChild(e.firstChild);
}

/** Fills `{0}`, `{1}` placeholders of a localised template. */
export function fill(template: string, ...args: (string | number)[]): string {
  return template.replace(/\{(\d+)\}/g, (_, i) => String(args[Number(i)] ?? ''));
}

/** A subscript form of a number, for labels like h₁₂ (SVG text has no <sub>). */
export function sub(n: number | string): string {
  const digits = '₀₁₂₃₄₅₆₇₈₉';
  return String(n).replace(/[0-9]/g, (d) => digits[Number(d)]).replace(/-/g, '₋');
}
