/*
 * The RNN document reader: JSON(C) text -> typed RnnDocument + diagnostics with offset ranges.
 * Layer: document. May import src/engine and jsonc-parser; no vscode, no DOM, no Node.
 *
 * The text is parsed by jsonc-parser (comments and trailing commas allowed). Before that, an
 * iterative scan refuses nesting deeper than MAX_DEPTH, because parseTree recurses once per
 * level and would overflow the stack on deeply nested input. Every later walk is iterative
 * too. Object keys go into Maps, so `__proto__` or `constructor` are only ever plain keys.
 *
 * Messages follow PyTorch's own wording where PyTorch has one (shape errors, load_state_dict),
 * followed by a plain explanation for a learner. Every message is an English template passed
 * through the caller's translator (`tr('...')`, see messages.ts); English by default.
 */
import { createScanner, parseTree, ParseErrorCode, SyntaxKind, type Node, type ParseError } from 'jsonc-parser';
import type { CellType, EmbeddingConfig, HeadConfig, ModelConfig, ParamInfo, Tensor } from '../engine/types';
import { parameterInfos } from '../engine/params';
import { english, type Translate } from './messages';
import { checkTokenIds, readEmbedding, readTrain } from './trainReader';
import { isFromBlock, readStateDictFrom, type CheckpointResolver } from './fromCheckpoint';
import { groupDigits, numel, pyList, pyTuple, torchSize } from './nested';
import {
  DEFAULT_BUDGET,
  type BackwardBlock,
  type Budget,
  type CellDocument,
  type CellModuleType,
  type Diagnostic,
  type ReadResult,
  type RnnDocument,
  type Severity,
  type Span,
  type StateDictEntry,
  type TensorSource,
  type TrainBlock,
} from './types';
import { spanOf, typeWords } from './jsonNodes';
import { CELL_MODEL_KEYS, cellFamily, cellParamName, isCellType, moduleParamName } from './cell';
import { cellBackward, cellInputShape, cellState, checkCellBatch, checkCellDocument } from './cellReader';

/** Deepest nesting of [ ] and { } accepted. A document needs about 6 levels. */
export const MAX_DEPTH = 64;

/**
 * Most stacked layers accepted. Each layer is its own set of parameter tensors, so a tiny
 * model with num_layers = 1e6 fits the element budget yet means millions of tensors to list,
 * draw and run: refused before any is built.
 */
export const MAX_LAYERS = 1000;

/** Largest float32 value; anything larger in magnitude becomes inf in torch.tensor(..., float32). */
const FLOAT32_MAX = 3.4028234663852886e38;

export interface ReadOptions {
  /** Limits checked before anything is allocated; DEFAULT_BUDGET when absent. */
  budget?: Budget;
  /** Localises the messages (vscode.l10n.t in the extension); English when absent. */
  translate?: Translate;
  /**
   * Opens the checkpoint of `"state_dict": {"from": ...}` (the path as written, relative to the
   * document). The reader does no I/O itself; without a resolver such a document is an error.
   */
  checkpoint?: CheckpointResolver;
}

/** Read an RNN document. Never throws on any text; problems come back as diagnostics. */
export function readDocument(text: string, options?: ReadOptions): ReadResult {
  const reader = new Reader(text, options?.budget ?? DEFAULT_BUDGET, options?.translate ?? english);
  reader.checkpoint = options?.checkpoint;
  try {
    const document = reader.read();
    return { document: reader.hasErrors() ? undefined : document, diagnostics: reader.diagnostics };
  } catch (e) {
    // A bug in the reader must not take down the editor: report it as a diagnostic.
    reader.report('error', 'internal', { start: 0, end: 0 }, reader.tr('internal error while reading the document: {0}', String((e as Error)?.message ?? e)));
    return { diagnostics: reader.diagnostics };
  }
}

/**
 * Read a tensor given on its own (e.g. the selected array for "run on a selected array"):
 * the same rules as a tensor inside a document (JSONC, depth guard, ragged, non-finite, float32).
 */
export function readTensorText(text: string, translate: Translate = english): { tensor?: Tensor; diagnostics: Diagnostic[] } {
  const reader = new Reader(text, DEFAULT_BUDGET, translate);
  try {
    const root = reader.parse();
    if (!root) return { diagnostics: reader.diagnostics };
    if (root.type !== 'array') {
      reader.report('error', 'wrong-type', spanOf(root), reader.tr('expected a nested array of numbers, got {0}', typeWords(root, reader.tr)));
      return { diagnostics: reader.diagnostics };
    }
    const tensor = reader.tensor(root, 'tensor', true);
    return { tensor: reader.hasErrors() ? undefined : tensor, diagnostics: reader.diagnostics };
  } catch (e) {
    reader.report('error', 'internal', { start: 0, end: 0 }, reader.tr('internal error: {0}', String((e as Error)?.message ?? e)));
    return { diagnostics: reader.diagnostics };
  }
}

/** The shapes a run takes and makes, once the model and input are known. */
export interface RunShapes {
  batched: boolean;
  batch: number;
  seqLen: number;
  input: number[];
  output: number[];
  hN: number[];
  cN?: number[];
  head?: number[];
}

/** Shapes of a run's tensors as PyTorch gives them for this model and input shape. */
export function runShapes(model: ModelConfig, head: HeadConfig | undefined, inputShape: readonly number[]): RunShapes {
  const d = model.bidirectional ? 2 : 1;
  const hOut = model.projSize > 0 ? model.projSize : model.hiddenSize;
  const batched = inputShape.length === 3;
  const seqLen = batched && model.batchFirst ? inputShape[1] : inputShape[0];
  const batch = batched ? (model.batchFirst ? inputShape[0] : inputShape[1]) : 1;
  const lead = batched ? [d * model.numLayers, batch] : [d * model.numLayers];
  const output = batched
    ? model.batchFirst ? [batch, seqLen, d * hOut] : [seqLen, batch, d * hOut]
    : [seqLen, d * hOut];
  return {
    batched,
    batch,
    seqLen,
    input: [...inputShape],
    output,
    hN: [...lead, hOut],
    cN: model.type === 'LSTM' ? [...lead, model.hiddenSize] : undefined,
    head: head ? (head.on === 'all' ? [...output.slice(0, -1), head.outFeatures] : batched ? [batch, head.outFeatures] : [head.outFeatures]) : undefined,
  };
}

/**
 * Check an input shape against a model as PyTorch's forward would. Returns the problem in
 * PyTorch's words plus an explanation, or undefined when the shape is fine.
 */
export function checkInputShape(model: ModelConfig, shape: readonly number[], translate: Translate = english): string | undefined {
  const tr = translate;
  if (shape.length !== 2 && shape.length !== 3) {
    return model.batchFirst
      ? tr('{0}: Expected input to be 2-D or 3-D but received {1}-D tensor. The input is (L, N, input_size) as (N, L, input_size) with batch_first=true, or (L, input_size) for one unbatched sequence.', model.type, shape.length)
      : tr('{0}: Expected input to be 2-D or 3-D but received {1}-D tensor. The input is (L, N, input_size), or (L, input_size) for one unbatched sequence.', model.type, shape.length);
  }
  const last = shape[shape.length - 1];
  if (last !== model.inputSize) {
    return tr('input.size(-1) must be equal to input_size. Expected {0}, got {1}. The last dimension of the input holds the features of one time step, and the model was built with input_size={0}.', model.inputSize, last);
  }
  return undefined;
}

/**
 * Elements and FLOPs of one forward pass (with trace), estimated from sizes alone, before any
 * tensor exists. `inputShape` may be unknown: then only the parameters are counted.
 */
