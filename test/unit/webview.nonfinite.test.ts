// Unit tests of issue #5 ("hostile input"): inf and nan travel to the RNN Unroll View and are
// shown as PyTorch's float32 would hold them. Expected facts are hand-derived or printed by
// PyTorch 1.13 (python3 -c "import torch; print(...)"), never produced by the code under test:
//   torch.tensor([2e30, float('inf')])           -> tensor([2.0000e+30,        inf])
//   relu RNN(2, 2), every weight 1e30, biases 0, input ones(3, 2) (test/fixtures/hostile/relu-overflow):
//     out -> tensor([[2.0000e+30, 2.0000e+30],
//                    [       inf,        inf],
//                    [       inf,        inf]])      h_n -> tensor([[inf, inf]])
import * as assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { readDocument } from '../../src/document/reader';
import { FLOAT32_MAX as DOCUMENT_FLOAT32_MAX, nonFiniteKind } from '../../src/document/nonFinite';
import { buildRunPayload, toWire } from '../../src/run/payload';
import type { RunPayload } from '../../src/protocol/messages';
import { isHostMessage, isRunPayload } from '../../src/protocol/validate';
import { FLOAT32_MAX, fromWireNumber, toWireNumber, WIRE_INF, wireKind } from '../../src/protocol/wire';
import { formatNumber, formatTorchTensor } from '../../src/webview/format';
import { colorOf, countNonFinite, downsample, maxAbs, NONFINITE, nonFiniteMarkPath, nonFiniteText } from '../../src/webview/heatmap';
import { valuesJson } from '../../src/webview/data';
import { WEBVIEW_STRINGS } from '../../src/extension/webviewStrings';

const root = path.join(__dirname, '..', '..', '..');
/** float32's largest value from its definition: (2 - 2^-23) * 2^127. */
const F32_MAX_BY_DEFINITION = (2 - 2 ** -23) * 2 ** 127;

/** The panel's string lookup with the English texts (as the webview fills them). */
const str = (key: string, ...args: (string | number)[]) =>
  ((WEBVIEW_STRINGS as Record<string, string>)[key] ?? key).replace(/\{(\d+)\}/g, (_, i) => String(args[Number(i)]));

/** What the webview receives: the payload after postMessage / setState (JSON). */
function overflowPayload(): RunPayload {
  const text = readFileSync(path.join(root, 'test/fixtures/hostile/relu-overflow.rnn.json'), 'utf8');
  const read = readDocument(text);
  assert.ok(read.document, read.diagnostics.map((d) => d.message).join('\n'));
  return JSON.parse(JSON.stringify(buildRunPayload(read.document!, { title: 'relu-overflow' })));
}

describe('non-finite values on the wire (src/protocol/wire.ts)', () => {
  it('float32 max is the one threshold, on both layers, and is itself finite', () => {
    assert.equal(FLOAT32_MAX, F32_MAX_BY_DEFINITION);
    assert.equal(DOCUMENT_FLOAT32_MAX, F32_MAX_BY_DEFINITION);
    assert.equal(Math.fround(FLOAT32_MAX), FLOAT32_MAX, 'representable in float32');
    assert.equal(toWireNumber(FLOAT32_MAX), FLOAT32_MAX);
    assert.equal(toWireNumber(-FLOAT32_MAX), -FLOAT32_MAX);
    assert.equal(wireKind(FLOAT32_MAX), undefined);
    assert.equal(nonFiniteKind(FLOAT32_MAX), undefined);
  });

  it('encodes inf, -inf, nan and float64 values beyond float32 (1e39) JSON-safely', () => {
    assert.equal(WIRE_INF, 1.7976931348623157e308);
    assert.equal(toWireNumber(Infinity), 1.7976931348623157e308);
    assert.equal(toWireNumber(-Infinity), -1.7976931348623157e308);
    assert.equal(toWireNumber(NaN), null);
    assert.equal(toWireNumber(1e39), 1.7976931348623157e308, 'float32(1e39) is inf in PyTorch');
    assert.equal(toWireNumber(-1e39), -1.7976931348623157e308);
    assert.equal(toWireNumber(2e30), 2e30);
    assert.equal(toWireNumber(-0.25), -0.25);
    // JSON keeps them (a raw Infinity would become null, i.e. nan)
    const back = JSON.parse(JSON.stringify([Infinity, -Infinity, NaN, 1e39].map(toWireNumber)));
    assert.deepEqual(back.map(wireKind), ['inf', '-inf', 'nan', 'inf']);
    assert.deepEqual(back.map(fromWireNumber), [Infinity, -Infinity, NaN, Infinity]);
    assert.equal(JSON.stringify([Infinity]), '[null]', 'why the encoding exists');
  });

  it('reads old saved state (null for every non-finite value) as nan, and raw JS values too', () => {
    assert.equal(wireKind(null), 'nan');
    assert.equal(wireKind(NaN), 'nan');
    assert.equal(wireKind(Infinity), 'inf');
    assert.equal(wireKind(-Infinity), '-inf');
    assert.equal(wireKind(3.5e38), 'inf');
    assert.equal(wireKind(0), undefined);
    assert.equal(fromWireNumber(1.5), 1.5);
  });

  it('toWire: a tensor with inf, -inf, nan and 1e39', () => {
    const w = toWire({ shape: [1, 5], data: Float64Array.from([Infinity, -Infinity, NaN, 1e39, 1.5]) });
    assert.deepEqual(w, { shape: [1, 5], data: [Number.MAX_VALUE, -Number.MAX_VALUE, null, Number.MAX_VALUE, 1.5] });
  });
});

