/*
 * Localization audit: everything a user reads has careful Japanese.
 * - every vscode.l10n.t / t / tr literal in src/extension, every template of the document
 *   catalogue (tr('...') in src/document), every msg('...') of the Python snippet reader, the
 *   webview strings and the templates' labels have an entry in l10n/bundle.l10n.ja.json with
 *   the same {n} placeholders, written in Japanese (not left equal to the English, except the
 *   few listed in SAME_IN_JAPANESE);
 * - PyTorch's sentences inside templates stay verbatim in the Japanese (searchable);
 * - every document-layer message really goes through the translator (a marking translator on
 *   the bad-document corpus);
 * - every %key% of package.json is in package.nls.json and package.nls.ja.json, and vice versa;
 * - the Japanese JSON schema has a Japanese description wherever the English one has one.
 * Layer: test (Node). Reads only files inside the repository.
 */
import * as assert from 'assert';
import * as fs from 'fs';
import * as path from 'path';
import { english, PYTORCH_SENTENCES, type Translate } from '../../src/document/messages';
import { readDocument, readTensorText } from '../../src/document/reader';
import { resolveInputOverride, resolveParameters, resolveRun, ResolveError } from '../../src/document/resolve';
import { nestedToTensor, isProblem } from '../../src/document/nested';
import { WEBVIEW_STRINGS } from '../../src/extension/webviewStrings';
import { TEMPLATES } from '../../src/extension/templates';

const root = path.join(__dirname, '../../..');
const read = (rel: string) => fs.readFileSync(path.join(root, rel), 'utf8');

/** Entries whose Japanese is rightly the same text as the English: formulas, code, pure placeholders. */
const SAME_IN_JAPANESE = new Set([
  '{0}: {1}',
  '{0} → {1}',
  'h_t = {0}(W_ih x_t + b_ih + W_hh h_(t-1) + b_hh)',
  'head = output[-1] W^T + b',
  'torch.manual_seed(0); nn.RNN(10, 20, batch_first=True) + nn.Linear(20, 2); x = torch.rand(3, 5, 10)',
  'nn.LSTM(4, 8, num_layers=2, bidirectional=True, batch_first=True); x = torch.rand(2, 7, 4)',
]);

/** Kana, kanji, or Japanese punctuation (「、」 in a list of model sizes is already Japanese). */
const JAPANESE = /[\u3000-\u30ff\u4e00-\u9fff\uff00-\uffef]/;

/** The string literals that are first arguments of calls to `callee` (a regex source) in a file. */
function callLiterals(file: string, callee: string): { literals: string[]; nonLiteral: string[] } {
  // Comment lines (` * ...`, `// ...`) may quote calls; only code counts.
  const src = read(file).split('\n').filter((line) => !/^\s*(\*|\/\/|\/\*)/.test(line)).join('\n');
  const literals: string[] = [];
  const nonLiteral: string[] = [];
  const call = new RegExp(`(?<![\\w.$])(?:this\\.|reader\\.|vscode\\.l10n\\.)?${callee}\\(\\s*`, 'g');
  for (const m of src.matchAll(call)) {
    const rest = src.slice(m.index! + m[0].length);
    const lit = /^(?:'(?:[^'\\\n]|\\.)*'|"(?:[^"\\\n]|\\.)*")/.exec(rest);
    if (lit) literals.push(new Function(`return ${lit[0]};`)() as string);
    else nonLiteral.push(`${file}: ${rest.slice(0, 50).split('\n')[0]}`);
  }
  return { literals, nonLiteral };
}

function tsFiles(dir: string): string[] {
  return fs.readdirSync(path.join(root, dir)).filter((f) => f.endsWith('.ts')).sort().map((f) => `${dir}/${f}`);
}

function placeholders(s: string): string[] {
  return [...new Set(s.match(/\{\d+\}/g) ?? [])].sort();
}

const ja: Record<string, string> = JSON.parse(read('l10n/bundle.l10n.ja.json'));

// The definitions (`function msg(text`, `export const english`) are not calls with literals.
const DEFINITIONS = /^src\/python\/messages\.ts: text/;

const documentScan = tsFiles('src/document').map((f) => callLiterals(f, 'tr'));
const pythonScan = tsFiles('src/python').map((f) => callLiterals(f, 'msg'));
const extensionScan = tsFiles('src/extension').flatMap((f) => [callLiterals(f, 't'), callLiterals(f, 'tr')]);

