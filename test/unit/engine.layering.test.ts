/*
 * Keeps src/engine pure: it must run in the extension host, a webview, a web worker and
 * the CLI alike. Scans every .ts file under src/engine and fails on an import that leaves
 * src/engine, on imports of 'vscode' or Node builtins, and on host globals (document,
 * window, process, require, ...). src/engine/tsconfig.json (lib ES2022, types []) checks
 * the same at compile time: npx tsc -p src/engine/tsconfig.json
 * Also keeps the layers below the extension below it: src/run (payload building, selected
 * arrays) and src/worker (the run worker) never import src/extension, src/webview, src/cli or
 * 'vscode' (src/run and src/worker/tsconfig.json check the same at compile time).
 * Layer: test (Node).
 */
import * as assert from 'assert';
import * as fs from 'fs';
import { builtinModules } from 'module';
import * as path from 'path';
import { repoRoot } from './helpers/golden';

/** Globals that exist only in some hosts. Property accesses (`x.process`) are fine. */
const HOST_GLOBALS = [
  'document', 'window', 'navigator', 'self', 'globalThis', 'process', 'require', 'module', 'exports',
  'Buffer', 'global', '__dirname', '__filename', 'localStorage', 'fetch', 'XMLHttpRequest', 'acquireVsCodeApi',
];

/** Blank out comments and string/template literal contents, keeping offsets and line breaks. */
export function stripCommentsAndStrings(src: string): { code: string; strings: { text: string; at: number }[] } {
  let code = '';
  const strings: { text: string; at: number }[] = [];
  let i = 0;
  const blank = (s: string) => s.replace(/[^\n]/g, ' ');
  while (i < src.length) {
    const ch = src[i];
    const next = src[i + 1];
    if (ch === '/' && next === '/') {
      const end = src.indexOf('\n', i);
      const stop = end === -1 ? src.length : end;
      code += blank(src.slice(i, stop));
      i = stop;
    } else if (ch === '/' && next === '*') {
      const end = src.indexOf('*/', i + 2);
      const stop = end === -1 ? src.length : end + 2;
      code += blank(src.slice(i, stop));
      i = stop;
    } else if (ch === '"' || ch === "'" || ch === '`') {
      let j = i + 1;
      while (j < src.length && src[j] !== ch) j += src[j] === '\\' ? 2 : 1;
      strings.push({ text: src.slice(i + 1, j), at: i });
      code += ch + blank(src.slice(i + 1, j)) + ch;
      i = j + 1;
    } else {
      code += ch;
      i++;
    }
  }
  return { code, strings };
}

export interface Violation {
  file: string;
  line: number;
  what: string;
}

