/*
 * Training in the editor: "RNN: Train" and the Unroll View's Train control for documents with a
 * `train` block, Pause / Resume / Stop, "Save trained weights" (only when the user asks), and the
 * code action "Add a training target" for RNN documents without one.
 * The optimizer steps run in a worker (src/worker/trainJob.ts through runScheduler's
 * startWorker: a Node worker_thread, or a Web Worker on vscode.dev); only where no worker can
 * start does the same job run here, in slices of a few milliseconds. The host keeps what the
 * panel shows (losses and gradient norms, bounded by src/protocol/curves.ts; the state_dict of
 * the last snapshot) and relays it to the webview as typed messages (src/protocol).
 * The user's text changes only through "Save trained weights" into the document (a
 * WorkspaceEdit of its "state_dict" value) and "Add a training target" (a "train" key).
 * Layer: extension (imports vscode). Internal command rnnLens._trainInfo (tests) reads the state.
 */
import * as vscode from 'vscode';
import { stateDictJson } from '../document/train';
import type { RnnDocument } from '../document/types';
import type { StateDict } from '../engine/types';
import { appendCurves, curveStepsDone } from '../protocol/curves';
import type { TrainSession, ViewMessage } from '../protocol/messages';
import { toWire, wireVec } from '../run/payload';
import { trainSummary } from '../run/train';
import { isTrainReply, startTrainJob, type TrainControl, type TrainReply, type TrainRequest } from '../worker/trainJob';
import { cachedRead, isLargeDocument, readCached, readForCommand } from './documentCache';
import { isRnnDocument, JSON_LANGUAGES } from './documentSelector';
import { startWorker, workerAvailable } from './runScheduler';
import { applyTextEdit, stateDictEdit, trainBlockEdit, trainBlockFor } from './trainEdit';
import { holdPayload, lastRunPayload, postToPanel, setPanelParticipant, showParticipantRun } from './unrollPanel';

const t = vscode.l10n.t;

/** Command ids (category "RNN"). */
export const TRAIN_COMMANDS = {
  train: 'rnnLens.train',
  saveTrainedWeights: 'rnnLens.saveTrainedWeights',
  addTrainBlock: 'rnnLens.addTrainBlock',
} as const;

/** Optional argument of rnnLens.train: which document, and "pause by itself after k steps". */
export interface TrainArgs {
  /** URI of the RNN document (default: the active editor's). */
  uri?: string;
  pauseAt?: number;
}

/** What rnnLens._trainInfo returns (tests). */
export interface TrainInfo {
  id: number;
  title: string;
  source?: string;
  where: 'worker' | 'inProcess';
  status: TrainSession['status'] | 'starting';
  stepsTotal: number;
  stepsDone: number;
  /** Loss and gradient norm of the kept steps: every step while there are few (src/protocol/curves.ts). */
  loss: (number | null)[];
  gradNorm: (number | null)[];
  /** The 0-based step of each kept point once older steps were thinned. */
  steps?: number[];
  /** The step of the last snapshot (its state_dict is what Save writes and what the panel shows). */
  shownStep: number;
  message?: string;
  /** How many state_dict snapshots arrived. */
  snapshots: number;
}

interface Run {
  id: number;
  title: string;
  uri?: vscode.Uri;
  where: 'worker' | 'inProcess';
  session: TrainSession;
  started: boolean;
  stateDict?: StateDict;
  snapshots: number;
  control(action: TrainControl['action']): void;
  dispose(): void;
  ended: boolean;
  /** The panel shows this run's model (false once another run replaced it or the panel closed). */
  shown: boolean;
}

let sequence = 0;
let active: Run | undefined;

function fileName(uri: vscode.Uri): string {
  const parts = uri.path.split('/');
  return parts[parts.length - 1] || uri.toString();
}

function info(run: Run): TrainInfo {
  const s = run.session;
  const out: TrainInfo = {
    id: run.id,
    title: run.title,
    where: run.where,
    status: run.started ? s.status : 'starting',
    stepsTotal: s.stepsTotal,
    stepsDone: curveStepsDone(s),
    loss: [...s.loss],
    gradNorm: [...s.gradNorm],
    shownStep: s.shownStep,
    snapshots: run.snapshots,
  };
  if (s.steps) out.steps = [...s.steps];
  if (s.source) out.source = s.source;
  if (s.message) out.message = s.message;
  return out;
}

