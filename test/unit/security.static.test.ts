/*
 * Static security checks of the extension and the Unroll View, plus property tests of the
 * webview message validators:
 * - no HTML sinks or code-from-strings anywhere under src/webview and src/extension
 *   (innerHTML, outerHTML, insertAdjacentHTML, document.write, eval, new Function,
 *   setTimeout/setInterval with a string), comments excluded by TypeScript's own scanner;
 * - nothing under src runs processes, opens terminals or reaches the network; the only file
 *   write is the export, after a save dialog the user confirmed;
 * - the panel's CSP (default-src 'none', scripts only by nonce) and localResourceRoots
 *   (media and dist only); every message is validated before use, on both sides;
 * - isViewMessage / isHostMessage never throw and reject malformed messages (fast-check).
 * Layer: test (Node). Reads only files inside the repository.
 */
import * as assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import fc from 'fast-check';
import * as ts from 'typescript';
import { buildWebviewHtml, contentSecurityPolicy, makeNonce } from '../../src/extension/webviewHtml';
import { isHostMessage, isViewMessage, MAX_COPY_CHARS, MAX_EXPORT_CHARS } from '../../src/protocol/validate';

const root = path.resolve(__dirname, '../../..');
const SEED = process.env.FC_SEED !== undefined ? Number(process.env.FC_SEED) : 0x5ec;

function tsFiles(dir: string): string[] {
  return (readdirSync(path.join(root, dir), { recursive: true }) as string[])
    .filter((f) => f.endsWith('.ts'))
    .map((f) => path.join(dir, f))
    .sort();
}

/** The source text with comments removed (strings kept), by TypeScript's scanner. */
function withoutComments(file: string): string {
  const text = readFileSync(path.join(root, file), 'utf8');
  const scanner = ts.createScanner(ts.ScriptTarget.Latest, false, ts.LanguageVariant.Standard, text);
  let out = '';
  for (let k = scanner.scan(); k !== ts.SyntaxKind.EndOfFileToken; k = scanner.scan()) {
    if (k === ts.SyntaxKind.SingleLineCommentTrivia || k === ts.SyntaxKind.MultiLineCommentTrivia) continue;
    // (The text after a template's `${...}` is scanned as code: at worst a `//` inside it hides
    // the rest of that line from the checks, never adds a false hit.)
    out += scanner.getTokenText();
  }
  return out;
}

