/*
 * The RNN commands: Run Forward on Selection, Open Unroll View, Show Shapes, New RNN Document.
 * Each is a thin layer over pure code (run/selection.ts, hoverContent.ts, templates.ts, run/payload.ts):
 * here only the editor, notifications, QuickPicks and the panel are touched.
 * Layer: extension (imports vscode, document, engine through the pure modules).
 *
 * Never modifies the user's text: a run reads the document; new documents are untitled.
 *
 * rnnLens.runForward accepts an optional argument for scripts and tests:
 *   { model: "<uri of an RNN document>" }  or  { model: "template:<id>" }  (ids in templates.ts)
 * which answers the "which model?" question when a nested array is selected in a file that is
 * not an RNN document (otherwise a QuickPick asks). A vscode.Uri argument (from a menu) is the
 * document to run and is ignored here: the active editor is always the one that runs.
 *
 * Large documents (over rnnLens.diagnostics.workerThreshold) are never read on the extension
 * host by a command: the read of this version that diagnostics cached, or a worker read
 * (documentCache.readForCommand), with a status bar message while it runs. Show Shapes on a large
 * document with errors says what the worker read found (it does not parse the text here to show
 * the model despite the errors, as it does for small documents). A selected array over the same
 * threshold is read in a worker too (documentCache.readArrayInWorker).
 *
 * rnnLens._lastMessage (internal, for tests) returns the last notification these commands showed.
 */
import * as vscode from 'vscode';
import { checkInputShape } from '../document/reader';
import { cellInputOverride } from '../document/cell';
import { readDocument } from '../document/reader';
import type { Diagnostic, ReadResult, RnnDocument, Span } from '../document/types';
import type { Tensor } from '../engine/types';
import type { RunPayload } from '../protocol/messages';
import { publishDiagnostics } from './diagnostics';
import { cachedRead, documentTranslate, isLargeDocument, isLargeSelection, readArrayInWorker, readForCommand } from './documentCache';
import { isRnnDocument, RNN_DOCUMENT_SUFFIX } from './documentSelector';
import { treeOf } from './hover';
import { modelMarkdown, modelView } from './hoverContent';
import { pythonShapeReportAt } from './python';
import { runAndShow } from './runAndShow';
import { registerRunScheduler } from './runScheduler';
import { checkStateShape, decisionFromArray, readNestedArray, selectionStep, type ArrayReadResult, type RunDecision } from '../run/selection';
import { getSettings } from './settings';
import { noteHostParse } from './workStats';
import { templateById, templateCursorOffset, TEMPLATES, type RnnTemplate } from './templates';
import { lastRunPayload, openUnrollView, showRunError } from './unrollPanel';

/** Command ids (category "RNN" in package.json). */
export const COMMANDS = {
  runForward: 'rnnLens.runForward',
  openUnrollView: 'rnnLens.openUnrollView',
  showShapes: 'rnnLens.showShapes',
  newDocument: 'rnnLens.newDocument',
} as const;

/** Scheme of the read-only Markdown documents that Show Shapes opens. */
export const SHAPES_SCHEME = 'rnn-lens-shapes';

/** Optional argument of rnnLens.runForward (see the header). */
export interface RunForwardArgs {
  model?: string;
}

/** Optional argument of rnnLens.newDocument: skip the QuickPick. */
export interface NewDocumentArgs {
  template?: string;
}

/**
 * The payload of the last successful run while the Unroll View shows it (tests read it through
 * the extension's API). Not kept here: the panel owns it, and closing the panel releases it.
 */
export function lastRun(): RunPayload | undefined {
  return lastRunPayload();
}

const t = vscode.l10n.t;

/** A notification shown by these commands (rnnLens._lastMessage returns the last one). */
export interface CommandMessage {
  severity: 'error' | 'info';
  text: string;
}

let lastMessage: CommandMessage | undefined;

/** Shows a notification and remembers it for rnnLens._lastMessage. */
function notify(severity: 'error' | 'info', text: string): void {
  lastMessage = { severity, text };
  void (severity === 'error' ? vscode.window.showErrorMessage(text) : vscode.window.showInformationMessage(text));
}

