/*
 * "Run Forward on Selection": decides what to run from the document text, the selection and the
 * kind of document, and reads a selected nested array into a tensor. Pure (no vscode import):
 * the command in commands.ts turns the decision into a run, a QuickPick or a message. decideRun is
 * selectionStep + readNestedArray + decisionFromArray; commands.ts does the middle step in a
 * worker for a selection over the worker threshold (src/worker/job.ts 'readArray').
 * Layer: run, PURE (below both src/worker and src/extension, which both read selected arrays):
 * imports engine/document types and jsonc-parser's scanner only; no vscode, no Node, no DOM.
 *
 * The array reader is iterative (an explicit depth counter, no recursion), so a deeply nested or
 * very long selection cannot overflow the stack. It accepts JSON, JSONC and Python list syntax
 * (`[[1., 2.], [3, 4],]`), as a person would select it in a notebook, a Markdown file or code.
 */
import { createScanner, ScanError, SyntaxKind } from 'jsonc-parser';
import type { ModelConfig, Tensor } from '../engine/types';
import type { Span } from '../document/types';

/** Localiser: vscode.l10n.t in the extension, identity-with-arguments in tests. */
export type Localize = (message: string, ...args: (string | number)[]) => string;

/** What the command should do. */
export type RunDecision =
  /** Run the RNN document as written (nothing selected, or the selection is not an array). */
  | { kind: 'document' }
  /** Run the RNN document with the selected nested array as its input. */
  | { kind: 'documentWithInput'; tensor: Tensor; span: Span }
  /** A nested array in a file that is not an RNN document: ask which model to run it through. */
  | { kind: 'askModel'; tensor: Tensor; span: Span }
  /** Not an RNN document and no array selected: nothing to run. */
  | { kind: 'nothing'; reason: 'noSelection' | 'notAnArray' }
  /** The selection starts like an array but cannot be read as a tensor. */
  | { kind: 'error'; message: string; span: Span };

export interface SelectionRequest {
  text: string;
  /** Selection offsets into text; start === end means nothing is selected. */
  start: number;
  end: number;
  languageId: string;
  /** From documentSelector.isRnnDocument. */
  isRnnDocument: boolean;
  /** Refuse arrays with more numbers than this (the budget's maxElements). */
  maxElements?: number;
}

/** Result of reading a selected array. */
export type ArrayReadResult =
  | { kind: 'tensor'; tensor: Tensor; span: Span }
  | { kind: 'notArray' }
  | { kind: 'error'; message: string; span: Span };

const TRIVIA = new Set<SyntaxKind>([
  SyntaxKind.Trivia,
  SyntaxKind.LineBreakTrivia,
  SyntaxKind.LineCommentTrivia,
  SyntaxKind.BlockCommentTrivia,
]);

/**
 * Reads text[start, end) as one nested array of numbers (a tensor), row-major.
 * PyTorch: a ragged array is refused with torch.tensor's own words
 * ("expected sequence of length 2 at dim 1 (got 1)").
 */
export function readNestedArray(text: string, start: number, end: number, t: Localize, maxElements = Infinity): ArrayReadResult {
  const source = text.slice(start, end);
  const scanner = createScanner(source, false);
  const at = (offset: number, length = 1): Span => ({
    start: start + offset,
    end: Math.min(end, start + offset + Math.max(1, length)),
  });

  let kind = scanner.scan();
  while (TRIVIA.has(kind)) kind = scanner.scan();
  if (kind !== SyntaxKind.OpenBracketToken) return { kind: 'notArray' };
  const arrayStart = scanner.getTokenOffset();

  const shape: (number | undefined)[] = []; // shape[d] = length of arrays at depth d+1
  const counts: number[] = [0]; // element count of each open array
  let leafDepth: number | undefined; // depth at which numbers sit (number of enclosing arrays)
  let depth = 1;
  let expectValue = true; // after '[' or ',': a value (or ']' for '[]' and a trailing comma)
  const data: number[] = [];
  let arrayEnd = -1;

  const fail = (message: string, offset: number, length?: number): ArrayReadResult => ({
    kind: 'error',
    message,
    span: at(offset, length),
  });

  while (depth > 0) {
    kind = scanner.scan();
    const offset = scanner.getTokenOffset();
    const length = scanner.getTokenLength();
    if (TRIVIA.has(kind)) continue;
    switch (kind) {
      case SyntaxKind.EOF:
        return fail(t('The selected array is not closed: a "]" is missing.'), Math.max(0, source.length - 1));
      case SyntaxKind.OpenBracketToken:
        if (!expectValue) return fail(t('A "," is missing between two values.'), offset, length);
        if (leafDepth !== undefined && depth + 1 > leafDepth) {
          return fail(t('Numbers and lists are mixed at the same level (dim {0}).', depth), offset, length);
        }
        depth++;
        counts.push(0);
        expectValue = true;
        break;
      case SyntaxKind.CloseBracketToken: {
        const n = counts.pop() as number;
        if (n === 0 && leafDepth === undefined) leafDepth = depth; // `[]`: a dimension of length 0
        const expected = shape[depth - 1];
        if (expected === undefined) shape[depth - 1] = n;
        else if (expected !== n) {
          return fail(t('expected sequence of length {0} at dim {1} (got {2})', expected, depth - 1, n), offset, length);
        }
        depth--;
        if (depth > 0) counts[depth - 1]++;
        else arrayEnd = offset + length;
        expectValue = false;
        break;
      }
      case SyntaxKind.CommaToken:
        if (expectValue) return fail(t('A value is missing before this ",".'), offset, length);
        expectValue = true;
        break;
      case SyntaxKind.NumericLiteral: {
        if (!expectValue) return fail(t('A "," is missing between two values.'), offset, length);
        const err = scanner.getTokenError();
        // Python writes `1.`; JSON does not, but the number is clear.
        if (err !== ScanError.None && !(err === ScanError.UnexpectedEndOfNumber && /\d\.$/.test(scanner.getTokenValue()))) {
          return fail(t('This number cannot be read: {0}', scanner.getTokenValue()), offset, length);
        }
        if (leafDepth === undefined) leafDepth = depth;
        else if (leafDepth !== depth) {
          return fail(t('Numbers and lists are mixed at the same level (dim {0}).', depth - 1), offset, length);
        }
        const value = Number.parseFloat(scanner.getTokenValue());
        if (!Number.isFinite(value)) return fail(t('This number is not finite: {0}', scanner.getTokenValue()), offset, length);
        if (data.length >= maxElements) {
          return fail(t('The selected array has more than {0} numbers, over the budget (setting rnnLens.budget.maxElements).', maxElements), arrayStart, 1);
        }
        data.push(Math.fround(value)); // PyTorch: torch.tensor of Python floats is float32 by default
        counts[depth - 1]++;
        expectValue = false;
        break;
      }
      default:
        return fail(t('Only numbers can be in a tensor; found {0}.', source.slice(offset, offset + Math.min(length, 20))), offset, length);
    }
  }

  // Anything after the closing bracket other than spaces, comments or one comma is not ours.
  let tail = scanner.scan();
  while (TRIVIA.has(tail)) tail = scanner.scan();
  if (tail === SyntaxKind.CommaToken) {
    tail = scanner.scan();
    while (TRIVIA.has(tail)) tail = scanner.scan();
  }
  if (tail !== SyntaxKind.EOF) {
    return fail(t('Select a single array: there is more text after its closing "]".'), scanner.getTokenOffset(), scanner.getTokenLength());
  }

  const dims = shape.slice(0, leafDepth ?? shape.length).map((d) => d ?? 0);
  return {
    kind: 'tensor',
    tensor: { shape: dims, data: Float64Array.from(data) },
    span: { start: start + arrayStart, end: start + arrayEnd },
  };
}

