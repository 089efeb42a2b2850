/*
 * Parameter layout and seeded initialisation against PyTorch 1.13: names, shapes and order
 * from module.named_parameters() (test/golden/randn/params.json, made by scripts/make_golden.py),
 * the bounds PyTorch's Python computes, and the seeded golden cases (test/golden/seed*.json,
 * test/golden/extra/seeded_*.json) reproduced bit for bit. Name parsing is checked by hand.
 * Layer: test (Node). Reads only files inside the repository.
 */
import * as assert from 'assert';
import * as fs from 'fs';
import * as path from 'path';
import { createGenerator, torchRand } from '../../src/engine/random';
import {
  canonicalName,
  describeParameter,
  initStateDict,
  linearWeightBound,
  parameterInfos,
} from '../../src/engine/params';
import { parseGolden, toHeadConfig, toModelConfig, repoRoot } from './helpers/golden';

/** test/golden in the repository. */
function goldenDir(): string {
  return path.join(repoRoot(), 'test', 'golden');
}

const golden = goldenDir();
const layout = JSON.parse(fs.readFileSync(path.join(golden, 'randn', 'params.json'), 'utf8')) as {
  gate_order: Record<string, string[]>;
  configs: {
    model: Record<string, unknown>;
    head: Record<string, unknown> | null;
    params: { name: string; shape: number[] }[];
    count: number;
  }[];
  bounds: { what: string; hidden_size?: number; fan_in?: number; bound: number }[];
};

function seededFiles(): string[] {
  const top = fs.readdirSync(golden).filter((f) => f.startsWith('seed') && f.endsWith('.json')).map((f) => path.join(golden, f));
  const extraDir = path.join(golden, 'extra');
  const extra = fs.readdirSync(extraDir).filter((f) => f.startsWith('seeded') && f.endsWith('.json')).map((f) => path.join(extraDir, f));
  return [...top, ...extra];
}

describe('params: names, shapes and gate blocks as PyTorch registers them', () => {
  for (const c of layout.configs) {
    const model = toModelConfig(c.model);
    const head = c.head ? toHeadConfig(c.head) : undefined;
    const title = `${model.type}(${model.inputSize}, ${model.hiddenSize}, layers=${model.numLayers}, bi=${model.bidirectional}, bias=${model.bias}, proj=${model.projSize})${head ? ' + Linear' : ''}`;
    it(title, () => {
      const infos = parameterInfos(model, head);
      assert.deepStrictEqual(infos.map((p) => ({ name: p.name, shape: p.shape })), c.params);
      const count = infos.reduce((s, p) => s + p.shape.reduce((a, b) => a * b, 1), 0);
      assert.strictEqual(count, c.count);
    });
  }

  it('stacks gate blocks in the order torch documents (and make_golden.py checks numerically)', () => {
    for (const [type, order] of Object.entries(layout.gate_order)) {
      const model = toModelConfig({ type, input_size: 2, hidden_size: 3 });
      const w = parameterInfos(model).find((p) => p.name === 'weight_ih_l0')!;
      assert.deepStrictEqual(w.gates.map((g) => g.gate), order);
      w.gates.forEach((g, k) => {
        assert.strictEqual(g.rowStart, 3 * k);
        assert.strictEqual(g.rowEnd, 3 * (k + 1));
      });
      assert.strictEqual(w.gates[w.gates.length - 1].rowEnd, w.shape[0]);
    }
  });

  it('labels the gates in plain words', () => {
    const lstm = parameterInfos(toModelConfig({ type: 'LSTM', input_size: 2, hidden_size: 3 }))[0];
    assert.deepStrictEqual(lstm.gates.map((g) => g.label), ['input gate', 'forget gate', 'cell candidate', 'output gate']);
    const gru = parameterInfos(toModelConfig({ type: 'GRU', input_size: 2, hidden_size: 3 }))[0];
    assert.deepStrictEqual(gru.gates.map((g) => g.label), ['reset gate', 'update gate', 'new gate']);
  });

  it('tags layer, direction and kind', () => {
    const infos = parameterInfos(toModelConfig({ type: 'LSTM', input_size: 2, hidden_size: 3, num_layers: 2, bidirectional: true, proj_size: 1 }), { type: 'Linear', outFeatures: 2, bias: true });
    const hr = infos.find((p) => p.name === 'weight_hr_l1_reverse')!;
    assert.deepStrictEqual([hr.layer, hr.direction, hr.kind, hr.gates.length], [1, 1, 'weight_hr', 0]);
    const hw = infos.find((p) => p.name === 'head.weight')!;
    assert.deepStrictEqual([hw.layer, hw.kind, hw.shape], [-1, 'head.weight', [2, 2]]);
  });
});

