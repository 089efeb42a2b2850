// End-to-end: the whole training experience as a person meets it, in English and in Japanese
// (display language ja, scripts/lib/display-language.mjs): "RNN: Train" on a document, Save
// trained weights into it (the editor then holds the state_dict), Train / Pause / log scale /
// Resume / Stop in the panel, a loss that overflows (the note names the step), a train block
// that does not fit (the Problems panel, in PyTorch's words), and the code action "Add a training
// target". Screenshots: test-results/screenshots/walk-{en,ja}-*.png (looked at by a person: the
// assertions check what the screenshots are meant to show, not how they look).
import * as assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Frame, Page } from 'playwright-core';
import { openFile, openVsCode, repoRoot, runCommand, screenshot, unrollPanelShowing, VsCodeSession } from './harness';

/** Hiragana, katakana or kanji. */
const JAPANESE = /[\u3040-\u30ff\u4e00-\u9fff]/;
const nls: Record<string, Record<string, string>> = {
  en: JSON.parse(readFileSync(join(repoRoot, 'package.nls.json'), 'utf8')),
  ja: JSON.parse(readFileSync(join(repoRoot, 'package.nls.ja.json'), 'utf8')),
};
const l10nJa = JSON.parse(readFileSync(join(repoRoot, 'l10n', 'bundle.l10n.ja.json'), 'utf8')) as Record<string, string>;

/** A loss that overflows within a few steps (SGD with lr 1000 on a ReLU RNN). */
const OVERFLOW = {
  description: 'SGD with lr=1000: the loss overflows after a few steps.',
  model: { type: 'RNN', input_size: 2, hidden_size: 3, nonlinearity: 'relu', batch_first: true },
  head: { type: 'Linear', out_features: 1 },
  seed: 0,
  input: { rand: [2, 4, 2] },
  train: { loss: 'mse', target: [[1.0], [2.0]], optimizer: { type: 'SGD', lr: 1000 }, steps: 50 },
};

/** A train block that does not fit its model three ways (dropout active, class id 5 of 3, lr < 0). */
const BAD_TRAIN = `{
  "model": { "type": "LSTM", "input_size": 4, "hidden_size": 8, "num_layers": 2, "dropout": 0.3, "batch_first": true },
  "head": { "type": "Linear", "out_features": 3 },
  "seed": 0,
  "input": { "rand": [3, 5, 4] },
  "train": {
    "loss": "cross_entropy",
    "target": [0, 5, 1],
    "optimizer": { "type": "SGD", "lr": -0.1 },
    "steps": 100
  }
}
`;

/** And one without a loss, whose target has the wrong shape. */
const NO_LOSS = `{
  "model": { "type": "GRU", "input_size": 4, "hidden_size": 8, "batch_first": true },
  "head": { "type": "Linear", "out_features": 2 },
  "input": { "rand": [3, 5, 4] },
  "train": {
    "target": { "rand": [3, 5, 2] },
    "optimizer": { "type": "Adam", "lr": 0.01 },
    "steps": 100
  }
}
`;

const SHAPE = `{
  "model": { "type": "GRU", "input_size": 4, "hidden_size": 8, "batch_first": true },
  "head": { "type": "Linear", "out_features": 2 },
  "input": { "rand": [3, 5, 4] },
  "train": { "loss": "mse", "target": { "rand": [3, 5, 2] }, "optimizer": { "type": "Adam", "lr": 0.01 }, "steps": 100 }
}
`;

async function stepsDone(f: Frame): Promise<number> {
  return Number(await f.locator('.train-counter').getAttribute('data-step'));
}

/** The text of the editor (Monaco's view lines, which hold the visible part). */
async function editorText(page: Page): Promise<string> {
  return page.locator('.editor-group-container.active .monaco-editor .view-lines').first().innerText();
}

