/*
 * The Python side of RNN Lens in the editor: a hover on nn.RNN / nn.LSTM / nn.GRU calls with the
 * shapes the snippet implies (nn.Embedding in front and the Linear head in the chain), a hover on
 * nn.RNNCell / LSTMCell / GRUCell (h', c', parameters with gate rows), and CodeLenses "Unroll"
 * (run the model the snippet builds in the RNN Unroll View) and "Open as JSON" (the same model as
 * an RNN document to edit and keep). In a notebook (VS Code's notebook editor, cells with the
 * scheme vscode-notebook-cell) the code cells are read in order as one program, as Python runs
 * them top to bottom, so a model built in one cell and called in another is read whole.
 * Reading the snippet is pure (src/python); this file only turns it into editor features.
 * Layer: extension (imports vscode, src/python, src/document, and the panel's host functions).
 */
import * as vscode from 'vscode';
import {
  cellParameters,
  cellShapes,
  formatMsg,
  programFromCells,
  readSnippet,
  snippetReport,
  toRnnDocument,
  type Msg,
  type NotebookProgram,
  type SnippetModel,
  type SnippetResult,
} from '../python';
import { readDocument } from '../document/reader';
import type { RunPayload } from '../protocol/messages';
import { runAndShow } from './runAndShow';
import { escapeMarkdown, shapeMarkdown } from './hoverMarkdown';
import { showRunError } from './unrollPanel';

/** Command ids (hidden from the palette: they act on a model under a CodeLens). */
export const UNROLL_SNIPPET = 'rnnLens.unrollSnippet';
export const OPEN_SNIPPET_AS_JSON = 'rnnLens.openSnippetAsJson';
export const TRAIN_SNIPPET = 'rnnLens.trainSnippet';

const t = vscode.l10n.t;
const PYTHON: vscode.DocumentSelector = [{ language: 'python' }, { scheme: 'vscode-notebook-cell', language: 'python' }];

/**
 * What the reader saw for a document: the result over the whole program (a notebook's code cells
 * joined), and where this document's text starts in that program.
 */
interface SnippetView {
  result: SnippetResult;
  /** Offset of this document's first character in the program text (0 for a .py file). */
  start: number;
  /** Offset just past this document's text in the program. */
  end: number;
  /** For a notebook cell: the notebook and the program's cells. */
  notebook?: { uri: vscode.Uri; program: NotebookProgram; cellIndex: number };
}

const cache = new Map<string, { version: string; view: SnippetView }>();

/** The notebook a cell document belongs to. */
function notebookOf(document: vscode.TextDocument): vscode.NotebookDocument | undefined {
  if (document.uri.scheme !== 'vscode-notebook-cell') return undefined;
  const key = document.uri.toString();
  return vscode.workspace.notebookDocuments.find((nb) => nb.getCells().some((c) => c.document.uri.toString() === key));
}

/** The snippet read once per document version (per version of every code cell, in a notebook). */
function snippetOf(document: vscode.TextDocument): SnippetView {
  const nb = notebookOf(document);
  if (nb) {
    const cells = nb.getCells().filter((c) => c.kind === vscode.NotebookCellKind.Code && c.document.languageId === 'python');
    const version = `${nb.uri.toString()}|${cells.map((c) => `${c.index}:${c.document.version}`).join(',')}`;
    const key = `${nb.uri.toString()}#${document.uri.toString()}`;
    const hit = cache.get(key);
    if (hit && hit.version === version) return hit.view;
    const program = programFromCells(cells.map((c) => ({ index: c.index, source: c.document.getText() })));
    const self = cells.find((c) => c.document.uri.toString() === document.uri.toString());
    const pc = program.cells.find((c) => c.index === self?.index);
    const shared = [...cache.values()].find((v) => v.version === version)?.view.result;
    const view: SnippetView = {
      result: shared ?? readSnippet(program.text),
      start: pc?.start ?? 0,
      end: pc?.end ?? 0,
      notebook: { uri: nb.uri, program, cellIndex: self?.index ?? -1 },
    };
    remember(key, version, view);
    return view;
  }
  const key = document.uri.toString();
  const version = String(document.version);
  const hit = cache.get(key);
  if (hit && hit.version === version) return hit.view;
  const text = document.getText();
  const view: SnippetView = { result: readSnippet(text), start: 0, end: text.length };
  remember(key, version, view);
  return view;
}