/** Ends the active run (its worker terminated), if any; the panel keeps showing what it showed. */
function endActive(): void {
  const run = active;
  if (!run) return;
  if (!run.ended) {
    run.ended = true;
    run.dispose();
    if (run.session.status === 'running' || run.session.status === 'paused') {
      run.session.status = 'stopped';
      run.session.message = t('Stopped after {0} of {1} steps.', curveStepsDone(run.session), run.session.stepsTotal);
    }
  }
}

/** Handles one reply of the training job. */
function onReply(run: Run, m: TrainReply): void {
  if (active !== run || run.ended) return;
  const s = run.session;
  switch (m.type) {
    case 'trainBegin':
      s.stepsTotal = m.stepsTotal;
      s.before = toWire(m.before);
      s.target = toWire(m.target);
      return;
    case 'trainSnapshot': {
      run.stateDict = m.stateDict;
      run.snapshots++;
      s.shownStep = m.step;
      s.after = toWire(m.prediction);
      if (!run.started) {
        // the first snapshot (step 0) opens the panel on the model before training
        run.started = true;
        showParticipantRun(m.payload);
        postToPanel({ type: 'trainSession', session: s });
      } else {
        holdPayload(m.payload, { open: false });
        postToPanel({ type: 'trainSnapshot', step: m.step, payload: m.payload, prediction: s.after });
      }
      return;
    }
    case 'trainSteps': {
      const loss = wireVec(m.loss);
      const gradNorm = wireVec(m.gradNorm);
      // kept bounded (older steps thinned, spikes kept): memory stays flat over long runs
      appendCurves(s, m.from, loss, gradNorm);
      postToPanel({ type: 'trainSteps', from: m.from, loss, gradNorm });
      return;
    }
    case 'trainStatus': {
      s.status = m.status === 'done' ? 'done' : m.status;
      s.message = undefined;
      if (m.stop?.reason === 'non-finite') {
        s.message = t('Training stopped at step {0}: the loss or the gradient norm is NaN or inf. The model shown is the last finite one (after {1} steps).', m.stop.step + 1, m.stepsDone);
      } else if (m.status === 'stopped') {
        s.message = t('Stopped after {0} of {1} steps.', m.stepsDone, s.stepsTotal);
      }
      postToPanel(s.message ? { type: 'trainStatus', status: s.status, stepsDone: m.stepsDone, message: s.message } : { type: 'trainStatus', status: s.status, stepsDone: m.stepsDone });
      if (m.status === 'stopped' || m.status === 'done') {
        run.ended = true;
        run.dispose();
      }
      return;
    }
    case 'error': {
      s.status = 'failed';
      s.message = t('Training failed: {0}', m.message);
      run.ended = true;
      run.dispose();
      if (run.started) postToPanel({ type: 'trainStatus', status: 'failed', stepsDone: curveStepsDone(s), message: s.message });
      void vscode.window.showErrorMessage(s.message);
      return;
    }
  }
}

