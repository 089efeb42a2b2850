// Unit tests of PyTorch-style tensor printing (src/webview/format.ts). Expected strings are what
// PyTorch 1.13 prints for the same values (typed from a Python session, not produced by our code).
import * as assert from 'node:assert/strict';
import { formatTorchTensor } from '../../src/webview/format';

describe('webview PyTorch tensor printing', () => {
  it('prints the origin snippet head as PyTorch does', () => {
    const text = formatTorchTensor([3, 2], [0.0930, 0.0545, 0.1369, 0.0518, 0.2210, -0.1358]);
    assert.equal(text, 'tensor([[ 0.0930,  0.0545],\n        [ 0.1369,  0.0518],\n        [ 0.2210, -0.1358]])');
  });
  it('uses integer mode, scientific mode and nan/inf like PyTorch', () => {
    assert.equal(formatTorchTensor([3], [1, 2, 3]), 'tensor([1., 2., 3.])');
    assert.equal(formatTorchTensor([2], [0, 0]), 'tensor([0., 0.])');
    assert.equal(formatTorchTensor([2], [1e-5, 1]), 'tensor([1.0000e-05, 1.0000e+00])');
    assert.equal(formatTorchTensor([3], [0.5, null, Infinity]), 'tensor([0.5000,    nan,    inf])');
  });
  it('summarises more than 1000 elements with ...', () => {
    const data = Array.from({ length: 2000 }, (_, i) => (i % 10) / 10);
    assert.equal(formatTorchTensor([2000], data), 'tensor([0.0000, 0.1000, 0.2000,  ..., 0.7000, 0.8000, 0.9000])');
  });
  it('wraps long rows at 80 columns', () => {
    const text = formatTorchTensor([10], Array.from({ length: 10 }, () => 0.5));
    assert.equal(text, 'tensor([0.5000, 0.5000, 0.5000, 0.5000, 0.5000, 0.5000, 0.5000, 0.5000, 0.5000,\n        0.5000])');
  });
  it('prints 3-D tensors with blank lines between blocks', () => {
    assert.equal(formatTorchTensor([2, 1, 1], [1.5, -2.25]), 'tensor([[[ 1.5000]],\n\n        [[-2.2500]]])');
  });
});
