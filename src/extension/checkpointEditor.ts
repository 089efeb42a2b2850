/*
 * The checkpoint viewer: a read-only custom editor for .pt, .pth, .bin, .ckpt and .safetensors
 * files. It lists every tensor (name, dtype, shape, size) and every recurrent module found
 * (config and head); "Open as RNN document" and "Unroll" open an untitled document that
 * references the file (`"state_dict": {"from": "./model.pt", "prefix": ...}`, relative to the
 * file's folder until it is saved) and show or run it. Nothing is written to disk.
 * Also the hover on `"from"` in RNN documents, and the re-read of documents when a checkpoint
 * they name has loaded.
 * Layer: extension (imports vscode, checkpoint, document).
 *
 * Nothing in a file runs (src/checkpoint interprets pickles without calling anything), so the
 * viewer works in untrusted workspaces; bytes come through vscode.workspace.fs, so it works in
 * the web extension too. workspace.fs reads a file whole: the bytes are dropped as soon as the
 * listing is built (listing decodes no tensor data), so a 500 MB file costs one read, not a
 * resident copy. The webview has no resources at all: a strict CSP (default-src 'none'; one
 * nonce for its one inline style and one inline script); every string in it is escaped.
 */
import * as vscode from 'vscode';
import { CheckpointError, openCheckpoint, type InspectJson, type ModuleInfo } from '../checkpoint/index';
import { inspectJson } from '../checkpoint/index';
import { canRunModule, moduleDocumentText } from '../checkpoint/toDocument';
import { checkpointReference } from '../document/fromCheckpoint';
import { checkpointUri, loadCheckpoint, MAX_CHECKPOINT_BYTES, onDidLoadCheckpoint, registerCheckpointFiles, setUntitledFolder } from './checkpointFiles';
import { forgetAll } from './documentCache';
import { refreshDiagnostics } from './diagnostics';
import { JSON_LANGUAGES } from './documentSelector';
import { getSettings } from './settings';
import { escapeHtml, makeNonce } from './webviewHtml';

export const CHECKPOINT_VIEW_TYPE = 'rnnLens.checkpoint';
/** Rows of the tensor table drawn at most (a listing of 100,000 tensors stays responsive). */
const MAX_ROWS = 2000;

/** Messages the checkpoint webview sends (it receives none). */
type FromWebview = { type: 'openDocument'; module: number } | { type: 'unroll'; module: number };

function isFromWebview(m: unknown): m is FromWebview {
  const x = m as FromWebview;
  return !!x && (x.type === 'openDocument' || x.type === 'unroll') && Number.isSafeInteger(x.module) && x.module >= 0;
}

class CheckpointDocument implements vscode.CustomDocument {
  constructor(readonly uri: vscode.Uri) {}
  dispose(): void {}
}

/** What the editor shows: the listing, or why the file could not be read. */
type Listing = { ok: true; json: InspectJson; bytes: number } | { ok: false; error: string };

async function listCheckpoint(uri: vscode.Uri): Promise<Listing> {
  try {
    const stat = await vscode.workspace.fs.stat(uri);
    if (stat.size > MAX_CHECKPOINT_BYTES) {
      return { ok: false, error: vscode.l10n.t('the file holds {0} bytes; the editor reads files up to {1} bytes (the rnn-lens CLI reads any size)', stat.size, MAX_CHECKPOINT_BYTES) };
    }
    let bytes: Uint8Array | undefined = await vscode.workspace.fs.readFile(uri);
    const size = bytes.length;
    const json = inspectJson(openCheckpoint(bytes, { maxElements: getSettings(uri).budget.maxElements }));
    bytes = undefined; // the listing holds no reference to the bytes: they can go
    return { ok: true, json, bytes: size };
  } catch (e) {
    return { ok: false, error: e instanceof CheckpointError ? e.message : String((e as Error)?.message ?? e).split('\n')[0] };
  }
}