/** Starts training `doc` (it has a `train` block): in a worker when one can start. */
async function start(doc: RnnDocument, title: string, uri: vscode.Uri | undefined, pauseAt?: number): Promise<Run> {
  endActive();
  const summary = trainSummary(doc.train!);
  const session: TrainSession = {
    title,
    summary,
    stepsTotal: summary.steps,
    status: 'running',
    loss: [],
    gradNorm: [],
    shownStep: 0,
  };
  if (uri) session.source = uri.toString();
  const request: TrainRequest = { kind: 'train', doc, title, bundle: vscode.l10n.bundle };
  if (uri) request.source = uri.toString();
  if (pauseAt !== undefined) request.pauseAt = pauseAt;
  const id = ++sequence;
  const run: Run = {
    id,
    title,
    uri,
    where: 'worker',
    session,
    started: false,
    snapshots: 0,
    ended: false,
    shown: true,
    control: () => undefined,
    dispose: () => undefined,
  };
  active = run;
  let worker = workerAvailable() ? await startWorker().catch(() => undefined) : undefined;
  if (active !== run) {
    void worker?.terminate();
    return run;
  }
  if (worker) {
    const w = worker;
    run.control = (action) => w.post({ kind: 'trainControl', action });
    run.dispose = () => void w.terminate();
    w.listen(
      (m) => {
        if (isTrainReply(m)) onReply(run, m);
      },
      (message) => onReply(run, { type: 'error', message }),
    );
    try {
      w.post(request);
    } catch (e) {
      worker = undefined;
      void w.terminate();
    }
  }
  if (!worker) {
    // no worker here (e.g. a web host that refuses blob: workers): the same job, in slices
    run.where = 'inProcess';
    let cancelled = false;
    const job = startTrainJob(request, {
      post: (m) => {
        if (!cancelled) onReply(run, m);
      },
      schedule: (fn) => void setTimeout(() => !cancelled && fn(), 0),
    });
    run.control = (action) => job.control(action);
    run.dispose = () => {
      cancelled = true;
    };
  }
  return run;
}

/** Reads an RNN document for training; says what is missing (and offers to add a train block). */
async function readTrainable(textDoc: vscode.TextDocument): Promise<RnnDocument | undefined> {
  const read = cachedRead(textDoc) ?? (await readForCommand(textDoc));
  if (!read.document) {
    const errors = read.diagnostics.filter((d) => d.severity === 'error');
    const first = errors[0] ?? read.diagnostics[0];
    const line = first ? textDoc.positionAt(first.span.start).line + 1 : 1;
    const message = !first
      ? t('{0} cannot be read as an RNN document.', fileName(textDoc.uri))
      : errors.length > 1
        ? t('{0}, line {1}: {2} (and {3} more problems)', fileName(textDoc.uri), line, first.message, errors.length - 1)
        : t('{0}, line {1}: {2}', fileName(textDoc.uri), line, first.message);
    const show = t('Show Problems');
    void vscode.window.showErrorMessage(message, show).then((pick) => (pick === show ? vscode.commands.executeCommand('workbench.actions.view.problems') : undefined));
    return undefined;
  }
  if (!read.document.train) {
    const add = t('Add a training target');
    void vscode.window
      .showInformationMessage(t('{0} has no "train" block: add one (loss, target, optimizer, steps) to train it.', fileName(textDoc.uri)), add)
      .then((pick) => (pick === add ? addTrainBlock(textDoc.uri.toString()) : undefined));
    return undefined;
  }
  return read.document;
}

function parseTrainArgs(arg: unknown): { uri?: vscode.Uri; pauseAt?: number } {
  if (arg instanceof vscode.Uri) return { uri: arg };
  if (!arg || typeof arg !== 'object') return {};
  const a = arg as TrainArgs;
  const out: { uri?: vscode.Uri; pauseAt?: number } = {};
  if (typeof a.uri === 'string' && a.uri) out.uri = vscode.Uri.parse(a.uri, true);
  if (typeof a.pauseAt === 'number' && Number.isInteger(a.pauseAt) && a.pauseAt >= 0) out.pauseAt = a.pauseAt;
  return out;
}

/** rnnLens.train: trains the active RNN document (or args.uri). Resolves to whether training started. */
export async function trainCommand(arg?: unknown): Promise<boolean> {
  const args = parseTrainArgs(arg);
  const textDoc = args.uri ? await vscode.workspace.openTextDocument(args.uri) : vscode.window.activeTextEditor?.document;
  if (!textDoc || !isRnnDocument(textDoc)) {
    void vscode.window.showInformationMessage(t('Open an RNN document (*.rnn.json) with a "train" block, then run "RNN: Train" again.'));
    return false;
  }
  const doc = await readTrainable(textDoc);
  if (!doc) return false;
  await start(doc, fileName(textDoc.uri), textDoc.uri, args.pauseAt);
  return true;
}

