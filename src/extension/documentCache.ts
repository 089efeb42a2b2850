/*
 * One read of each open RNN document per version: the hover, the diagnostics and the commands
 * share it, so typing costs one readDocument per debounce, not one per feature. Also the
 * vscode edge of the document layer: offset spans -> vscode.Range.
 * Large documents (over rnnLens.diagnostics.workerThreshold characters) are read in a worker
 * (readInWorker) so the extension host never blocks on them; their completed read lands in the
 * same cache, and a newer version terminates the read in flight. Selections over the same
 * threshold (a large selected array for Run Forward on Selection) are read in a worker too
 * (readArrayInWorker).
 * Layer: extension (imports vscode, document).
 */
import * as vscode from 'vscode';
import type { Translate } from '../document/messages';
import { readDocument } from '../document/reader';
import type { ReadResult, Span } from '../document/types';
import type { ArrayReadResult } from '../run/selection';
import { isArrayReadReply, isReadReply, readsInWorker, type ArrayReadRequest, type ReadRequest } from '../worker/job';
import { startWorker, workerAvailable, type WorkerHandle } from './runScheduler';
import { getSettings } from './settings';
import { checkpointResolver } from './checkpointFiles';
import { noteHostParse } from './workStats';

interface Entry {
  version: number;
  budgetKey: string;
  result: ReadResult;
}

const cache = new Map<string, Entry>();

/** The document layer's messages in the user's language (l10n/bundle.l10n.ja.json for Japanese). */
export const documentTranslate: Translate = (template, ...args) => vscode.l10n.t(template, ...args);

/** readDocument on the document's current text, with the budget from settings; cached per version. */
export function readCached(doc: vscode.TextDocument): ReadResult {
  const key = doc.uri.toString();
  const budget = getSettings(doc.uri).budget;
  const budgetKey = `${budget.maxElements}/${budget.maxFlops}`;
  const hit = cache.get(key);
  if (hit && hit.version === doc.version && hit.budgetKey === budgetKey) return hit.result;
  const text = doc.getText();
  noteHostParse(text.length);
  const result = readDocument(text, { budget, translate: documentTranslate, checkpoint: checkpointResolver(doc.uri) });
  cache.set(key, { version: doc.version, budgetKey, result });
  return result;
}

/** Is this document read in a worker (too large to read on the extension host)? */
export function isLargeDocument(doc: vscode.TextDocument): boolean {
  let available = false;
  try {
    available = workerAvailable();
  } catch {
    available = false;
  }
  return readsInWorker(doc.getText().length, getSettings(doc.uri).diagnosticsWorkerThreshold, available);
}

/** The cached read of the document's current version, if there is one (never reads). */
export function cachedRead(doc: vscode.TextDocument): ReadResult | undefined {
  const hit = cache.get(doc.uri.toString());
  const budget = getSettings(doc.uri).budget;
  return hit && hit.version === doc.version && hit.budgetKey === `${budget.maxElements}/${budget.maxFlops}` ? hit.result : undefined;
}

/** Reads of large documents in flight, per document: a newer one terminates the older. */
const inFlight = new Map<string, { version: number; cancel(): void; promise?: Promise<ReadResult | undefined> }>();

/** How many worker reads have been started and superseded (integration tests read this). */
export const largeReadStats = { started: 0, superseded: 0, completed: 0 };

/**
 * Reads the document's current version in a worker and caches the result. A second call for the
 * version already in flight shares that read. Resolves to undefined when a newer read superseded
 * this one (its worker is terminated) or the document was forgotten; falls back to reading here
 * when no worker can be started. Never rejects.
 */
export function readInWorker(doc: vscode.TextDocument): Promise<ReadResult | undefined> {
  const hit = cachedRead(doc);
  if (hit) return Promise.resolve(hit);
  const running = inFlight.get(doc.uri.toString());
  if (running?.version === doc.version && running.promise) return running.promise;
  return startRead(doc);
}

async function startRead(doc: vscode.TextDocument): Promise<ReadResult | undefined> {
  const key = doc.uri.toString();
  const version = doc.version;
  const running = inFlight.get(key);
  if (running) {
    running.cancel();
    largeReadStats.superseded++;
  }
  const budget = getSettings(doc.uri).budget;
  const budgetKey = `${budget.maxElements}/${budget.maxFlops}`;
  const request: ReadRequest = { kind: 'read', text: doc.getText(), budget, bundle: vscode.l10n.bundle };
  let cancelled = false;
  let stop: (() => void) | undefined;
  let settle: (r: ReadResult | undefined) => void = () => undefined;
  const me: { version: number; cancel(): void; promise?: Promise<ReadResult | undefined> } = {
    version,
    cancel: () => {
      cancelled = true;
      stop?.();
    },
  };
  // callers of the same version share this promise (set before the first await)
  me.promise = new Promise<ReadResult | undefined>((resolve) => (settle = resolve));
  inFlight.set(key, me);
  largeReadStats.started++;
  const { result, here } = await readWith(request, () => cancelled, (s) => (stop = s), doc);
  if (inFlight.get(key) === me) inFlight.delete(key);
  const out = cancelled ? undefined : result;
  if (out && !here) {
    largeReadStats.completed++;
    cache.set(key, { version, budgetKey, result: out });
  }
  settle(out);
  return out;
}