function numel(shape: readonly number[]): number {
  return shape.reduce((a, b) => a * b, 1);
}

const BYTES_PER: Record<string, number> = { float32: 4, float64: 8, float16: 2, bfloat16: 2, int64: 8, int32: 4, int16: 2, int8: 1, uint8: 1, bool: 1 };

function bytesText(n: number): string {
  // Units read the same in every language: not translated.
  if (n < 1024) return `${n} B`;
  if (n < 1024 * 1024) return `${(n / 1024).toFixed(1)} KB`;
  if (n < 1024 ** 3) return `${(n / 1024 ** 2).toFixed(1)} MB`;
  return `${(n / 1024 ** 3).toFixed(2)} GB`;
}

function moduleConfig(m: ModuleInfo): string {
  const parts = [`input_size=${m.input_size}`, `hidden_size=${m.hidden_size}`];
  if (m.num_layers !== undefined) parts.push(`num_layers=${m.num_layers}`);
  if (m.bidirectional) parts.push('bidirectional=True');
  if (m.proj_size) parts.push(`proj_size=${m.proj_size}`);
  if (!m.bias) parts.push('bias=False');
  if (m.batch_first !== undefined && m.batch_first !== null) parts.push(`batch_first=${m.batch_first ? 'True' : 'False'}`);
  if (typeof m.nonlinearity === 'string') parts.push(`nonlinearity='${m.nonlinearity}'`);
  return `nn.${m.type}(${parts.join(', ')})`;
}