describe('params: initialisation bounds computed as PyTorch computes them (in double)', () => {
  for (const b of layout.bounds) {
    it(`${b.what} ${b.hidden_size ?? b.fan_in}`, () => {
      if (b.what === 'rnn') assert.strictEqual(1.0 / Math.sqrt(b.hidden_size!), b.bound);
      else if (b.what === 'linear.weight') assert.strictEqual(linearWeightBound(b.fan_in!), b.bound);
      else assert.strictEqual(1 / Math.sqrt(b.fan_in!), b.bound);
    });
  }
});

describe('params: seeded initialisation, bit for bit (torch.manual_seed, then modules, then torch.rand)', () => {
  for (const file of seededFiles()) {
    const name = path.basename(file, '.json');
    it(name, () => {
      const raw = JSON.parse(fs.readFileSync(file, 'utf8')) as Record<string, unknown>;
      const c = parseGolden(name, raw);
      assert.ok(c.seed !== undefined && c.randShape, 'a seeded case');
      const gen = createGenerator(c.seed!);
      const sd = initStateDict(c.model, c.head, gen);
      const want = c.expected.stateDict!;
      assert.deepStrictEqual(Object.keys(sd), Object.keys(want), 'names in registration order');
      for (const k of Object.keys(want)) {
        assert.deepStrictEqual(sd[k].shape, want[k].shape, `${k} shape`);
        for (let i = 0; i < want[k].data.length; i++) {
          assert.strictEqual(Math.fround(sd[k].data[i]), want[k].data[i], `${k}[${i}]`);
        }
      }
      const input = torchRand(gen, c.randShape!);
      const wantIn = c.expected.input!;
      assert.deepStrictEqual(input.shape, wantIn.shape);
      for (let i = 0; i < wantIn.data.length; i++) assert.strictEqual(Math.fround(input.data[i]), wantIn.data[i], `input[${i}]`);
    });
  }
});

describe('params: reading parameter names', () => {
  it('parses recurrent names with and without a module prefix', () => {
    assert.deepStrictEqual(describeParameter('weight_ih_l0'), { prefix: '', local: 'weight_ih_l0', kind: 'weight_ih', layer: 0, direction: 0 });
    assert.deepStrictEqual(describeParameter('rnn.bias_hh_l12_reverse'), { prefix: 'rnn.', local: 'bias_hh_l12_reverse', kind: 'bias_hh', layer: 12, direction: 1 });
    assert.deepStrictEqual(describeParameter('model.lstm.weight_hr_l1'), { prefix: 'model.lstm.', local: 'weight_hr_l1', kind: 'weight_hr', layer: 1, direction: 0 });
  });

  it('reads <module>.weight / .bias as the Linear head', () => {
    assert.deepStrictEqual(describeParameter('fc.weight'), { prefix: 'fc.', local: 'weight', kind: 'head.weight', layer: -1, direction: 0 });
    assert.strictEqual(describeParameter('head.bias')?.kind, 'head.bias');
  });

  it('rejects what is not a parameter name', () => {
    for (const bad of ['weight_ih', 'weight_ih_l', 'weight_xx_l0', 'weight_ih_l0_backward', 'rnn.', '']) {
      assert.strictEqual(describeParameter(bad), undefined, bad);
    }
  });

  it('maps written keys to canonical state_dict names for a given model', () => {
    const model = toModelConfig({ type: 'RNN', input_size: 10, hidden_size: 20 });
    const head = { type: 'Linear' as const, outFeatures: 2, bias: true };
    assert.deepStrictEqual(canonicalName('rnn.weight_ih_l0', model, head), { name: 'weight_ih_l0', prefix: 'rnn.' });
    assert.deepStrictEqual(canonicalName('fc.bias', model, head), { name: 'head.bias', prefix: 'fc.' });
    assert.deepStrictEqual(canonicalName('head.weight', model, head), { name: 'head.weight', prefix: '' });
    assert.strictEqual(canonicalName('fc.bias', model, undefined), undefined);
    assert.strictEqual(canonicalName('rnn.weight_ih_l1', model, head), undefined); // only one layer
    assert.strictEqual(canonicalName('weight_ih_l0_reverse', model, head), undefined); // not bidirectional
  });
});
