/*
 * The CLI as a user runs it: `node dist/cli.js` on golden documents, compared with PyTorch's
 * numbers; exit codes; `-` for standard input; no stack traces. Builds dist/ first.
 * Layer: test (Node).
 */
import * as assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync, readdirSync, statSync } from 'node:fs';
import * as path from 'node:path';
import { assertClose } from './goldenCompare';

const root = path.resolve(__dirname, '../../..');
const cli = path.join(root, 'dist/cli.js');
const goldenPath = (name: string) => path.join(root, 'test/golden', `${name}.json`);
const golden = (name: string) => JSON.parse(readFileSync(goldenPath(name), 'utf8'));

function rnnLens(args: string[], input?: string | Buffer) {
  const r = spawnSync(process.execPath, [cli, ...args], { cwd: root, input, encoding: 'utf8', timeout: 30_000 });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

describe('rnn-lens CLI (dist/cli.js)', function () {
  this.timeout(60_000);

  before(() => {
    const started = Date.now();
    // Other bundles may be unfinished while the tree grows; only dist/cli.js must come out fresh.
    spawnSync(process.execPath, [path.join(root, 'scripts/build.mjs')], { cwd: root, encoding: 'utf8' });
    assert.ok(statSync(cli).mtimeMs >= started - 2000, 'dist/cli.js was not rebuilt');
  });

  const goldens = readdirSync(path.join(root, 'test/golden')).filter((n) => n.endsWith('.json')).map((n) => n.slice(0, -5));

  for (const name of goldens) {
    it(`run ${name}.json gives PyTorch's output, h_n${golden(name).expected.c_n ? ', c_n' : ''}${golden(name).expected.head ? ', head' : ''}`, () => {
      const g = golden(name);
      const r = rnnLens(['run', goldenPath(name)]);
      assert.equal(r.code, 0, r.stderr);
      const out = JSON.parse(r.stdout);
      const keys = ['output', 'h_n', 'c_n', 'head'].filter((k) => g.expected[k] !== undefined);
      assert.deepEqual(Object.keys(out), keys);
      for (const k of keys) assertClose(out[k], g.expected[k], `${name}.${k}`);
    });
  }

  for (const name of goldens.filter((n) => golden(n).backward?.expected)) {
    it(`grad ${name}.json gives PyTorch's gradients`, () => {
      const g = golden(name);
      const r = rnnLens(['grad', goldenPath(name)]);
      assert.equal(r.code, 0, r.stderr);
      const out = JSON.parse(r.stdout);
      const want = g.backward.expected;
      assert.deepEqual(Object.keys(out.state_dict).sort(), Object.keys(want.state_dict).sort());
      assertClose(out.input, want.input, `${name}.input`);
      for (const k of ['h0', 'c0']) {
        if (want[k]) assertClose(out[k], want[k], `${name}.${k}`);
        else assert.equal(out[k], undefined, `${name}: no ${k} was given, so no gradient for it`);
      }
      for (const [k, v] of Object.entries(want.state_dict)) assertClose(out.state_dict[k], v, `${name}.state_dict.${k}`);
    });
  }

  it('init prints the seeded state_dict and torch.rand input bit for bit', () => {
    const g = golden('seed_snippet');
    const r = rnnLens(['init', goldenPath('seed_snippet')]);
    assert.equal(r.code, 0, r.stderr);
    const out = JSON.parse(r.stdout);
    assert.deepEqual(Object.keys(out.state_dict), Object.keys(g.expected.state_dict));
    for (const [k, v] of Object.entries(g.expected.state_dict)) assert.deepEqual(out.state_dict[k], v, k);
    assert.deepEqual(out.input, g.expected.input);
  });

  it('shapes prints JSON, and --text a table, with the snippet\'s 682 parameters', () => {
    const r = rnnLens(['shapes', goldenPath('seed_snippet')]);
    assert.equal(r.code, 0, r.stderr);
    const report = JSON.parse(r.stdout);
    assert.deepEqual(report.output, [3, 5, 20]);
    assert.deepEqual(report.head, [3, 2]);
    assert.equal(report.paramCount, 20 * 10 + 20 * 20 + 20 + 20 + 2 * 20 + 2);
    const t = rnnLens(['shapes', '--text', goldenPath('seed_snippet')]);
    assert.equal(t.code, 0);
    assert.match(t.stdout, /nn\.RNN\(input_size=10, hidden_size=20, num_layers=1, batch_first=True\)/);
    assert.match(t.stdout, /weight_ih_l0\s+\(20, 10\)/);
    assert.match(t.stdout, /total parameters\s+682/);
  });

  it('reads standard input with -', () => {
    const g = golden('gru_basic');
    const r = rnnLens(['run', '-'], readFileSync(goldenPath('gru_basic'), 'utf8'));
    assert.equal(r.code, 0, r.stderr);
    assertClose(JSON.parse(r.stdout).output, g.expected.output, 'stdin output');
  });

  it('a bad document exits 1 with FILE:LINE:COL: severity: message lines', () => {
    const file = path.join(root, 'test/fixtures/bad/h0-size.rnn.json');
    const r = rnnLens(['run', file]);
    assert.equal(r.code, 1);
    assert.equal(r.stdout, '');
    // h0 starts on line 4, column 9 of the fixture.
    assert.ok(r.stderr.startsWith(`${file}:4:9: error: Expected hidden size (1, 3, 2), got [1, 3, 3]`), r.stderr);
    const stdin = rnnLens(['run', '-'], '{\n  "model": {"type": "RNN", "input_size": 2, "hidden_size": 2},\n  "input": [[1, 2], [3]]\n}');
    assert.equal(stdin.code, 1);
    assert.match(stdin.stderr, /^<stdin>:3:21: error: ragged array in `input`: expected sequence of length 2 at dim 1 \(got 1\)/);
  });

  it('warnings and notes go to standard error, the JSON alone to standard output', () => {
    const r = rnnLens(['run', '-'], '{"model": {"type": "RNN", "input_size": 1, "hidden_size": 1, "hiddenSize": 2}, "input": [[1]]}');
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stderr, /^<stdin>:1:62: warning: unknown key `hiddenSize` in model/m);
    assert.match(r.stderr, /^note: no seed and no state_dict: parameters drawn as torch.manual_seed\(0\) would$/m);
    const out = JSON.parse(r.stdout);
    assert.deepEqual(Object.keys(out), ['output', 'h_n']);
  });

  it('garbage, missing files and deep nesting exit 1 without a stack trace', () => {
    const garbage = Buffer.from(Array.from({ length: 4096 }, (_, i) => (i * 7919 + 13) % 256));
    for (const r of [
      rnnLens(['run', '-'], garbage),
      rnnLens(['grad', '-'], ''),
      rnnLens(['run', '-'], '['.repeat(100_000)),
      rnnLens(['run', path.join(root, 'no-such-file.rnn.json')]),
      rnnLens(['run', '-'], '{"model": {"type": "RNN", "input_size": 1, "hidden_size": 1}}'),
    ]) {
      assert.equal(r.code, 1, r.stderr);
      assert.ok(r.stderr.length > 0);
      assert.doesNotMatch(r.stderr, /^\s+at .+:\d+:\d+\)?$/m, r.stderr);
      assert.doesNotMatch(r.stderr, /TypeError|RangeError|ReferenceError/);
    }
    const noInput = rnnLens(['run', '-'], '{"model": {"type": "RNN", "input_size": 1, "hidden_size": 1}}');
    assert.match(noInput.stderr, /no "input"/);
  });

  it('the bundled library dist/engine.js runs a golden document', () => {
    // eslint-disable-next-line @typescript-eslint/no-var-requires
    const engine = require(path.join(root, 'dist/engine.js'));
    const g = golden('seed_snippet');
    const r = engine.run(g);
    assertClose(r.head, g.expected.head, 'head');
    const m = engine.createModel(g);
    assertClose(m.forward(g.expected.input).output, g.expected.output, 'createModel output');
  });

  it('bad usage exits 2 with the usage text; --help and --version exit 0', () => {
    for (const args of [[], ['fly', 'x.json'], ['run'], ['run', 'a', 'b'], ['run', '--frobnicate', 'a'], ['run', '--text', 'a']]) {
      const r = rnnLens(args);
      assert.equal(r.code, 2, args.join(' '));
      assert.match(r.stderr, /Usage: rnn-lens <command>/);
    }
    const h = rnnLens(['--help']);
    assert.equal(h.code, 0);
    assert.match(h.stdout, /state_dict keys are\s+canonical PyTorch names/);
    const v = rnnLens(['--version']);
    assert.equal(v.code, 0);
    assert.equal(v.stdout.trim(), JSON.parse(readFileSync(path.join(root, 'package.json'), 'utf8')).version);
  });
});
