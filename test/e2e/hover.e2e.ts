// End-to-end: a person hovers the model and a state_dict key of RNN documents in the real VS Code
// and reads the shape report; screenshots (light and dark) in test-results/screenshots/.
import * as assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { hoverAtUntil, openFile, openVsCode, runCommand, screenshot, VsCodeSession } from './harness';

/** 1-based line and column of the first occurrence of `needle` in a workspace file. */
function positionOf(workspace: string, file: string, needle: string): [number, number] {
  const lines = readFileSync(`${workspace}/${file}`, 'utf8').split('\n');
  const line = lines.findIndex((l) => l.includes(needle));
  assert.ok(line >= 0, `${needle} in ${file}`);
  return [line + 1, lines[line].indexOf(needle) + 2];
}

describe('JSON hover e2e', function () {
  let vs: VsCodeSession | undefined;
  before(async function () {
    vs = await openVsCode({ theme: 'light', viewport: { width: 1600, height: 1000 } });
  });
  after(async function () {
    await vs?.close();
  });

  for (const theme of ['light', 'dark'] as const) {

    it(`${theme}: hover on "model" of the origin document shows the shapes PyTorch gives`, async function () {
      const page = vs!.page;
      if (theme === 'dark') await vs!.setTheme('dark');
      await runCommand(page, 'View: Close All Editor Groups');
      await openFile(page, 'examples/origin.rnn.json');
      const [line, column] = positionOf(vs!.workspace, 'examples/origin.rnn.json', '"model"');
      // On a busy machine the JSON schema's hover can settle before RNN Lens's: retry until ours is there.
      const text = await hoverAtUntil(page, line, column, (t) => t.includes('weight_ih_l0'));
      // torch: SampleRNN(10, 20, 2)(torch.rand(3, 5, 10)) -> output (3, 5, 20), h_n (1, 3, 20), head (3, 2).
      for (const part of ['(3, 5, 10)', '(3, 5, 20)', '(1, 3, 20)', '(3, 2)', 'weight_ih_l0', '682']) {
        assert.ok(text.includes(part), `${part} in:\n${text}`);
      }
      await screenshot(page, `hover-model-${theme}`);
      await page.keyboard.press('Escape');
    });

    it(`${theme}: hover on an LSTM model with proj_size shows weight_hr_l0 and the gates`, async function () {
      const page = vs!.page;
      await runCommand(page, 'View: Close All Editor Groups');
      await openFile(page, 'examples/lstm-proj.rnn.json');
      const [line, column] = positionOf(vs!.workspace, 'examples/lstm-proj.rnn.json', '"model"');
      const text = await hoverAtUntil(page, line, column, (t) => t.includes('weight_hr_l0'));
      // nn.LSTM with proj_size: weight_hr_l0 (proj_size, hidden_size) exists, gates i, f, g, o.
      assert.ok(text.includes('weight_hr_l0'), text);
      assert.ok(/\bi\b[\s\S]*\bf\b[\s\S]*\bg\b[\s\S]*\bo\b/.test(text), text);
      await screenshot(page, `hover-lstm-proj-${theme}`);
      await page.keyboard.press('Escape');
    });
  }
});
