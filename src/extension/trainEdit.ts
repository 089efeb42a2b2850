/*
 * Text edits of an RNN document for training, computed without an editor: write a state_dict
 * into the document (replacing the one there, or adding one), and add a `train` block whose
 * target has the shape the model and head predict. Only the edited value changes: comments,
 * key order and formatting of everything else stay the user's.
 * Layer: extension, but PURE: no vscode import (jsonc-parser and document types only), so it is
 * unit-tested on plain Node.
 */
import { parseTree, type Node as JsonNode } from 'jsonc-parser';
import type { RnnDocument } from '../document/types';

/** Replace text[start, end) by newText. */
export interface TextEdit {
  start: number;
  end: number;
  newText: string;
}

/** Applies one edit to a text. */
export function applyTextEdit(text: string, e: TextEdit): string {
  return text.slice(0, e.start) + e.newText + text.slice(e.end);
}

/** A nested array on one line: `[1, 2, 3]` or `[[1, 2], [3, 4]]`. */
function inline(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(inline).join(', ')}]`;
  return typeof v === 'number' ? numberText(v) : JSON.stringify(v);
}

/** JSON has no NaN or Infinity: the document's reader takes "nan" / "inf" strings nowhere, so write what JSON can. */
function numberText(x: number): string {
  if (Number.isFinite(x)) return String(x);
  // a trained state is the last finite one (training stops on a non-finite loss), so this is a guard only
  return Number.isNaN(x) ? 'null' : x > 0 ? '1e999' : '-1e999';
}

/**
 * A state_dict as JSON text, one parameter per line (a matrix one row per line), indented for a
 * value that starts at `indent` (the indentation of the line holding the "state_dict" key).
 */
export function formatStateDict(stateDict: Record<string, unknown>, indent = '  ', unit = '  '): string {
  const inner = indent + unit;
  const entries = Object.entries(stateDict).map(([name, value]) => {
    const key = `${inner}${JSON.stringify(name)}: `;
    if (Array.isArray(value) && value.length > 0 && Array.isArray(value[0])) {
      const rows = value.map((row) => `${inner}${unit}${inline(row)}`);
      return `${key}[\n${rows.join(',\n')}\n${inner}]`;
    }
    return key + inline(value);
  });
  return entries.length ? `{\n${entries.join(',\n')}\n${indent}}` : '{}';
}

/** The indentation (spaces/tabs) of the line holding `offset`. */
function lineIndent(text: string, offset: number): string {
  const lineStart = text.lastIndexOf('\n', offset - 1) + 1;
  return /^[ \t]*/.exec(text.slice(lineStart))![0];
}

/** The indentation unit the text uses (two spaces when it cannot tell). */
function indentUnit(text: string): string {
  const m = /\n([ \t]+)"/.exec(text);
  return m ? m[1] : '  ';
}

function rootObject(text: string): JsonNode | undefined {
  const root = parseTree(text, [], { allowTrailingComma: true, disallowComments: false });
  return root?.type === 'object' ? root : undefined;
}

/** The top-level property `key` (its value node), if the document has it. */
function topLevel(root: JsonNode, key: string): { property: JsonNode; value: JsonNode } | undefined {
  for (const p of root.children ?? []) {
    const [k, v] = p.children ?? [];
    if (k?.value === key && v) return { property: p, value: v };
  }
  return undefined;
}

/** Adds `"key": value` after the last top-level property (or inside an empty object). */
function addProperty(text: string, root: JsonNode, key: string, format: (indent: string, unit: string) => string): TextEdit {
  const unit = indentUnit(text);
  const props = root.children ?? [];
  const last = props[props.length - 1];
  if (!last) {
    const at = root.offset + 1;
    return { start: at, end: at, newText: `\n${unit}${JSON.stringify(key)}: ${format(unit, unit)}\n` };
  }
  const indent = lineIndent(text, last.offset);
  const at = last.offset + last.length;
  return { start: at, end: at, newText: `,\n${indent}${JSON.stringify(key)}: ${format(indent, unit)}` };
}

/**
 * The edit that writes `stateDict` (canonical names -> nested arrays) into the document: replaces
 * the value of a top-level "state_dict", or adds one after the last top-level key. Undefined when
 * the text is not a JSON object (nothing sensible to edit).
 */
export function stateDictEdit(text: string, stateDict: Record<string, unknown>): TextEdit | undefined {
  const root = rootObject(text);
  if (!root) return undefined;
  const unit = indentUnit(text);
  const existing = topLevel(root, 'state_dict');
  if (existing) {
    const indent = lineIndent(text, existing.property.offset);
    return { start: existing.value.offset, end: existing.value.offset + existing.value.length, newText: formatStateDict(stateDict, indent, unit) };
  }
  return addProperty(text, root, 'state_dict', (indent, u) => formatStateDict(stateDict, indent, u));
}

/** The shape of the input as the document gives it (written or drawn), if it has one. */
function inputShape(doc: RnnDocument): number[] | undefined {
  const src = doc.input;
  if (!src) return undefined;
  return src.kind === 'rand' ? [...src.shape] : [...src.tensor.shape];
}

/** A `train` block for this document (see trainBlockFor). */
export interface TrainBlockJson {
  loss: 'mse' | 'cross_entropy';
  target: unknown;
  optimizer: { type: 'Adam'; lr: number };
  steps: number;
}

/**
 * A `train` block that fits the document: the target has the prediction's shape (the head's
 * output, or the RNN's output without a head) for "mse", a random {"rand": shape} as the origin
 * snippet's `y = torch.rand(3, 2)`; with an embedding and a head, "cross_entropy" with class ids
 * (the next token when the head predicts the vocabulary on every step, else class 0).
 * Undefined when the document has no input to train on.
 */
export function trainBlockFor(doc: RnnDocument): TrainBlockJson | undefined {
  const shape = inputShape(doc);
  if (!shape) return undefined;
  const m = doc.model;
  const emb = doc.embedding;
  const unbatched = shape.length === (emb ? 1 : 2);
  const L = unbatched || !m.batchFirst ? shape[0] : shape[1];
  const N = unbatched ? 1 : m.batchFirst ? shape[0] : shape[1];
  const hOut = (m.bidirectional ? 2 : 1) * (m.projSize > 0 ? m.projSize : m.hiddenSize);
  const head = doc.head;
  const all = head?.on === 'all';
  // the prediction's shape without its feature axis
  const positions = !head || all ? (unbatched ? [L] : m.batchFirst ? [N, L] : [L, N]) : unbatched ? [] : [N];
  const optimizer = { type: 'Adam' as const, lr: 0.01 };
  if (emb && head) {
    const ids = positions.reduce((a, b) => a * b, 1);
    let flat = new Array<number>(ids).fill(0);
    if (all && head.outFeatures === emb.numEmbeddings && doc.input?.kind === 'literal') {
      // next-token prediction: the target at t is the input at t + 1 (the last wraps to the first)
      const x = doc.input.tensor.data;
      flat = flat.map((_, i) => {
        const [n, t] = unbatched ? [0, i] : m.batchFirst ? [Math.floor(i / L), i % L] : [i % N, Math.floor(i / N)];
        const next = (t + 1) % L;
        const j = unbatched ? next : m.batchFirst ? n * L + next : next * N + n;
        return x[j];
      });
    }
    return { loss: 'cross_entropy', target: nest(flat, positions), optimizer, steps: 100 };
  }
  const predShape = [...positions, head ? head.outFeatures : hOut];
  return { loss: 'mse', target: { rand: predShape }, optimizer, steps: 100 };
}

/** Row-major numbers -> nested arrays of `shape` ([] : the number itself). */
function nest(flat: number[], shape: number[]): unknown {
  if (shape.length === 0) return flat[0];
  const [d, ...rest] = shape;
  const size = rest.reduce((a, b) => a * b, 1);
  return Array.from({ length: d }, (_, i) => nest(flat.slice(i * size, (i + 1) * size), rest));
}

/** The block as the document's text: one key per line. */
export function formatTrainBlock(block: TrainBlockJson, indent = '  ', unit = '  '): string {
  const inner = indent + unit;
  const target = typeof block.target === 'object' && block.target !== null && !Array.isArray(block.target) ? JSON.stringify(block.target).replace(/:/g, ': ').replace(/,/g, ', ') : inline(block.target);
  return [
    '{',
    `${inner}"loss": ${JSON.stringify(block.loss)},`,
    `${inner}"target": ${target},`,
    `${inner}"optimizer": {"type": "${block.optimizer.type}", "lr": ${block.optimizer.lr}},`,
    `${inner}"steps": ${block.steps}`,
    `${indent}}`,
  ].join('\n');
}

/** The edit that adds `block` as a top-level "train" key (undefined when the text is not an object or already has one). */
export function trainBlockEdit(text: string, block: TrainBlockJson): TextEdit | undefined {
  const root = rootObject(text);
  if (!root || topLevel(root, 'train')) return undefined;
  return addProperty(text, root, 'train', (indent, unit) => formatTrainBlock(block, indent, unit));
}