function remember(key: string, version: string, view: SnippetView): void {
  cache.set(key, { version, view });
  if (cache.size > 50) cache.delete(cache.keys().next().value as string);
}

/** The models whose constructor stands in this document (a notebook: in this cell). */
function modelsHere(document: vscode.TextDocument): { model: SnippetModel; index: number; range: vscode.Range }[] {
  const v = snippetOf(document);
  const out: { model: SnippetModel; index: number; range: vscode.Range }[] = [];
  v.result.models.forEach((model, index) => {
    if (model.span.start < v.start || model.span.start > v.end) return;
    const range = new vscode.Range(document.positionAt(model.span.start - v.start), document.positionAt(Math.min(model.span.end, v.end) - v.start));
    out.push({ model, index, range });
  });
  return out;
}

function localise(m: Msg): string {
  return formatMsg(m, (s, ...args) => t(s, ...args));
}

function modelAt(document: vscode.TextDocument, position: vscode.Position): SnippetModel | undefined {
  return modelsHere(document).find((m) => m.range.contains(position))?.model;
}

function fileName(uri: vscode.Uri): string {
  const parts = uri.path.split('/');
  return parts[parts.length - 1] || uri.toString();
}

const dims = (s: readonly (number | string)[]) => (s.length === 1 ? `(${s[0]},)` : `(${s.join(', ')})`);

/** The Markdown for nn.RNNCell / LSTMCell / GRUCell: one time step, h' (and c'), parameters with gate rows. */
function cellMarkdown(m: SnippetModel): string {
  const lines: string[] = [`**RNN Lens** · \`${m.callee.replace(/[`\r\n]/g, '')}\``];
  const s = cellShapes(m);
  const params = cellParameters(m);
  if (s && params) {
    const parts = [`input ${dims(s.input)} → h' ${dims(s.h)}`];
    if (s.c) parts.push(`c' ${dims(s.c)}`);
    lines.push('', parts.join(' · '));
    const loop = m.cellLoop;
    if (loop?.sequence) {
      const seq = loop.sequence;
      lines.push('', t('Called once per time step by the loop at line {0}: {1} {2} (time first) → the stack of h {3}. Unroll shows every step.', loop.line + 1, escapeMarkdown(loop.source), dims(seq), dims([...seq.slice(0, -1), m.config.hiddenSize!])));
    } else {
      lines.push('', t('One time step: call it once per step (a loop over time) to unroll it.'));
    }
    lines.push('', `| ${t('parameter')} | ${t('shape')} | ${t('gate rows')} |`, '|---|---|---|');
    const H = m.config.hiddenSize!;
    for (const p of params) {
      const gates = p.gates.length > 0 ? p.gates.map((g, i) => `${g}: ${i * H}–${(i + 1) * H - 1}`).join(', ') : '—';
      lines.push(`| \`${p.name}\` | ${dims(p.shape)} | ${gates} |`);
    }
  } else {
    lines.push('', t('The shapes cannot be computed until every argument is known.'));
  }
  const notes = m.notes;
  if (notes.length > 0) {
    lines.push('', `**${t('Notes')}**`, '');
    for (const n of notes) lines.push(`- ${escapeMarkdown(localise(n))}`);
  }
  return lines.join('\n');
}