/** Every import specifier and host global in one engine file (path relative to src/engine). */
export function scanEngineFile(relPath: string, src: string): Violation[] {
  const out: Violation[] = [];
  const lineOf = (at: number) => src.slice(0, at).split('\n').length;
  const { code, strings } = stripCommentsAndStrings(src);

  // Import specifiers: `from '...'`, `import '...'`, `import('...')`, `require('...')`.
  for (const s of strings) {
    const before = code.slice(Math.max(0, s.at - 40), s.at);
    if (!/(\bfrom\s*|\bimport\s*\(?\s*|\brequire\s*\(\s*)$/.test(before)) continue;
    const spec = s.text;
    if (!spec.startsWith('.')) {
      out.push({ file: relPath, line: lineOf(s.at), what: `import of '${spec}' (only relative engine imports are allowed)` });
      continue;
    }
    const target = path.posix.normalize(path.posix.join(path.posix.dirname(relPath), spec));
    if (target.startsWith('..')) {
      out.push({ file: relPath, line: lineOf(s.at), what: `import of '${spec}' leaves src/engine` });
    }
  }
  // Host globals, not as a property (`a.window`) nor an object key (`{ window: 1 }`).
  const re = new RegExp(`(?<![\\w$.])(${HOST_GLOBALS.join('|')})(?![\\w$])(?!\\s*:(?!:))`, 'g');
  for (const m of code.matchAll(re)) {
    out.push({ file: relPath, line: lineOf(m.index ?? 0), what: `use of host global '${m[1]}'` });
  }
  return out;
}

function engineFiles(dir: string, base = ''): string[] {
  const files: string[] = [];
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const rel = base ? `${base}/${entry.name}` : entry.name;
    if (entry.isDirectory()) files.push(...engineFiles(path.join(dir, entry.name), rel));
    else if (entry.name.endsWith('.ts')) files.push(rel);
  }
  return files;
}

describe('engine layering', () => {
  const engineDir = path.join(repoRoot(), 'src', 'engine');

  it('no file under src/engine imports outside it, vscode, Node builtins, or uses host globals', () => {
    const files = engineFiles(engineDir);
    assert.ok(files.includes('unroll.ts') && files.includes('cells/lstm.ts'), 'scanner sees the engine');
    const violations = files.flatMap((f) => scanEngineFile(f, fs.readFileSync(path.join(engineDir, f), 'utf8')));
    assert.deepStrictEqual(
      violations.map((v) => `src/engine/${v.file}:${v.line}: ${v.what}`),
      [],
    );
  });

  it('the scanner itself catches each kind of violation', () => {
    const bad = [
      "import * as vscode from 'vscode';",
      "import { readFileSync } from 'fs';",
      "import { x } from 'node:path';",
      "import type { RnnDocument } from '../../document/types';",
      "const m = require('os');",
      "const t = await import('../../extension/x');",
      'const w = window.innerWidth;',
      'document.body.appendChild(x);',
      'if (process.env.X) {}',
    ].join('\n');
    const found = scanEngineFile('cells/bad.ts', bad).map((v) => v.line);
    assert.deepStrictEqual([...new Set(found)], [1, 2, 3, 4, 5, 6, 7, 8, 9]);
  });

  it('the scanner allows relative engine imports, comments, strings and property names', () => {
    const good = [
      "import { sigmoid } from '../kernels';",
      "import type { Tensor } from './types';",
      '// the document layer validates; window of time',
      "const s = 'process the window';",
      'const o = { document: 1, window: 2 };',
      'const p = spec.process + windowSize;',
    ].join('\n');
    assert.deepStrictEqual(scanEngineFile('cells/good.ts', good), []);
  });
});

/** What a layer below the extension must not import. */
interface LayerRule {
  /** Folders under src/ (or the file src/cli.ts as 'cli') this layer must not import from. */
  mayNotImport: string[];
  /** Bare module specifiers it may use although they are host modules (Node builtins). */
  allowedHostModules: string[];
}

/** Node's builtin modules, with and without the node: prefix. */
const NODE_BUILTINS = new Set(builtinModules.flatMap((m) => [m, `node:${m}`]));

/** The layers below the extension that the worker and the extension share. */
export const LAYER_RULES: Record<string, LayerRule> = {
  // Payload building and selected-array reading: pure, used by the worker and the extension.
  run: { mayNotImport: ['extension', 'webview', 'cli', 'worker'], allowedHostModules: [] },
  // The run worker: pure job files plus runWorker.ts's Node worker_threads entry.
  worker: { mayNotImport: ['extension', 'webview', 'cli'], allowedHostModules: ['node:worker_threads'] },
};

/** Import violations of one file of `layer` (path relative to src/<layer>). */
export function scanLayerFile(layer: string, relPath: string, src: string): Violation[] {
  const rule = LAYER_RULES[layer];
  const out: Violation[] = [];
  const lineOf = (at: number) => src.slice(0, at).split('\n').length;
  const { code, strings } = stripCommentsAndStrings(src);
  for (const s of strings) {
    const before = code.slice(Math.max(0, s.at - 40), s.at);
    if (!/(\bfrom\s*|\bimport\s*\(?\s*|\brequire\s*\(\s*)$/.test(before)) continue;
    const spec = s.text;
    if (!spec.startsWith('.')) {
      if (spec === 'vscode' || (NODE_BUILTINS.has(spec) && !rule.allowedHostModules.includes(spec))) {
        out.push({ file: relPath, line: lineOf(s.at), what: `import of '${spec}' (src/${layer} runs without vscode${rule.allowedHostModules.length ? ` and uses only ${rule.allowedHostModules.join(', ')} of Node` : ' and without Node'})` });
      }
      continue;
    }
    // Resolve against src/<layer>/<relPath>; the first folder under src/ is the target layer.
    const target = path.posix.normalize(path.posix.join(layer, path.posix.dirname(relPath), spec));
    const targetLayer = target.startsWith('..') ? '(outside src)' : target.split('/')[0].replace(/\.(ts|js)$/, '');
    if (targetLayer === '(outside src)' || rule.mayNotImport.includes(targetLayer)) {
      out.push({ file: relPath, line: lineOf(s.at), what: `import of '${spec}' reaches ${targetLayer === '(outside src)' ? 'outside src' : `src/${targetLayer}`} (src/${layer} must not import ${rule.mayNotImport.map((l) => `src/${l}`).join(', ')})` });
    }
  }
  return out;
}

describe('layers below the extension (src/run, src/worker)', () => {
  for (const layer of Object.keys(LAYER_RULES)) {
    it(`no file under src/${layer} imports ${LAYER_RULES[layer].mayNotImport.map((l) => `src/${l}`).join(', ')}, vscode or Node builtins`, () => {
      const dir = path.join(repoRoot(), 'src', layer);
      const files = engineFiles(dir);
      assert.ok(files.length >= 2, `scanner sees src/${layer}`);
      const violations = files.flatMap((f) => scanLayerFile(layer, f, fs.readFileSync(path.join(dir, f), 'utf8')));
      assert.deepStrictEqual(violations.map((v) => `src/${layer}/${v.file}:${v.line}: ${v.what}`), []);
    });
  }

  it('a worker importing src/extension (or vscode, or the webview) fails the check', () => {
    const bad = [
      "import { buildRunPayload } from '../extension/payload';",
      "import type { ArrayReadResult } from '../extension/selection';",
      "import * as vscode from 'vscode';",
      "const h = require('../webview/main');",
      "import { main } from '../cli';",
      "const x = await import('../../scripts/x');",
    ].join('\n');
    assert.deepStrictEqual(scanLayerFile('worker', 'job.ts', bad).map((v) => v.line), [1, 2, 3, 4, 5, 6]);
    assert.deepStrictEqual(scanLayerFile('run', 'payload.ts', "import { x } from '../worker/job';").length, 1, 'run may not import the worker');
    assert.deepStrictEqual(scanLayerFile('run', 'payload.ts', "import { readFileSync } from 'node:fs';").length, 1, 'run uses no Node module');
  });

  it('allows what the worker and run layers need', () => {
    const good = [
      "import { buildRunPayload } from '../run/payload';",
      "import { readDocument } from '../document/reader';",
      "import type { Tensor } from '../engine/types';",
      "import type { RunPayload } from '../protocol/messages';",
      "import { runJob } from './job';",
      "import { unzip } from 'fflate';",
      "import { trainModel } from '../engine/train/loop';",
      "const { parentPort } = require('node:worker_threads');",
      '// see ../extension/commands.ts',
    ].join('\n');
    assert.deepStrictEqual(scanLayerFile('worker', 'runWorker.ts', good), []);
  });
});
