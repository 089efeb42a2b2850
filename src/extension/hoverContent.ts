/*
 * What a hover in an RNN document says, decided from the text and an offset: the model's shape
 * table on `model` / `head`, a parameter's role on a state_dict key, a tensor's shape on any
 * nested array. Pure (no vscode import), so it is unit-tested on Node; hover.ts wraps it.
 * Layer: extension, pure part (imports engine, document, jsonc-parser).
 *
 * Works on documents with errors too: the model is read on its own when the whole document
 * does not pass the reader, so a state_dict entry of the wrong shape still shows the shape
 * it should have.
 */
import { createScanner, findNodeAtLocation, findNodeAtOffset, getNodePath, getNodeValue, parseTree, SyntaxKind, type Node } from 'jsonc-parser';
import { parameterInfos, canonicalName } from '../engine/params';
import { shapeReport } from '../engine/index';
import type { HeadConfig, ModelConfig, ShapeReport } from '../engine/types';
import { readDocument } from '../document/reader';
import type { Budget, ReadResult, Span } from '../document/types';
import { inputAxes, parameterMarkdown, shapeMarkdown, stateAxes, tensorMarkdown, type Localize } from './hoverMarkdown';
import { readNestedArray } from '../run/selection';
import { cellParamName, cellShapeReport } from '../document/cell';
import type { CellDocument } from '../document/types';
import { cellModelMarkdown } from './cellHover';

/** Nesting deeper than this is not parsed into a tree (parseTree recurses per level). */
const MAX_TREE_DEPTH = 64;

/** The model of a document, as far as it can be read, and the input's shape when known. */
export interface ModelView {
  model: ModelConfig;
  head?: HeadConfig;
  inputShape?: number[];
  /** A cell document: `model` is the cell as its one-layer module (see src/document/cell.ts). */
  cell?: CellDocument;
}

/** Iterative check that the text nests no deeper than `max`, so parseTree is safe. */
export function nestingWithin(text: string, max = MAX_TREE_DEPTH): boolean {
  const scanner = createScanner(text, true);
  let depth = 0;
  for (let k = scanner.scan(); k !== SyntaxKind.EOF; k = scanner.scan()) {
    if (k === SyntaxKind.OpenBraceToken || k === SyntaxKind.OpenBracketToken) {
      if (++depth > max) return false;
    } else if (k === SyntaxKind.CloseBraceToken || k === SyntaxKind.CloseBracketToken) depth--;
  }
  return true;
}

/** parseTree, or undefined when the text nests too deeply to parse safely. */
export function safeTree(text: string): Node | undefined {
  if (!nestingWithin(text)) return undefined;
  return parseTree(text, [], { allowTrailingComma: true, disallowComments: false });
}

const identity: Localize = (s, ...args) => s.replace(/\{(\d+)\}/g, (_, i) => String(args[Number(i)] ?? ''));

/** Shape of an array node (iterative read), or undefined when it is not a clean tensor. */
export function arrayShape(text: string, node: Node): number[] | undefined {
  if (node.type !== 'array') return undefined;
  const read = readNestedArray(text, node.offset, node.offset + node.length, identity);
  return read.kind === 'tensor' ? read.tensor.shape : undefined;
}

/** `{"rand": [3, 5, 10]}` -> [3, 5, 10]. */
function randShape(node: Node): number[] | undefined {
  if (node.type !== 'object') return undefined;
  const rand = findNodeAtLocation(node, ['rand']);
  if (!rand || rand.type !== 'array' || !rand.children) return undefined;
  const dims = rand.children.map((c) => (c.type === 'number' ? (c.value as number) : NaN));
  return dims.every((d) => Number.isInteger(d) && d >= 0) ? dims : undefined;
}

/** Shape of a tensor value: a nested array or {"rand": shape}. */
export function tensorValueShape(text: string, node: Node): number[] | undefined {
  return node.type === 'array' ? arrayShape(text, node) : randShape(node);
}

/** The model, head and input shape of the document, even when other parts have errors. */
export function modelView(text: string, read: ReadResult, tree: Node | undefined, budget?: Budget): ModelView | undefined {
  const inputNode = tree ? findNodeAtLocation(tree, ['input']) : undefined;
  const inputShape = inputNode ? tensorValueShape(text, inputNode) : undefined;
  if (read.document) {
    const src = read.document.input;
    const shape = src ? (src.kind === 'rand' ? src.shape : src.tensor.shape) : undefined;
    const view: ModelView = { model: read.document.model, head: read.document.head, inputShape: shape ? [...shape] : inputShape };
    if (read.document.cell) view.cell = read.document.cell;
    return view;
  }
  if (!tree) return undefined;
  const modelNode = findNodeAtLocation(tree, ['model']);
  if (!modelNode || modelNode.type !== 'object') return undefined;
  const headNode = findNodeAtLocation(tree, ['head']);
  const model = getNodeValue(modelNode) as Record<string, unknown>;
  const inputSize = typeof model.input_size === 'number' ? model.input_size : 1;
  // The model alone, with a tiny input, through the same reader: one source of defaults and rules.
  const mini: Record<string, unknown> = { model, input: { rand: [1, 1, inputSize] } };
  if (headNode) mini.head = getNodeValue(headNode);
  const alone = readDocument(JSON.stringify(mini), budget ? { budget } : undefined);
  if (!alone.document) return undefined;
  return { model: alone.document.model, head: alone.document.head, inputShape };
}