/** `nn.Embedding(25002, 100) → nn.LSTM(100, 256) → nn.Linear(512, 1)` when an embedding feeds the model. */
function chainLine(m: SnippetModel): string | undefined {
  const e = m.embedding;
  if (!e) return undefined;
  const num = (v: number | undefined) => (v === undefined ? '?' : String(v));
  const parts = [`nn.Embedding(${num(e.numEmbeddings)}, ${num(e.embeddingDim)})`, `nn.${m.moduleType ?? m.type}(${num(m.config.inputSize)}, ${num(m.config.hiddenSize)})`];
  if (m.head) parts.push(`nn.Linear(${num(m.head.inFeatures)}, ${num(m.head.outFeatures)})`);
  return parts.join(' → ');
}

/** The Markdown shown on hover and by Show Shapes for one model of a snippet. */
function snippetMarkdown(m: SnippetModel): string {
  if (m.cell) return cellMarkdown(m);
  const r = snippetReport(m);
  const lines: string[] = [`**RNN Lens** · \`${m.callee.replace(/[`\r\n]/g, '')}\``];
  const chain = chainLine(m);
  if (chain) lines.push('', escapeMarkdown(chain));
  if (r.summary) lines.push('', r.summary);
  if (r.report && r.model) {
    lines.push('', shapeMarkdown(r.report, t, { model: r.model, head: r.head }));
  } else {
    lines.push('', t('The shapes cannot be computed until every argument is known.'));
  }
  if (r.notes.length > 0) {
    lines.push('', `**${t('Notes')}**`, '');
    for (const n of r.notes) lines.push(`- ${escapeMarkdown(localise(n))}`);
  }
  return lines.join('\n');
}

/**
 * For rnnLens.showShapes on a Python file: the Markdown of the model under the cursor
 * (or the only model of the file), or undefined when there is none.
 */
export function pythonShapeReportAt(document: vscode.TextDocument, position: vscode.Position): { markdown: string } | undefined {
  const models = modelsHere(document).map((x) => x.model);
  const m = modelAt(document, position) ?? (models.length === 1 ? models[0] : undefined);
  return m ? { markdown: snippetMarkdown(m) } : undefined;
}

/** Where a model stands, for titles: `file.py, line 12` or `notebook.ipynb, cell 3, line 2`. */
function placeOf(document: vscode.TextDocument, m: SnippetModel): { file: string; line: number; cell?: number } {
  const v = snippetOf(document);
  if (v.notebook) {
    const pc = v.notebook.program.cells.filter((c) => c.line <= m.line).pop();
    return { file: fileName(v.notebook.uri), line: m.line - (pc?.line ?? 0) + 1, cell: pc?.index };
  }
  return { file: fileName(document.uri), line: m.line + 1 };
}

/** The RNN document text for model `index` of a Python document. */
function documentText(document: vscode.TextDocument, m: SnippetModel): string {
  const p = placeOf(document, m);
  const description =
    p.cell !== undefined
      ? t('Read by RNN Lens from {0}, cell {1}, line {2}: {3}', p.file, p.cell + 1, p.line, m.callee)
      : t('Read by RNN Lens from {0}, line {1}: {2}', p.file, p.line, m.callee);
  return toRnnDocument(m, description, t);
}

async function resolveTarget(uriArg: unknown, indexArg: unknown): Promise<{ document: vscode.TextDocument; model: SnippetModel } | undefined> {
  let document: vscode.TextDocument | undefined;
  if (typeof uriArg === 'string' || uriArg instanceof vscode.Uri) {
    const uri = typeof uriArg === 'string' ? vscode.Uri.parse(uriArg) : uriArg;
    document =
      vscode.workspace.textDocuments.find((d) => d.uri.toString() === uri.toString()) ??
      vscode.workspace.notebookDocuments.flatMap((nb) => nb.getCells()).find((c) => c.document.uri.toString() === uri.toString())?.document ??
      (await vscode.workspace.openTextDocument(uri));
  } else {
    document = vscode.window.activeTextEditor?.document;
  }
  if (!document) return undefined;
  const models = snippetOf(document).result.models;
  let model: SnippetModel | undefined;
  if (typeof indexArg === 'number') model = models[indexArg];
  else {
    const editor = vscode.window.activeTextEditor;
    if (editor && editor.document === document) model = modelAt(document, editor.selection.active);
    model ??= modelsHere(document)[0]?.model ?? models[0];
  }
  return model ? { document, model } : undefined;
}

