/*
 * Messages from the snippet reader, kept as English templates with arguments so the extension
 * can localise them (vscode.l10n.t looks the template up in l10n/bundle.l10n.ja.json) while the
 * pure layer and its tests read plain English. Arguments may themselves be messages.
 * Layer: python (pure). Imports nothing.
 */

/** A localisable message: `text` is an English template with `{0}`, `{1}` placeholders. */
export interface Msg {
  text: string;
  args?: (string | number | Msg)[];
}

/** A translator with vscode.l10n.t's calling convention. */
export type Translate = (template: string, ...args: (string | number)[]) => string;

/** Fills `{n}` placeholders; what vscode.l10n.t does when no translation is loaded. */
export const english: Translate = (template, ...args) =>
  template.replace(/\{(\d+)\}/g, (whole, i: string) => (Number(i) < args.length ? String(args[Number(i)]) : whole));

/** Renders a message (and nested messages) with `t`. */
export function formatMsg(m: Msg, t: Translate = english): string {
  const args = (m.args ?? []).map((a) => (typeof a === 'object' ? formatMsg(a, t) : a));
  return t(m.text, ...args);
}

/** Shorthand constructor. */
export function msg(text: string, ...args: (string | number | Msg)[]): Msg {
  return args.length > 0 ? { text, args } : { text };
}
