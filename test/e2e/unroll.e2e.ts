// End-to-end tests of the RNN Unroll View: a person runs "RNN: Run Forward on Selection" on the
// example documents; the panel prints PyTorch's numbers; screenshots in light and dark of an RNN,
// a bidirectional 2-layer LSTM, a GRU, T = 1,000, and a document whose strings contain markup.
import * as assert from 'node:assert/strict';
import type { Frame, Page } from 'playwright-core';
import { findWebviewFrame, openFile, openVsCode, runCommand, screenshot, VsCodeSession } from './harness';

async function runOn(page: Page, file: string): Promise<Frame> {
  await openFile(page, file);
  await runCommand(page, 'RNN: Run Forward on Selection');
  const frame = await findWebviewFrame(page, '#unroll-root svg.diagram', 30000);
  await frame.waitForSelector('#unroll-root h1.title', { timeout: 10000 });
  return frame;
}

async function titleOf(frame: Frame): Promise<string> {
  return (await frame.locator('#unroll-root h1.title').innerText()).trim();
}

for (const theme of ['light', 'dark'] as const) {
  describe(`RNN Unroll View e2e (${theme})`, function () {
    let vs: VsCodeSession | undefined;
    before(async function () {
      vs = await openVsCode({ theme, viewport: { width: 1600, height: 1000 } });
    });
    after(async function () {
      await vs?.close();
    });

    it('origin snippet: prints the head as PyTorch does', async function () {
      const frame = await runOn(vs!.page, 'examples/origin.rnn.json');
      await frame.waitForFunction(() => /origin/.test(document.querySelector('h1.title')?.textContent ?? ''), undefined, { timeout: 10000 });
      const head = await frame.locator('pre[data-result="head"]').innerText();
      assert.equal(head.trim(), 'tensor([[ 0.0930,  0.0545],\n        [ 0.1369,  0.0518],\n        [ 0.2210, -0.1358]])');
      await frame.locator('g.node.node-h').first().click();
      await frame.waitForSelector('.inspector .equation', { timeout: 5000 });
      await screenshot(vs!.page, `unroll-rnn-${theme}`);
    });

    it('bidirectional 2-layer LSTM: reverse h_n at the left end', async function () {
      const frame = await runOn(vs!.page, 'examples/lstm-bidirectional-2layer.rnn.json');
      await frame.waitForFunction(() => /lstm/i.test(document.querySelector('h1.title')?.textContent ?? ''), undefined, { timeout: 10000 });
      const hnRev = await frame.locator('g.node[data-id="hn:1:1"] rect').boundingBox();
      const first = await frame.locator('g.node[data-id="h:1:1:0"] rect').boundingBox();
      assert.ok(hnRev && first && hnRev.x < first.x, 'reverse h_n is left of t = 1');
      assert.ok(await frame.locator('pre[data-result="c_n"]').isVisible());
      await screenshot(vs!.page, `unroll-lstm-bi-${theme}`);
    });

    it('GRU with written weights', async function () {
      const frame = await runOn(vs!.page, 'examples/gru-explicit-weights.rnn.json');
      await frame.waitForFunction(() => /gru/i.test(document.querySelector('h1.title')?.textContent ?? ''), undefined, { timeout: 10000 });
      await frame.locator('g.node.node-h').nth(1).click();
      await frame.waitForSelector('.inspector .gate', { timeout: 5000 });
      await screenshot(vs!.page, `unroll-gru-${theme}`);
    });

    it('T = 1,000 stays small: the middle collapses', async function () {
      const frame = await runOn(vs!.page, 'examples/long-sequence.rnn.json');
      await frame.waitForFunction(() => /long/i.test(document.querySelector('h1.title')?.textContent ?? ''), undefined, { timeout: 10000 });
      const nodes = await frame.locator('g.node').count();
      assert.ok(nodes < 200, `${nodes} nodes`);
      assert.ok((await frame.locator('g.gap').count()) >= 1);
      await screenshot(vs!.page, `unroll-long-${theme}`);
    });

    it('markup in document strings is shown as text', async function () {
      const frame = await runOn(vs!.page, 'examples/markup-in-strings.rnn.json');
      await frame.waitForFunction(() => /markup/i.test(document.querySelector('h1.title')?.textContent ?? ''), undefined, { timeout: 10000 });
      assert.equal(await frame.locator('#unroll-root img, #unroll-root script, #unroll-root b').count(), 0);
      assert.ok(!(await titleOf(frame)).includes('undefined'));
      await screenshot(vs!.page, `unroll-markup-${theme}`);
      const ours = vs!.pageErrors.filter((e) => !/ResizeObserver loop/.test(e));
      assert.deepEqual(ours, []);
    });
  });
}
