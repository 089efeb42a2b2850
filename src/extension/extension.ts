/*
 * Activation: wires the features and does nothing else. Each feature registers itself and
 * returns one Disposable; no document is read until one is opened, hovered or run.
 * Layer: extension (imports vscode). Nothing imports this file.
 *
 * When does VS Code load us? (package.json "activationEvents", cheapest first)
 * - onCommand:* is implicit for every contributed command (Run Forward, Shapes, New Document...).
 * - workspaceContains:**\/*.rnn.json: a workspace with RNN documents gets hovers and problems
 *   as soon as one is opened. We deliberately do NOT use onLanguage:json: that would load the
 *   extension for every settings.json, package.json and tsconfig.json anyone opens. The price:
 *   a JSON file that is an RNN document without the *.rnn.json name, in a workspace without
 *   any *.rnn.json, gets hovers after the first RNN command (the JSON schema still validates).
 * - onLanguage:python: the Python CodeLens and hover on nn.RNN / nn.LSTM / nn.GRU need it.
 * - onWebviewPanel:<view type>: restoring the Unroll View after a reload (the panel's engineer).
 */
import * as vscode from 'vscode';
import type { RunPayload } from '../protocol/messages';
import { lastRun, registerCommands } from './commands';
import { registerDocumentFeatures } from './documentFeatures';
import { registerCheckpointEditor } from './checkpointEditor';
import { registerPythonFeatures } from './python';
import { registerPythonDiagnostics } from './pythonDiagnostics';
import { registerTraining } from './training';
import { registerLab } from './labPanel';
import { lastRunPayload, registerUnrollView } from './unrollPanel';

/** What activate() returns: read by the integration tests (and any other extension). */
export interface RnnLensApi {
  /** The payload of the last run shown in the RNN Unroll View. */
  lastRun(): RunPayload | undefined;
}

export function activate(context: vscode.ExtensionContext): RnnLensApi {
  context.subscriptions.push(
    registerUnrollView(context),
    registerDocumentFeatures(context),
    registerCheckpointEditor(),
    registerPythonFeatures(context),
    registerPythonDiagnostics(context),
    registerCommands(context),
    registerTraining(context),
    registerLab(context),
  );
  // The panel holds what is shown, whichever feature ran it (JSON command or Python CodeLens).
  return { lastRun: () => lastRunPayload() ?? lastRun() };
}

export function deactivate(): void {
  // Everything is disposed through context.subscriptions.
}
