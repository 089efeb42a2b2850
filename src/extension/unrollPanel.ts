/*
 * The RNN Unroll View panel on the host side: opens/reveals the webview beside the editor,
 * sends it runs, answers its messages (compare, export, copy, reveal) after validating them,
 * and restores it after a reload (WebviewPanelSerializer).
 * Memory: the panel is the only owner of the run it shows. When it closes, the payload (and the
 * error) are dropped and a run still in flight is cancelled (its worker terminated), so nothing
 * of the last run stays alive in the extension host; lastRunPayload() is then undefined.
 * Training (training.ts) shares the panel as its PanelParticipant: it answers the Train section's
 * messages, re-sends its state after 'ready', and ends its run when another run is shown or the
 * panel closes.
 * Layer: extension (vscode). Talks to the webview only through src/protocol.
 */
import * as vscode from 'vscode';
import type { HostMessage, RunPayload, ViewMessage, WireTensor } from '../protocol/messages';
import { isRunPayload, isViewMessage } from '../protocol/validate';
import type { Tensor } from '../engine/types';
import { buildWebviewHtml, makeNonce } from './webviewHtml';
import { webviewStrings } from './webviewStrings';
import { buildComparePayload, compareAffordable } from '../run/payload';
import { cancelRun, notePainted, noteShown } from './runScheduler';

/** The webview panel type (also in package.json's activationEvents). */
export const VIEW_TYPE = 'rnnLens.unrollView';

let extensionUri: vscode.Uri | undefined;
let panel: vscode.WebviewPanel | undefined;
let current: RunPayload | undefined;
let pendingError: string | undefined;

function l10nStrings(): Record<string, string> {
  return webviewStrings((s) => vscode.l10n.t(s));
}

function post(m: HostMessage): void {
  if (m.type === 'run' || m.type === 'trainSnapshot') m = { ...m, payload: forWebview(m.payload) };
  void panel?.webview.postMessage(m);
}

/**
 * A payload as the webview gets it: without the parameter values, which it never draws (it
 * names parameters by their shapes, shapes.params) and which were most of the message (medium
 * workload: 2.9 of 4.0 MB of JSON), so without the list of those too large to keep either. The
 * host keeps both (lastRunPayload, the API's lastRun).
 */
function forWebview(p: RunPayload): RunPayload {
  if (!Object.keys(p.stateDict).length && !p.omittedParams) return p;
  const { omittedParams: _omitted, ...rest } = p;
  return { ...rest, stateDict: {} };
}

/**
 * A feature that shares the panel (training): it answers its own messages, re-sends its state
 * after 'ready', and hears when another run replaces the one shown or the panel closes.
 */
export interface PanelParticipant {
  /** A validated message of the participant's kind, or 'ready' (after the run was re-sent). */
  onMessage(m: ViewMessage): Promise<unknown> | void;
  /** A run not started by the participant is now shown (showRun / showRunError). */
  onOtherRun(): void;
  /** The panel closed. */
  onDispose(): void;
}

let participant: PanelParticipant | undefined;

/** Registers the participant (one at a time). */
export function setPanelParticipant(p: PanelParticipant): vscode.Disposable {
  participant = p;
  return new vscode.Disposable(() => {
    if (participant === p) participant = undefined;
  });
}

/** Posts a message to the panel if it is open; returns whether it is. */
export function postToPanel(m: HostMessage): boolean {
  if (!panel) return false;
  post(m);
  return true;
}

/**
 * Makes `payload` the run the panel holds without re-drawing it from scratch (the participant
 * tells the webview with its own message). Opens the panel when it is closed, with a 'run'.
 */
export function holdPayload(payload: RunPayload, options: { open: boolean }): void {
  current = payload;
  pendingError = undefined;
  if (!panel && options.open) {
    panel = createPanel();
    post({ type: 'run', payload, strings: l10nStrings() });
  }
}

/** Shows `payload` as a new run (like showRun) on behalf of the participant (no onOtherRun). */
export function showParticipantRun(payload: RunPayload): void {
  current = payload;
  pendingError = undefined;
  if (!panel) panel = createPanel();
  else revealBeside(panel);
  post({ type: 'run', payload, strings: l10nStrings() });
}

/** The panel's webview options: scripts on, and only media/ and dist/ readable. */
function webviewOptions(): vscode.WebviewOptions {
  const root = extensionUri!;
  return {
    enableScripts: true,
    localResourceRoots: [vscode.Uri.joinPath(root, 'media'), vscode.Uri.joinPath(root, 'dist')],
  };
}