export function estimateCost(model: ModelConfig, head: HeadConfig | undefined, inputShape?: readonly number[]): { params: number; elements: number; flops: number } {
  const d = model.bidirectional ? 2 : 1;
  const g = gateCount(model.type);
  const h = model.hiddenSize;
  const hOut = model.projSize > 0 ? model.projSize : h;
  let params = 0;
  let flopsPerSampleStep = 0;
  let traceWidth = 0;
  for (let layer = 0; layer < Math.min(model.numLayers, 2); layer++) {
    // Layers >= 1 are all alike: count layer 1 once and multiply, so numLayers = 1e9 costs nothing here.
    const copies = layer === 0 ? 1 : model.numLayers - 1;
    const inSize = layer === 0 ? model.inputSize : d * hOut;
    const perDir = g * h * inSize + g * h * hOut + (model.bias ? 2 * g * h : 0) + (model.projSize > 0 ? hOut * h : 0);
    params += copies * d * perDir;
    flopsPerSampleStep += copies * d * (2 * g * h * (inSize + hOut) + (model.projSize > 0 ? 2 * h * hOut : 0));
    traceWidth += copies * d * (inSize + 2 * hOut + 2 * h + 3 * g * h);
  }
  if (head) params += head.outFeatures * d * hOut + (head.bias ? head.outFeatures : 0);
  let elements = params;
  let flops = 0;
  if (inputShape && (inputShape.length === 2 || inputShape.length === 3)) {
    const s = runShapes(model, head, inputShape);
    const steps = s.batch * s.seqLen;
    elements += numel(inputShape) + 2 * numel(s.hN) + (s.cN ? 2 * numel(s.cN) : 0) + numel(s.output) + steps * traceWidth;
    flops = steps * flopsPerSampleStep + (head ? 2 * s.batch * d * hOut * head.outFeatures : 0);
  }
  return { params, elements, flops };
}

function gateCount(type: CellType): number {
  return type === 'LSTM' ? 4 : type === 'GRU' ? 3 : 1;
}

// ---------------------------------------------------------------------------------------------

const TOP_KEYS = new Set(['model', 'head', 'seed', 'state_dict', 'input', 'h0', 'c0', 'description', '$schema', 'expected', 'backward', 'embedding', 'train', 'expected_float32', 'loop']);
const MODEL_KEYS = ['type', 'input_size', 'hidden_size', 'num_layers', 'nonlinearity', 'bias', 'batch_first', 'dropout', 'bidirectional', 'proj_size'];
const HEAD_KEYS = ['type', 'in_features', 'out_features', 'bias', 'on'];
const BACKWARD_KEYS = ['grad_output', 'grad_h_n', 'grad_c_n', 'grad_head', 'expected', 'loss'];
const RNN_PARAM = /^(weight|bias)_(ih|hh|hr)_l(\d+)(_reverse)?$/;
/** A cell's parameter names (nn.RNNCell/LSTMCell/GRUCell). */
const CELL_PARAM = /^(weight|bias)_(ih|hh)$/;

interface Prop {
  key: string;
  keyNode: Node;
  value: Node;
}

function syntaxWords(code: ParseErrorCode, tr: Translate): string {
  switch (code) {
    case ParseErrorCode.InvalidSymbol: return tr('unexpected character here');
    case ParseErrorCode.InvalidNumberFormat: return tr('this is not a valid number');
    case ParseErrorCode.PropertyNameExpected: return tr('expected a key in double quotes here (JSON keys are strings: "hidden_size")');
    case ParseErrorCode.ValueExpected: return tr('expected a value here (a number, a string, true/false, null, an array or an object)');
    case ParseErrorCode.ColonExpected: return tr('expected `:` between the key and its value');
    case ParseErrorCode.CommaExpected: return tr('expected `,` between two items');
    case ParseErrorCode.CloseBraceExpected: return tr('expected `}` to close the object');
    case ParseErrorCode.CloseBracketExpected: return tr('expected `]` to close the array');
    case ParseErrorCode.EndOfFileExpected: return tr('unexpected text after the end of the document (only one top-level object is allowed)');
    case ParseErrorCode.InvalidCommentToken: return tr('this comment is not valid');
    case ParseErrorCode.UnexpectedEndOfComment: return tr('the comment is not closed: missing `*/`');
    case ParseErrorCode.UnexpectedEndOfString: return tr('the string is not closed: missing `"`');
    case ParseErrorCode.UnexpectedEndOfNumber: return tr('the number ends too early');
    case ParseErrorCode.InvalidUnicode: return tr('invalid unicode escape (\\u must be followed by 4 hex digits)');
    case ParseErrorCode.InvalidEscapeCharacter: return tr('invalid escape character after `\\`');
    case ParseErrorCode.InvalidCharacter: return tr('this character is not allowed inside a string (write a line break as \\n, a tab as \\t)');
    default: return tr('syntax error');
  }
}

/** Closest known key, for "did you mean": same letters ignoring case and underscores, or edit distance <= 2. */
function suggest(key: string, known: readonly string[]): string | undefined {
  const norm = (s: string) => s.toLowerCase().replace(/[_\-\s]/g, '');
  const exact = known.find((k) => norm(k) === norm(key));
  if (exact) return exact;
  let best: string | undefined;
  let bestDist = 3;
  for (const k of known) {
    const dist = editDistance(key.toLowerCase(), k);
    if (dist < bestDist) { best = k; bestDist = dist; }
  }
  return best;
}

function editDistance(a: string, b: string): number {
  if (Math.abs(a.length - b.length) > 2 || a.length > 40) return 99;
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const cur = [i];
    for (let j = 1; j <= b.length; j++) {
      cur[j] = Math.min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1));
    }
    prev = cur;
  }
  return prev[b.length];
}

/**
 * Messages quote what the user wrote (keys, strings). Control, line-separator and
 * direction-changing characters in them are shown as \uXXXX, so a key cannot send escape
 * sequences to a terminal (the CLI prints messages), start a fake diagnostic line, or
 * reorder the text of the Problems panel (U+202E).
 */
