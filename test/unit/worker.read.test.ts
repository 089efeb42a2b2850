/*
 * The pure parts of reading large documents in a worker (src/worker/job.ts): the size decision,
 * the 'read' job (readDocument with the host's l10n bundle) and the message guards.
 * Layer: test (Node).
 */
import * as assert from 'assert';
import * as fs from 'fs';
import * as path from 'path';
import { isReadReply, isReadRequest, isWorkerReply, readJob, readsInWorker } from '../../src/worker/job';
import { DEFAULT_BUDGET } from '../../src/document/types';

const BAD = '{\n  "model": {"type": "LSTM", "input_size": 3, "hidden_size": -3}\n}\n';

describe('worker read job', () => {
  it('decides by size: above the threshold, only with a worker, 0 = never', () => {
    assert.strictEqual(readsInWorker(262_145, 262_144, true), true);
    assert.strictEqual(readsInWorker(262_144, 262_144, true), false);
    assert.strictEqual(readsInWorker(5_000_000, 262_144, false), false);
    assert.strictEqual(readsInWorker(5_000_000, 0, true), false);
  });

  it('reads a document and returns its diagnostics with offset spans (plain, cloneable data)', () => {
    const reply = readJob({ kind: 'read', text: BAD, budget: DEFAULT_BUDGET });
    assert.strictEqual(reply.type, 'read');
    if (reply.type !== 'read') return;
    const errors = reply.result.diagnostics.filter((d) => d.severity === 'error');
    assert.ok(errors.length >= 1);
    assert.strictEqual(BAD.slice(errors[0].span.start, errors[0].span.end), '-3');
    assert.ok(/hidden_size/.test(errors[0].message), errors[0].message);
    assert.strictEqual(reply.result.document, undefined);
    assert.deepStrictEqual(structuredClone(reply), reply);
    assert.ok(isReadReply(reply));
  });

  it('localises the messages through the host bundle, like run jobs', () => {
    const bundle = JSON.parse(fs.readFileSync(path.join(__dirname, '..', '..', '..', 'l10n', 'bundle.l10n.ja.json'), 'utf8')) as Record<string, string>;
    const en = readJob({ kind: 'read', text: BAD, budget: DEFAULT_BUDGET });
    const ja = readJob({ kind: 'read', text: BAD, budget: DEFAULT_BUDGET, bundle });
    assert.ok(en.type === 'read' && ja.type === 'read');
    if (en.type !== 'read' || ja.type !== 'read') return;
    assert.notStrictEqual(ja.result.diagnostics[0].message, en.result.diagnostics[0].message);
    assert.ok(/[\u3040-\u30ff\u4e00-\u9fff]/.test(ja.result.diagnostics[0].message), ja.result.diagnostics[0].message);
    assert.deepStrictEqual(ja.result.diagnostics[0].span, en.result.diagnostics[0].span);
  });

  it('guards: read requests and replies are told apart from runs', () => {
    assert.ok(isReadRequest({ kind: 'read', text: '{}', budget: DEFAULT_BUDGET }));
    assert.ok(!isReadRequest({ doc: {}, title: 'x' }));
    assert.ok(!isReadRequest({ kind: 'read' }));
    assert.ok(!isReadReply({ type: 'read', result: {} }));
    assert.ok(isReadReply({ type: 'error', message: 'x' }));
    assert.ok(!isWorkerReply({ type: 'read', result: { diagnostics: [] } }));
  });
});
