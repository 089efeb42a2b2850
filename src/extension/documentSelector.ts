/*
 * What counts as an RNN document: a file named *.rnn.json, or any JSON / JSONC document whose
 * top-level `model.type` is "RNN", "LSTM" or "GRU" (or a cell: "RNNCell" ...). Pure (no vscode import) so it is unit-tested
 * on Node; callers pass anything shaped like a vscode.TextDocument.
 * Layer: extension, pure part (imports jsonc-parser only).
 *
 * The check must be cheap: it runs for every JSON file the user opens or edits. A file named
 * *.rnn.json needs no look at its text; other JSON files get a quick text test first and then a
 * token scan that stops as soon as `model.type` is found (no tree is built, no recursion).
 */
import { createScanner, SyntaxKind } from 'jsonc-parser';

/** The language ids whose documents may be RNN documents. */
export const JSON_LANGUAGES: readonly string[] = ['json', 'jsonc'];

/** File name suffix that always means "RNN document". */
export const RNN_DOCUMENT_SUFFIX = '.rnn.json';

/** The part of vscode.TextDocument this module needs. */
export interface DocumentLike {
  fileName: string;
  languageId: string;
  getText(): string;
}

/** Is the file name one of ours (`*.rnn.json`, case-insensitive)? */
export function hasRnnFileName(fileName: string): boolean {
  return fileName.toLowerCase().endsWith(RNN_DOCUMENT_SUFFIX);
}

/**
 * The value of the top-level `model.type` when it is a string, else undefined. Scans tokens
 * iteratively and stops early; tolerant of comments, trailing commas and syntax errors elsewhere.
 */
export function topLevelModelType(text: string): string | undefined {
  const scanner = createScanner(text, true);
  let depth = 0; // nesting of objects and arrays
  let inModel = false; // inside the top-level "model" object (at depth 2)
  let pendingKey: string | undefined; // the last property name seen at a depth we care about
  let expectValueFor: string | undefined; // key whose value comes next (after the colon)
  for (let kind = scanner.scan(); kind !== SyntaxKind.EOF; kind = scanner.scan()) {
    switch (kind) {
      case SyntaxKind.OpenBraceToken:
        if (depth === 1 && expectValueFor === 'model') inModel = true;
        depth++;
        expectValueFor = undefined;
        break;
      case SyntaxKind.OpenBracketToken:
        depth++;
        expectValueFor = undefined;
        break;
      case SyntaxKind.CloseBraceToken:
      case SyntaxKind.CloseBracketToken:
        depth--;
        if (depth < 2 && inModel) return undefined; // left "model" without a string "type"
        if (depth <= 0) return undefined;
        expectValueFor = undefined;
        break;
      case SyntaxKind.StringLiteral:
        if (expectValueFor !== undefined) {
          if (inModel && depth === 2 && expectValueFor === 'type') return scanner.getTokenValue();
          expectValueFor = undefined;
        } else if (depth === 1 || (inModel && depth === 2)) {
          pendingKey = scanner.getTokenValue();
        }
        break;
      case SyntaxKind.ColonToken:
        expectValueFor = pendingKey;
        pendingKey = undefined;
        break;
      case SyntaxKind.CommaToken:
        pendingKey = undefined;
        expectValueFor = undefined;
        break;
      case SyntaxKind.Trivia:
      case SyntaxKind.LineBreakTrivia:
      case SyntaxKind.LineCommentTrivia:
      case SyntaxKind.BlockCommentTrivia:
        break;
      default:
        expectValueFor = undefined;
        break;
    }
  }
  return undefined;
}

const RNN_TYPE_HINT = /"type"\s*:\s*"(?:RNN|LSTM|GRU)(?:Cell)?"/;

/** Does the text's top-level model.type name one of the recurrent modules? */
export function hasRnnModel(text: string): boolean {
  if (!RNN_TYPE_HINT.test(text)) return false; // cheap reject for the usual JSON file
  const t = topLevelModelType(text);
  // A cell document (nn.RNNCell / LSTMCell / GRUCell and its loop over time) is an RNN document too.
  return t === 'RNN' || t === 'LSTM' || t === 'GRU' || t === 'RNNCell' || t === 'LSTMCell' || t === 'GRUCell';
}

/** Is this document an RNN document (by name, or JSON whose model.type is RNN/LSTM/GRU)? */
export function isRnnDocument(doc: DocumentLike): boolean {
  if (hasRnnFileName(doc.fileName)) return true;
  if (!JSON_LANGUAGES.includes(doc.languageId)) return false;
  return hasRnnModel(doc.getText());
}
