/*
 * Every RNN Lens setting in one typed place, with its default. Nothing else calls
 * vscode.workspace.getConfiguration('rnnLens'): features ask here, so a renamed key or a new
 * default is one edit (package.json "contributes.configuration" mirrors these keys).
 * Layer: extension (imports vscode, document types and the run layer's gradient budget).
 */
import * as vscode from 'vscode';
import { DEFAULT_BUDGET, type Budget } from '../document/types';
import { WORKER_GRADIENT_FLOP_BUDGET } from '../run/payload';

/** The settings RNN Lens reads, defaults applied and values clamped to sane ranges. */
export interface RnnLensSettings {
  /** Limits checked by the document reader before any tensor is allocated (maxTrainFlops: a whole training run). */
  budget: Budget;
  /** Diagnostics while typing: on or off, and how long to wait after the last keystroke. */
  diagnosticsEnabled: boolean;
  diagnosticsDebounceMs: number;
  /** Documents longer than this many characters are read in a worker, off the extension host (0: never). */
  diagnosticsWorkerThreshold: number;
  /** Show shapes and parameter roles on hover in RNN documents. */
  hoverEnabled: boolean;
  /** Runs above this many FLOPs show a cancellable progress notification (others: the status bar). */
  progressFlopThreshold: number;
  /** Runs above this many FLOPs run in a worker thread, so the editor stays responsive. */
  workerFlopThreshold: number;
  /** The most threads a worker run's forward may use (0: one per core; 1: one). */
  runThreads: number;
  /** Worker runs up to this many forward FLOPs also compute gradients, after the forward is shown (0: never). */
  gradientFlopThreshold: number;
  /** The Python lint (python-snippets.md): on or off, and the rule codes turned off. */
  lintEnabled: boolean;
  lintDisabled: string[];
}

/** Defaults, also used by pure code and tests. Keep in step with package.json. */
export const DEFAULT_SETTINGS: RnnLensSettings = {
  // steps x (forward + backward) of a training run: 50 x maxFlops, as the reader assumes when absent
  budget: { ...DEFAULT_BUDGET, maxTrainFlops: 50 * DEFAULT_BUDGET.maxFlops },
  diagnosticsEnabled: true,
  diagnosticsDebounceMs: 300,
  diagnosticsWorkerThreshold: 262_144,
  hoverEnabled: true,
  progressFlopThreshold: 200_000_000,
  workerFlopThreshold: 50_000_000,
  runThreads: 0,
  gradientFlopThreshold: WORKER_GRADIENT_FLOP_BUDGET,
  lintEnabled: true,
  lintDisabled: [],
};

function num(config: vscode.WorkspaceConfiguration, key: string, fallback: number, min: number, max: number): number {
  const v = config.get<unknown>(key);
  if (typeof v !== 'number' || !Number.isFinite(v)) return fallback;
  return Math.min(max, Math.max(min, v));
}

function bool(config: vscode.WorkspaceConfiguration, key: string, fallback: boolean): boolean {
  const v = config.get<unknown>(key);
  return typeof v === 'boolean' ? v : fallback;
}

function strings(config: vscode.WorkspaceConfiguration, key: string): string[] {
  const v = config.get<unknown>(key);
  return Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : [];
}

/** Reads the current settings (optionally for one document's folder). Cheap: call when needed. */
export function getSettings(scope?: vscode.ConfigurationScope): RnnLensSettings {
  const c = vscode.workspace.getConfiguration('rnnLens', scope);
  const d = DEFAULT_SETTINGS;
  return {
    budget: {
      maxElements: num(c, 'budget.maxElements', d.budget.maxElements, 1, 1e12),
      maxFlops: num(c, 'budget.maxFlops', d.budget.maxFlops, 1, 1e15),
      maxTrainFlops: num(c, 'budget.maxTrainFlops', d.budget.maxTrainFlops!, 1, 1e18),
    },
    diagnosticsEnabled: bool(c, 'diagnostics.enabled', d.diagnosticsEnabled),
    diagnosticsDebounceMs: num(c, 'diagnostics.debounceMs', d.diagnosticsDebounceMs, 0, 10_000),
    diagnosticsWorkerThreshold: num(c, 'diagnostics.workerThreshold', d.diagnosticsWorkerThreshold, 0, 1e12),
    hoverEnabled: bool(c, 'hover.enabled', d.hoverEnabled),
    progressFlopThreshold: num(c, 'run.progressFlopThreshold', d.progressFlopThreshold, 0, 1e15),
    workerFlopThreshold: num(c, 'run.workerFlopThreshold', d.workerFlopThreshold, 0, 1e15),
    gradientFlopThreshold: num(c, 'run.gradientFlopThreshold', d.gradientFlopThreshold, 0, 1e15),
    runThreads: Math.floor(num(c, 'run.threads', d.runThreads, 0, 64)),
    lintEnabled: bool(c, 'lint.enabled', d.lintEnabled),
    lintDisabled: strings(c, 'lint.disabled'),
  };
}

/** True when a configuration change touches RNN Lens settings. */
export function affectsRnnLens(e: vscode.ConfigurationChangeEvent): boolean {
  return e.affectsConfiguration('rnnLens');
}
