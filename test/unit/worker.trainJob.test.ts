/*
 * The training job (src/worker/trainJob.ts) on the golden origin snippet: the losses it streams
 * are PyTorch's, Pause (by itself at a step, or asked) stops between two steps and sends the
 * state at that step, Resume continues to the same end, Stop keeps the steps done. The job runs
 * with a hand-cranked scheduler, so "paused" is what happened, not a matter of time.
 * Layer: test (Node).
 */
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { readDocument } from '../../src/document/reader';
import type { StateDict } from '../../src/engine/types';
import { startTrainJob, type TrainJob, type TrainReply } from '../../src/worker/trainJob';
import { repoRoot } from './helpers/golden';

const fixture = path.join(repoRoot(), 'test', 'fixtures', 'workspace', 'golden', 'train_seed_snippet.rnn.json');
const text = fs.readFileSync(fixture, 'utf8');
const golden = JSON.parse(text).expected as { loss: number[]; grad_norm: number[]; state_dict: Record<string, unknown> };

function close(actual: number, expected: number, what: string): void {
  assert.ok(Math.abs(actual - expected) <= 1e-6 * Math.max(1, Math.abs(expected)), `${what}: ${actual} vs PyTorch ${expected}`);
}

/** Starts a job (on the golden snippet, or `source`) whose slices run only when `crank()` is called. */
function crankedJob(pauseAt?: number, source = text) {
  const read = readDocument(source);
  assert.ok(read.document, JSON.stringify(read.diagnostics));
  const replies: TrainReply[] = [];
  const queue: (() => void)[] = [];
  let clock = 0;
  const job: TrainJob = startTrainJob(
    { kind: 'train', doc: read.document, title: 'train_seed_snippet.rnn.json', ...(pauseAt !== undefined ? { pauseAt } : {}) },
    // every step "takes" 10 ms of the job's clock: a slice of SLICE_MS runs a few steps
    { post: (r) => replies.push(r), schedule: (fn) => queue.push(fn), now: () => (clock += 10) },
  );
  const crank = (times = Infinity) => {
    for (let i = 0; i < times && queue.length; i++) queue.shift()!();
  };
  const losses = () => replies.flatMap((r) => (r.type === 'trainSteps' ? r.loss : []));
  const statuses = () => replies.filter((r) => r.type === 'trainStatus').map((r) => (r as { status: string }).status);
  const lastSnapshot = () => [...replies].reverse().find((r) => r.type === 'trainSnapshot') as Extract<TrainReply, { type: 'trainSnapshot' }> | undefined;
  return { job, replies, crank, losses, statuses, lastSnapshot, pending: () => queue.length };
}

function flat(v: unknown): number[] {
  return Array.isArray(v) ? v.flatMap(flat) : [v as number];
}

function assertStateDict(sd: StateDict, expected: Record<string, unknown>): void {
  assert.deepEqual(Object.keys(sd).sort(), Object.keys(expected).sort());
  for (const [name, want] of Object.entries(expected)) {
    const w = flat(want);
    assert.equal(sd[name].data.length, w.length, name);
    w.forEach((x, i) => close(sd[name].data[i], x, `${name}[${i}]`));
  }
}