describe('an overflowed run (relu RNN, weights 1e30) in the Unroll View', () => {
  const p = overflowPayload();

  it('the payload survives JSON, validates, and carries inf where PyTorch has inf', () => {
    assert.ok(isRunPayload(p));
    assert.ok(isHostMessage({ type: 'run', payload: p, strings: {} }));
    assert.deepEqual(p.output.shape, [3, 2]);
    assert.deepEqual(p.output.data.map(wireKind), [undefined, undefined, 'inf', 'inf', 'inf', 'inf']);
    assert.ok(Math.abs((p.output.data[0] as number) - 2e30) <= 1e24, 'h1 = relu(1e30 + 1e30) = 2e30 (float32 holds it)');
    assert.deepEqual(p.hN.data.map(wireKind), ['inf', 'inf']);
    // the trace: step t = 1 (0-based) holds inf in W_hh h + b_hh and in h
    const step = p.steps![0][0][1].vectors;
    assert.deepEqual(step.h.map(wireKind), ['inf', 'inf']);
    assert.deepEqual(step.hh.map(wireKind), ['inf', 'inf']);
    // ||dL/dx_1|| goes through W_hh twice: 2e60-sized in float64, inf in float32 (PyTorch: inf)
    assert.equal(wireKind(p.gradients!.inputNorms[0]), 'inf');
  });

  it('prints output and h_n exactly as PyTorch prints them', () => {
    assert.equal(formatTorchTensor(p.output.shape, p.output.data), 'tensor([[2.0000e+30, 2.0000e+30],\n        [       inf,        inf],\n        [       inf,        inf]])');
    assert.equal(formatTorchTensor(p.hN.shape, p.hN.data), 'tensor([[inf, inf]])');
  });

  it('"Copy values as JSON" writes "inf", never 1.79e308 or null', () => {
    const text = valuesJson(p, 2);
    assert.ok(!text.includes('1.7976931348623157e+308') && !text.includes('null'), text);
    const o = JSON.parse(text);
    assert.deepEqual(o.h_n, { shape: [1, 2], data: ['inf', 'inf'] });
    assert.deepEqual(o.output.data.slice(2), ['inf', 'inf', 'inf', 'inf']);
    assert.ok(Math.abs(o.output.data[0] - 2e30) <= 1e24);
    assert.equal(o.selected_t, 2);
  });

  it('says where the inf is in words for tooltips and screen readers', () => {
    assert.equal(nonFiniteText(p.hN.data, str), "holds inf (2 of 2 values). inf: beyond float32's range (about ±3.4e38), where PyTorch stores inf.");
    assert.equal(nonFiniteText(p.output.data.slice(0, 2), str), undefined);
  });
});

