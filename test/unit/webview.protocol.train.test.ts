// Unit tests of the training messages' validators (src/protocol/validate.ts): the webview's
// Train / Pause / Resume / Stop / Save, and the host's session, steps, status and snapshots.
import * as assert from 'node:assert/strict';
import { isHostMessage, isRunPayload, isTrainSession, isViewMessage } from '../../src/protocol/validate';
import type { RunPayload, TrainSession } from '../../src/protocol/messages';

const session = (): TrainSession => ({
  title: 'seed.rnn.json',
  source: 'file:///w/seed.rnn.json',
  summary: { loss: 'MSELoss', optimizer: 'SGD(lr=0.1)', steps: 50 },
  stepsTotal: 50,
  status: 'running',
  loss: [0.168, 0.0578],
  gradNorm: [1.24, null],
  shownStep: 2,
  before: { shape: [1, 2], data: [0.1, 0.2] },
});

const payload = (): RunPayload => ({
  title: 't', model: { type: 'RNN', inputSize: 1, hiddenSize: 1, numLayers: 1, nonlinearity: 'tanh', bias: true, batchFirst: false, dropout: 0, bidirectional: false, projSize: 0 },
  batch: 1, seqLen: 1, unbatched: true,
  input: { shape: [1, 1], data: [0] }, output: { shape: [1, 1], data: [0] }, hN: { shape: [1, 1], data: [0] },
  stateDict: {}, shapes: { input: [1, 1], output: [1, 1], hN: [1, 1], params: [], paramCount: 0, flopsPerStep: 0 }, notes: [],
});

describe('training protocol validation', () => {
  it('accepts the webview\'s training messages, one per purpose', () => {
    for (const type of ['trainStart', 'trainPause', 'trainResume', 'trainStop']) assert.ok(isViewMessage({ type }), type);
    assert.ok(isViewMessage({ type: 'trainSave', to: 'document' }));
    assert.ok(isViewMessage({ type: 'trainSave', to: 'newDocument' }));
  });

  it('rejects malformed training messages from the webview', () => {
    const bad: unknown[] = [
      { type: 'trainStart', steps: 1e9 },
      { type: 'trainPause', now: true },
      { type: 'trainSave' },
      { type: 'trainSave', to: '/etc/passwd' },
      { type: 'trainSave', to: 'document', path: 'x' },
      { type: 'trainControl', action: 'pause' },
    ];
    for (const m of bad) assert.equal(isViewMessage(m), false, JSON.stringify(m));
  });

  it('accepts a consistent session and refuses inconsistent ones', () => {
    assert.ok(isTrainSession(session()));
    assert.ok(isHostMessage({ type: 'trainSession', session: session() }));
    assert.ok(isHostMessage({ type: 'trainSession', session: null }));
    const broken: Partial<Record<keyof TrainSession, unknown>>[] = [
      { status: 'exploded' },
      { stepsTotal: 0 },
      { gradNorm: [1] }, // not one per step
      { shownStep: 3 }, // beyond the steps done
      { loss: [0.1, Number.NaN] }, // a raw NaN never comes out of JSON
      { loss: new Array(51).fill(0.1), gradNorm: new Array(51).fill(0.1) }, // more steps than the run has
      { summary: { loss: 'MSELoss', optimizer: 'SGD', steps: 0 } },
      { before: { shape: [2, 2], data: [1] } },
      { title: 5 },
    ];
    for (const patch of broken) assert.equal(isTrainSession({ ...session(), ...patch }), false, JSON.stringify(patch));
  });

  it('checks steps, status and snapshots from the host', () => {
    assert.ok(isHostMessage({ type: 'trainSteps', from: 0, loss: [0.1, null], gradNorm: [1, 2] }));
    assert.equal(isHostMessage({ type: 'trainSteps', from: -1, loss: [], gradNorm: [] }), false);
    assert.equal(isHostMessage({ type: 'trainSteps', from: 0, loss: [1], gradNorm: [] }), false);
    assert.ok(isHostMessage({ type: 'trainStatus', status: 'paused', stepsDone: 10 }));
    assert.ok(isHostMessage({ type: 'trainStatus', status: 'stopped', stepsDone: 3, message: 'Stopped after 3 of 50 steps.' }));
    assert.equal(isHostMessage({ type: 'trainStatus', status: 'paused', stepsDone: 1.5 }), false);
    assert.ok(isHostMessage({ type: 'trainSnapshot', step: 10, payload: payload(), prediction: { shape: [2], data: [0.5, 0.25] } }));
    assert.equal(isHostMessage({ type: 'trainSnapshot', step: 10, payload: { title: 'x' } }), false);
  });

  it('a payload may carry the train summary, well-formed', () => {
    assert.ok(isRunPayload({ ...payload(), train: { loss: 'MSELoss', optimizer: 'Adam(lr=0.01)', steps: 100, clipGradNorm: 1 } }));
    assert.equal(isRunPayload({ ...payload(), train: { loss: 'MSELoss', optimizer: 'Adam(lr=0.01)', steps: 100, clipGradNorm: -1 } }), false);
    assert.equal(isRunPayload({ ...payload(), train: 'yes' }), false);
  });
});
