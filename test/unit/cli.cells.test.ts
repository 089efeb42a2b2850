/*
 * `rnn-lens run|grad|init|shapes` on cell documents (dist/cli.js): the loop's stack of h and last
 * h, c as PyTorch computed them (test/golden/cells), gradients by the cell's names, the shape text.
 * Layer: test (Node; spawns the CLI).
 */
import * as assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync, statSync } from 'node:fs';
import * as path from 'node:path';
import { assertClose } from './goldenCompare';

const root = path.resolve(__dirname, '../../..');
const cli = path.join(root, 'dist/cli.js');
const file = (name: string) => path.join(root, 'test/golden/cells', `${name}.json`);

function rnnLens(args: string[]) {
  const r = spawnSync(process.execPath, [cli, ...args], { cwd: root, encoding: 'utf8', timeout: 60_000 });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

describe('rnn-lens CLI on cell documents', function () {
  this.timeout(120_000);

  before(() => {
    const started = Date.now();
    spawnSync(process.execPath, [path.join(root, 'scripts/build.mjs')], { cwd: root, encoding: 'utf8' });
    assert.ok(statSync(cli).mtimeMs >= started - 2000, 'dist/cli.js was not rebuilt');
  });

  it('run: output (the loop\'s stack of h), h, c as PyTorch computed them; no h_n', () => {
    const g = JSON.parse(readFileSync(file('lstm_cell_loop_hx'), 'utf8'));
    const r = rnnLens(['run', file('lstm_cell_loop_hx')]);
    assert.equal(r.code, 0, r.stderr);
    const out = JSON.parse(r.stdout);
    assert.deepEqual(Object.keys(out).sort(), ['c', 'h', 'output']);
    for (const k of ['output', 'h', 'c']) assertClose(out[k], g.expected[k], k);
  });

  it('grad: the cell\'s parameter names and hx\'s shape', () => {
    const g = JSON.parse(readFileSync(file('gru_cell_step_unbatched_hx'), 'utf8'));
    const r = rnnLens(['grad', file('gru_cell_step_unbatched_hx')]);
    assert.equal(r.code, 0, r.stderr);
    const out = JSON.parse(r.stdout);
    assert.deepEqual(Object.keys(out.state_dict), ['weight_ih', 'weight_hh', 'bias_ih', 'bias_hh']);
    assertClose(out.h0, g.backward.expected.h0, 'h0');
    assertClose(out.state_dict.weight_hh, g.backward.expected.state_dict.weight_hh, 'weight_hh');
  });

  it('shapes --text names the cell and its loop; a bad cell document exits 1 with FILE:LINE:COL', () => {
    const r = rnnLens(['shapes', '--text', file('rnn_cell_relu_loop')]);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /^nn\.RNNCell\(3, 4, nonlinearity='relu'\), for t in range\(L\): h = cell\(x\[t\], h\)/);
    const bad = spawnSync(process.execPath, [cli, 'run', '-'], { cwd: root, encoding: 'utf8', input: '{"model": {"type": "GRUCell", "input_size": 2, "hidden_size": 3, "num_layers": 2}}' });
    assert.equal(bad.status, 1);
    assert.match(bad.stderr, /^<stdin>:1:\d+: error: `num_layers` is not an argument of nn\.GRUCell/m);
  });
});
