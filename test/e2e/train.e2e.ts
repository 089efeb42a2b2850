// End-to-end tests of training in the RNN Unroll View: a person runs "RNN: Train" on the golden
// origin snippet and sees the loss fall to PyTorch's last value, step 50 / 50, the predictions
// before and after; on a longer run they press Train in the panel, Pause (the counter stops, Save
// becomes available, the diagram shows the model at that step), switch the curves to a log
// scale, Resume and Stop. Screenshots: test-results/screenshots/train-*.png.
import * as assert from 'node:assert/strict';
import type { Frame } from 'playwright-core';
import { openFile, openVsCode, runCommand, screenshot, unrollPanelShowing, VsCodeSession } from './harness';

async function status(f: Frame): Promise<string | null> {
  return f.locator('.train-status').getAttribute('data-status');
}

async function stepsDone(f: Frame): Promise<number> {
  return Number(await f.locator('.train-counter').getAttribute('data-step'));
}

describe('Training in the Unroll View e2e', function () {
  this.timeout(240000);
  let vs: VsCodeSession | undefined;
  before(async function () {
    vs = await openVsCode({ theme: 'light', viewport: { width: 1600, height: 1000 } });
  });
  after(async function () {
    await vs?.close();
  });

  it('RNN: Train on the golden origin snippet ends on PyTorch\'s loss, with the curves and the predictions', async () => {
    const page = vs!.page;
    await openFile(page, 'golden/train_seed_snippet.rnn.json');
    await runCommand(page, 'RNN: Train');
    const f = await unrollPanelShowing(page, 'train_seed_snippet.rnn.json');
    await f.waitForSelector('.train-status[data-status="done"]', { timeout: 60000 });
    assert.equal(await stepsDone(f), 50);
    assert.match(await f.locator('.train-counters').innerText(), /step 50 \/ 50/);
    // PyTorch's loss at step 50 is 0.0012039972160412852: printed with 4 significant digits
    assert.match(await f.locator('.train-counters').innerText(), /loss 0\.001204\b/);
    assert.equal(await f.locator('svg.train-chart.loss path.curve').count(), 1);
    assert.equal(await f.locator('svg.train-chart.grad path.curve').count(), 1);
    assert.equal(await f.locator('.train-shown').getAttribute('data-shown-step'), '50');
    // before / after / target side by side, printed as PyTorch prints them
    for (const cls of ['before', 'after', 'target']) assert.match(await f.locator(`.prediction.${cls} pre`).innerText(), /^tensor\(/);
    assert.ok(await f.locator('button[data-train="saveDocument"]').isEnabled());
    await f.locator('.training').scrollIntoViewIfNeeded();
    await screenshot(page, 'train-done');
  });

  it('Train in the panel, Pause, a log scale, Resume and Stop on a longer run', async () => {
    const page = vs!.page;
    await runCommand(page, 'View: Close All Editor Groups');
    await openFile(page, 'train/lstm-long.rnn.json');
    await runCommand(page, 'RNN: Run Forward on Selection');
    const f = await unrollPanelShowing(page, 'lstm-long.rnn.json');
    await f.locator('button[data-train="start"]').click();
    await f.waitForSelector('.train-status[data-status="running"]', { timeout: 60000 });
    // let it learn for a while (by steps, not by time), then pause
    for (let i = 0; i < 600 && (await stepsDone(f).catch(() => 0)) < 400; i++) await page.waitForTimeout(100);
    await f.locator('button[data-train="pause"]').click();
    await f.waitForSelector('.train-status[data-status="paused"]', { timeout: 30000 }).catch(async (e) => {
      await screenshot(page, 'train-failed-pause');
      throw new Error(`${(e as Error).message}\nsteps ${await stepsDone(f)}, status ${await status(f)}, bar ${await f.locator('.train-bar').innerText()}`);
    });
    const paused = await stepsDone(f);
    assert.ok(paused > 0 && paused < 2000000, String(paused));
    // the model shown is the one at the paused step; saving is possible now
    await f.waitForSelector(`.train-shown[data-shown-step="${paused}"]`, { timeout: 30000 });
    assert.ok(await f.locator('button[data-train="saveNew"]').isEnabled());
    await f.locator('label[for="train-log"]').click();
    assert.ok(await f.locator('#train-log').isChecked());
    await f.locator('.training').scrollIntoViewIfNeeded();
    await screenshot(page, 'train-paused-log');
    assert.equal(await stepsDone(f), paused, 'nothing ran while paused');

    await f.locator('button[data-train="resume"]').click();
    await f.waitForSelector('.train-status[data-status="running"]', { timeout: 30000 });
    for (let i = 0; i < 600 && (await stepsDone(f).catch(() => 0)) <= paused; i++) await page.waitForTimeout(100);
    await f.locator('button[data-train="stop"]').click();
    await f.waitForSelector('.train-status[data-status="stopped"]', { timeout: 30000 });
    const stopped = await stepsDone(f);
    assert.ok(stopped > paused && stopped < 2000000, `${paused} -> ${stopped}`);
    await screenshot(page, 'train-stopped');
  });
});
