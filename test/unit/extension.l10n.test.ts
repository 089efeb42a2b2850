/*
 * Every runtime string of the extension runtime has careful Japanese in l10n/bundle.l10n.ja.json,
 * with the same {0} placeholders; every manifest key of package.json has both languages.
 * Layer: test (Node). Reads only files inside the repository.
 */
import * as assert from 'assert';
import * as fs from 'fs';
import * as path from 'path';
import { TEMPLATES } from '../../src/extension/templates';

const root = path.join(__dirname, '../../..');
/** Files under src/extension (and src/run) whose t('...') strings are shown by the extension (selection.ts moved to src/run). */
const FILES = ['commands', 'hover', 'hoverContent', 'hoverMarkdown', 'diagnostics', '../run/selection', 'documentFeatures', 'extension'];

/** The literal first arguments of t('...') calls in a source file. */
function literals(file: string): string[] {
  const src = fs.readFileSync(path.join(root, 'src/extension', `${file}.ts`), 'utf8');
  return [...src.matchAll(/\bt\(\s*'((?:[^'\\]|\\.)*)'/g)].map((m) => m[1].replace(/\\'/g, "'"));
}

function placeholders(s: string): string[] {
  return [...new Set(s.match(/\{\d+\}/g) ?? [])].sort();
}

describe('extension l10n', () => {
  const ja: Record<string, string> = JSON.parse(fs.readFileSync(path.join(root, 'l10n/bundle.l10n.ja.json'), 'utf8'));
  const keys = [...new Set([...FILES.flatMap(literals), ...TEMPLATES.flatMap((tpl) => [tpl.label, tpl.detail])])];

  it('finds the strings (sanity: the scan sees the command messages)', () => {
    assert.ok(keys.includes('forget gate') && keys.length > 60, String(keys.length));
  });

  for (const key of keys) {
    it(`ja: ${key.slice(0, 60)}`, () => {
      const text = ja[key];
      if (key === '{0} → {1}') return; // the same in every language
      assert.ok(typeof text === 'string' && text.length > 0, 'has a Japanese entry');
      assert.deepStrictEqual(placeholders(text), placeholders(key), 'same placeholders');
    });
  }

  it('manifest: every %key% of the runtime engineer\'s sections is in package.nls.json and package.nls.ja.json', () => {
    const manifest = fs.readFileSync(path.join(root, 'package.json'), 'utf8');
    const en = JSON.parse(fs.readFileSync(path.join(root, 'package.nls.json'), 'utf8'));
    const jaNls = JSON.parse(fs.readFileSync(path.join(root, 'package.nls.ja.json'), 'utf8'));
    const used = [...manifest.matchAll(/%(rnnLens\.(?:command|config)\.[^%]+)%/g)].map((m) => m[1]);
    assert.ok(used.length >= 10);
    for (const k of used) {
      assert.ok(en[k], `${k} in package.nls.json`);
      assert.ok(jaNls[k], `${k} in package.nls.ja.json`);
    }
  });
});
