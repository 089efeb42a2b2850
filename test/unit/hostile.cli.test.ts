/*
 * The CLI on the hostile corpus: every refused document exits 1 with FILE:LINE:COL lines and
 * never a stack trace. All corpus documents go through main() (the function dist/cli.js calls)
 * in this process; a sample goes through the real `node dist/cli.js` (files, standard input,
 * binary garbage, a directory, a missing file, bad usage with exit 2).
 * Layer: test (Node).
 */
import * as assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import * as path from 'node:path';
import { main } from '../../src/cli';
import { readDocument } from '../../src/document/reader';
import { generatedCorpus, messageProblems, prng, type HostileCase } from './helpers/hostileCorpus';

const root = path.resolve(__dirname, '../../..');
const cli = path.join(root, 'dist/cli.js');
const fixtureDir = path.join(root, 'test/fixtures/hostile');

/** A line of standard error the CLI may print: a located diagnostic, a note, or its one-line error. */
const DIAGNOSTIC = /^(.+):(\d+):(\d+): (error|warning|info): (.+)$/;
const ALLOWED = [DIAGNOSTIC, /^note: .+$/, /^rnn-lens: error: .+$/, /^.+: error: cannot read the document: .+$/];

/** Problems with a run's standard error (empty when it is all well-formed lines). */
function stderrProblems(stderr: string, text: string): string[] {
  const problems: string[] = [];
  if (/^\s+at .+:\d+:\d+\)?$/m.test(stderr)) problems.push('stack frame');
  if (/^(TypeError|RangeError|Error|ReferenceError|SyntaxError)\b/m.test(stderr)) problems.push('internal error prefix');
  for (const line of stderr.split('\n').filter((l) => l !== '')) {
    if (!ALLOWED.some((r) => r.test(line))) problems.push(`unexpected line: ${JSON.stringify(line.slice(0, 160))}`);
    for (const p of messageProblems(line, text)) problems.push(`line ${p}`);
  }
  return problems;
}

/** 1-based line and column (UTF-16 units) of an offset, counted independently of the CLI. */
function lineCol(text: string, offset: number): [number, number] {
  const before = text.slice(0, offset);
  const lines = before.split(/\r\n|\r|\n/);
  return [lines.length, lines[lines.length - 1].length + 1];
}

function runMain(args: string[], files: Record<string, string> = {}, stdin = '') {
  let stdout = '';
  let stderr = '';
  const code = main(args, {
    stdout: (s) => { stdout += s; },
    stderr: (s) => { stderr += s; },
    readStdin: () => stdin,
    readFile: (p) => {
      if (!(p in files)) throw Object.assign(new Error(`ENOENT: no such file or directory, open '${p}'`), { code: 'ENOENT' });
      return files[p];
    },
  });
  return { code, stdout, stderr };
}

