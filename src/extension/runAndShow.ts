/*
 * Runs a job through the scheduler and shows it in the Unroll View as it arrives: a worker run
 * that computes gradients sends its forward results first (painted at once, the gradient chart
 * saying they are being computed), then the gradients, drawn in place. A run cancelled or
 * failed after its forward was shown says so in the panel instead of leaving "computing".
 * Layer: extension.
 */
import * as vscode from 'vscode';
import type { RunPayload } from '../protocol/messages';
import { scheduleRun, type RunJob, type RunOutcome } from './runScheduler';
import { showGradientsFailed, showRun, showRunGradients } from './unrollPanel';

const t = vscode.l10n.t;

/**
 * Schedules `job` and shows the forward as soon as it comes. `decorate` adjusts a payload
 * before it is shown (both the forward's and the whole one). A 'done' outcome's payload is
 * already shown when this returns; cancelled and failed runs are the caller's to report.
 */
export async function runAndShow(job: RunJob, decorate?: (p: RunPayload) => void): Promise<RunOutcome> {
  let shown: RunPayload | undefined;
  const outcome = await scheduleRun(job, {
    onForward: (forwardOnly) => {
      decorate?.(forwardOnly);
      shown = forwardOnly;
      showRun(forwardOnly);
    },
  });
  if (outcome.kind === 'done') {
    decorate?.(outcome.payload);
    if (shown) showRunGradients(shown, outcome.payload);
    else showRun(outcome.payload);
  } else if (shown) {
    showGradientsFailed(shown, outcome.kind === 'cancelled' ? t('Gradients were not computed: the run was cancelled.') : t('Gradients were not computed: {0}', outcome.message));
  }
  return outcome;
}