/** The shape report of a model view (symbolic N, L when the input is unknown or unusable). */
export function reportFor(view: ModelView): ShapeReport {
  const shape = view.inputShape;
  const usable = shape && (shape.length === 2 || shape.length === 3) && shape[shape.length - 1] === view.model.inputSize;
  return shapeReport(view.model, view.head, usable ? shape : undefined);
}

/** Markdown of a model view: the model line and the shape table. */
export function modelMarkdown(view: ModelView, t: Localize): string {
  if (view.cell) return cellModelMarkdown(cellShapeReport(reportFor(view), view.cell), view.cell, view.model, view.head, t);
  return shapeMarkdown(reportFor(view), t, { model: view.model, head: view.head });
}

/** A hover's text and the span it covers. */
export interface HoverContent {
  markdown: string;
  span: Span;
}

const TENSOR_KEYS = new Set(['input', 'h0', 'c0']);

function spanOf(node: Node): Span {
  return { start: node.offset, end: node.offset + node.length };
}

/** The property node (key + value) that `node` sits in at top level or one level down. */
function propertyAt(tree: Node, path: (string | number)[], depth: number): Node | undefined {
  const value = findNodeAtLocation(tree, path.slice(0, depth));
  return value?.parent?.type === 'property' ? value.parent : undefined;
}

/**
 * The hover for this offset of an RNN document's text, or undefined when there is nothing to
 * say there. `read` is readDocument's result for the same text, `tree` its parse tree.
 */
export function hoverAt(text: string, offset: number, read: ReadResult, tree: Node | undefined, t: Localize, budget?: Budget): HoverContent | undefined {
  if (!tree) return undefined;
  const node = findNodeAtOffset(tree, offset, true);
  if (!node) return undefined;
  const path = getNodePath(node);
  if (path.length === 0) return undefined;
  const top = path[0];
  // On a key, findNodeAtOffset gives the key string node; getNodePath then names its property.
  const onKey = node.parent?.type === 'property' && node.parent.children?.[0] === node;

  if (top === 'model' || top === 'head') {
    const view = modelView(text, read, tree, budget);
    if (!view) return undefined;
    const prop = propertyAt(tree, path, 1);
    return { markdown: modelMarkdown(view, t), span: prop ? spanOf(prop) : spanOf(node) };
  }

  if (top === 'state_dict' && path.length >= 2 && typeof path[1] === 'string') {
    const writtenKey = path[1];
    const prop = propertyAt(tree, path, 2);
    const valueNode = prop?.children?.[1];
    const actual = valueNode ? arrayShape(text, valueNode) : undefined;
    const view = modelView(text, read, tree, budget);
    // A cell's keys (weight_ih) are its one-layer module's (weight_ih_l0), shown by the cell's names.
    const moduleKey = view?.cell ? writtenKey.replace(/(^|\.)((?:weight|bias)_(?:ih|hh))$/, '$1$2_l0') : writtenKey;
    const canonical = view ? canonicalName(moduleKey, view.model, view.head) : undefined;
    const found = view && canonical ? parameterInfos(view.model, view.head).find((p) => p.name === canonical.name) : undefined;
    const info = found && view?.cell ? { ...found, name: cellParamName(found.name) } : found;
    const onValueArray = !onKey && path.length > 2;
    if (info && view && !onValueArray) {
      return { markdown: parameterMarkdown(info, view.model.type, writtenKey, actual, t), span: prop ? spanOf(prop) : spanOf(node) };
    }
    if (actual && valueNode) {
      const index = path.slice(2).filter((p): p is number => typeof p === 'number');
      let md = tensorMarkdown(writtenKey, actual, t, { index: node.type === 'number' ? index : undefined });
      if (info) md += `\n\n${t('Expected shape {0}', `\`(${info.shape.join(', ')}${info.shape.length === 1 ? ',' : ''})\``)}`;
      return { markdown: md, span: spanOf(node.type === 'number' ? node : valueNode) };
    }
    return undefined;
  }

  if (typeof top === 'string' && TENSOR_KEYS.has(top)) {
    const prop = propertyAt(tree, path, 1);
    const valueNode = prop?.children?.[1];
    if (!valueNode) return undefined;
    const shape = tensorValueShape(text, valueNode);
    if (!shape) return undefined;
    const view = modelView(text, read, tree, budget);
    const axes = top === 'input' ? (view ? inputAxes(view.model, shape.length, t) : undefined) : stateAxes(shape.length, t);
    const index = path.slice(1).filter((p): p is number => typeof p === 'number');
    const md = tensorMarkdown(top, shape, t, { axes, index: node.type === 'number' && valueNode.type === 'array' ? index : undefined });
    return { markdown: md, span: spanOf(node.type === 'number' ? node : prop ?? valueNode) };
  }

  // Any other nested array (e.g. inside "expected" or "backward"): its shape.
  let arrayNode: Node | undefined = node.type === 'array' ? node : undefined;
  for (let n: Node | undefined = node; n; n = n.parent) if (n.type === 'array') arrayNode = n; // outermost
  if (arrayNode) {
    const shape = arrayShape(text, arrayNode);
    if (shape) return { markdown: tensorMarkdown(undefined, shape, t), span: spanOf(arrayNode) };
  }
  return undefined;
}