/** rnnLens.unrollSnippet(uri?, index?): runs the model and shows it; returns the payload shown. */
async function unrollSnippet(uriArg?: unknown, indexArg?: unknown): Promise<RunPayload | undefined> {
  const target = await resolveTarget(uriArg, indexArg);
  if (!target) {
    void vscode.window.showInformationMessage(t('No nn.RNN, nn.LSTM or nn.GRU call was found in this Python file.'));
    return undefined;
  }
  const { document, model } = target;
  const p = placeOf(document, model);
  const title = p.cell !== undefined ? t('{0}, cell {1}, line {2}: {3}', p.file, p.cell + 1, p.line, model.callee) : t('{0}, line {1}: {2}', p.file, p.line, model.callee);
  // A cell runs as a cell document (README "Cells"): the loop over time around its call, unrolled.
  if (model.cell ? !cellRunnable(model) : !model.complete) {
    const why = model.notes.slice(0, 3).map(localise).join(' ');
    showRunError(t('{0} cannot be run yet: {1}', title, why));
    return undefined;
  }
  // Unroll runs the model only: the file's training (whose train block may still need the
  // user's values) stays out of the run, as before.
  const text = documentText(document, { ...model, training: undefined });
  const read = readDocument(text, { translate: (s, ...a) => t(s, ...a) });
  if (!read.document) {
    const first = read.diagnostics.find((d) => d.severity === 'error') ?? read.diagnostics[0];
    showRunError(t('{0} cannot be run: {1}', title, first ? first.message : t('the model is not valid')));
    return undefined;
  }
  try {
    const report = snippetReport(model);
    const outcome = await runAndShow({ doc: read.document, title, source: document.uri.toString() }, (payload) => {
      for (const n of report.notes) {
        const s = localise(n);
        if (!payload.notes.includes(s)) payload.notes.push(s);
      }
    });
    if (outcome.kind === 'cancelled') return undefined;
    if (outcome.kind === 'error') throw new Error(outcome.message);
    return outcome.payload;
  } catch (err) {
    showRunError(t('{0} could not be run: {1}', title, err instanceof Error ? err.message : String(err)));
    return undefined;
  }
}

/** A cell can be run when its class and sizes are known (its other arguments have defaults). */
function cellRunnable(m: SnippetModel): boolean {
  return m.moduleType !== null && m.config.inputSize !== undefined && m.config.hiddenSize !== undefined && m.unresolved.length === 0;
}

/** rnnLens.openSnippetAsJson(uri?, index?): the model as a new untitled RNN document; returns its URI. */
async function openSnippetAsJson(uriArg?: unknown, indexArg?: unknown): Promise<string | undefined> {
  const target = await resolveTarget(uriArg, indexArg);
  if (!target) {
    void vscode.window.showInformationMessage(t('No nn.RNN, nn.LSTM or nn.GRU call was found in this Python file.'));
    return undefined;
  }
  const doc = await vscode.workspace.openTextDocument({ language: 'json', content: documentText(target.document, target.model) });
  await vscode.window.showTextDocument(doc, { viewColumn: vscode.ViewColumn.Beside });
  return doc.uri.toString();
}

/**
 * rnnLens.trainSnippet(uri?, index?): opens the model and the file's training as an untitled RNN
 * document (as Open as JSON does) and trains it with rnnLens.train; resolves to whether training started.
 */
async function trainSnippet(uriArg?: unknown, indexArg?: unknown): Promise<boolean> {
  const uri = await openSnippetAsJson(uriArg, indexArg);
  if (!uri) return false;
  return (await vscode.commands.executeCommand<boolean>('rnnLens.train', { uri })) === true;
}

