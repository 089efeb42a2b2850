// End-to-end: the RNN Unroll View survives a window reload. After a run, "Developer: Reload Window"
// reloads the workbench; VS Code restores the panel through its
// WebviewPanelSerializer, and the restored panel still prints PyTorch's numbers.
import * as assert from 'node:assert/strict';
import { openFile, openVsCode, runCommand, screenshot, unrollPanelShowing, VsCodeSession, waitForWorkbench } from './harness';

/** What torch 1.13 prints for the origin snippet after torch.manual_seed(0) (golden seed_snippet). */
const PRINTED = 'tensor([[ 0.0930,  0.0545],\n        [ 0.1369,  0.0518],\n        [ 0.2210, -0.1358]])';

describe('Unroll View restore e2e', function () {
  let vs: VsCodeSession | undefined;
  before(async function () {
    vs = await openVsCode({ theme: 'light', viewport: { width: 1600, height: 1000 } });
  });
  after(async function () {
    await vs?.close();
  });

  it('the panel comes back after a reload with the same numbers', async function () {
    const page = vs!.page;
    await runCommand(page, 'View: Close All Editor Groups');
    await openFile(page, 'examples/origin.rnn.json');
    await runCommand(page, 'RNN: Run Forward on Selection');
    const before = await unrollPanelShowing(page, 'origin.rnn.json');
    assert.equal((await before.locator('pre[data-result="head"]').innerText()).trim(), PRINTED);
    // As a person would: "Developer: Reload Window", which lets VS Code store the editor layout and
    // the webview's state on the way out (a bare browser reload may cut that short).
    await page.waitForTimeout(2000);
    const navigated = page.waitForEvent('framenavigated', { predicate: (f) => f === page.mainFrame(), timeout: 60000 });
    await runCommand(page, 'Developer: Reload Window');
    await navigated;
    await waitForWorkbench(page);
    const after = await unrollPanelShowing(page, 'origin.rnn.json', 90000);
    assert.equal((await after.locator('pre[data-result="head"]').innerText()).trim(), PRINTED);
    await screenshot(page, 'unroll-restored-after-reload');
  });
});
