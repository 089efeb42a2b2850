/*
 * The pure parts of running off the extension host (src/worker/job.ts): where a run goes, the
 * progress fractions, the l10n translator of the worker, the job's messages (PyTorch's numbers
 * from the golden origin case, errors as messages), the reply validator, the 'painted' view
 * message, Japanese for the scheduler's strings, and the worker bundle itself on a Node
 * worker_thread (when built).
 * Layer: test (Node).
 */
import * as assert from 'assert';
import * as fs from 'fs';
import * as path from 'path';
import { readDocument } from '../../src/document/reader';
import { isViewMessage } from '../../src/protocol/validate';
import { chooseWhere, computesGradients, isWorkerReply, makeTranslator, phaseFraction, runJob, type WorkerReply } from '../../src/worker/job';

const root = path.join(__dirname, '../../..');

function golden(name: string): any {
  return JSON.parse(fs.readFileSync(path.join(root, 'test/golden', `${name}.json`), 'utf8'));
}

function close(actual: (number | null)[], expected: number[], what: string): void {
  assert.strictEqual(actual.length, expected.length, `${what} length`);
  expected.forEach((e, i) => {
    const a = actual[i];
    assert.ok(a !== null && Math.abs(a - e) <= 1e-6 * Math.max(1, Math.abs(e)), `${what}[${i}]: ${a} vs PyTorch ${e}`);
  });
}

