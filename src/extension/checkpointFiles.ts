/*
 * Checkpoint files named by RNN documents (`"state_dict": {"from": "model.pt"}`), read through
 * vscode.workspace.fs (so it works in the web extension and in virtual workspaces) and kept
 * opened while documents use them. The document reader is synchronous and does no I/O: the
 * resolver given to it answers from this cache, starts a read on a miss (the document shows
 * "reading ..." until the file is in), and listeners re-read the documents when it arrives.
 * Nothing in a file is run (src/checkpoint).
 * Layer: extension (imports vscode, checkpoint, document).
 */
import * as vscode from 'vscode';
import { CheckpointError, openCheckpoint, type Checkpoint } from '../checkpoint/index';
import type { CheckpointResolver } from '../document/fromCheckpoint';
import { getSettings } from './settings';

/** Largest checkpoint read in the editor (vscode.workspace.fs reads a file whole). */
export const MAX_CHECKPOINT_BYTES = 2 * 1024 * 1024 * 1024 - 1;

type Loaded = { checkpoint: Checkpoint; bytes: number } | { error: string };
const loaded = new Map<string, Loaded>();
const pending = new Map<string, Promise<Loaded>>();
const emitter = new vscode.EventEmitter<vscode.Uri>();

/** Fires when a checkpoint finished loading (or failed): documents naming it should be read again. */
export const onDidLoadCheckpoint = emitter.event;

/** Untitled documents the checkpoint viewer opened, and the folder their `from` is relative to. */
const untitledFolders = new Map<string, vscode.Uri>();

/** `from` in this untitled document is relative to `folder` (until it is saved somewhere). */
export function setUntitledFolder(docUri: vscode.Uri, folder: vscode.Uri): void {
  untitledFolders.set(docUri.toString(), folder);
}

/** The file `from` names, relative to the document's folder. Undefined for an untitled document of unknown folder. */
export function checkpointUri(docUri: vscode.Uri, from: string): vscode.Uri | undefined {
  const untitledFolder = untitledFolders.get(docUri.toString());
  if (docUri.scheme === 'untitled' && !untitledFolder) return undefined;
  if (/^[a-zA-Z][a-zA-Z0-9+.-]*:\/\//.test(from)) return undefined; // only paths, never URLs
  const dir = untitledFolder ?? vscode.Uri.joinPath(docUri, '..');
  return from.startsWith('/') ? dir.with({ path: from }) : vscode.Uri.joinPath(dir, from);
}

/** Read (once) and open a checkpoint; never rejects: failures come back as { error }. */
export function loadCheckpoint(uri: vscode.Uri): Promise<Loaded> {
  const key = uri.toString();
  const hit = loaded.get(key);
  if (hit) return Promise.resolve(hit);
  let p = pending.get(key);
  if (!p) {
    p = (async (): Promise<Loaded> => {
      let result: Loaded;
      try {
        const stat = await vscode.workspace.fs.stat(uri);
        if (stat.type & vscode.FileType.Directory) throw new CheckpointError(vscode.l10n.t('it is a folder, not a file'));
        if (stat.size > MAX_CHECKPOINT_BYTES) {
          throw new CheckpointError(vscode.l10n.t('the file holds {0} bytes; the editor reads files up to {1} bytes (the rnn-lens CLI reads any size)', stat.size, MAX_CHECKPOINT_BYTES));
        }
        const bytes = await vscode.workspace.fs.readFile(uri);
        const checkpoint = openCheckpoint(bytes, { maxElements: getSettings(uri).budget.maxElements });
        result = { checkpoint, bytes: bytes.length };
      } catch (e) {
        result = { error: e instanceof CheckpointError ? e.message : e instanceof vscode.FileSystemError && e.code === 'FileNotFound' ? vscode.l10n.t('no such file') : String((e as Error)?.message ?? e).split('\n')[0] };
      }
      loaded.set(key, result);
      pending.delete(key);
      emitter.fire(uri);
      return result;
    })();
    pending.set(key, p);
  }
  return p;
}

/** The reader's resolver for one document: answers from the cache, starts a read on a miss. */
export function checkpointResolver(docUri: vscode.Uri): CheckpointResolver {
  return (from: string) => {
    const uri = checkpointUri(docUri, from);
    if (!uri) throw new CheckpointError(docUri.scheme === 'untitled' ? vscode.l10n.t('save the document first: "from" is a path relative to it') : vscode.l10n.t('"from" must be a path relative to the document'));
    const hit = loaded.get(uri.toString());
    if (hit) {
      if ('error' in hit) throw new CheckpointError(hit.error);
      return hit.checkpoint;
    }
    void loadCheckpoint(uri);
    throw new CheckpointError(vscode.l10n.t('reading the file…'));
  };
}

/** Forget a file (it changed or was deleted): the next read opens it again. */
export function forgetCheckpoint(uri: vscode.Uri): void {
  loaded.delete(uri.toString());
}

/** Drops cached files when they change on disk. */
export function registerCheckpointFiles(): vscode.Disposable {
  const watcher = vscode.workspace.createFileSystemWatcher('**/*.{pt,pth,bin,ckpt,safetensors}');
  const drop = (uri: vscode.Uri) => { if (loaded.has(uri.toString())) { forgetCheckpoint(uri); emitter.fire(uri); } };
  return vscode.Disposable.from(watcher, watcher.onDidChange(drop), watcher.onDidDelete(drop), watcher.onDidCreate(drop), emitter);
}
