// Unit tests of the Unroll View's pure layout (src/webview/layout.ts): geometry facts derived by
// hand from the textbook figure, not from the code's own output.
import * as assert from 'node:assert/strict';
import { collapseForWidth, collapsedWidth, computeLayout, diagramWidth, fitDiagram, GEOMETRY, MIN_DIAGRAM_SCALE, visibleTimes } from '../../src/webview/layout';
import { formatTorchTensor, linewidthFor } from '../../src/webview/format';

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

  describe('fit to the panel width', () => {
    // A panel beside the editor is ~500-700 px wide; the frame inside loses the body padding.
    const panels = [474, 674, 1174];

    it('diagramWidth adds up the margins, label column, both end columns, time columns and gaps', () => {
      const G = GEOMETRY;
      // T = 5 drawn whole: nothing collapsed
      assert.equal(diagramWidth(5, 0), G.margin + G.labelWidth + G.endWidth + 5 * G.columnWidth + G.endWidth + G.margin);
      for (const T of [1, 5, 12]) assert.equal(computeLayout({ seqLen: T, numLayers: 1, bidirectional: false, hasCell: false, hasHead: false }).width, diagramWidth(T, 0));
    });

    it('scales a wide diagram down to the panel, never up, and not below the minimum', () => {
      const wide = fitDiagram(1000, 400, 600);
      assert.equal(wide.scale, 0.6 < MIN_DIAGRAM_SCALE ? MIN_DIAGRAM_SCALE : 0.6);
      const fits = fitDiagram(800, 300, 700);
      assert.equal(fits.scale, 7 / 8);
      assert.equal(fits.width, 700);
      assert.equal(fits.height, Math.ceil(300 * 7 / 8), 'aspect ratio kept');
      assert.equal(fits.scrolls, false);
      const roomy = fitDiagram(500, 200, 1200);
      assert.deepEqual([roomy.scale, roomy.width, roomy.height, roomy.scrolls], [1, 500, 200, false]);
      const tiny = fitDiagram(2000, 500, 300);
      assert.equal(tiny.scale, MIN_DIAGRAM_SCALE);
      assert.equal(tiny.width, Math.floor(2000 * MIN_DIAGRAM_SCALE));
      assert.equal(tiny.scrolls, true, 'beyond the minimum scale the frame scrolls');
    });

    it('the T = 5 RNN fits whole without scrolling from 540 px up', () => {
      const L = computeLayout({ seqLen: 5, numLayers: 1, bidirectional: false, hasCell: false, hasHead: true });
      for (const w of [540, 674, 1174]) {
        const f = fitDiagram(L.width, L.height, w);
        assert.equal(f.scrolls, false, `at ${w} px`);
        assert.ok(f.width <= w);
        // the forward h_n (right end) is inside the visible width
        const hn = L.nodes.find((n) => n.id === 'hn:0:0')!;
        assert.ok((hn.x + hn.w) * f.scale <= w, `h_n visible at ${w} px`);
      }
    });

    it('T = 1000 by default shows the first k steps, one gap and the last k, h_n included, fitting every panel', () => {
      for (const w of panels) {
        const c = collapseForWidth(1000, w);
        const times = visibleTimes(1000, c);
        const k = c.edge;
        assert.ok(k >= 1 && k <= 3, `k = ${k} at ${w} px`);
        assert.deepEqual(times, [...Array(k).keys(), ...Array.from({ length: k }, (_, i) => 1000 - k + i)], `first ${k}, last ${k}`);
        const L = computeLayout({ seqLen: 1000, numLayers: 1, bidirectional: false, hasCell: false, hasHead: true, collapse: c });
        assert.equal(L.gaps.length, 1);
        assert.deepEqual([L.gaps[0].first, L.gaps[0].last], [k, 999 - k]);
        const f = fitDiagram(L.width, L.height, w);
        assert.equal(f.scrolls, false, `no scrolling at ${w} px`);
        const hn = L.nodes.find((n) => n.id === 'hn:0:0')!;
        const last = L.nodes.find((n) => n.id === 'h:0:0:999')!;
        assert.ok(hn.x > last.x, 'h_n is right of t = 1000, where PyTorch takes it');
        assert.ok((hn.x + hn.w) * f.scale <= w, `h_n inside the panel at ${w} px`);
      }
      // wider panels keep more steps at each end
      assert.ok(collapseForWidth(1000, 1174).edge >= collapseForWidth(1000, 474).edge);
      assert.equal(collapseForWidth(1000, 1174).edge, 3);
      assert.equal(collapseForWidth(1000, 474).edge, 1);
    });

    it('a bidirectional LSTM keeps the reverse h_n at the left end when collapsed to fit', () => {
      const c = collapseForWidth(1000, 474);
      const L = computeLayout({ seqLen: 1000, numLayers: 2, bidirectional: true, hasCell: true, hasHead: true, collapse: c });
      const hnRev = L.nodes.find((n) => n.id === 'hn:1:1')!;
      const first = L.nodes.find((n) => n.id === 'h:1:1:0')!;
      assert.ok(hnRev.x < first.x);
      assert.equal(fitDiagram(L.width, L.height, 474).scrolls, false);
    });

    it('after a gap is clicked the window around it is kept, edges shrink first, and it still fits', () => {
      for (const w of panels) {
        const c = collapseForWidth(1000, w, 500);
        const times = visibleTimes(1000, c);
        assert.ok(times.includes(500), `t = 501 drawn at ${w} px`);
        assert.ok(times.includes(0) && times.includes(999), 'both ends stay');
        assert.ok(collapsedWidth(1000, c) * MIN_DIAGRAM_SCALE <= w || (c.edge === 1 && c.window === 1), `fits at ${w} px`);
      }
      assert.deepEqual([collapseForWidth(1000, 5000, 500).edge, collapseForWidth(1000, 5000, 500).window], [3, 5], 'a wide panel gets the full window');
    });

    it('short sequences are never collapsed, however narrow the panel', () => {
      assert.deepEqual(visibleTimes(12, collapseForWidth(12, 300)), [...Array(12).keys()]);
    });
  });

  describe('printed tensors wrap at a linewidth computed from the panel', () => {
    it('is 80 (PyTorch default) when that fits, fewer characters in a narrow block, at least 24', () => {
      assert.equal(linewidthFor(83 * 7.2, 7.2), 80);
      assert.equal(linewidthFor(2000, 7.2), 80);
      assert.equal(linewidthFor(50 * 8, 8), 47);
      assert.equal(linewidthFor(100, 8), 24);
      assert.equal(linewidthFor(0, 8), 80, 'unmeasured: the default');
    });

    it('re-wraps a 20-element vector as torch.set_printoptions(linewidth=...) does', () => {
      // Printed by torch 1.13: torch.set_printoptions(linewidth=47 / 52); print(torch.arange(20) / 10 - 1)
      const v = Array.from({ length: 20 }, (_, i) => i / 10 - 1);
      assert.equal(
        formatTorchTensor([20], v, { linewidth: 52 }),
        'tensor([-1.0000, -0.9000, -0.8000, -0.7000, -0.6000,\n' +
          '        -0.5000, -0.4000, -0.3000, -0.2000, -0.1000,\n' +
          '         0.0000,  0.1000,  0.2000,  0.3000,  0.4000,\n' +
          '         0.5000,  0.6000,  0.7000,  0.8000,  0.9000])',
      );
      const text = formatTorchTensor([20], v, { linewidth: 47 });
      assert.equal(
        text,
        'tensor([-1.0000, -0.9000, -0.8000, -0.7000,\n' +
          '        -0.6000, -0.5000, -0.4000, -0.3000,\n' +
          '        -0.2000, -0.1000,  0.0000,  0.1000,\n' +
          '         0.2000,  0.3000,  0.4000,  0.5000,\n' +
          '         0.6000,  0.7000,  0.8000,  0.9000])',
      );
      for (const line of text.split('\n')) assert.ok(line.length <= 47 + 3, line);
    });
  });
});