function rnnLens(args: string[], input?: string | Buffer) {
  const r = spawnSync(process.execPath, [cli, ...args], { cwd: root, input, encoding: 'utf8', timeout: 60_000 });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

describe('hostile CLI: main() on every corpus document, and dist/cli.js on a sample', function () {
  this.timeout(300_000);
  const fixtures = readdirSync(fixtureDir).filter((f) => /\.jsonc?$/.test(f)).sort();
  const corpus: HostileCase[] = [
    ...fixtures.map((f) => ({ name: f, text: readFileSync(path.join(fixtureDir, f), 'utf8'), expect: 'any' as const })),
    ...generatedCorpus(),
  ];

  it(`main(["run", DOC]) on ${corpus.length} documents: exit 1 with located lines when refused, never a stack trace`, () => {
    const fails: string[] = [];
    for (const c of corpus) {
      const file = `hostile/${c.name.replace(/[^A-Za-z0-9._-]+/g, '_')}.rnn.json`;
      const r = runMain(['run', file], { [file]: c.text });
      const refused = readDocument(c.text.charCodeAt(0) === 0xfeff ? ' ' + c.text.slice(1) : c.text).document === undefined;
      if (r.code !== (refused ? 1 : 0) && !(r.code === 1 && !refused && /^rnn-lens: error: /m.test(r.stderr))) {
        fails.push(`${c.name}: exit ${r.code}${refused ? ' (refused document)' : ''}: ${r.stderr.slice(0, 200)}`);
      }
      for (const p of stderrProblems(r.stderr, c.text)) fails.push(`${c.name}: ${p}`);
      if (refused) {
        if (r.stdout !== '') fails.push(`${c.name}: refused but printed to stdout`);
        const lines = r.stderr.split('\n').filter((l) => DIAGNOSTIC.test(l));
        if (!lines.some((l) => / error: /.test(l))) fails.push(`${c.name}: no located error line`);
        for (const l of lines) if (!l.startsWith(`${file}:`)) fails.push(`${c.name}: line does not start with the file name: ${l.slice(0, 80)}`);
      }
    }
    assert.deepEqual(fails.slice(0, 25), [], `${fails.length} failures`);
  });

  it('LINE:COL point at the span start of the diagnostic (1-based, after CRLF and LF)', () => {
    const text = '{\r\n  "model": {"type": "RNN",\n  "input_size": 1, "hidden_size": 1},\r\n  "input": [[1, NaN]]\n}';
    const r = runMain(['run', 'crlf.rnn.json'], { 'crlf.rnn.json': text });
    assert.equal(r.code, 1);
    const m = DIAGNOSTIC.exec(r.stderr.split('\n')[0]);
    assert.ok(m, r.stderr);
    assert.deepEqual([Number(m[2]), Number(m[3])], lineCol(text, text.indexOf('NaN')));
    assert.deepEqual([Number(m[2]), Number(m[3])], [4, 17]);
  });

  describe('the real CLI (node dist/cli.js)', () => {
    before(() => {
      const started = Date.now();
      spawnSync(process.execPath, [path.join(root, 'scripts/build.mjs')], { cwd: root, encoding: 'utf8' });
      assert.ok(statSync(cli).mtimeMs >= started - 2000, 'dist/cli.js was not rebuilt');
    });

    const sample = ['nan-in-input.rnn.json', 'proj-on-gru.rnn.jsonc', 'markup-type.rnn.json', 'binary-garbage.rnn.json',
      'bom-wrong-type.rnn.json', 'hidden-1e9.rnn.json', 'rand-1e8.rnn.json', 'lstm-proj-hr-wrong.rnn.json', 'truncated.rnn.json', 'unclosed-string.rnn.json'];
    for (const f of sample) {
      it(`run ${f}: exit 1, ${f}:LINE:COL lines, no stack trace`, () => {
        const rel = path.join('test/fixtures/hostile', f);
        const text = readFileSync(path.join(root, rel), 'utf8');
        const r = rnnLens(['run', rel]);
        assert.equal(r.code, 1, r.stderr);
        assert.equal(r.stdout, '');
        assert.deepEqual(stderrProblems(r.stderr, text), []);
        const lines = r.stderr.split('\n').filter((l) => l.startsWith(`${rel}:`));
        assert.ok(lines.some((l) => DIAGNOSTIC.test(l) && / error: /.test(l)), r.stderr);
        assert.ok(!r.stderr.includes('\u001b'), 'no terminal escape reaches the terminal');
      });
    }

    it('a key holding terminal escapes: a warning printed escaped, never as an escape sequence; the run goes on', () => {
      const rel = 'test/fixtures/hostile/terminal-escape-key.rnn.json';
      const r = rnnLens(['run', rel]);
      assert.equal(r.code, 0, r.stderr);
      assert.ok(!r.stderr.includes('\u001b') && !r.stdout.includes('\u001b'));
      assert.deepEqual(stderrProblems(r.stderr, readFileSync(path.join(root, rel), 'utf8')), []);
      assert.match(r.stderr, /unknown key `\\u001b\[2J\\u001b\[31mred`/);
    });

    it('100,000-deep nesting on stdin: exit 1, one too-deep error at <stdin>:1:65', () => {
      const r = rnnLens(['run', '-'], '['.repeat(100_000));
      assert.equal(r.code, 1, r.stderr);
      assert.match(r.stderr, /^<stdin>:1:65: error: nesting is too deep/m);
      assert.deepEqual(stderrProblems(r.stderr, '['), []);
    });

    it('binary garbage on stdin: exit 1 with located syntax errors', () => {
      const rnd = prng(7);
      const bytes = Buffer.from(Array.from({ length: 4096 }, () => Math.floor(rnd() * 256)));
      const r = rnnLens(['run', '-'], bytes);
      assert.equal(r.code, 1);
      assert.equal(r.stdout, '');
      assert.deepEqual(stderrProblems(r.stderr, bytes.toString('utf8')), []);
      assert.match(r.stderr, /^<stdin>:\d+:\d+: error: /m);
    });

    it('empty stdin: exit 1, "the document is empty"', () => {
      const r = rnnLens(['run', '-'], '');
      assert.equal(r.code, 1);
      assert.match(r.stderr, /^<stdin>:1:1: error: the document is empty/m);
    });

    it('a directory as DOC: exit 1, "is a directory"', () => {
      const r = rnnLens(['run', 'test/fixtures/hostile']);
      assert.equal(r.code, 1);
      assert.equal(r.stderr, 'test/fixtures/hostile: error: cannot read the document: is a directory\n');
    });

    it('a missing file: exit 1, "no such file"', () => {
      const r = rnnLens(['shapes', 'test/fixtures/hostile/does-not-exist.rnn.json']);
      assert.equal(r.code, 1);
      assert.equal(r.stderr, 'test/fixtures/hostile/does-not-exist.rnn.json: error: cannot read the document: no such file\n');
    });

    const usage: [string, string[]][] = [
      ['no arguments', []],
      ['an unknown command', ['execute', 'x.rnn.json']],
      ['an unknown option', ['run', '--eval', 'x.rnn.json']],
      ['two documents', ['run', 'a.rnn.json', 'b.rnn.json']],
      ['a missing document', ['grad']],
      ['a budget that is not a number', ['run', '--max-elements', 'lots', 'x.rnn.json']],
      ['a negative budget', ['run', '--max-flops', '-5', 'x.rnn.json']],
      ['--text on run', ['run', '--text', 'x.rnn.json']],
      ['a command name with markup', ['<script>', 'x']],
    ];
    for (const [what, args] of usage) {
      it(`bad usage (${what}): exit 2 with the usage, no stack trace`, () => {
        const r = rnnLens(args);
        assert.equal(r.code, 2, r.stderr);
        assert.match(r.stderr, /^rnn-lens: .+\n\nUsage: rnn-lens <command>/);
        assert.ok(!/^\s+at /m.test(r.stderr));
      });
    }
  });
});
