// End-to-end: a person opens a torch.save file in the real VS Code, reads what it holds in the
// checkpoint viewer (tensors, the recurrent module and its head), presses "Unroll" and gets an
// untitled document referencing the file plus its run in the Unroll View. Screenshots:
// test-results/screenshots/checkpoint-viewer-light.png, checkpoint-viewer-dark.png, checkpoint-unroll.png.
import * as assert from 'node:assert/strict';
import { findWebviewFrame, openVsCode, runCommand, screenshot, unrollPanelShowing, VsCodeSession } from './harness';
import type { Page } from 'playwright-core';

/** Quick Open on a binary file: its editor is a webview, not a text editor. */
async function quickOpen(page: Page, relativePath: string): Promise<void> {
  const base = relativePath.split('/').pop()!;
  for (let attempt = 0; ; attempt++) {
    await page.keyboard.press('Escape');
    await page.keyboard.press('Control+P');
    const input = page.locator('.quick-input-widget input').first();
    await input.waitFor({ state: 'visible', timeout: 10000 });
    await input.fill(relativePath);
    const row = page.locator('.quick-input-list .monaco-list-row').filter({ has: page.locator('.label-name', { hasText: base }) });
    try {
      await row.first().waitFor({ state: 'visible', timeout: 3000 });
      await row.first().click();
      return;
    } catch (e) {
      if (attempt > 20) throw e;
      await page.waitForTimeout(1000);
    }
  }
}

describe('checkpoint viewer e2e', function () {
  let vs: VsCodeSession | undefined;
  before(async function () {
    vs = await openVsCode({ theme: 'light', viewport: { width: 1400, height: 900 } });
  });
  after(async function () {
    await vs?.close();
  });

  for (const theme of ['light', 'dark'] as const) {
    it(`${theme}: opening sample_rnn_sd.pt shows its tensors and its RNN with the fc head`, async function () {
      const page = vs!.page;
      if (theme === 'dark') await vs!.setTheme('dark');
      await runCommand(page, 'View: Close All Editor Groups');
      await quickOpen(page, 'checkpoints/sample_rnn_sd.pt');
      const frame = await findWebviewFrame(page, 'section.module', 30000);
      const text = await frame.$eval('body', (b) => (b as HTMLElement).innerText);
      for (const part of ['rnn.weight_ih_l0', 'fc.bias', '[20, 10]', 'float32', 'nn.RNN(input_size=10, hidden_size=20, num_layers=1)', 'nn.Linear(20, 2)', 'Unroll', 'Open as RNN document']) {
        assert.ok(text.includes(part), `${part} in:\n${text}`);
      }
      await page.waitForTimeout(300);
      await screenshot(page, `checkpoint-viewer-${theme}`);
    });
  }

  it('"Unroll" opens an untitled document referencing the file and shows its run', async function () {
    const page = vs!.page;
    const frame = await findWebviewFrame(page, 'button[data-action="unroll"]', 30000);
    await frame.click('button[data-action="unroll"]');
    const panel = await unrollPanelShowing(page, 'Untitled', 60000);
    const title = await panel.$eval('#unroll-root h1.title', (e) => e.textContent ?? '');
    assert.ok(title.includes('Untitled'), title);
    await page.waitForTimeout(500);
    await screenshot(page, 'checkpoint-unroll');
  });
});
