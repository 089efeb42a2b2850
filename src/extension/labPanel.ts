/*
 * The RNN Lab panel: experiments that train many models, apart from the Unroll View (which
 * shows one document). Two commands fill it:
 *   "RNN: Long Memory Experiment" (rnnLens.lab.longMemory): RNN, LSTM and GRU on sequences whose
 *     answer is the first step, at growing lengths (src/lab/longMemory.ts);
 *   "RNN: Train Language Model on Selection" (rnnLens.lab.charLm): a character-level language
 *     model on the selected text, sampled as it learns (src/lab/charLm.ts).
 * The job runs in a worker (dist/labWorker.js, or dist/web/labWorker.js on the web) that posts
 * LabEvents; the host keeps them (so a re-shown or restored panel redraws) and forwards them.
 * Stop terminates the worker: the CPU stops at once and the results so far stay.
 * Layer: extension (vscode). Talks to the webview and the worker only through src/protocol/lab.ts.
 */
import * as vscode from 'vscode';
import type { CellType } from '../engine/types';
import { isLabEvent, isLabFromWebview, type LabEvent, type LabLongMemoryConfig, type LabRequest, type LabToWebview } from '../protocol/lab';
import { LONG_MEMORY_DEFAULTS } from '../lab/longMemory';
import { runLabJob } from '../worker/labJob';
import { labStrings } from './labStrings';
import { getSettings } from './settings';
import { buildWebviewHtml, makeNonce } from './webviewHtml';

const t = vscode.l10n.t;

/** The lab panel's type (package.json activationEvents: onWebviewPanel:rnnLens.lab). */
export const LAB_VIEW_TYPE = 'rnnLens.lab';
const EXTENSION_ID = 'rnn-lens.rnn-lens';

/** The longest selection the language model trains on (characters); longer text is cut. */
const MAX_TEXT = 4000;

let extensionUri: vscode.Uri | undefined;
let panel: vscode.WebviewPanel | undefined;
let events: LabEvent[] = [];
let running = false;
let lastRequest: LabRequest | undefined;
let job: { stop(): void } | undefined;

function post(m: LabToWebview): void {
  void panel?.webview.postMessage(m);
}

function strings(): Record<string, string> {
  return labStrings((s) => t(s));
}

function webviewOptions(): vscode.WebviewOptions {
  const root = extensionUri!;
  return { enableScripts: true, localResourceRoots: [vscode.Uri.joinPath(root, 'media'), vscode.Uri.joinPath(root, 'dist')] };
}

function configure(p: vscode.WebviewPanel): void {
  const root = extensionUri!;
  p.webview.options = webviewOptions();
  p.webview.html = buildWebviewHtml({
    cspSource: p.webview.cspSource,
    nonce: makeNonce(),
    scriptUri: p.webview.asWebviewUri(vscode.Uri.joinPath(root, 'dist', 'lab.js')).toString(),
    styleUri: p.webview.asWebviewUri(vscode.Uri.joinPath(root, 'media', 'lab.css')).toString(),
    title: t('RNN Lab'),
    lang: vscode.env.language,
  });
  p.iconPath = vscode.Uri.joinPath(root, 'media', 'unroll.svg');
  p.onDidDispose(() => {
    if (panel !== p) return;
    panel = undefined;
    stopJob(false);
    events = [];
  });
  p.webview.onDidReceiveMessage((m: unknown) => onMessage(m));
}

function showPanel(): void {
  if (panel) {
    panel.reveal(panel.viewColumn, true);
    return;
  }
  panel = vscode.window.createWebviewPanel(LAB_VIEW_TYPE, t('RNN Lab'), { viewColumn: vscode.ViewColumn.Beside, preserveFocus: true }, { ...webviewOptions(), retainContextWhenHidden: false });
  configure(panel);
}

function onMessage(m: unknown): void {
  if (!isLabFromWebview(m)) return; // untrusted: anything malformed is ignored
  switch (m.type) {
    case 'ready':
      post({ type: 'init', strings: strings(), events, running });
      return;
    case 'stop':
      stopJob(true);
      return;
    case 'rerun':
      if (lastRequest && !running) start(lastRequest);
      return;
  }
}

function receive(e: LabEvent): void {
  events.push(e);
  if (e.type === 'done' || e.type === 'error') {
    running = false;
    job = undefined;
  }
  post({ type: 'event', event: e });
}