/** The editor's HTML: everything escaped, no resources, one nonce for the style and the script. */
export function checkpointHtml(fileName: string, listing: Listing, nonce: string, lang: string): string {
  const t = vscode.l10n.t;
  const e = escapeHtml;
  const csp = `default-src 'none'; style-src 'nonce-${nonce}'; script-src 'nonce-${nonce}'`;
  const body: string[] = [];
  body.push(`<h1>${e(fileName)}</h1>`);
  if (!listing.ok) {
    body.push(`<p class="error" role="alert">${e(t('This file cannot be read: {0}', listing.error))}</p>`);
  } else {
    const j = listing.json;
    const formatName = j.format === 'pytorch-zip' ? t('PyTorch (torch.save, zip)') : j.format === 'pytorch-legacy' ? t('PyTorch (legacy torch.save)') : 'safetensors';
    const total = j.tensors.reduce((s, x) => s + numel(x.shape), 0);
    body.push(`<p class="summary">${e(t('{0} · {1} tensors · {2} numbers · {3}', formatName, j.tensors.length, total.toLocaleString('en-US'), bytesText(listing.bytes)))}</p>`);
    body.push(`<p class="safe">${e(t('Read without running anything in the file.'))}</p>`);
    body.push(`<h2>${e(t('Recurrent modules'))}</h2>`);
    if (j.modules.length === 0) body.push(`<p>${e(t('No recurrent module (RNN, LSTM, GRU or a cell) was recognised from the names and shapes.'))}</p>`);
    j.modules.forEach((m, i) => {
      body.push('<section class="module">');
      body.push(`<h3><code>${e(m.prefix || t('(no prefix)'))}</code> ${e(m.type)}</h3>`);
      body.push(`<p><code>${e(moduleConfig(m))}</code></p>`);
      body.push(`<p>${m.head ? e(t('Head: {0} nn.Linear({1}, {2})', m.head.prefix, m.head.in_features, m.head.out_features)).replace(e(m.head.prefix), `<code>${e(m.head.prefix)}</code>`) : e(t('Head: none found beside it'))}</p>`);
      if (canRunModule(m)) {
        body.push(`<p class="actions"><button data-action="unroll" data-module="${i}">${e(t('Unroll'))}</button> <button class="secondary" data-action="openDocument" data-module="${i}">${e(t('Open as RNN document'))}</button></p>`);
      } else {
        body.push(`<p class="muted">${e(t('Cells are listed but not run: an RNN document runs nn.RNN, nn.LSTM or nn.GRU.'))}</p>`);
      }
      body.push('</section>');
    });
    body.push(`<h2>${e(t('Tensors'))}</h2>`);
    body.push(`<table><thead><tr><th scope="col">${e(t('name'))}</th><th scope="col">dtype</th><th scope="col">${e(t('shape'))}</th><th scope="col" class="num">${e(t('size'))}</th></tr></thead><tbody>`);
    for (const x of j.tensors.slice(0, MAX_ROWS)) {
      const n = numel(x.shape);
      body.push(`<tr><td class="name"><code>${e(x.name).replace(/([._])/g, '$1<wbr>')}</code></td><td>${e(x.dtype)}</td><td class="shape"><code>[${e(x.shape.join(', '))}]</code></td><td class="num">${e(n.toLocaleString('en-US'))} <span class="muted">(${e(bytesText(n * (BYTES_PER[x.dtype] ?? 1)))})</span></td></tr>`);
    }
    body.push('</tbody></table>');
    if (j.tensors.length > MAX_ROWS) body.push(`<p class="muted">${e(t('… and {0} more tensors (rnn-lens inspect lists them all).', j.tensors.length - MAX_ROWS))}</p>`);
    if (j.notes.length > 0) {
      body.push(`<h2>${e(t('Notes'))}</h2><ul>`);
      for (const n of j.notes) body.push(`<li>${e(n)}</li>`);
      body.push('</ul>');
    }
  }
  const style = `
body { font-family: var(--vscode-font-family); font-size: var(--vscode-font-size); color: var(--vscode-foreground); padding: 0 20px 24px; max-width: 1100px; }
h1 { font-size: 1.5em; font-weight: 600; margin: 18px 0 4px; word-break: break-all; }
h2 { font-size: 1.15em; font-weight: 600; margin: 22px 0 8px; border-bottom: 1px solid var(--vscode-panel-border, rgba(128,128,128,.35)); padding-bottom: 4px; }
h3 { font-size: 1em; font-weight: 600; margin: 0 0 6px; }
.summary { margin: 0; color: var(--vscode-descriptionForeground); }
.safe { margin: 4px 0 0; color: var(--vscode-descriptionForeground); font-size: .92em; }
.module { border: 1px solid var(--vscode-panel-border, rgba(128,128,128,.35)); border-radius: 4px; padding: 10px 14px; margin: 0 0 10px; background: var(--vscode-editorWidget-background, transparent); }
.module p { margin: 4px 0; }
code { font-family: var(--vscode-editor-font-family); font-size: .95em; color: var(--vscode-editor-foreground); background: var(--vscode-textCodeBlock-background, rgba(128,128,128,.12)); padding: 0 3px; border-radius: 3px; }
td code { background: none; padding: 0; }
td.name { overflow-wrap: anywhere; }
td.shape { white-space: nowrap; }
table { border-collapse: collapse; width: 100%; }
th, td { text-align: left; padding: 3px 10px 3px 0; border-bottom: 1px solid var(--vscode-panel-border, rgba(128,128,128,.2)); vertical-align: top; }
th { font-weight: 600; color: var(--vscode-descriptionForeground); }
.num { text-align: right; white-space: nowrap; }
.muted { color: var(--vscode-descriptionForeground); }
.error { color: var(--vscode-errorForeground); }
button { font-family: inherit; font-size: inherit; color: var(--vscode-button-foreground); background: var(--vscode-button-background); border: 1px solid var(--vscode-button-border, transparent); border-radius: 2px; padding: 4px 12px; cursor: pointer; }
button:hover { background: var(--vscode-button-hoverBackground); }
button.secondary { color: var(--vscode-button-secondaryForeground); background: var(--vscode-button-secondaryBackground); }
button.secondary:hover { background: var(--vscode-button-secondaryHoverBackground); }
button:focus-visible { outline: 1px solid var(--vscode-focusBorder); outline-offset: 2px; }
.actions { margin-top: 8px; }`;
  const script = `const vscode = acquireVsCodeApi();
document.addEventListener('click', (ev) => {
  const b = ev.target instanceof Element ? ev.target.closest('button[data-action]') : null;
  if (b) vscode.postMessage({ type: b.getAttribute('data-action'), module: Number(b.getAttribute('data-module')) });
});`;
  const safeLang = /^[A-Za-z]{2,3}(-[A-Za-z0-9]{1,8})*$/.test(lang) ? lang : 'en';
  return `<!DOCTYPE html>
<html lang="${e(safeLang)}">
<head>
<meta charset="UTF-8">
<meta http-equiv="Content-Security-Policy" content="${e(csp)}">
<meta name="viewport" content="width=device-width, initial-scale=1.0">
<title>${e(fileName)}</title>
<style nonce="${e(nonce)}">${style}</style>
</head>
<body>
${body.join('\n')}
<script nonce="${e(nonce)}">${script}</script>
</body>
</html>
`;
}