/** rnnLens.saveTrainedWeights / the panel's Save buttons. Resolves to the URI written to, if any. */
export async function saveTrainedWeights(to?: 'document' | 'newDocument'): Promise<string | undefined> {
  const run = active;
  if (!run?.stateDict) {
    void vscode.window.showInformationMessage(t('Nothing to save yet: train a document first ("RNN: Train").'));
    return undefined;
  }
  if (run.session.status === 'running') {
    void vscode.window.showInformationMessage(t('Pause or stop training first: the weights are saved as they are at one step.'));
    return undefined;
  }
  const step = run.session.shownStep;
  let target = to;
  if (!target) {
    const intoDoc = { label: t('Into the document'), detail: t('Replace (or add) its "state_dict" with the weights after step {0}', step), to: 'document' as const };
    const intoNew = { label: t('Into a new document'), detail: t('A copy of the document with the weights after step {0}', step), to: 'newDocument' as const };
    const pick = await vscode.window.showQuickPick(run.uri ? [intoDoc, intoNew] : [intoNew], { placeHolder: t('Save the trained weights (after step {0})', step) });
    if (!pick) return undefined;
    target = pick.to;
  }
  const weights = stateDictJson(run.stateDict);
  const textDoc = run.uri ? await vscode.workspace.openTextDocument(run.uri) : undefined;
  const text = textDoc?.getText() ?? '{}';
  const edit = stateDictEdit(text, weights);
  if (!edit) {
    void vscode.window.showErrorMessage(t('{0} is not a JSON object any more: the weights were not written.', textDoc ? fileName(textDoc.uri) : run.title));
    return undefined;
  }
  if (target === 'document' && textDoc) {
    const we = new vscode.WorkspaceEdit();
    we.replace(textDoc.uri, new vscode.Range(textDoc.positionAt(edit.start), textDoc.positionAt(edit.end)), edit.newText);
    if (!(await vscode.workspace.applyEdit(we))) return undefined;
    // show where the weights went (a state_dict added at the end of a long document is out of view)
    const key = edit.newText.indexOf('"state_dict"');
    const at = textDoc.positionAt(edit.start + Math.max(0, key));
    for (const editor of vscode.window.visibleTextEditors) {
      if (editor.document !== textDoc) continue;
      editor.selection = new vscode.Selection(at, at);
      editor.revealRange(new vscode.Range(at, at), vscode.TextEditorRevealType.InCenterIfOutsideViewport);
    }
    void vscode.window.showInformationMessage(t('RNN Lens: the weights after step {0} are now the "state_dict" of {1} (save the file to keep them).', step, fileName(textDoc.uri)));
    return textDoc.uri.toString();
  }
  const copy = await vscode.workspace.openTextDocument({ language: 'json', content: applyTextEdit(text, edit) });
  await vscode.window.showTextDocument(copy, { viewColumn: vscode.ViewColumn.One, preview: false });
  return copy.uri.toString();
}

/** rnnLens.addTrainBlock: adds a `train` block that fits the model and head (the code action runs it). */
export async function addTrainBlock(uriText?: string): Promise<boolean> {
  const textDoc = uriText ? await vscode.workspace.openTextDocument(vscode.Uri.parse(uriText, true)) : vscode.window.activeTextEditor?.document;
  if (!textDoc) return false;
  const edit = trainEditFor(textDoc);
  if (!edit) return false;
  const we = new vscode.WorkspaceEdit();
  we.replace(textDoc.uri, new vscode.Range(textDoc.positionAt(edit.start), textDoc.positionAt(edit.end)), edit.newText);
  return vscode.workspace.applyEdit(we);
}

function trainEditFor(textDoc: vscode.TextDocument) {
  if (!isRnnDocument(textDoc)) return undefined;
  const read = cachedRead(textDoc) ?? (isLargeDocument(textDoc) ? undefined : readCached(textDoc));
  if (!read?.document || read.document.train) return undefined;
  const block = trainBlockFor(read.document);
  return block ? trainBlockEdit(textDoc.getText(), block) : undefined;
}

/** Where the key `"key":` of a top-level value that starts at `valueStart` begins (valueStart when not found). */
function keyStart(text: string, key: string, valueStart: number): number {
  const before = text.slice(Math.max(0, valueStart - 200), valueStart);
  const m = new RegExp(`"${key}"\\s*:\\s*$`).exec(before);
  return m ? valueStart - before.length + m.index : valueStart;
}