describe('training job (worker)', () => {
  it('trains the origin snippet to PyTorch\'s losses, gradient norms and final state_dict', () => {
    const j = crankedJob();
    assert.equal(j.replies[0].type, 'trainBegin');
    j.crank();
    assert.deepEqual(j.statuses(), ['running', 'done']);
    const losses = j.losses();
    assert.equal(losses.length, 50);
    losses.forEach((l, i) => close(l, golden.loss[i], `loss[${i}]`));
    const norms = j.replies.flatMap((r) => (r.type === 'trainSteps' ? r.gradNorm : []));
    norms.forEach((g, i) => close(g, golden.grad_norm[i], `grad_norm[${i}]`));
    const snap = j.lastSnapshot()!;
    assert.equal(snap.step, 50);
    assertStateDict(snap.stateDict, golden.state_dict);
    // the payload is the model after 50 steps: its parameters are the trained ones
    const w = snap.payload.stateDict.weight_ih_l0.data as number[];
    close(w[0], flat(golden.state_dict.weight_ih_l0)[0], 'payload weight_ih_l0[0]');
    assert.ok(snap.payload.train, 'the payload says the document trains');
  });

  it('pauses by itself after step k, sends the state at k, and resumes to the same end', () => {
    const j = crankedJob(10);
    j.crank();
    assert.deepEqual(j.statuses(), ['running', 'paused']);
    assert.equal(j.pending(), 0, 'nothing runs while paused');
    assert.equal(j.losses().length, 10);
    assert.equal(j.lastSnapshot()!.step, 10);
    j.job.control('resume');
    j.crank();
    assert.deepEqual(j.statuses(), ['running', 'paused', 'running', 'done']);
    assert.equal(j.losses().length, 50);
    close(j.losses()[49], golden.loss[49], 'final loss after a pause');
    assertStateDict(j.lastSnapshot()!.stateDict, golden.state_dict);
  });

  it('pauses and stops between two steps when asked, keeping the steps done', () => {
    const j = crankedJob();
    j.crank(1); // one slice
    const before = j.losses().length;
    assert.ok(before > 0 && before < 50, `one slice ran ${before} steps`);
    j.job.control('pause');
    assert.equal(j.statuses().at(-1), 'paused');
    j.crank();
    assert.equal(j.losses().length, before, 'no step after the pause');
    j.job.control('stop');
    assert.deepEqual(j.statuses(), ['running', 'paused', 'stopped']);
    assert.equal(j.lastSnapshot()!.step, before);
    const stop = j.replies.find((r) => r.type === 'trainStatus' && r.status === 'stopped') as Extract<TrainReply, { type: 'trainStatus' }>;
    assert.deepEqual(stop.stop, { reason: 'aborted', step: before });
    j.job.control('resume');
    j.crank();
    assert.equal(j.losses().length, before, 'a stopped job stays stopped');
  });

  it('a loss beyond float32 (inf in PyTorch\'s float32, finite in float64) stops at that step with the model from before it', () => {
    // PyTorch: test/fixtures/train-overflow/overflow.py (SGD lr=1000 on a ReLU RNN)
    const dir = path.join(repoRoot(), 'test', 'fixtures', 'train-overflow');
    const torch = JSON.parse(fs.readFileSync(path.join(dir, 'overflow.torch.json'), 'utf8')) as Record<'float32' | 'float64', { loss: (number | null)[]; grad_norm: (number | null)[]; state_dict_before_step: Record<string, unknown>[] }>;
    const firstInf = torch.float32.loss.indexOf(null);
    assert.equal(firstInf, 3, 'PyTorch float32: the 4th loss is inf');
    const j = crankedJob(undefined, fs.readFileSync(path.join(dir, 'overflow.rnn.json'), 'utf8'));
    j.crank();
    assert.deepEqual(j.statuses(), ['running', 'stopped']);
    const stop = j.replies.find((r) => r.type === 'trainStatus' && r.status === 'stopped') as Extract<TrainReply, { type: 'trainStatus' }>;
    assert.deepEqual(stop.stop, { reason: 'non-finite', step: firstInf });
    assert.equal(stop.stepsDone, firstInf);
    // the steps before it, as PyTorch computes them (float64: the engine's precision)
    assert.equal(j.losses().length, firstInf);
    j.losses().forEach((l, i) => close(l, torch.float64.loss[i]!, `loss[${i}]`));
    // the model shown and saved is the one after 3 steps, and its prediction is finite
    const last = j.lastSnapshot()!;
    assert.equal(last.step, firstInf);
    assertStateDict(last.stateDict, torch.float64.state_dict_before_step[firstInf]);
    assert.ok(Array.from(last.prediction.data).every((v) => Math.abs(v) < 3.4e38), String(Array.from(last.prediction.data)));
  });

  it('a long run of fast steps still sends the model about once per SNAPSHOT_MS, not only every steps/40', () => {
    const long = JSON.stringify({ ...JSON.parse(text), expected: undefined, train: { ...JSON.parse(text).train, steps: 100000 } });
    const j = crankedJob(undefined, long);
    j.crank(400); // about 1,000 steps: every steps/40 would be 2,500
    const steps = j.replies.filter((r) => r.type === 'trainSnapshot').map((r) => (r as { step: number }).step);
    const done = j.losses().length;
    assert.ok(done > 100 && done < 2500, `${done} steps`);
    assert.ok(steps.length >= 3 && steps.every((s) => s % 2500 !== 0 || s === 0), steps.join(', '));
    // the job's clock: each reading advances 10 ms, so SNAPSHOT_MS passes every few dozen readings
    for (let i = 2; i < steps.length; i++) assert.ok(steps[i] > steps[i - 1], steps.join(', '));
    j.job.control('stop');
  });

  it('reports a document that cannot be trained as an error message', () => {
    const doc = readDocument(JSON.stringify({ model: { type: 'RNN', input_size: 2, hidden_size: 3 }, seed: 0, input: [[1, 2]] })).document!;
    const replies: TrainReply[] = [];
    startTrainJob({ kind: 'train', doc, title: 'x' }, { post: (r) => replies.push(r), schedule: () => undefined });
    assert.equal(replies.length, 1);
    assert.equal(replies[0].type, 'error');
  });
});
