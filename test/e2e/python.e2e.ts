// End-to-end: a person opens examples/sample_rnn.py in the real VS Code, hovers nn.RNN, clicks the
// "Unroll" CodeLens, and the RNN Unroll View prints exactly what `python3 sample_rnn.py` prints
// with torch.manual_seed(0). Screenshots of the hover and the panel in test-results/screenshots/.
import * as assert from 'node:assert/strict';
import type { Frame, Page } from 'playwright-core';
import { unrollPanelShowing, hoverAt, openFile, openVsCode, runCommand, screenshot, VsCodeSession } from './harness';

/** What torch 1.13 prints for examples/sample_rnn.py (see test/golden/python/sample_rnn.json). */
const PRINTED = 'tensor([[ 0.0930,  0.0545],\n        [ 0.1369,  0.0518],\n        [ 0.2210, -0.1358]])';


describe('Python snippet e2e', function () {
  let vs: VsCodeSession | undefined;
  before(async function () {
    vs = await openVsCode({ theme: 'light', viewport: { width: 1600, height: 1000 } });
  });
  after(async function () {
    await vs?.close();
  });

  it('hover on nn.RNN shows the shapes the snippet implies', async function () {
    const page = vs!.page;
    await runCommand(page, 'View: Close All Editor Groups');
    await openFile(page, 'examples/sample_rnn.py');
    // Line and column of `nn.RNN(` in the example (1-based).
    const lines = (await import('node:fs')).readFileSync(`${vs!.workspace}/examples/sample_rnn.py`, 'utf8').split('\n');
    const line = lines.findIndex((l) => l.includes('nn.RNN(')) + 1;
    const column = lines[line - 1].indexOf('nn.RNN(') + 4;
    const text = await hoverAt(page, line, column);
    for (const part of ['(3, 5, 10)', '(3, 5, 20)', '(1, 3, 20)', '(3, 2)']) assert.ok(text.includes(part), `${part} in:\n${text}`);
    await screenshot(page, 'python-hover-sample_rnn');
    await page.keyboard.press('Escape');
  });

  it('CodeLens "Unroll" opens the panel with the numbers PyTorch prints', async function () {
    const page = vs!.page;
    const lens = page.locator('.codelens-decoration a', { hasText: 'Unroll' }).first();
    await lens.waitFor({ state: 'visible', timeout: 30000 });
    await lens.click();
    const frame = await unrollPanelShowing(page, 'sample_rnn.py');
    const head = await frame.locator('pre[data-result="head"]').innerText();
    assert.equal(head.trim(), PRINTED);
    await page.waitForTimeout(300);
    await screenshot(page, 'python-unroll-sample_rnn');
  });

  it('threw no errors in the page', function () {
    const ours = vs!.pageErrors.filter((e) => !/ResizeObserver loop/.test(e));
    assert.deepEqual(ours, []);
  });
});