/** The code action "Add a training target" where the model, head, embedding or input is (its key or its value). */
class TrainCodeActions implements vscode.CodeActionProvider {
  static readonly kind = vscode.CodeActionKind.RefactorRewrite.append('rnnLens.addTrain');
  provideCodeActions(textDoc: vscode.TextDocument, range: vscode.Range): vscode.CodeAction[] {
    if (!isRnnDocument(textDoc) || isLargeDocument(textDoc)) return [];
    const read = readCached(textDoc);
    const doc = read.document;
    if (!doc || doc.train) return [];
    const at = textDoc.offsetAt(range.start);
    const text = textDoc.getText();
    // on the key ("model": ...) as well as inside its value: the reader's spans cover the value
    const near = ['model', 'head', 'embedding', 'input'].some((k) => {
      const span = doc.spans[k];
      return span && at >= keyStart(text, k, span.start) && at <= span.end;
    });
    if (!near) return [];
    const block = trainBlockFor(doc);
    const edit = block && trainBlockEdit(textDoc.getText(), block);
    if (!edit) return [];
    const action = new vscode.CodeAction(t('Add a training target'), TrainCodeActions.kind);
    action.edit = new vscode.WorkspaceEdit();
    action.edit.replace(textDoc.uri, new vscode.Range(textDoc.positionAt(edit.start), textDoc.positionAt(edit.end)), edit.newText);
    return [action];
  }
}

/** Messages of the panel's Train section (validated by the panel before they get here). */
async function onViewMessage(m: ViewMessage): Promise<unknown> {
  switch (m.type) {
    case 'ready':
      // a reloaded or re-shown webview: the whole training run again, if the panel shows its model
      // (not after another document's run replaced it: a new panel would pair them)
      if (active?.started && active.shown) postToPanel({ type: 'trainSession', session: active.session });
      return undefined;
    case 'trainStart': {
      const source = lastRunPayload()?.source;
      if (!source) return false;
      return trainCommand({ uri: source });
    }
    case 'trainPause':
      if (active && !active.ended && active.session.status === 'running') active.control('pause');
      return undefined;
    case 'trainResume':
      if (active && !active.ended && active.session.status === 'paused') active.control('resume');
      return undefined;
    case 'trainStop':
      if (active && !active.ended) active.control('stop');
      return undefined;
    case 'trainSave':
      return saveTrainedWeights(m.to);
    default:
      return undefined;
  }
}

/** Registers the commands, the code action and the panel's Train section. */
export function registerTraining(_context: vscode.ExtensionContext): vscode.Disposable {
  const selector: vscode.DocumentSelector = JSON_LANGUAGES.map((language) => ({ language }));
  return vscode.Disposable.from(
    vscode.commands.registerCommand(TRAIN_COMMANDS.train, (arg?: unknown) => trainCommand(arg)),
    vscode.commands.registerCommand(TRAIN_COMMANDS.saveTrainedWeights, (arg?: unknown) => {
      const to = arg && typeof arg === 'object' ? (arg as { to?: unknown }).to : undefined;
      return saveTrainedWeights(to === 'document' || to === 'newDocument' ? to : undefined);
    }),
    vscode.commands.registerCommand(TRAIN_COMMANDS.addTrainBlock, (uri?: unknown) =>
      addTrainBlock(typeof uri === 'string' ? uri : uri instanceof vscode.Uri ? uri.toString() : undefined),
    ),
    vscode.commands.registerCommand('rnnLens._trainInfo', () => (active ? info(active) : undefined)),
    vscode.languages.registerCodeActionsProvider(selector, new TrainCodeActions(), { providedCodeActionKinds: [TrainCodeActions.kind] }),
    setPanelParticipant({
      onMessage: onViewMessage,
      onOtherRun: () => {
        // another run replaces the model shown: this training run ends (its weights stay savable)
        if (active) active.shown = false;
        endActive();
      },
      onDispose: () => {
        if (active) active.shown = false;
        endActive();
      },
    }),
    { dispose: () => endActive() },
  );
}