/**
 * Opens the document for module `m` as an untitled editor (nothing is written: the user saves
 * it where they like); its `from` is relative to the checkpoint's folder. `run`: then runs it.
 */
async function openModuleDocument(checkpoint: vscode.Uri, m: ModuleInfo, run: boolean): Promise<vscode.Uri> {
  const file = checkpoint.path.split('/').pop()!;
  const text = moduleDocumentText(m, `./${file}`, file, {
    batchFirstUnknown: vscode.l10n.t('batch_first is not in the file (a state_dict does not hold it): false is PyTorch\'s default; set it as your code does'),
    nonlinearityUnknown: vscode.l10n.t('nonlinearity is not in the file: "tanh" is PyTorch\'s default; set "relu" if your code does'),
  });
  const doc = await vscode.workspace.openTextDocument({ language: 'jsonc', content: text });
  setUntitledFolder(doc.uri, vscode.Uri.joinPath(checkpoint, '..'));
  // The run needs the checkpoint's tensors: load it before anything reads the document.
  await loadCheckpoint(checkpoint);
  forgetAll();
  await vscode.window.showTextDocument(doc, { viewColumn: vscode.ViewColumn.Beside, preview: false });
  if (run) await vscode.commands.executeCommand('rnnLens.runForward');
  return doc.uri;
}

class CheckpointEditorProvider implements vscode.CustomReadonlyEditorProvider<CheckpointDocument> {
  openCustomDocument(uri: vscode.Uri): CheckpointDocument {
    return new CheckpointDocument(uri);
  }

  async resolveCustomEditor(document: CheckpointDocument, panel: vscode.WebviewPanel): Promise<void> {
    panel.webview.options = { enableScripts: true, localResourceRoots: [] };
    const name = document.uri.path.split('/').pop() ?? document.uri.path;
    panel.webview.html = checkpointHtml(name, { ok: false, error: vscode.l10n.t('reading the file…') }, makeNonce(), vscode.env.language);
    const listing = await listCheckpoint(document.uri);
    lastListing = listing;
    panel.webview.html = checkpointHtml(name, listing, makeNonce(), vscode.env.language);
    panel.webview.onDidReceiveMessage(async (msg: unknown) => {
      if (!isFromWebview(msg) || !listing.ok) return;
      const m = listing.json.modules[msg.module];
      if (!m || !canRunModule(m)) return;
      try {
        await openModuleDocument(document.uri, m, msg.type === 'unroll');
      } catch (e) {
        void vscode.window.showErrorMessage(vscode.l10n.t('RNN Lens: cannot create the document: {0}', String((e as Error)?.message ?? e)));
      }
    });
  }
}

/** The last listing the editor built (integration tests read it through the test command). */
let lastListing: Listing | undefined;
export function lastCheckpointListing(): Listing | undefined {
  return lastListing;
}

