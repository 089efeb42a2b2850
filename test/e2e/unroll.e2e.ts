// End-to-end tests of the RNN Unroll View: a person runs "RNN: Run Forward on Selection" on the
// example documents; the panel prints PyTorch's numbers; screenshots in light and dark of an RNN,
// a bidirectional 2-layer LSTM, a GRU, T = 1,000, and a document whose strings contain markup.
import * as assert from 'node:assert/strict';
import type { Frame, Page } from 'playwright-core';
import { openFile, openVsCode, runCommand, screenshot, VsCodeSession } from './harness';

/** The Unroll View frame once it shows the run titled like `file` (stale frames are skipped). */
async function panelShowing(page: Page, file: string, timeoutMs = 30000): Promise<Frame> {
  const base = file.split('/').pop()!;
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    for (const frame of page.frames()) {
      if (frame === page.mainFrame()) continue;
      try {
        const title = await frame.$eval('#unroll-root h1.title', (e) => e.textContent ?? '').catch(() => '');
        if (title.includes(base) && (await frame.$('#unroll-root svg.diagram'))) return frame;
      } catch {
        // frame detached while we looked
      }
    }
    if (Date.now() > deadline) throw new Error(`no Unroll View frame showing ${base}`);
    await page.waitForTimeout(250);
  }
}

async function runOn(page: Page, file: string): Promise<Frame> {
  // a clean window each time: the run must (re)create the panel beside the document
  await runCommand(page, 'View: Close All Editor Groups');
  await openFile(page, file);
  await runCommand(page, 'RNN: Run Forward on Selection');
  return panelShowing(page, file);
}

const cases: { file: string; name: string; check: (f: Frame) => Promise<void> }[] = [
  {
    file: 'examples/origin.rnn.json',
    name: 'rnn',
    check: async (f) => {
      const head = await f.locator('pre[data-result="head"]').innerText();
      assert.equal(head.trim(), 'tensor([[ 0.0930,  0.0545],\n        [ 0.1369,  0.0518],\n        [ 0.2210, -0.1358]])');
      await f.locator('g.node.node-h').first().click();
      await f.waitForSelector('.inspector .equation', { timeout: 5000 });
    },
  },
  {
    file: 'examples/lstm-bidirectional-2layer.rnn.json',
    name: 'lstm-bi',
    check: async (f) => {
      const hnRev = await f.locator('g.node[data-id="hn:1:1"] rect.box').boundingBox();
      const first = await f.locator('g.node[data-id="h:1:1:0"] rect.box').boundingBox();
      assert.ok(hnRev && first && hnRev.x < first.x, 'reverse h_n is left of t = 1');
      assert.ok(await f.locator('pre[data-result="c_n"]').count());
    },
  },
  {
    file: 'examples/gru-explicit-weights.rnn.json',
    name: 'gru',
    check: async (f) => {
      await f.locator('g.node.node-h').nth(1).click();
      await f.waitForSelector('.inspector .gate', { timeout: 5000 });
    },
  },
  {
    file: 'examples/long-sequence.rnn.json',
    name: 'long',
    check: async (f) => {
      const nodes = await f.locator('g.node').count();
      assert.ok(nodes < 200, `${nodes} nodes`);
      assert.ok((await f.locator('g.gap').count()) >= 1);
    },
  },
  {
    file: 'examples/markup-in-strings.rnn.json',
    name: 'markup',
    check: async (f) => {
      assert.equal(await f.locator('#unroll-root img, #unroll-root script, #unroll-root b').count(), 0);
    },
  },
];

describe('RNN Unroll View e2e', function () {
  let vs: VsCodeSession | undefined;
  before(async function () {
    vs = await openVsCode({ theme: 'light', viewport: { width: 1600, height: 1000 } });
  });
  after(async function () {
    await vs?.close();
  });

  for (const theme of ['light', 'dark'] as const) {
    for (const c of cases) {
      it(`${theme}: ${c.name} (${c.file})`, async function () {
        if (theme === 'dark' && c === cases[0]) await vs!.setTheme('dark');
        const frame = await runOn(vs!.page, c.file);
        await c.check(frame);
        await vs!.page.waitForTimeout(300);
        await screenshot(vs!.page, `unroll-${c.name}-${theme}`);
      });
    }
  }

  it('threw no errors in the page', function () {
    const ours = vs!.pageErrors.filter((e) => !/ResizeObserver loop/.test(e));
    assert.deepEqual(ours, []);
  });
});