function configure(p: vscode.WebviewPanel): void {
  const root = extensionUri!;
  p.webview.options = webviewOptions();
  p.webview.html = buildWebviewHtml({
    cspSource: p.webview.cspSource,
    nonce: makeNonce(),
    scriptUri: p.webview.asWebviewUri(vscode.Uri.joinPath(root, 'dist', 'webview.js')).toString(),
    styleUri: p.webview.asWebviewUri(vscode.Uri.joinPath(root, 'media', 'unroll.css')).toString(),
    title: vscode.l10n.t('RNN Unroll View'),
    lang: vscode.env.language,
  });
  p.iconPath = vscode.Uri.joinPath(root, 'media', 'unroll.svg');
  p.onDidDispose(() => {
    if (panel !== p) return; // replaced by a restored panel: that one owns `current` now
    panel = undefined;
    // The panel is gone: let go of what it showed, and stop a run that would reopen it.
    current = undefined;
    pendingError = undefined;
    cancelRun();
    participant?.onDispose();
  });
  p.webview.onDidReceiveMessage((m: unknown) => void onMessage(m));
}

function createPanel(): vscode.WebviewPanel {
  const p = vscode.window.createWebviewPanel(
    VIEW_TYPE,
    vscode.l10n.t('RNN Unroll View'),
    { viewColumn: vscode.ViewColumn.Beside, preserveFocus: true },
    // The roots are narrow from creation on, not only after configure().
    { ...webviewOptions(), retainContextWhenHidden: false },
  );
  configure(p);
  return p;
}

function fromWire(w: WireTensor): Tensor {
  return { shape: [...w.shape], data: Float64Array.from(w.data, (v) => (v === null ? NaN : v)) };
}

/** Test-only: where an export is written instead of asking with the save dialog. */
interface MessageOptions {
  saveUri?: vscode.Uri;
}

/** Test-only command (registered outside production installs): feeds a view message to the host. */
export const TEST_VIEW_MESSAGE_COMMAND = 'rnnLens.test.viewMessage';

/** Handles a message from the webview; resolves with the file an export was written to, if any. */
async function onMessage(m: unknown, options?: MessageOptions): Promise<vscode.Uri | undefined> {
  if (!isViewMessage(m)) return; // untrusted: anything malformed is ignored
  switch (m.type) {
    case 'ready':
      if (current) post({ type: 'run', payload: current, strings: l10nStrings() });
      else if (pendingError) post({ type: 'error', message: pendingError });
      else post({ type: 'idle', strings: l10nStrings() });
      await participant?.onMessage(m);
      return;
    case 'trainStart':
    case 'trainPause':
    case 'trainResume':
    case 'trainStop':
    case 'trainSave': {
      // the participant answers a save with the URI it wrote to (the test command returns it)
      const written = await participant?.onMessage(m);
      return typeof written === 'string' ? vscode.Uri.parse(written, true) : undefined;
    }
    case 'compare': {
      if (!current) return;
      if (current.times || !compareAffordable(current.model, fromWire(current.input))) {
        post({ type: 'compare', payload: { rows: [], error: vscode.l10n.t('This input is too long to compare three models here.') } });
        return;
      }
      try {
        const payload = buildComparePayload(current.model, fromWire(current.input), current.seed ?? 0, (s, ...a) => vscode.l10n.t(s, ...a));
        post({ type: 'compare', payload });
      } catch (e) {
        post({ type: 'compare', payload: { rows: [], error: String((e as Error).message ?? e) } });
      }
      return;
    }
    case 'copy':
      await vscode.env.clipboard.writeText(m.text);
      void vscode.window.showInformationMessage(vscode.l10n.t('RNN Lens: values copied to the clipboard as JSON.'));
      return;
    case 'export': {
      const filters: Record<string, string[]> = m.format === 'png' ? { PNG: ['png'] } : m.format === 'svg' ? { SVG: ['svg'] } : { JSON: ['json'] };
      const base = (current?.title ?? 'rnn').replace(/[^A-Za-z0-9._-]+/g, '_').replace(/\.(rnn\.)?json$/, '') || 'rnn';
      const folder = vscode.workspace.workspaceFolders?.[0]?.uri;
      // options.saveUri: only from the test-only command, never registered in production
      const target = options?.saveUri ?? (await vscode.window.showSaveDialog({
        filters,
        defaultUri: folder ? vscode.Uri.joinPath(folder, `${base}-unrolled.${m.format}`) : undefined,
        saveLabel: vscode.l10n.t('Save'),
      }));
      if (!target) return;
      // atob/TextEncoder, not Buffer: the web extension host (a Web Worker) has no Buffer.
      const bytes = m.format === 'png' ? Uint8Array.from(atob(m.data), (c) => c.charCodeAt(0)) : new TextEncoder().encode(m.data);
      await vscode.workspace.fs.writeFile(target, bytes);
      void vscode.window.showInformationMessage(vscode.l10n.t('RNN Lens: saved {0}', target.fsPath || target.toString()));
      return target;
    }
    case 'painted':
      notePainted(m.ms, m.gradients === true);
      return undefined;
    case 'reveal': {
      if (!current?.source) return undefined;
      try {
        await vscode.window.showTextDocument(vscode.Uri.parse(current.source, true), { viewColumn: vscode.ViewColumn.One });
      } catch {
        /* the document is gone: nothing to reveal */
      }
      return undefined;
    }
  }
  return undefined;
}