describe('heatmaps with inf and nan (src/webview/heatmap.ts)', () => {
  it('the colour scale ignores inf, -inf, nan and values beyond float32', () => {
    assert.equal(maxAbs([1, Number.MAX_VALUE, -2, null, -1e39, NaN, Infinity]), 2);
    assert.equal(maxAbs([null, Number.MAX_VALUE]), 0);
    assert.equal(maxAbs([0.5], [FLOAT32_MAX]), FLOAT32_MAX, 'float32 max itself is a number');
  });

  it('marks each kind on the non-finite colour, and draws finite values on the scale', () => {
    assert.deepEqual(colorOf(Number.MAX_VALUE, 2), { fill: NONFINITE, opacity: 1, kind: 'inf' });
    assert.deepEqual(colorOf(1e39, 2), { fill: NONFINITE, opacity: 1, kind: 'inf' });
    assert.deepEqual(colorOf(-Number.MAX_VALUE, 2), { fill: NONFINITE, opacity: 1, kind: '-inf' });
    assert.deepEqual(colorOf(null, 2), { fill: NONFINITE, opacity: 1, kind: 'nan' });
    assert.equal(colorOf(-2, 2).opacity, 1);
    assert.equal(colorOf(0.5, 2).opacity, 0.5, 'sqrt(0.5 / 2)');
    assert.equal(colorOf(FLOAT32_MAX, FLOAT32_MAX).kind, undefined);
    // three different marks: X for nan, /// for inf, \\\ for -inf
    assert.equal(nonFiniteMarkPath('nan', 0, 0, 10, 10), 'M0,0l10,10m-10,0l10,-10');
    assert.ok(nonFiniteMarkPath('inf', 0, 0, 10, 10).startsWith('M0,10L10,0'), 'inf: the rising diagonal');
    assert.ok(nonFiniteMarkPath('-inf', 0, 0, 10, 10).startsWith('M0,0L10,10'), '-inf: the falling diagonal');
  });

  it('downsampling keeps a non-finite value visible (nan over inf over -inf over numbers)', () => {
    const v = [0.1, 5, -Number.MAX_VALUE, 0.2, Number.MAX_VALUE, null, 3, -4];
    assert.deepEqual(downsample(v, 4).values, [5, -Number.MAX_VALUE, null, -4]);
    assert.deepEqual(downsample([1, Number.MAX_VALUE, -Number.MAX_VALUE, 2], 1).values, [Number.MAX_VALUE]);
  });

  it('counts the kinds (old state null reads as nan)', () => {
    assert.deepEqual(countNonFinite([null, Number.MAX_VALUE, 1e39, -Infinity, 1]), { nan: 1, inf: 2, '-inf': 1, total: 5 });
    assert.equal(countNonFinite([1, FLOAT32_MAX]), undefined);
    assert.equal(
      nonFiniteText([null, -Number.MAX_VALUE, 1], str),
      "holds -inf, nan (2 of 3 values). inf: beyond float32's range (about ±3.4e38), where PyTorch stores inf. nan: not a number (inf − inf or 0 × inf), as in PyTorch.",
    );
  });
});

describe('PyTorch printing of inf and nan (src/webview/format.ts)', () => {
  it('matches torch 1.13 for mixed tensors, whatever form inf arrives in', () => {
    const expected = 'tensor([[   inf,   -inf,    nan, 1.5000]])';
    assert.equal(formatTorchTensor([1, 4], [Number.MAX_VALUE, -Number.MAX_VALUE, null, 1.5]), expected, 'wire form');
    assert.equal(formatTorchTensor([1, 4], [Infinity, -Infinity, NaN, 1.5]), expected, 'JS numbers');
    assert.equal(formatTorchTensor([1, 4], [1e39, -1e39, null, 1.5]), expected, 'float64 beyond float32');
    assert.equal(formatTorchTensor([1, 3], [Number.MAX_VALUE, -Number.MAX_VALUE, null]), 'tensor([[inf, -inf, nan]])');
    assert.equal(formatTorchTensor([3], [Infinity, 2, 3]), 'tensor([inf, 2., 3.])');
    assert.equal(formatTorchTensor([2], [Infinity, -Infinity]), 'tensor([inf, -inf])');
    assert.equal(formatTorchTensor([1], [null]), 'tensor([nan])');
    assert.equal(formatTorchTensor([2], [2e30, Number.MAX_VALUE]), 'tensor([2.0000e+30,        inf])');
    assert.equal(formatTorchTensor([3], [0.5, Number.MAX_VALUE, 1e-5]), 'tensor([5.0000e-01,        inf, 1.0000e-05])');
    assert.equal(formatTorchTensor([3], [-0.25, -Number.MAX_VALUE, null]), 'tensor([-0.2500,    -inf,     nan])');
    assert.equal(formatTorchTensor([2], [0, Infinity]), 'tensor([0., inf])');
    assert.equal(formatTorchTensor([3], [0, 0.5, null]), 'tensor([0.0000, 0.5000,    nan])');
    assert.equal(formatTorchTensor([2, 2], [1e39, 2, 0, -3]), 'tensor([[inf,  2.],\n        [ 0., -3.]])');
  });

  it('float32 max stays a number; 1e39 in float64 is inf', () => {
    assert.equal(formatTorchTensor([1], [FLOAT32_MAX]), 'tensor([3.4028e+38])');
    assert.equal(formatTorchTensor([1], [1e39]), 'tensor([inf])');
  });

  it('labels and tooltips say inf, -inf, nan', () => {
    assert.equal(formatNumber(Number.MAX_VALUE), 'inf');
    assert.equal(formatNumber(-1e39), '-inf');
    assert.equal(formatNumber(null), 'nan');
    assert.equal(formatNumber(FLOAT32_MAX), '3.4028e+38');
  });
});