function fileName(uri: vscode.Uri): string {
  const parts = uri.path.split('/');
  return parts[parts.length - 1] || uri.toString();
}

function lineOf(doc: vscode.TextDocument, offset: number): number {
  return doc.positionAt(offset).line + 1;
}

/** The document's read for a command: cached, or in a worker for a large document (see the header). */
async function readForRun(doc: vscode.TextDocument): Promise<ReadResult> {
  const cached = cachedRead(doc);
  if (cached) return cached;
  if (!isLargeDocument(doc)) return readForCommand(doc);
  return vscode.window.withProgress(
    { location: vscode.ProgressLocation.Window, title: t('RNN Lens: reading {0}…', fileName(doc.uri)) },
    () => readForCommand(doc),
  );
}

/** Shows what is wrong and where ("line 3: ..."), with a pointer to the rest. */
function reportErrors(where: string, doc: vscode.TextDocument | undefined, text: string, diagnostics: readonly Diagnostic[]): void {
  const errors = diagnostics.filter((d) => d.severity === 'error');
  const first = errors[0] ?? diagnostics[0];
  if (!first) return;
  const line = doc ? lineOf(doc, first.span.start) : text.slice(0, first.span.start).split('\n').length;
  let message = t('{0}, line {1}: {2}', where, line, first.message);
  if (errors.length > 1) message += ` ${t('(and {0} more problems: see the Problems panel)', errors.length - 1)}`;
  notify('error', message);
  showRunError(message);
}

/**
 * Checks an input given for this model with PyTorch's messages: the input itself, then the
 * document's h0/c0 against the input's batch size.
 */
function inputProblem(doc: RnnDocument, input: Tensor): string | undefined {
  const own = checkInputShape(doc.model, input.shape, documentTranslate);
  if (own) return own;
  for (const which of ['h0', 'c0'] as const) {
    const src = doc[which];
    if (!src) continue;
    const shape = src.kind === 'rand' ? src.shape : src.tensor.shape;
    const problem = checkStateShape(doc.model, input.shape, shape, which);
    if (problem) return problem;
  }
  return undefined;
}

/**
 * Runs the document and shows it. runScheduler decides where (in-process, or a worker for large
 * runs, with progress and Cancel); a cancelled or superseded run leaves the last run shown.
 */
async function execute(doc: RnnDocument, title: string, source: string | undefined, input?: Tensor, preferWorker?: boolean): Promise<RunPayload | undefined> {
  const outcome = await runAndShow({ doc, title, source, input, preferWorker });
  if (outcome.kind === 'cancelled') return undefined;
  if (outcome.kind === 'error') {
    const message = t('The run failed: {0}', outcome.message);
    notify('error', message);
    showRunError(message);
    return undefined;
  }
  return outcome.payload;
}

interface ModelPick extends vscode.QuickPickItem {
  uri?: vscode.Uri;
  template?: RnnTemplate;
}

/** The RNN documents of the workspace and the open editors, then the built-in examples. */
async function modelPicks(): Promise<ModelPick[]> {
  const picks: ModelPick[] = [];
  const seen = new Set<string>();
  const add = (uri: vscode.Uri) => {
    if (seen.has(uri.toString())) return;
    seen.add(uri.toString());
    picks.push({ label: fileName(uri), description: vscode.workspace.asRelativePath(uri), uri });
  };
  for (const d of vscode.workspace.textDocuments) if (d.uri.scheme !== SHAPES_SCHEME && isRnnDocument(d)) add(d.uri);
  try {
    for (const uri of await vscode.workspace.findFiles(`**/*${RNN_DOCUMENT_SUFFIX}`, '**/node_modules/**', 200)) add(uri);
  } catch {
    // No folder open, or a file system without search: the open documents and examples remain.
  }
  picks.sort((a, b) => (a.description ?? '').localeCompare(b.description ?? ''));
  if (picks.length > 0) picks.unshift({ label: t('RNN documents'), kind: vscode.QuickPickItemKind.Separator });
  picks.push({ label: t('Built-in examples'), kind: vscode.QuickPickItemKind.Separator });
  for (const tpl of TEMPLATES) picks.push({ label: t(tpl.label), detail: t(tpl.detail), template: tpl });
  return picks;
}

