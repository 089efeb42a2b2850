// End-to-end tests of the RNN Unroll View: a person runs "RNN: Run Forward on Selection" on the
// example documents; the panel prints PyTorch's numbers; screenshots in light and dark of an RNN,
// a bidirectional 2-layer LSTM, a GRU, T = 1,000, and a document whose strings contain markup;
// the diagram and the printed tensors fit the panel; high-contrast themes (dark and light);
// "Save diagram as PNG" through the real save dialog; the README screenshot.
import * as assert from 'node:assert/strict';
import { copyFileSync, existsSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { Frame, Page } from 'playwright-core';
import { unrollPanelShowing, openFile, openVsCode, pickColorTheme, repoRoot, runCommand, screenshot, VsCodeSession } from './harness';

/** Fails when an element of the panel sticks out past its right edge (nothing may be cut off). */
async function assertInsidePanel(f: Frame, selector: string): Promise<void> {
  const out = await f.$$eval(selector, (els) =>
    els
      .map((e) => ({ id: e.getAttribute('data-id') ?? e.getAttribute('data-result') ?? e.tagName, right: e.getBoundingClientRect().right, width: document.documentElement.clientWidth }))
      .filter((r) => r.right > r.width + 0.5),
  );
  assert.deepEqual(out, [], `${selector} inside the panel`);
}

/**
 * Picks a colour theme by its label in "Preferences: Color Theme". Right after start-up the
 * picker may list no themes yet, or a click may land while the list moves: try again, as a
 * person would.
 */
async function chooseTheme(page: Page, label: string): Promise<void> {
  for (let attempt = 1; ; attempt++) {
    await page.keyboard.press('Escape');
    try {
      await pickColorTheme(page, label);
      return;
    } catch (e) {
      const rows = await page.locator('.quick-input-list .monaco-list-row').allInnerTexts();
      if (attempt === 3) throw new Error(`${(e as Error).message}\nthe picker shows: ${JSON.stringify(rows)}`);
    }
  }
}

/** Fails when a printed tensor needs horizontal scrolling (they wrap at the panel's width). */
async function assertTensorsWrap(f: Frame): Promise<void> {
  const wide = await f.$$eval('pre.tensor:not(.char-probe)', (els) => els.filter((e) => e.scrollWidth > e.clientWidth + 1).map((e) => e.textContent?.slice(0, 40)));
  assert.deepEqual(wide, [], 'every printed tensor fits its block');
}


async function runOn(page: Page, file: string): Promise<Frame> {
  // a clean window each time: the run must (re)create the panel beside the document
  await runCommand(page, 'View: Close All Editor Groups');
  await openFile(page, file);
  await runCommand(page, 'RNN: Run Forward on Selection');
  return unrollPanelShowing(page, file);
}

const cases: { file: string; name: string; check: (f: Frame) => Promise<void> }[] = [
  {
    file: 'examples/origin.rnn.json',
    name: 'rnn',
    check: async (f) => {
      const head = await f.locator('pre[data-result="head"]').innerText();
      assert.equal(head.trim(), 'tensor([[ 0.0930,  0.0545],\n        [ 0.1369,  0.0518],\n        [ 0.2210, -0.1358]])');
      // the whole T = 5 diagram, h_n included, is in view; tensors wrap instead of running off
      await assertInsidePanel(f, 'g.node');
      await assertTensorsWrap(f);
      // the description under the title, clamped, with "more"
      assert.match(await f.locator('.description-text').innerText(), /^The origin snippet/);
      assert.ok(await f.locator('.description button.more').isVisible(), '"more" shown for a long description');
      await f.locator('g.node.node-h').first().click();
      await f.waitForSelector('.inspector .equation', { timeout: 5000 });
    },
  },
  {
    file: 'examples/lstm-bidirectional-2layer.rnn.json',
    name: 'lstm-bi',
    check: async (f) => {
      const hnRev = await f.locator('g.node[data-id="hn:1:1"] rect.box').boundingBox();
      const first = await f.locator('g.node[data-id="h:1:1:0"] rect.box').boundingBox();
      assert.ok(hnRev && first && hnRev.x < first.x, 'reverse h_n is left of t = 1');
      assert.ok(await f.locator('pre[data-result="c_n"]').count());
      await assertInsidePanel(f, 'g.node');
      await assertTensorsWrap(f);
    },
  },
  {
    file: 'examples/gru-explicit-weights.rnn.json',
    name: 'gru',
    check: async (f) => {
      await f.locator('g.node.node-h').nth(1).click();
      await f.waitForSelector('.inspector .gate', { timeout: 5000 });
    },
  },
  {
    file: 'examples/long-sequence.rnn.json',
    name: 'long',
    check: async (f) => {
      const nodes = await f.locator('g.node').count();
      assert.ok(nodes < 200, `${nodes} nodes`);
      assert.equal(await f.locator('g.gap').count(), 1, 'first k steps, one gap, last k steps');
      // both ends of the sequence and h_n at the right end, inside the panel
      for (const id of ['x:0', 'x:999', 'h:0:0:999', 'hn:0:0']) assert.equal(await f.locator(`g.node[data-id="${id}"]`).count(), 1, id);
      // every number is finite: the legend has no inf/nan swatch (nothing wears that colour)
      assert.equal(await f.locator('.legend .legend-nonfinite').count(), 0);
      assert.ok(await f.locator('.legend .legend-ramp').isVisible());
      await assertInsidePanel(f, 'g.node');
      await assertTensorsWrap(f);
    },
  },
  {
    // issue #5: relu RNN with weights 1e30 (PyTorch: output[1:] and h_n are inf in float32)
    file: 'hostile/relu-overflow-1e30.rnn.json',
    name: 'overflow',
    check: async (f) => {
      assert.equal((await f.locator('pre[data-result="h_n"]').innerText()).trim(), 'tensor([[inf, inf]])');
      // h at t = 2 is marked (magenta, /// hatch) and says so; h at t = 1 (2e30) is a number
      const h2 = f.locator('g.node[data-id="h:0:0:1"]');
      assert.equal(await h2.locator('rect.nonfinite.inf').count(), 2);
      assert.match(await h2.getAttribute('aria-label') ?? '', /holds inf \(2 of 2 values\)/);
      assert.match(await h2.locator('title').textContent() ?? '', /beyond float32's range/);
      assert.equal(await f.locator('g.node[data-id="h:0:0:0"] rect.nonfinite').count(), 0);
      assert.ok(await f.locator('.legend .legend-inf').isVisible(), 'the legend explains inf');
      await h2.click();
      await f.waitForSelector('.inspector pre.tensor.has-nonfinite', { timeout: 5000 });
    },
  },
  {
    file: 'examples/markup-in-strings.rnn.json',
    name: 'markup',
    check: async (f) => {
      assert.equal(await f.locator('#unroll-root img, #unroll-root script, #unroll-root b').count(), 0);
      // the description is shown as the text it is
      assert.match(await f.locator('.description-text').innerText(), /<img src=x onerror=alert\(1\)>/);
    },
  },
];

describe('RNN Unroll View e2e', function () {
  let vs: VsCodeSession | undefined;
  before(async function () {
    vs = await openVsCode({ theme: 'light', viewport: { width: 1600, height: 1000 } });
  });
  after(async function () {
    await vs?.close();
  });

  for (const theme of ['light', 'dark'] as const) {
    for (const c of cases) {
      it(`${theme}: ${c.name} (${c.file})`, async function () {
        if (theme === 'dark' && c === cases[0]) await vs!.setTheme('dark');
        const frame = await runOn(vs!.page, c.file);
        await c.check(frame);
        await vs!.page.waitForTimeout(300);
        await screenshot(vs!.page, `unroll-${c.name}-${theme}`);
      });
    }
  }

  it('a large run paints its forward first; its gradients follow in place', async function () {
    const page = vs!.page;
    await chooseTheme(page, 'Light Modern');
    // The panel is open first (a new panel loads its page while the run goes on, and may only
    // ask for the run once the gradients are in); what its gradients section shows for the
    // large run is recorded inside the frame as it changes.
    const f = await runOn(page, 'examples/origin.rnn.json');
    await f.evaluate(() => {
      const w = window as unknown as { seenGradients: string[] };
      w.seenGradients = [];
      new MutationObserver(() => {
        if (!(document.querySelector('#unroll-root h1.title')?.textContent ?? '').includes('medium-workload')) return;
        const state = document.querySelector('section.gradients .pending') ? 'pending' : document.querySelector('section.gradients svg.grad-input') ? 'bars' : '';
        if (state && w.seenGradients[w.seenGradients.length - 1] !== state) w.seenGradients.push(state);
      }).observe(document.body, { childList: true, subtree: true, characterData: true });
    });
    await openFile(page, 'large/medium-workload.rnn.json');
    await runCommand(page, 'RNN: Run Forward on Selection');
    const shown = await unrollPanelShowing(page, 'large/medium-workload.rnn.json', 120000);
    assert.equal(shown, f, 'the same panel');
    const pending = f.locator('section.gradients .pending');
    try {
      await pending.scrollIntoViewIfNeeded({ timeout: 3000 });
      await screenshot(page, 'unroll-medium-gradients-pending');
    } catch {
      // the gradients came meanwhile: the picture of the pending state is skipped
    }
    // then the bars, in the same panel, and no "computing" left
    await f.locator('section.gradients svg.grad-input').waitFor({ state: 'visible', timeout: 240000 });
    assert.equal(await pending.count(), 0);
    assert.equal(await f.locator('section.gradients svg.grad-hidden').count(), 2, 'forward and reverse of the top layer');
    const seen = await f.evaluate(() => (window as unknown as { seenGradients: string[] }).seenGradients);
    assert.deepEqual(seen, ['pending', 'bars'], '"Computing the gradients…" with the forward drawn, then the bars in place');
    await f.locator('section.gradients svg.grad-input').scrollIntoViewIfNeeded();
    await page.waitForTimeout(300);
    await screenshot(page, 'unroll-medium-gradients');
  });

  it('Save diagram as PNG writes a PNG through the save dialog (CSP allows the canvas export)', async function () {
    const page = vs!.page;
    const frame = await runOn(page, 'examples/origin.rnn.json');
    const target = join(vs!.workspace, 'origin-unrolled.png');
    const natural = await frame.$eval('svg.diagram', (s) => (s as SVGSVGElement).viewBox.baseVal.width);
    await frame.locator('button', { hasText: 'Save diagram as PNG' }).click();
    // VS Code's save dialog (the simple one in the browser): the default name in the workspace
    const input = page.locator('.quick-input-widget input').first();
    await input.waitFor({ state: 'visible', timeout: 15000 });
    // it opens on a folder and then fills in the proposed name (defaultUri): wait for it
    const proposed = Date.now() + 10000;
    while (!/origin-unrolled\.png$/.test(await input.inputValue()) && Date.now() < proposed) await page.waitForTimeout(200);
    assert.match(await input.inputValue(), /origin-unrolled\.png$/, 'the dialog proposes <title>-unrolled.png');
    await input.press('Enter');
    const deadline = Date.now() + 15000;
    while (!(existsSync(target) && statSync(target).size > 100) && Date.now() < deadline) await page.waitForTimeout(200);
    const bytes = readFileSync(target);
    assert.deepEqual([...bytes.subarray(0, 8)], [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a], 'PNG signature');
    assert.equal(bytes.subarray(12, 16).toString('latin1'), 'IHDR');
    // twice the diagram's natural width (the export ignores the panel's fit-to-width scale)
    assert.equal(bytes.readUInt32BE(16), Math.ceil(natural * 2));
  });

  // workbench.colorTheme "Default High Contrast" / "Default High Contrast Light", as the Color
  // Theme picker labels them
  for (const [theme, suffix, cls] of [
    ['Dark High Contrast', 'hc', 'hc-black'],
    ['Light High Contrast', 'hc-light', 'hc-light'],
  ] as const) {
    it(`${theme}: borders, focus ring and legend are visible`, async function () {
      const page = vs!.page;
      await chooseTheme(page, theme);
      await page.waitForSelector(`.monaco-workbench.${cls}`, { timeout: 30000 });
      for (const c of [cases[0], cases[1], cases[3]]) {
        const f = await runOn(page, c.file);
        const bodyClass = cls === 'hc-black' ? 'vscode-high-contrast' : 'vscode-high-contrast-light';
        assert.ok(await f.$eval('body', (b, want) => b.classList.contains(want), bodyClass), `webview body has ${bodyClass}`);
        // the contrast border colours the frame, the node boxes and the legend's frame
        const colours = await f.evaluate(() => {
          const css = (sel: string, prop: string) => {
            const e = document.querySelector(sel);
            return e ? getComputedStyle(e).getPropertyValue(prop) : 'missing';
          };
          return { frame: css('.diagram-wrap', 'border-top-color'), box: css('g.node-h .box', 'stroke'), legend: css('.legend-frame', 'stroke'), contrast: getComputedStyle(document.documentElement).getPropertyValue('--vscode-contrastBorder').trim() };
        });
        assert.ok(colours.contrast, 'the theme defines contrastBorder');
        for (const [k, v] of Object.entries(colours)) assert.ok(v && v !== 'missing' && !/rgba\(0, 0, 0, 0\)|transparent/.test(v), `${k}: ${v}`);
        // keyboard focus on a node shows the focus ring in the screenshot
        await f.locator('g.node[tabindex="0"]').first().focus();
        await page.waitForTimeout(300);
        await screenshot(page, `unroll-${c.name}-${suffix}`);
      }
    });
  }

  it('README screenshot: origin.rnn.json on the left, the panel on the right', async function () {
    const page = vs!.page;
    await chooseTheme(page, 'Dark Modern');
    await page.waitForSelector('.monaco-workbench.vs-dark', { timeout: 30000 });
    await runCommand(page, 'View: Close All Editor Groups');
    await runCommand(page, 'View: Close Primary Side Bar');
    try {
      const f = await runOn(page, 'examples/origin.rnn.json');
      await f.locator('g.node[data-id="h:0:0:2"]').click();
      await f.waitForSelector('.inspector .equation', { timeout: 5000 });
      await page.waitForTimeout(500);
      const file = await screenshot(page, 'readme-origin');
      // media/screenshot-unroll.png is this picture made smaller (see the report of the run)
      assert.ok(existsSync(file));
      if (process.env.RNN_LENS_UPDATE_README_SCREENSHOT === '1') copyFileSync(file, join(repoRoot, 'media', 'screenshot-unroll.png'));
    } finally {
      await runCommand(page, 'View: Toggle Primary Side Bar Visibility');
    }
  });

  it('threw no errors in the page', function () {
    const ours = vs!.pageErrors.filter((e) => !/ResizeObserver loop/.test(e));
    assert.deepEqual(ours, []);
  });
});
