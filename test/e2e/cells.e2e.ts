// End-to-end: a person opens examples/lstm_cell_loop.py (an nn.LSTMCell called once per time step
// by a `for` loop), hovers the cell, clicks "Unroll" above the loop, and the RNN Unroll View draws
// the six steps x_1..x_6 -> h_1..h_6 in a row labelled nn.LSTMCell and prints the h that
// `python3 examples/lstm_cell_loop.py` prints. Screenshots in test-results/screenshots/.
import * as assert from 'node:assert/strict';
import { unrollPanelShowing, hoverAt, openFile, openVsCode, runCommand, screenshot, VsCodeSession } from './harness';

/** What torch 1.13 prints for h in examples/lstm_cell_loop.py. */
const PRINTED_H = 'tensor([[ 0.1214,  0.0341,  0.0307, -0.0766,  0.0423, -0.3338,  0.1745, -0.0636],\n        [ 0.1014, -0.0046,  0.0799, -0.1047,  0.0764, -0.3569,  0.1850, -0.1276]])';

describe('Cells e2e: a loop over time that calls nn.LSTMCell', function () {
  let vs: VsCodeSession | undefined;
  before(async function () {
    vs = await openVsCode({ theme: 'light', viewport: { width: 1600, height: 1000 } });
  });
  after(async function () {
    await vs?.close();
  });

  it('hover on nn.LSTMCell names h\', c\', the gate rows and the loop', async function () {
    const page = vs!.page;
    await runCommand(page, 'View: Close All Editor Groups');
    await openFile(page, 'examples/lstm_cell_loop.py');
    const lines = (await import('node:fs')).readFileSync(`${vs!.workspace}/examples/lstm_cell_loop.py`, 'utf8').split('\n');
    const line = lines.findIndex((l) => l.includes('nn.LSTMCell(')) + 1;
    const column = lines[line - 1].indexOf('nn.LSTMCell(') + 4;
    const text = await hoverAt(page, line, column);
    for (const part of ["h' (2, 8)", "c' (2, 8)", 'weight_ih', '(6, 2, 4)']) assert.ok(text.includes(part), `${part} in:\n${text}`);
    await screenshot(page, 'cells-hover-lstm_cell_loop');
    await page.keyboard.press('Escape');
  });

  it('"Unroll" above the loop draws every step as the cell\'s row and prints PyTorch\'s h', async function () {
    const page = vs!.page;
    const lenses = page.locator('.codelens-decoration a', { hasText: 'Unroll' });
    await lenses.first().waitFor({ state: 'visible', timeout: 30000 });
    assert.equal(await lenses.count(), 2, 'Unroll above the cell and above the loop');
    await lenses.last().click();
    const frame = await unrollPanelShowing(page, 'lstm_cell_loop.py');
    const h = await frame.locator('pre[data-result="h"]').innerText();
    // The panel wraps rows to its width as PyTorch wraps to its linewidth: compare the numbers in order.
    const flat = (s: string) => s.replace(/\s+/g, ' ').trim();
    assert.equal(flat(h), flat(PRINTED_H));
    await page.waitForTimeout(300);
    await screenshot(page, 'cells-unroll-lstm_cell_loop');
    assert.equal(await frame.locator('svg[aria-label="Unrolled diagram: LSTMCell over 6 time steps"]').count(), 1);
    assert.ok(await frame.locator('svg text', { hasText: 'nn.LSTMCell' }).count() >= 1, 'the row is labelled with the cell');
  });

  it('threw no errors in the page', function () {
    const ours = vs!.pageErrors.filter((e) => !/ResizeObserver loop/.test(e));
    assert.deepEqual(ours, []);
  });
});
