/*
 * `rnn-lens train` as a user runs it: `node dist/cli.js train` on the golden training documents
 * (PyTorch 1.13's numbers), standard input, problems at their place in PyTorch's words, a NaN
 * loss, and Ctrl+C (SIGINT) stopping cleanly with the steps done. Builds dist/ first.
 * Layer: test (Node).
 */
import * as assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { readFileSync, statSync } from 'node:fs';
import * as path from 'node:path';
import { loadTrainCases, scaledError } from './helpers/trainGolden';

const root = path.resolve(__dirname, '../../..');
const cli = path.join(root, 'dist/cli.js');

function rnnLens(args: string[], input?: string) {
  const r = spawnSync(process.execPath, [cli, ...args], { cwd: root, input, encoding: 'utf8', timeout: 60_000 });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

function flat(v: unknown): number[] {
  return Array.isArray(v) ? (v as unknown[]).flatMap(flat) : [v as number];
}

const ORIGIN = {
  model: { type: 'RNN', input_size: 10, hidden_size: 20, batch_first: true },
  head: { type: 'Linear', out_features: 2 },
  seed: 0,
  input: { rand: [3, 5, 10] },
  train: { loss: 'mse', target: { rand: [3, 2] }, optimizer: { type: 'SGD', lr: 0.1 }, steps: 50 },
};

describe('rnn-lens train (dist/cli.js)', function () {
  this.timeout(120_000);

  before(() => {
    const started = Date.now();
    spawnSync(process.execPath, [path.join(root, 'scripts/build.mjs')], { cwd: root, encoding: 'utf8' });
    assert.ok(statSync(cli).mtimeMs >= started - 2000, 'dist/cli.js was not rebuilt');
  });

  for (const c of loadTrainCases('train')) {
    it(`train ${c.name}.json gives PyTorch's losses, gradient norms and parameters`, () => {
      const r = rnnLens(['train', path.join(root, 'test/golden/train', `${c.name}.json`)]);
      assert.equal(r.code, 0, r.stderr);
      const out = JSON.parse(r.stdout);
      assert.deepEqual(Object.keys(out).sort(), ['grad_norm', 'loss', 'notes', 'state_dict']);
      assert.ok(scaledError(out.loss, c.expected.loss) <= 1e-6, 'loss');
      assert.ok(scaledError(out.grad_norm, c.expected.grad_norm) <= 1e-6, 'grad_norm');
      assert.deepEqual(Object.keys(out.state_dict).sort(), Object.keys(c.expected.state_dict).sort());
      for (const [name, want] of Object.entries(c.expected.state_dict)) {
        assert.ok(scaledError(flat(out.state_dict[name]), flat(want)) <= 1e-5, name);
      }
    });
  }

  it('reads standard input with -', () => {
    const golden = JSON.parse(readFileSync(path.join(root, 'test/golden/train/train_seed_snippet.json'), 'utf8'));
    const r = rnnLens(['train', '-'], JSON.stringify(ORIGIN));
    assert.equal(r.code, 0, r.stderr);
    assert.ok(scaledError(JSON.parse(r.stdout).loss, golden.expected.loss) <= 1e-6);
    assert.equal(r.stderr, '', 'no progress when standard error is not a terminal');
  });

  it('a document without "train" is exit 1 with one line saying what to add', () => {
    const { train: _, ...doc } = ORIGIN;
    const r = rnnLens(['train', '-'], JSON.stringify(doc));
    assert.equal(r.code, 1);
    assert.match(r.stderr, /^<stdin>:1:1: error: the document has no "train" block/);
    assert.equal(r.stdout, '');
  });

  it('problems of the train block come at their line and column, in PyTorch\'s words', () => {
    const text = JSON.stringify({ ...ORIGIN, train: { ...ORIGIN.train, optimizer: { type: 'SGD', lr: -0.1, nesterov: true } } }, null, 2);
    const r = rnnLens(['train', '-'], text);
    assert.equal(r.code, 1);
    const lrLine = text.split('\n').findIndex((l) => l.includes('"lr"')) + 1;
    assert.match(r.stderr, new RegExp(`^<stdin>:${lrLine}:\\d+: error: Invalid learning rate: -0.1$`, 'm'));
    assert.match(r.stderr, /error: Nesterov momentum requires a momentum and zero dampening/);
    const ce = JSON.stringify({ ...ORIGIN, train: { ...ORIGIN.train, loss: 'cross_entropy', target: [0, 5, 1] } });
    const r2 = rnnLens(['train', '-'], ce);
    assert.equal(r2.code, 1);
    assert.match(r2.stderr, /error: Target 5 is out of bounds\./);
  });

  it('a loss that overflows stops at that step, keeps the last finite parameters and says so', () => {
    const doc = {
      model: { type: 'RNN', input_size: 2, hidden_size: 3, nonlinearity: 'relu', batch_first: true },
      head: { type: 'Linear', out_features: 1 }, seed: 0, input: { rand: [2, 4, 2] },
      train: { loss: 'mse', target: [[1.0], [2.0]], optimizer: { type: 'SGD', lr: 1000 }, steps: 50 },
    };
    const r = rnnLens(['train', '-'], JSON.stringify(doc));
    assert.equal(r.code, 0, r.stderr);
    const out = JSON.parse(r.stdout);
    assert.equal(out.stopped.reason, 'non-finite');
    assert.equal(out.loss.length, out.stopped.step);
    assert.ok(out.loss.every(Number.isFinite));
    assert.ok(Object.values(out.state_dict).every((t) => flat(t).every(Number.isFinite)));
    assert.match(r.stderr, new RegExp(`note: stopped at step ${out.stopped.step + 1} of 50: the loss is (inf|nan)`));
  });

  it('Ctrl+C (SIGINT) stops between steps and still prints the steps done (exit 130)', async () => {
    const golden = JSON.parse(readFileSync(path.join(root, 'test/golden/train/train_seed_snippet.json'), 'utf8'));
    const doc = { ...ORIGIN, train: { ...ORIGIN.train, steps: 1_000_000 } };
    const child = spawn(process.execPath, [cli, 'train', '-'], { cwd: root });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (b) => (stdout += b));
    child.stderr.on('data', (b) => (stderr += b));
    child.stdin.end(JSON.stringify(doc));
    await new Promise((r) => setTimeout(r, 2000));
    child.kill('SIGINT');
    const code = await new Promise<number | null>((r) => child.on('close', r));
    assert.equal(code, 130, stderr);
    const out = JSON.parse(stdout);
    assert.equal(out.stopped.reason, 'aborted');
    assert.equal(out.loss.length, out.stopped.step);
    assert.equal(out.grad_norm.length, out.stopped.step);
    assert.ok(out.loss.length > 0 && out.loss.length < 1_000_000);
    const n = Math.min(out.loss.length, golden.expected.loss.length);
    assert.ok(scaledError(out.loss.slice(0, n), golden.expected.loss.slice(0, n)) <= 1e-6, 'the steps done are PyTorch\'s');
    assert.match(stderr, /note: interrupted: stopped before step \d+ of 1000000/);
  });

  it('--help lists train', () => {
    const r = rnnLens(['--help']);
    assert.match(r.stdout, /^ {2}train DOC /m);
    assert.match(r.stdout, /^ {2}--precision P {8}train: float64 \(default/m);
  });

  for (const c of loadTrainCases('train').filter((x) => x.expectedFloat32)) {
    it(`train --precision float32 ${c.name}.json follows PyTorch's float32 run (loss within 1e-5), float32 parameters, a note`, () => {
      const r = rnnLens(['train', '--precision', 'float32', path.join(root, 'test/golden/train', `${c.name}.json`)]);
      assert.equal(r.code, 0, r.stderr);
      const out = JSON.parse(r.stdout);
      assert.deepEqual(Object.keys(out).sort(), ['grad_norm', 'loss', 'notes', 'state_dict'], 'the spec\'s fields, nothing added');
      const e = scaledError(out.loss, c.expectedFloat32!.loss);
      assert.ok(e <= 1e-5, `loss vs PyTorch float32: ${e}`);
      for (const [name, v] of Object.entries(out.state_dict)) {
        for (const x of flat(v)) assert.equal(x, Math.fround(x), `${name} holds a value that is not a float32`);
      }
      assert.ok(out.notes.some((n: string) => n.startsWith('precision float32')), out.notes.join('; '));
      assert.match(r.stderr, /^note: precision float32: /m);
    });
  }

  it('--precision float64 is the default run (no precision note); a bad value or another command is a usage error', () => {
    const file = path.join(root, 'test/golden/train/train_seed_snippet.json');
    const a = rnnLens(['train', file]);
    const b = rnnLens(['train', '--precision', 'float64', file]);
    assert.equal(b.code, 0, b.stderr);
    assert.equal(b.stdout, a.stdout);
    assert.doesNotMatch(b.stderr, /precision/);
    const bad = rnnLens(['train', '--precision', 'half', file]);
    assert.equal(bad.code, 2);
    assert.match(bad.stderr, /^rnn-lens: --precision needs float64 or float32, got "half"/);
    const missing = rnnLens(['train', file, '--precision']);
    assert.equal(missing.code, 2);
    assert.match(missing.stderr, /^rnn-lens: --precision needs float64 or float32\n/);
    const other = rnnLens(['run', '--precision', 'float32', file]);
    assert.equal(other.code, 2);
    assert.match(other.stderr, /^rnn-lens: --precision is an option of train/);
  });
});