/** Ends the running job; `report`: tell the panel it stopped (the events so far stay). */
function stopJob(report: boolean): void {
  const j = job;
  job = undefined;
  if (!j) return;
  j.stop();
  if (running) {
    running = false;
    if (report) receive({ type: 'done', stopped: true });
  }
}

function start(request: LabRequest): void {
  stopJob(false);
  lastRequest = request;
  events = [];
  running = true;
  showPanel();
  post({ type: 'reset', running: true });
  job = startJob(request, receive);
}

// --- the worker ------------------------------------------------------------------------------

function ownUri(): vscode.Uri | undefined {
  return vscode.extensions.getExtension(EXTENSION_ID)?.extensionUri ?? extensionUri;
}

let webWorkerUrl: Promise<string> | undefined;

/** Starts the job in a worker (or, where none can start, in this host between timer turns). */
function startJob(request: LabRequest, onEvent: (e: LabEvent) => void): { stop(): void } {
  let ended = false;
  const deliver = (m: unknown) => {
    if (ended || !isLabEvent(m)) return;
    if (m.type === 'done' || m.type === 'error') ended = true;
    onEvent(m);
  };
  const fail = (message: string) => deliver({ type: 'error', message });
  if (process.env.RNN_LENS_WEB !== '1') {
    const fs = require('node:fs') as typeof import('node:fs');
    const path = require('node:path') as typeof import('node:path');
    const root = ownUri()?.fsPath;
    const file = root && path.join(root, 'dist', 'labWorker.js');
    if (file && fs.existsSync(file)) {
      const { Worker } = require('node:worker_threads') as typeof import('node:worker_threads');
      const w = new Worker(file);
      w.on('message', deliver);
      w.on('error', (e) => fail(e instanceof Error ? e.message : String(e)));
      w.on('exit', (code) => {
        if (!ended) fail(t('The lab worker stopped unexpectedly (exit code {0}).', code));
      });
      w.postMessage(request);
      return {
        stop: () => {
          ended = true;
          void w.terminate();
        },
      };
    }
  } else if (typeof Worker !== 'undefined' && ownUri()) {
    const root = ownUri()!;
    // extension files come from another origin on the web, which `new Worker(url)` refuses; a
    // blob: URL of the same script is same-origin
    webWorkerUrl ??= (async () => {
      const script = vscode.Uri.joinPath(root, 'dist', 'web', 'labWorker.js');
      const text = new TextDecoder().decode(await vscode.workspace.fs.readFile(script));
      return URL.createObjectURL(new Blob([text], { type: 'text/javascript' }));
    })();
    let w: Worker | undefined;
    let stopped = false;
    webWorkerUrl.then(
      (url) => {
        if (stopped) return;
        w = new Worker(url);
        w.onmessage = (e) => deliver(e.data);
        w.onerror = (e) => {
          e.preventDefault?.();
          fail(e.message || 'error in the lab worker');
        };
        w.postMessage(request);
      },
      (e) => {
        webWorkerUrl = undefined;
        fail(String(e));
      },
    );
    return {
      stop: () => {
        stopped = ended = true;
        w?.terminate();
      },
    };
  }
  // No worker here: run in this host (blocks it while a model trains; only tiny jobs get here).
  const signal = { aborted: false };
  setTimeout(() => runLabJob(request, deliver, { signal }), 0);
  return {
    stop: () => {
      signal.aborted = true;
      ended = true;
    },
  };
}

// --- commands --------------------------------------------------------------------------------

/** Arguments the commands accept (tests and other extensions; the palette passes none). */
interface LongMemoryArgs {
  config?: Partial<LabLongMemoryConfig>;
}
interface CharLmArgs {
  text?: string;
  cell?: CellType;
  steps?: number;
  sampleEvery?: number;
  seed?: number;
}