/**
 * One request answered by one reply in a fresh worker (terminated afterwards). `accept` turns a
 * message into the answer (undefined: not a reply to this request, ignored); a failure of the
 * worker answers undefined. `onStop` receives the way to abort (answer undefined at once).
 */
function askWorker<T>(
  worker: WorkerHandle,
  request: ReadRequest | ArrayReadRequest,
  accept: (m: unknown) => { value: T | undefined } | undefined,
  onStop?: (stop: () => void) => void,
): Promise<T | undefined> {
  return new Promise<T | undefined>((resolve) => {
    let settled = false;
    const finish = (r: T | undefined) => {
      if (settled) return;
      settled = true;
      void worker.terminate().catch(() => undefined);
      resolve(r);
    };
    onStop?.(() => finish(undefined));
    worker.listen(
      (m) => {
        const answer = accept(m);
        if (answer) finish(answer.value);
      },
      (message) => {
        console.error('RNN Lens: the read worker failed', message);
        finish(undefined);
      },
    );
    try {
      worker.post(request);
    } catch (e) {
      console.error('RNN Lens: could not post to the read worker', e);
      finish(undefined);
    }
  });
}

async function tryStartWorker(): Promise<WorkerHandle | undefined> {
  try {
    return await startWorker();
  } catch {
    return undefined;
  }
}

/** One read in a fresh worker (terminated afterwards); `onStop` receives the way to abort it. */
async function readWith(
  request: ReadRequest,
  cancelled: () => boolean,
  onStop: (stop: () => void) => void,
  doc: vscode.TextDocument,
): Promise<{ result?: ReadResult; here?: boolean }> {
  const worker = await tryStartWorker();
  if (cancelled()) {
    void worker?.terminate();
    return {};
  }
  // no worker here after all: read here (readCached caches it)
  if (!worker) return { result: readCached(doc), here: true };
  const result = await askWorker<ReadResult>(
    worker,
    request,
    (m) => {
      if (!isReadReply(m)) return undefined;
      if (m.type === 'read') return { value: m.result };
      console.error('RNN Lens: reading a large document failed', m.message);
      return { value: undefined };
    },
    onStop,
  );
  return { result };
}

/** Is a selection of this many characters read in a worker (same threshold as documents)? */
export function isLargeSelection(doc: vscode.TextDocument, length: number): boolean {
  let available = false;
  try {
    available = workerAvailable();
  } catch {
    available = false;
  }
  return readsInWorker(length, getSettings(doc.uri).diagnosticsWorkerThreshold, available);
}

/**
 * Reads text[start, end) (a document's text) as a nested array (run/selection.ts readNestedArray) in
 * a worker, with the messages in the user's language and spans in document offsets. Resolves to
 * why it failed (it never reads here: this is for selections too large for the host) when no
 * worker could answer. Never rejects.
 */
export async function readArrayInWorker(
  text: string,
  start: number,
  end: number,
  maxElements: number | undefined,
): Promise<{ read: ArrayReadResult } | { failed: string }> {
  const request: ArrayReadRequest = {
    kind: 'readArray',
    text: text.slice(start, end),
    offset: start,
    maxElements: maxElements !== undefined && Number.isFinite(maxElements) ? maxElements : undefined,
    bundle: vscode.l10n.bundle,
  };
  const worker = await tryStartWorker();
  if (!worker) return { failed: vscode.l10n.t('no background worker could be started') };
  let failure = vscode.l10n.t('the background worker stopped');
  const read = await askWorker<ArrayReadResult>(worker, request, (m) => {
    if (!isArrayReadReply(m)) return undefined;
    if (m.type === 'array') return { value: m.result };
    failure = m.message;
    return { value: undefined };
  });
  return read ? { read } : { failed: failure };
}

/**
 * The read a command needs (Run, Open Unroll View, Show Shapes), without blocking the extension
 * host on a large document: the cached read of this version, else a worker read for large
 * documents (a read already in flight is shared; if newer versions supersede it while the
 * command waits, the newest version is read, a few times at most), else a read here.
 */
export async function readForCommand(doc: vscode.TextDocument): Promise<ReadResult> {
  for (let attempt = 0; attempt < 3; attempt++) {
    const hit = cachedRead(doc);
    if (hit) return hit;
    if (doc.isClosed || !isLargeDocument(doc)) break;
    const read = await readInWorker(doc);
    if (read && !doc.isClosed) return read;
  }
  return readCached(doc);
}

/** Forget a document (when it closes); a worker read of it in flight is terminated. */
export function forgetDocument(uri: vscode.Uri): void {
  const key = uri.toString();
  inFlight.get(key)?.cancel();
  inFlight.delete(key);
  cache.delete(key);
}

/** Forget every document (when the settings change). */
export function forgetAll(): void {
  cache.clear();
}

/** A document-layer span (offsets) as a vscode.Range of this document. */
export function spanToRange(doc: vscode.TextDocument, span: Span): vscode.Range {
  return new vscode.Range(doc.positionAt(span.start), doc.positionAt(span.end));
}