/** Reads the model chosen for a selected array: from a URI, or a template. */
async function loadModel(choice: { uri?: vscode.Uri; template?: RnnTemplate }): Promise<{ doc?: RnnDocument; title: string; source?: string; large?: boolean }> {
  if (choice.template) {
    const read = readDocument(choice.template.text, { budget: getSettings().budget, translate: documentTranslate });
    if (!read.document) reportErrors(t('Example: {0}', t(choice.template.label)), undefined, choice.template.text, read.diagnostics);
    return { doc: read.document, title: t('Example: {0}', t(choice.template.label)) };
  }
  const uri = choice.uri as vscode.Uri;
  const textDoc = await vscode.workspace.openTextDocument(uri);
  const read = await readForRun(textDoc);
  if (!read.document) {
    publishDiagnostics(textDoc, read.diagnostics);
    reportErrors(fileName(uri), textDoc, textDoc.getText(), read.diagnostics);
  }
  return { doc: read.document, title: fileName(uri), source: uri.toString(), large: isLargeDocument(textDoc) };
}

function parseModelArg(arg: unknown): { uri?: vscode.Uri; template?: RnnTemplate } | undefined {
  if (!arg || typeof arg !== 'object' || arg instanceof vscode.Uri) return undefined;
  const model = (arg as RunForwardArgs).model;
  if (typeof model !== 'string' || model === '') return undefined;
  if (model.startsWith('template:')) {
    const template = templateById(model.slice('template:'.length));
    return template ? { template } : undefined;
  }
  return { uri: vscode.Uri.parse(model) };
}

/** rnnLens.runForward. Returns the payload shown, or undefined. */
export async function runForward(arg?: unknown): Promise<RunPayload | undefined> {
  const editor = vscode.window.activeTextEditor;
  if (!editor) {
    notify('info', t('Open an RNN document (*.rnn.json), or select a nested array of numbers, then run again.'));
    return undefined;
  }
  const doc = editor.document;
  const text = doc.getText();
  const rnn = isRnnDocument(doc);
  const settings = getSettings(doc.uri);
  const here = fileName(doc.uri);
  const version = doc.version;
  const step = selectionStep({
    text,
    start: doc.offsetAt(editor.selection.start),
    end: doc.offsetAt(editor.selection.end),
    languageId: doc.languageId,
    isRnnDocument: rnn,
    maxElements: settings.budget.maxElements,
  });
  let decision: RunDecision;
  // a selected array too large to read here is also run off the host
  let largeInput = false;
  if (step.kind === 'decided') decision = step.decision;
  else {
    const read = await readSelectedArray(doc, text, step.start, step.end, settings.budget.maxElements);
    if (!read) return undefined;
    // (an edit while a large selection was read: what was read is no longer what the spans point at)
    if (doc.version !== version) {
      notify('info', t('{0} changed while the selection was read: select the array again and run again.', here));
      return undefined;
    }
    decision = decisionFromArray(read, rnn);
    largeInput = isLargeSelection(doc, step.end - step.start);
  }
  switch (decision.kind) {
    case 'nothing':
      notify(
        'info',
        decision.reason === 'noSelection'
          ? t('Nothing to run here: select a nested array of numbers (a tensor), or open an RNN document (*.rnn.json).')
          : t('The selection is not a nested array of numbers. Select an array such as [[0.1, 0.2], [0.3, 0.4]].'),
      );
      return undefined;
    case 'error':
      reportErrors(here, doc, text, [{ severity: 'error', code: 'selection', message: decision.message, span: decision.span }]);
      return undefined;
    case 'document':
    case 'documentWithInput': {
      const read = await readForRun(doc);
      // (an edit while a large document was read: its own diagnostics are on the way)
      if (doc.version === version) publishDiagnostics(doc, read.diagnostics);
      if (!read.document) {
        reportErrors(here, doc, text, read.diagnostics);
        return undefined;
      }
      // a document too large to read here is also run off the host
      const large = largeInput || isLargeDocument(doc);
      if (decision.kind === 'document') return execute(read.document, here, doc.uri.toString(), undefined, large);
      return runWithInput(read.document, decision.tensor, decision.span, doc, here, doc.uri.toString(), large);
    }
    case 'askModel': {
      let choice = parseModelArg(arg);
      if (!choice) {
        const picked = await vscode.window.showQuickPick(modelPicks(), {
          title: t('Run the selected array (shape {0}) through which model?', `(${decision.tensor.shape.join(', ')})`),
          placeHolder: t('Choose an RNN document or a built-in example'),
          matchOnDescription: true,
          matchOnDetail: true,
        });
        if (!picked) return undefined;
        choice = picked;
      }
      const model = await loadModel(choice);
      if (!model.doc) return undefined;
      return runWithInput(model.doc, decision.tensor, decision.span, doc, t('{0} → {1}', here, model.title), model.source, model.large || largeInput);
    }
  }
}