const documentTemplates = [...new Set(documentScan.flatMap((s) => s.literals))];
const pythonTemplates = [...new Set(pythonScan.flatMap((s) => s.literals))];
const extensionTemplates = [...new Set(extensionScan.flatMap((s) => s.literals))];
const webviewTemplates = [...new Set(Object.values(WEBVIEW_STRINGS) as string[])];
const templateLabels = [...new Set(TEMPLATES.flatMap((t) => [t.label, t.detail]))];

describe('l10n audit', () => {
  it('the scans find the strings (sanity)', () => {
    assert.ok(documentTemplates.includes('size mismatch for {0}: copying a param with shape {1} from checkpoint, the shape in current model is {2}. {3}'));
    assert.ok(documentTemplates.length > 100, `document: ${documentTemplates.length}`);
    assert.ok(pythonTemplates.includes('it is never assigned in this file') && pythonTemplates.length > 40, `python: ${pythonTemplates.length}`);
    assert.ok(extensionTemplates.includes('forget gate') && extensionTemplates.length > 60, `extension: ${extensionTemplates.length}`);
    assert.ok(webviewTemplates.length > 50);
  });

  it('every tr(...) in src/document and msg(...) in src/python takes a literal template (so the scan sees them all)', () => {
    const bad = [...documentScan, ...pythonScan].flatMap((s) => s.nonLiteral).filter((x) => !DEFINITIONS.test(x));
    assert.deepStrictEqual(bad, []);
  });

  const groups: [string, string[]][] = [
    ['document', documentTemplates],
    ['python', pythonTemplates],
    ['extension', extensionTemplates],
    ['webview', webviewTemplates],
    ['templates', templateLabels],
  ];
  for (const [group, keys] of groups) {
    it(`${group}: every string has Japanese with the same placeholders`, () => {
      const problems: string[] = [];
      for (const key of keys) {
        const text = ja[key];
        if (typeof text !== 'string' || text.length === 0) problems.push(`missing: ${key}`);
        else if (placeholders(text).join() !== placeholders(key).join()) problems.push(`placeholders differ: ${key} -> ${text}`);
        else if (text === key && !SAME_IN_JAPANESE.has(key)) problems.push(`left in English: ${key}`);
        else if (text !== key && !JAPANESE.test(text)) problems.push(`no Japanese in: ${text}`);
      }
      assert.deepStrictEqual(problems, []);
    });
  }

  it('SAME_IN_JAPANESE lists only entries that exist and are the same', () => {
    for (const key of SAME_IN_JAPANESE) assert.strictEqual(ja[key], key, key);
  });

  it("PyTorch's sentences stay verbatim in the Japanese", () => {
    const problems: string[] = [];
    let checked = 0;
    for (const key of [...documentTemplates, ...pythonTemplates, ...extensionTemplates]) {
      for (const sentence of PYTORCH_SENTENCES) {
        if (!key.includes(sentence)) continue;
        checked++;
        if (!ja[key]?.includes(sentence)) problems.push(`${sentence} not in: ${ja[key]}`);
      }
    }
    assert.deepStrictEqual(problems, []);
    assert.ok(checked >= PYTORCH_SENTENCES.length, `every listed sentence occurs in a template (${checked})`);
    for (const sentence of PYTORCH_SENTENCES) {
      assert.ok(documentTemplates.some((k) => k.includes(sentence)), `used: ${sentence}`);
    }
  });

  it('the bundle is valid JSON with string values only', () => {
    for (const [k, v] of Object.entries(ja)) assert.strictEqual(typeof v, 'string', k);
  });
});