describe('run scheduler (pure parts)', () => {
  it('chooses in-process up to the threshold, a worker above it, in-process when no worker exists', () => {
    assert.strictEqual(chooseWhere(50_000_000, 50_000_000, true), 'inProcess');
    assert.strictEqual(chooseWhere(50_000_001, 50_000_000, true), 'worker');
    assert.strictEqual(chooseWhere(8.4e9, 50_000_000, false), 'inProcess');
    // threshold 0: every run, even one without input (0 FLOPs), goes to the worker
    assert.strictEqual(chooseWhere(0, 0, true), 'worker');
  });

  it('progress fractions rise through the phases; gradients only under the budget', () => {
    assert.strictEqual(phaseFraction('forward', true), 0);
    // forward, then the view of the forward (painted at once), then the gradients
    assert.ok(phaseFraction('view', true) > 0 && phaseFraction('view', true) < phaseFraction('gradients', true));
    assert.ok(phaseFraction('gradients', true) < 1);
    assert.ok(phaseFraction('view', false) < 1);
    assert.strictEqual(computesGradients(1e6), true);
    assert.strictEqual(computesGradients(8.4e9), false);
    // a worker paints the forward first, so its gradients may take longer (the medium workload: 9.1 GFLOP)
    assert.strictEqual(computesGradients(9.1e9, 'worker'), true);
    assert.strictEqual(computesGradients(13e9, 'worker'), false);
  });

  it('translates like vscode.l10n.t with positional arguments, English when the bundle lacks the text', () => {
    const t = makeTranslator({ 'Long sequence: only the first and last {0} time steps are sent to the view.': '長い系列のため {0} ステップ' });
    assert.strictEqual(t('Long sequence: only the first and last {0} time steps are sent to the view.', 5), '長い系列のため 5 ステップ');
    assert.strictEqual(t('a {0} b {1}', 'x'), 'a x b {1}');
    assert.strictEqual(makeTranslator(undefined)('n = {0}', 3), 'n = 3');
    assert.strictEqual(makeTranslator({})('constructor'), 'constructor', 'no prototype keys');
  });

  it("runs the origin snippet as a job: phases in order, then PyTorch's numbers", () => {
    const g = golden('seed_snippet');
    const read = readDocument(JSON.stringify(g.document ?? g.doc ?? g));
    assert.ok(read.document, JSON.stringify(read.diagnostics));
    const replies: WorkerReply[] = [];
    runJob({ doc: read.document, title: 'origin' }, (m) => replies.push(m));
    assert.deepStrictEqual(
      replies.map((r) => (r.type === 'progress' ? r.phase : `(${r.type})`)),
      ['forward', 'view', '(forward)', 'gradients', '(done)'],
    );
    // the forward's payload first, without gradients (the view paints it while they are computed)
    const first = replies[2];
    assert.ok(first.type === 'forward');
    assert.strictEqual(first.payload.gradientsPending, true);
    assert.strictEqual(first.payload.gradients, undefined);
    close(first.payload.headOutput!.data, (g.expected.head as number[][]).flat(), 'head (forward)');
    const done = replies[4];
    assert.ok(done.type === 'done');
    assert.ok(!done.payload.gradientsPending);
    assert.strictEqual(done.payload.gradients?.inputNorms.length, 5);
    close(done.payload.headOutput!.data, (g.expected.head as number[][]).flat(), 'head');
    close(done.payload.hN.data, (g.expected.h_n as number[][][]).flat(2), 'h_n');
    assert.ok(replies.every(isWorkerReply));
  });

  it('reports an error as a message, never throws', () => {
    const read = readDocument(JSON.stringify({ model: { type: 'GRU', input_size: 3, hidden_size: 4 } }));
    assert.ok(read.document);
    const replies: WorkerReply[] = [];
    assert.doesNotThrow(() => runJob({ doc: read.document!, title: 'no input' }, (m) => replies.push(m)));
    assert.strictEqual(replies.length, 1);
    assert.strictEqual(replies[0].type, 'error');
    assert.ok(replies[0].type === 'error' && replies[0].message.length > 0);
  });

  it('checks worker replies and the painted view message', () => {
    assert.strictEqual(isWorkerReply({ type: 'progress', phase: 'forward', fraction: 0 }), true);
    assert.strictEqual(isWorkerReply({ type: 'progress', phase: 'sideways', fraction: 0 }), false);
    assert.strictEqual(isWorkerReply({ type: 'error' }), false);
    assert.strictEqual(isWorkerReply(null), false);
    assert.strictEqual(isViewMessage({ type: 'painted', ms: 12.5 }), true);
    assert.strictEqual(isViewMessage({ type: 'painted', ms: -1 }), false);
    assert.strictEqual(isViewMessage({ type: 'painted', ms: 1, extra: 1 }), false);
    assert.strictEqual(isViewMessage({ type: 'painted', ms: 1, gradients: true }), true);
    assert.strictEqual(isViewMessage({ type: 'painted', ms: 1, gradients: 'yes' }), false);
    assert.strictEqual(isWorkerReply({ type: 'forward' }), false);
  });

  it('has Japanese for every string of the scheduler, with the same placeholders', () => {
    const ja: Record<string, string> = JSON.parse(fs.readFileSync(path.join(root, 'l10n/bundle.l10n.ja.json'), 'utf8'));
    const src = ['runScheduler.ts', 'runAndShow.ts'].map((f) => fs.readFileSync(path.join(root, 'src/extension', f), 'utf8')).join('\n');
    const keys = [...src.matchAll(/\bt\(\s*'((?:[^'\\]|\\.)*)'/g)].map((m) => m[1]);
    assert.ok(keys.length >= 5, String(keys.length));
    for (const k of keys) {
      assert.ok(ja[k], `ja for ${k}`);
      assert.deepStrictEqual(ja[k].match(/\{\d+\}/g) ?? [], k.match(/\{\d+\}/g) ?? [], k);
    }
  });

  it('the Node worker bundle runs a job on a worker_thread and answers with the payload', async function () {
    const bundle = path.join(root, 'dist/runWorker.js');
    if (!fs.existsSync(bundle)) throw new Error('dist/runWorker.js is missing: run npm run build first');
    const { Worker } = await import('node:worker_threads');
    const g = golden('seed_snippet');
    const read = readDocument(JSON.stringify(g.document ?? g.doc ?? g));
    const w = new Worker(bundle);
    w.on('error', (e) => assert.fail(String(e)));
    const ask = (request: unknown): Promise<WorkerReply[]> => new Promise((resolve) => {
      const got: WorkerReply[] = [];
      const on = (m: WorkerReply) => {
        got.push(m);
        if (m.type === 'done' || m.type === 'error') {
          w.off('message', on);
          resolve(got);
        }
      };
      w.on('message', on);
      w.postMessage(request);
    });
    try {
      const replies = await ask({ doc: read.document, title: 'origin', bundle: { 'Forward pass': '順伝播' } });
      const done = replies[replies.length - 1];
      assert.ok(done.type === 'done', JSON.stringify(done).slice(0, 200));
      close(done.payload.headOutput!.data, (g.expected.head as number[][]).flat(), 'head');
      // the forward's payload came first, then the gradients with 'done'
      assert.ok(replies.some((r) => r.type === 'forward' && r.payload.gradientsPending === true));
      assert.ok(done.payload.gradients);
      // the same worker serves the next run (the scheduler keeps a warm worker)
      const again = await ask({ doc: read.document, title: 'origin again' });
      const second = again[again.length - 1];
      assert.ok(second.type === 'done' && second.payload.title === 'origin again');
      close(second.payload.headOutput!.data, (g.expected.head as number[][]).flat(), 'head (second run)');
    } finally {
      await w.terminate();
    }
  });
});
