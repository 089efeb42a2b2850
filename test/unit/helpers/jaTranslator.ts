/*
 * A translator like vscode.l10n.t in Japanese, for unit tests: looks the English template up
 * in l10n/bundle.l10n.ja.json and fills the arguments with VS Code's own rule (format2:
 * `{key}` is replaced when key names an argument, anything else in braces is left as written).
 * Layer: test (Node). Reads only files inside the repository.
 */
import * as fs from 'fs';
import * as path from 'path';
import type { Translate } from '../../../src/document/messages';

const root = path.join(__dirname, '../../../..');

/** VS Code's substitution for l10n.t(message, ...args). */
export function format2(template: string, args: readonly (string | number)[]): string {
  if (args.length === 0) return template;
  return template.replace(/\{([^}]+)\}/g, (whole, key: string) => (/^\d+$/.test(key) && Number(key) < args.length ? String(args[Number(key)]) : whole));
}

/** The Japanese bundle, English template -> Japanese. */
export function japaneseBundle(): Record<string, string> {
  return JSON.parse(fs.readFileSync(path.join(root, 'l10n/bundle.l10n.ja.json'), 'utf8'));
}

/** vscode.l10n.t with the Japanese bundle loaded; `missing` collects templates without Japanese. */
export function japaneseTranslator(missing?: Set<string>): Translate {
  const bundle = japaneseBundle();
  return (template, ...args) => {
    const text = Object.prototype.hasOwnProperty.call(bundle, template) ? bundle[template] : undefined;
    if (text === undefined) missing?.add(template);
    return format2(text ?? template, args);
  };
}
