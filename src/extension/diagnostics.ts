/*
 * Problems of RNN documents in the Problems panel, as the user types: debounced (setting
 * rnnLens.diagnostics.debounceMs), source "RNN Lens", ranges from the reader's offsets, cleared
 * when the document closes or stops being an RNN document. Only RNN documents are read.
 * Documents over rnnLens.diagnostics.workerThreshold characters are read in a worker
 * (documentCache.readInWorker); a newer version of the document supersedes the read in flight.
 * Layer: extension (imports vscode, document types).
 */
import * as vscode from 'vscode';
import type { Diagnostic } from '../document/types';
import { forgetAll, forgetDocument, isLargeDocument, readCached, readInWorker, spanToRange } from './documentCache';
import { isRnnDocument } from './documentSelector';
import { affectsRnnLens, getSettings } from './settings';

/** The `source` of every diagnostic RNN Lens publishes. */
export const DIAGNOSTIC_SOURCE = 'RNN Lens';

let collection: vscode.DiagnosticCollection | undefined;

function severityOf(s: Diagnostic['severity']): vscode.DiagnosticSeverity {
  switch (s) {
    case 'error':
      return vscode.DiagnosticSeverity.Error;
    case 'warning':
      return vscode.DiagnosticSeverity.Warning;
    default:
      return vscode.DiagnosticSeverity.Information;
  }
}

/** A reader diagnostic as a vscode.Diagnostic of this document. */
export function toVscodeDiagnostic(doc: vscode.TextDocument, d: Diagnostic): vscode.Diagnostic {
  const out = new vscode.Diagnostic(spanToRange(doc, d.span), d.message, severityOf(d.severity));
  out.source = DIAGNOSTIC_SOURCE;
  out.code = d.code;
  return out;
}

/** Shows these reader diagnostics for the document (used by the run command too). */
export function publishDiagnostics(doc: vscode.TextDocument, diagnostics: readonly Diagnostic[]): void {
  collection?.set(doc.uri, diagnostics.map((d) => toVscodeDiagnostic(doc, d)));
}

/** Schemes of copies (git originals, output panes) whose problems belong to another document. */
const IGNORED_SCHEMES = new Set(['git', 'gitfs', 'output', 'debug', 'vscode-scm', 'rnn-lens-shapes']);

/** Reads the document now and publishes its problems (or clears them when it is not ours). */
export function refreshDiagnostics(doc: vscode.TextDocument): void {
  if (!collection) return;
  if (IGNORED_SCHEMES.has(doc.uri.scheme) || !getSettings(doc.uri).diagnosticsEnabled || !isRnnDocument(doc)) {
    collection.delete(doc.uri);
    return;
  }
  if (isLargeDocument(doc)) {
    // Large documents are read in a worker; a newer version supersedes this read (undefined).
    const version = doc.version;
    void readInWorker(doc).then((read) => {
      if (read && !doc.isClosed && doc.version === version) publishDiagnostics(doc, read.diagnostics);
    });
    return;
  }
  publishDiagnostics(doc, readCached(doc).diagnostics);
}

/** Registers the collection and the listeners that keep it up to date. */
export function registerDiagnostics(): vscode.Disposable {
  const diagnostics = vscode.languages.createDiagnosticCollection('rnnLens');
  collection = diagnostics;
  const timers = new Map<string, ReturnType<typeof setTimeout>>();
  const cancel = (key: string) => {
    const timer = timers.get(key);
    if (timer !== undefined) clearTimeout(timer);
    timers.delete(key);
  };
  const schedule = (doc: vscode.TextDocument) => {
    const key = doc.uri.toString();
    cancel(key);
    const delay = getSettings(doc.uri).diagnosticsDebounceMs;
    timers.set(
      key,
      setTimeout(() => {
        timers.delete(key);
        if (!doc.isClosed) refreshDiagnostics(doc);
      }, delay),
    );
  };

  const subscriptions: vscode.Disposable[] = [
    diagnostics,
    vscode.workspace.onDidOpenTextDocument((doc) => refreshDiagnostics(doc)),
    vscode.workspace.onDidChangeTextDocument((e) => {
      if (e.contentChanges.length > 0) schedule(e.document);
    }),
    vscode.workspace.onDidCloseTextDocument((doc) => {
      cancel(doc.uri.toString());
      forgetDocument(doc.uri);
      diagnostics.delete(doc.uri);
    }),
    vscode.workspace.onDidChangeConfiguration((e) => {
      if (!affectsRnnLens(e)) return;
      forgetAll();
      for (const doc of vscode.workspace.textDocuments) refreshDiagnostics(doc);
    }),
  ];
  for (const doc of vscode.workspace.textDocuments) refreshDiagnostics(doc);

  return new vscode.Disposable(() => {
    for (const key of [...timers.keys()]) cancel(key);
    for (const s of subscriptions) s.dispose();
    if (collection === diagnostics) collection = undefined;
  });
}
