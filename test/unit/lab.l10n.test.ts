/*
 * The RNN Lab speaks Japanese: every string of the lab panel (LAB_STRINGS) and every
 * vscode.l10n.t literal of src/extension/labPanel.ts has a translation in
 * l10n/bundle.l10n.ja.json with the same {0}-placeholders; the commands have their titles in
 * package.nls.ja.json. Layer: test (Node).
 */
import * as assert from 'assert';
import * as fs from 'fs';
import * as path from 'path';
import { repoRoot } from './helpers/golden';
import { LAB_STRINGS, labStrings } from '../../src/extension/labStrings';
import { isLabEvent, isLabFromWebview } from '../../src/protocol/lab';

const root = repoRoot();
const ja = JSON.parse(fs.readFileSync(path.join(root, 'l10n', 'bundle.l10n.ja.json'), 'utf8')) as Record<string, string>;
const placeholders = (s: string) => (s.match(/\{\d+\}/g) ?? []).sort().join(',');
const JAPANESE = /[\u3040-\u30ff\u4e00-\u9fff]/;

describe('lab: Japanese', () => {
  it('every lab panel string has a Japanese translation with the same placeholders', () => {
    for (const [key, english] of Object.entries(LAB_STRINGS)) {
      if (english === 'L') continue;
      const t = ja[english];
      assert.ok(t, `${key}: no Japanese for ${JSON.stringify(english)}`);
      assert.strictEqual(placeholders(t), placeholders(english), `${key}: placeholders`);
      assert.ok(JAPANESE.test(t), `${key}: ${t}`);
    }
    const translated = labStrings((s) => ja[s] ?? s);
    assert.strictEqual(translated.stop, '停止');
  });

  it('every l10n.t literal of the lab panel has a Japanese translation', () => {
    const src = fs.readFileSync(path.join(root, 'src', 'extension', 'labPanel.ts'), 'utf8');
    const literals = [...src.matchAll(/\bt\('((?:[^'\\]|\\.)*)'/g)].map((m) => m[1].replace(/\\'/g, "'"));
    assert.ok(literals.length > 10);
    for (const english of literals) {
      assert.ok(ja[english], `no Japanese for ${JSON.stringify(english)}`);
      assert.strictEqual(placeholders(ja[english]), placeholders(english), english);
    }
  });

  it('the lab commands have titles in English and Japanese', () => {
    const pkg = JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8')) as { contributes: { commands: { command: string; title: string }[] }; activationEvents: string[] };
    const en = JSON.parse(fs.readFileSync(path.join(root, 'package.nls.json'), 'utf8')) as Record<string, string>;
    const nlsJa = JSON.parse(fs.readFileSync(path.join(root, 'package.nls.ja.json'), 'utf8')) as Record<string, string>;
    for (const id of ['rnnLens.lab.longMemory', 'rnnLens.lab.charLm']) {
      const c = pkg.contributes.commands.find((x) => x.command === id);
      assert.ok(c, id);
      const key = c.title.replace(/^%|%$/g, '');
      assert.ok(en[key] && JAPANESE.test(nlsJa[key]), key);
    }
    assert.ok(pkg.activationEvents.includes('onWebviewPanel:rnnLens.lab'));
  });
});

describe('lab: protocol validators', () => {
  it('accept what the webview and the worker send, refuse the rest', () => {
    assert.ok(isLabFromWebview({ type: 'stop' }));
    assert.ok(!isLabFromWebview({ type: 'eval', code: '1' }));
    assert.ok(!isLabFromWebview(null));
    assert.ok(isLabEvent({ type: 'done', stopped: true }));
    assert.ok(isLabEvent({ type: 'lm/step', index: 0, step: 1, loss: 0.5, gradNorm: 1 }));
    assert.ok(!isLabEvent({ type: 'lm/step', step: 'x' }));
    assert.ok(!isLabEvent({ type: 'other' }));
  });
});
