/*
 * The Python lint in the editor: the mistakes of python-snippets.md as diagnostics (source
 * "rnn-lens", code = the rule's code) on Python files and on the code cells of notebooks (read
 * top to bottom as one program, each finding shown in its cell), and their quick fixes where a
 * fix is safe (bidirectional-last-step: torch.cat((h_n[-2], h_n[-1]), dim=1); dropout-single-layer:
 * num_layers=2 or no dropout). A quick fix is a CodeAction whose edit the user picks; nothing
 * here edits a document by itself. Settings: rnnLens.lint.enabled, rnnLens.lint.disabled.
 * Layer: extension (imports vscode, src/python and settings).
 */
import * as vscode from 'vscode';
import { formatMsg, type Msg } from '../python/messages';
import { lintCells, lintPython, type LintFinding, type LintFix } from '../python/lint';
import { affectsRnnLens, getSettings } from './settings';

const t = vscode.l10n.t;
const NOTEBOOK_CELL = 'vscode-notebook-cell';
/** Adds a rule's code to rnnLens.lint.disabled (user settings); offered beside each diagnostic. */
export const DISABLE_RULE = 'rnnLens.lint.disableRule';

async function disableRule(code: unknown): Promise<void> {
  if (typeof code !== 'string') return;
  const config = vscode.workspace.getConfiguration('rnnLens');
  const now = getSettings().lintDisabled;
  if (!now.includes(code)) await config.update('lint.disabled', [...now, code], vscode.ConfigurationTarget.Global);
}

function localise(m: Msg): string {
  return formatMsg(m, (s, ...args) => t(s, ...args));
}

/** Fixes of the findings shown in a document, by diagnostic (same object identity is lost, so by code and range). */
const fixesByUri = new Map<string, { code: string; range: vscode.Range; fixes: LintFix[] }[]>();

function toDiagnostic(document: vscode.TextDocument, f: LintFinding): vscode.Diagnostic {
  const range = new vscode.Range(document.positionAt(f.start), document.positionAt(Math.max(f.start, f.end)));
  const d = new vscode.Diagnostic(range, localise(f.message), vscode.DiagnosticSeverity.Warning);
  d.source = 'rnn-lens';
  d.code = f.code;
  return d;
}

function show(collection: vscode.DiagnosticCollection, document: vscode.TextDocument, findings: LintFinding[]): void {
  collection.set(document.uri, findings.map((f) => toDiagnostic(document, f)));
  const withFixes = findings
    .filter((f) => f.fixes && f.fixes.length > 0)
    .map((f) => ({ code: f.code, range: new vscode.Range(document.positionAt(f.start), document.positionAt(Math.max(f.start, f.end))), fixes: f.fixes! }));
  if (withFixes.length > 0) fixesByUri.set(document.uri.toString(), withFixes);
  else fixesByUri.delete(document.uri.toString());
}

function clear(collection: vscode.DiagnosticCollection, uri: vscode.Uri): void {
  collection.delete(uri);
  fixesByUri.delete(uri.toString());
}

/** The notebook a cell document belongs to. */
function notebookOf(document: vscode.TextDocument): vscode.NotebookDocument | undefined {
  if (document.uri.scheme !== NOTEBOOK_CELL) return undefined;
  return vscode.workspace.notebookDocuments.find((nb) => nb.getCells().some((c) => c.document === document || c.document.uri.toString() === document.uri.toString()));
}

function lintNotebook(collection: vscode.DiagnosticCollection, nb: vscode.NotebookDocument): void {
  const settings = getSettings(nb.uri);
  const cells = nb.getCells().filter((c) => c.kind === vscode.NotebookCellKind.Code && c.document.languageId === 'python');
  if (!settings.lintEnabled) {
    for (const c of nb.getCells()) clear(collection, c.document.uri);
    return;
  }
  const found = lintCells(cells.map((c) => ({ index: c.index, source: c.document.getText() })), { disabled: settings.lintDisabled });
  for (const c of nb.getCells()) {
    const mine = found.filter((f) => f.cell === c.index).map((f) => f.finding);
    if (mine.length > 0) show(collection, c.document, mine);
    else clear(collection, c.document.uri);
  }
}

function lintDocument(collection: vscode.DiagnosticCollection, document: vscode.TextDocument): void {
  if (document.uri.scheme === NOTEBOOK_CELL) {
    const nb = notebookOf(document);
    if (nb) lintNotebook(collection, nb);
    return;
  }
  if (document.languageId !== 'python') return;
  const settings = getSettings(document.uri);
  if (!settings.lintEnabled) {
    clear(collection, document.uri);
    return;
  }
  show(collection, document, lintPython(document.getText(), { disabled: settings.lintDisabled }));
}