describe('l10n audit: every document-layer message goes through the translator', () => {
  // Marks the outermost translated text; a message built outside tr() would lack the marks.
  const marking: Translate = (template, ...args) => `⟦${english(template, ...args)}⟧`;
  const marked = (s: string) => s.startsWith('⟦') && s.endsWith('⟧');
  const dirs = ['test/fixtures/bad', 'test/fixtures/good', 'examples'];
  const texts: string[] = [];
  for (const dir of dirs) {
    const abs = path.join(root, dir);
    if (!fs.existsSync(abs)) continue;
    for (const f of fs.readdirSync(abs).sort()) if (f.endsWith('.json')) texts.push(read(`${dir}/${f}`));
  }
  texts.push('', '[1]', '{"a": 1 "b": 2}', '{"model": {"type": "LSTM", "input_size": 3, "hidden_size": 4}}', '{"model": {"type": "RNN", "input_size": 3, "hidden_size": 4, "dropout": 0.5}, "input": {"randn": [2, 3]}}');

  it('reader diagnostics and resolve notes', () => {
    let seen = 0;
    for (const text of texts) {
      const r = readDocument(text, { translate: marking });
      for (const d of r.diagnostics) { seen++; assert.ok(marked(d.message), d.message); }
      if (!r.document) continue;
      const p = resolveParameters(r.document, { translate: marking });
      for (const n of p.notes) { seen++; assert.ok(marked(n), n); }
      try {
        resolveRun(r.document, { translate: marking });
      } catch (e) {
        assert.ok(e instanceof ResolveError && marked(e.message), String(e));
        seen++;
      }
      for (const sel of ['[[1,2,3]]', '[[[1,2,3]],[[1,2,3]]]', '[1', '[[1,2],[1]]']) {
        for (const d of resolveInputOverride(r.document, sel, marking).diagnostics) { seen++; assert.ok(marked(d.message), d.message); }
      }
    }
    assert.ok(seen > 60, String(seen));
  });

  it('readTensorText and nestedToTensor', () => {
    for (const t of ['', '{}', '[[1,2],[3]]', '[1e40]']) {
      for (const d of readTensorText(t, marking).diagnostics) assert.ok(marked(d.message), d.message);
    }
    for (const v of [[], [[1], [1, 2]], [1, 'a'], [1, [2]], [1e40], 5]) {
      const p = nestedToTensor(v, true, marking);
      assert.ok(isProblem(p) && marked(p.message), JSON.stringify(v));
    }
  });
});

describe('l10n audit: manifest and schema', () => {
  it('every %key% of package.json is in package.nls.json and package.nls.ja.json, and every nls key is used', () => {
    const manifest = read('package.json');
    const en: Record<string, string> = JSON.parse(read('package.nls.json'));
    const jaNls: Record<string, string> = JSON.parse(read('package.nls.ja.json'));
    const used = new Set([...manifest.matchAll(/"%([^%"\s]+)%"/g)].map((m) => m[1]));
    assert.ok(used.size >= 10, String(used.size));
    const problems: string[] = [];
    for (const k of used) {
      if (!en[k]) problems.push(`${k} missing in package.nls.json`);
      if (!jaNls[k]) problems.push(`${k} missing in package.nls.ja.json`);
    }
    for (const k of Object.keys(en)) if (!used.has(k)) problems.push(`${k} of package.nls.json is not used in package.json`);
    for (const k of Object.keys(jaNls)) if (!(k in en)) problems.push(`${k} of package.nls.ja.json is not in package.nls.json`);
    for (const [k, v] of Object.entries(jaNls)) {
      if (k.endsWith('.url')) continue; // a URL, not prose
      if (!JAPANESE.test(v)) problems.push(`${k} has no Japanese: ${v}`);
    }
    assert.deepStrictEqual(problems, []);
  });

  it('the Japanese schema has a Japanese description wherever the English one has one', () => {
    const enSchema = JSON.parse(read('schemas/rnn-document.schema.json'));
    const jaSchema = JSON.parse(read('schemas/rnn-document.schema.ja.json'));
    const TEXT_KEYWORDS = new Set(['title', 'description', 'markdownDescription', 'errorMessage', 'deprecationMessage']);
    const MAPS = new Set(['properties', 'patternProperties', 'definitions', '$defs']);
    // Snippet descriptions quote the code they insert; those may stay as code.
    const CODE_ONLY = /^\/defaultSnippets\/\d+\/description$/;
    const problems: string[] = [];
    let count = 0;
    const walk = (e: unknown, j: unknown, where: string, isMap: boolean): void => {
      if (Array.isArray(e)) {
        e.forEach((v, i) => walk(v, Array.isArray(j) ? j[i] : undefined, `${where}/${i}`, false));
        return;
      }
      if (!e || typeof e !== 'object') return;
      const jo = (j && typeof j === 'object' ? j : {}) as Record<string, unknown>;
      for (const [k, v] of Object.entries(e as Record<string, unknown>)) {
        if (!isMap && TEXT_KEYWORDS.has(k) && typeof v === 'string') {
          count++;
          const t = jo[k];
          if (typeof t !== 'string' || t.length === 0) problems.push(`${where}/${k}: missing`);
          else if (!JAPANESE.test(t) && !CODE_ONLY.test(`${where}/${k}`)) problems.push(`${where}/${k}: not Japanese: ${t.slice(0, 60)}`);
        } else {
          walk(v, jo[k], `${where}/${k}`, !isMap && MAPS.has(k));
        }
      }
    };
    walk(enSchema, jaSchema, '', false);
    assert.ok(count > 40, String(count));
    assert.deepStrictEqual(problems, []);
  });
});
