// VS Code's display language without its language pack. code-server's --locale (or argv.json's
// "locale") sets the display language only when a language pack for it is registered in the user
// data dir's languagepacks.json; without one the workbench falls back to English, and so do
// vscode.env.language, vscode.l10n and the package.nls.<language>.json of extensions.
// Microsoft's packs (MS-CEINTL.vscode-language-pack-ja) come from the Marketplace, which these
// machines cannot reach, and npm carries none. So tests register an empty pack: VS Code's own
// strings stay English (every message falls back to its default), but the display language is
// the locale, and the extension host, vscode.l10n and manifest localization see it.
// Node-only script.
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/**
 * Registers an empty language pack for `locale` in `userDataDir/languagepacks.json` (kept when
 * that file already names the locale, e.g. a real pack a person installed).
 * @param {string} userDataDir
 * @param {string} locale e.g. 'ja'
 */
export function registerEmptyLanguagePack(userDataDir, locale) {
  const packsFile = join(userDataDir, 'languagepacks.json');
  let packs = {};
  if (existsSync(packsFile)) {
    try {
      packs = JSON.parse(readFileSync(packsFile, 'utf8'));
    } catch {
      packs = {};
    }
  }
  if (packs[locale]) return;
  const dir = join(userDataDir, 'rnn-lens-empty-language-pack', locale);
  mkdirSync(dir, { recursive: true });
  const translations = join(dir, 'main.i18n.json');
  writeFileSync(translations, JSON.stringify({ version: '1.0.0', contents: {} }));
  packs[locale] = {
    // the workbench caches generated messages under clp/<hash>.<locale>/
    hash: `rnn-lens-empty-${locale}`,
    extensions: [{ extensionIdentifier: { id: `rnn-lens-test.empty-language-pack-${locale}` }, version: '0.0.0' }],
    translations: { vscode: translations },
    label: locale,
  };
  mkdirSync(userDataDir, { recursive: true });
  writeFileSync(packsFile, JSON.stringify(packs, null, 2));
}