for (const locale of ['en', 'ja'] as const) {
  const title = (key: string) => `RNN: ${nls[locale][`rnnLens.command.${key}`]}`;
  const shot = (page: Page, name: string) => screenshot(page, `walk-${locale}-${name}`);

  describe(`Training walkthrough e2e (${locale})`, function () {
    this.timeout(300000);
    let vs: VsCodeSession;
    before(async () => {
      vs = await openVsCode({ theme: 'light', locale: locale === 'ja' ? 'ja' : undefined, viewport: { width: 1600, height: 1000 } });
      writeFileSync(join(vs.workspace, 'train', 'overflow.rnn.json'), JSON.stringify(OVERFLOW, null, 2) + '\n');
      writeFileSync(join(vs.workspace, 'train', 'bad-train.rnn.json'), BAD_TRAIN);
      writeFileSync(join(vs.workspace, 'train', 'no-loss.rnn.json'), NO_LOSS);
      writeFileSync(join(vs.workspace, 'train', 'target-shape.rnn.json'), SHAPE);
    });
    after(async () => {
      await vs?.close();
    });

    it('trains a document with "RNN: Train" and saves the trained weights into it when asked', async () => {
      const page = vs.page;
      await openFile(page, 'golden/train_seed_snippet.rnn.json');
      await runCommand(page, title('train'));
      const f = await unrollPanelShowing(page, 'train_seed_snippet.rnn.json', 60000);
      await f.waitForSelector('.train-status[data-status="done"]', { timeout: 120000 });
      assert.equal(await stepsDone(f), 50);
      const section = await f.locator('.training').innerText();
      if (locale === 'ja') {
        assert.match(section, JAPANESE);
        for (const english of ['Training', 'Prediction before training', 'Save trained weights', 'Log scale', 'into the document']) assert.ok(!section.includes(english), `"${english}" left in English:\n${section}`);
      }
      await f.locator('.training').scrollIntoViewIfNeeded();
      await shot(page, 'done');
      await f.locator('button[data-train="saveDocument"]').click();
      // the document's text now holds the state_dict after step 50, and the editor shows where it
      // went (VS Code in the browser auto-saves after a delay by default, so the disk is not checked)
      const toast = page.locator('.notifications-toasts .notification-toast').last();
      await toast.waitFor({ state: 'visible', timeout: 30000 });
      assert.match(await toast.innerText(), /50/);
      // the editor scrolled to the new top-level "state_dict", after the long "expected" block
      await page.waitForFunction(() => {
        const text = document.querySelector('.editor-group-container .monaco-editor .view-lines')?.textContent ?? '';
        return text.includes('"state_dict"') && !text.includes('"expected"');
      }, undefined, { timeout: 30000 }).catch(async (e) => {
        await shot(page, 'saved-failed');
        throw e;
      });
      await shot(page, 'saved');
      await runCommand(page, 'Notifications: Clear All Notifications');
      await runCommand(page, 'View: Focus First Editor Group');
      await runCommand(page, 'File: Revert File');
    });

    it('Train in the panel, Pause, a log scale, Resume and Stop', async () => {
      const page = vs.page;
      await runCommand(page, 'View: Close All Editor Groups');
      await openFile(page, 'train/lstm-long.rnn.json');
      await runCommand(page, title('runForward'));
      const f = await unrollPanelShowing(page, 'lstm-long.rnn.json');
      await f.locator('.training').scrollIntoViewIfNeeded();
      // this document's train block, not the previous document's training run
      assert.match(await f.locator('.train-summary').innerText(), /Adam\(lr=0\.01\)/);
      assert.equal(await f.locator('.train-counters').count(), 0);
      await shot(page, 'before');
      await f.locator('button[data-train="start"]').click();
      await f.waitForSelector('.train-status[data-status="running"]', { timeout: 60000 });
      for (let i = 0; i < 600 && (await stepsDone(f).catch(() => 0)) < 300; i++) await page.waitForTimeout(100);
      await shot(page, 'running');
      await f.locator('button[data-train="pause"]').click();
      await f.waitForSelector('.train-status[data-status="paused"]', { timeout: 30000 });
      const paused = await stepsDone(f);
      await f.waitForSelector(`.train-shown[data-shown-step="${paused}"]`, { timeout: 30000 });
      await f.locator('label[for="train-log"]').click();
      assert.ok(await f.locator('#train-log').isChecked());
      await shot(page, 'paused-log');
      await f.locator('button[data-train="resume"]').click();
      await f.waitForSelector('.train-status[data-status="running"]', { timeout: 30000 });
      for (let i = 0; i < 600 && (await stepsDone(f).catch(() => 0)) <= paused; i++) await page.waitForTimeout(100);
      await f.locator('button[data-train="stop"]').click();
      await f.waitForSelector('.train-status[data-status="stopped"]', { timeout: 30000 });
      const said = await f.locator('.train-said').innerText();
      assert.match(said, new RegExp(String(await stepsDone(f))));
      if (locale === 'ja') assert.match(said, JAPANESE);
      await shot(page, 'stopped');
    });

    it('a loss that overflows stops training with a note naming the step; the last finite model is shown', async () => {
      const page = vs.page;
      await runCommand(page, 'View: Close All Editor Groups');
      await openFile(page, 'train/overflow.rnn.json');
      await runCommand(page, title('train'));
      const f = await unrollPanelShowing(page, 'overflow.rnn.json', 60000);
      await f.waitForSelector('.train-status[data-status="stopped"]', { timeout: 60000 });
      const done = await stepsDone(f);
      const said = await f.locator('.train-said').innerText();
      // "stopped at step k + 1": the step whose loss was not finite; the model shown is after k steps
      assert.match(said, new RegExp(`\\b${done + 1}\\b`), said);
      assert.match(said, new RegExp(`\\b${done}\\b`), said);
      assert.equal(await f.locator('.train-shown').getAttribute('data-shown-step'), String(done));
      if (locale === 'ja') assert.match(said, JAPANESE);
      await f.locator('.training').scrollIntoViewIfNeeded();
      await shot(page, 'overflow');
    });

    it('a train block that does not fit its model: each problem at its key, in PyTorch\'s words', async () => {
      const page = vs.page;
      await runCommand(page, 'View: Close All Editor Groups');
      await openFile(page, 'train/no-loss.rnn.json');
      await openFile(page, 'train/target-shape.rnn.json');
      await openFile(page, 'train/bad-train.rnn.json');
      await runCommand(page, 'View: Focus Problems (Errors, Warnings, Infos)');
      const rows = page.locator('.markers-panel .monaco-list-row');
      await page.waitForFunction(() => document.querySelectorAll('.markers-panel .monaco-list-row').length >= 8, undefined, { timeout: 60000 });
      const text = (await rows.allInnerTexts()).join('\n');
      // PyTorch's own words where it has them (the same in every language)
      assert.match(text, /Invalid learning rate: -0\.1/);
      assert.match(text, /Target 5 is out of bounds\./);
      assert.match(text, /Using a target size \(torch\.Size\(\[3, 5, 2\]\)\) that is different to the input size \(torch\.Size\(\[3, 2\]\)\)/);
      assert.match(text, locale === 'ja' ? JAPANESE : /missing required key `loss` in train/);
      assert.match(text, locale === 'ja' ? JAPANESE : /dropout=0\.3 with num_layers=2 is active in training/);
      await shot(page, 'bad-train');
      // "RNN: Train" on it says what is wrong instead of training
      await runCommand(page, 'View: Focus First Editor Group');
      await runCommand(page, title('train'));
      const toast = page.locator('.notifications-toasts .notification-toast').last();
      await toast.waitFor({ state: 'visible', timeout: 30000 });
      assert.match(await toast.innerText(), /bad-train\.rnn\.json/);
      assert.match(await toast.innerText(), /2/, 'says how many more problems there are');
      await shot(page, 'bad-train-refused');
      await runCommand(page, 'Notifications: Clear All Notifications');
      await runCommand(page, 'View: Toggle Panel Visibility');
    });

    it('the code action "Add a training target" on a model without a train block', async () => {
      const page = vs.page;
      await runCommand(page, 'View: Close All Editor Groups');
      await openFile(page, 'examples/origin.rnn.json');
      const model = page.locator('.monaco-editor .view-line span', { hasText: '"model"' }).first();
      await model.click();
      await page.keyboard.press('Control+.');
      const label = locale === 'ja' ? l10nJa['Add a training target'] : 'Add a training target';
      const item = page.locator('.action-widget .monaco-list-row', { hasText: label }).first();
      await item.waitFor({ state: 'visible', timeout: 30000 });
      await shot(page, 'add-target-menu');
      // the menu's pointer block swallows clicks in headless Chromium: choose it with the keyboard
      const focused = page.locator('.action-widget .monaco-list-row.focused');
      for (let i = 0; i < 10 && (await focused.getAttribute('aria-label', { timeout: 2000 }).catch(() => null)) !== label; i++) await page.keyboard.press('ArrowDown');
      assert.equal(await focused.getAttribute('aria-label'), label);
      await page.keyboard.press('Enter');
      await page.waitForFunction(() => /"train"/.test(document.querySelector('.editor-group-container.active .monaco-editor .view-lines')?.textContent ?? ''), undefined, { timeout: 30000 });
      assert.match(await editorText(page), /"train"/);
      await shot(page, 'add-target-done');
      await runCommand(page, title('train'));
      const f = await unrollPanelShowing(page, 'origin.rnn.json', 60000);
      await f.waitForSelector('.train-status[data-status="done"]', { timeout: 120000 });
      await f.locator('.training').scrollIntoViewIfNeeded();
      await shot(page, 'add-target-trained');
      await runCommand(page, 'View: Focus First Editor Group');
      await runCommand(page, 'File: Revert File');
      assert.deepEqual(vs.pageErrors.filter((e) => !/ResizeObserver loop/.test(e)), []);
    });
  });
}