async function longMemoryCommand(args?: LongMemoryArgs): Promise<void> {
  let config: LabLongMemoryConfig;
  if (args?.config) {
    const base = LONG_MEMORY_DEFAULTS[args.config.variant ?? 'classification'];
    config = { ...base, ...args.config };
  } else {
    type Item = vscode.QuickPickItem & { config: LabLongMemoryConfig };
    const cls = LONG_MEMORY_DEFAULTS.classification;
    const reg = LONG_MEMORY_DEFAULTS.regression;
    const quick = { lengths: [5, 20, 50, 100], seeds: [0] };
    const items: Item[] = [
      {
        label: t('Classification: which class came first?'),
        description: t('lengths 5, 10, 20, 50, 100; 3 seeds'),
        detail: t('The recorded design: accuracy on fresh sequences, {0} models.', cls.cells.length * cls.lengths.length * cls.seeds.length),
        config: { ...cls },
      },
      {
        label: t('Quick look'),
        description: t('lengths 5, 20, 50, 100; 1 seed'),
        detail: t('The same experiment with one seed: a first look in about a third of the time.'),
        config: { ...cls, ...quick },
      },
      {
        label: t('LSTM as PyTorch initialises it'),
        description: t('lengths 5, 20, 50, 100; 1 seed'),
        detail: t('The quick look without the LSTM\'s gate-bias head start, to see why it is there.'),
        config: { ...cls, ...quick, forgetBias: 0, inputBias: 0 },
      },
      {
        label: t('Regression: what was the first number?'),
        description: t('lengths 5, 10, 20, 50; 3 seeds'),
        detail: t('Mean squared error on fresh sequences (explored, not part of the recorded design).'),
        config: { ...reg },
      },
    ];
    const pick = await vscode.window.showQuickPick(items, { title: t('RNN: Long Memory Experiment'), placeHolder: t('Which experiment?') });
    if (!pick) return;
    config = pick.config;
  }
  start({ kind: 'longMemory', config });
}

async function charLmCommand(args?: CharLmArgs): Promise<void> {
  let text = args?.text;
  if (text === undefined) {
    const editor = vscode.window.activeTextEditor;
    if (!editor) {
      void vscode.window.showErrorMessage(t('RNN Lens: select some text in an editor to train a language model on it.'));
      return;
    }
    text = editor.selection.isEmpty ? editor.document.getText() : editor.document.getText(editor.selection);
  }
  const chars = Array.from(text);
  if (chars.length > MAX_TEXT) {
    text = chars.slice(0, MAX_TEXT).join('');
    void vscode.window.showInformationMessage(t('RNN Lens: the language model trains on the first {0} characters of the selection.', MAX_TEXT));
  }
  if (new Set(Array.from(text)).size < 2 || Array.from(text).length < 2) {
    void vscode.window.showErrorMessage(t('RNN Lens: the text needs at least two different characters.'));
    return;
  }
  let cell = args?.cell;
  if (!cell) {
    const items: (vscode.QuickPickItem & { cell: CellType })[] = [
      { label: 'LSTM', description: t('cell state c_t, input, forget and output gates'), cell: 'LSTM' },
      { label: 'GRU', description: t('update and reset gates'), cell: 'GRU' },
      { label: 'RNN', description: t('plain tanh RNN'), cell: 'RNN' },
    ];
    const pick = await vscode.window.showQuickPick(items, { title: t('RNN: Train Language Model on Selection'), placeHolder: t('Which recurrent layer?') });
    if (!pick) return;
    cell = pick.cell;
  }
  start({ kind: 'charLm', text, cell, steps: args?.steps ?? 300, sampleEvery: args?.sampleEvery ?? 25, seed: args?.seed ?? 0, maxTrainFlops: getSettings().budget.maxTrainFlops });
}

/** What tests read: the events the panel holds and whether a job runs. */
export interface LabState {
  open: boolean;
  running: boolean;
  events: LabEvent[];
}

/** Registers the lab commands and the panel's serializer. */
export function registerLab(context: vscode.ExtensionContext): vscode.Disposable {
  extensionUri = context.extensionUri;
  return vscode.Disposable.from(
    vscode.commands.registerCommand('rnnLens.lab.longMemory', (args?: LongMemoryArgs) => longMemoryCommand(args)),
    vscode.commands.registerCommand('rnnLens.lab.charLm', (args?: CharLmArgs) => charLmCommand(args)),
    vscode.commands.registerCommand('rnnLens.lab.stop', () => stopJob(true)),
    vscode.commands.registerCommand('rnnLens._labState', (): LabState => ({ open: !!panel, running, events: [...events] })),
    vscode.window.registerWebviewPanelSerializer(LAB_VIEW_TYPE, {
      async deserializeWebviewPanel(p: vscode.WebviewPanel) {
        // The webview kept its events in its own state and redraws them; the job is not resumed.
        panel?.dispose();
        panel = p;
        configure(p);
      },
    }),
    new vscode.Disposable(() => stopJob(false)),
  );
}
