/*
 * One read of each open RNN document per version: the hover, the diagnostics and the commands
 * share it, so typing costs one readDocument per debounce, not one per feature. Also the
 * vscode edge of the document layer: offset spans -> vscode.Range.
 * Layer: extension (imports vscode, document).
 */
import * as vscode from 'vscode';
import type { Translate } from '../document/messages';
import { readDocument } from '../document/reader';
import type { ReadResult, Span } from '../document/types';
import { getSettings } from './settings';

interface Entry {
  version: number;
  budgetKey: string;
  result: ReadResult;
}

const cache = new Map<string, Entry>();

/** The document layer's messages in the user's language (l10n/bundle.l10n.ja.json for Japanese). */
export const documentTranslate: Translate = (template, ...args) => vscode.l10n.t(template, ...args);

/** readDocument on the document's current text, with the budget from settings; cached per version. */
export function readCached(doc: vscode.TextDocument): ReadResult {
  const key = doc.uri.toString();
  const budget = getSettings(doc.uri).budget;
  const budgetKey = `${budget.maxElements}/${budget.maxFlops}`;
  const hit = cache.get(key);
  if (hit && hit.version === doc.version && hit.budgetKey === budgetKey) return hit.result;
  const result = readDocument(doc.getText(), { budget, translate: documentTranslate });
  cache.set(key, { version: doc.version, budgetKey, result });
  return result;
}

/** Forget a document (when it closes). */
export function forgetDocument(uri: vscode.Uri): void {
  cache.delete(uri.toString());
}

/** Forget every document (when the settings change). */
export function forgetAll(): void {
  cache.clear();
}

/** A document-layer span (offsets) as a vscode.Range of this document. */
export function spanToRange(doc: vscode.TextDocument, span: Span): vscode.Range {
  return new vscode.Range(doc.positionAt(span.start), doc.positionAt(span.end));
}
