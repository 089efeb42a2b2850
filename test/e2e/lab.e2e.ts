// End-to-end: the RNN Lab as a person uses it. "RNN: Train Language Model on Selection" on a
// selected Japanese text (pick LSTM): the loss falls and samples appear; "RNN: Long Memory
// Experiment" → "Quick look": the first models are trained and drawn, then Stop keeps them.
// Screenshots: test-results/screenshots/lab-*.png. RNN_LENS_LAB_FULL=1 waits for the models up to
// L = 20 before Stop (several minutes: the picture in the README).
import * as assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Frame, Page } from 'playwright-core';
import { findWebviewFrame, openFile, openVsCode, runCommand, screenshot, VsCodeSession } from './harness';

const TEXT = [
  '吾輩は猫である。名前はまだ無い。',
  'どこで生れたかとんと見当がつかぬ。何でも薄暗いじめじめした所でニャーニャー泣いていた事だけは記憶している。',
  '吾輩はここで始めて人間というものを見た。しかもあとで聞くとそれは書生という人間中で一番獰悪な種族であったそうだ。',
].join('\n');

async function pick(page: Page, label: string): Promise<void> {
  const row = page.locator('.quick-input-list .monaco-list-row').filter({ has: page.locator('.label-name', { hasText: new RegExp('^\\s*' + label + '\\s*$') }) }).first();
  await row.waitFor({ state: 'visible', timeout: 15000 });
  await row.click();
}

async function labFrame(page: Page): Promise<Frame> {
  return findWebviewFrame(page, 'main.lab header', 60000);
}

describe('RNN Lab (e2e)', function () {
  this.timeout(Number(process.env.RNN_LENS_LAB_FULL === '1' ? 1800000 : 600000));
  let vs: VsCodeSession;
  before(async () => {
    vs = await openVsCode({ viewport: { width: 1500, height: 1000 } });
  });
  after(async () => {
    await vs?.close();
  });

  it('trains a language model on a selected Japanese text and shows samples improving', async () => {
    writeFileSync(join(vs.workspace, 'neko.md'), TEXT + '\n');
    await openFile(vs.page, 'neko.md');
    await vs.page.keyboard.press('Control+A');
    await runCommand(vs.page, 'RNN: Train Language Model on Selection');
    await pick(vs.page, 'LSTM');
    const f = await labFrame(vs.page);
    // done: "Run again" becomes enabled
    await f.locator('button.rerun:not([disabled])').waitFor({ timeout: 420000 });
    const samples = await f.locator('.samples li').count();
    assert.ok(samples >= 3, `samples shown: ${samples}`);
    const texts = await f.locator('.samples li .sample-row .text').allInnerTexts();
    // a sampled line break is shown as " ↵ "
    for (const t of texts) for (const c of Array.from(t.replace(/ ↵ |\n/g, ''))) assert.ok(TEXT.includes(c), `${c} comes from the text`);
    const title = await f.locator('h1').innerText();
    assert.equal(title, 'Watch it learn text');
    // oldest sample first: before training, then every 25 steps
    assert.equal(await f.locator('.samples li .sample-head').first().innerText(), 'before training');
    assert.deepEqual(vs.pageErrors, []);
    await screenshot(vs.page, 'lab-charlm');
  });

  it('runs the long-memory experiment, draws the first models and stops on Stop', async () => {
    // no editor beside it: the lab takes the whole window
    await runCommand(vs.page, 'View: Close All Editor Groups');
    await runCommand(vs.page, 'RNN: Long Memory Experiment');
    await pick(vs.page, 'Quick look');
    const f = await labFrame(vs.page);
    await f.locator('h1', { hasText: 'Long memory' }).waitFor({ timeout: 30000 });
    const wanted = process.env.RNN_LENS_LAB_FULL === '1' ? 6 : 3;
    // the numbers table fills one cell per trained model
    await f.waitForFunction((n) => document.querySelectorAll('table.numbers td:not(.pending)').length >= n, wanted, { timeout: process.env.RNN_LENS_LAB_FULL === '1' ? 1500000 : 420000, polling: 1000 });
    await screenshot(vs.page, 'lab-longmemory-running');
    await f.locator('button.stop').click();
    await f.locator('.status', { hasText: 'Stopped' }).waitFor({ timeout: 15000 });
    const done = await f.locator('table.numbers td:not(.pending)').count();
    assert.ok(done >= wanted);
    assert.equal(await f.locator('svg.chart').count(), 3);
    assert.deepEqual(vs.pageErrors, []);
    await screenshot(vs.page, 'lab-longmemory');
  });
});
