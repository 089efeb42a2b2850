// End-to-end: RNN Lens as a web extension. The extension runs in VS Code's web worker extension
// host (its "browser" bundle, dist/web/extension.js; remote.extensionKind ["web"], see
// scripts/lib/code-server.mjs), and a person runs the origin document and hovers it: the Unroll
// View prints what PyTorch prints. Screenshot: test-results/screenshots/web-host-unroll.png.
import * as assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { hoverAtUntil, openFile, openVsCode, runCommand, screenshot, unrollPanelShowing, VsCodeSession } from './harness';

const WEB_BUNDLE = /dist(%2F|\/)web(%2F|\/)extension\.js/;

describe('web extension host e2e', function () {
  this.timeout(300_000);
  let vs: VsCodeSession | undefined;
  before(async function () {
    vs = await openVsCode({ theme: 'light', web: true, viewport: { width: 1600, height: 1000 } });
  });
  after(async function () {
    await vs?.close();
  });

  it("Run Forward from the palette: the panel prints PyTorch's head", async function () {
    const page = vs!.page;
    await openFile(page, 'examples/origin.rnn.json');
    // the command activates the extension if the workspace scan has not yet
    await runCommand(page, 'RNN: Run Forward on Selection', 120_000);
    const f = await unrollPanelShowing(page, 'examples/origin.rnn.json', 120_000);
    assert.equal((await f.locator('pre[data-result="head"]').innerText()).trim(), 'tensor([[ 0.0930,  0.0545],\n        [ 0.1369,  0.0518],\n        [ 0.2210, -0.1358]])');
    await screenshot(page, 'web-host-unroll');
  });

  it('it ran in the extension host Web Worker, which loaded dist/web/extension.js (the browser bundle)', async function () {
    // Each Web Worker's own resource timing lists what it fetched; the web worker extension host
    // fetches the extension's "browser" entry (the Node host reads dist/extension.js from disk).
    const seen: string[] = [];
    for (const w of vs!.page.workers()) {
      const urls = await w.evaluate(() => performance.getEntriesByType('resource').map((e) => e.name)).catch(() => [] as string[]);
      seen.push(...urls.map((u) => `${w.url().slice(-60)} <- ${u}`));
    }
    assert.ok(seen.some((u) => WEB_BUNDLE.test(u)), `workers fetched:\n${seen.join('\n')}`);
  });

  it('the hover on "model" comes from the web worker host too', async function () {
    const page = vs!.page;
    await runCommand(page, 'View: Focus First Editor Group');
    const lines = readFileSync(join(vs!.workspace, 'examples', 'origin.rnn.json'), 'utf8').split('\n');
    const line = lines.findIndex((l) => l.includes('"model"'));
    const text = await hoverAtUntil(page, line + 1, lines[line].indexOf('"model"') + 2, (t) => t.includes('682'));
    assert.ok(text.includes('(3, 5, 20)') && text.includes('682'), text);
    await screenshot(page, 'web-host-hover');
    await page.keyboard.press('Escape');
  });
});