/** Markdown for the hover on `"from"`: what the file holds. */
async function fromHover(doc: vscode.TextDocument, position: vscode.Position): Promise<vscode.Hover | undefined> {
  const text = doc.getText();
  if (text.length > 2_000_000) return undefined;
  const ref = checkpointReference(text);
  if (!ref) return undefined;
  const offset = doc.offsetAt(position);
  if (offset < ref.span.start || offset > ref.span.end) return undefined;
  const uri = checkpointUri(doc.uri, ref.from);
  const range = new vscode.Range(doc.positionAt(ref.span.start), doc.positionAt(ref.span.end));
  const md = new vscode.MarkdownString();
  md.isTrusted = false;
  md.supportHtml = false;
  if (!uri) {
    md.appendText(vscode.l10n.t('save the document first: "from" is a path relative to it'));
    return new vscode.Hover(md, range);
  }
  const r = await loadCheckpoint(uri);
  if ('error' in r) {
    md.appendText(vscode.l10n.t('This file cannot be read: {0}', r.error));
    return new vscode.Hover(md, range);
  }
  const c = r.checkpoint;
  md.appendMarkdown('**');
  md.appendText(ref.from);
  md.appendMarkdown('**  \n');
  md.appendText(vscode.l10n.t('{0} tensors, {1}', c.tensors.length, bytesText(r.bytes)) + ' · ' + c.format);
  md.appendMarkdown('\n\n');
  for (const m of c.modules.slice(0, 8)) {
    // A code span shows its text as it is (no Markdown inside); only backticks and line breaks could end it.
    md.appendMarkdown(`- \`${`${m.prefix || '(no prefix)'} ${moduleConfig(m)}`.replace(/[`\r\n]/g, "'")}\``);
    if (m.head) md.appendText(vscode.l10n.t(' · head {0} ({1} → {2})', m.head.prefix, m.head.in_features, m.head.out_features));
    md.appendMarkdown('\n');
  }
  if (c.modules.length === 0) md.appendText(vscode.l10n.t('No recurrent module (RNN, LSTM, GRU or a cell) was recognised from the names and shapes.'));
  return new vscode.Hover(md, range);
}

/** Registers the custom editor, the hover on "from", and the re-read when a checkpoint loads. */
export function registerCheckpointEditor(): vscode.Disposable {
  const selector: vscode.DocumentSelector = JSON_LANGUAGES.map((language) => ({ language }));
  return vscode.Disposable.from(
    registerCheckpointFiles(),
    // *.pt, *.pth, *.safetensors open here by default; *.bin and *.ckpt (also used by other
    // tools: firmware, TensorFlow) only through "Open With...".
    ...[CHECKPOINT_VIEW_TYPE, `${CHECKPOINT_VIEW_TYPE}Optional`].map((viewType) => vscode.window.registerCustomEditorProvider(viewType, new CheckpointEditorProvider(), {
      supportsMultipleEditorsPerDocument: true,
      webviewOptions: { enableFindWidget: true },
    })),
    vscode.languages.registerHoverProvider(selector, { provideHover: (doc, position) => fromHover(doc, position).catch(() => undefined) }),
    // Internal, for tests: the last listing the editor built, and the buttons without a webview click.
    vscode.commands.registerCommand('rnnLens._checkpointListing', () => lastListing),
    vscode.commands.registerCommand('rnnLens._checkpointModuleDocument', async (uri: vscode.Uri, index: number, run: boolean) => {
      const listing = await listCheckpoint(uri);
      const m = listing.ok ? listing.json.modules[index] : undefined;
      if (!m || !canRunModule(m)) return undefined;
      return openModuleDocument(uri, m, run);
    }),
    onDidLoadCheckpoint(() => {
      // Documents that named the file were read with "reading the file…": read them again.
      forgetAll();
      for (const doc of vscode.workspace.textDocuments) {
        if (JSON_LANGUAGES.includes(doc.languageId) && checkpointReference(doc.getText().slice(0, 2_000_000))) refreshDiagnostics(doc);
      }
    }),
  );
}