/**
 * Reads the selected range as an array: here for a small selection, in a worker for one over
 * the worker threshold (with a status bar message). Undefined (after an error message) when no
 * worker could read it: a selection that large is never read on the host.
 */
async function readSelectedArray(doc: vscode.TextDocument, text: string, start: number, end: number, maxElements: number): Promise<ArrayReadResult | undefined> {
  if (!isLargeSelection(doc, end - start)) {
    noteHostParse(end - start);
    return readNestedArray(text, start, end, t, maxElements);
  }
  const size = (end - start).toLocaleString('en-US');
  const outcome = await vscode.window.withProgress(
    { location: vscode.ProgressLocation.Window, title: t('RNN Lens: reading the selected array ({0} characters)…', size) },
    () => readArrayInWorker(text, start, end, maxElements),
  );
  if ('read' in outcome) return outcome.read;
  const message = t('{0}: the selected array ({1} characters) could not be read in the background ({2}). Select a shorter array, or raise the setting rnnLens.diagnostics.workerThreshold to read it here.', fileName(doc.uri), size, outcome.failed);
  notify('error', message);
  showRunError(message);
  return undefined;
}

async function runWithInput(
  model: RnnDocument,
  input: Tensor,
  span: Span,
  where: vscode.TextDocument,
  title: string,
  source: string | undefined,
  preferWorker?: boolean,
): Promise<RunPayload | undefined> {
  // A cell document: the selected array is the loop's sequence or one step, as the document's input.
  const asCell = model.cell ? cellInputOverride(model.cell, input, documentTranslate) : undefined;
  if (asCell?.input) input = asCell.input;
  const problem = asCell?.problem ?? inputProblem(model, input);
  if (problem) {
    const message = t('{0}, line {1}: the selected array does not fit the model: {2}', fileName(where.uri), lineOf(where, span.start), problem);
    notify('error', message);
    showRunError(message);
    return undefined;
  }
  return execute(model, title, source, input, preferWorker);
}

/** Read-only Markdown documents of Show Shapes, by URI. */
class ShapesContent implements vscode.TextDocumentContentProvider {
  private readonly texts = new Map<string, string>();
  private readonly changed = new vscode.EventEmitter<vscode.Uri>();
  readonly onDidChange = this.changed.event;
  private counter = 0;

  provideTextDocumentContent(uri: vscode.Uri): string {
    return this.texts.get(uri.toString()) ?? '';
  }

  /** A new URI holding this Markdown. */
  add(name: string, markdown: string): vscode.Uri {
    const uri = vscode.Uri.from({ scheme: SHAPES_SCHEME, path: `/${name}.md`, query: String(++this.counter) });
    this.texts.set(uri.toString(), markdown);
    this.changed.fire(uri);
    return uri;
  }

  dispose(): void {
    this.changed.dispose();
    this.texts.clear();
  }
}

/**
 * Show Shapes on a large document whose read found no model: the first error's line and
 * message, and how many there are. False when the read reported no problem to show.
 */
function reportLargeDocumentErrors(doc: vscode.TextDocument, diagnostics: readonly Diagnostic[]): boolean {
  const errors = diagnostics.filter((d) => d.severity === 'error');
  const first = errors[0] ?? diagnostics[0];
  if (!first) return false;
  const line = lineOf(doc, first.span.start);
  const name = fileName(doc.uri);
  notify(
    'error',
    errors.length > 1
      ? t('Show Shapes: fix the {0} errors in {1} first (the shapes of a document this large are shown only when it reads without errors; see the Problems panel). The first, on line {2}: {3}', errors.length, name, line, first.message)
      : t('Show Shapes: fix the error in {0} first (the shapes of a document this large are shown only when it reads without errors). Line {1}: {2}', name, line, first.message),
  );
  return true;
}

