/*
 * Everything RNN Lens does inside RNN documents, registered together: hover, diagnostics while
 * typing, and the context key `rnnLens.activeIsRnnDocument` that menus and the editor title
 * button use (so a JSON file that is an RNN document without the *.rnn.json name gets them too).
 * Layer: extension (imports vscode).
 */
import * as vscode from 'vscode';
import { registerDiagnostics } from './diagnostics';
import { isRnnDocument } from './documentSelector';
import { registerHover } from './hover';

/** Context key: the active editor shows an RNN document. */
export const ACTIVE_IS_RNN_DOCUMENT = 'rnnLens.activeIsRnnDocument';

/** Registers hover, diagnostics and the context key; returns one disposable for all. */
export function registerDocumentFeatures(_context: vscode.ExtensionContext): vscode.Disposable {
  let last: boolean | undefined;
  const update = () => {
    const doc = vscode.window.activeTextEditor?.document;
    const value = doc ? isRnnDocument(doc) : false;
    if (value === last) return;
    last = value;
    void vscode.commands.executeCommand('setContext', ACTIVE_IS_RNN_DOCUMENT, value);
  };
  update();
  return vscode.Disposable.from(
    registerHover(),
    registerDiagnostics(),
    vscode.window.onDidChangeActiveTextEditor(update),
    // Typing "type": "LSTM" into a new JSON file makes it an RNN document.
    vscode.workspace.onDidChangeTextDocument((e) => {
      if (e.document === vscode.window.activeTextEditor?.document) update();
    }),
  );
}
