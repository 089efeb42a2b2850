// Unit tests of the protocol validators (src/protocol/validate.ts): what the webview may send.
import * as assert from 'node:assert/strict';
import { isHostMessage, isRunPayload, isViewMessage, MAX_EXPORT_CHARS } from '../../src/protocol/validate';

describe('webview protocol validation', () => {
  it('accepts the well-formed messages', () => {
    assert.ok(isViewMessage({ type: 'ready' }));
    assert.ok(isViewMessage({ type: 'compare' }));
    assert.ok(isViewMessage({ type: 'reveal' }));
    assert.ok(isViewMessage({ type: 'copy', text: '{"a":1}' }));
    assert.ok(isViewMessage({ type: 'export', format: 'svg', data: '<?xml version="1.0"?>\n<svg xmlns="http://www.w3.org/2000/svg"></svg>' }));
    assert.ok(isViewMessage({ type: 'export', format: 'png', data: 'iVBORw0KGgo=' }));
    assert.ok(isViewMessage({ type: 'export', format: 'json', data: '{}' }));
  });

  it('rejects malformed messages', () => {
    const bad: unknown[] = [
      null,
      undefined,
      42,
      'ready',
      [],
      {},
      { type: 'READY' },
      { type: 'ready', extra: 1 },
      { type: 'copy' },
      { type: 'copy', text: 5 },
      { type: 'export', format: 'exe', data: 'x' },
      { type: 'export', format: 'svg' },
      { type: 'export', format: 'svg', data: '' },
      { type: 'export', format: 'svg', data: '<html><script>alert(1)</script>' },
      { type: 'export', format: 'png', data: 'not base64!' },
      { type: 'export', format: 'png', data: 'abc' },
      // valid base64 but not a PNG (zeros; a JPEG's FF D8 FF E0)
      { type: 'export', format: 'png', data: 'AAAAAAAAAAAA' },
      { type: 'export', format: 'png', data: '/9j/4AAQSkZJRgABAQ==' },
      { type: 'export', format: 'json', data: 'x'.repeat(MAX_EXPORT_CHARS + 1) },
      { type: 'export', format: 'json', data: '{}', path: '/etc/passwd' },
      { type: '__proto__' },
      { type: 'eval', code: '1' },
    ];
    for (const m of bad) assert.equal(isViewMessage(m), false, JSON.stringify(m)?.slice(0, 80));
  });

  it('checks host messages and payloads before the webview draws them', () => {
    assert.equal(isHostMessage({ type: 'run', payload: {}, strings: {} }), false);
    assert.equal(isHostMessage({ type: 'progress', fraction: 2 }), false);
    assert.equal(isHostMessage({ type: 'error', message: 3 }), false);
    assert.ok(isHostMessage({ type: 'error', message: '<b>x</b>' }));
    assert.ok(isHostMessage({ type: 'idle', strings: { a: 'b' } }));
    assert.equal(isRunPayload({ title: 't', model: { type: 'RNN' } }), false);
    const p = {
      title: 't',
      model: { type: 'RNN', inputSize: 1, hiddenSize: 1, numLayers: 1, bidirectional: false },
      batch: 1,
      seqLen: 1,
      unbatched: true,
      input: { shape: [1, 1], data: [0.5] },
      output: { shape: [1, 1], data: [null] },
      hN: { shape: [1, 1], data: [0.1] },
      stateDict: {},
      shapes: {},
      notes: [],
    };
    assert.ok(isRunPayload(p));
    assert.equal(isRunPayload({ ...p, seqLen: 0 }), false);
    assert.equal(isRunPayload({ ...p, input: { shape: [1], data: ['x'] } }), false);
    assert.equal(isRunPayload({ ...p, notes: [1] }), false);
    // a run's forward first, its gradients after
    assert.ok(isRunPayload({ ...p, gradientsPending: true }));
    assert.equal(isRunPayload({ ...p, gradientsPending: 'yes' }), false);
    const gradients = { inputNorms: [0.5, null], hiddenNorms: [[[1, 2]]], loss: 'L = output[-1].sum()' };
    assert.ok(isHostMessage({ type: 'gradients', gradients }));
    assert.equal(isHostMessage({ type: 'gradients', gradients: { ...gradients, inputNorms: ['1'] } }), false);
    assert.equal(isHostMessage({ type: 'gradients' }), false);
    assert.ok(isHostMessage({ type: 'gradientsFailed', message: 'cancelled' }));
    assert.equal(isHostMessage({ type: 'gradientsFailed', message: 1 }), false);
  });

  it('non-finite values: the wire encoding validates, raw NaN/Infinity and malformed arrays do not', () => {
    const p = {
      title: 't',
      model: { type: 'RNN', inputSize: 1, hiddenSize: 2, numLayers: 1, bidirectional: false },
      batch: 1,
      seqLen: 1,
      unbatched: true,
      input: { shape: [1, 1], data: [0.5] },
      // inf, -inf as ±Number.MAX_VALUE, nan as null (src/protocol/wire.ts)
      output: { shape: [1, 2], data: [1.7976931348623157e308, null] },
      hN: { shape: [1, 2], data: [-1.7976931348623157e308, null] },
      stateDict: { weight_hh_l0: { shape: [2, 2], data: [1e30, 1e30, 1e30, 1e30] } },
      steps: [[[{ layer: 0, direction: 0, t: 0, vectors: { h: [1.7976931348623157e308, null] } }]]],
      gradients: { inputNorms: [1.7976931348623157e308], hiddenNorms: [[[null]]], loss: 'L' },
      shapes: {},
      notes: [],
    };
    assert.ok(isRunPayload(p));
    assert.ok(isRunPayload(JSON.parse(JSON.stringify(p))), 'survives JSON');
    // old saved state: null for every non-finite value, no gradients
    assert.ok(isRunPayload({ ...p, output: { shape: [1, 2], data: [null, null] }, gradients: undefined }));
    // never out of JSON: a raw Infinity / NaN is refused (the host must encode)
    assert.equal(isRunPayload({ ...p, output: { shape: [1, 2], data: [Infinity, 0] } }), false);
    assert.equal(isRunPayload({ ...p, hN: { shape: [1, 2], data: [NaN, 0] } }), false);
    // the data must fill the shape (the view slices by it)
    assert.equal(isRunPayload({ ...p, output: { shape: [1, 3], data: [1, 2] } }), false);
    // parameters, steps and gradients are checked too
    assert.equal(isRunPayload({ ...p, stateDict: { w: { shape: [1], data: ['inf'] } } }), false);
    assert.equal(isRunPayload({ ...p, steps: [[[{ layer: 0, direction: 0, t: 0, vectors: { h: ['inf'] } }]]] }), false);
    assert.equal(isRunPayload({ ...p, steps: [[[{ layer: 0, direction: 2, t: 0, vectors: {} }]]] }), false);
    assert.equal(isRunPayload({ ...p, gradients: { inputNorms: ['inf'], hiddenNorms: [], loss: 'L' } }), false);
    assert.equal(isRunPayload({ ...p, gradients: { inputNorms: [1], hiddenNorms: [[[Infinity]]], loss: 'L' } }), false);
    // compare answers: rows of wire numbers
    assert.ok(isHostMessage({ type: 'compare', payload: { rows: [{ type: 'RNN', inputNorms: [1.7976931348623157e308, null, 0.5] }], seed: 0 } }));
    assert.ok(isHostMessage({ type: 'compare', payload: { rows: [], error: 'too large' } }));
    assert.equal(isHostMessage({ type: 'compare', payload: { rows: [{ type: 'RNN', inputNorms: ['inf'] }] } }), false);
    assert.equal(isHostMessage({ type: 'compare', payload: { rows: [{ type: 'MLP', inputNorms: [] }] } }), false);
  });
});
