/*
 * Helpers shared by the extension runtime's integration tests (commands, hover, diagnostics,
 * run): the extension's API, files of the test workspace, waiting for a condition, and the
 * golden bar |ours - expected| <= 1e-6 * max(1, |expected|).
 * Layer: test (runs inside the VS Code extension host; imports vscode).
 */
import * as assert from 'assert';
import * as vscode from 'vscode';
import type { RunInfo } from '../../src/extension/runScheduler';
import type { WorkStats } from '../../src/extension/workStats';
import type { RunPayload, WireTensor } from '../../src/protocol/messages';

/** The extension's activate() result. */
export interface Api {
  lastRun(): RunPayload | undefined;
}

/** Activates RNN Lens (if needed) and returns its API. */
export async function api(): Promise<Api> {
  const ext = vscode.extensions.getExtension<Api>('rnn-lens.rnn-lens');
  assert.ok(ext, 'extension rnn-lens.rnn-lens is installed');
  return ext.isActive ? ext.exports : ext.activate();
}

/** A file of the test workspace (test/fixtures/workspace, copied by the runner). */
export function wsFile(...parts: string[]): vscode.Uri {
  const folder = vscode.workspace.workspaceFolders?.[0];
  assert.ok(folder, 'a workspace folder is open');
  return vscode.Uri.joinPath(folder.uri, ...parts);
}

/** Opens a workspace file in an editor and returns both. */
export async function open(...parts: string[]): Promise<{ doc: vscode.TextDocument; editor: vscode.TextEditor }> {
  const doc = await vscode.workspace.openTextDocument(wsFile(...parts));
  const editor = await vscode.window.showTextDocument(doc);
  return { doc, editor };
}

/** The JSON of a workspace file (the golden expectations travel inside the documents). */
export async function readJson(...parts: string[]): Promise<any> {
  const bytes = await vscode.workspace.fs.readFile(wsFile(...parts));
  return JSON.parse(new TextDecoder().decode(bytes));
}

/** Writes `doc` as JSON to folder/name in the test workspace and returns its URI. */
export async function writeWorkspaceJson(folder: string, name: string, doc: unknown): Promise<vscode.Uri> {
  const uri = wsFile(folder, name);
  await vscode.workspace.fs.writeFile(uri, new TextEncoder().encode(JSON.stringify(doc, null, 2)));
  return uri;
}

/** What the run scheduler reports about the latest run (rnnLens._runInfo). */
export async function runInfo(): Promise<RunInfo | undefined> {
  return vscode.commands.executeCommand<RunInfo | undefined>('rnnLens._runInfo');
}

/**
 * What the extension host did since the last reset (rnnLens._workStats): worker jobs per kind and
 * the texts it parsed itself. `reset`: start counting afresh after reading.
 */
export async function workStats(reset = false): Promise<WorkStats> {
  const stats = await vscode.commands.executeCommand<WorkStats>('rnnLens._workStats', reset ? 'reset' : undefined);
  assert.ok(stats, 'rnnLens._workStats answers');
  return stats;
}

/** Sets rnnLens.run.workerFlopThreshold (undefined: back to the default). */
export async function setWorkerFlopThreshold(value: number | undefined): Promise<void> {
  await vscode.workspace.getConfiguration('rnnLens').update('run.workerFlopThreshold', value, vscode.ConfigurationTarget.Global);
}

/** Polls until `fn` (sync or async) gives a value other than undefined/false, or fails after `ms`. */
export async function waitFor<T>(what: string, fn: () => T | undefined | false | Promise<T | undefined | false>, ms = 8000): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = await fn();
    if (v !== undefined && v !== false) return v as T;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** Flattens a nested array of numbers (as in the golden files) and returns its shape. */
export function flatten(nested: unknown): { shape: number[]; data: number[] } {
  const shape: number[] = [];
  for (let v: unknown = nested; Array.isArray(v); v = v[0]) shape.push(v.length);
  const data = (nested as unknown[]).flat(Infinity) as number[];
  return { shape, data };
}

/** Asserts a wire tensor equals PyTorch's expected nested array within the golden bar. */
export function assertClose(actual: WireTensor | undefined, expected: unknown, what: string): void {
  assert.ok(actual, `${what} is present`);
  const exp = flatten(expected);
  assert.deepStrictEqual(actual.shape, exp.shape, `${what} shape`);
  exp.data.forEach((e, i) => {
    const a = actual.data[i];
    assert.ok(a !== null && Math.abs(a - e) <= 1e-6 * Math.max(1, Math.abs(e)), `${what}[${i}]: ${a} vs PyTorch ${e}`);
  });
}

/** Closes every editor without saving (tests never save). */
export async function closeAll(): Promise<void> {
  await vscode.commands.executeCommand('workbench.action.revertAndCloseActiveEditor');
  await vscode.commands.executeCommand('workbench.action.closeAllEditors');
}

/** Hover texts at a position, through VS Code's hover machinery. */
export async function hoverTexts(uri: vscode.Uri, position: vscode.Position): Promise<string[]> {
  const hovers = (await vscode.commands.executeCommand<vscode.Hover[]>('vscode.executeHoverProvider', uri, position)) ?? [];
  return hovers.flatMap((h) => h.contents.map((c) => (typeof c === 'string' ? c : c.value)));
}