const HTML_AND_CODE_SINKS: [string, RegExp][] = [
  ['innerHTML', /\binnerHTML\b/],
  ['outerHTML', /\bouterHTML\b/],
  ['insertAdjacentHTML', /\binsertAdjacentHTML\b/],
  ['document.write', /\bdocument\s*\.\s*write(ln)?\b/],
  ['eval(', /(^|[^\w.$])eval\s*\(/],
  ['new Function', /\bnew\s+Function\b/],
  ['Function("...")', /(^|[^\w.$])Function\s*\(\s*['"`]/],
  ['setTimeout/setInterval with a string', /\bset(Timeout|Interval)\s*\(\s*['"`]/],
  ['srcdoc', /\bsrcdoc\b/],
  ['javascript: URL', /javascript:/i],
  ['createContextualFragment', /\bcreateContextualFragment\b/],
  ['DOMParser', /\bDOMParser\b/],
];

const PROCESS_AND_NETWORK: [string, RegExp][] = [
  ['child_process', /child_process/],
  ['exec/spawn', /(^|[^\w.$])(execSync|execFile|spawnSync|spawn|exec|fork)\s*\(/],
  ['a terminal', /\bcreateTerminal\b|\bsendText\b/],
  ['a task or shell execution', /\bShellExecution\b|\bProcessExecution\b|\bexecuteTask\b/],
  ['http/https/net modules', /from\s+['"](node:)?(http|https|net|tls|dgram|dns)['"]|require\(\s*['"](node:)?(http|https|net|tls|dgram|dns)['"]/],
  ['fetch', /(^|[^\w.$])fetch\s*\(/],
  ['XMLHttpRequest', /\bXMLHttpRequest\b/],
  ['WebSocket', /\bWebSocket\b/],
  ['openExternal', /\bopenExternal\b/],
  ['sendBeacon', /\bsendBeacon\b/],
];

describe('security: static checks of src/webview, src/extension and src', () => {
  const viewAndHost = [...tsFiles('src/webview'), ...tsFiles('src/extension')];
  const everything = tsFiles('src');

  it(`no HTML sinks or code from strings in ${viewAndHost.length} files of src/webview and src/extension`, () => {
    assert.ok(viewAndHost.length >= 10);
    const hits: string[] = [];
    for (const f of viewAndHost) {
      const code = withoutComments(f);
      for (const [what, re] of HTML_AND_CODE_SINKS) if (re.test(code)) hits.push(`${f}: ${what}`);
    }
    assert.deepEqual(hits, []);
  });

  it('the scanner-based check would catch a sink (the check can fail)', () => {
    const probe = 'el.innerHTML = x; // innerHTML in a comment is fine';
    assert.ok(HTML_AND_CODE_SINKS[0][1].test(probe));
    assert.ok(HTML_AND_CODE_SINKS.find(([w]) => w === 'setTimeout/setInterval with a string')![1].test("setTimeout('alert(1)', 0)"));
    assert.ok(!HTML_AND_CODE_SINKS.find(([w]) => w === 'eval(')![1].test('const x = retrieval(3); obj.eval(1)'));
  });

  it(`nothing under src (${everything.length} files) runs processes, opens terminals or reaches the network`, () => {
    const hits: string[] = [];
    for (const f of everything) {
      let code = withoutComments(f);
      // The one allowed fetch: on vscode.dev the web build reads its own worker script from the
      // extension's files (dist/web/runWorker.js, where VS Code loaded the extension from).
      if (f === path.join('src/extension/runScheduler.ts')) {
        const own = /const script = vscode\.Uri\.joinPath\(root, 'dist', 'web', 'runWorker\.js'\);\s*let text: string;\s*try \{\s*const res = await fetch\(script\.toString\(true\)\);/;
        assert.match(code, own, 'runScheduler fetches only its own bundled worker script');
        code = code.replace(own, '');
      }
      for (const [what, re] of PROCESS_AND_NETWORK) if (re.test(code)) hits.push(`${f}: ${what}`);
    }
    assert.deepEqual(hits, []);
  });

  it('the only file write is the export, to a target the user picked in a save dialog', () => {
    const writers = everything.filter((f) => /\bwriteFile(Sync)?\s*\(|\bcreateWriteStream\b|\bappendFile/.test(withoutComments(f)));
    assert.deepEqual(writers, [path.join('src/extension/unrollPanel.ts')]);
    const code = withoutComments('src/extension/unrollPanel.ts');
    // (a non-production test hook may supply the target instead: `options?.saveUri ?? (await ...)`)
    const m = /const\s+(\w+)\s*=\s*(?:options\?\.saveUri\s*\?\?\s*\(\s*)?await\s+vscode\.window\.showSaveDialog\([\s\S]*?\);\s*if\s*\(\s*!\s*\1\s*\)\s*return;[\s\S]*?vscode\.workspace\.fs\.writeFile\(\s*\1\s*,/.exec(code);
    assert.ok(m, 'writeFile(target) comes after `const target = await showSaveDialog(...)` and `if (!target) return;`');
    assert.equal((code.match(/\.writeFile\(/g) ?? []).length, 1);
  });

  it('the document is never edited: no WorkspaceEdit, applyEdit or editor.edit under src/extension', () => {
    // One exception: the Python lint's quick fixes build a WorkspaceEdit as a CodeAction's edit, which
    // VS Code applies only when the user picks that fix (nothing there calls applyEdit).
    const QUICK_FIXES = path.join('src/extension/pythonDiagnostics.ts');
    // The other: training writes into the document only where the user asks for it: "Save Trained
    // Weights" (saveTrainedWeights) and "Add a Training Target" (addTrainBlock, and its code action).
    const TRAINING = path.join('src/extension/training.ts');
    const hits = tsFiles('src/extension').filter((f) => f !== TRAINING && (/\bapplyEdit\b|\.edit\s*\(/.test(withoutComments(f)) || (f !== QUICK_FIXES && /\bWorkspaceEdit\b/.test(withoutComments(f)))));
    assert.deepEqual(hits, []);
    assert.match(withoutComments(QUICK_FIXES), /action\.edit = edit;/);
    const training = withoutComments(TRAINING);
    const functions = [...training.matchAll(/\n(?:export )?(?:async )?function (\w+)[\s\S]*?\n\}/g)];
    const applying = functions.filter((m) => /\bapplyEdit\b/.test(m[0])).map((m) => m[1]);
    assert.deepEqual(applying, ['saveTrainedWeights', 'addTrainBlock'], 'applyEdit only in the two commands the user invokes');
    assert.equal((training.match(/\bapplyEdit\(/g) ?? []).length, 2);
  });

  it("the panel's localResourceRoots are media and dist, nothing wider; scripts only where needed", () => {
    const code = withoutComments('src/extension/unrollPanel.ts');
    const roots = [...code.matchAll(/localResourceRoots\s*:\s*\[([^\]]*)\]/g)].map((m) => m[1].replace(/\s+/g, ''));
    assert.ok(roots.length >= 1, 'localResourceRoots is set');
    for (const r of roots) {
      const entries = r.split(/,(?![^(]*\))/).filter((e) => e !== '');
      for (const e of entries) assert.match(e, /^vscode\.Uri\.joinPath\(\w+,'(media|dist)'\)$/, `root ${e}`);
    }
    assert.ok(!/enableCommandUris\s*:\s*true/.test(code), 'no command URIs in the webview');
    assert.ok(!/enableForms\s*:\s*true/.test(code), 'no forms');
    // Every panel created gets the restricted options before its HTML (configure sets both).
    const created = [...code.matchAll(/createWebviewPanel\(/g)].length;
    assert.ok(created >= 1);
    // The restricted options live in one function, used at creation and before any HTML is set.
    const options = /function webviewOptions\([\s\S]*?\n\}/.exec(code)?.[0] ?? '';
    assert.ok(options.indexOf('localResourceRoots') >= 0, 'webviewOptions() sets localResourceRoots');
    const configure = /function configure\([\s\S]*?\n\}/.exec(code)?.[0] ?? '';
    assert.ok(configure.indexOf('webviewOptions()') >= 0 && configure.indexOf('webviewOptions()') < configure.indexOf('.html ='), 'options before html');
    assert.ok(/createWebviewPanel\([\s\S]*?\.\.\.webviewOptions\(\)/.test(code), 'narrow roots from creation on');
    assert.ok(/panel = createPanel\(\)|return p;/.test(code));
    assert.ok(/function createPanel\(\)[\s\S]*?configure\(p\);[\s\S]*?return p;/.test(code), 'createPanel configures the panel');
  });

  it("the CSP: default-src 'none', scripts only by nonce, no unsafe-*, no remote hosts", () => {
    const nonce = makeNonce();
    const csp = contentSecurityPolicy('https://file+.vscode-resource.vscode-cdn.net', nonce);
    const directives = new Map(csp.split(';').map((d) => d.trim().split(/\s+/)).map(([k, ...v]) => [k, v]));
    assert.deepEqual(directives.get('default-src'), ["'none'"]);
    assert.deepEqual(directives.get('script-src'), [`'nonce-${nonce}'`]);
    assert.ok(!/unsafe-inline|unsafe-eval|unsafe-hashes|wasm-unsafe-eval|\*|http:|https:\/\/(?!file\+)/.test(csp), csp);
    assert.equal(directives.get('connect-src'), undefined, 'no connect-src: default none');
    assert.equal(directives.get('frame-src'), undefined);
    const html = buildWebviewHtml({ cspSource: 'vscode-webview://x', nonce, scriptUri: 'vscode-webview://x/dist/webview.js', styleUri: 'vscode-webview://x/media/unroll.css', title: '<script>alert(1)</script>', lang: '"><script>' });
    const scripts = [...html.matchAll(/<script\b[^>]*>/g)].map((m) => m[0]);
    assert.deepEqual(scripts, [`<script nonce="${nonce}" src="vscode-webview://x/dist/webview.js">`]);
    assert.ok(!/\son\w+=/i.test(html), 'no inline handlers');
    assert.ok(!/<style/i.test(html) && !/\sstyle=/i.test(html), 'no inline styles');
    assert.ok(html.includes('<title>&lt;script&gt;alert(1)&lt;/script&gt;</title>'));
    assert.ok(html.includes('<html lang="en">'), 'a hostile language tag falls back to en');
    assert.throws(() => buildWebviewHtml({ cspSource: 'x', nonce: "abc' 'unsafe-inline", scriptUri: 'a', styleUri: 'b', title: 't', lang: 'en' }));
    const nonces = new Set(Array.from({ length: 50 }, makeNonce));
    assert.equal(nonces.size, 50, 'a fresh nonce every time');
  });

  it('every message is validated before use: the host with isViewMessage, the webview with isHostMessage', () => {
    const host = withoutComments('src/extension/unrollPanel.ts');
    const onMessage = /async function onMessage\(m: unknown(?:, options\?: MessageOptions)?\)[^{]*\{([\s\S]*?)\n\}/.exec(host)?.[1] ?? '';
    assert.match(onMessage.trimStart(), /^if\s*\(\s*!isViewMessage\(m\)\s*\)\s*return;/, 'onMessage starts by validating');
    assert.match(host, /onDidReceiveMessage\(\s*\(m: unknown\)\s*=>\s*void onMessage\(m\)\s*\)/);
    assert.equal((host.match(/onDidReceiveMessage\(/g) ?? []).length, 1, 'one message entry point');
    const restore = /deserializeWebviewPanel\([\s\S]*?configure\(p\);/.exec(host)?.[0] ?? '';
    assert.match(restore, /isRunPayload\(saved\.payload\)/, 'restored state is validated too');
    const view = withoutComments('src/webview/main.ts');
    const listener = /addEventListener\('message',\s*\(event: MessageEvent\)\s*=>\s*\{([\s\S]*?)\n\}\);/.exec(view)?.[1] ?? '';
    assert.match(listener, /^\s*const m: unknown = event\.data;\s*if\s*\(\s*!isHostMessage\(m\)\s*\)\s*return;/);
    assert.equal((view.match(/addEventListener\('message'/g) ?? []).length, 1);
  });
});

describe('security: webview message validators (fast-check)', () => {
  const params = (offset: number) => ({ seed: SEED + offset, numRuns: 300 });
  const base64 = fc.array(fc.constantFrom(...'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/'), { minLength: 1, maxLength: 30 })
    .map((a) => { const s = a.join(''); return s + '='.repeat((4 - (s.length % 4)) % 4); })
    .filter((s) => /^[A-Za-z0-9+/]*={0,2}$/.test(s));
  const valid = fc.oneof(
    fc.constant({ type: 'ready' }),
    fc.constant({ type: 'compare' }),
    fc.constant({ type: 'reveal' }),
    fc.string({ maxLength: 200 }).map((text) => ({ type: 'copy', text })),
    fc.string({ maxLength: 100 }).map((rest) => ({ type: 'export', format: 'svg', data: `<svg xmlns="http://www.w3.org/2000/svg">${rest}` })),
    // a PNG's base64 starts with its signature, iVBORw0KGgo (then 1 more character to keep length % 4 === 0)
    base64.map((data) => ({ type: 'export', format: 'png', data: 'iVBORw0KGgoA' + data })),
    fc.string({ minLength: 1, maxLength: 100 }).map((data) => ({ type: 'export', format: 'json', data })),
  ) as fc.Arbitrary<Record<string, unknown>>;

  it('accepts every well-formed message (and a JSON round trip of it)', () => {
    fc.assert(fc.property(valid, (m) => isViewMessage(m) && isViewMessage(JSON.parse(JSON.stringify(m)))), params(0));
  });

  it('rejects a well-formed message with any extra key (including __proto__ and constructor)', () => {
    const key = fc.oneof(fc.string({ minLength: 1, maxLength: 10 }), fc.constantFrom('__proto__', 'constructor', 'prototype', 'path', 'command', 'uri'));
    fc.assert(fc.property(valid, key, fc.jsonValue(), (m, k, v) => {
      fc.pre(!Object.prototype.hasOwnProperty.call(m, k) && k !== 'type');
      const withExtra = JSON.parse(JSON.stringify(m).replace(/^\{/, () => `{${JSON.stringify(k)}: ${JSON.stringify(v ?? null)},`));
      return !isViewMessage(withExtra);
    }), params(1));
  });

  it('rejects a well-formed message whose field has another type', () => {
    const wrong = fc.oneof(fc.integer(), fc.boolean(), fc.constant(null), fc.array(fc.string()), fc.dictionary(fc.string(), fc.string()));
    fc.assert(fc.property(valid, wrong, (m, v) => {
      const fields = Object.keys(m);
      const field = fields[fields.length - 1];
      return !isViewMessage({ ...m, [field]: v });
    }), params(2));
  });

  it('never throws, on anything (objects, arrays, strings, prototype keys), and accepts only the known types', () => {
    const anything = fc.oneof(
      fc.anything({ withObjectString: true, withNullPrototype: true, withMap: true, withSet: true, withTypedArray: true, withSparseArray: true, withBigInt: true, withDate: true }),
      fc.jsonValue().map((v) => ({ type: 'export', format: 'png', data: v })),
      fc.jsonValue().map((v) => JSON.parse(`{"type": "copy", "__proto__": ${JSON.stringify(v ?? null)}, "text": "x"}`)),
    );
    fc.assert(fc.property(anything, (x) => {
      const ok = isViewMessage(x);
      isHostMessage(x);
      if (ok) {
        const t = (x as { type: string }).type;
        assert.ok(['ready', 'compare', 'reveal', 'copy', 'export'].includes(t));
        assert.deepEqual(JSON.parse(JSON.stringify(x)), x, 'only plain JSON passes');
      }
      return true;
    }), params(3));
  });

  it('export data: only base64 as PNG, only <svg> as SVG, nothing empty or over the size limits', () => {
    fc.assert(fc.property(fc.string({ minLength: 1, maxLength: 40 }), (s) => {
      const pngOk = isViewMessage({ type: 'export', format: 'png', data: s });
      assert.equal(pngOk, s.length % 4 === 0 && /^[A-Za-z0-9+/]*={0,2}$/.test(s) && s.startsWith('iVBORw0KGgo'), `png ${JSON.stringify(s)}`);
      const svgOk = isViewMessage({ type: 'export', format: 'svg', data: s });
      if (svgOk) assert.match(s, /^\s*(<\?xml[^>]*\?>\s*)?<svg[\s>]/);
      return true;
    }), params(4));
    assert.equal(isViewMessage({ type: 'export', format: 'json', data: '' }), false);
    assert.equal(isViewMessage({ type: 'copy', text: 'x'.repeat(MAX_COPY_CHARS + 1) }), false);
    assert.equal(isViewMessage({ type: 'copy', text: 'x'.repeat(MAX_COPY_CHARS) }), true);
    assert.equal(isViewMessage({ type: 'export', format: 'json', data: 'x'.repeat(MAX_EXPORT_CHARS + 1) }), false);
    assert.equal(isViewMessage({ type: 'export', format: 'svg', data: '<html><svg>' }), false);
    assert.equal(isViewMessage({ type: 'export', format: 'svg', data: '<svgx>' }), false);
  });

  it('host messages: a run payload with broken fields is refused by the webview', () => {
    fc.assert(fc.property(fc.jsonValue(), fc.jsonValue(), (payload, strings) => {
      const m = { type: 'run', payload, strings };
      const ok = isHostMessage(m);
      if (ok) assert.ok(typeof payload === 'object' && payload !== null && !Array.isArray(payload));
      return true;
    }), params(5));
    assert.equal(isHostMessage({ type: 'progress', fraction: 2 }), false);
    assert.equal(isHostMessage({ type: 'progress', fraction: Number.NaN }), false);
    assert.equal(isHostMessage({ type: 'error', message: { toString: 'x' } }), false);
  });
});