class SnippetLenses implements vscode.CodeLensProvider {
  readonly changed = new vscode.EventEmitter<void>();
  readonly onDidChangeCodeLenses = this.changed.event;

  provideCodeLenses(document: vscode.TextDocument): vscode.CodeLens[] {
    const lenses: vscode.CodeLens[] = [];
    modelsHere(document).forEach(({ model: m, index, range: whole }) => {
      const range = new vscode.Range(whole.start, whole.start);
      const args = [document.uri.toString(), index];
      lenses.push(
        new vscode.CodeLens(range, {
          title: `$(play) ${t('Unroll')}`,
          tooltip: m.cell
            ? m.cellLoop ? t('Run the loop over time that calls this {0} in the RNN Unroll View, step by step', m.moduleType ?? m.type) : t('Run one step of this {0} in the RNN Unroll View', m.moduleType ?? m.type)
            : t('Run this {0} in the RNN Unroll View with the numbers the snippet implies', m.type),
          command: UNROLL_SNIPPET,
          arguments: args,
        }),
        new vscode.CodeLens(range, {
          title: t('Open as JSON'),
          tooltip: t('Open this model as an RNN document to edit and keep'),
          command: OPEN_SNIPPET_AS_JSON,
          arguments: args,
        }),
      );
    });
    // "Train" on the training loop (the loop may be in another notebook cell than the model),
    // only when the reader found both the loss and the optimizer: without them Open as JSON
    // writes no train block, and Train would have nothing to run.
    const v = snippetOf(document);
    // "Unroll" on the loop over time that calls a cell, too (where the user reads the loop).
    v.result.models.forEach((m, index) => {
      const at = m.cellLoop?.offset;
      if (!m.cell || at === undefined || at < v.start || at > v.end) return;
      const pos = document.positionAt(at - v.start);
      lenses.push(new vscode.CodeLens(new vscode.Range(pos, pos), {
        title: `$(play) ${t('Unroll')}`,
        tooltip: t('Run the loop over time that calls this {0} in the RNN Unroll View, step by step', m.moduleType ?? m.type),
        command: UNROLL_SNIPPET,
        arguments: [document.uri.toString(), index],
      }));
    });
    v.result.models.forEach((m, index) => {
      const at = m.training?.loopOffset;
      if (m.cell || at === undefined || at < v.start || at > v.end) return;
      if (!m.training?.loss || !m.training.optimizer) return;
      const pos = document.positionAt(at - v.start);
      lenses.push(
        new vscode.CodeLens(new vscode.Range(pos, pos), {
          title: `$(pulse) ${t('Train')}`,
          tooltip: t('Open this model and its training as an RNN document and train it as PyTorch would'),
          command: TRAIN_SNIPPET,
          arguments: [document.uri.toString(), index],
        }),
      );
    });
    return lenses;
  }
}

/** Registers the Python hover, CodeLenses and their two commands. */
export function registerPythonFeatures(_context: vscode.ExtensionContext): vscode.Disposable {
  const lenses = new SnippetLenses();
  return vscode.Disposable.from(
    lenses.changed,
    vscode.languages.registerHoverProvider(PYTHON, {
      provideHover(document, position) {
        const m = modelAt(document, position);
        if (!m) return undefined;
        const md = new vscode.MarkdownString(snippetMarkdown(m));
        md.isTrusted = false;
        md.supportHtml = false;
        const range = modelsHere(document).find((x) => x.model === m)?.range;
        return new vscode.Hover(md, range);
      },
    }),
    vscode.languages.registerCodeLensProvider(PYTHON, lenses),
    vscode.commands.registerCommand(UNROLL_SNIPPET, unrollSnippet),
    vscode.commands.registerCommand(OPEN_SNIPPET_AS_JSON, openSnippetAsJson),
    vscode.commands.registerCommand(TRAIN_SNIPPET, trainSnippet),
    vscode.workspace.onDidCloseTextDocument((d) => cache.delete(d.uri.toString())),
  );
}