class LintFixes implements vscode.CodeActionProvider {
  static readonly kinds = [vscode.CodeActionKind.QuickFix];

  provideCodeActions(document: vscode.TextDocument, _range: vscode.Range, context: vscode.CodeActionContext): vscode.CodeAction[] {
    const stored = fixesByUri.get(document.uri.toString());
    const actions: vscode.CodeAction[] = [];
    for (const diagnostic of context.diagnostics) {
      if (diagnostic.source !== 'rnn-lens' || typeof diagnostic.code !== 'string') continue;
      const off = new vscode.CodeAction(t('Turn off the RNN Lens check {0} (setting rnnLens.lint.disabled)', diagnostic.code), vscode.CodeActionKind.QuickFix);
      off.command = { command: DISABLE_RULE, title: off.title, arguments: [diagnostic.code] };
      off.diagnostics = [diagnostic];
      actions.push(off);
      const entry = stored?.find((s) => s.code === diagnostic.code && s.range.isEqual(diagnostic.range));
      if (!entry) continue;
      entry.fixes.forEach((fix, i) => {
        const action = new vscode.CodeAction(localise(fix.title), vscode.CodeActionKind.QuickFix);
        const edit = new vscode.WorkspaceEdit();
        for (const e of fix.edits) edit.replace(document.uri, new vscode.Range(document.positionAt(e.start), document.positionAt(e.end)), e.newText);
        action.edit = edit;
        action.diagnostics = [diagnostic];
        action.isPreferred = i === 0;
        actions.push(action);
      });
    }
    // The fixes first, then the ways to turn checks off.
    return [...actions.filter((a) => !a.command), ...actions.filter((a) => a.command)];
  }
}

/** Registers the Python lint: diagnostics on Python files and notebook cells, and the quick fixes. */
export function registerPythonDiagnostics(_context: vscode.ExtensionContext): vscode.Disposable {
  const collection = vscode.languages.createDiagnosticCollection('rnn-lens-python');
  const timers = new Map<string, ReturnType<typeof setTimeout>>();
  const schedule = (document: vscode.TextDocument) => {
    if (document.languageId !== 'python' && document.uri.scheme !== NOTEBOOK_CELL) return;
    const key = document.uri.scheme === NOTEBOOK_CELL ? (notebookOf(document)?.uri.toString() ?? document.uri.toString()) : document.uri.toString();
    const pending = timers.get(key);
    if (pending) clearTimeout(pending);
    timers.set(
      key,
      setTimeout(() => {
        timers.delete(key);
        if (!document.isClosed) lintDocument(collection, document);
      }, getSettings(document.uri).diagnosticsDebounceMs),
    );
  };
  const lintAll = () => {
    for (const d of vscode.workspace.textDocuments) if (d.uri.scheme !== NOTEBOOK_CELL) lintDocument(collection, d);
    for (const nb of vscode.workspace.notebookDocuments) lintNotebook(collection, nb);
  };
  lintAll();
  return vscode.Disposable.from(
    collection,
    vscode.languages.registerCodeActionsProvider([{ language: 'python' }], new LintFixes(), { providedCodeActionKinds: LintFixes.kinds }),
    vscode.commands.registerCommand(DISABLE_RULE, disableRule),
    vscode.workspace.onDidOpenTextDocument((d) => lintDocument(collection, d)),
    vscode.workspace.onDidChangeTextDocument((e) => schedule(e.document)),
    vscode.workspace.onDidCloseTextDocument((d) => {
      if (d.uri.scheme !== NOTEBOOK_CELL) clear(collection, d.uri);
    }),
    vscode.workspace.onDidOpenNotebookDocument((nb) => lintNotebook(collection, nb)),
    vscode.workspace.onDidChangeNotebookDocument((e) => {
      if (e.contentChanges.length > 0) lintNotebook(collection, e.notebook);
    }),
    vscode.workspace.onDidCloseNotebookDocument((nb) => {
      for (const c of nb.getCells()) clear(collection, c.document.uri);
    }),
    vscode.workspace.onDidChangeConfiguration((e) => {
      if (affectsRnnLens(e)) lintAll();
    }),
    { dispose: () => timers.forEach((h) => clearTimeout(h)) },
  );
}
