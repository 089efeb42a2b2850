// End-to-end: RNN Lens as a web extension. The extension runs in VS Code's web worker extension
// host (its "browser" bundle, dist/web/extension.js; remote.extensionKind ["web"], see
// scripts/lib/code-server.mjs), and a person hovers the origin document and runs it: the Unroll
// View prints what PyTorch prints. Screenshot: test-results/screenshots/web-host-unroll.png.
import * as assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { hoverAt, openFile, openVsCode, runCommand, screenshot, unrollPanelShowing, VsCodeSession } from './harness';

describe('web extension host e2e', function () {
  let vs: VsCodeSession | undefined;
  before(async function () {
    vs = await openVsCode({ theme: 'light', web: true, viewport: { width: 1600, height: 1000 } });
  });
  after(async function () {
    await vs?.close();
  });

  it('the extension host Web Worker loaded dist/web/extension.js (the browser bundle)', async function () {
    const page = vs!.page;
    // Each Web Worker's own resource timing lists what it fetched; the web worker extension host
    // fetches the extension's "browser" entry (the Node host would read dist/extension.js from disk).
    const deadline = Date.now() + 60000;
    let seen: string[] = [];
    for (;;) {
      seen = [];
      for (const w of page.workers()) {
        const urls = await w.evaluate(() => performance.getEntriesByType('resource').map((e) => e.name)).catch(() => [] as string[]);
        seen.push(...urls.map((u) => `${w.url().slice(-60)} <- ${u}`));
      }
      if (seen.some((u) => /dist(%2F|\/)web(%2F|\/)extension\.js/.test(u)) || Date.now() > deadline) break;
      await page.waitForTimeout(1000);
    }
    assert.ok(seen.some((u) => /dist(%2F|\/)web(%2F|\/)extension\.js/.test(u)), `workers fetched:\n${seen.join('\n')}`);
  });

  it('hover and Run Forward work from the web worker host: the panel prints PyTorch\'s head', async function () {
    const page = vs!.page;
    await openFile(page, 'examples/origin.rnn.json');
    const lines = readFileSync(join(vs!.workspace, 'examples', 'origin.rnn.json'), 'utf8').split('\n');
    const line = lines.findIndex((l) => l.includes('"model"'));
    const text = await hoverAt(page, line + 1, lines[line].indexOf('"model"') + 2);
    assert.ok(text.includes('(3, 5, 20)') && text.includes('682'), text);
    await page.keyboard.press('Escape');
    await runCommand(page, 'RNN: Run Forward on Selection');
    const f = await unrollPanelShowing(page, 'examples/origin.rnn.json');
    assert.equal((await f.locator('pre[data-result="head"]').innerText()).trim(), 'tensor([[ 0.0930,  0.0545],\n        [ 0.1369,  0.0518],\n        [ 0.2210, -0.1358]])');
    await screenshot(page, 'web-host-unroll');
  });
});
