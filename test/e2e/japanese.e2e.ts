// End-to-end: RNN Lens in a VS Code whose display language is Japanese (code-server --locale ja;
// without Microsoft's language pack, which is not reachable offline, an empty pack registered by
// scripts/lib/display-language.mjs makes ja the display language, so VS Code's own menus stay
// English while vscode.env.language is 'ja'). A person reads Japanese in the command palette
// (package.nls.ja.json), a hover, the Problems panel and the RNN Unroll View
// (l10n/bundle.l10n.ja.json). Screenshots: test-results/screenshots/japanese-*.png.
import * as assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { copyFileSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { hoverAtUntil, openFile, openVsCode, repoRoot, runCommand, screenshot, unrollPanelShowing, VsCodeSession } from './harness';

/** Hiragana, katakana or kanji. */
const JAPANESE = /[\u3040-\u30ff\u4e00-\u9fff]/;
const nlsJa = JSON.parse(readFileSync(join(repoRoot, 'package.nls.ja.json'), 'utf8')) as Record<string, string>;
const l10nJa = JSON.parse(readFileSync(join(repoRoot, 'l10n', 'bundle.l10n.ja.json'), 'utf8')) as Record<string, string>;

/** 1-based line and column of the first occurrence of `needle` in a workspace file. */
function positionOf(workspace: string, file: string, needle: string, delta = 2): [number, number] {
  const lines = readFileSync(join(workspace, file), 'utf8').split('\n');
  const line = lines.findIndex((l) => l.includes(needle));
  assert.ok(line >= 0, `${needle} in ${file}`);
  return [line + 1, lines[line].indexOf(needle) + delta];
}

/**
 * The main label of each row the command palette shows for `filter` (in a non-English display
 * language VS Code adds the English original under it, in the same kind of label element).
 */
async function paletteLabels(page: Page, filter: string): Promise<string[]> {
  await page.keyboard.press('Escape');
  await page.keyboard.press('F1');
  const input = page.locator('.quick-input-widget input').first();
  await input.waitFor({ state: 'visible', timeout: 10000 });
  await input.fill('>' + filter);
  await page.locator('.quick-input-list .monaco-list-row').first().waitFor({ state: 'visible', timeout: 10000 });
  await page.waitForTimeout(300);
  return page.locator('.quick-input-list .monaco-list-row').evaluateAll((rows) => rows.map((r) => (r.querySelector('.label-name') as HTMLElement | null)?.innerText.trim() ?? ''));
}

describe('Japanese UI e2e (display language ja)', function () {
  let vs: VsCodeSession | undefined;
  before(async function () {
    vs = await openVsCode({ theme: 'light', locale: 'ja', viewport: { width: 1600, height: 1000 } });
  });
  after(async function () {
    await vs?.close();
  });

  it('the workbench runs in ja (the page language VS Code chose)', async function () {
    const lang = await vs!.page.evaluate(() => (globalThis as unknown as { _VSCODE_NLS_LANGUAGE?: string })._VSCODE_NLS_LANGUAGE);
    assert.equal(lang, 'ja');
  });

  it('the command palette shows the RNN commands with their Japanese titles (package.nls.ja.json)', async function () {
    const page = vs!.page;
    const runForward = `RNN: ${nlsJa['rnnLens.command.runForward']}`;
    // the commands appear once the extension host registered them: runCommand retries until then
    await openFile(page, 'examples/origin.rnn.json');
    const deadline = Date.now() + 60000;
    let labels: string[] = [];
    while (Date.now() < deadline) {
      labels = await paletteLabels(page, 'RNN: ');
      if (labels.includes(runForward)) break;
      await page.waitForTimeout(1000);
    }
    assert.ok(labels.includes(runForward), `${runForward} in ${JSON.stringify(labels)}`);
    assert.ok(labels.includes(`RNN: ${nlsJa['rnnLens.command.showShapes']}`), JSON.stringify(labels));
    assert.ok(!labels.includes('RNN: Run Forward on Selection'), `no English title: ${JSON.stringify(labels)}`);
    await screenshot(page, 'japanese-command-palette');
    await page.keyboard.press('Escape');
  });

  it('a hover on "model" of the origin document reads in Japanese', async function () {
    const page = vs!.page;
    await runCommand(page, 'View: Close All Editor Groups');
    await openFile(page, 'examples/origin.rnn.json');
    const [line, column] = positionOf(vs!.workspace, 'examples/origin.rnn.json', '"model"');
    const text = await hoverAtUntil(page, line, column, (t) => t.includes('682'));
    assert.match(text, JAPANESE, text);
    // the numbers are the same in every language: output (3, 5, 20), 682 parameters
    assert.ok(text.includes('(3, 5, 20)') && text.includes('682'), text);
    await screenshot(page, 'japanese-hover');
    await page.keyboard.press('Escape');
  });

  it('the Problems panel shows the diagnostic of hidden_size -3 in Japanese', async function () {
    const page = vs!.page;
    await runCommand(page, 'View: Close All Editor Groups');
    await openFile(page, 'bad/hidden-negative.rnn.json');
    await runCommand(page, 'View: Focus Problems (Errors, Warnings, Infos)');
    const row = page.locator('.markers-panel .monaco-list-row', { hasText: 'hidden_size' }).first();
    await row.waitFor({ state: 'visible', timeout: 60000 });
    const text = (await row.innerText()).trim();
    assert.match(text, JAPANESE, text);
    await screenshot(page, 'japanese-problems');
  });

  it('the RNN Unroll View speaks Japanese: the results heading, the controls, the printed tensor', async function () {
    const page = vs!.page;
    await runCommand(page, 'View: Close All Editor Groups');
    if (await page.locator('.monaco-workbench .part.panel').isVisible()) await runCommand(page, 'View: Toggle Panel Visibility');
    await openFile(page, 'examples/origin.rnn.json');
    await runCommand(page, `RNN: ${nlsJa['rnnLens.command.runForward']}`);
    const f = await unrollPanelShowing(page, 'examples/origin.rnn.json');
    const body = await f.locator('#unroll-root').innerText();
    assert.ok(body.includes(l10nJa['Results, printed as PyTorch prints them']), body.slice(0, 2000));
    assert.ok(!body.includes('Results, printed as PyTorch prints them'), 'no English heading left');
    // PyTorch's printout is the same in every language
    assert.equal((await f.locator('pre[data-result="head"]').innerText()).trim(), 'tensor([[ 0.0930,  0.0545],\n        [ 0.1369,  0.0518],\n        [ 0.2210, -0.1358]])');
    await screenshot(page, 'japanese-unroll');
  });

  it('README screenshot: the hover on the left, the Unroll View with its inspector on the right, in Japanese', async function () {
    const page = vs!.page;
    // wide enough that the hover stays inside the left editor group
    await page.setViewportSize({ width: 1920, height: 1000 });
    await runCommand(page, 'View: Close All Editor Groups');
    await runCommand(page, 'View: Close Primary Side Bar');
    try {
      await openFile(page, 'examples/origin.rnn.json');
      await runCommand(page, `RNN: ${nlsJa['rnnLens.command.runForward']}`);
      const f = await unrollPanelShowing(page, 'examples/origin.rnn.json');
      await f.locator('g.node[data-id="h:0:0:2"]').click();
      await f.waitForSelector('.inspector .equation', { timeout: 5000 });
      assert.match(await f.locator('.inspector').innerText(), JAPANESE);
      await runCommand(page, 'View: Focus First Editor Group');
      const [line, column] = positionOf(vs!.workspace, 'examples/origin.rnn.json', '"model"');
      assert.match(await hoverAtUntil(page, line, column, (t) => t.includes('682')), JAPANESE);
      // no tooltip of whatever the mouse rests on
      await page.mouse.move(300, 950);
      await page.waitForTimeout(500);
      const file = await screenshot(page, 'japanese-readme');
      // Chromium draws Japanese with a system font; without one the screenshots show empty boxes
      // (the text assertions above do not depend on it).
      let jaFonts = '';
      try {
        jaFonts = execFileSync('fc-list', [':lang=ja'], { encoding: 'utf8' }).trim();
      } catch {
        jaFonts = '';
      }
      if (!jaFonts) console.warn('[e2e] no Japanese font (fc-list :lang=ja is empty): the japanese-*.png screenshots show boxes; Debian: apt-get install fonts-ipafont-gothic');
      // media/screenshot-japanese.png is this picture (RNN_LENS_UPDATE_README_SCREENSHOT=1 copies it)
      if (process.env.RNN_LENS_UPDATE_README_SCREENSHOT === '1') copyFileSync(file, join(repoRoot, 'media', 'screenshot-japanese.png'));
    } finally {
      await page.keyboard.press('Escape');
      await runCommand(page, 'View: Toggle Primary Side Bar Visibility');
      await page.setViewportSize({ width: 1600, height: 1000 });
    }
  });

  it('threw no errors in the page', function () {
    const ours = vs!.pageErrors.filter((e) => !/ResizeObserver loop/.test(e));
    assert.deepEqual(ours, []);
  });
});
