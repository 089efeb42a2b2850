// End-to-end: the RNN Lab in a VS Code whose display language is Japanese: the command's title in
// the palette, the quick pick and the panel (title, status, explanations) read in Japanese while
// a language model learns a Japanese text. Screenshot: test-results/screenshots/lab-ja.png.
import * as assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { findWebviewFrame, openFile, openVsCode, runCommand, screenshot, VsCodeSession } from './harness';

const TEXT = '吾輩は猫である。名前はまだ無い。どこで生れたかとんと見当がつかぬ。何でも薄暗いじめじめした所でニャーニャー泣いていた事だけは記憶している。';

describe('RNN Lab in Japanese (e2e)', function () {
  this.timeout(600000);
  let vs: VsCodeSession;
  before(async () => {
    vs = await openVsCode({ locale: 'ja', viewport: { width: 1500, height: 1000 } });
  });
  after(async () => {
    await vs?.close();
  });

  it('trains a language model from the Japanese palette entry and explains it in Japanese', async () => {
    writeFileSync(join(vs.workspace, 'neko-ja.md'), TEXT + '\n');
    await openFile(vs.page, 'neko-ja.md');
    await vs.page.keyboard.press('Control+A');
    await runCommand(vs.page, 'RNN: 選択したテキストで言語モデルを学習');
    const row = vs.page.locator('.quick-input-list .monaco-list-row').filter({ hasText: 'GRU' }).first();
    await row.waitFor({ state: 'visible', timeout: 15000 });
    assert.match(await vs.page.locator('.quick-input-list').innerText(), /更新ゲートとリセットゲート/);
    await row.click();
    const f = await findWebviewFrame(vs.page, 'main.lab header', 60000);
    await f.locator('button.rerun:not([disabled])').waitFor({ timeout: 420000 });
    assert.equal(await f.locator('h1').innerText(), 'テキストを学ぶ様子を見る');
    assert.match(await f.locator('.status').innerText(), /^完了: 300 ステップ/);
    assert.equal(await f.locator('.samples li .sample-head').first().innerText(), '学習前');
    assert.deepEqual(vs.pageErrors, []);
    await screenshot(vs.page, 'lab-ja');
  });
});
