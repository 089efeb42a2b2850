// Unit tests of the Unroll View's pure layout (src/webview/layout.ts): geometry facts derived by
// hand from the textbook figure, not from the code's own output.
import * as assert from 'node:assert/strict';
import { computeLayout, visibleTimes } from '../../src/webview/layout';

describe('webview layout', () => {
  it('places x_t and h_t columns left to right, monotone in t', () => {
    const L = computeLayout({ seqLen: 5, numLayers: 1, bidirectional: false, hasCell: false, hasHead: true });
    const xs = [0, 1, 2, 3, 4].map((t) => L.nodes.find((n) => n.id === `h:0:0:${t}`)!.x);
    for (let i = 1; i < xs.length; i++) assert.ok(xs[i] > xs[i - 1], `h_${i + 1} right of h_${i}`);
    for (let t = 0; t < 5; t++) {
      const x = L.nodes.find((n) => n.id === `x:${t}`)!;
      const h = L.nodes.find((n) => n.id === `h:0:0:${t}`)!;
      assert.ok(x.y > h.y, 'x_t is below h_t');
      assert.equal(x.x, h.x, 'x_t and h_t share a column');
    }
    assert.equal(L.columns.length, 5);
    assert.equal(L.gaps.length, 0);
  });

  it('forward recurrent arrows point right, reverse ones point left', () => {
    const L = computeLayout({ seqLen: 4, numLayers: 2, bidirectional: true, hasCell: true, hasHead: false });
    const rec = L.arrows.filter((a) => a.kind === 'recurrent');
    assert.equal(rec.length, 2 * 2 * 3, 'layers x directions x (T-1)');
    for (const a of rec) {
      const [x1] = a.points[0];
      const [x2] = a.points[a.points.length - 1];
      if (a.direction === 0) assert.ok(x2 > x1, `${a.id} points right`);
      else assert.ok(x2 < x1, `${a.id} points left`);
    }
  });

  it("puts the reverse direction's h_n at the LEFT end and its h0 at the right", () => {
    const L = computeLayout({ seqLen: 3, numLayers: 1, bidirectional: true, hasCell: false, hasHead: false });
    const hnRev = L.nodes.find((n) => n.id === 'hn:0:1')!;
    const hnFwd = L.nodes.find((n) => n.id === 'hn:0:0')!;
    const h0Rev = L.nodes.find((n) => n.id === 'h0:0:1')!;
    const first = L.nodes.find((n) => n.id === 'h:0:1:0')!;
    const last = L.nodes.find((n) => n.id === 'h:0:1:2')!;
    assert.ok(hnRev.x < first.x, 'reverse h_n left of t=1');
    assert.ok(hnFwd.x > last.x, 'forward h_n right of t=T');
    assert.ok(h0Rev.x > last.x, 'reverse h0 right of t=T');
    const fin = L.arrows.find((a) => a.kind === 'final' && a.to === 'hn:0:1')!;
    assert.equal(fin.from, 'h:0:1:0', 'reverse h_n comes from the reverse state at t=1');
    assert.ok(fin.points[fin.points.length - 1][0] < fin.points[0][0], 'and the arrow points left');
  });

  it('concatenates both directions into y_t, and each layer reads the layer below', () => {
    const L = computeLayout({ seqLen: 2, numLayers: 2, bidirectional: true, hasCell: false, hasHead: true });
    const concat = L.arrows.filter((a) => a.kind === 'concat' && a.to === 'y:0:1').map((a) => a.from).sort();
    assert.deepEqual(concat, ['h:0:0:1', 'h:0:1:1']);
    const inputs = L.arrows.filter((a) => a.kind === 'input' && a.to === 'h:1:1:0').map((a) => a.from);
    assert.deepEqual(inputs, ['y:0:0']);
    const head = L.arrows.find((a) => a.kind === 'head')!;
    assert.equal(head.from, 'y:1:1', 'the head reads the output at the last step');
    for (const a of L.arrows.filter((x) => x.kind === 'input' || x.kind === 'concat' || x.kind === 'head')) {
      assert.ok(a.points[a.points.length - 1][1] < a.points[0][1], `${a.id} goes up`);
    }
  });

  it('draws the LSTM cell lane with c0 and c_n', () => {
    const L = computeLayout({ seqLen: 3, numLayers: 1, bidirectional: false, hasCell: true, hasHead: false });
    assert.ok(L.nodes.some((n) => n.id === 'c:0:0:2'));
    assert.ok(L.nodes.some((n) => n.id === 'c0:0:0'));
    assert.ok(L.nodes.some((n) => n.id === 'cn:0:0'));
    const c = L.nodes.find((n) => n.id === 'c:0:0:1')!;
    const h = L.nodes.find((n) => n.id === 'h:0:0:1')!;
    assert.ok(c.y < h.y, 'the cell lane is above h');
  });

  it('collapses T = 1000 to a bounded number of nodes, keeping both ends', () => {
    const L = computeLayout({ seqLen: 1000, numLayers: 2, bidirectional: true, hasCell: true, hasHead: true });
    assert.ok(L.nodes.length < 200, `node count ${L.nodes.length}`);
    assert.ok(L.arrows.length < 400, `arrow count ${L.arrows.length}`);
    const ts = L.columns.map((c) => c.t);
    assert.equal(ts[0], 0);
    assert.equal(ts[ts.length - 1], 999);
    assert.ok(L.gaps.length >= 1);
    const hidden = L.gaps.reduce((a, g) => a + g.last - g.first + 1, 0);
    assert.equal(hidden + ts.length, 1000, 'every step is either drawn or in a gap');
    assert.ok(L.arrows.some((a) => a.kind === 'gap'), 'the recurrence crosses the gap');
    assert.ok(L.width < 3000);
  });

  it('T = 10000: the window follows the chosen centre', () => {
    const ts = visibleTimes(10000, { center: 5000 });
    assert.ok(ts.includes(5000));
    assert.ok(ts.length <= 12);
    const L = computeLayout({ seqLen: 10000, numLayers: 1, bidirectional: false, hasCell: false, hasHead: false, collapse: { center: 5000 } });
    assert.equal(L.gaps.length, 2);
  });

  it('draws short sequences whole and T = 1 without recurrent arrows', () => {
    assert.deepEqual(visibleTimes(12), [...Array(12).keys()]);
    const L = computeLayout({ seqLen: 1, numLayers: 1, bidirectional: false, hasCell: false, hasHead: false });
    assert.equal(L.arrows.filter((a) => a.kind === 'recurrent').length, 0);
    assert.equal(L.arrows.filter((a) => a.kind === 'initial' || a.kind === 'final').length, 2);
  });
});
