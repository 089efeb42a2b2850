/*
 * Hovers in RNN documents: shapes on `model`/`head`, a parameter's role on a state_dict key, a
 * tensor's shape on any nested array. The text is decided by hoverContent.ts (pure); this file
 * is the vscode edge: which documents, the cached parse tree, a safe MarkdownString.
 * Large documents (read in a worker) use the completed read of this version or say so.
 * Layer: extension (imports vscode).
 */
import * as vscode from 'vscode';
import type { Node } from 'jsonc-parser';
import { cachedRead, isLargeDocument, readCached, readInWorker, spanToRange } from './documentCache';
import { isRnnDocument, JSON_LANGUAGES } from './documentSelector';
import { hoverAt, safeTree } from './hoverContent';
import { getSettings } from './settings';

const trees = new Map<string, { version: number; tree: Node | undefined }>();

/** The parse tree of this version of the document (cached; undefined when nested too deeply). */
export function treeOf(doc: vscode.TextDocument): Node | undefined {
  const key = doc.uri.toString();
  const hit = trees.get(key);
  if (hit && hit.version === doc.version) return hit.tree;
  const tree = safeTree(doc.getText());
  trees.set(key, { version: doc.version, tree });
  return tree;
}

/** Markdown from our own text: never trusted, never HTML (document text is escaped as well). */
export function safeMarkdown(text: string): vscode.MarkdownString {
  const md = new vscode.MarkdownString(text, false);
  md.isTrusted = false;
  md.supportHtml = false;
  return md;
}

class RnnHoverProvider implements vscode.HoverProvider {
  provideHover(doc: vscode.TextDocument, position: vscode.Position): vscode.Hover | undefined {
    const settings = getSettings(doc.uri);
    if (!settings.hoverEnabled || !isRnnDocument(doc)) return undefined;
    try {
      let read = cachedRead(doc);
      if (!read && isLargeDocument(doc)) {
        // Never read a large document here: the worker's read of this version is not done yet.
        void readInWorker(doc);
        return new vscode.Hover(safeMarkdown(vscode.l10n.t('RNN Lens: checking this large document…')));
      }
      read ??= readCached(doc);
      const content = hoverAt(doc.getText(), doc.offsetAt(position), read, treeOf(doc), vscode.l10n.t, settings.budget);
      return content ? new vscode.Hover(safeMarkdown(content.markdown), spanToRange(doc, content.span)) : undefined;
    } catch (e) {
      // A hover must never break the editor; an unexpected failure is logged, not shown.
      console.error('RNN Lens hover failed', e);
      return undefined;
    }
  }
}

/** Registers the hover for JSON and JSONC documents (it answers only in RNN documents). */
export function registerHover(): vscode.Disposable {
  const selector: vscode.DocumentSelector = JSON_LANGUAGES.map((language) => ({ language }));
  return vscode.Disposable.from(
    vscode.languages.registerHoverProvider(selector, new RnnHoverProvider()),
    vscode.workspace.onDidCloseTextDocument((doc) => trees.delete(doc.uri.toString())),
  );
}
