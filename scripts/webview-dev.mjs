// Dev-only (not shipped): renders the Unroll View webview outside VS Code with a fake
// acquireVsCodeApi and real payloads, and screenshots it with playwright-core + chromium.
// Usage: npm run build && npx tsc -p tsconfig.json && node scripts/webview-dev.mjs [outDir]
// Env: ONLY=<name part>, THEME=light|dark|hc, WIDTHS=500,700,1200 (panel widths; default 1400),
// SELECT=<node id>. Each page also reports whether anything sticks out on the right.
import { mkdirSync, writeFileSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
const root = resolve(new URL('..', import.meta.url).pathname);
const { readDocument } = require(join(root, 'out/src/document/reader.js'));
const { buildRunPayload } = require(join(root, 'out/src/run/payload.js'));
const { webviewStrings } = require(join(root, 'out/src/extension/webviewStrings.js'));
const outDir = resolve(process.argv[2] ?? 'test-results/webview-dev');
mkdirSync(outDir, { recursive: true });

const docs = {
  'rnn-T5': { description: 'A plain RNN over five steps with a Linear head. <b>markup stays text</b> This description is long on purpose so that the panel has to clamp it to a few lines and offer "more": the origin snippet is torch.manual_seed(0); rnn = nn.RNN(3, 6); head = nn.Linear(6, 2); x = torch.rand(5, 2, 3); out, h_n = rnn(x); print(head(out[-1])). Read the diagram from the bottom (x_t) to the top (h_t), and from left to right in time.', model: { type: 'RNN', input_size: 3, hidden_size: 6 }, head: { type: 'Linear', out_features: 2 }, seed: 0, input: { rand: [5, 2, 3] } },
  'lstm-bi-2layer': { model: { type: 'LSTM', input_size: 4, hidden_size: 5, num_layers: 2, bidirectional: true, batch_first: true }, head: { type: 'Linear', out_features: 3 }, seed: 1, input: { rand: [2, 4, 4] } },
  gru: { model: { type: 'GRU', input_size: 3, hidden_size: 8 }, seed: 2, input: { rand: [6, 3] } },
  'rnn-T1000': { model: { type: 'RNN', input_size: 2, hidden_size: 16 }, head: { type: 'Linear', out_features: 1 }, seed: 3, input: { rand: [1000, 1, 2] } },
  snippet: JSON.parse(readFileSync(join(root, 'test/golden/seed_snippet.json'), 'utf8')),
};

const themes = {
  light: { bg: '#ffffff', fg: '#3b3b3b', cls: 'vscode-light' },
  dark: { bg: '#1f1f1f', fg: '#cccccc', cls: 'vscode-dark' },
  hc: { bg: '#000000', fg: '#ffffff', cls: 'vscode-high-contrast', extra: '--vscode-contrastBorder:#6fc3df;--vscode-panel-border:#6fc3df;--vscode-focusBorder:#f38518;' },
};
const widths = (process.env.WIDTHS ?? '1400').split(',').map(Number);

function page(payload, theme, title) {
  const t = themes[theme];
  const strings = webviewStrings((s) => s);
  const msg = JSON.stringify({ type: 'run', payload: { ...payload, title }, strings }).replace(/</g, '\\u003c');
  return `<!DOCTYPE html><html><head><meta charset="utf-8">
<link rel="stylesheet" href="file://${root}/media/unroll.css">
<style>:root{--vscode-foreground:${t.fg};--vscode-editor-background:${t.bg};--vscode-font-family:system-ui,sans-serif;--vscode-font-size:13px;--vscode-editor-font-family:monospace;--vscode-focusBorder:#0078d4;--vscode-button-background:#0078d4;--vscode-button-foreground:#fff;--vscode-descriptionForeground:${theme === 'light' ? '#717171' : '#9d9d9d'};${t.extra ?? ''}}</style>
</head><body class="${t.cls}"><main id="unroll-root"></main>
<script>
window.__posted=[];window.acquireVsCodeApi=()=>({postMessage:(m)=>{window.__posted.push(m); if(m.type==='ready') setTimeout(()=>window.postMessage(${msg},'*'),0);},getState:()=>undefined,setState:()=>{}});
</script>
<script src="file://${root}/dist/webview.js"></script></body></html>`;
}

const { chromium } = require('playwright-core');
const browser = await chromium.launch({
  executablePath: '/usr/bin/chromium',
  args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run', '--disable-quic', '--allow-file-access-from-files'],
});
const only = process.env.ONLY;
for (const [name, doc] of Object.entries(docs)) {
  if (only && !name.includes(only)) continue;
  const read = readDocument(JSON.stringify(doc));
  if (!read.document) throw new Error(name + ': ' + JSON.stringify(read.diagnostics));
  const payload = buildRunPayload(read.document, { title: `${name}.rnn.json <b>bold?</b>` });
  for (const theme of Object.keys(themes)) {
    if (process.env.THEME && process.env.THEME !== theme) continue;
   for (const width of widths) {
    const file = join(outDir, `${name}-${theme}.html`);
    writeFileSync(file, page(payload, theme, `${name}.rnn.json <b>not bold</b>`));
    const shot = widths.length > 1 ? `${name}-${theme}-${width}` : `${name}-${theme}`;
    const p = await browser.newPage({ viewport: { width, height: 1000 } });
    const errors = [];
    p.on('pageerror', (e) => errors.push(String(e)));
    p.on('console', (m) => m.type() === 'error' && errors.push(m.text()));
    await p.goto('file://' + file);
    await p.waitForSelector('svg.diagram', { timeout: 10000 });
    if (process.env.SELECT) {
      await p.click(`g.node[data-id="${process.env.SELECT}"]`);
    } else {
      const sel = await p.$('g.node.node-h');
      await sel?.click();
    }
    await p.waitForTimeout(100);
    await p.screenshot({ path: join(outDir, `${shot}.png`), fullPage: true });
    const sticksOut = await p.evaluate(() =>
      [...document.querySelectorAll('#unroll-root *')]
        .filter((e) => !e.closest('.diagram-wrap svg, pre.tensor, .diagram-wrap') || e.matches('.diagram-wrap, pre.tensor'))
        .filter((e) => e.getBoundingClientRect().right > document.documentElement.clientWidth + 1)
        .map((e) => e.tagName + '.' + e.getAttribute('class')),
    );
    const scroll = await p.$$eval('.diagram-wrap, pre.tensor', (els) => els.map((e) => e.scrollWidth - e.clientWidth));
    const svgW = await p.$eval('svg.diagram', (s) => `${s.getAttribute('width')}/${s.viewBox.baseVal.width}`);
    console.log(shot, errors.length ? errors : 'ok', 'nodes:', await p.$$eval('g.node', (n) => n.length), 'svg:', svgW, 'overflow:', scroll.join(','), sticksOut.length ? 'STICKS OUT: ' + sticksOut.slice(0, 5).join(' ') : '');
    await p.close();
   }
  }
}
await browser.close();
