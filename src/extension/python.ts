/*
 * The Python side of RNN Lens in the editor: a hover on nn.RNN / nn.LSTM / nn.GRU calls with the
 * shapes the snippet implies, and CodeLenses "Unroll" (run the model the snippet builds in the
 * RNN Unroll View) and "Open as JSON" (the same model as an RNN document to edit and keep).
 * Reading the snippet is pure (src/python); this file only turns it into editor features.
 * Layer: extension (imports vscode, src/python, src/document, and the panel's host functions).
 */
import * as vscode from 'vscode';
import { formatMsg, readSnippet, snippetReport, toRnnDocument, type Msg, type SnippetModel, type SnippetResult } from '../python';
import { readDocument } from '../document/reader';
import type { RunPayload } from '../protocol/messages';
import { scheduleRun } from './runScheduler';
import { escapeMarkdown, shapeMarkdown } from './hoverMarkdown';
import { showRun, showRunError } from './unrollPanel';

/** Command ids (hidden from the palette: they act on a model under a CodeLens). */
export const UNROLL_SNIPPET = 'rnnLens.unrollSnippet';
export const OPEN_SNIPPET_AS_JSON = 'rnnLens.openSnippetAsJson';

const t = vscode.l10n.t;
const PYTHON: vscode.DocumentSelector = [{ language: 'python' }];

const cache = new Map<string, { version: number; result: SnippetResult }>();

/** The snippet read once per document version. */
function snippetOf(document: vscode.TextDocument): SnippetResult {
  const key = document.uri.toString();
  const hit = cache.get(key);
  if (hit && hit.version === document.version) return hit.result;
  const result = readSnippet(document.getText());
  cache.set(key, { version: document.version, result });
  if (cache.size > 50) cache.delete(cache.keys().next().value as string);
  return result;
}

function localise(m: Msg): string {
  return formatMsg(m, (s, ...args) => t(s, ...args));
}

function modelAt(document: vscode.TextDocument, position: vscode.Position): SnippetModel | undefined {
  const offset = document.offsetAt(position);
  return snippetOf(document).models.find((m) => m.span.start <= offset && offset <= m.span.end);
}

function fileName(uri: vscode.Uri): string {
  const parts = uri.path.split('/');
  return parts[parts.length - 1] || uri.toString();
}

/** The Markdown shown on hover and by Show Shapes for one model of a snippet. */
function snippetMarkdown(m: SnippetModel): string {
  const r = snippetReport(m);
  const lines: string[] = [`**RNN Lens** · \`${m.callee.replace(/[`\r\n]/g, '')}\``];
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
  const models = snippetOf(document).models;
  const m = modelAt(document, position) ?? (models.length === 1 ? models[0] : undefined);
  return m ? { markdown: snippetMarkdown(m) } : undefined;
}

/** The RNN document text for model `index` of a Python document. */
function documentText(document: vscode.TextDocument, m: SnippetModel): string {
  const description = t('Read by RNN Lens from {0}, line {1}: {2}', fileName(document.uri), m.line + 1, m.callee);
  return toRnnDocument(m, description);
}

async function resolveTarget(uriArg: unknown, indexArg: unknown): Promise<{ document: vscode.TextDocument; model: SnippetModel } | undefined> {
  let document: vscode.TextDocument | undefined;
  if (typeof uriArg === 'string' || uriArg instanceof vscode.Uri) {
    const uri = typeof uriArg === 'string' ? vscode.Uri.parse(uriArg) : uriArg;
    document = vscode.workspace.textDocuments.find((d) => d.uri.toString() === uri.toString()) ?? (await vscode.workspace.openTextDocument(uri));
  } else {
    document = vscode.window.activeTextEditor?.document;
  }
  if (!document) return undefined;
  const models = snippetOf(document).models;
  let model: SnippetModel | undefined;
  if (typeof indexArg === 'number') model = models[indexArg];
  else {
    const editor = vscode.window.activeTextEditor;
    if (editor && editor.document === document) model = modelAt(document, editor.selection.active);
    model ??= models[0];
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
  const title = t('{0}, line {1}: {2}', fileName(document.uri), model.line + 1, model.callee);
  if (!model.complete) {
    const why = model.notes.slice(0, 3).map(localise).join(' ');
    showRunError(t('{0} cannot be run yet: {1}', title, why));
    return undefined;
  }
  const text = documentText(document, model);
  const read = readDocument(text, { translate: (s, ...a) => t(s, ...a) });
  if (!read.document) {
    const first = read.diagnostics.find((d) => d.severity === 'error') ?? read.diagnostics[0];
    showRunError(t('{0} cannot be run: {1}', title, first ? first.message : t('the model is not valid')));
    return undefined;
  }
  try {
    const outcome = await scheduleRun({ doc: read.document, title, source: document.uri.toString() });
    if (outcome.kind === 'cancelled') return undefined;
    if (outcome.kind === 'error') throw new Error(outcome.message);
    const payload = outcome.payload;
    const report = snippetReport(model);
    for (const n of report.notes) {
      const s = localise(n);
      if (!payload.notes.includes(s)) payload.notes.push(s);
    }
    showRun(payload);
    return payload;
  } catch (err) {
    showRunError(t('{0} could not be run: {1}', title, err instanceof Error ? err.message : String(err)));
    return undefined;
  }
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

class SnippetLenses implements vscode.CodeLensProvider {
  readonly changed = new vscode.EventEmitter<void>();
  readonly onDidChangeCodeLenses = this.changed.event;

  provideCodeLenses(document: vscode.TextDocument): vscode.CodeLens[] {
    const lenses: vscode.CodeLens[] = [];
    snippetOf(document).models.forEach((m, index) => {
      const range = new vscode.Range(document.positionAt(m.span.start), document.positionAt(m.span.start));
      const args = [document.uri.toString(), index];
      lenses.push(
        new vscode.CodeLens(range, {
          title: `$(play) ${t('Unroll')}`,
          tooltip: t('Run this {0} in the RNN Unroll View with the numbers the snippet implies', m.type),
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
        return new vscode.Hover(md, new vscode.Range(document.positionAt(m.span.start), document.positionAt(m.span.end)));
      },
    }),
    vscode.languages.registerCodeLensProvider(PYTHON, lenses),
    vscode.commands.registerCommand(UNROLL_SNIPPET, unrollSnippet),
    vscode.commands.registerCommand(OPEN_SNIPPET_AS_JSON, openSnippetAsJson),
    vscode.workspace.onDidCloseTextDocument((d) => cache.delete(d.uri.toString())),
  );
}