/** rnnLens.showShapes: the shape report of the active RNN document, or of the Python model under the cursor. */
async function showShapes(content: ShapesContent): Promise<string | undefined> {
  const editor = vscode.window.activeTextEditor;
  const doc = editor?.document;
  let markdown: string | undefined;
  if (doc && isRnnDocument(doc)) {
    const version = doc.version;
    const read = await readForRun(doc);
    if (!read.document && isLargeDocument(doc)) {
      // A large document is never parsed here: say what the worker's read found, and where.
      if (doc.version === version) publishDiagnostics(doc, read.diagnostics);
      if (reportLargeDocumentErrors(doc, read.diagnostics)) return undefined;
    }
    // The parse tree only matters when the read found no model (small documents: the model is
    // shown despite errors elsewhere).
    const tree = read.document ? undefined : treeOf(doc);
    const view = modelView(doc.getText(), read, tree, getSettings(doc.uri).budget);
    if (view) markdown = modelMarkdown(view, t);
  } else if (doc && editor && doc.languageId === 'python') {
    markdown = pythonShapeReportAt(doc, editor.selection.active)?.markdown;
  }
  if (!markdown) {
    notify('info', t('No model found: open an RNN document (*.rnn.json) or put the cursor on nn.RNN / nn.LSTM / nn.GRU in Python.'));
    return undefined;
  }
  const name = doc ? fileName(doc.uri) : 'model';
  const uri = content.add(t('Shapes of {0}', name), `# ${t('Shapes of {0}', name.replace(/[\\`*_[\]#<>]/g, '\\$&'))}\n\n${markdown}\n`);
  try {
    await vscode.commands.executeCommand('markdown.showPreviewToSide', uri);
  } catch {
    // Without the built-in Markdown extension the source is still readable.
    await vscode.window.showTextDocument(uri, { viewColumn: vscode.ViewColumn.Beside, preview: true });
  }
  return uri.toString();
}

/** rnnLens.newDocument: an untitled JSON document from a template, cursor on the input. */
async function newDocument(arg?: unknown): Promise<string | undefined> {
  let template: RnnTemplate | undefined;
  const id = arg && typeof arg === 'object' ? (arg as NewDocumentArgs).template : undefined;
  if (typeof id === 'string') template = templateById(id);
  if (!template) {
    const picked = await vscode.window.showQuickPick(
      TEMPLATES.map((tpl) => ({ label: t(tpl.label), detail: t(tpl.detail), tpl })),
      { title: t('New RNN Document'), placeHolder: t('Choose a starting point (save it as *.rnn.json)') },
    );
    if (!picked) return undefined;
    template = picked.tpl;
  }
  const doc = await vscode.workspace.openTextDocument({ language: 'json', content: template.text });
  const editor = await vscode.window.showTextDocument(doc);
  const cursor = doc.positionAt(templateCursorOffset(template));
  editor.selection = new vscode.Selection(cursor, cursor);
  editor.revealRange(new vscode.Range(cursor, cursor));
  return doc.uri.toString();
}

/** Registers the four commands and the Show Shapes content provider. */
export function registerCommands(_context: vscode.ExtensionContext): vscode.Disposable {
  const content = new ShapesContent();
  return vscode.Disposable.from(
    content,
    registerRunScheduler(),
    vscode.workspace.registerTextDocumentContentProvider(SHAPES_SCHEME, content),
    vscode.commands.registerCommand(COMMANDS.runForward, (arg?: unknown) => runForward(arg)),
    vscode.commands.registerCommand(COMMANDS.openUnrollView, () => openUnrollView()),
    vscode.commands.registerCommand(COMMANDS.showShapes, () => showShapes(content)),
    vscode.commands.registerCommand(COMMANDS.newDocument, (arg?: unknown) => newDocument(arg)),
    vscode.commands.registerCommand('rnnLens._lastMessage', (): CommandMessage | undefined => lastMessage),
  );
}