/** Opens (or reveals) the panel beside the editor without taking focus, and draws the payload. */
export function showRun(payload: RunPayload): void {
  participant?.onOtherRun();
  current = payload;
  pendingError = undefined;
  if (!panel) panel = createPanel();
  else revealBeside(panel);
  // a hidden webview is discarded (retainContextWhenHidden off): when it shows again it says
  // 'ready' and gets `current`, so a lost message here is harmless
  post({ type: 'run', payload, strings: l10nStrings() });
  noteShown();
}

/** Shows the panel without covering the editor the user works in: in place if it is elsewhere. */
function revealBeside(p: vscode.WebviewPanel): void {
  const editorColumn = vscode.window.activeTextEditor?.viewColumn;
  if (p.visible && p.viewColumn !== editorColumn) return;
  if (p.viewColumn !== undefined && p.viewColumn !== editorColumn) {
    p.reveal(p.viewColumn, true);
    return;
  }
  // The panel shares the editor's group: move it next door, reusing an existing group rather
  // than opening a new one each run.
  const columns = vscode.window.tabGroups.all.map((g) => g.viewColumn).filter((c) => c !== editorColumn);
  const next = editorColumn === undefined ? undefined : columns.find((c) => c === editorColumn + 1) ?? columns.find((c) => c === editorColumn - 1);
  p.reveal(next ?? vscode.ViewColumn.Beside, true);
}

/**
 * The gradients of a run shown with `gradientsPending` (`shown` is the payload given to
 * showRun; `complete` the run's whole payload): drawn in place. Ignored when another run is
 * shown by now.
 */
export function showRunGradients(shown: RunPayload, complete: RunPayload): void {
  if (current !== shown || !complete.gradients) return;
  current = complete;
  post({ type: 'gradients', gradients: complete.gradients });
}

/** The gradients of a run shown with `gradientsPending` will not come: the panel says why (already localised). */
export function showGradientsFailed(shown: RunPayload, message: string): void {
  if (current !== shown) return;
  current = { ...shown, gradientsPending: false, notes: [...shown.notes, message] };
  post({ type: 'gradientsFailed', message });
}

/** Shows a failed run's message (already localised) in the panel. */
export function showRunError(message: string): void {
  participant?.onOtherRun();
  pendingError = message;
  if (!panel) panel = createPanel();
  else revealBeside(panel);
  post({ type: 'error', message });
}

/** Opens the panel (empty until a run, or with the last run). */
export function openUnrollView(): void {
  if (panel) {
    panel.reveal(vscode.ViewColumn.Beside, true);
    return;
  }
  panel = createPanel();
}

/**
 * The payload the panel shows now (tests read the panel's state through this); undefined once the
 * panel is closed (closing it releases the run).
 */
export function lastRunPayload(): RunPayload | undefined {
  return current;
}

/** Registers the panel's serializer; the commands that open it are wired by the extension. */
export function registerUnrollView(context: vscode.ExtensionContext): vscode.Disposable {
  extensionUri = context.extensionUri;
  const serializer = vscode.window.registerWebviewPanelSerializer(VIEW_TYPE, {
    async deserializeWebviewPanel(p: vscode.WebviewPanel, state: unknown) {
      const old = panel;
      panel = p; // first, so the old panel's dispose does not drop `current`
      old?.dispose();
      const saved = (state ?? {}) as { payload?: unknown };
      if (!current && isRunPayload(saved.payload)) current = saved.payload;
      configure(p);
    },
  });
  // Integration tests reach the host's message handling through this command (the webview's
  // own buttons cannot be clicked from the extension host); never in an installed extension.
  const testHook =
    context.extensionMode === vscode.ExtensionMode.Production
      ? new vscode.Disposable(() => undefined)
      : vscode.commands.registerCommand(TEST_VIEW_MESSAGE_COMMAND, (m: unknown, o?: { saveUri?: string }) =>
          onMessage(m, { saveUri: typeof o?.saveUri === 'string' ? vscode.Uri.parse(o.saveUri, true) : undefined }).then((u) => u?.toString()),
        );
  return vscode.Disposable.from(serializer, testHook, {
    dispose: () => {
      panel?.dispose();
      panel = undefined;
    },
  });
}
