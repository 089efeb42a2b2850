/*
 * The engine against the extra golden cases in test/golden/extra/*.json (made by
 * scripts/make_golden.py with PyTorch 1.13: configurations the shared cases do not cover,
 * e.g. a 2-layer bidirectional batch_first GRU with a head, backward through an LSTM with
 * projection, a seed above 2^32, T = 200). Forward and, where given, backward, within
 * 1e-6 * max(1, |expected|) per element, as for test/golden/*.json.
 * Layer: test (Node). Reads only files inside the repository.
 */
import * as assert from 'assert';
import * as fs from 'fs';
import * as path from 'path';
import { backward, forward } from '../../src/engine/unroll';
import type { RunSpec, Tensor } from '../../src/engine/types';
import { maxRelativeError, parseGolden } from './helpers/golden';

const TOLERANCE = 1e-6;

/** test/golden/extra in the repository (found from this file, in src or compiled under out/). */
function extraDir(): string {
  let dir = __dirname;
  while (!fs.existsSync(path.join(dir, 'test', 'golden', 'extra'))) {
    const parent = path.dirname(dir);
    if (parent === dir) throw new Error('test/golden/extra not found above ' + __dirname);
    dir = parent;
  }
  return path.join(dir, 'test', 'golden', 'extra');
}

function close(label: string, actual: Tensor | undefined, expected: Tensor): void {
  assert.ok(actual, `${label}: missing`);
  assert.deepStrictEqual(actual.shape, expected.shape, `${label}: shape`);
  const err = maxRelativeError(actual, expected);
  assert.ok(err <= TOLERANCE, `${label}: max relative error ${err}`);
}

describe('engine on the extra golden cases (PyTorch 1.13.1)', () => {
  const dir = extraDir();
  const files = fs.readdirSync(dir).filter((f) => f.endsWith('.json')).sort();

  it('finds the extra cases', () => assert.ok(files.length >= 10, `only ${files.length}`));

  for (const file of files) {
    const c = parseGolden(file.replace(/\.json$/, ''), JSON.parse(fs.readFileSync(path.join(dir, file), 'utf8')));
    const spec: RunSpec = { model: c.model, head: c.head, stateDict: c.stateDict, input: c.input, h0: c.h0, c0: c.c0 };
    it(`${c.name}: forward`, () => {
      const r = forward(spec);
      close('output', r.output, c.expected.output);
      close('h_n', r.hN, c.expected.hN);
      if (c.expected.cN) close('c_n', r.cN, c.expected.cN);
      if (c.expected.head) close('head', r.head, c.expected.head);
    });
    const bw = c.backward;
    if (bw) {
      it(`${c.name}: backward`, () => {
        const g = backward(spec, bw.upstream);
        close('d input', g.input, bw.expected.input);
        if (bw.expected.h0) close('d h0', g.h0, bw.expected.h0);
        if (bw.expected.c0) close('d c0', g.c0, bw.expected.c0);
        for (const [k, t] of Object.entries(bw.expected.stateDict)) close(`d ${k}`, g.stateDict[k], t);
      });
    }
  }
});