/**
 * The first step of decideRun: either a decision that needs no array read, or the range of the
 * text to read as an array (commands.ts reads a large range in a worker, job.ts 'readArray').
 */
export type SelectionStep = { kind: 'decided'; decision: RunDecision } | { kind: 'readArray'; start: number; end: number };

/** What decideRun does before reading an array (see SelectionStep). */
export function selectionStep(req: SelectionRequest): SelectionStep {
  const { text, isRnnDocument } = req;
  const start = Math.max(0, Math.min(req.start, req.end));
  const end = Math.min(text.length, Math.max(req.start, req.end));
  const selected = text.slice(start, end);
  if (selected.trim() === '') return { kind: 'decided', decision: isRnnDocument ? { kind: 'document' } : { kind: 'nothing', reason: 'noSelection' } };
  // The whole document selected (Select All) means "run this document".
  if (isRnnDocument && selected.trim() === text.trim()) return { kind: 'decided', decision: { kind: 'document' } };
  return { kind: 'readArray', start, end };
}

/** The last step of decideRun: what the read of the selected range means for this kind of document. */
export function decisionFromArray(read: ArrayReadResult, isRnnDocument: boolean): RunDecision {
  if (read.kind === 'notArray') return isRnnDocument ? { kind: 'document' } : { kind: 'nothing', reason: 'notAnArray' };
  if (read.kind === 'error') return read;
  return isRnnDocument
    ? { kind: 'documentWithInput', tensor: read.tensor, span: read.span }
    : { kind: 'askModel', tensor: read.tensor, span: read.span };
}

/** Decides what Run Forward on Selection does for this document and selection (array read here). */
export function decideRun(req: SelectionRequest, t: Localize): RunDecision {
  const step = selectionStep(req);
  if (step.kind === 'decided') return step.decision;
  return decisionFromArray(readNestedArray(req.text, step.start, step.end, t, req.maxElements), req.isRnnDocument);
}

function tupleText(shape: readonly number[]): string {
  return shape.length === 1 ? `(${shape[0]},)` : `(${shape.join(', ')})`;
}

/**
 * Checks a document's h0 (or c0) against an input of the given shape, with PyTorch's messages
 * (check_hidden_size, and the batched/unbatched hx check of RNN.forward).
 */
export function checkStateShape(
  model: ModelConfig,
  inputShape: readonly number[],
  stateShape: readonly number[],
  which: 'h0' | 'c0',
): string | undefined {
  const batched = inputShape.length === 3;
  if (batched && stateShape.length !== 3) {
    return `For batched 3-D input, hx should also be 3-D but got ${stateShape.length}-D tensor`;
  }
  if (!batched && stateShape.length !== 2) {
    return `For unbatched 2-D input, hx should also be 2-D but got ${stateShape.length}-D tensor`;
  }
  const d = model.bidirectional ? 2 : 1;
  const hOut = which === 'c0' ? model.hiddenSize : model.projSize > 0 ? model.projSize : model.hiddenSize;
  // PyTorch: unbatched input and state are unsqueezed to a batch of 1 before the check, so the
  // message speaks of 3-D sizes either way.
  const batch = batched ? inputShape[model.batchFirst ? 0 : 1] : 1;
  const expected = [d * model.numLayers, batch, hOut];
  const got = batched ? [...stateShape] : [stateShape[0], 1, stateShape[1]];
  if (expected.every((v, i) => v === got[i])) return undefined;
  const label = model.type === 'LSTM' ? (which === 'h0' ? 'hidden[0]' : 'hidden[1]') : 'hidden';
  return `Expected ${label} size ${tupleText(expected)}, got [${got.join(', ')}]`;
}