function visible(message: string): string {
  return message.replace(/[\u0000-\u001f\u007f-\u009f\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069\ufeff]/g,
    (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

class Reader {
  readonly diagnostics: Diagnostic[] = [];
  private readonly spans: Record<string, Span> = Object.create(null);
  /** The document's embedding, once read (state_dict accepts `embedding.weight` then). */
  private embeddingConfig?: EmbeddingConfig;
  /** Opens `"state_dict": {"from": ...}` checkpoints (see fromCheckpoint.ts). */
  checkpoint?: CheckpointResolver;
  /** The cell document's loop and batch, once its input is read. */
  private cell?: CellDocument;
  /** Set when model.type names a cell (nn.LSTMCell ...): the model is then read as its one-layer module. */
  cellType?: CellModuleType;

  constructor(private readonly text: string, private readonly budget: Budget, readonly tr: Translate) {}

  report(severity: Severity, code: string, span: Span, message: string): void {
    const start = Math.max(0, Math.min(span.start, this.text.length));
    const end = Math.max(start, Math.min(span.end, this.text.length));
    this.diagnostics.push({ severity, code, span: { start, end }, message: visible(message) });
  }

  hasErrors(): boolean {
    return this.diagnostics.some((d) => d.severity === 'error');
  }

  private errorCount(): number {
    return this.diagnostics.filter((d) => d.severity === 'error').length;
  }

  /** Depth guard + jsonc-parser. Returns the root, or undefined after reporting why not. */
  parse(): Node | undefined {
    if (this.text.trim() === '') {
      this.report('error', 'syntax', { start: 0, end: this.text.length }, this.tr('the document is empty: expected a JSON object such as {"model": {...}, "input": [...]}'));
      return undefined;
    }
    // A byte order mark (an editor or Notepad may write one) is whitespace here; a space keeps offsets.
    const text = this.text.charCodeAt(0) === 0xfeff ? ' ' + this.text.slice(1) : this.text;
    // parseTree recurses once per nesting level: refuse deep nesting before calling it.
    const scanner = createScanner(text, true);
    let depth = 0;
    for (let kind = scanner.scan(); kind !== SyntaxKind.EOF; kind = scanner.scan()) {
      if (kind === SyntaxKind.OpenBraceToken || kind === SyntaxKind.OpenBracketToken) {
        depth++;
        if (depth > MAX_DEPTH) {
          const at = scanner.getTokenOffset();
          this.report('error', 'too-deep', { start: at, end: at + 1 },
            this.tr('nesting is too deep: more than {0} levels of [ ] and { } (an RNN document needs about 6; an input tensor has 2 or 3 dimensions)', MAX_DEPTH));
          return undefined;
        }
      } else if (kind === SyntaxKind.CloseBraceToken || kind === SyntaxKind.CloseBracketToken) {
        depth = Math.max(0, depth - 1);
      }
    }
    const errors: ParseError[] = [];
    const root = parseTree(text, errors, { allowTrailingComma: true, disallowComments: false, allowEmptyContent: false });
    let lastEnd = -1;
    for (const e of errors) {
      if (e.offset <= lastEnd) continue; // the follow-up of an error already reported
      if (e.error === ParseErrorCode.InvalidSymbol) {
        const m = /^[-+]?(NaN|Infinity|inf|nan)\b/.exec(this.text.slice(e.offset, e.offset + 12));
        if (m) {
          this.report('error', 'non-finite', { start: e.offset, end: e.offset + m[0].length },
            /nan/i.test(m[1])
              ? this.tr('`{0}` is not a number in JSON: JSON has no NaN (not a number). Write a finite number.', m[0])
              : this.tr('`{0}` is not a number in JSON: JSON has no Infinity. Write a finite number.', m[0]));
          lastEnd = e.offset + m[0].length;
          continue;
        }
      }
      this.report('error', 'syntax', { start: e.offset, end: e.offset + e.length }, syntaxWords(e.error, this.tr));
      lastEnd = e.offset + e.length;
    }
    if (errors.length > 0) return undefined;
    if (!root) {
      this.report('error', 'syntax', { start: 0, end: this.text.length }, this.tr('expected a JSON object'));
      return undefined;
    }
    return root;
  }

  /** Properties of an object node, last duplicate winning (as JSON.parse does), with a warning. */
  props(obj: Node): Map<string, Prop> {
    const map = new Map<string, Prop>();
    for (const p of obj.children ?? []) {
      const [keyNode, value] = p.children ?? [];
      if (!keyNode || !value) continue;
      const key = String(keyNode.value);
      const earlier = map.get(key);
      if (earlier) {
        this.report('warning', 'duplicate-key', spanOf(earlier.keyNode), this.tr('`{0}` appears more than once: this one is ignored and the last one is used', key));
      }
      map.set(key, { key, keyNode, value });
    }
    return map;
  }

  unknownKey(p: Prop, where: string, known: readonly string[]): void {
    const guess = suggest(p.key, known);
    this.report('warning', 'unknown-key', spanOf(p.keyNode), guess
      ? this.tr('unknown key `{0}` in {1}: it is ignored. Did you mean `{2}`?', p.key, where, guess)
      : this.tr('unknown key `{0}` in {1}: it is ignored', p.key, where));
  }

  int(p: Prop, min: number, what: string): number | undefined {
    const v = p.value;
    if (v.type !== 'number') {
      const unquoted = v.type === 'string' && /^\s*-?\d+\s*$/.test(String(v.value));
      this.report('error', 'wrong-type', spanOf(v), unquoted
        ? this.tr('`{0}` must be a whole number ({1}), got {2}. Write it without quotes: {3}', p.key, what, typeWords(v, this.tr), String(v.value).trim())
        : this.tr('`{0}` must be a whole number ({1}), got {2}.', p.key, what, typeWords(v, this.tr)));
      return undefined;
    }
    const n = v.value as number;
    if (!Number.isFinite(n)) {
      this.report('error', 'non-finite', spanOf(v), this.tr('`{0}` is {1}, which is too large: it reads as Infinity', p.key, this.text.slice(v.offset, v.offset + v.length)));
      return undefined;
    }
    if (!Number.isInteger(n)) {
      this.report('error', 'wrong-type', spanOf(v), this.tr('`{0}` must be a whole number ({1}), got {2}', p.key, what, n));
      return undefined;
    }
    if (n < min) {
      this.report('error', 'out-of-range', spanOf(v), this.tr('`{0}` must be >= {1} ({2}), got {3}', p.key, min, what, n));
      return undefined;
    }
    if (!Number.isSafeInteger(n)) {
      this.report('error', 'out-of-range', spanOf(v), this.tr('`{0}` is too large to be held exactly ({1})', p.key, n));
      return undefined;
    }
    return n;
  }

  bool(p: Prop): boolean | undefined {
    if (p.value.type !== 'boolean') {
      const got = typeWords(p.value, this.tr);
      const message = p.value.type === 'string' && /^(true|false)$/i.test(String(p.value.value))
        ? this.tr('`{0}` must be true or false, got {1}. Write it without quotes: {2}', p.key, got, String(p.value.value).toLowerCase())
        : p.value.type === 'number' && (p.value.value === 0 || p.value.value === 1)
          ? this.tr('`{0}` must be true or false, got {1}. Write {2}.', p.key, got, p.value.value === 1 ? 'true' : 'false')
          : this.tr('`{0}` must be true or false, got {1}.', p.key, got);
      this.report('error', 'wrong-type', spanOf(p.value), message);
      return undefined;
    }
    return p.value.value as boolean;
  }

  read(): RnnDocument | undefined {
    const root = this.parse();
    if (!root) return undefined;
    if (root.type !== 'object') {
      this.report('error', 'wrong-type', spanOf(root), this.tr('the document must be a JSON object ({ ... }) with at least "model", got {0}', typeWords(root, this.tr)));
      return undefined;
    }
    const top = this.props(root);
    for (const p of top.values()) {
      if (!TOP_KEYS.has(p.key)) this.unknownKey(p, this.tr('the document'), [...TOP_KEYS]);
    }
    const docStart = { start: root.offset, end: root.offset + 1 };

    // model
    const modelProp = top.get('model');
    let model: ModelConfig | undefined;
    if (!modelProp) {
      this.report('error', 'missing-key', docStart, this.tr('missing required key `model`, e.g. "model": {"type": "LSTM", "input_size": 10, "hidden_size": 20}'));
    } else {
      this.spans.model = spanOf(modelProp.value);
      model = this.model(modelProp);
    }
    // Cell documents: what a cell cannot have (cellReader.ts); "loop" belongs to cells only.
    if (this.cellType) checkCellDocument(this, top, this.cellType);
    else if (top.get('loop') && model) {
      this.report('warning', 'not-for-type', spanOf(top.get('loop')!.keyNode), this.tr('`loop` is only for a cell (nn.RNNCell, nn.LSTMCell, nn.GRUCell): nn.{0} walks over the time axis itself. It is ignored.', model.type));
    }

    // head
    let head: HeadConfig | undefined;
    const headProp = top.get('head');
    let headOk = true;
    if (headProp && headProp.value.type !== 'null') {
      this.spans.head = spanOf(headProp.value);
      head = this.head(headProp, model);
      headOk = head !== undefined;
    }

    // embedding (token ids in, embedding(input) into the RNN)
    let embedding: EmbeddingConfig | undefined;
    const embProp = top.get('embedding');
    if (embProp && embProp.value.type !== 'null') {
      this.spans.embedding = spanOf(embProp.value);
      embedding = readEmbedding(this, embProp);
      if (embedding && model && embedding.embeddingDim !== model.inputSize) {
        this.report('error', 'shape', spanOf(embProp.value),
          this.tr('embedding_dim ({0}) must equal the model\'s input_size ({1}): the RNN reads the embedding vectors as its input features', embedding.embeddingDim, model.inputSize));
        embedding = undefined;
      }
      this.embeddingConfig = embedding;
    }

    // seed
    let seed: number | undefined;
    const seedProp = top.get('seed');
    if (seedProp) {
      this.spans.seed = spanOf(seedProp.value);
      seed = this.int(seedProp, 0, this.tr('the value given to torch.manual_seed'));
    }

    // budget on the parameters, before any parameter list is built
    let modelInBudget = false;
    if (model && headOk && modelProp) {
      const cost = estimateCost(model, head);
      if (cost.params > this.budget.maxElements) {
        this.report('error', 'budget', spanOf(modelProp.keyNode),
          this.tr('this model has {0} parameters, more than the limit of {1} elements: nothing was allocated. Use smaller sizes (or raise the budget).', groupDigits(cost.params), groupDigits(this.budget.maxElements)));
      } else {
        modelInBudget = true;
      }
    }
    const infos = model && headOk && modelInBudget ? parameterInfos(model, head) : undefined;

    // state_dict
    const stateDict: StateDictEntry[] = [];
    const sdProp = top.get('state_dict');
    if (sdProp) {
      this.spans.state_dict = spanOf(sdProp.value);
      this.stateDict(sdProp, model, head, infos, seed, stateDict);
    }

    // input, h0, c0
    let input: TensorSource | undefined;
    let inputShape: number[] | undefined;
    const inputProp = top.get('input');
    if (inputProp) {
      this.spans.input = spanOf(inputProp.value);
      input = this.input(inputProp);
      if (input && embProp && embProp.value.type !== 'null') {
        // Token ids: the RNN sees ids' shape + (embedding_dim).
        inputShape = embedding ? checkTokenIds(this, inputProp.value, input, embedding, model, this.budget) : undefined;
        if (!inputShape) input = embedding ? undefined : input;
      } else if (input && this.cellType) {
        // A cell's step (N, in) / (in), or the loop's sequence; read as the module's input.
        const c = cellInputShape(this, inputProp, input, model, this.cellType, top.get('loop'));
        input = c?.input;
        inputShape = c?.input ? (c.input.kind === 'literal' ? c.input.tensor.shape : c.input.shape) : undefined;
        if (c) this.cell = { type: this.cellType, loop: c.loop, batched: c.batched };
      } else if (input) {
        inputShape = input.kind === 'literal' ? input.tensor.shape : input.shape;
        if (model) {
          const problem = checkInputShape(model, inputShape, this.tr);
          if (problem) {
            this.report('error', 'shape', spanOf(inputProp.value), problem);
            inputShape = undefined;
          }
        }
      }
    }
    let shapes: RunShapes | undefined;
    if (model && inputShape) {
      shapes = runShapes(model, head, inputShape);
      if (modelInBudget) {
        const cost = estimateCost(model, head, inputShape);
        if (cost.elements > this.budget.maxElements) {
          this.report('error', 'budget', spanOf(inputProp!.value),
            this.tr('a run on this input would hold about {0} numbers (parameters, input, outputs and the per-step trace), more than the limit of {1}: nothing was allocated. Use a shorter sequence, a smaller batch or smaller sizes.', groupDigits(cost.elements), groupDigits(this.budget.maxElements)));
        } else if (cost.flops > this.budget.maxFlops) {
          this.report('error', 'budget', spanOf(inputProp!.value),
            this.tr('a run on this input would take about {0} floating-point operations, more than the limit of {1}: nothing was run. Use a shorter sequence, a smaller batch or smaller sizes.', groupDigits(cost.flops), groupDigits(this.budget.maxFlops)));
        }
      }
    }

    const h0Prop = top.get('h0');
    let h0: TensorSource | undefined;
    if (h0Prop) {
      this.spans.h0 = spanOf(h0Prop.value);
      h0 = this.cellType
        ? checkCellBatch(this, 'h0', cellState(this, h0Prop, 'h0', model, this.cellType, this.cell), inputShape, h0Prop.value)
        : this.state(h0Prop, 'h0', model, shapes);
    }
    const c0Prop = top.get('c0');
    let c0: TensorSource | undefined;
    if (c0Prop) {
      this.spans.c0 = spanOf(c0Prop.value);
      if (model && model.type !== 'LSTM') {
        this.report('error', 'not-for-type', spanOf(c0Prop.keyNode),
          this.tr('`c0` is only for LSTM: nn.{0} has no cell state, only h0', this.cellType ?? model.type));
      } else if (this.cellType) {
        c0 = checkCellBatch(this, 'c0', cellState(this, c0Prop, 'c0', model, this.cellType, this.cell), inputShape, c0Prop.value);
      } else {
        c0 = this.state(c0Prop, 'c0', model, shapes);
      }
    }

    // backward (test and `rnn-lens grad` only); `expected` is not read at all
    let backward: BackwardBlock | undefined;
    const bwProp = top.get('backward');
    if (bwProp) backward = this.cellType ? cellBackward(this, bwProp, model, head, shapes, this.cell) : this.backward(bwProp, model, head, shapes);

    // train (loss, target, optimizer, steps, clip_grad_norm)
    let train: TrainBlock | undefined;
    const trainProp = top.get('train');
    if (trainProp && trainProp.value.type !== 'null' && !this.cellType) {
      this.spans.train = spanOf(trainProp.value);
      train = readTrain(this, trainProp, {
        model, head, budget: this.budget, dropoutSpan: this.spans['model.dropout'],
        prediction: shapes ? (head ? shapes.head : shapes.output) : undefined,
        forwardFlops: model && inputShape && modelInBudget ? estimateCost(model, head, inputShape).flops : undefined,
      });
    }

    if (!model) return undefined;
    const descriptionNode = top.get('description')?.value;
    const doc: RnnDocument = { model, head, seed, stateDict, input, h0, c0, backward, spans: this.spans };
    if (embedding) doc.embedding = embedding;
    if (train) doc.train = train;
    if (this.cellType) doc.cell = this.cell ?? { type: this.cellType, loop: false, batched: true };
    if (descriptionNode?.type === 'string' && typeof descriptionNode.value === 'string') doc.description = descriptionNode.value;
    return doc;
  }

  private model(prop: Prop): ModelConfig | undefined {
    if (prop.value.type !== 'object') {
      this.report('error', 'wrong-type', spanOf(prop.value), this.tr('`model` must be an object such as {"type": "LSTM", "input_size": 10, "hidden_size": 20}, got {0}', typeWords(prop.value, this.tr)));
      return undefined;
    }
    const before = this.errorCount();
    const m = this.props(prop.value);
    for (const p of m.values()) {
      this.spans[`model.${p.key}`] = spanOf(p.value);
      if (MODEL_KEYS.includes(p.key)) continue;
      if (p.key === 'device' || p.key === 'dtype') {
        this.report('warning', 'unknown-key', spanOf(p.keyNode), this.tr("`{0}` is ignored: RNN Lens always runs on the CPU with float32 weights, as PyTorch's defaults do", p.key));
      } else {
        this.unknownKey(p, 'model', MODEL_KEYS);
      }
    }
    const keySpan = spanOf(prop.keyNode);

    let type: CellType | undefined;
    const typeProp = m.get('type');
    if (!typeProp) {
      this.report('error', 'missing-key', keySpan, this.tr('missing required key `type` in model: "RNN", "LSTM" or "GRU"'));
    } else if (typeProp.value.type !== 'string') {
      this.report('error', 'wrong-type', spanOf(typeProp.value), this.tr('`type` must be "RNN", "LSTM" or "GRU", got {0}', typeWords(typeProp.value, this.tr)));
    } else {
      const t = String(typeProp.value.value);
      if (t === 'RNN' || t === 'LSTM' || t === 'GRU') {
        type = t;
      } else if (isCellType(t)) {
        // A cell runs as the one-layer module of its family (see cell.ts).
        type = cellFamily(t);
        this.cellType = t;
      } else {
        const bare = t.replace(/^(torch\.)?nn\./, '').toUpperCase();
        const cellGuess = ['RNNCell', 'LSTMCell', 'GRUCell'].find((c) => c.toUpperCase() === bare);
        if (cellGuess) {
          this.report('error', 'out-of-range', spanOf(typeProp.value), this.tr('unknown model type {0}. Did you mean "{1}"?', JSON.stringify(t), cellGuess));
        } else this.report('error', 'out-of-range', spanOf(typeProp.value), bare === 'RNN' || bare === 'LSTM' || bare === 'GRU'
          ? this.tr('unknown model type {0}: it must be "RNN", "LSTM" or "GRU". Did you mean "{1}"?', JSON.stringify(t), bare)
          : this.tr('unknown model type {0}: it must be "RNN", "LSTM" or "GRU".', JSON.stringify(t)));
      }
    }

    const required = (key: string, what: string): number | undefined => {
      const p = m.get(key);
      if (!p) {
        this.report('error', 'missing-key', keySpan, this.tr('missing required key `{0}` in model ({1})', key, what));
        return undefined;
      }
      return this.int(p, 1, what);
    };
    const inputSize = required('input_size', this.tr('the number of features in each time step of the input'));
    const hiddenSize = required('hidden_size', this.tr('the number of features in the hidden state h'));
    const optInt = (key: string, min: number, what: string, dflt: number): number | undefined => {
      const p = m.get(key);
      return p ? this.int(p, min, what) : dflt;
    };
    const optBool = (key: string, dflt: boolean): boolean | undefined => {
      const p = m.get(key);
      return p ? this.bool(p) : dflt;
    };
    if (this.cellType) {
      for (const p of m.values()) {
        if (MODEL_KEYS.includes(p.key) && !CELL_MODEL_KEYS.includes(p.key) || (p.key === 'nonlinearity' && this.cellType !== 'RNNCell')) {
          this.report('error', 'not-for-type', spanOf(p.keyNode), this.cellType === 'RNNCell'
            ? this.tr('`{0}` is not an argument of nn.{1}: a cell is one layer, one direction and one time step, built from input_size, hidden_size, bias and nonlinearity (PyTorch raises "__init__() got an unexpected keyword argument \'{0}\'")', p.key, this.cellType)
            : this.tr('`{0}` is not an argument of nn.{1}: a cell is one layer, one direction and one time step, built from input_size, hidden_size and bias (PyTorch raises "__init__() got an unexpected keyword argument \'{0}\'")', p.key, this.cellType));
        }
      }
      if (this.errorCount() > before) return undefined;
    }
    let numLayers = optInt('num_layers', 1, this.tr('how many recurrent layers are stacked'), 1);
    if (numLayers !== undefined && numLayers > MAX_LAYERS) {
      this.report('error', 'budget', spanOf(m.get('num_layers')!.value),
        this.tr('num_layers={0} is more than RNN Lens runs: at most {1} stacked layers, each with its own weights (models usually stack 1 to 4)', numLayers, MAX_LAYERS));
      numLayers = undefined;
    }
    const bias = optBool('bias', true);
    const batchFirst = optBool('batch_first', false);
    const bidirectional = optBool('bidirectional', false);

    let dropout: number | undefined = 0;
    const dp = m.get('dropout');
    if (dp) {
      if (dp.value.type !== 'number' || !Number.isFinite(dp.value.value)) {
        this.report('error', 'wrong-type', spanOf(dp.value), this.tr('`dropout` must be a number in [0, 1), got {0}', typeWords(dp.value, this.tr)));
        dropout = undefined;
      } else if (dp.value.value < 0 || dp.value.value >= 1) {
        // PyTorch: accepts 1 at construction, but a dropout of 1 zeroes everything in training.
        this.report('error', 'out-of-range', spanOf(dp.value), this.tr('`dropout` must be in [0, 1) (a probability of zeroing an element), got {0}', dp.value.value));
        dropout = undefined;
      } else {
        const rate: number = dp.value.value;
        dropout = rate;
        if (rate > 0 && numLayers === 1) {
          // PyTorch warns with these words at construction.
          this.report('warning', 'out-of-range', spanOf(dp.value),
            this.tr('dropout option adds dropout after all but last recurrent layer, so non-zero dropout expects num_layers greater than 1, but got dropout={0} and num_layers=1', rate));
        }
      }
    }

    let nonlinearity: 'tanh' | 'relu' | undefined = 'tanh';
    const nl = m.get('nonlinearity');
    if (nl) {
      if (type && type !== 'RNN') {
        this.report('error', 'not-for-type', spanOf(nl.keyNode), this.tr('`nonlinearity` is an option of nn.RNN only: nn.{0} has fixed activations (sigmoid gates and tanh) and would raise "unexpected keyword argument \'nonlinearity\'"', type));
      } else if (nl.value.type !== 'string') {
        this.report('error', 'wrong-type', spanOf(nl.value), this.tr('`nonlinearity` must be "tanh" or "relu", got {0}', typeWords(nl.value, this.tr)));
        nonlinearity = undefined;
      } else if (nl.value.value !== 'tanh' && nl.value.value !== 'relu') {
        // PyTorch: ValueError("Unknown nonlinearity '...'").
        this.report('error', 'out-of-range', spanOf(nl.value), this.tr('Unknown nonlinearity {0}: nn.RNN accepts "tanh" or "relu"', JSON.stringify(nl.value.value)));
        nonlinearity = undefined;
      } else {
        nonlinearity = nl.value.value;
      }
    }

    let projSize: number | undefined = 0;
    const ps = m.get('proj_size');
    if (ps) {
      if (type && type !== 'LSTM') {
        // PyTorch: nn.RNN / nn.GRU raise on proj_size whatever its value.
        this.report('error', 'not-for-type', spanOf(ps.keyNode), this.tr('`proj_size` is only supported for LSTM, not RNN or GRU (PyTorch raises "proj_size argument is only supported for LSTM, not RNN or GRU")'));
      } else {
        projSize = this.int(ps, 0, this.tr('the size of the projected hidden state, 0 for none'));
        if (projSize !== undefined && hiddenSize !== undefined && projSize >= hiddenSize) {
          this.report('error', 'out-of-range', spanOf(ps.value), this.tr('proj_size has to be smaller than hidden_size: got proj_size={0}, hidden_size={1}', projSize, hiddenSize));
          projSize = undefined;
        }
      }
    }
    if (this.errorCount() > before || !type || inputSize === undefined || hiddenSize === undefined || numLayers === undefined ||
      bias === undefined || batchFirst === undefined || bidirectional === undefined || dropout === undefined ||
      nonlinearity === undefined || projSize === undefined) {
      return undefined;
    }
    return { type, inputSize, hiddenSize, numLayers, nonlinearity, bias, batchFirst, dropout, bidirectional, projSize };
  }

  private head(prop: Prop, model: ModelConfig | undefined): HeadConfig | undefined {
    if (prop.value.type !== 'object') {
      this.report('error', 'wrong-type', spanOf(prop.value), this.tr('`head` must be an object such as {"type": "Linear", "out_features": 2}, got {0}', typeWords(prop.value, this.tr)));
      return undefined;
    }
    const before = this.errorCount();
    const m = this.props(prop.value);
    for (const p of m.values()) {
      if (!HEAD_KEYS.includes(p.key)) this.unknownKey(p, 'head', HEAD_KEYS);
    }
    const t = m.get('type');
    if (t && !(t.value.type === 'string' && t.value.value === 'Linear')) {
      this.report('error', 'out-of-range', spanOf(t.value), this.tr('the only head is "Linear" (nn.Linear on the output at the last time step), got {0}', typeWords(t.value, this.tr)));
    }
    const of = m.get('out_features');
    let outFeatures: number | undefined;
    if (!of) this.report('error', 'missing-key', spanOf(prop.keyNode), this.tr('missing required key `out_features` in head (the size of each output of the Linear layer)'));
    else outFeatures = this.int(of, 1, this.tr('the size of each output of the Linear layer'));
    const b = m.get('bias');
    const bias = b ? this.bool(b) : true;
    const inf = m.get('in_features');
    if (inf) {
      const n = this.int(inf, 1, this.tr('the size of each input of the Linear layer'));
      if (n !== undefined && model) {
        const want = (model.bidirectional ? 2 : 1) * (model.projSize > 0 ? model.projSize : model.hiddenSize);
        if (n !== want) {
          this.report('error', 'shape', spanOf(inf.value),
            this.tr('in_features must be {0}, the last dimension of the output (num_directions * {1}), got {2}. PyTorch would fail with "mat1 and mat2 shapes cannot be multiplied (Nx{0} and {2}x{3})"', want, model.projSize > 0 ? 'proj_size' : 'hidden_size', n, outFeatures ?? '?'));
        }
      }
    }
    let on: 'last' | 'all' = 'last';
    const onProp = m.get('on');
    if (onProp) {
      if (onProp.value.type === 'string' && (onProp.value.value === 'last' || onProp.value.value === 'all')) on = onProp.value.value;
      else this.report('error', 'out-of-range', spanOf(onProp.value), this.tr('head `on` must be "last" (the output at the last time step) or "all" (Linear on every step), got {0}', typeWords(onProp.value, this.tr)));
    }
    if (this.errorCount() > before || outFeatures === undefined || bias === undefined) return undefined;
    return on === 'all' ? { type: 'Linear', outFeatures, bias, on } : { type: 'Linear', outFeatures, bias };
  }

  private stateDict(prop: Prop, model: ModelConfig | undefined, head: HeadConfig | undefined,
    infos: ParamInfo[] | undefined, seed: number | undefined, out: StateDictEntry[]): void {
    if (prop.value.type !== 'object') {
      this.report('error', 'wrong-type', spanOf(prop.value), this.tr('`state_dict` must be an object of parameter names and nested arrays, e.g. {"weight_ih_l0": [[...]]}, got {0}', typeWords(prop.value, this.tr)));
      return;
    }
    if (isFromBlock(prop.value)) {
      readStateDictFrom({ host: this, spans: this.spans, keyNode: prop.keyNode, value: prop.value, model, head, embedding: this.embeddingConfig, infos, resolver: this.checkpoint, out });
      return;
    }
    const entries = this.props(prop.value);
    const byName = new Map<string, ParamInfo>();
    for (const info of infos ?? []) byName.set(info.name, info);
    let rnnPrefix: string | undefined;
    let headPrefix: string | undefined;
    const seen = new Set<string>();
    const unexpected = (p: Prop, why: string) => {
      this.report('error', 'unexpected-key', spanOf(p.keyNode), this.tr('Unexpected key(s) in state_dict: "{0}". {1}', p.key, why));
    };
    for (const p of entries.values()) {
      // Tensors are checked even when the model is broken, so ragged arrays show up at once.
      const tensor = this.tensor(p.value, p.key, true);
      if (!infos || !model) continue;
      if (p.key === 'embedding.weight') {
        // nn.Embedding's table (num_embeddings, embedding_dim); see trainReader.ts.
        const e = this.embeddingConfig;
        if (!e) unexpected(p, this.tr('The document has no "embedding": add "embedding": {"num_embeddings": V, "embedding_dim": E} to use token ids.'));
        else if (tensor && !sameShape(tensor.shape, [e.numEmbeddings, e.embeddingDim])) {
          this.report('error', 'shape', spanOf(p.value), this.tr('size mismatch for {0}: copying a param with shape {1} from checkpoint, the shape in current model is {2}. {3}', p.key, torchSize(tensor.shape), torchSize([e.numEmbeddings, e.embeddingDim]), 'embedding.weight is (num_embeddings, embedding_dim).'));
        } else if (tensor) out.push({ name: 'embedding.weight', writtenKey: p.key, keySpan: spanOf(p.keyNode), tensor, span: spanOf(p.value) });
        continue;
      }
      let name: string | undefined;
      let prefix = '';
      let isHead = false;
      const dot = p.key.lastIndexOf('.');
      const base = dot >= 0 ? p.key.slice(dot + 1) : p.key;
      if (dot >= 0) prefix = p.key.slice(0, dot);
      if (this.cellType && CELL_PARAM.test(base)) {
        name = moduleParamName(base);
      } else if (this.cellType && RNN_PARAM.test(base)) {
        unexpected(p, this.tr('nn.{0} names its parameters weight_ih, weight_hh, bias_ih, bias_hh: a cell has one layer and one direction, so its names have no _l0 or _reverse.', this.cellType));
        continue;
      } else if (RNN_PARAM.test(base)) {
        name = base;
      } else if (dot >= 0 && (base === 'weight' || base === 'bias')) {
        name = `head.${base}`;
        isHead = true;
      } else {
        unexpected(p, this.cellType
          ? this.tr('It is not a parameter of nn.{0}: names are weight_ih, weight_hh, bias_ih, bias_hh.', this.cellType)
          : head
          ? this.tr('It is not a parameter of nn.{0}: names are weight_ih_l0, weight_hh_l0, bias_ih_l0, bias_hh_l0 (and _reverse, l1, ...), head.weight, head.bias.', model.type)
          : this.tr('It is not a parameter of nn.{0}: names are weight_ih_l0, weight_hh_l0, bias_ih_l0, bias_hh_l0 (and _reverse, l1, ...).', model.type));
        continue;
      }
      if (isHead) {
        if (!head) {
          unexpected(p, this.tr('The document has no "head": add "head": {"type": "Linear", "out_features": ...} to use the Linear layer\'s weights.'));
          continue;
        }
        if (headPrefix === undefined) headPrefix = prefix;
        else if (headPrefix !== prefix) {
          this.report('error', 'prefix', spanOf(p.keyNode), this.tr('`{0}` uses the prefix `{1}.` but an earlier head key used `{2}.`: use one prefix for the head', p.key, prefix, headPrefix));
          continue;
        }
      } else {
        if (rnnPrefix === undefined) rnnPrefix = prefix;
        else if (rnnPrefix !== prefix) {
          const words = (x: string) => (x === '' ? this.tr('no prefix') : this.tr('the prefix `{0}.`', x));
          this.report('error', 'prefix', spanOf(p.keyNode), this.tr("`{0}` has {1} but an earlier key of the RNN has {2}: use one prefix for all of the RNN's parameters", p.key, words(prefix), words(rnnPrefix)));
          continue;
        }
      }
      const info = byName.get(name);
      if (!info) {
        unexpected(p, this.whyNotAParam(name, model));
        continue;
      }
      if (seen.has(name)) {
        unexpected(p, this.tr('{0} was already given.', this.shown(name)));
        continue;
      }
      seen.add(name);
      if (p.key !== this.shown(name)) {
        this.report('info', 'prefix', spanOf(p.keyNode), this.tr('read `{0}` as {1}', p.key, this.shown(name)));
      }
      if (!tensor) continue;
      if (!sameShape(tensor.shape, info.shape)) {
        this.report('error', 'shape', spanOf(p.value),
          this.tr('size mismatch for {0}: copying a param with shape {1} from checkpoint, the shape in current model is {2}. {3}', p.key, torchSize(tensor.shape), torchSize(info.shape), shapeWhy({ ...info, name: this.shown(info.name) }, model, this.tr)));
        continue;
      }
      out.push({ name, writtenKey: p.key, keySpan: spanOf(p.keyNode), tensor, span: spanOf(p.value) });
    }
    if (infos) {
      const missing = infos.filter((i) => !seen.has(i.name)).map((i) => `"${this.shown(i.name)}"`);
      if (missing.length > 0 && this.errorCount() === 0) {
        if (seed !== undefined) {
          this.report('info', 'missing-key', spanOf(prop.keyNode), this.tr('Missing key(s) in state_dict: {0}. They are drawn from seed {1}, as torch.manual_seed({1}) and constructing the model would draw them.', missing.join(', '), seed));
        } else {
          this.report('warning', 'missing-key', spanOf(prop.keyNode), this.tr('Missing key(s) in state_dict: {0}. load_state_dict would refuse this; here they are drawn as torch.manual_seed(0) would draw them. Add "seed" to choose another seed.', missing.join(', ')));
        }
      }
    }
  }

  private whyNotAParam(name: string, model: ModelConfig): string {
    const m = RNN_PARAM.exec(name);
    if (m) {
      const tr = this.tr;
      if (Number(m[3]) >= model.numLayers) {
        return model.numLayers > 1
          ? tr('The model has num_layers={0}, so its layers are l0 to l{1}.', model.numLayers, model.numLayers - 1)
          : tr('The model has num_layers={0}, so its layers are l0.', model.numLayers);
      }
      if (m[4] && !model.bidirectional) return tr('The model is not bidirectional, so it has no _reverse parameters.');
      if (m[2] === 'hr') return model.type === 'LSTM' ? tr('weight_hr_l* exists only with proj_size > 0.') : tr('weight_hr_l* belongs to an LSTM with proj_size > 0, not nn.{0}.', model.type);
      if (m[1] === 'bias' && !model.bias) return tr('The model has bias=false, so it has no bias parameters.');
    }
    if (name === 'head.bias') return this.tr('The head has bias=false.');
    return this.tr('It is not a parameter of this nn.{0}.', this.cellType ?? model.type);
  }

  /** A parameter's name as the user's module names it: weight_ih for a cell, weight_ih_l0 otherwise. */
  private shown(name: string): string {
    return this.cellType ? cellParamName(name) : name;
  }

  /** `input`: a nested array, or {"rand": shape} for torch.rand(*shape), or {"randn": shape} for torch.randn(*shape). */
  private input(prop: Prop): TensorSource | undefined {
    const v = prop.value;
    if (v.type === 'object') {
      const m = this.props(v);
      for (const p of m.values()) if (p.key !== 'rand' && p.key !== 'randn') this.unknownKey(p, 'input', ['rand', 'randn']);
      const normal = !m.get('rand') && !!m.get('randn');
      const r = m.get('rand') ?? m.get('randn');
      if (!r) {
        this.report('error', 'missing-key', spanOf(prop.keyNode), this.tr('input must be a nested array of numbers or {"rand": [L, N, input_size]}'));
        return undefined;
      }
      if (r.value.type !== 'array' || (r.value.children ?? []).length === 0) {
        this.report('error', 'wrong-type', spanOf(r.value), this.tr('"rand" takes a shape, a list of whole numbers such as [3, 5, 10], got {0}', typeWords(r.value, this.tr)));
        return undefined;
      }
      const shape: number[] = [];
      for (const c of r.value.children ?? []) {
        if (c.type !== 'number' || !Number.isInteger(c.value)) {
          this.report('error', 'wrong-type', spanOf(c), this.tr('every size in a shape must be a whole number, got {0}', typeWords(c, this.tr)));
          return undefined;
        }
        if (c.value < 1) {
          this.report('error', 'empty', spanOf(c), this.tr('every size in a shape must be >= 1 (an empty tensor cannot be run), got {0}', c.value));
          return undefined;
        }
        shape.push(c.value);
      }
      const n = numel(shape);
      if (n > this.budget.maxElements) {
        this.report('error', 'budget', spanOf(r.value), this.tr('torch.rand({0}) would hold {1} numbers, more than the limit of {2}: nothing was allocated', shape.join(', '), groupDigits(n), groupDigits(this.budget.maxElements)));
        return undefined;
      }
      return normal ? { kind: 'rand', shape, span: spanOf(v), normal } : { kind: 'rand', shape, span: spanOf(v) };
    }
    if (v.type !== 'array') {
      this.report('error', 'wrong-type', spanOf(v), this.tr('input must be a nested array of numbers or {"rand": [L, N, input_size]}, got {0}', typeWords(v, this.tr)));
      return undefined;
    }
    const tensor = this.tensor(v, 'input', true);
    return tensor ? { kind: 'literal', tensor, span: spanOf(v) } : undefined;
  }

  /** h0 or c0, checked against the input's batch size when the input is known. */
  private state(prop: Prop, which: 'h0' | 'c0', model: ModelConfig | undefined, shapes: RunShapes | undefined): TensorSource | undefined {
    const v = prop.value;
    if (v.type !== 'array') {
      this.report('error', 'wrong-type', spanOf(v), this.tr('`{0}` must be a nested array of numbers (leave it out for zeros), got {1}', which, typeWords(v, this.tr)));
      return undefined;
    }
    const tensor = this.tensor(v, which, true);
    if (!tensor || !model) return tensor ? { kind: 'literal', tensor, span: spanOf(v) } : undefined;
    const d = model.bidirectional ? 2 : 1;
    const size = which === 'c0' ? model.hiddenSize : model.projSize > 0 ? model.projSize : model.hiddenSize;
    const words = which === 'h0'
      ? this.tr('h0 is (num_layers * num_directions, N, {0}), without N for an unbatched input', model.projSize > 0 ? 'proj_size' : 'hidden_size')
      : this.tr('c0 is (num_layers * num_directions, N, hidden_size), without N for an unbatched input');
    const rank = tensor.shape.length;
    if (shapes) {
      if (shapes.batched && rank !== 3) {
        this.report('error', 'shape', spanOf(v), this.tr('For batched 3-D input, hx should also be 3-D but got {0}-D tensor. {1}.', rank, words));
        return undefined;
      }
      if (!shapes.batched && rank !== 2) {
        this.report('error', 'shape', spanOf(v), this.tr('For unbatched 2-D input, hx should also be 2-D but got {0}-D tensor. {1}.', rank, words));
        return undefined;
      }
      const want = which === 'h0' ? shapes.hN : shapes.cN!;
      if (!sameShape(tensor.shape, want)) {
        // PyTorch: check_hidden_size; an LSTM names h0 and c0 hidden[0] and hidden[1].
        const label = model.type === 'LSTM' ? (which === 'h0' ? 'hidden[0]' : 'hidden[1]') : 'hidden';
        this.report('error', 'shape', spanOf(v), this.tr('Expected {0} size {1}, got {2}. {3}.', label, pyTuple(want), pyList(tensor.shape), words));
        return undefined;
      }
    } else {
      const lead = d * model.numLayers;
      if ((rank !== 2 && rank !== 3) || tensor.shape[0] !== lead || tensor.shape[rank - 1] !== size) {
        const want = rank === 3 ? [lead, tensor.shape[1], size] : [lead, size];
        const label = model.type === 'LSTM' ? (which === 'h0' ? 'hidden[0]' : 'hidden[1]') : 'hidden';
        this.report('error', 'shape', spanOf(v), this.tr('Expected {0} size {1}, got {2}. {3}.', label, pyTuple(want), pyList(tensor.shape), words));
        return undefined;
      }
    }
    return { kind: 'literal', tensor, span: spanOf(v) };
  }

  private backward(prop: Prop, model: ModelConfig | undefined, head: HeadConfig | undefined, shapes: RunShapes | undefined): BackwardBlock | undefined {
    if (prop.value.type !== 'object') {
      this.report('error', 'wrong-type', spanOf(prop.value), this.tr('`backward` must be an object with grad_output, grad_h_n, grad_c_n, grad_head, got {0}', typeWords(prop.value, this.tr)));
      return undefined;
    }
    const m = this.props(prop.value);
    const block: BackwardBlock = {};
    const want: Record<string, [keyof BackwardBlock, string, number[] | undefined]> = {
      grad_output: ['gradOutput', 'output', shapes?.output],
      grad_h_n: ['gradHN', 'h_n', shapes?.hN],
      grad_c_n: ['gradCN', 'c_n', shapes?.cN],
      grad_head: ['gradHead', 'head', shapes?.head],
    };
    for (const p of m.values()) {
      if (!BACKWARD_KEYS.includes(p.key)) {
        this.unknownKey(p, 'backward', BACKWARD_KEYS);
        continue;
      }
      const spec = want[p.key];
      if (!spec) continue; // `expected` and `loss` are for tests and people
      if (p.key === 'grad_c_n' && model && model.type !== 'LSTM') {
        this.report('error', 'not-for-type', spanOf(p.keyNode), this.tr('grad_c_n is only for LSTM: nn.{0} has no c_n', model.type));
        continue;
      }
      if (p.key === 'grad_head' && model && !head) {
        this.report('error', 'not-for-type', spanOf(p.keyNode), this.tr('grad_head needs a "head" in the document'));
        continue;
      }
      // Upstream gradients are float64, as the loss is computed in double.
      const t = this.tensor(p.value, p.key, false);
      if (!t) continue;
      const [field, outName, shape] = spec;
      if (shape && !sameShape(t.shape, shape)) {
        this.report('error', 'shape', spanOf(p.value), this.tr('Mismatch in shape: {0} has a shape of {1} and {2} has a shape of {3}.', p.key, torchSize(t.shape), outName, torchSize(shape)));
        continue;
      }
      block[field] = t;
    }
    return block;
  }

  /**
   * A nested-array node -> tensor, iteratively. Reports the first problem (ragged, not a
   * number, non-finite, empty) at the offending node and returns undefined.
   */
  tensor(node: Node, what: string, float32: boolean): Tensor | undefined {
    if (node.type !== 'array') {
      this.report('error', 'wrong-type', spanOf(node), this.tr('`{0}` must be a nested array of numbers, got {1}', what, typeWords(node, this.tr)));
      return undefined;
    }
    const shape: number[] = [];
    let probe: Node | undefined = node;
    while (probe && probe.type === 'array') {
      const kids: Node[] = probe.children ?? [];
      shape.push(kids.length);
      probe = kids[0];
    }
    if (shape.includes(0)) {
      this.report('error', 'empty', spanOf(node), this.tr('`{0}` is an empty tensor ({1}): an RNN needs at least one number in every dimension', what, torchSize(shape)));
      return undefined;
    }
    const data: number[] = [];
    const stack: { n: Node; depth: number }[] = [{ n: node, depth: 0 }];
    while (stack.length > 0) {
      const { n, depth } = stack.pop()!;
      if (depth === shape.length) {
        if (n.type !== 'number') {
          if (n.type === 'array') {
            this.report('error', 'ragged', spanOf(n), this.tr('ragged array in `{0}`: expected a number at dim {1} (like the first element), got a list. Every row at the same depth must have the same shape.', what, depth - 1));
          } else {
            this.report('error', 'wrong-type', spanOf(n), this.tr('`{0}` must hold only numbers, got {1}', what, typeWords(n, this.tr)));
          }
          return undefined;
        }
        const raw = n.value as number;
        if (!Number.isFinite(raw)) {
          this.report('error', 'non-finite', spanOf(n), this.tr('{0} is too large: it reads as Infinity, and a run needs finite numbers', this.text.slice(n.offset, n.offset + n.length)));
          return undefined;
        }
        if (float32 && Math.abs(raw) > FLOAT32_MAX) {
          this.report('error', 'non-finite', spanOf(n), this.tr("{0} is beyond float32's range (about ±3.4028235e38): PyTorch would store inf", this.text.slice(n.offset, n.offset + n.length)));
          return undefined;
        }
        data.push(float32 ? Math.fround(raw) : raw);
        continue;
      }
      if (n.type !== 'array') {
        this.report('error', 'ragged', spanOf(n), this.tr('ragged array in `{0}`: expected a sequence at dim {1} (like the first element), got {2}. Every row at the same depth must have the same shape.', what, depth, typeWords(n, this.tr)));
        return undefined;
      }
      const kids = n.children ?? [];
      if (kids.length !== shape[depth]) {
        // PyTorch: torch.tensor raises "expected sequence of length 5 at dim 1 (got 4)".
        this.report('error', 'ragged', spanOf(n), this.tr('ragged array in `{0}`: expected sequence of length {1} at dim {2} (got {3}). Every row at the same depth must have the same length.', what, shape[depth], depth, kids.length));
        return undefined;
      }
      for (let i = kids.length - 1; i >= 0; i--) stack.push({ n: kids[i], depth: depth + 1 });
    }
    return { shape, data: Float64Array.from(data) };
  }
}

function sameShape(a: readonly number[], b: readonly number[]): boolean {
  return a.length === b.length && a.every((x, i) => x === b[i]);
}

/** Where a parameter's shape comes from, in PyTorch's terms. */
function shapeWhy(info: ParamInfo, model: ModelConfig, tr: Translate): string {
  const g = gateCount(model.type);
  const gates = g === 1 ? 'hidden_size' : tr('{0}*hidden_size (gates {1})', g, model.type === 'LSTM' ? 'i, f, g, o' : 'r, z, n');
  const hOutName = model.projSize > 0 ? 'proj_size' : 'hidden_size';
  const inName = info.layer === 0 ? 'input_size' : `num_directions*${hOutName}`;
  switch (info.kind) {
    case 'weight_ih': return tr('{0} is ({1}, {2}).', info.name, gates, inName);
    case 'weight_hh': return tr('{0} is ({1}, {2}).', info.name, gates, hOutName);
    case 'bias_ih': case 'bias_hh': return tr('{0} is ({1}).', info.name, gates);
    case 'weight_hr': return tr('{0} is (proj_size, hidden_size).', info.name);
    case 'head.weight': return tr('head.weight is (out_features, num_directions*{0}).', hOutName);
    case 'head.bias': return tr('head.bias is (out_features).');
    default: return '';
  }
}
