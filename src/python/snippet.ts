/*
 * The PyTorch snippet reader: finds nn.RNN / nn.LSTM / nn.GRU constructions in Python text
 * (however imported), reads their arguments as PyTorch's constructors would bind them, follows
 * names to literal constants bound in the same file (module constants, tuple assignments,
 * `self.x = x`, constructor calls into `__init__` parameters and their defaults, simple integer
 * arithmetic), and finds the Linear head applied to the last step, torch.manual_seed and the
 * torch.rand / torch.randn input. Nothing is executed. What cannot be read stays unresolved,
 * with a note naming the name and why.
 * Work is bounded: the text is cut at MAX_CHARS, evaluation has a step budget, no deep recursion.
 * Layer: python (pure). May import engine types; no vscode, DOM or Node.
 */
import type { CellType, ModelConfig } from '../engine/types';
import { withCellLoops, type CellLoop } from './cellLoop';
import { tokenize } from './tokenizer';
import { dotted, walk, type Expr, type Span } from './expr';
import { lineStatements, type Param, type Stmt } from './statements';
import { msg, type Msg } from './messages';
import * as T from './tensors';

export type { Span } from './expr';

/** Text beyond this many characters is not read. */
export const MAX_CHARS = 1_000_000;

/** A constructor argument the reader could not turn into a value. */
export interface UnresolvedField {
  /** PyTorch's argument name (`hidden_size`). */
  field: string;
  /** The name (or expression text) that could not be read (`hs`). */
  text: string;
  /** Why, e.g. "it is assigned from a function call". */
  reason: Msg;
  /** Where the argument stands in the call. */
  span: Span;
}

export interface SnippetHead {
  /** `nn.Linear(in_features, out_features)`; undefined when unresolved. */
  inFeatures?: number;
  outFeatures?: number;
  bias: boolean;
  /** The Linear call. */
  span: Span;
  /** How it is bound, e.g. `self.fc`. */
  target: string;
}

export interface SnippetInput {
  kind: 'rand' | 'randn';
  /** Undefined when a dimension could not be read. */
  shape?: number[];
  /** The torch.rand / torch.randn call, or (when `drawn` is false) the module call. */
  span: Span;
  /**
   * False when the module's input is not a torch.rand / torch.randn draw (torch.zeros, a literal,
   * an embedding...): the view then draws `kind` of that shape, and its numbers are not the snippet's.
   */
  drawn?: boolean;
}

/** What a module is, as PyTorch names its class. */
export type ModuleType = 'RNN' | 'LSTM' | 'GRU' | 'RNNCell' | 'LSTMCell' | 'GRUCell';

/** One call of a recognised module (`self.rnn(x, h0)`), with the shapes it receives. */
export interface ModuleCall {
  /** The call expression (its arguments are `call.args` / `call.kwargs`). */
  call: Extract<Expr, { k: 'call' }>;
  span: Span;
  /** 0-based line of the call. */
  line: number;
  /** Index into `SnippetResult.analysis.statements` of the statement holding the call. */
  statement: number;
  /** True when the text shows the call is made (module level, or in a function that is called). */
  reached: boolean;
  /** Shape of the first argument (for a PackedSequence: the padded tensor given to pack_padded_sequence). */
  input?: number[];
  /** The call is of an nn.Sequential holding the module: `input` is what the layers before it give. */
  sequential?: boolean;
  packed?: boolean;
  /** For a packed input: pack_padded_sequence's batch_first, when known. */
  packBatchFirst?: boolean;
  /**
   * Shapes of the state argument (second positional or `hx`): [h0] or, for LSTM/LSTMCell given
   * a tuple, [h0, c0]; an entry is undefined when unknown. Undefined when no state is passed.
   */
  hidden?: (number[] | undefined)[];
}

/** `nn.Embedding(num_embeddings, embedding_dim)` whose output the module receives. */
export interface SnippetEmbedding {
  numEmbeddings?: number;
  embeddingDim?: number;
  paddingIdx?: number;
  span: Span;
  /** How it is bound, e.g. `self.embedding`. */
  target?: string;
}

/** One recognised recurrent model and everything the snippet says about it. */
export interface SnippetModel {
  /**
   * The recurrent family (RNN, LSTM, GRU). For cells it is the cell's family (LSTMCell -> 'LSTM'):
   * check `cell`. For models in `SnippetResult.dynamic` it is a placeholder: check `moduleType`.
   */
  type: CellType;
  /** PyTorch's class: 'LSTMCell' etc.; null when the class is chosen at run time (`getattr(nn, name)`). */
  moduleType: ModuleType | null;
  /** True for nn.RNNCell / nn.LSTMCell / nn.GRUCell (one time step; no num_layers, batch_first...). */
  cell: boolean;
  /**
   * The module's calls, first call first (execution order as far as the text tells: a call inside
   * `forward` counts when `forward` is first called). Empty when the file never calls it.
   */
  calls: ModuleCall[];
  /** The nn.Embedding whose output the module's first call receives. */
  embedding?: SnippetEmbedding;
  /** The callee as written (`nn.RNN`, `L`). */
  callee: string;
  /** The constructor call, offsets into the text. */
  span: Span;
  /** 0-based line of the call. */
  line: number;
  /** Fields read (PyTorch's defaults applied for arguments not given). */
  config: Partial<ModelConfig> & { type: CellType };
  unresolved: UnresolvedField[];
  head?: SnippetHead;
  seed?: { value: number; span: Span };
  input?: SnippetInput;
  /** Notes for the user: unreadable names, what will differ from PyTorch, what was assumed. */
  notes: Msg[];
  /** True when every field of the model is known (the head's too, if there is one). */
  complete: boolean;
  /** Class (or function) that builds it, and the variable the instance is bound to. */
  owner?: string;
  instance?: string;
  /** The training the file does (optimizer, loss, clip, loop), when it is the file's only model. */
  training?: SnippetTraining;
  /** Cells: the loop over time around the first call (`for t in range(L): h = cell(x[t], h)`), see cellLoop.ts. */
  cellLoop?: CellLoop;
}

/**
 * What the file tells about training: each field only when the file determines it (an
 * argument written but not readable makes the optimizer or loss unknown, never a default).
 */
export interface SnippetTraining {
  loss?: 'mse' | 'cross_entropy';
  /** PyTorch's keyword names; only the arguments the file gives. */
  optimizer?: { type: 'SGD' | 'Adam' | 'AdamW'; lr?: number; momentum?: number; dampening?: number; weight_decay?: number; nesterov?: boolean; betas?: [number, number]; eps?: number; amsgrad?: boolean };
  /** Iterations of the training loop (`for _ in range(N)` around optimizer.step()). */
  steps?: number;
  /** max_norm of clip_grad_norm_. */
  clipGradNorm?: number;
  /** The `for` loop whose body calls optimizer.step(): 0-based line, and offset of `for`. */
  loopLine?: number;
  loopOffset?: number;
}

export interface SnippetResult {
  /** nn.RNN / LSTM / GRU and nn.RNNCell / LSTMCell / GRUCell constructions, in file order. */
  models: SnippetModel[];
  /**
   * Constructions whose class is chosen at run time (`getattr(nn, rnn_type)(...)`, a class passed
   * in): `moduleType` is null, `type` a placeholder; arguments read as RNNBase binds them.
   */
  dynamic: SnippetModel[];
  /** File-level notes (e.g. the text was cut). */
  notes: Msg[];
  /** The statements and an evaluator over them, for rules that look at the code around the models. */
  analysis?: SnippetAnalysis;
}

/** A statement of the file and where it stands. */
export interface StatementRef {
  stmt: Stmt;
  /** 'module', or the def/class it is in (`forward`, `Encoder`). */
  scopeKind: 'module' | 'class' | 'def';
  scopeName: string;
  /** For methods: the class name. */
  className?: string;
  /** 0-based line of the statement's start. */
  line: number;
}

/** Read-only access to the reader's view of the file (for lint rules). */
export interface SnippetAnalysis {
  statements: readonly StatementRef[];
  /** The shape of a tensor expression of statement `statement`, as it stands there; undefined when unknown. */
  shapeOf(expr: Expr, statement: number): number[] | undefined;
  /** An int/float/bool/str constant, or undefined. */
  constantOf(expr: Expr, statement: number): number | boolean | string | undefined;
  /** The recognised module (index into `models`) that a callee expression refers to, if any. */
  moduleOf(expr: Expr, statement: number): number | undefined;
  /** 0-based line of an offset. */
  lineOf(offset: number): number;
}

// ---------------------------------------------------------------------------------------------
// Scopes and bindings

interface Scope {
  kind: 'module' | 'class' | 'def';
  name: string;
  parent?: Scope;
  headerIndent: number;
  headerOffset: number;
  params: Param[];
  /** First parameter of a method (usually `self`). */
  selfName?: string;
  /** For methods: the class they belong to. */
  cls?: Scope;
  bindings: Map<string, Binding[]>;
  /** Class only: `self.x = ...` in any method. */
  attrs: Map<string, Binding[]>;
  /** Class only: decorated with @dataclass; its fields in order (annotated class-level names). */
  dataclassFields?: string[];
}

interface Binding {
  kind: 'value' | 'aug' | 'import' | 'loop' | 'starred' | 'def' | 'class';
  value?: Expr;
  path: number[];
  op?: string;
  /** Start of the statement that binds (its value is evaluated as of here). */
  offset: number;
  /** End of that statement: the name holds this value from here on. */
  visible: number;
  scope: Scope;
  importTarget?: string;
  defines?: Scope;
  /** Loop bindings: the loop's iterable. */
  iter?: Expr;
  /** Blocks (if/while/for/...) the binding statement is in. */
  blocks: Block[];
}

/** A compound statement's body. `cond`: it may not run (if/elif/else/while/except). */
interface Block {
  indent: number;
  cond: boolean;
}

interface StmtInfo {
  stmt: Stmt;
  scope: Scope;
  blocks: Block[];
  index: number;
}

interface CallInfo {
  call: Extract<Expr, { k: 'call' }>;
  info: StmtInfo;
  /** Canonical torch name (`torch.nn.RNN`) or undefined. */
  q?: string;
  /** Class or function defined in this file that the call constructs/calls. */
  target?: Scope;
  /** The callee as a dotted name (`self.fc`, with the method's self-name spelled `self`), if it is one. */
  name?: string;
  /** The callee's dotted name as written. */
  rawName?: string;
  /**
   * For a recurrent constructor whose class is picked at run time (`getattr(nn, name)(...)`, a
   * class passed in): the class when the file determines it, else null. Undefined for other calls.
   */
  dynamicType?: ModuleType | null;
}

/** A module object: a torch.nn constructor call, or an instance of a class of this file. */
type Obj = { k: 'module'; ci: CallInfo; q: string } | { k: 'instance'; cls: Scope; site: CallInfo };

/** A tensor (shape undefined when unknown) or a tuple of them, as far as the reader can tell. */
type TVal =
  | {
      k: 'tensor';
      shape?: number[];
      /** A PackedSequence; `shape` is the padded tensor's. */
      packed?: boolean;
      packBatchFirst?: boolean;
      /** The embedding whose output this is. */
      emb?: SnippetEmbedding;
      /** The torch.rand / torch.randn call this is (values in drawing order). */
      draw?: CallInfo;
      /** Integer dtype (token ids). */
      int?: boolean;
    }
  | { k: 'tuple'; items: (TVal | undefined)[] };

const NOT_TORCH = Symbol('not a torch function');

/** The constants of Python's `string` module (CPython 3). */
const LOWER = 'abcdefghijklmnopqrstuvwxyz';
const UPPER = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ';
const PUNCTUATION = '!"#$%&\'()*+,-./:;<=>?@[\\]^_`{|}~';
const WHITESPACE = ' \t\n\r\x0b\x0c';
const STRING_CONSTANTS: Record<string, string> = {
  ascii_lowercase: LOWER,
  ascii_uppercase: UPPER,
  ascii_letters: LOWER + UPPER,
  digits: '0123456789',
  hexdigits: '0123456789abcdefABCDEF',
  octdigits: '01234567',
  punctuation: PUNCTUATION,
  whitespace: WHITESPACE,
  printable: '0123456789' + LOWER + UPPER + PUNCTUATION + WHITESPACE,
};
/** Methods no module call goes through (tensor and builtin methods): their callee is never a module. */
const NOT_MODULE_METHODS = new Set(['view', 'reshape', 'permute', 'transpose', 'size', 'append', 'extend', 'item', 'backward', 'step', 'zero_grad', 'format', 'join', 'split', 'squeeze', 'unsqueeze', 'contiguous', 'detach', 'numpy', 'tolist', 'index', 'add_', 'mul_', 'sum', 'mean', 'max', 'min', 'argmax', 'softmax', 'cat', 'float', 'long', 'parameters', 'named_parameters', 'state_dict', 'load_state_dict', 'keys', 'values', 'items', 'get', 'replace', 'strip', 'lower', 'upper', 'startswith', 'endswith', 'new_zeros', 'new_ones', 'expand', 'repeat', 'fill_', 'zero_', 'clone', 'masked_fill', 'gather', 'scatter', 'topk', 'sort', 'eq', 'ne', 'pow', 'exp', 'log', 'dim', 'numel', 'data_ptr', 'add', 'mul', 'div', 'sub', 'matmul', 'bmm', 'mm', 't', 'flatten', 'chunk', 'narrow', 'clamp', 'abs', 'sqrt', 'print', 'write', 'read', 'close', 'update', 'pop', 'insert', 'copy_', 'uniform_', 'normal_', 'resize_']);
/** In-place tensor methods that change the shape. */
const SHAPE_MUTATORS = new Set(['resize_', 'resize_as_', 'set_', 'squeeze_', 'unsqueeze_', 't_', 'transpose_', 'as_strided_', 'swapdims_', 'swapaxes_']);

/** True when the expression uses the name `id`. */
function mentions(e: Expr, id: string): boolean {
  let found = false;
  walk(e, (x) => {
    if (x.k === 'name' && x.id === id) found = true;
  });
  return found;
}

function mentionsAny(e: Expr, ids: readonly string[]): boolean {
  return ids.some((id) => mentions(e, id));
}
/** Methods of a module that return the module itself. */
const MODULE_IDENTITY = new Set(['to', 'cuda', 'cpu', 'train', 'eval', 'float', 'double', 'half', 'requires_grad_', 'type']);
/** Tensor methods that keep the shape (and values). */
const IDENTITY_METHODS = new Set(['float', 'double', 'half', 'long', 'int', 'bool', 'to', 'cuda', 'cpu', 'detach', 'contiguous', 'clone', 'requires_grad_', 'type', 'tanh', 'sigmoid', 'relu', 'exp', 'log', 'abs', 'neg', 'sqrt', 'fill_', 'zero_', 'normal_', 'uniform_', 'clamp', 'clamp_', 'softmax', 'log_softmax', 'pin_memory', 'cumsum', 'sin', 'cos', 'detach_', 'float32']);
const TENSOR_METHODS = new Set([...IDENTITY_METHODS, 'unfold', 'view', 'reshape', 'view_as', 'reshape_as', 'expand_as', 'permute', 'transpose', 'swapaxes', 't', 'unsqueeze', 'squeeze', 'flatten', 'expand', 'repeat', 'narrow', 'sum', 'mean', 'argmax', 'amax']);
/** torch.nn modules whose output has the input's shape. */
const SHAPE_KEEPING_MODULES = new Set(['Dropout', 'ReLU', 'Tanh', 'Sigmoid', 'GELU', 'LeakyReLU', 'ELU', 'SELU', 'Identity', 'LayerNorm', 'Softmax', 'LogSoftmax', 'Dropout1d', 'AlphaDropout']);

/** Lexicographic order of execution keys. */
function compareKeys(a: readonly number[], b: readonly number[]): number {
  for (let i = 0; i < Math.min(a.length, b.length); i++) if (a[i] !== b[i]) return a[i] - b[i];
  return a.length - b.length;
}

/**
 * Output shapes of a recurrent module for an input, as PyTorch 1.13 gives them; undefined when the
 * config or input is not known, or PyTorch would raise. Cells: `output` is h', `cN` c' (LSTMCell).
 */
function recurrentShapes(
  type: ModuleType,
  c: Partial<ModelConfig>,
  x: { shape?: number[]; packed?: boolean; packBatchFirst?: boolean } | undefined,
): { output?: number[]; hN?: number[]; cN?: number[]; packed?: boolean } | undefined {
  if (!x?.shape || c.inputSize === undefined || c.hiddenSize === undefined) return undefined;
  const s = x.shape;
  const H = c.hiddenSize;
  if (type.endsWith('Cell')) {
    if (x.packed || (s.length !== 1 && s.length !== 2) || s[s.length - 1] !== c.inputSize) return undefined;
    const h = s.length === 2 ? [s[0], H] : [H];
    return { output: h, cN: type === 'LSTMCell' ? [...h] : undefined };
  }
  if (c.numLayers === undefined || c.bidirectional === undefined || c.batchFirst === undefined) return undefined;
  const projSize = type === 'LSTM' ? c.projSize : 0;
  if (projSize === undefined) return undefined;
  const D = c.bidirectional ? 2 : 1;
  const Hout = projSize > 0 ? projSize : H;
  const layers = D * c.numLayers;
  if (x.packed) {
    if (s.length !== 3 || x.packBatchFirst === undefined || s[2] !== c.inputSize) return undefined;
    const N = x.packBatchFirst ? s[0] : s[1];
    return { packed: true, hN: [layers, N, Hout], cN: type === 'LSTM' ? [layers, N, H] : undefined };
  }
  if ((s.length !== 2 && s.length !== 3) || s[s.length - 1] !== c.inputSize) return undefined;
  if (s.length === 2) {
    return { output: [s[0], D * Hout], hN: [layers, Hout], cN: type === 'LSTM' ? [layers, H] : undefined };
  }
  const [N, L] = c.batchFirst ? [s[0], s[1]] : [s[1], s[0]];
  return {
    output: c.batchFirst ? [N, L, D * Hout] : [L, N, D * Hout],
    hN: [layers, N, Hout],
    cN: type === 'LSTM' ? [layers, N, H] : undefined,
  };
}

// ---------------------------------------------------------------------------------------------
// Values

type Val =
  | { t: 'int'; v: number }
  | { t: 'float'; v: number }
  | { t: 'bool'; v: boolean }
  | { t: 'str'; v: string }
  | { t: 'none' }
  /** `unordered`: the items of a set (their order is Python's hash order): length only, no indexing. */
  | { t: 'tuple'; items: Val[]; unordered?: boolean }
  /** A dict literal, read lazily: only the entry asked for is evaluated, where the literal stands. */
  | { t: 'dict'; e: Extract<Expr, { k: 'other' }>; ctx: Ctx }
  /** An instance of a @dataclass of this file (`cfg = Config(hidden=64)`): fields read on demand. */
  | { t: 'object'; cls: Scope; call: Extract<Expr, { k: 'call' }>; ctx: Ctx };

type FailCode = 'cond' | 'call' | 'expr' | 'unbound' | 'import' | 'loop' | 'param-nocall' | 'param-multi' | 'param-star' | 'param-missing' | 'method-param' | 'cycle' | 'deep' | 'attr' | 'divzero' | 'starred' | 'big';

type Ev = { ok: true; val: Val } | { ok: false; code: FailCode; name?: string; arg?: string; reason?: Msg };

interface Ctx {
  scope: Scope;
  /** Where the expression stands: bindings visible here are in effect. */
  offset: number;
  /** Module-level "time": bindings of the module after this offset are not yet made. */
  moduleTime: number;
  depth: number;
  /** Bindings, parameters and calls being followed (cycles end there). */
  visiting: Set<object>;
}

const RECURRENT: Record<string, ModuleType> = {
  'torch.nn.RNN': 'RNN', 'torch.nn.LSTM': 'LSTM', 'torch.nn.GRU': 'GRU',
  'torch.nn.RNNCell': 'RNNCell', 'torch.nn.LSTMCell': 'LSTMCell', 'torch.nn.GRUCell': 'GRUCell',
};
const FAMILY: Record<ModuleType, CellType> = { RNN: 'RNN', LSTM: 'LSTM', GRU: 'GRU', RNNCell: 'RNN', LSTMCell: 'LSTM', GRUCell: 'GRU' };
const CANONICAL: Record<string, string> = {
  'torch.random.manual_seed': 'torch.manual_seed',
  'torch.nn.utils.rnn.pack_padded_sequence': 'torch.nn.utils.rnn.pack_padded_sequence',
  'torch.nn.functional': 'torch.nn.functional',
  'torch.Tensor': 'torch.Tensor',
};
for (const c of ['RNN', 'LSTM', 'GRU', 'RNNCell', 'LSTMCell', 'GRUCell']) {
  CANONICAL[`torch.nn.modules.rnn.${c}`] = `torch.nn.${c}`;
  CANONICAL[`torch.nn.modules.${c}`] = `torch.nn.${c}`;
}
for (const [m, c] of [['linear', 'Linear'], ['sparse', 'Embedding'], ['dropout', 'Dropout']]) {
  CANONICAL[`torch.nn.modules.${m}.${c}`] = `torch.nn.${c}`;
  CANONICAL[`torch.nn.modules.${c}`] = `torch.nn.${c}`;
}
/** torch.nn layers that draw no random numbers when built. */
const PARAMLESS = new Set([
  'Module', 'Sequential', 'ModuleList', 'ModuleDict', 'Dropout', 'Dropout1d', 'Dropout2d', 'ReLU', 'Tanh', 'Sigmoid', 'Softmax',
  'LogSoftmax', 'Identity', 'Flatten', 'GELU', 'LeakyReLU', 'CrossEntropyLoss', 'MSELoss', 'NLLLoss', 'BCELoss', 'BCEWithLogitsLoss', 'L1Loss', 'Parameter',
]);

/** Positional parameters of the constructors, as PyTorch 1.13 binds them. */
const RNN_BASE = ['input_size', 'hidden_size', 'num_layers', 'bias', 'batch_first', 'dropout', 'bidirectional', 'proj_size', 'device', 'dtype'];
const FIELDS: Record<ModuleType, string[]> = {
  // PyTorch 1.13: nn.RNN(*args, **kwargs) pops `nonlinearity` from the keywords and passes the
  // positionals to RNNBase, so its 4th positional argument is bias (2.x put nonlinearity there).
  RNN: RNN_BASE,
  LSTM: RNN_BASE,
  GRU: RNN_BASE,
  RNNCell: ['input_size', 'hidden_size', 'bias', 'nonlinearity', 'device', 'dtype'],
  LSTMCell: ['input_size', 'hidden_size', 'bias', 'device', 'dtype'],
  GRUCell: ['input_size', 'hidden_size', 'bias', 'device', 'dtype'],
};
const EMBEDDING_FIELDS = ['num_embeddings', 'embedding_dim', 'padding_idx', 'max_norm', 'norm_type', 'scale_grad_by_freq', 'sparse', '_weight', 'device', 'dtype'];
const LINEAR_FIELDS = ['in_features', 'out_features', 'bias', 'device', 'dtype'];
const LOADER_FIELDS = ['dataset', 'batch_size', 'shuffle', 'sampler', 'batch_sampler', 'num_workers', 'collate_fn', 'pin_memory', 'drop_last', 'timeout', 'worker_init_fn'];
const CONV1D_FIELDS = ['in_channels', 'out_channels', 'kernel_size', 'stride', 'padding', 'dilation', 'groups', 'bias', 'padding_mode', 'device', 'dtype'];
const MAXPOOL1D_FIELDS = ['kernel_size', 'stride', 'padding', 'dilation', 'return_indices', 'ceil_mode'];
const AVGPOOL1D_FIELDS = ['kernel_size', 'stride', 'padding', 'ceil_mode', 'count_include_pad'];

/** Total evaluation steps per file (hostile text cannot make evaluation explode). */
const EVAL_BUDGET = 200_000;
const MAX_EVAL_DEPTH = 40;
const MAX_CALLS = 20_000;
const MAX_MODELS = 20;
/** Deepest chain of nested evaluation (expressions and names followed) before giving up. */
const MAX_NESTING = 400;

/** Reads every recognised recurrent model in a Python snippet. Never throws. */
export function readSnippet(text: string): SnippetResult {
  try {
    return withCellLoops(new Reader(text).read());
  } catch (err) {
    // A bug in the reader must not take the editor down: report it as a note.
    return { models: [], dynamic: [], notes: [msg('The snippet reader failed: {0}', String((err as Error)?.message ?? err))] };
  }
}

class Reader {
  private readonly module: Scope;
  private readonly stmts: StmtInfo[] = [];
  private readonly calls: CallInfo[] = [];
  private readonly lineStarts: number[] = [0];
  private readonly fileNotes: Msg[] = [];
  private steps = 0;
  private readonly starImports: string[] = [];
  private readonly siteCache = new Map<Scope, CallInfo[]>();

  constructor(private readonly text: string) {
    this.module = newScope('module', '<module>', undefined, -1, 0);
    const n = Math.min(text.length, MAX_CHARS);
    for (let i = 0; i < n; i++) if (text.charCodeAt(i) === 10) this.lineStarts.push(i + 1);
    if (text.length > MAX_CHARS) this.fileNotes.push(msg('Only the first {0} characters of this file were read.', MAX_CHARS));
  }

  read(): SnippetResult {
    this.buildScopes();
    this.collectCalls();
    // Classes picked at run time or passed in: `getattr(nn, rnn_type)(...)`, `self.cell_cls(...)`.
    for (const c of this.calls) {
      if (c.q || c.target) continue;
      const fn = c.call.fn;
      if (fn.k !== 'name' && fn.k !== 'attr' && !(fn.k === 'call' && fn.fn.k === 'name' && fn.fn.id === 'getattr')) continue;
      const k = this.classOf(fn, this.ctxAt(c.info.scope, c.call.span.start), 0);
      if (k?.q && RECURRENT[k.q]) c.q = k.q;
      else if (k?.dynamic) c.dynamicType = null;
    }
    const models: SnippetModel[] = [];
    const dynamic: SnippetModel[] = [];
    for (const c of this.calls) {
      const known = c.q ? RECURRENT[c.q] : undefined;
      if (!known && c.dynamicType !== null) continue;
      if (models.length + dynamic.length >= MAX_MODELS) {
        this.fileNotes.push(msg('Only the first {0} models of this file are read.', MAX_MODELS));
        break;
      }
      if (known) models.push(this.buildModel(c, known));
      else dynamic.push(this.buildModel(c, null));
    }
    if (models.length === 1 && dynamic.length === 0 && !models[0].cell) {
      const training = this.readTraining();
      if (training) models[0].training = training;
    }
    return { models, dynamic, notes: this.fileNotes, analysis: this.analysis(models) };
  }

  lineOf(offset: number): number {
    let lo = 0;
    let hi = this.lineStarts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (this.lineStarts[mid] <= offset) lo = mid;
      else hi = mid - 1;
    }
    return lo;
  }

  private src(s: Span): string {
    const t = this.text.slice(s.start, s.end).replace(/\s+/g, ' ');
    return t.length > 60 ? t.slice(0, 57) + '...' : t;
  }

  // ------------------------------------------------------------------ scopes

  private buildScopes(): void {
    const stack: Scope[] = [this.module];
    const blocks: Block[] = [];
    let decorators: Expr[] = [];
    for (const line of tokenize(this.text, MAX_CHARS)) {
      for (const stmt of lineStatements(line)) {
        while (stack.length > 1 && stmt.indent <= stack[stack.length - 1].headerIndent) stack.pop();
        while (blocks.length > 0 && stmt.indent <= blocks[blocks.length - 1].indent) blocks.pop();
        const scope = stack[stack.length - 1];
        // Fields of a @dataclass: `name: type = default` and `name: type`, in order.
        if (scope.dataclassFields && scope.kind === 'class' && stmt.indent > scope.headerIndent) {
          const m = /^[ \t]*([A-Za-z_]\w*)[ \t]*:(?!=)/.exec(this.text.slice(stmt.span.start, stmt.span.end));
          if (m && (stmt.k === 'assign' || stmt.k === 'expr') && !(stmt.k === 'expr' && stmt.keyword)) scope.dataclassFields.push(m[1]);
        }
        const info: StmtInfo = { stmt, scope, blocks: [...blocks], index: this.stmts.length };
        this.stmts.push(info);
        this.bindStmt(info);
        const kw = stmt.k === 'for' ? 'for' : stmt.k === 'expr' ? stmt.keyword : undefined;
        if (kw && COMPOUND_BLOCK.has(kw) && blocks.length < 200) blocks.push({ indent: stmt.indent, cond: isConditionalBlock(stmt) });
        if (stmt.k === 'def' || stmt.k === 'class') blocks.push({ indent: stmt.indent, cond: false });
        const decorated = decorators;
        decorators = stmt.k === 'expr' && stmt.keyword === '@' ? [...decorators, ...stmt.exprs] : [];
        if (stmt.k === 'def' || stmt.k === 'class') {
          const child = newScope(stmt.k, stmt.name, scope, stmt.indent, stmt.span.start);
          if (stmt.k === 'class' && decorated.some((d) => /^(dataclasses\.)?dataclass$/.test(dotted(d.k === 'call' ? d.fn : d) ?? ''))) child.dataclassFields = [];
          if (stmt.k === 'def') {
            child.params = stmt.params;
            if (scope.kind === 'class') {
              child.cls = scope;
              child.selfName = stmt.params[0]?.name;
            }
          }
          addBinding(scope.bindings, stmt.name, { kind: stmt.k, path: [], offset: stmt.span.start, visible: stmt.span.start, scope, defines: child, blocks: info.blocks });
          if (stack.length < 200) stack.push(child);
        }
      }
    }
  }

  private bindStmt(info: StmtInfo): void {
    const { stmt, scope, blocks } = info;
    const at = { offset: stmt.span.start, visible: stmt.span.end, blocks };
    if (stmt.k === 'import') {
      for (const it of stmt.items) addBinding(scope.bindings, it.local, { kind: 'import', path: [], ...at, scope, importTarget: it.target });
      if (stmt.starFrom) this.starImports.push(stmt.starFrom);
    } else if (stmt.k === 'assign') {
      for (const target of stmt.targets) {
        // Destructure iteratively: (expr, path).
        const work: [Expr, number[]][] = [[target, []]];
        while (work.length > 0) {
          const [e, path] = work.pop()!;
          if (e.k === 'name') {
            addBinding(scope.bindings, e.id, { kind: stmt.aug ? 'aug' : 'value', value: stmt.value, path, op: stmt.aug, ...at, scope });
          } else if (e.k === 'tuple') {
            if (stmt.aug) continue;
            e.items.forEach((item, i) => work.push([item, [...path, i]]));
          } else if (e.k === 'other' && e.what === 'starred' && e.parts[0]?.k === 'name') {
            addBinding(scope.bindings, e.parts[0].id, { kind: 'starred', path, ...at, scope });
          } else if (e.k === 'attr' && e.obj.k === 'name' && scope.cls && e.obj.id === scope.selfName) {
            addBinding(scope.cls.attrs, e.attr, { kind: stmt.aug ? 'aug' : 'value', value: stmt.value, path, op: stmt.aug, ...at, scope });
          }
        }
      }
    } else if (stmt.k === 'for' && stmt.target) {
      const work: [Expr, number[]][] = [[stmt.target, []]];
      while (work.length > 0) {
        const [e, path] = work.pop()!;
        if (e.k === 'name') addBinding(scope.bindings, e.id, { kind: 'loop', path, ...at, scope, iter: stmt.iter });
        else if (e.k === 'tuple') e.items.forEach((item, i) => work.push([item, [...path, i]]));
      }
    }
  }

  // ------------------------------------------------------------------ calls

  private collectCalls(): void {
    for (const info of this.stmts) {
      const roots: Expr[] = [];
      const s = info.stmt;
      if (s.k === 'assign') roots.push(s.value);
      else if (s.k === 'expr') roots.push(...s.exprs);
      else if (s.k === 'for' && s.iter) roots.push(s.iter);
      for (const root of roots) {
        walk(root, (e) => {
          if (e.k !== 'call' || this.calls.length >= MAX_CALLS) return;
          const rawName = dotted(e.fn);
          const ci: CallInfo = { call: e, info, rawName, name: normaliseSelf(rawName, info.scope) };
          const q = this.qualify(e.fn, info.scope, 0);
          if (q) ci.q = q;
          else ci.target = this.localTarget(e.fn, info.scope);
          this.calls.push(ci);
        });
      }
    }
  }

  /**
   * The class a callee expression holds when it is not written as a torch name: `q` when the file
   * determines it, `dynamic` when it is one of nn.RNN/LSTM/GRU/cells but which one is chosen at run time.
   */
  private classOf(e: Expr, ctx: Ctx, depth: number): { q?: string; dynamic?: boolean } | undefined {
    if (depth > 8 || ++this.steps > EVAL_BUDGET) return undefined;
    const q = this.qualify(e, ctx.scope, 0);
    if (q) return { q };
    if (e.k === 'call' && e.fn.k === 'name' && e.fn.id === 'getattr' && e.args.length === 2 && !lookupBindingLoose(ctx.scope, 'getattr', e.span.start)) {
      const mod = this.qualify(e.args[0], ctx.scope, 0);
      if (mod !== 'torch.nn') return undefined;
      const r = this.eval(e.args[1], ctx);
      if (r.ok && r.val.t === 'str') return { q: `torch.nn.${r.val.v}` };
      return { dynamic: true };
    }
    if (e.k === 'other' && e.what === 'conditional' && e.parts.length === 3) {
      const a = this.classOf(e.parts[0], ctx, depth + 1);
      const b = this.classOf(e.parts[2], ctx, depth + 1);
      const rec = (x?: { q?: string; dynamic?: boolean }) => !!x && (x.dynamic || (!!x.q && !!RECURRENT[x.q]));
      if (a?.q && a.q === b?.q) return a;
      return rec(a) && rec(b) ? { dynamic: true } : undefined;
    }
    let b: Binding | undefined;
    if (e.k === 'name') {
      const r = this.resolveName(e.id, ctx);
      if (!r || r === 'cond') return undefined;
      if ('param' in r) {
        const arg = this.paramArg(r.def, r.param, ctx);
        if (arg) return this.classOf(arg.expr, arg.ctx, depth + 1);
        // Never called (or through *args): a recurrent default still says what kind of thing it is.
        const d = r.param.default ? this.classOf(r.param.default, { ...ctx, scope: r.def.parent ?? this.module, offset: r.def.headerOffset }, depth + 1) : undefined;
        return d && (d.dynamic || (d.q && RECURRENT[d.q])) ? { dynamic: true } : undefined;
      }
      b = r.b;
    } else if (e.k === 'attr' && e.obj.k === 'name' && ctx.scope.cls && e.obj.id === ctx.scope.selfName) {
      b = this.attrBinding(ctx.scope.cls, e.attr);
    }
    if (!b || b.kind !== 'value' || !b.value || b.path.length > 0 || ctx.visiting.has(b)) return undefined;
    ctx.visiting.add(b);
    try {
      return this.classOf(b.value, this.bindingCtx(b, ctx), depth + 1);
    } finally {
      ctx.visiting.delete(b);
    }
  }

  /** The read-only view of the file given to rules. */
  // ------------------------------------------------------------------ training

  /** A call's arguments bound to PyTorch's parameter names, read as values; undefined when one cannot be read or is not known. */
  private trainArgs(ci: CallInfo, names: readonly string[]): Map<string, Val> | undefined {
    const call = ci.call;
    if (call.messy || call.args.length > names.length) return undefined;
    const out = new Map<string, Val>();
    const ctx = () => this.ctxAt(ci.info.scope, call.span.start);
    const put = (name: string, e: Expr): boolean => {
      if (out.has(name)) return false;
      // The parameters argument (`model.parameters()`) is a generator, not a value to read.
      if (name === 'parameters') {
        out.set(name, { t: 'none' });
        return true;
      }
      const r = this.eval(e, ctx());
      if (!r.ok) return false;
      out.set(name, r.val);
      return true;
    };
    for (let i = 0; i < call.args.length; i++) if (!put(names[i], call.args[i])) return undefined;
    for (const k of call.kwargs) if (!k.name || !names.includes(k.name) || !put(k.name, k.value)) return undefined;
    return out;
  }

  /** The one call in the file whose torch name is in `names` (two or more: ambiguous, none). */
  private onlyCall(names: readonly string[]): CallInfo | undefined {
    const found = this.calls.filter((ci) => ci.q !== undefined && names.includes(ci.q));
    return found.length === 1 ? found[0] : undefined;
  }

  private readTraining(): SnippetTraining | undefined {
    const out: SnippetTraining = {};
    const num = (v: Val | undefined): number | undefined => (v && (v.t === 'int' || v.t === 'float') && Number.isFinite(v.v) ? v.v : undefined);
    const bool = (v: Val | undefined): boolean | undefined => (v && v.t === 'bool' ? v.v : undefined);

    // The optimizer: torch.optim.SGD / Adam / AdamW(params, ...), PyTorch 1.13's parameter order.
    const OPT: Record<string, { type: 'SGD' | 'Adam' | 'AdamW'; names: string[] }> = {
      'torch.optim.SGD': { type: 'SGD', names: ['params', 'lr', 'momentum', 'dampening', 'weight_decay', 'nesterov'] },
      'torch.optim.Adam': { type: 'Adam', names: ['params', 'lr', 'betas', 'eps', 'weight_decay', 'amsgrad'] },
      'torch.optim.AdamW': { type: 'AdamW', names: ['params', 'lr', 'betas', 'eps', 'weight_decay', 'amsgrad'] },
    };
    const optCalls = this.calls.filter((ci) => ci.q !== undefined && ci.q.startsWith('torch.optim.') && ci.q.split('.').length === 3);
    // A learning-rate scheduler changes lr as training goes: the optimizer block cannot say that.
    const scheduled = this.calls.some((ci) => ci.q?.startsWith('torch.optim.lr_scheduler.'));
    const optCall = optCalls.length === 1 && OPT[optCalls[0].q!] && !scheduled ? optCalls[0] : undefined;
    if (optCall) {
      const spec = OPT[optCall.q!];
      const params = this.argOf(optCall.call, 0, 'params');
      const args = params ? this.trainArgsExcept(optCall, spec.names) : undefined;
      if (args) {
        const o: NonNullable<SnippetTraining['optimizer']> = { type: spec.type };
        let ok = true;
        for (const [name, v] of args) {
          if (name === 'nesterov' || name === 'amsgrad') {
            const b = bool(v);
            if (b === undefined) ok = false;
            else o[name] = b;
          } else if (name === 'betas') {
            const b0 = v.t === 'tuple' && v.items.length === 2 ? num(v.items[0]) : undefined;
            const b1 = v.t === 'tuple' && v.items.length === 2 ? num(v.items[1]) : undefined;
            if (b0 === undefined || b1 === undefined) ok = false;
            else o.betas = [b0, b1];
          } else {
            const n = num(v);
            if (n === undefined) ok = false;
            else (o as Record<string, unknown>)[name] = n;
          }
        }
        if (ok) out.optimizer = o;
      }
    }

    // The loss: nn.MSELoss() / nn.CrossEntropyLoss(), mean reduction only.
    const lossCall = this.onlyCall(['torch.nn.MSELoss', 'torch.nn.CrossEntropyLoss']);
    const otherLosses = this.calls.filter((ci) => ci.q !== undefined && /^torch\.nn\.[A-Za-z0-9]*Loss$/.test(ci.q)).length;
    if (lossCall && otherLosses === 1) {
      const args = this.trainArgs(lossCall, ['reduction']);
      const red = args?.get('reduction');
      if (args && (!red || (red.t === 'str' && red.v === 'mean'))) out.loss = lossCall.q === 'torch.nn.MSELoss' ? 'mse' : 'cross_entropy';
    }

    // clip_grad_norm_(params, max_norm, norm_type=2.0): only the L2 norm is carried.
    const clipCall = this.onlyCall(['torch.nn.utils.clip_grad_norm_', 'torch.nn.utils.clip_grad.clip_grad_norm_']);
    if (clipCall) {
      const args = this.trainArgs(clipCall, ['parameters', 'max_norm', 'norm_type', 'error_if_nonfinite']);
      const maxNorm = num(args?.get('max_norm'));
      const nt = args?.get('norm_type');
      if (args && maxNorm !== undefined && maxNorm > 0 && (!nt || num(nt) === 2)) out.clipGradNorm = maxNorm;
    }

    // The loop: the innermost `for` around `<optimizer>.step()`.
    const optStmt = optCall?.info.stmt;
    const optName = optStmt && optStmt.k === 'assign' && optStmt.targets.length === 1 && optStmt.targets[0].k === 'name' ? optStmt.targets[0].id : undefined;
    const stepCalls = optName ? this.calls.filter((ci) => ci.rawName === `${optName}.step` && ci.info.scope === optCall!.info.scope) : [];
    if (stepCalls.length === 1) {
      const si = stepCalls[0].info;
      let loop: StmtInfo | undefined;
      const enclosing: StmtInfo[] = [];
      let indent = si.stmt.indent;
      for (let i = si.index - 1; i >= 0 && indent > 0; i--) {
        const s = this.stmts[i];
        if (s.scope !== si.scope && s.stmt.k !== 'def' && s.stmt.k !== 'class') continue;
        if (s.stmt.indent >= indent) continue;
        indent = s.stmt.indent;
        enclosing.push(s);
        if (!loop && s.stmt.k === 'for') loop = s;
      }
      if (loop && loop.stmt.k === 'for') {
        out.loopLine = this.lineOf(loop.stmt.span.start);
        out.loopOffset = loop.stmt.span.start;
        const loopIndent = loop.stmt.indent;
        // Every statement between the loop and the step call must be unconditional and the loop the only one.
        const inner = enclosing.slice(0, enclosing.indexOf(loop));
        const outer = enclosing.slice(enclosing.indexOf(loop) + 1);
        const plain = inner.length === 0;
        // The loop runs once as written: at module level (under `if __name__ == "__main__":` too),
        // or in a plain function called from exactly one place that is itself run once.
        const once = (list: StmtInfo[]) => list.every((s) => s.stmt.k !== 'for' && !(s.stmt.k === 'expr' && s.stmt.keyword !== undefined && !this.isMainGuard(s)));
        const fnOnce = (scope: Scope): boolean => {
          if (scope.kind !== 'def' || scope.cls || this.execKey(scope) === undefined) return false;
          const sites = this.callSitesOf(scope);
          if (sites.length !== 1) return false;
          const site = sites[0].info;
          if (site.scope.kind !== 'module' && !(site.scope.kind === 'def' && site.scope !== scope && fnOnce(site.scope))) return false;
          return once(this.enclosingOf(site));
        };
        const alone = (loop.scope.kind === 'module' || fnOnce(loop.scope)) && once(outer);
        let breaks = false;
        for (let i = loop.index + 1; i < this.stmts.length && this.stmts[i].stmt.indent > loopIndent; i++) {
          const st = this.stmts[i].stmt;
          if (st.k === 'expr' && (st.keyword === 'break' || st.keyword === 'return' || st.keyword === 'continue' || st.keyword === 'raise')) breaks = true;
          if (st.k === 'expr' && st.exprs.length === 0 && /^(break|continue|return|raise)\b/.test(this.text.slice(st.span.start, st.span.end))) breaks = true;
        }
        const it = loop.stmt.iter;
        if (plain && alone && !breaks && it && it.k === 'call' && it.fn.k === 'name' && it.fn.id === 'range' && !it.messy && it.kwargs.length === 0 && it.args.length === 1 && !lookupBindingLoose(loop.scope, 'range', it.span.start)) {
          const r = this.eval(it.args[0], this.ctxAt(loop.scope, it.span.start));
          if (r.ok && r.val.t === 'int' && Number.isSafeInteger(r.val.v) && r.val.v >= 1) out.steps = r.val.v;
        }
      }
    }
    return out.loss || out.optimizer || out.loopLine !== undefined ? out : undefined;
  }

  /** `if __name__ == "__main__":` */
  private isMainGuard(s: StmtInfo): boolean {
    return s.stmt.k === 'expr' && s.stmt.keyword === 'if' && /^if\s*\(?\s*__name__\s*==\s*(['"])__main__\1\s*\)?\s*$/.test(this.text.slice(s.stmt.span.start, s.stmt.span.end));
  }

  /** The compound statements (if/for/while/with/def...) around a statement, innermost first. */
  private enclosingOf(si: StmtInfo): StmtInfo[] {
    const out: StmtInfo[] = [];
    let indent = si.stmt.indent;
    for (let i = si.index - 1; i >= 0 && indent > 0; i--) {
      const s = this.stmts[i];
      if (s.stmt.indent >= indent) continue;
      indent = s.stmt.indent;
      out.push(s);
    }
    return out;
  }

  /** trainArgs for an optimizer: the params argument is not read as a value. */
  private trainArgsExcept(ci: CallInfo, names: readonly string[]): Map<string, Val> | undefined {
    const call = ci.call;
    if (call.messy || call.args.length > names.length || call.args.length + call.kwargs.length === 0) return undefined;
    const out = new Map<string, Val>();
    const ctx = () => this.ctxAt(ci.info.scope, call.span.start);
    const items: [string, Expr][] = [...call.args.map((a, i) => [names[i], a] as [string, Expr]), ...call.kwargs.map((k) => [k.name ?? '', k.value] as [string, Expr])];
    for (const [name, e] of items) {
      if (!names.includes(name) || out.has(name)) return undefined;
      if (name === 'params') {
        out.set(name, { t: 'none' });
        continue;
      }
      const r = this.eval(e, ctx());
      if (!r.ok) return undefined;
      out.set(name, r.val);
    }
    out.delete('params');
    return out;
  }

  private analysis(models: SnippetModel[]): SnippetAnalysis {
    const statements: StatementRef[] = this.stmts.map((s) => ({
      stmt: s.stmt,
      scopeKind: s.scope.kind,
      scopeName: s.scope.name,
      className: s.scope.cls?.name,
      line: this.lineOf(s.stmt.span.start),
    }));
    const ctxOf = (i: number, e: Expr): Ctx | undefined => {
      const s = this.stmts[i];
      return s ? this.ctxAt(s.scope, e.span.start) : undefined;
    };
    return {
      statements,
      shapeOf: (expr, i) => {
        const ctx = ctxOf(i, expr);
        if (!ctx) return undefined;
        this.steps = Math.min(this.steps, EVAL_BUDGET / 2);
        return this.shapeOfExpr(expr, ctx);
      },
      constantOf: (expr, i) => {
        const ctx = ctxOf(i, expr);
        if (!ctx) return undefined;
        this.steps = Math.min(this.steps, EVAL_BUDGET / 2);
        const r = this.eval(expr, ctx);
        return r.ok && (r.val.t === 'int' || r.val.t === 'float' || r.val.t === 'bool' || r.val.t === 'str') ? r.val.v : undefined;
      },
      moduleOf: (expr, i) => {
        const ctx = ctxOf(i, expr);
        if (!ctx) return undefined;
        const o = this.objectOf(expr, ctx);
        if (o?.k !== 'module') return undefined;
        const idx = models.findIndex((m) => m.span === o.ci.call.span);
        return idx >= 0 ? idx : undefined;
      },
      lineOf: (offset) => this.lineOf(offset),
    };
  }

  /** Canonical dotted torch name of a callee chain, following imports and aliases. */
  private qualify(e: Expr, scope: Scope, depth: number): string | undefined {
    const d = dotted(e);
    if (!d || depth > 8) return undefined;
    const parts = d.split('.');
    const head = parts[0];
    const b = lookupBindingLoose(scope, head, e.span.start);
    let base: string | undefined;
    if (b?.kind === 'import') base = b.importTarget;
    else if (b?.kind === 'value' && b.value && b.path.length === 0) base = this.qualify(b.value, b.scope, depth + 1);
    else if (!b) {
      if (head === 'torch') base = 'torch';
      else if (head === 'nn') base = 'torch.nn'; // snippets often omit the import
      else {
        for (const m of this.starImports) {
          if ((m === 'torch.nn' && /^[A-Z]/.test(head)) || (m === 'torch' && ['rand', 'randn', 'manual_seed', 'nn'].includes(head))) base = `${m}.${head}`;
        }
      }
    }
    if (!base) return undefined;
    const full = [base, ...parts.slice(1)].join('.');
    return CANONICAL[full] ?? full;
  }

  /** A class or function of this file that a callee names. */
  private localTarget(e: Expr, scope: Scope): Scope | undefined {
    if (e.k !== 'name') return undefined;
    const b = lookupBindingLoose(scope, e.id, e.span.start);
    return b && (b.kind === 'class' || b.kind === 'def') ? b.defines : undefined;
  }

  private drawing?: Set<Scope>;

  /** Classes whose methods build recurrent or Linear layers (constructing them draws random numbers). */
  private drawingClasses(): Set<Scope> {
    if (!this.drawing) {
      this.drawing = new Set();
      for (const x of this.calls) if (x.info.scope.cls && x.q && (RECURRENT[x.q] || x.q === 'torch.nn.Linear')) this.drawing.add(x.info.scope.cls);
    }
    return this.drawing;
  }

  /** Call sites of a class (its constructor) or function, in file order. */
  private sitesOf(s: Scope): CallInfo[] {
    let sites = this.siteCache.get(s);
    if (!sites) {
      sites = this.calls.filter((c) => c.target === s);
      this.siteCache.set(s, sites);
    }
    return sites;
  }

  // ------------------------------------------------------------------ evaluation

  private fail(code: FailCode, name?: string, arg?: string): Ev {
    return { ok: false, code, name, arg };
  }

  private nesting = 0;

  private eval(e: Expr, ctx: Ctx): Ev {
    if (++this.steps > EVAL_BUDGET || ctx.depth > MAX_EVAL_DEPTH || this.nesting > MAX_NESTING) return this.fail('deep');
    this.nesting++;
    try {
      return this.evalNode(e, ctx);
    } finally {
      this.nesting--;
    }
  }

  private evalNode(e: Expr, ctx: Ctx): Ev {
    switch (e.k) {
      case 'num':
        return parseNumber(e.text);
      case 'str':
        return { ok: true, val: { t: 'str', v: e.value } };
      case 'const':
        return { ok: true, val: e.value === null ? { t: 'none' } : { t: 'bool', v: e.value } };
      case 'name':
        return this.lookupName(e.id, ctx);
      case 'attr':
        return this.evalAttr(e, ctx);
      case 'tuple': {
        const items: Val[] = [];
        for (const it of e.items) {
          const r = this.eval(it, ctx);
          if (!r.ok) return r;
          items.push(r.val);
        }
        return { ok: true, val: { t: 'tuple', items } };
      }
      case 'unary': {
        const r = this.eval(e.arg, ctx);
        if (!r.ok) return r;
        return unary(e.op, r.val);
      }
      case 'bin': {
        const l = this.eval(e.left, ctx);
        if (!l.ok) return l;
        const r = this.eval(e.right, ctx);
        if (!r.ok) return r;
        return binary(e.op, l.val, r.val);
      }
      case 'sub': {
        const o = this.eval(e.obj, ctx);
        if (!o.ok) return o;
        const i = this.eval(e.index, ctx);
        if (!i.ok) return i;
        if (o.val.t === 'dict') return this.dictEntry(o.val, i.val);
        if (o.val.t === 'tuple' && !o.val.unordered && (i.val.t === 'int' || i.val.t === 'bool')) {
          const n = o.val.items.length;
          const k = Number(i.val.t === 'int' ? i.val.v : i.val.v);
          const idx = k < 0 ? n + k : k;
          if (idx >= 0 && idx < n) return { ok: true, val: o.val.items[idx] };
        }
        return this.fail('expr');
      }
      case 'call':
        return this.evalCall(e, ctx);
      case 'other':
        if (e.what === 'dict') return { ok: true, val: { t: 'dict', e, ctx } };
        return this.fail('expr');
      default:
        return this.fail('expr');
    }
  }

  /** `d[key]` of a dict literal: the value of the last entry whose key equals `key`. */
  private dictEntry(d: Extract<Val, { t: 'dict' }>, key: Val): Ev {
    if (key.t !== 'str' && key.t !== 'int') return this.fail('expr');
    let found: Expr | undefined;
    for (let i = 0; i + 1 < d.e.parts.length; i += 2) {
      const k = this.eval(d.e.parts[i], d.ctx);
      if (!k.ok) return this.fail('expr');
      if (k.val.t === key.t && k.val.v === key.v) found = d.e.parts[i + 1];
    }
    return found ? this.eval(found, d.ctx) : this.fail('expr');
  }

  private evalCall(e: Extract<Expr, { k: 'call' }>, ctx: Ctx): Ev {
    // x.size() / x.size(d) / x.dim() of a tensor whose shape is known.
    if (e.fn.k === 'attr' && (e.fn.attr === 'size' || e.fn.attr === 'dim') && !e.messy && e.kwargs.length <= 1) {
      const s = this.shapeOfExpr(e.fn.obj, ctx);
      if (s) {
        if (e.fn.attr === 'dim') return { ok: true, val: { t: 'int', v: s.length } };
        const a = e.args[0] ?? e.kwargs.find((k) => k.name === 'dim')?.value;
        if (!a) return { ok: true, val: { t: 'tuple', items: s.map((v) => ({ t: 'int', v })) } };
        const r = this.eval(a, ctx);
        const d = r.ok && r.val.t === 'int' ? T.normDim(r.val.v, s.length) : undefined;
        if (d !== undefined && s.length > 0) return { ok: true, val: { t: 'int', v: s[d] } };
      }
    }
    // "the cat".split(), .lower(), .upper(), .strip() of a string constant.
    if (e.fn.k === 'attr' && ['split', 'lower', 'upper', 'strip'].includes(e.fn.attr) && !e.messy && e.kwargs.length === 0) {
      const o = this.eval(e.fn.obj, ctx);
      if (o.ok && o.val.t === 'str') {
        const str = o.val.v;
        const m = e.fn.attr;
        if (m === 'split' && e.args.length <= 1) {
          const sep = e.args[0] ? this.eval(e.args[0], ctx) : undefined;
          if (sep && !(sep.ok && (sep.val.t === 'str' || sep.val.t === 'none'))) return this.fail('call');
          const parts = !sep || (sep.ok && sep.val.t === 'none') ? str.split(/[ \t\n\r\x0b\x0c]+/).filter((x) => x !== '') : sep.ok && sep.val.t === 'str' && sep.val.v !== '' ? str.split(sep.val.v) : undefined;
          if (parts && parts.length <= 100_000) return { ok: true, val: { t: 'tuple', items: parts.map((v) => ({ t: 'str', v })) } };
        }
        // ASCII only: other letters change case by Unicode rules we do not model.
        if ((m === 'lower' || m === 'upper') && e.args.length === 0 && /^[\x00-\x7f]*$/.test(str)) return { ok: true, val: { t: 'str', v: m === 'lower' ? str.toLowerCase() : str.toUpperCase() } };
        if (m === 'strip' && e.args.length === 0) return { ok: true, val: { t: 'str', v: str.replace(/^[ \t\n\r\x0b\x0c]+|[ \t\n\r\x0b\x0c]+$/g, '') } };
      }
    }
    if (e.fn.k === 'name' && e.fn.id === 'len' && e.args.length === 1 && !lookupBindingLoose(ctx.scope, 'len', e.span.start)) {
      const r = this.eval(e.args[0], ctx);
      if (!r.ok) {
        const s = this.shapeOfExpr(e.args[0], ctx);
        if (s && s.length > 0) return { ok: true, val: { t: 'int', v: s[0] } };
        const list = this.tensorList(e.args[0], ctx);
        if (list) return { ok: true, val: { t: 'int', v: list.length } };
      }
    }
    // An instance of a @dataclass of this file: its fields are read when asked for.
    if (e.fn.k === 'name' && !e.messy) {
      const b = lookupBindingLoose(ctx.scope, e.fn.id, e.span.start);
      if (b?.kind === 'class' && b.defines?.dataclassFields) return { ok: true, val: { t: 'object', cls: b.defines, call: e, ctx } };
    }
    // A few builtins that keep constants constant.
    if (e.fn.k === 'name' && !e.messy && e.kwargs.length === 0 && !lookupBindingLoose(ctx.scope, e.fn.id, e.span.start)) {
      const args: Val[] = [];
      for (const a of e.args) {
        const r = this.eval(a, ctx);
        if (!r.ok) return r;
        args.push(r.val);
      }
      const f = e.fn.id;
      const num = (v: Val) => (v.t === 'int' || v.t === 'float' ? v.v : v.t === 'bool' ? Number(v.v) : undefined);
      if (f === 'int' && args.length === 1) {
        const x = num(args[0]);
        if (x !== undefined) return { ok: true, val: { t: 'int', v: Math.trunc(x) } };
        if (args[0].t === 'str' && /^\s*[+-]?\d+\s*$/.test(args[0].v)) return { ok: true, val: { t: 'int', v: parseInt(args[0].v, 10) } };
      }
      if (f === 'float' && args.length === 1) {
        const x = num(args[0]);
        if (x !== undefined) return { ok: true, val: { t: 'float', v: x } };
      }
      if (f === 'bool' && args.length === 1) {
        const x = num(args[0]);
        if (x !== undefined) return { ok: true, val: { t: 'bool', v: x !== 0 } };
      }
      if (f === 'len' && args.length === 1 && (args[0].t === 'tuple' || args[0].t === 'str')) {
        return { ok: true, val: { t: 'int', v: args[0].t === 'tuple' ? args[0].items.length : args[0].v.length } };
      }
      // list("abc"), set(text), sorted(set(text)): as far as len() needs them.
      const items = (v: Val): Val[] | undefined => (v.t === 'tuple' ? v.items : v.t === 'str' && v.v.length <= 100_000 ? [...v.v].map((c) => ({ t: 'str', v: c }) as Val) : undefined);
      if ((f === 'list' || f === 'tuple') && args.length === 1) {
        const it = items(args[0]);
        if (it) return { ok: true, val: { t: 'tuple', items: it, unordered: args[0].t === 'tuple' ? args[0].unordered : undefined } };
      }
      if (f === 'set' && args.length === 1) {
        const it = items(args[0]);
        if (it && it.every((x) => x.t === 'str' || x.t === 'int')) {
          const seen = new Map<string, Val>();
          for (const x of it) seen.set(`${x.t}:${(x as { v: unknown }).v}`, x);
          return { ok: true, val: { t: 'tuple', items: [...seen.values()], unordered: true } };
        }
      }
      if (f === 'sorted' && args.length === 1) {
        const it = items(args[0]);
        if (it && (it.every((x) => x.t === 'str') || it.every((x) => x.t === 'int'))) {
          const sorted = [...it].sort((a, b) => {
            const x = (a as { v: string | number }).v;
            const y = (b as { v: string | number }).v;
            // Python compares str by code point; JS < on strings compares UTF-16 units (same below U+10000).
            return x < y ? -1 : x > y ? 1 : 0;
          });
          return { ok: true, val: { t: 'tuple', items: sorted } };
        }
      }
      if ((f === 'min' || f === 'max') && args.length >= 2 && args.every((a) => a.t === 'int')) {
        const vs = args.map((a) => (a as { v: number }).v);
        return { ok: true, val: { t: 'int', v: f === 'min' ? Math.min(...vs) : Math.max(...vs) } };
      }
      if (f === 'abs' && args.length === 1 && (args[0].t === 'int' || args[0].t === 'float')) {
        return { ok: true, val: { t: args[0].t, v: Math.abs(args[0].v) } };
      }
    }
    return this.fail('call');
  }

  private evalAttr(e: Extract<Expr, { k: 'attr' }>, ctx: Ctx): Ev {
    const d = dotted(e);
    const obj = e.obj;
    if (e.attr === 'shape') {
      const s = this.shapeOfExpr(obj, ctx);
      if (s) return { ok: true, val: { t: 'tuple', items: s.map((v) => ({ t: 'int', v })) } };
    }
    // self.x inside a method.
    if (obj.k === 'name' && ctx.scope.cls && obj.id === ctx.scope.selfName) {
      return this.lookupAttr(ctx.scope.cls, e.attr, ctx, `${obj.id}.${e.attr}`);
    }
    // ClassName.x for a class of this file.
    if (obj.k === 'name') {
      const b = lookupBindingLoose(ctx.scope, obj.id, e.span.start);
      if (b?.kind === 'class' && b.defines) return this.lookupAttr(b.defines, e.attr, ctx, d ?? e.attr);
      if (b?.kind === 'import' && b.importTarget === 'string' && STRING_CONSTANTS[e.attr] !== undefined) return { ok: true, val: { t: 'str', v: STRING_CONSTANTS[e.attr] } };
      if (b?.kind === 'import') return this.fail('import', d, `${b.importTarget}.${e.attr}`);
    }
    // cfg.hidden_size of a dataclass instance.
    const o = this.eval(obj, ctx);
    if (o.ok && o.val.t === 'object') return this.objectField(o.val, e.attr, d ?? e.attr);
    return this.fail('attr', d);
  }

  /** A field of a dataclass instance: the call's keyword, its positional argument, or the default. */
  private objectField(o: Extract<Val, { t: 'object' }>, attr: string, shown: string): Ev {
    const fields = o.cls.dataclassFields ?? [];
    const idx = fields.indexOf(attr);
    if (idx < 0) return this.fail('attr', shown);
    // A class-level binding rebinding the field after its declaration, or __post_init__/__init__: not read.
    if (o.cls.bindings.get('__init__') || o.cls.bindings.get('__post_init__')) return this.fail('attr', shown);
    const kw = o.call.kwargs.find((k) => k.name === attr);
    if (kw) return this.eval(kw.value, o.ctx);
    if (o.call.args.some((a) => a.k === 'other' && a.what === 'starred')) return this.fail('starred', shown);
    if (idx < o.call.args.length) return this.eval(o.call.args[idx], o.ctx);
    const list = o.cls.bindings.get(attr);
    if (!list || list.length !== 1 || list[0].kind !== 'value') return this.fail('attr', shown);
    return this.evalBinding(list[0], shown, o.ctx);
  }

  private lookupAttr(cls: Scope, attr: string, ctx: Ctx, shown: string): Ev {
    const list = cls.attrs.get(attr);
    let b: Binding | undefined;
    if (list && list.length > 0) {
      const same = list.filter((x) => x.scope === ctx.scope && x.offset < ctx.offset);
      b = same.length > 0 ? same[same.length - 1] : list[0];
    } else {
      const cl = cls.bindings.get(attr);
      if (cl && cl.length > 0) b = cl[cl.length - 1];
    }
    if (!b) return this.fail('attr', shown);
    return this.evalBinding(b, shown, ctx);
  }

  private lookupName(id: string, ctx: Ctx): Ev {
    let s: Scope | undefined = ctx.scope;
    while (s) {
      if (s.kind === 'class' && s !== ctx.scope) {
        s = s.parent;
        continue;
      }
      const b = this.bindingInEffect(s, id, ctx);
      if (b === 'cond') return this.fail('cond', id);
      if (b) return this.evalBinding(b, id, ctx);
      if (s.kind === 'def') {
        const p = s.params.find((x) => x.name === id);
        if (p) return this.resolveParam(s, p, ctx);
      }
      s = s.parent;
    }
    return this.fail('unbound', id);
  }

  /**
   * The binding of `id` in scope `s` in effect where `ctx` stands: the latest one whose statement
   * has finished there (in reading order), or 'cond' when that one is in a branch that may not
   * have run. Names of enclosing scopes: module names as of `ctx.moduleTime`.
   */
  private bindingInEffect(s: Scope, id: string, ctx: Ctx): Binding | 'cond' | undefined {
    const list = s.bindings.get(id);
    if (!list || list.length === 0) return undefined;
    const limit = s === ctx.scope ? ctx.offset : s.kind === 'module' ? ctx.moduleTime : Infinity;
    let b: Binding | undefined;
    for (let i = list.length - 1; i >= 0 && !b; i--) if (list[i].visible <= limit) b = list[i];
    if (!b && !(s === ctx.scope && s.kind === 'def')) b = list[0];
    if (!b) return undefined;
    const useBlocks = s === ctx.scope ? this.stmtAt(ctx.offset)?.blocks ?? [] : [];
    if (conditionalFor(b, useBlocks)) return 'cond';
    return b;
  }

  /** The statement that holds `offset` (the last one starting at or before it). */
  private stmtAt(offset: number): StmtInfo | undefined {
    let lo = 0;
    let hi = this.stmts.length - 1;
    if (hi < 0 || this.stmts[0].stmt.span.start > offset) return undefined;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (this.stmts[mid].stmt.span.start <= offset) lo = mid;
      else hi = mid - 1;
    }
    return this.stmts[lo];
  }

  private evalBinding(b: Binding, shown: string, ctx: Ctx): Ev {
    switch (b.kind) {
      case 'import': {
        const m = /^string\.(\w+)$/.exec(b.importTarget ?? '');
        if (m && STRING_CONSTANTS[m[1]] !== undefined) return { ok: true, val: { t: 'str', v: STRING_CONSTANTS[m[1]] } };
        return this.fail('import', shown, b.importTarget);
      }
      case 'loop':
        return this.fail('loop', shown);
      case 'starred':
        return this.fail('starred', shown);
      case 'def':
      case 'class':
        return this.fail('expr', shown);
      default:
        break;
    }
    if (ctx.visiting.has(b)) return this.fail('cycle', shown);
    // A list or dict literal filled in afterwards (`data = []` ... `data.append(x)`): not the literal.
    let item: Expr | undefined = b.value;
    for (const i of b.path) item = item?.k === 'tuple' && i < item.items.length ? item.items[i] : undefined;
    if (item && !shown.includes('.') && ((item.k === 'tuple' && item.bracket === '[') || (item.k === 'other' && (item.what === 'dict' || item.what === 'dict/set'))) && this.containerChanged(shown, b)) return this.fail('expr', shown);
    ctx.visiting.add(b);
    try {
      const inner: Ctx = {
        scope: b.scope,
        offset: b.offset,
        moduleTime: b.scope.kind === 'module' ? Math.min(ctx.moduleTime, b.offset) : ctx.moduleTime,
        depth: ctx.depth + 1,
        visiting: ctx.visiting,
      };
      let r = this.eval(b.value!, inner);
      if (r.ok && b.kind === 'aug') {
        const prev = b.scope.cls && shown.includes('.') ? this.lookupAttrBefore(b, shown, inner) : this.lookupName(shown, inner);
        r = prev.ok ? binary(b.op ?? '+', prev.val, r.val) : prev;
      }
      if (r.ok) {
        for (const i of b.path) {
          if (r.val.t !== 'tuple' || i >= r.val.items.length) return this.fail('expr', shown);
          r = { ok: true, val: r.val.items[i] };
        }
        return r;
      }
      // Attribute a failure that happened in this binding's own expression to the name.
      if (r.name === undefined) return { ok: false, code: r.code, name: shown, arg: r.arg, reason: assignedReason(r.code) };
      return r;
    } finally {
      ctx.visiting.delete(b);
    }
  }

  private lookupAttrBefore(b: Binding, shown: string, ctx: Ctx): Ev {
    const attr = shown.split('.').pop()!;
    const list = b.scope.cls!.attrs.get(attr) ?? [];
    const before = list.filter((x) => x.offset < b.offset);
    if (before.length === 0) return this.fail('attr', shown);
    return this.evalBinding(before[before.length - 1], shown, ctx);
  }

  /** A parameter of a function or `__init__`: bound from the first call site, else its default. */
  private resolveParam(def: Scope, p: Param, ctx: Ctx): Ev {
    if (p.kind === 'star' || p.kind === 'starstar') return this.fail('param-star', p.name, def.name);
    const owner = def.cls && def.name === '__init__' ? def.cls : def.cls ? undefined : def;
    if (!owner) {
      // A method other than __init__: the argument at its first call (forward: the instance's call).
      const arg = ctx.visiting.has(p) ? undefined : this.paramArg(def, p, ctx);
      if (arg) {
        ctx.visiting.add(p);
        try {
          const r = this.eval(arg.expr, arg.ctx);
          if (!r.ok && r.name === undefined) return { ok: false, code: r.code, name: this.src(arg.expr.span), arg: r.arg };
          return r;
        } finally {
          ctx.visiting.delete(p);
        }
      }
      return p.default ? this.evalDefault(def, p, ctx) : this.fail('method-param', p.name, `${def.cls!.name}.${def.name}`);
    }
    if (def.cls && p.name === def.selfName) return this.fail('expr', p.name);
    const sites = this.sitesOf(owner);
    if (sites.length === 0) {
      return p.default ? this.evalDefault(def, p, ctx) : this.fail('param-nocall', p.name, owner.name);
    }
    // Built from several places: the value only when every call gives the same one.
    const first = this.argAtSite(def, owner, p, sites[0], ctx);
    if (!first.ok || sites.length === 1) return first;
    for (const site of sites.slice(1, 16)) {
      const r = this.argAtSite(def, owner, p, site, ctx);
      if (!r.ok) return r;
      if (r.val.t !== first.val.t || describe(r.val) !== describe(first.val) || r.val.t === 'dict' || r.val.t === 'object') return this.fail('param-multi', p.name, owner.name);
    }
    return sites.length > 16 ? this.fail('param-multi', p.name, owner.name) : first;
  }

  /** A parameter's value at one call site of its function or class. */
  private argAtSite(def: Scope, owner: Scope, p: Param, site: CallInfo, ctx: Ctx): Ev {
    const positional = def.cls ? def.params.slice(1) : def.params;
    const call = site.call;
    let arg: Expr | undefined;
    const kw = call.kwargs.find((k) => k.name === p.name);
    if (kw) arg = kw.value;
    else if (p.kind === 'plain' || p.kind === 'posonly') {
      const idx = positional.filter((x) => x.kind === 'plain' || x.kind === 'posonly').indexOf(p);
      const starAt = call.args.findIndex((a) => a.k === 'other' && a.what === 'starred');
      if (starAt >= 0 && starAt <= idx) return this.fail('param-star', p.name, owner.name);
      if (idx >= 0 && idx < call.args.length) arg = call.args[idx];
    }
    if (!arg) {
      if (call.messy) return this.fail('param-star', p.name, owner.name);
      return p.default ? this.evalDefault(def, p, ctx) : this.fail('param-missing', p.name, owner.name);
    }
    const siteCtx: Ctx = {
      scope: site.info.scope,
      offset: call.span.start,
      moduleTime: site.info.scope.kind === 'module' ? Math.min(ctx.moduleTime, call.span.start) : ctx.moduleTime,
      depth: ctx.depth + 1,
      visiting: ctx.visiting,
    };
    const r = this.eval(arg, siteCtx);
    if (!r.ok && r.name === undefined) return { ok: false, code: r.code, name: this.src(arg.span), arg: r.arg };
    return r;
  }

  private evalDefault(def: Scope, p: Param, ctx: Ctx): Ev {
    const parent = def.parent ?? this.module;
    return this.eval(p.default!, { scope: parent, offset: def.headerOffset, moduleTime: ctx.moduleTime, depth: ctx.depth + 1, visiting: ctx.visiting });
  }

  // ------------------------------------------------------------------ objects, call order, tensors

  /** The CallInfo of a call expression. */
  private callInfoOf(e: Expr): CallInfo | undefined {
    if (!this.callByExpr) {
      this.callByExpr = new Map();
      for (const ci of this.calls) this.callByExpr.set(ci.call, ci);
    }
    return this.callByExpr.get(e);
  }
  private callByExpr?: Map<Expr, CallInfo>;

  /** A context standing at `offset` of `scope`, module names as of the scope's first run. */
  private ctxAt(scope: Scope, offset: number): Ctx {
    const key = this.execKey(scope);
    const moduleTime = scope.kind === 'module' ? offset : key && key.length > 0 ? key[0] : Infinity;
    return { scope, offset, moduleTime, depth: 0, visiting: new Set() };
  }

  private bindingCtx(b: Binding, ctx: Ctx): Ctx {
    return {
      scope: b.scope,
      offset: b.offset,
      moduleTime: b.scope.kind === 'module' ? Math.min(ctx.moduleTime, b.offset) : ctx.moduleTime,
      depth: ctx.depth + 1,
      visiting: ctx.visiting,
    };
  }

  /** The binding (or parameter) a name refers to where `ctx` stands. */
  private resolveName(id: string, ctx: Ctx): { b: Binding } | { param: Param; def: Scope } | 'cond' | undefined {
    let s: Scope | undefined = ctx.scope;
    while (s) {
      if (s.kind === 'class' && s !== ctx.scope) {
        s = s.parent;
        continue;
      }
      const b = this.bindingInEffect(s, id, ctx);
      if (b === 'cond') return 'cond';
      if (b) return { b };
      if (s.kind === 'def') {
        const p = s.params.find((x) => x.name === id);
        if (p) return { param: p, def: s };
      }
      s = s.parent;
    }
    return undefined;
  }

  /** `self.x` of a class: the binding made in __init__ (or the only one). */
  private attrBinding(cls: Scope, attr: string): Binding | undefined {
    const list = cls.attrs.get(attr);
    if (!list || list.length === 0) return undefined;
    if (list.length === 1) return list[0];
    const init = list.filter((b) => b.scope.name === '__init__');
    const others = list.filter((b) => b.scope.name !== '__init__');
    // Reassigned outside __init__ (self.hidden = ... in forward): not one object.
    if (others.length > 0) return undefined;
    return init[init.length - 1];
  }

  /** What module object (a torch.nn constructor call, or an instance of a class of this file) an expression is. */
  private objectOf(e: Expr, ctx: Ctx): Obj | undefined {
    if (++this.steps > EVAL_BUDGET || ctx.depth > MAX_EVAL_DEPTH || this.nesting > MAX_NESTING) return undefined;
    this.nesting++;
    try {
      return this.objectOfNode(e, ctx);
    } finally {
      this.nesting--;
    }
  }

  private objectOfNode(e: Expr, ctx: Ctx): Obj | undefined {
    if (e.k === 'call') {
      const ci = this.callInfoOf(e);
      if (ci?.q && /^torch\.nn\.[A-Z]/.test(ci.q)) return { k: 'module', ci, q: ci.q };
      if (ci?.dynamicType !== undefined) return { k: 'module', ci, q: ci.dynamicType ? `torch.nn.${ci.dynamicType}` : 'dynamic' };
      if (ci?.target && ci.target.kind === 'class') return { k: 'instance', cls: ci.target, site: ci };
      if (e.fn.k === 'attr' && MODULE_IDENTITY.has(e.fn.attr)) return this.objectOf(e.fn.obj, ctx);
      // A factory function of this file: `def make_model(...): return nn.LSTM(...)`.
      if (ci?.target && ci.target.kind === 'def' && !ci.target.cls) {
        const ret = this.returnOf(ci.target, ctx);
        return ret ? this.objectOf(ret.expr, ret.ctx) : undefined;
      }
      return undefined;
    }
    if (e.k === 'name') {
      const r = this.resolveName(e.id, ctx);
      if (!r || r === 'cond') return undefined;
      if ('b' in r) {
        const b = r.b;
        if (b.kind !== 'value' || !b.value || ctx.visiting.has(b)) return undefined;
        // `enc, dec = Encoder(60), Decoder(50)`: the item of a tuple written out.
        let value: Expr | undefined = b.value;
        for (const i of b.path) value = value?.k === 'tuple' && value.items.length > i && !value.items.some((x) => x.k === 'other' && x.what === 'starred') ? value.items[i] : undefined;
        if (!value) return undefined;
        ctx.visiting.add(b);
        try {
          return this.objectOf(value, this.bindingCtx(b, ctx));
        } finally {
          ctx.visiting.delete(b);
        }
      }
      const arg = this.paramArg(r.def, r.param, ctx);
      return arg ? this.objectOf(arg.expr, arg.ctx) : undefined;
    }
    if (e.k === 'attr') {
      let cls: Scope | undefined;
      if (e.obj.k === 'name' && ctx.scope.cls && e.obj.id === ctx.scope.selfName) cls = ctx.scope.cls;
      else {
        const o = this.objectOf(e.obj, ctx);
        if (o?.k === 'instance') cls = o.cls;
      }
      if (!cls) return undefined;
      const b = this.attrBinding(cls, e.attr);
      if (!b || b.kind !== 'value' || !b.value || b.path.length > 0 || ctx.visiting.has(b)) return undefined;
      ctx.visiting.add(b);
      try {
        return this.objectOf(b.value, this.bindingCtx(b, ctx));
      } finally {
        ctx.visiting.delete(b);
      }
    }
    return undefined;
  }

  /**
   * The expression a plain function of this file returns when it is called, with the context to
   * read it in: the `return` reached by following its if/elif/else with the conditions read as
   * values. Undefined when a condition cannot be read, a return stands in a loop or try, or the
   * function has parameters and is called from more than one place (the reader binds parameters
   * from the first call, which would be wrong for the others).
   */
  private returnOf(def: Scope, ctx: Ctx): { expr: Expr; ctx: Ctx } | undefined {
    if (def.kind !== 'def' || def.cls || ctx.visiting.has(def) || ctx.depth > MAX_EVAL_DEPTH) return undefined;
    if (def.params.length > 0 && this.callSitesOf(def).length !== 1) return undefined;
    const key = this.execKey(def);
    const moduleTime = key && key.length > 0 ? key[0] : Infinity;
    const at = (offset: number): Ctx => ({ scope: def, offset, moduleTime, depth: ctx.depth + 1, visiting: ctx.visiting });
    let skipAbove = Infinity; // statements indented deeper than this are in a branch not taken
    const chain = new Map<number, boolean>(); // indent of an if-chain -> a branch of it was taken
    const opaque: number[] = []; // indents of open loop / try headers
    ctx.visiting.add(def);
    try {
      for (const info of this.stmts) {
        if (info.scope !== def) continue;
        const st = info.stmt;
        if (st.indent > skipAbove) continue;
        skipAbove = Infinity;
        while (opaque.length > 0 && st.indent <= opaque[opaque.length - 1]) opaque.pop();
        const kw = st.k === 'expr' ? st.keyword : st.k === 'for' ? 'for' : undefined;
        if (kw !== 'elif' && kw !== 'else') for (const k of [...chain.keys()]) if (k >= st.indent) chain.delete(k);
        if (kw === 'if' || kw === 'elif') {
          if (kw === 'elif' && chain.get(st.indent) !== false) {
            if (chain.get(st.indent) === undefined) return undefined;
            skipAbove = st.indent;
            continue;
          }
          const cond = st.k === 'expr' && st.exprs.length === 1 ? st.exprs[0] : undefined;
          const r = cond ? this.eval(cond, at(st.span.start)) : undefined;
          if (!r?.ok) return undefined;
          const truth = truthy(r.val);
          chain.set(st.indent, truth);
          if (!truth) skipAbove = st.indent;
          continue;
        }
        if (kw === 'else' && chain.has(st.indent)) {
          if (chain.get(st.indent)) skipAbove = st.indent;
          chain.delete(st.indent);
          continue;
        }
        if (kw && kw !== 'with' && kw !== 'return' && kw !== '@' && COMPOUND_BLOCK.has(kw)) {
          opaque.push(st.indent);
          continue;
        }
        if (kw === 'raise') return undefined;
        if (kw === 'return') {
          if (opaque.length > 0 || st.k !== 'expr' || st.exprs.length !== 1) return undefined;
          return { expr: st.exprs[0], ctx: at(st.span.start) };
        }
      }
      return undefined;
    } finally {
      ctx.visiting.delete(def);
    }
  }

  private objectCache = new Map<Expr, Obj | null>();

  /** The object a call's callee refers to (`self.rnn`, `model`), cached per call. */
  private calleeObject(ci: CallInfo): Obj | undefined {
    let o = this.objectCache.get(ci.call);
    if (o === undefined) {
      // Calls that cannot be a module's: torch functions, tensor and builtin methods.
      const fn = ci.call.fn;
      if ((ci.q && !/^torch\.nn\.[A-Z]/.test(ci.q)) || (fn.k === 'attr' && NOT_MODULE_METHODS.has(fn.attr)) || fn.k === 'sub') {
        this.objectCache.set(ci.call, null);
        return undefined;
      }
      o = null;
      this.objectCache.set(ci.call, null); // a cycle through this call resolves to nothing
      const ctx: Ctx = { scope: ci.info.scope, offset: ci.call.span.start, moduleTime: Infinity, depth: 0, visiting: new Set() };
      o = this.objectOf(ci.call.fn, ctx) ?? null;
      this.objectCache.set(ci.call, o);
    }
    return o ?? undefined;
  }

  private siteCache2 = new Map<Scope, CallInfo[]>();
  private callsByAttr?: Map<string, CallInfo[]>;

  /** Where a function or method is called: calls by name, constructor calls (__init__), instance calls (forward), `obj.m(...)`. */
  private callSitesOf(def: Scope): CallInfo[] {
    const hit = this.siteCache2.get(def);
    if (hit) return hit;
    this.siteCache2.set(def, []);
    let sites: CallInfo[] = [];
    if (def.kind === 'def' && !def.cls) sites = this.sitesOf(def);
    else if (def.kind === 'def' && def.cls && def.name === '__init__') sites = this.sitesOf(def.cls);
    else if (def.kind === 'def' && def.cls) {
      const cls = def.cls;
      if (!this.callsByAttr) {
        this.callsByAttr = new Map();
        for (const ci of this.calls) {
          const f = ci.call.fn;
          const k = f.k === 'attr' ? f.attr : '';
          const list = this.callsByAttr.get(k);
          if (list) list.push(ci);
          else this.callsByAttr.set(k, [ci]);
        }
      }
      // forward: any call of an instance (by name or attribute); other methods: `obj.m(...)` only.
      const candidates = def.name === 'forward' ? this.calls : this.callsByAttr.get(def.name) ?? [];
      for (const ci of candidates) {
        const fn = ci.call.fn;
        if (def.name === 'forward') {
          const o = this.calleeObject(ci);
          if (o?.k === 'instance' && o.cls === cls) {
            sites.push(ci);
            continue;
          }
        }
        if (fn.k === 'attr' && fn.attr === def.name) {
          if (fn.obj.k === 'name' && ci.info.scope.cls === cls && fn.obj.id === ci.info.scope.selfName) {
            sites.push(ci);
            continue;
          }
          const ctx: Ctx = { scope: ci.info.scope, offset: ci.call.span.start, moduleTime: Infinity, depth: 0, visiting: new Set() };
          const o = this.objectOf(fn.obj, ctx);
          if (o?.k === 'instance' && o.cls === cls) sites.push(ci);
        }
      }
    }
    this.siteCache2.set(def, sites);
    return sites;
  }

  private keyCache = new Map<Scope, number[] | null>();

  /**
   * When a scope's code first runs, as a sortable key: [] for the module; for a function, the key
   * of its first call site's scope followed by that call's offset. Undefined when never called.
   */
  private execKey(scope: Scope): number[] | undefined {
    if (scope.kind === 'module') return [];
    const hit = this.keyCache.get(scope);
    if (hit !== undefined) return hit ?? undefined;
    this.keyCache.set(scope, null);
    let best: number[] | undefined;
    if (scope.kind === 'class') {
      const k = scope.parent ? this.execKey(scope.parent) : [];
      best = k ? [...k, scope.headerOffset] : undefined;
    } else {
      for (const site of this.callSitesOf(scope)) {
        const k = this.execKey(site.info.scope);
        if (!k || k.length > 16) continue;
        const key = [...k, site.call.span.start];
        if (!best || compareKeys(key, best) < 0) best = key;
      }
    }
    this.keyCache.set(scope, best ?? null);
    return best;
  }

  /** The argument a parameter receives at the function's first call (or its default). */
  private paramArg(def: Scope, p: Param, ctx: Ctx): { expr: Expr; ctx: Ctx } | undefined {
    return this.paramArgs(def, p, ctx, 1)[0] ?? undefined;
  }

  /**
   * The argument a parameter receives at each of the function's reached call sites, first call
   * first (at most `max`); an entry is null where that site's argument cannot be told.
   */
  private paramArgs(def: Scope, p: Param, ctx: Ctx, max: number): ({ expr: Expr; ctx: Ctx } | null)[] {
    if (p.kind === 'star' || p.kind === 'starstar') return [];
    if (def.cls && p.name === def.selfName) return [];
    if (ctx.visiting.has(p) || ctx.depth > MAX_EVAL_DEPTH) return [];
    const sites = this.callSitesOf(def).map((s) => ({ s, k: this.execKey(s.info.scope) })).filter((x) => x.k);
    sites.sort((a, b) => compareKeys([...a.k!, a.s.call.span.start], [...b.k!, b.s.call.span.start]));
    return sites.slice(0, max).map((x) => this.paramArgAt(def, p, ctx, x.s, x.k!) ?? null);
  }

  private paramArgAt(def: Scope, p: Param, ctx: Ctx, site: CallInfo, key: number[]): { expr: Expr; ctx: Ctx } | undefined {
    const dflt = () => (p.default ? { expr: p.default, ctx: { scope: def.parent ?? this.module, offset: def.headerOffset, moduleTime: ctx.moduleTime, depth: ctx.depth + 1, visiting: ctx.visiting } } : undefined);
    const call = site.call;
    const positional = (def.cls ? def.params.slice(1) : def.params).filter((x) => x.kind === 'plain' || x.kind === 'posonly');
    let arg: Expr | undefined;
    const kw = call.kwargs.find((k) => k.name === p.name);
    if (kw) arg = kw.value;
    else if (p.kind === 'plain' || p.kind === 'posonly') {
      const idx = positional.indexOf(p);
      const starAt = call.args.findIndex((a) => a.k === 'other' && a.what === 'starred');
      if (starAt >= 0 && starAt <= idx) return undefined;
      if (idx >= 0 && idx < call.args.length) arg = call.args[idx];
    }
    if (!arg) return call.messy ? undefined : dflt();
    const siteCtx: Ctx = {
      scope: site.info.scope,
      offset: call.span.start,
      moduleTime: site.info.scope.kind === 'module' ? call.span.start : key.length > 0 ? key[0] : Infinity,
      depth: ctx.depth + 1,
      visiting: ctx.visiting,
    };
    return { expr: arg, ctx: siteCtx };
  }

  /** The shape (and provenance) of a tensor expression where `ctx` stands; undefined when unknown. */
  private tensorOf(e: Expr, ctx: Ctx): TVal | undefined {
    if (++this.steps > EVAL_BUDGET || ctx.depth > MAX_EVAL_DEPTH || this.nesting > MAX_NESTING) return undefined;
    this.nesting++;
    try {
      return this.tensorNode(e, ctx);
    } finally {
      this.nesting--;
    }
  }

  private shapeOfExpr(e: Expr, ctx: Ctx): number[] | undefined {
    const t = this.tensorOf(e, ctx);
    return t?.k === 'tensor' && !t.packed ? t.shape : undefined;
  }

  private tensorNode(e: Expr, ctx: Ctx): TVal | undefined {
    switch (e.k) {
      case 'name': {
        const r = this.resolveName(e.id, ctx);
        if (!r || r === 'cond') return undefined;
        if ('param' in r) {
          if (ctx.visiting.has(r.param)) return undefined;
          // Every reached call must give the same shape (`a(x4); b(x6)` of one forward: no single shape).
          const args = this.paramArgs(r.def, r.param, ctx, 8);
          if (args.length === 0 || !args[0]) return undefined;
          ctx.visiting.add(r.param);
          try {
            const t = this.tensorOf(args[0].expr, args[0].ctx);
            const key = (v: TVal | undefined): string => (v?.k === 'tensor' ? `${v.shape?.join(',') ?? '?'}${v.packed ? 'p' : ''}` : v?.k === 'tuple' ? `(${v.items.map(key).join(';')})` : '?');
            const first = key(t);
            for (const a of args.slice(1)) {
              if (!a || key(this.tensorOf(a.expr, a.ctx)) !== first) return undefined;
            }
            return t;
          } finally {
            ctx.visiting.delete(r.param);
          }
        }
        return this.tensorOfBinding(r.b, ctx, e.id);
      }
      case 'attr': {
        if (e.attr === 'data' || e.attr === 'T' || e.attr === 'mT') {
          const t = this.tensorOf(e.obj, ctx);
          if (e.attr === 'data' || t?.k !== 'tensor' || !t.shape) return e.attr === 'data' ? t : undefined;
          if (e.attr === 'T') return { k: 'tensor', shape: [...t.shape].reverse() };
          return undefined;
        }
        if (e.obj.k === 'name' && ctx.scope.cls && e.obj.id === ctx.scope.selfName) {
          const b = this.attrBinding(ctx.scope.cls, e.attr);
          if (b && b.scope === ctx.scope && b.offset > ctx.offset) return undefined;
          return b ? this.tensorOfBinding(b, ctx) : undefined;
        }
        return undefined;
      }
      case 'call':
        return this.tensorCall(e, ctx);
      case 'sub': {
        const o = this.tensorOf(e.obj, ctx);
        if (!o) return undefined;
        if (o.k === 'tuple') {
          const i = this.eval(e.index, ctx);
          if (!i.ok || i.val.t !== 'int') return undefined;
          const n = o.items.length;
          const k = i.val.v < 0 ? n + i.val.v : i.val.v;
          return k >= 0 && k < n ? o.items[k] : undefined;
        }
        if (!o.shape || o.packed) return undefined;
        const items = this.indexItems(e.index, ctx);
        if (!items) return undefined;
        const shape = T.index(o.shape, items);
        return shape ? { k: 'tensor', shape, int: o.int } : undefined;
      }
      case 'bin': {
        if (['+', '-', '*', '/', '//', '%', '**'].includes(e.op)) {
          const l = this.tensorOf(e.left, ctx);
          const r = this.tensorOf(e.right, ctx);
          const ls = l?.k === 'tensor' && !l.packed ? l.shape : undefined;
          const rs = r?.k === 'tensor' && !r.packed ? r.shape : undefined;
          if (ls && rs) {
            const s = T.broadcast(ls, rs);
            return s ? { k: 'tensor', shape: s } : undefined;
          }
          // tensor op number
          const lNum = !l && this.eval(e.left, ctx).ok;
          const rNum = !r && this.eval(e.right, ctx).ok;
          if (ls && rNum) return { k: 'tensor', shape: ls };
          if (rs && lNum) return { k: 'tensor', shape: rs };
        }
        return undefined;
      }
      case 'tuple': {
        if (e.bracket !== '' && e.bracket !== '(') return undefined;
        const items = e.items.map((it) => this.tensorOf(it, ctx));
        return items.some((it) => it) ? { k: 'tuple', items } : undefined;
      }
      case 'other':
        if (e.what === 'conditional' && e.parts.length === 3) {
          const a = this.shapeOfExpr(e.parts[0], ctx);
          const b = this.shapeOfExpr(e.parts[2], ctx);
          return a && b && a.length === b.length && a.every((x, i) => x === b[i]) ? { k: 'tensor', shape: a } : undefined;
        }
        return undefined;
      default:
        return undefined;
    }
  }

  private tensorOfBinding(b: Binding, ctx: Ctx, id?: string): TVal | undefined {
    if (ctx.visiting.has(b)) return undefined;
    if (id && this.mutatedBetween(id, b, ctx)) return undefined;
    if (b.kind === 'loop') {
      // `for x_t in x`: a row of x; `for i, x_t in enumerate(x)`: the same at path [1].
      if (!b.iter) return undefined;
      let iter = b.iter;
      let path = b.path;
      if (iter.k === 'call' && iter.fn.k === 'name' && iter.fn.id === 'enumerate' && iter.args.length === 1 && path[0] === 1) {
        iter = iter.args[0];
        path = path.slice(1);
      }
      // `for xb, yb in loader`: a batch of a DataLoader over a TensorDataset.
      const batch = this.loaderBatch(iter, this.bindingCtx(b, ctx));
      if (batch) {
        let t: TVal | undefined = batch;
        for (const i of path) t = t?.k === 'tuple' ? t.items[i] : undefined;
        return t;
      }
      if (path.length > 0) return undefined;
      ctx.visiting.add(b);
      try {
        const t = this.tensorOf(iter, this.bindingCtx(b, ctx));
        if (t?.k !== 'tensor' || !t.shape || t.shape.length === 0 || t.packed) return undefined;
        return { k: 'tensor', shape: t.shape.slice(1), int: t.int };
      } finally {
        ctx.visiting.delete(b);
      }
    }
    if (b.kind !== 'value' || !b.value) return undefined;
    ctx.visiting.add(b);
    try {
      let t = this.tensorOf(b.value, this.bindingCtx(b, ctx));
      for (const i of b.path) {
        if (t?.k !== 'tuple' || i >= t.items.length) return undefined;
        t = t.items[i];
      }
      return t;
    } finally {
      ctx.visiting.delete(b);
    }
  }

  /** The expression a name (or `self.x`) holds, followed through plain bindings. */
  private valueExpr(e: Expr, ctx: Ctx, depth = 0): { expr: Expr; ctx: Ctx } | undefined {
    if (depth > 8) return { expr: e, ctx };
    let b: Binding | undefined;
    if (e.k === 'name') {
      const r = this.resolveName(e.id, ctx);
      if (!r || r === 'cond') return undefined;
      if ('param' in r) {
        const arg = this.paramArg(r.def, r.param, ctx);
        return arg ? this.valueExpr(arg.expr, arg.ctx, depth + 1) : undefined;
      }
      b = r.b;
    } else if (e.k === 'attr' && e.obj.k === 'name' && ctx.scope.cls && e.obj.id === ctx.scope.selfName) {
      b = this.attrBinding(ctx.scope.cls, e.attr);
      if (!b) return undefined;
    } else return { expr: e, ctx };
    if (b.kind !== 'value' || !b.value || b.path.length > 0) return undefined;
    return this.valueExpr(b.value, this.bindingCtx(b, ctx), depth + 1);
  }

  /**
   * One batch of `DataLoader(TensorDataset(X, Y), batch_size=B)` as a tuple of tensors, when
   * every batch has the same shape (N divisible by B, drop_last, or one batch); else undefined.
   */
  private loaderBatch(e: Expr, ctx: Ctx): TVal | undefined {
    const v = this.valueExpr(e, ctx);
    if (!v || v.expr.k !== 'call' || v.expr.messy) return undefined;
    const call = v.expr;
    const q = this.qualify(call.fn, v.ctx.scope, 0);
    if (q !== 'torch.utils.data.DataLoader' && q !== 'torch.utils.data.dataloader.DataLoader') return undefined;
    const b = this.bindArgs(call, LOADER_FIELDS, [], 'DataLoader');
    for (const f of ['sampler', 'batch_sampler', 'collate_fn']) {
      const x = b.get(f);
      if (x && !(x.k === 'const' && x.value === null)) return undefined;
    }
    const bsE = b.get('batch_size');
    const bsV = bsE ? this.eval(bsE, v.ctx) : undefined;
    if (bsV && !(bsV.ok && bsV.val.t === 'int')) return undefined;
    const bs = bsV?.ok && bsV.val.t === 'int' ? bsV.val.v : 1;
    const dlE = b.get('drop_last');
    const dlV = dlE ? this.eval(dlE, v.ctx) : undefined;
    if (dlV && !dlV.ok) return undefined;
    const dropLast = dlV?.ok ? truthy(dlV.val) : false;
    const dsE = b.get('dataset');
    const ds = dsE ? this.valueExpr(dsE, v.ctx) : undefined;
    if (!ds || ds.expr.k !== 'call' || ds.expr.messy || ds.expr.kwargs.length > 0) return undefined;
    const dq = this.qualify(ds.expr.fn, ds.ctx.scope, 0);
    if (dq !== 'torch.utils.data.TensorDataset' && dq !== 'torch.utils.data.dataset.TensorDataset') return undefined;
    // TensorDataset checks that every tensor has the same first axis: one known tensor gives N.
    const shapes = ds.expr.args.map((a) => this.shapeOfExpr(a, ds.ctx));
    const known = shapes.filter((x): x is number[] => !!x);
    if (shapes.length === 0 || known.length === 0 || known.some((x) => x.length === 0)) return undefined;
    const n = known[0][0];
    if (known.some((x) => x[0] !== n) || bs < 1 || n < 1) return undefined;
    let rows: number;
    if (n % bs === 0 || (dropLast && n >= bs)) rows = bs;
    else if (n < bs && !dropLast) rows = n;
    else return undefined; // the last batch is smaller: no single shape
    return { k: 'tuple', items: shapes.map((x) => (x ? { k: 'tensor', shape: [rows, ...x.slice(1)] } : undefined)) };
  }

  /**
   * True when `id.resize_(...)` (or another in-place method that changes the shape) is called
   * between the binding and where `ctx` stands: the binding no longer says the shape.
   */
  private mutatedBetween(id: string, b: Binding, ctx: Ctx): boolean {
    const end = b.scope === ctx.scope ? ctx.offset : Infinity;
    for (const ci of this.calls) {
      const fn = ci.call.fn;
      if (fn.k !== 'attr' || !SHAPE_MUTATORS.has(fn.attr) || fn.obj.k !== 'name' || fn.obj.id !== id) continue;
      if (ci.info.scope !== b.scope) {
        if (ci.info.scope.kind === 'def' && b.scope.kind === 'module') return true; // a function may change a global in place
        continue;
      }
      if (ci.call.span.start >= b.visible && ci.call.span.start < end) return true;
    }
    return false;
  }

  /** `[elt for v in range(n)]` (one clause, no condition): the element and n. */
  private rangeComprehension(e: Expr, ctx: Ctx): { elt: Expr; n: number; target: string } | undefined {
    if (e.k !== 'other' || e.what !== 'comprehension' || e.parts.length !== 2) return undefined;
    const [elt, clause] = e.parts;
    if (clause.k !== 'bin' || clause.op !== 'in' || clause.left.k !== 'name') return undefined;
    const it = clause.right;
    if (it.k !== 'call' || it.fn.k !== 'name' || it.fn.id !== 'range' || it.messy || it.kwargs.length > 0) return undefined;
    const vals = it.args.map((a) => this.eval(a, ctx));
    if (vals.length === 0 || vals.length > 3 || vals.some((v) => !v.ok || v.val.t !== 'int')) return undefined;
    const n = vals.map((v) => (v.ok && v.val.t === 'int' ? v.val.v : 0));
    const [lo, hi, st] = n.length === 1 ? [0, n[0], 1] : [n[0], n[1], n[2] ?? 1];
    if (st === 0) return undefined;
    return { elt, n: Math.max(0, Math.ceil((hi - lo) / st)), target: clause.left.id };
  }

  /** `[elt for v in ITEMS]` (one clause, no condition) over a string or list the file fixes: the element and the count. */
  private itemComprehension(e: Expr, ctx: Ctx): { elt: Expr; n: number; target: string } | undefined {
    if (e.k !== 'other' || e.what !== 'comprehension' || e.parts.length !== 2) return undefined;
    const [elt, clause] = e.parts;
    if (clause.k !== 'bin' || clause.op !== 'in' || clause.left.k !== 'name') return undefined;
    // `for c in s if cond` would parse the clause's right side as a conditional: not this shape.
    const r = this.eval(clause.right, ctx);
    if (!r.ok) return undefined;
    const n = r.val.t === 'str' ? [...r.val.v].length : r.val.t === 'tuple' ? r.val.items.length : undefined;
    return n === undefined || n > 100_000 ? undefined : { elt, n, target: clause.left.id };
  }

  /**
   * Whether `elt` (using the loop variable `v`) is one number for each item: `seq.index(v)` of a
   * string or list, `ord(v)`, `len(v)`, or `d[v]` of a dict whose values are all numbers (a
   * literal, or `{ch: i for i, ch in enumerate(...)}`).
   */
  private numberOfItem(elt: Expr, v: string, ctx: Ctx): boolean {
    if (elt.k === 'call' && !elt.messy && elt.kwargs.length === 0 && elt.args.length === 1) {
      if (elt.fn.k === 'name' && ['ord', 'len'].includes(elt.fn.id) && !lookupBindingLoose(ctx.scope, elt.fn.id, elt.span.start)) return true;
      if (elt.fn.k === 'attr' && elt.fn.attr === 'index' && !mentions(elt.fn.obj, v)) {
        const o = this.eval(elt.fn.obj, ctx);
        return o.ok && (o.val.t === 'str' || o.val.t === 'tuple');
      }
      return false;
    }
    if (elt.k !== 'sub' || mentions(elt.obj, v)) return false;
    const d = this.valueExpr(elt.obj, ctx);
    if (!d || d.expr.k !== 'other') return false;
    if (d.expr.what === 'dict') {
      if (d.expr.parts.length === 0) return false;
      for (let i = 1; i < d.expr.parts.length; i += 2) {
        const x = this.eval(d.expr.parts[i], d.ctx);
        if (!x.ok || (x.val.t !== 'int' && x.val.t !== 'float')) return false;
      }
      return true;
    }
    return /^\{\s*(\w+)\s*:\s*(\w+)\s+for\s+\(?\s*\2\s*,\s*\1\s*\)?\s+in\s+enumerate\s*\([^]*\)\s*\}$/.test(this.text.slice(d.expr.span.start, d.expr.span.end));
  }

  /** `name.append(...)` (and the like) in the binding's scope: the list is not the bound literal. */
  private listMutated(id: string, b: Binding): boolean {
    return this.calls.some((ci) => ci.call.fn.k === 'attr' && ['append', 'extend', 'insert', 'pop', 'remove', 'clear'].includes(ci.call.fn.attr) && ci.call.fn.obj.k === 'name' && ci.call.fn.obj.id === id && ci.info.scope === b.scope);
  }

  private changedCache = new Map<Binding, boolean>();

  /**
   * A container bound to `id` changed in place anywhere it can be reached (its scope, or any
   * function for a module-level name): append/extend/insert/pop/remove/clear/update/setdefault,
   * or `id[k] = v` / `del id[k]`.
   */
  private containerChanged(id: string, b: Binding): boolean {
    const hit = this.changedCache.get(b);
    if (hit !== undefined) return hit;
    const reach = (scope: Scope) => scope === b.scope || (b.scope.kind === 'module' && scope.kind !== 'module');
    let changed = this.calls.some((ci) => ci.call.fn.k === 'attr' && ['append', 'extend', 'insert', 'pop', 'remove', 'clear', 'update', 'setdefault', 'sort', 'reverse'].includes(ci.call.fn.attr) && ci.call.fn.obj.k === 'name' && ci.call.fn.obj.id === id && reach(ci.info.scope));
    if (!changed) {
      changed = this.stmts.some((si) => {
        if (!reach(si.scope)) return false;
        const st = si.stmt;
        if (st.k === 'assign') return st.targets.some((t) => t.k === 'sub' && t.obj.k === 'name' && t.obj.id === id);
        return st.k === 'expr' && st.keyword === 'del' && new RegExp(`\\b${id}\\s*\\[`).test(this.text.slice(st.span.start, st.span.end));
      });
    }
    this.changedCache.set(b, changed);
    return changed;
  }

  /** The tensors of a list expression: a literal, or `[t for _ in range(n)]` whose element does not use the loop variable. */
  private tensorList(e: Expr, ctx: Ctx): number[][] | undefined {
    let list = e;
    if (e.k === 'name') {
      const r = this.resolveName(e.id, ctx);
      if (!r || r === 'cond' || !('b' in r) || r.b.kind !== 'value' || !r.b.value || r.b.path.length > 0) return undefined;
      // A list appended to after its binding is not the literal any more.
      if (this.calls.some((ci) => ci.call.fn.k === 'attr' && ['append', 'extend', 'insert', 'pop'].includes(ci.call.fn.attr) && ci.call.fn.obj.k === 'name' && ci.call.fn.obj.id === e.id && ci.info.scope === r.b.scope)) return undefined;
      list = r.b.value;
      ctx = this.bindingCtx(r.b, ctx);
    }
    if (list.k === 'tuple') {
      const out: number[][] = [];
      for (const it of list.items) {
        const sh = this.shapeOfExpr(it, ctx);
        if (!sh) return undefined;
        out.push(sh);
      }
      return out;
    }
    const c = this.rangeComprehension(list, ctx);
    if (!c || c.n > 100_000 || mentions(c.elt, c.target)) return undefined;
    const sh = this.shapeOfExpr(c.elt, ctx);
    return sh ? Array.from({ length: c.n }, () => sh) : undefined;
  }

  /** Shape of nested list data written as literals and range comprehensions of numbers. */
  private dataShapeExpr(e: Expr, ctx: Ctx, loopVars: string[], depth = 0): number[] | undefined {
    if (depth > 32) return undefined;
    if (e.k === 'num') return [];
    if (e.k === 'unary') return this.dataShapeExpr(e.arg, ctx, loopVars, depth + 1);
    if (e.k === 'bin' && ['+', '-', '*', '/', '//', '%', '**'].includes(e.op)) {
      const a = this.dataShapeExpr(e.left, ctx, loopVars, depth + 1);
      const b = this.dataShapeExpr(e.right, ctx, loopVars, depth + 1);
      return a && b && a.length === 0 && b.length === 0 ? [] : undefined;
    }
    if (e.k === 'name' && loopVars.includes(e.id)) return [];
    if (e.k === 'tuple') {
      const shapes = e.items.map((it) => this.dataShapeExpr(it, ctx, loopVars, depth + 1));
      if (shapes.some((x) => !x)) return undefined;
      if (shapes.length === 0) return [0];
      if (shapes.some((x) => JSON.stringify(x) !== JSON.stringify(shapes[0]))) return undefined;
      return [shapes.length, ...shapes[0]!];
    }
    const c = this.rangeComprehension(e, ctx);
    if (c) {
      const inner = this.dataShapeExpr(c.elt, ctx, [...loopVars, c.target], depth + 1);
      return inner ? [c.n, ...inner] : undefined;
    }
    // [chars.index(c) for c in "hello"], [stoi[ch] for ch in words]: one number per item.
    const ic = this.itemComprehension(e, ctx);
    if (ic) return this.numberOfItem(ic.elt, ic.target, ctx) ? [ic.n] : undefined;
    // A name bound to a list (not appended to afterwards).
    if (e.k === 'name' && !loopVars.includes(e.id)) {
      const r = this.resolveName(e.id, ctx);
      if (r && r !== 'cond' && 'b' in r && r.b.kind === 'value' && r.b.value && r.b.path.length === 0 && !ctx.visiting.has(r.b) && !this.listMutated(e.id, r.b)) {
        const v = r.b.value;
        if (v.k === 'tuple' || (v.k === 'other' && v.what === 'comprehension')) {
          ctx.visiting.add(r.b);
          try {
            return this.dataShapeExpr(v, this.bindingCtx(r.b, ctx), [], depth + 1);
          } finally {
            ctx.visiting.delete(r.b);
          }
        }
      }
    }
    // A number-valued constant of the file.
    if (mentionsAny(e, loopVars)) return undefined;
    const r = this.eval(e, ctx);
    return r.ok && (r.val.t === 'int' || r.val.t === 'float' || r.val.t === 'bool') ? [] : undefined;
  }

  /** Subscript items: ints (known or a loop counter), slices with constant bounds, None, ... */
  private indexItems(index: Expr, ctx: Ctx): T.IndexItem[] | undefined {
    const parts = index.k === 'tuple' && index.bracket === '' ? index.items : [index];
    const out: T.IndexItem[] = [];
    for (const p of parts) {
      if ((p.k === 'const' && p.value === null) || (p.k === 'attr' && p.attr === 'newaxis' && this.qualify(p, ctx.scope, 0) === 'numpy.newaxis')) out.push({ k: 'none' });
      else if (p.k === 'other' && p.what === 'ellipsis') out.push({ k: 'ellipsis' });
      else if (p.k === 'slice') {
        const bound = (x?: Expr): number | undefined | null => {
          if (!x) return undefined;
          const r = this.eval(x, ctx);
          return r.ok && r.val.t === 'int' ? r.val.v : null;
        };
        const lo = bound(p.lo);
        const hi = bound(p.hi);
        const step = bound(p.step);
        const known = lo !== null && hi !== null && step !== null;
        const window = !known && !p.step ? this.loopWindow(p.lo, p.hi, ctx) : undefined;
        out.push({ k: 'slice', lo: lo ?? undefined, hi: hi ?? undefined, step: step ?? undefined, known, window });
      } else {
        const r = this.eval(p, ctx);
        if (r.ok && (r.val.t === 'int' || r.val.t === 'bool')) out.push({ k: 'int', v: Number(r.val.v) });
        else if (this.isIntLoopVar(p, ctx)) out.push({ k: 'int' });
        else return undefined; // a tensor index (advanced indexing) or unknown
      }
    }
    return out;
  }

  /**
   * `i:i + K` (or `i + a:i + b`) with `i` the counter of `for i in range(...)` whose bounds the file
   * fixes: the window's length and the first and last start.
   */
  private loopWindow(lo: Expr | undefined, hi: Expr | undefined, ctx: Ctx): { len: number; minStart: number; maxStart: number } | undefined {
    if (!lo || !hi) return undefined;
    // lo = i [+ a], hi = i + b: split each into (loop name, constant offset).
    const split = (e: Expr): { id: string; off: number } | undefined => {
      if (e.k === 'name') return { id: e.id, off: 0 };
      if (e.k === 'bin' && (e.op === '+' || e.op === '-') && e.left.k === 'name') {
        const r = this.eval(e.right, ctx);
        if (r.ok && r.val.t === 'int') return { id: e.left.id, off: e.op === '+' ? r.val.v : -r.val.v };
      }
      return undefined;
    };
    const a = split(lo);
    const b = split(hi);
    if (!a || !b || a.id !== b.id || b.off < a.off) return undefined;
    const r = this.resolveName(a.id, ctx);
    if (!r || r === 'cond' || !('b' in r) || r.b.kind !== 'loop' || r.b.path.length > 0 || !r.b.iter) return undefined;
    const it = r.b.iter;
    if (it.k !== 'call' || it.fn.k !== 'name' || it.fn.id !== 'range' || it.messy || it.kwargs.length > 0 || lookupBindingLoose(r.b.scope, 'range', it.span.start)) return undefined;
    const vals = it.args.map((x) => this.eval(x, this.bindingCtx(r.b, ctx)));
    if (vals.length === 0 || vals.length > 3 || vals.some((v) => !v.ok || v.val.t !== 'int')) return undefined;
    const n = vals.map((v) => (v.ok && v.val.t === 'int' ? v.val.v : 0));
    const [start, stop, st] = n.length === 1 ? [0, n[0], 1] : [n[0], n[1], n[2] ?? 1];
    if (st <= 0 || stop <= start) return undefined; // counting down, or a loop that never runs
    const last = start + st * Math.floor((stop - 1 - start) / st);
    return { len: b.off - a.off, minStart: start + a.off, maxStart: last + a.off };
  }

  /** `t` of `for t in range(...)` (an int whose value changes per iteration). */
  private isIntLoopVar(e: Expr, ctx: Ctx): boolean {
    if (e.k === 'bin' && ['+', '-', '*', '//', '%'].includes(e.op)) {
      const lInt = this.isIntLoopVar(e.left, ctx) || (this.eval(e.left, ctx).ok);
      const rInt = this.isIntLoopVar(e.right, ctx) || (this.eval(e.right, ctx).ok);
      return lInt && rInt && (this.isIntLoopVar(e.left, ctx) || this.isIntLoopVar(e.right, ctx));
    }
    if (e.k !== 'name') return false;
    const r = this.resolveName(e.id, ctx);
    if (!r || r === 'cond' || !('b' in r) || r.b.kind !== 'loop' || !r.b.iter) return false;
    const it = r.b.iter;
    if (it.k !== 'call' || it.fn.k !== 'name') return false;
    if (it.fn.id === 'range' && r.b.path.length === 0) return true;
    return it.fn.id === 'enumerate' && r.b.path.length === 1 && r.b.path[0] === 0;
  }

  /** Integer sizes from `f(2, 3)`, `f((2, 3))`, `f([2, 3])`, `f(size=(2, 3))`, `f(x.shape)`. */
  private sizesOf(args: Expr[], ctx: Ctx): number[] | undefined {
    if (args.length === 0) return undefined;
    const dims: number[] = [];
    for (const a of args) {
      const r = this.eval(a, ctx);
      if (!r.ok) return undefined;
      const vals = r.val.t === 'tuple' && args.length === 1 ? r.val.items : [r.val];
      for (const v of vals) {
        if (v.t !== 'int' || v.v < 0) return undefined;
        dims.push(v.v);
      }
    }
    return dims;
  }

  /** Integers of `f(0, 2, 1)` or `f((0, 2, 1))` (dims, may be negative). */
  private intsOf(args: Expr[], ctx: Ctx): number[] | undefined {
    const out: number[] = [];
    for (const a of args) {
      const r = this.eval(a, ctx);
      if (!r.ok) return undefined;
      const vals = r.val.t === 'tuple' && args.length === 1 ? r.val.items : [r.val];
      for (const v of vals) {
        if (v.t !== 'int') return undefined;
        out.push(v.v);
      }
    }
    return out;
  }

  private argOf(call: Extract<Expr, { k: 'call' }>, pos: number, name: string): Expr | undefined {
    return call.kwargs.find((k) => k.name === name)?.value ?? (pos >= 0 ? call.args[pos] : undefined);
  }

  private intArg(call: Extract<Expr, { k: 'call' }>, pos: number, name: string, ctx: Ctx): number | undefined | null {
    const a = this.argOf(call, pos, name);
    if (!a) return undefined;
    const r = this.eval(a, ctx);
    return r.ok && r.val.t === 'int' ? r.val.v : null;
  }

  private boolArg(call: Extract<Expr, { k: 'call' }>, pos: number, name: string, ctx: Ctx, dflt: boolean): boolean | undefined {
    const a = this.argOf(call, pos, name);
    if (!a) return dflt;
    const r = this.eval(a, ctx);
    if (!r.ok) return undefined;
    const v = coerce(r.val, 'bool');
    return typeof v === 'boolean' ? v : undefined;
  }

  /** The shape of a nested list/tuple literal (or a name bound to one): torch.tensor data. */
  private dataShape(e: Expr, ctx: Ctx): number[] | undefined {
    const r = this.eval(e, ctx);
    if (!r.ok) return this.dataShapeExpr(e, ctx, []);
    const items = (v: Val): Val[] | undefined => (v.t === 'tuple' ? v.items : undefined);
    if (r.val.t !== 'tuple') return [];
    const leaves: Val[] = [];
    const s = T.nestedShape<Val>(r.val, (v) => {
      const it = items(v);
      if (!it) leaves.push(v);
      return it;
    });
    if (!s || leaves.some((v) => v.t !== 'int' && v.t !== 'float' && v.t !== 'bool')) return undefined;
    return s;
  }

  private tensorCall(e: Extract<Expr, { k: 'call' }>, ctx: Ctx): TVal | undefined {
    if (e.messy && !(e.fn.k === 'attr' && ['view', 'reshape', 'permute'].includes(e.fn.attr))) return undefined;
    const ci = this.callInfoOf(e);
    const q = ci?.q ?? this.qualify(e.fn, ctx.scope, 0);
    if (q && (q.startsWith('torch.') && !/^torch\.nn\.[A-Z]/.test(q))) {
      const r = this.torchFunction(q, e, ctx);
      if (r !== NOT_TORCH) return r;
    }
    if (q && q.startsWith('numpy.')) return this.numpyFunction(q.slice('numpy.'.length), e, ctx);
    // A module called on tensors.
    const obj = ci ? this.calleeObject(ci) : this.objectOf(e.fn, ctx);
    if (obj?.k === 'module') return this.moduleResult(obj, e, ctx);
    if (obj) return undefined;
    // A function of this file that returns a tensor (`def lineToTensor(line): ... return tensor`).
    if (ci?.target && ci.target.kind === 'def' && !ci.target.cls) {
      const ret = this.returnOf(ci.target, ctx);
      return ret ? this.tensorOf(ret.expr, ret.ctx) : undefined;
    }
    // A tensor method.
    if (e.fn.k === 'attr') return this.tensorMethod(e.fn.attr, e.fn.obj, e, ctx);
    return undefined;
  }

  /**
   * The few NumPy functions that build arrays fed to torch.from_numpy / torch.FloatTensor: their
   * shapes (an array is read like a tensor). Undefined for anything else.
   */
  private numpyFunction(name: string, e: Extract<Expr, { k: 'call' }>, ctx: Ctx): TVal | undefined {
    if (e.messy) return undefined;
    if (name === 'linspace') {
      const num = this.argOf(e, 2, 'num');
      if (!num) return { k: 'tensor', shape: [50] };
      const r = this.eval(num, ctx);
      return r.ok && r.val.t === 'int' && r.val.v >= 0 ? { k: 'tensor', shape: [r.val.v] } : undefined;
    }
    if (name === 'zeros' || name === 'ones' || name === 'empty') {
      const a = this.argOf(e, 0, 'shape');
      const shape = a ? this.sizesOf([a], ctx) : undefined;
      return shape ? { k: 'tensor', shape } : undefined;
    }
    if (name === 'random.rand' || name === 'random.randn') {
      if (e.kwargs.length > 0 || e.args.length === 0) return undefined;
      const shape = this.sizesOf(e.args, ctx);
      return shape ? { k: 'tensor', shape } : undefined;
    }
    if (['sin', 'cos', 'tanh', 'exp', 'log', 'abs', 'sqrt', 'float32', 'float64'].includes(name) && e.args.length === 1) {
      const t = this.tensorOf(e.args[0], ctx);
      return t?.k === 'tensor' && !t.packed ? { k: 'tensor', shape: t.shape } : undefined;
    }
    if ((name === 'array' || name === 'asarray') && e.args.length === 1) {
      const t = this.tensorOf(e.args[0], ctx);
      if (t?.k === 'tensor' && !t.packed) return { k: 'tensor', shape: t.shape };
      const d = this.dataShape(e.args[0], ctx);
      return d ? { k: 'tensor', shape: d } : undefined;
    }
    return undefined;
  }

  /** torch.* functions that build or reshape tensors; NOT_TORCH when `q` is not one of them. */
  private torchFunction(q: string, e: Extract<Expr, { k: 'call' }>, ctx: Ctx): TVal | undefined | typeof NOT_TORCH {
    const name = q.slice(q.lastIndexOf('.') + 1);
    const mod = q.slice(0, q.lastIndexOf('.'));
    const sizeKw = e.kwargs.find((k) => k.name === 'size')?.value;
    if (mod === 'torch' && ['zeros', 'ones', 'empty', 'rand', 'randn'].includes(name)) {
      const shape = this.sizesOf(sizeKw ? [sizeKw] : e.args, ctx);
      const draw = (name === 'rand' || name === 'randn') && this.callInfoOf(e) ? this.callInfoOf(e) : undefined;
      return { k: 'tensor', shape, draw };
    }
    if (mod === 'torch' && name === 'full') {
      const a = this.argOf(e, 0, 'size');
      return { k: 'tensor', shape: a ? this.sizesOf([a], ctx) : undefined };
    }
    if (mod === 'torch' && name === 'randint') {
      // randint(high, size) or randint(low, high, size)
      const a = sizeKw ?? (e.args.length >= 3 ? e.args[2] : e.args.length === 2 ? e.args[1] : undefined);
      return { k: 'tensor', shape: a ? this.sizesOf([a], ctx) : undefined, int: true };
    }
    if (mod === 'torch' && ['zeros_like', 'ones_like', 'empty_like', 'rand_like', 'randn_like', 'full_like', 'randint_like'].includes(name)) {
      const s = e.args[0] ? this.shapeOfExpr(e.args[0], ctx) : undefined;
      return { k: 'tensor', shape: s };
    }
    if (mod === 'torch' && (name === 'tensor' || name === 'as_tensor' || name === 'LongTensor' || name === 'FloatTensor' || name === 'Tensor' || name === 'IntTensor' || name === 'DoubleTensor')) {
      const int = name === 'LongTensor' || name === 'IntTensor';
      if (e.args.length === 0) return { k: 'tensor', shape: name === 'tensor' ? undefined : [0], int };
      if (name !== 'tensor' && name !== 'as_tensor') {
        // torch.FloatTensor(3, 5) is a (3, 5) tensor; torch.FloatTensor([3, 5]) holds 3 and 5.
        const first = this.eval(e.args[0], ctx);
        if (first.ok && first.val.t === 'int') {
          const s = this.sizesOf(e.args, ctx);
          return { k: 'tensor', shape: s, int };
        }
      }
      if (e.args.length !== 1) return undefined;
      const s = this.dataShape(e.args[0], ctx);
      if (s) return { k: 'tensor', shape: s, int };
      // torch.tensor(x) of a tensor x copies it.
      const t = this.tensorOf(e.args[0], ctx);
      return t?.k === 'tensor' ? { k: 'tensor', shape: t.shape, int } : undefined;
    }
    if (mod === 'torch' && name === 'from_numpy' && e.args.length === 1) {
      const t = this.tensorOf(e.args[0], ctx);
      return t?.k === 'tensor' && !t.packed ? { k: 'tensor', shape: t.shape } : undefined;
    }
    if (mod === 'torch' && name === 'arange') {
      const vals = e.args.map((a) => this.eval(a, ctx));
      if (vals.some((v) => !v.ok || (v.val.t !== 'int'))) return undefined;
      const n = vals.map((v) => (v.ok && v.val.t === 'int' ? v.val.v : 0));
      const [lo, hi, st] = n.length === 1 ? [0, n[0], 1] : [n[0], n[1], n[2] ?? 1];
      if (st === 0) return undefined;
      return { k: 'tensor', shape: [Math.max(0, Math.ceil((hi - lo) / st))] };
    }
    if (mod === 'torch' && name === 'linspace') {
      const s = this.intArg(e, 2, 'steps', ctx);
      return typeof s === 'number' ? { k: 'tensor', shape: [s] } : undefined;
    }
    if (mod === 'torch' && (name === 'cat' || name === 'concat' || name === 'stack')) {
      const list = this.argOf(e, 0, 'tensors');
      const dimArg = this.argOf(e, 1, 'dim');
      const dim = dimArg ? this.eval(dimArg, ctx) : ({ ok: true, val: { t: 'int', v: 0 } } as Ev);
      if (!list || !dim.ok || dim.val.t !== 'int') return undefined;
      const shapes = this.tensorList(list, ctx);
      if (!shapes) return undefined;
      const s = name === 'stack' ? T.stack(shapes, dim.val.v) : T.cat(shapes, dim.val.v);
      return s ? { k: 'tensor', shape: s } : undefined;
    }
    if (q === 'torch.nn.utils.rnn.pack_padded_sequence' || q === 'torch.nn.utils.rnn.pack_sequence') {
      if (name === 'pack_sequence') return undefined;
      const x = this.argOf(e, 0, 'input');
      const t = x ? this.tensorOf(x, ctx) : undefined;
      if (t?.k !== 'tensor') return undefined;
      return { k: 'tensor', shape: t.shape, packed: true, packBatchFirst: this.boolArg(e, 2, 'batch_first', ctx, false), emb: t.emb };
    }
    if (mod === 'torch' && (name === 'bmm' || name === 'matmul') && e.args.length === 2) {
      const a = this.shapeOfExpr(e.args[0], ctx);
      const b = this.shapeOfExpr(e.args[1], ctx);
      // Batched products of equal batch dims only (no broadcasting of batch dims, no 1-D operands).
      if (!a || !b || a.length < 2 || a.length !== b.length || (name === 'bmm' && a.length !== 3)) return undefined;
      const n = a.length;
      if (a[n - 1] !== b[n - 2] || a.slice(0, n - 2).some((x, i) => x !== b[i])) return undefined;
      return { k: 'tensor', shape: [...a.slice(0, n - 1), b[n - 1]] };
    }
    if (q === 'torch.nn.utils.rnn.pad_packed_sequence') return undefined; // padded to the longest length: not known
    if (q === 'torch.nn.utils.rnn.pad_sequence') {
      // A list of (L_i, *) tensors padded to the longest: (B, L, *) or (L, B, *).
      const list = this.argOf(e, 0, 'sequences');
      const shapes = list ? this.tensorList(list, ctx) : undefined;
      const bf = this.boolArg(e, 1, 'batch_first', ctx, false);
      if (!shapes || shapes.length === 0 || bf === undefined || shapes.some((x) => x.length === 0)) return undefined;
      const rest = shapes[0].slice(1);
      if (shapes.some((x) => x.length !== shapes[0].length || x.slice(1).some((v, i) => v !== rest[i]))) return undefined;
      const longest = Math.max(...shapes.map((x) => x[0]));
      return { k: 'tensor', shape: bf ? [shapes.length, longest, ...rest] : [longest, shapes.length, ...rest] };
    }
    const same = ['squeeze', 'unsqueeze', 'transpose', 'permute', 'reshape', 'flatten', 'flip', 'narrow'];
    if (mod === 'torch' && same.includes(name) && e.args.length >= 1) {
      // torch.unsqueeze(x, 0) is x.unsqueeze(0).
      const rest: Extract<Expr, { k: 'call' }> = { ...e, args: e.args.slice(1) };
      return this.tensorMethod(name, e.args[0], rest, ctx);
    }
    const elementwise = ['tanh', 'sigmoid', 'relu', 'exp', 'log', 'abs', 'sin', 'cos', 'sqrt', 'neg', 'clone', 'softmax', 'log_softmax', 'dropout', 'gelu', 'leaky_relu', 'elu', 'selu', 'silu', 'clamp', 'clip', 'normalize', 'layer_norm', 'detach'];
    if ((mod === 'torch' || mod === 'torch.nn.functional') && elementwise.includes(name) && e.args.length >= 1) {
      const t = this.tensorOf(e.args[0], ctx);
      if (t?.k !== 'tensor' || t.packed) return undefined;
      return { k: 'tensor', shape: t.shape, emb: name === 'dropout' ? t.emb : undefined };
    }
    return mod === 'torch' || mod === 'torch.nn.functional' ? undefined : NOT_TORCH;
  }

  /** `x.view(...)`, `x.permute(...)`, `x.float()`: the shape after a tensor method. */
  private tensorMethod(m: string, objE: Expr, e: Extract<Expr, { k: 'call' }>, ctx: Ctx): TVal | undefined {
    if (m === 'new_zeros' || m === 'new_ones' || m === 'new_empty' || m === 'new_full' || m === 'new_tensor') {
      if (m === 'new_tensor') return e.args[0] ? { k: 'tensor', shape: this.dataShape(e.args[0], ctx) } : undefined;
      const a = this.argOf(e, 0, 'size');
      const sizeKw = e.kwargs.some((k) => k.name === 'size');
      return { k: 'tensor', shape: a ? this.sizesOf(m === 'new_full' || sizeKw ? [a] : e.args, ctx) : undefined };
    }
    if (!TENSOR_METHODS.has(m)) return undefined;
    const o = this.tensorOf(objE, ctx);
    if (o?.k !== 'tensor' || o.packed) return undefined;
    const keep = (shape: number[] | undefined, draws = true): TVal | undefined =>
      shape ? { k: 'tensor', shape, emb: o.emb, draw: draws ? o.draw : undefined, int: o.int } : undefined;
    if (IDENTITY_METHODS.has(m)) {
      const int = m === 'long' || m === 'int' ? true : m === 'float' || m === 'double' || m === 'half' ? false : o.int;
      return { k: 'tensor', shape: o.shape, emb: o.emb, draw: o.draw, int };
    }
    const s = o.shape;
    if (!s) return undefined;
    switch (m) {
      case 'view':
      case 'reshape': {
        if (e.args.length === 1) {
          // x.view(y.shape) / x.view(torch.Size) / x.view(dtype) (dtype: unknown)
          const sz = this.intsOf(e.args, ctx);
          return keep(sz ? T.view(s, sz) : undefined);
        }
        const sz = this.intsOf(e.args, ctx);
        return keep(sz ? T.view(s, sz) : undefined);
      }
      case 'view_as':
      case 'reshape_as':
      case 'expand_as': {
        const t = e.args[0] ? this.shapeOfExpr(e.args[0], ctx) : undefined;
        return keep(t, m !== 'expand_as');
      }
      case 'permute': {
        const d = this.intsOf(e.args, ctx);
        return keep(d ? T.permute(s, d) : undefined, false);
      }
      case 'transpose':
      case 'swapaxes': {
        const d = this.intsOf(e.args, ctx);
        return keep(d && d.length === 2 ? T.transpose(s, d[0], d[1]) : undefined, false);
      }
      case 't':
        return keep(s.length <= 2 ? [...s].reverse() : undefined, false);
      case 'unsqueeze': {
        const d = this.intArg(e, 0, 'dim', ctx);
        return keep(typeof d === 'number' ? T.unsqueeze(s, d) : undefined);
      }
      case 'squeeze': {
        const d = this.intArg(e, 0, 'dim', ctx);
        if (d === null) return undefined;
        return keep(T.squeeze(s, d));
      }
      case 'flatten': {
        const a = this.intArg(e, 0, 'start_dim', ctx);
        const b = this.intArg(e, 1, 'end_dim', ctx);
        if (a === null || b === null) return undefined;
        const i = T.normDim(a ?? 0, s.length);
        const j = T.normDim(b ?? -1, s.length);
        if (i === undefined || j === undefined || j < i) return s.length === 0 ? keep([1]) : undefined;
        return keep([...s.slice(0, i), s.slice(i, j + 1).reduce((x, y) => x * y, 1), ...s.slice(j + 1)]);
      }
      case 'expand': {
        const sz = this.intsOf(e.args, ctx);
        if (!sz || sz.length < s.length) return undefined;
        const off = sz.length - s.length;
        const out = sz.map((v, k) => (v === -1 ? (k >= off ? s[k - off] : -1) : v));
        if (out.some((v, k) => v < 0 || (k >= off && s[k - off] !== 1 && s[k - off] !== v))) return undefined;
        return keep(out, false);
      }
      case 'repeat': {
        const r = this.intsOf(e.args, ctx);
        if (!r || r.length < s.length) return undefined;
        const off = r.length - s.length;
        return keep(r.map((v, k) => v * (k >= off ? s[k - off] : 1)), false);
      }
      case 'unfold': {
        // x.unfold(dimension, size, step): windows along `dimension`, their size as a new last axis.
        const d = this.intArg(e, 0, 'dimension', ctx);
        const size = this.intArg(e, 1, 'size', ctx);
        const step = this.intArg(e, 2, 'step', ctx);
        if (typeof d !== 'number' || typeof size !== 'number' || typeof step !== 'number' || step < 1 || size < 0) return undefined;
        const i = T.normDim(d, Math.max(s.length, 1));
        const n = s.length === 0 ? 1 : s[i ?? 0];
        if (i === undefined || size > n) return undefined; // PyTorch raises
        const out = s.length === 0 ? [] : [...s];
        if (s.length > 0) out[i] = Math.floor((n - size) / step) + 1;
        return keep([...out, size], false);
      }
      case 'narrow': {
        const d = this.intArg(e, 0, 'dim', ctx);
        const len = this.intArg(e, 2, 'length', ctx);
        if (typeof d !== 'number' || typeof len !== 'number') return undefined;
        const i = T.normDim(d, s.length);
        if (i === undefined) return undefined;
        const out = [...s];
        out[i] = len;
        return keep(out, false);
      }
      case 'sum':
      case 'mean':
      case 'argmax':
      case 'amax': {
        const d = this.intArg(e, 0, 'dim', ctx);
        if (typeof d !== 'number') return d === undefined && m !== 'amax' ? keep([], false) : undefined;
        const kd = this.boolArg(e, 1, 'keepdim', ctx, false);
        const i = T.normDim(d, s.length);
        if (i === undefined || kd === undefined) return undefined;
        const out = kd ? s.map((v, k) => (k === i ? 1 : v)) : s.filter((_v, k) => k !== i);
        return { k: 'tensor', shape: out, int: m === 'argmax' };
      }
      default:
        return undefined;
    }
  }

  /** What a module call returns, from what it receives. */
  private moduleResult(obj: Extract<Obj, { k: 'module' }>, e: Extract<Expr, { k: 'call' }>, ctx: Ctx): TVal | undefined {
    const x = e.args[0] ?? e.kwargs.find((k) => k.name === 'input')?.value;
    if (!x) return undefined;
    return this.applyModule(obj, this.tensorOf(x, ctx));
  }

  /** The layers of `nn.Sequential(a, b, c)` as module objects; undefined when one is not known. */
  private sequentialLayers(seq: CallInfo): Extract<Obj, { k: 'module' }>[] | undefined {
    const call = seq.call;
    if (call.messy || call.kwargs.length > 0) return undefined;
    const ctx = this.ctxAt(seq.info.scope, call.span.start);
    const out: Extract<Obj, { k: 'module' }>[] = [];
    for (const a of call.args) {
      const o = this.objectOf(a, ctx);
      if (o?.k !== 'module') return undefined;
      out.push(o);
    }
    return out;
  }

  /** An int (or a 1-tuple of one) argument of a layer's constructor; `dflt` when absent. */
  private layerInt(b: Map<string, Expr>, name: string, ctx: Ctx, dflt?: number): number | undefined {
    const e = b.get(name);
    if (!e) return dflt;
    const r = this.eval(e, ctx);
    if (!r.ok) return undefined;
    const v = r.val.t === 'tuple' && r.val.items.length === 1 ? r.val.items[0] : r.val;
    return v.t === 'int' ? v.v : undefined;
  }

  /** Conv1d / MaxPool1d / AvgPool1d on (N, C, L) or (C, L), as PyTorch sizes the output. */
  private conv1dLike(name: string, ci: CallInfo, xs: number[] | undefined): TVal | undefined {
    if (!xs || (xs.length !== 2 && xs.length !== 3)) return undefined;
    const fields = name === 'Conv1d' ? CONV1D_FIELDS : name === 'MaxPool1d' ? MAXPOOL1D_FIELDS : AVGPOOL1D_FIELDS;
    const b = this.bindArgs(ci.call, fields, [], `nn.${name}`);
    const ctx = this.ctxAt(ci.info.scope, ci.call.span.start);
    const k = this.layerInt(b, 'kernel_size', ctx);
    const stride = b.get('stride') && !(b.get('stride')!.k === 'const') ? this.layerInt(b, 'stride', ctx) : name === 'Conv1d' ? 1 : k;
    const dilation = name === 'AvgPool1d' ? 1 : this.layerInt(b, 'dilation', ctx, 1);
    let padding: number | undefined;
    const pe = b.get('padding');
    const pv = pe ? this.eval(pe, ctx) : undefined;
    const L = xs[xs.length - 1];
    if (pv?.ok && pv.val.t === 'str') {
      if (name !== 'Conv1d') return undefined;
      padding = pv.val.v === 'valid' ? 0 : undefined;
      if (pv.val.v === 'same' && stride === 1) padding = -1;
    } else padding = this.layerInt(b, 'padding', ctx, 0);
    if (k === undefined || stride === undefined || dilation === undefined || padding === undefined || k < 1 || stride < 1) return undefined;
    if (b.get('ceil_mode')) {
      const c = this.eval(b.get('ceil_mode')!, ctx);
      if (!c.ok || truthy(c.val)) return undefined;
    }
    const lOut = padding === -1 ? L : Math.floor((L + 2 * padding - dilation * (k - 1) - 1) / stride) + 1;
    if (lOut < 1) return undefined; // PyTorch raises
    let channels = xs[xs.length - 2];
    if (name === 'Conv1d') {
      const cin = this.layerInt(b, 'in_channels', ctx);
      const cout = this.layerInt(b, 'out_channels', ctx);
      if (cin === undefined || cout === undefined || cin !== channels) return undefined;
      channels = cout;
    }
    return { k: 'tensor', shape: [...xs.slice(0, -2), channels, lOut] };
  }

  /** What a module object gives for an input `t` (undefined when not known). */
  private applyModule(obj: Extract<Obj, { k: 'module' }>, t: TVal | undefined): TVal | undefined {
    const name = obj.q.slice('torch.nn.'.length);
    const xs = t?.k === 'tensor' && !t.packed ? t.shape : undefined;
    if (name === 'Sequential') {
      const layers = this.sequentialLayers(obj.ci);
      if (!layers) return undefined;
      let cur = t;
      for (const l of layers) {
        if (!cur) return undefined;
        cur = this.applyModule(l, cur);
      }
      return cur;
    }
    if (name === 'Conv1d' || name === 'MaxPool1d' || name === 'AvgPool1d') return this.conv1dLike(name, obj.ci, xs);
    if (name === 'Embedding') {
      const emb = this.embeddingConfig(obj.ci);
      const shape = xs && emb.embeddingDim !== undefined ? [...xs, emb.embeddingDim] : undefined;
      return { k: 'tensor', shape, emb };
    }
    if (SHAPE_KEEPING_MODULES.has(name)) {
      if (t?.k !== 'tensor' || t.packed) return undefined;
      return { k: 'tensor', shape: t.shape, emb: name === 'Dropout' ? t.emb : undefined };
    }
    if (name === 'Linear') {
      const lb = this.bindArgs(obj.ci.call, LINEAR_FIELDS, [], 'nn.Linear');
      const lctx = this.ctxAt(obj.ci.info.scope, obj.ci.call.span.start);
      const inF = lb.get('in_features') ? this.eval(lb.get('in_features')!, lctx) : undefined;
      const outF = lb.get('out_features') ? this.eval(lb.get('out_features')!, lctx) : undefined;
      if (!xs || xs.length === 0 || !inF?.ok || !outF?.ok || inF.val.t !== 'int' || outF.val.t !== 'int') return undefined;
      if (xs[xs.length - 1] !== inF.val.v) return undefined; // PyTorch raises
      return { k: 'tensor', shape: [...xs.slice(0, -1), outF.val.v] };
    }
    const type = RECURRENT[obj.q];
    if (!type) return undefined;
    const cfg = this.configOf(obj.ci, type);
    const r = recurrentShapes(type, cfg, t?.k === 'tensor' ? t : undefined);
    if (!r) return undefined;
    if (type.endsWith('Cell')) {
      return type === 'LSTMCell' ? { k: 'tuple', items: [{ k: 'tensor', shape: r.output }, { k: 'tensor', shape: r.cN }] } : { k: 'tensor', shape: r.output };
    }
    const out: TVal = { k: 'tensor', shape: r.output, packed: r.packed, packBatchFirst: r.packed ? cfg.batchFirst : undefined };
    const h: TVal = type === 'LSTM' ? { k: 'tuple', items: [{ k: 'tensor', shape: r.hN }, { k: 'tensor', shape: r.cN }] } : { k: 'tensor', shape: r.hN };
    return { k: 'tuple', items: [out, h] };
  }

  private embCache = new Map<CallInfo, SnippetEmbedding>();

  /** nn.Embedding(num_embeddings, embedding_dim, padding_idx=...) as read from its constructor. */
  private embeddingConfig(ci: CallInfo): SnippetEmbedding {
    const hit = this.embCache.get(ci);
    if (hit) return hit;
    const b = this.bindArgs(ci.call, EMBEDDING_FIELDS, [], 'nn.Embedding');
    const ctx = this.ctxAt(ci.info.scope, ci.call.span.start);
    const int = (f: string): number | undefined => {
      const a = b.get(f);
      if (!a) return undefined;
      const r = this.eval(a, ctx);
      return r.ok && r.val.t === 'int' ? r.val.v : undefined;
    };
    const emb: SnippetEmbedding = { numEmbeddings: int('num_embeddings'), embeddingDim: int('embedding_dim'), paddingIdx: int('padding_idx'), span: ci.call.span, target: this.targetName(ci) };
    this.embCache.set(ci, emb);
    return emb;
  }

  /** Where a constructor call's result is stored (`self.rnn`, `rnn`), chains like `.to(device)` allowed. */
  private targetName(ci: CallInfo): string | undefined {
    const s = ci.info.stmt;
    if (s.k !== 'assign' || s.targets.length === 0) return undefined;
    let v: Expr = s.value;
    while (v !== ci.call && v.k === 'call' && v.fn.k === 'attr') v = v.fn.obj;
    return v === ci.call ? normaliseSelf(dotted(s.targets[0]), ci.info.scope) : undefined;
  }

  private cfgCache = new Map<CallInfo, Partial<ModelConfig>>();

  /**
   * The calls of the module a constructor call builds, first call first. `reached`: the text shows
   * the call is made (module level, or in a function that is called). `tensor`: what the first
   * argument is.
   */
  private moduleCalls(c: CallInfo, moduleType: ModuleType | null): { mc: ModuleCall; reached: boolean; tensor?: TVal }[] {
    const found: { ci: CallInfo; key?: number[]; seqIndex?: number; seq?: CallInfo }[] = [];
    for (const ci of this.calls) {
      let o = this.calleeObject(ci);
      if (!o && ci.call.fn.k === 'attr' && ci.call.fn.attr === 'forward') {
        o = this.objectOf(ci.call.fn.obj, { scope: ci.info.scope, offset: ci.call.span.start, moduleTime: Infinity, depth: 0, visiting: new Set() });
      }
      let seqIndex: number | undefined;
      if (o?.k === 'module' && o.q === 'torch.nn.Sequential' && o.ci !== c) {
        // The module is a layer of a Sequential that is called: it receives what the layers before it give.
        const i = o.ci.call.args.indexOf(c.call);
        if (i < 0) continue;
        seqIndex = i;
      } else if (o?.k !== 'module' || o.ci !== c) continue;
      const k = this.execKey(ci.info.scope);
      found.push({ ci, key: k ? [...k, ci.call.span.start] : undefined, seqIndex, seq: seqIndex !== undefined ? (o as Extract<Obj, { k: 'module' }>).ci : undefined });
    }
    found.sort((a, b) => (a.key && b.key ? compareKeys(a.key, b.key) : a.key ? -1 : b.key ? 1 : a.ci.call.span.start - b.ci.call.span.start));
    return found.slice(0, 50).map(({ ci, key, seqIndex, seq }, i) => {
      const call = ci.call;
      const mc: ModuleCall = { call, span: call.span, line: this.lineOf(call.span.start), statement: ci.info.index, reached: !!key };
      if (seq) mc.sequential = true;
      // Only the first call's shapes are worked out for every module (the rest on demand would cost more).
      if (i > 3) return { mc, reached: !!key };
      const ctx = this.ctxAt(ci.info.scope, call.span.start);
      const x = call.args[0] ?? call.kwargs.find((k) => k.name === 'input')?.value;
      let t = x ? this.tensorOf(x, ctx) : undefined;
      if (seq && seqIndex !== undefined) {
        const layers = this.sequentialLayers(seq);
        for (let j = 0; j < seqIndex; j++) t = layers && t ? this.applyModule(layers[j], t) : undefined;
        if (t?.k === 'tensor') t = { k: 'tensor', shape: t.shape, emb: t.emb, int: t.int };
        if (mc.sequential) {
          if (t?.k === 'tensor' && t.shape) mc.input = t.shape;
          return { mc, reached: !!key, tensor: t };
        }
      }
      if (t?.k === 'tensor' && t.shape) {
        mc.input = t.shape;
        if (t.packed) {
          mc.packed = true;
          mc.packBatchFirst = t.packBatchFirst;
        }
      }
      const hx = call.args[1] ?? call.kwargs.find((k) => k.name === 'hx')?.value;
      if (hx) {
        const h = this.tensorOf(hx, ctx);
        const pair = moduleType === 'LSTM' || moduleType === 'LSTMCell';
        if (h?.k === 'tuple' && pair) mc.hidden = h.items.map((it) => (it?.k === 'tensor' ? it.shape : undefined));
        else if (hx.k === 'tuple' && pair) mc.hidden = hx.items.map((it) => this.shapeOfExpr(it, ctx));
        else mc.hidden = [h?.k === 'tensor' && !h.packed ? h.shape : undefined];
      }
      return { mc, reached: !!key, tensor: t };
    });
  }

  /** The config of a recurrent constructor call (fields that cannot be read are absent). */
  private configOf(ci: CallInfo, type: ModuleType): Partial<ModelConfig> {
    const hit = this.cfgCache.get(ci);
    if (hit) return hit;
    this.cfgCache.set(ci, {});
    const cfg = this.readConfig(ci, type, [], []).config;
    this.cfgCache.set(ci, cfg);
    return cfg;
  }

  // ------------------------------------------------------------------ models

  /** Binds a call's arguments to a signature: name -> expression. */
  private bindArgs(call: Extract<Expr, { k: 'call' }>, names: string[], notes: Msg[], what: string): Map<string, Expr> {
    const bound = new Map<string, Expr>();
    call.args.forEach((a, i) => {
      if (a.k === 'other' && a.what === 'starred') return;
      if (i < names.length) bound.set(names[i], a);
      else notes.push(msg('{0} gets more positional arguments than PyTorch accepts; PyTorch would raise a TypeError.', what));
    });
    for (const k of call.kwargs) {
      if (!names.includes(k.name) && !(what.endsWith('RNN') && k.name === 'nonlinearity')) {
        notes.push(msg('{0} has no argument `{1}`; PyTorch would raise a TypeError.', what, k.name));
        continue;
      }
      if (bound.has(k.name)) notes.push(msg('{0} gets `{1}` twice; PyTorch would raise a TypeError.', what, k.name));
      bound.set(k.name, k.value);
    }
    return bound;
  }

  /**
   * Reads a recurrent constructor's arguments as PyTorch 1.13 binds them. `type` null: the class is
   * chosen at run time; the arguments are read as RNNBase binds them (RNN, LSTM and GRU alike).
   */
  private readConfig(c: CallInfo, type: ModuleType | null, notes: Msg[], unresolved: UnresolvedField[]): { config: SnippetModel['config']; moduleTime: number } {
    const call = c.call;
    const scope = c.info.scope;
    const family: CellType = type ? FAMILY[type] : 'RNN';
    const what = type ? `nn.${type}` : this.src(call.fn.span);
    const ownerScope = scope.cls ?? (scope.kind === 'def' ? scope : undefined);
    const sites = ownerScope ? this.sitesOf(ownerScope) : [];
    const site = sites[0];
    const moduleTime = site && site.info.scope.kind === 'module' ? site.call.span.start : scope.kind === 'module' ? call.span.start : Infinity;
    const ctx = (): Ctx => ({ scope, offset: call.span.start, moduleTime, depth: 0, visiting: new Set() });
    const names = FIELDS[type ?? 'LSTM'];
    const bound = this.bindArgs(call, names, notes, what);
    if (type === 'RNN' && call.args.length > 3) {
      notes.push(msg('In PyTorch 1.13 the 4th positional argument of nn.RNN is bias (PyTorch 2.x reads it as nonlinearity); keywords avoid the ambiguity.'));
    }
    if (type && type !== 'LSTM' && bound.has('proj_size')) {
      notes.push(msg('proj_size is only supported for LSTM; PyTorch would raise a ValueError.'));
    }
    const config: SnippetModel['config'] = { type: family };
    const read = (field: string, kind: 'int' | 'bool' | 'float' | 'str', dflt?: number | boolean | string): number | boolean | string | undefined => {
      const e = bound.get(field);
      if (!e) {
        if (dflt === undefined && !call.messy) notes.push(msg('{0} is missing `{1}`; PyTorch would raise a TypeError.', what, field));
        if (dflt === undefined) unresolved.push({ field, text: field, reason: msg('it is not given'), span: call.span });
        return dflt;
      }
      const r = this.eval(e, ctx());
      if (!r.ok) {
        unresolved.push({ field, text: r.name ?? this.src(e.span), reason: r.reason ?? reasonFor(r), span: e.span });
        return undefined;
      }
      const v = coerce(r.val, kind);
      if (v === undefined) {
        unresolved.push({ field, text: this.src(e.span), reason: msg('it is {0}, not {1}', describe(r.val), kindWord(kind)), span: e.span });
      }
      return v;
    };
    const setNum = (key: 'inputSize' | 'hiddenSize' | 'numLayers' | 'projSize' | 'dropout', field: string, kind: 'int' | 'float', dflt?: number) => {
      const v = read(field, kind, dflt);
      if (typeof v === 'number') config[key] = v;
    };
    const setBool = (key: 'bias' | 'batchFirst' | 'bidirectional', field: string, dflt: boolean) => {
      const v = read(field, 'bool', dflt);
      if (typeof v === 'boolean') config[key] = v;
    };
    const isCell = !!type && type.endsWith('Cell');
    setNum('inputSize', 'input_size', 'int');
    setNum('hiddenSize', 'hidden_size', 'int');
    if (!isCell) setNum('numLayers', 'num_layers', 'int', 1);
    if (type === 'RNN' || type === 'RNNCell' || (type === null && bound.has('nonlinearity'))) {
      const v = read('nonlinearity', 'str', 'tanh');
      if (v === 'tanh' || v === 'relu') config.nonlinearity = v;
      else if (typeof v === 'string') {
        notes.push(msg('Unknown nonlinearity `{0}`; PyTorch would raise a ValueError.', v));
        unresolved.push({ field: 'nonlinearity', text: v, reason: msg('PyTorch accepts only "tanh" or "relu"'), span: bound.get('nonlinearity')?.span ?? call.span });
      }
    } else config.nonlinearity = 'tanh';
    setBool('bias', 'bias', true);
    if (!isCell) {
      setBool('batchFirst', 'batch_first', false);
      setNum('dropout', 'dropout', 'float', 0);
      setBool('bidirectional', 'bidirectional', false);
      if (type === 'LSTM' || type === null) setNum('projSize', 'proj_size', 'int', 0);
      else config.projSize = 0;
    }
    if (bound.has('dtype')) notes.push(msg('dtype is ignored: the view uses float32 weights as PyTorch does by default.'));
    for (const [key, field, min] of [['inputSize', 'input_size', 1], ['hiddenSize', 'hidden_size', 1], ['numLayers', 'num_layers', 1]] as const) {
      const v = config[key];
      if (v !== undefined && v < min) notes.push(msg('{0} = {1} is out of range; PyTorch needs at least {2}.', field, v, min));
    }
    return { config, moduleTime };
  }

  private buildModel(c: CallInfo, moduleType: ModuleType | null): SnippetModel {
    const call = c.call;
    const scope = c.info.scope;
    const notes: Msg[] = [];
    const unresolved: UnresolvedField[] = [];
    const type: CellType = moduleType ? FAMILY[moduleType] : 'RNN';
    const isCell = !!moduleType && moduleType.endsWith('Cell');
    const container = scope.cls ?? scope;
    const ownerScope = scope.cls ?? (scope.kind === 'def' ? scope : undefined);
    const sites = ownerScope ? this.sitesOf(ownerScope) : [];
    const site = sites[0];
    if (ownerScope && sites.length === 0 && ownerScope.params.length + (ownerScope.kind === 'class' ? 1 : 0) > 0) {
      notes.push(msg('`{0}` is never called in this file; arguments come from defaults only.', ownerScope.name));
    } else if (ownerScope && sites.length > 1) {
      notes.push(msg('`{0}` is called {1} times; the first call (line {2}) is used.', ownerScope.name, sites.length, this.lineOf(site.call.span.start) + 1));
    }
    if (call.messy) notes.push(msg('{0} is called with *args or **kwargs; those arguments cannot be read.', moduleType ? `nn.${moduleType}` : this.src(call.fn.span)));
    const { config, moduleTime } = this.readConfig(c, moduleType, notes, unresolved);
    if (moduleType) this.cfgCache.set(c, config);

    // Where the model is bound (`self.rnn`), and how its results are named when it is called.
    const targetOf = (ci: CallInfo): string | undefined => {
      const s = ci.info.stmt;
      if (s.k !== 'assign' || s.targets.length === 0) return undefined;
      let v: Expr = s.value;
      // Accept `nn.RNN(...).to(device)` and similar chains around the call.
      while (v !== ci.call && v.k === 'call' && v.fn.k === 'attr') v = v.fn.obj;
      return v === ci.call ? normaliseSelf(dotted(s.targets[0]), ci.info.scope) : undefined;
    };
    const modelTarget = targetOf(c);
    const inContainer = (ci: CallInfo) => (container.kind === 'class' ? ci.info.scope.cls === container || ci.info.scope === container : ci.info.scope === container);
    const calledAs = (ci: CallInfo, t: string) => ci.name === t;
    const outputs = new Set<string>();
    const hiddens = new Set<string>();
    if (modelTarget) {
      for (const ci of this.calls) {
        if (!inContainer(ci) || !calledAs(ci, modelTarget)) continue;
        const s = ci.info.stmt;
        if (s.k !== 'assign' || s.value !== ci.call) continue;
        const t0 = s.targets[0];
        if (t0.k === 'tuple') {
          if (t0.items[0]?.k === 'name') outputs.add(t0.items[0].id);
          const h = t0.items[1];
          if (h?.k === 'name') hiddens.add(h.id);
          else if (h?.k === 'tuple' && h.items[0]?.k === 'name') hiddens.add(h.items[0].id);
        }
      }
    }
    const recurrentInContainer = this.calls.filter((ci) => inContainer(ci) && ci.q && RECURRENT[ci.q]).length;

    // The head: a Linear in the same module, applied to the last time step.
    let head: SnippetHead | undefined;
    const linears = this.calls.filter((ci) => inContainer(ci) && ci.q === 'torch.nn.Linear');
    const batchFirst = config.batchFirst ?? false;
    for (const lin of linears) {
      const t = targetOf(lin);
      if (!t) continue;
      const uses = this.calls.filter((ci) => inContainer(ci) && calledAs(ci, t));
      let found: 'output' | 'h_n' | undefined;
      let mismatch: Msg | undefined;
      for (const u of uses) {
        const a = u.call.args[0];
        if (!a || a.k !== 'sub' || a.obj.k !== 'name') continue;
        const src = outputs.has(a.obj.id) ? 'output' : hiddens.has(a.obj.id) ? 'h_n' : outputs.size === 0 && recurrentInContainer === 1 ? 'output' : undefined;
        const step = lastStepKind(a.index);
        if (!src || !step) continue;
        if (src === 'output' && ((batchFirst && step === 'time-bf') || (!batchFirst && step === 'dim0'))) found = 'output';
        else if (src === 'h_n' && step === 'dim0') {
          found = 'h_n';
          if (config.bidirectional) mismatch = msg('The snippet feeds h_n[-1] to the head; for a bidirectional model that is the reverse direction\'s final state, while the view feeds output at the last time step.');
        } else if (src === 'output' && batchFirst && step === 'dim0') {
          found = 'output';
          mismatch = msg('The snippet takes out[-1] with batch_first=True: that is the last sample of the batch, not the last time step. The view applies the head to the last time step.');
        } else if (src === 'output' && !batchFirst && step === 'time-bf') {
          found = 'output';
          mismatch = msg('The snippet takes out[:, -1, :] with batch_first=False: that is the last sample of the batch, not the last time step. The view applies the head to the last time step.');
        }
        if (found) break;
      }
      if (!found) {
        if (uses.length > 0) notes.push(msg('`{0}` is not applied to the last time step; the view leaves the head out.', t));
        continue;
      }
      if (mismatch) notes.push(mismatch);
      const lnotes: Msg[] = [];
      const lb = this.bindArgs(lin.call, LINEAR_FIELDS, lnotes, 'nn.Linear');
      notes.push(...lnotes);
      const lctx: Ctx = { scope: lin.info.scope, offset: lin.call.span.start, moduleTime, depth: 0, visiting: new Set() };
      const readLin = (field: string, kind: 'int' | 'bool'): number | boolean | undefined => {
        const e = lb.get(field);
        if (!e) return field === 'bias' ? true : undefined;
        const r = this.eval(e, lctx);
        if (!r.ok) {
          unresolved.push({ field: `head.${field}`, text: r.name ?? this.src(e.span), reason: r.reason ?? reasonFor(r), span: e.span });
          return undefined;
        }
        const v = coerce(r.val, kind);
        if (v === undefined) unresolved.push({ field: `head.${field}`, text: this.src(e.span), reason: msg('it is {0}, not {1}', describe(r.val), kindWord(kind)), span: e.span });
        return v as number | boolean | undefined;
      };
      const inF = readLin('in_features', 'int');
      const outF = readLin('out_features', 'int');
      const hb = readLin('bias', 'bool');
      head = { inFeatures: typeof inF === 'number' ? inF : undefined, outFeatures: typeof outF === 'number' ? outF : undefined, bias: hb !== false, span: lin.call.span, target: t };
      const hOut = config.projSize && config.projSize > 0 ? config.projSize : config.hiddenSize;
      const d = config.bidirectional ? 2 : 1;
      if (head.inFeatures !== undefined && hOut !== undefined && head.inFeatures !== d * hOut) {
        notes.push(msg('nn.Linear expects {0} features but the model gives {1}; PyTorch would raise a shape error.', head.inFeatures, d * hOut));
      }
      if (lin.call.span.start < call.span.start && lin.info.scope === scope) {
        notes.push(msg('The Linear head is built before the {0}, so PyTorch draws its weights first; the view draws the {0} first, and seeded weights will differ.', type));
      }
      break;
    }

    // Other layers that draw random numbers while the module is built.
    if (container.kind !== 'module') {
      const others = this.calls.filter((ci) => inContainer(ci) && ci.q?.startsWith('torch.nn.') && !RECURRENT[ci.q] && !(head && ci.call.span === head.span) && /^torch\.nn\.[A-Z]/.test(ci.q) && !PARAMLESS.has(ci.q.slice(9)));
      const drawing = others.filter((ci) => ci.q !== 'torch.nn.Linear' || ci.call.span.start < call.span.start || !head);
      if (drawing.length > 0 && (head || others.some((o) => o.call.span.start < call.span.start))) {
        notes.push(msg('`{0}` also builds {1}, which draws random numbers too: seeded weights in the view will differ from PyTorch\'s.', container.name, this.src(drawing[0].call.fn.span)));
      }
    }

    // The instance, the input and the seed.
    const instanceOf = (ci: CallInfo | undefined) => (ci ? targetOf(ci) : undefined);
    const instance = ownerScope ? instanceOf(site) : modelTarget;
    // Every call of the module, first call first; what the first one receives is the input.
    const calls = this.moduleCalls(c, moduleType);
    const first = calls[0]?.reached ? calls[0] : undefined;
    let input: SnippetInput | undefined;
    let inputCall: CallInfo | undefined;
    let embedding: SnippetEmbedding | undefined;
    if (first) {
      const t = first.tensor?.k === 'tensor' ? first.tensor : undefined;
      embedding = t?.emb;
      if (t?.draw && !t.packed) inputCall = t.draw;
      if (first.mc.input && !first.mc.packed) {
        const kind = inputCall?.q === 'torch.randn' ? 'randn' : 'rand';
        input = inputCall ? { kind, shape: first.mc.input, span: inputCall.call.span } : { kind, shape: first.mc.input, span: first.mc.span, drawn: false };
      }
      if (inputCall) {
        const fname = inputCall.q ?? 'torch.rand';
        for (const k of inputCall.call.kwargs) {
          if (k.name === 'generator') notes.push(msg('{0} uses its own generator; the view draws the input from the seeded global generator.', fname));
          if (k.name === 'dtype') notes.push(msg('{0} with a dtype: the view draws float32 values as PyTorch does by default.', fname));
        }
      }
      if (input?.shape && config.inputSize !== undefined && moduleType && !isCell) {
        const s = input.shape;
        if (s.length !== 2 && s.length !== 3) notes.push(msg('The input has {0} dimensions; nn.{1} takes 2 (unbatched) or 3.', s.length, type));
        else if (s[s.length - 1] !== config.inputSize) notes.push(msg('The input\'s last dimension is {0} but input_size is {1}; PyTorch would raise a RuntimeError.', s[s.length - 1], config.inputSize));
      }
    }

    // The seed: the last torch.manual_seed at module level before the model is built.
    const seeds = this.calls.filter((ci) => ci.q === 'torch.manual_seed');
    const buildAt = moduleTime === Infinity ? call.span.start : moduleTime;
    const before = seeds.filter((s) => s.call.span.start < buildAt);
    let seed: SnippetModel['seed'];
    const seedCall = before[before.length - 1];
    if (seedCall) {
      const a = seedCall.call.args[0] ?? seedCall.call.kwargs.find((k) => k.name === 'seed')?.value;
      const r = a ? this.eval(a, { scope: seedCall.info.scope, offset: seedCall.call.span.start, moduleTime: seedCall.call.span.start, depth: 0, visiting: new Set() }) : undefined;
      if (r?.ok && (r.val.t === 'int' || r.val.t === 'bool') && Number.isSafeInteger(Number(r.val.v))) seed = { value: Number(r.val.v), span: seedCall.call.span };
      else if (r && !r.ok) unresolved.push({ field: 'seed', text: r.name ?? this.src(a!.span), reason: r.reason ?? reasonFor(r), span: a!.span });
    } else if (seeds.length > 0) {
      notes.push(msg('torch.manual_seed comes after the model is built, so PyTorch\'s weights are not seeded; the view uses seed 0.'));
    } else {
      notes.push(msg('The snippet sets no seed, so PyTorch draws different weights on every run; the view uses seed 0.'));
    }

    // Draw order between the seed and the input.
    if (seed && inputCall) {
      const rAt = inputCall.info.scope.kind === 'module' ? inputCall.call.span.start : Infinity;
      if (rAt < buildAt) {
        notes.push(msg('{0} is drawn before the model is built; PyTorch draws the weights after it, so the view\'s numbers will differ.', `torch.${input!.kind}`));
      } else {
        const headCall = head ? this.calls.find((x) => x.call.span === head!.span) : undefined;
        const between = this.calls.filter((ci) => {
          const at = ci.call.span.start;
          if (ci === inputCall || ci.info.scope.kind !== 'module' || at <= seed!.span.start || at >= rAt) return false;
          if (site && ci === site) return false;
          if (!ownerScope && ci === c) return false;
          if (ci === headCall) return false;
          if (ci.q === 'torch.rand' || ci.q === 'torch.randn' || (ci.q && RECURRENT[ci.q])) return true;
          if (ci.q?.startsWith('torch.nn.') && /^torch\.nn\.[A-Z]/.test(ci.q) && !PARAMLESS.has(ci.q.slice(9))) return true;
          return !!ci.target && this.drawingClasses().has(ci.target);
        });
        if (between.length > 0) {
          notes.push(msg('Line {0} draws random numbers between torch.manual_seed and the input; the view\'s numbers will differ from PyTorch\'s.', this.lineOf(between[0].call.span.start) + 1));
        }
      }
    }
    if ((config.dropout ?? 0) > 0 && (config.numLayers ?? 1) > 1 && !/\.eval\s*\(\s*\)/.test(this.text)) {
      notes.push(msg('dropout={0}: a module in training mode (PyTorch\'s default until .eval()) drops values at random between layers; the view runs without dropout, like model.eval().', config.dropout!));
    }

    const complete = unresolved.filter((u) => !u.field.startsWith('torch.') && u.field !== 'seed').length === 0 && config.inputSize !== undefined && config.hiddenSize !== undefined;
    notes.unshift(...unresolved.map((u) => msg('{0}: could not read `{1}` ({2})', u.field, u.text, u.reason)));
    return {
      type,
      moduleType,
      cell: isCell,
      calls: calls.map((x) => x.mc),
      embedding,
      callee: this.src(call.fn.span),
      span: call.span,
      line: this.lineOf(call.span.start),
      config,
      unresolved,
      head,
      seed,
      input,
      notes: dedupe(notes),
      complete: complete && !isCell && moduleType !== null,
      owner: ownerScope?.name,
      instance,
    };
  }
}

// ---------------------------------------------------------------------------------------------
// Helpers

function newScope(kind: Scope['kind'], name: string, parent: Scope | undefined, headerIndent: number, headerOffset: number): Scope {
  return { kind, name, parent, headerIndent, headerOffset, params: [], bindings: new Map(), attrs: new Map() };
}

function addBinding(map: Map<string, Binding[]>, name: string, b: Binding): void {
  const list = map.get(name);
  if (list) {
    if (list.length < 1000) list.push(b);
  } else map.set(name, [b]);
}

/** The binding a name refers to for callee resolution (no evaluation): nearest scope, latest before `at`. */
function lookupBindingLoose(scope: Scope, id: string, at: number): Binding | undefined {
  let s: Scope | undefined = scope;
  while (s) {
    if (s.kind === 'class' && s !== scope) {
      s = s.parent;
      continue;
    }
    const list = s.bindings.get(id);
    if (list && list.length > 0) {
      for (let i = list.length - 1; i >= 0; i--) if (list[i].offset < at) return list[i];
      return list[0];
    }
    if (s.kind === 'def' && s.params.some((p) => p.name === id)) return undefined;
    s = s.parent;
  }
  return undefined;
}

/** `self.rnn` with the method's own self-name spelled `self`. */
function normaliseSelf(d: string | undefined, scope: Scope): string | undefined {
  if (!d || !scope.selfName) return d;
  return d === scope.selfName || d.startsWith(scope.selfName + '.') ? 'self' + d.slice(scope.selfName.length) : d;
}

function chainHas(outer: Expr, inner: Expr): boolean {
  let v: Expr = outer;
  for (let g = 0; g < 32; g++) {
    if (v === inner) return true;
    if (v.k === 'call' && v.fn.k === 'attr') v = v.fn.obj;
    else return false;
  }
  return false;
}

/** `[-1]` / `[-1, :, :]` -> 'dim0'; `[:, -1]` / `[:, -1, :]` -> 'time-bf'. */
function lastStepKind(index: Expr): 'dim0' | 'time-bf' | undefined {
  const isMinusOne = (e?: Expr) => !!e && e.k === 'unary' && e.op === '-' && e.arg.k === 'num' && e.arg.text === '1';
  const isAll = (e?: Expr) => !!e && ((e.k === 'slice' && !e.lo && !e.hi && !e.step) || (e.k === 'other' && e.what === 'ellipsis'));
  if (isMinusOne(index)) return 'dim0';
  if (index.k !== 'tuple') return undefined;
  const [a, b, ...rest] = index.items;
  if (isMinusOne(a) && [b, ...rest].every((x) => !x || isAll(x))) return 'dim0';
  if (isAll(a) && isMinusOne(b) && rest.every(isAll)) return 'time-bf';
  return undefined;
}

function parseNumber(text: string): Ev {
  const t = text.replace(/_/g, '');
  if (/[jJ]$/.test(t)) return { ok: false, code: 'expr' };
  let v: number;
  let isInt = true;
  if (/^0[xX]/.test(t)) v = parseInt(t.slice(2), 16);
  else if (/^0[oO]/.test(t)) v = parseInt(t.slice(2), 8);
  else if (/^0[bB]/.test(t)) v = parseInt(t.slice(2), 2);
  else if (/[.eE]/.test(t)) {
    v = Number(t);
    isInt = false;
  } else v = Number(t);
  if (!Number.isFinite(v)) return { ok: false, code: 'expr' };
  if (isInt && !Number.isSafeInteger(v)) return { ok: false, code: 'big' };
  return { ok: true, val: isInt ? { t: 'int', v } : { t: 'float', v } };
}

function asNumber(v: Val): { n: number; int: boolean } | undefined {
  if (v.t === 'int') return { n: v.v, int: true };
  if (v.t === 'bool') return { n: v.v ? 1 : 0, int: true };
  if (v.t === 'float') return { n: v.v, int: false };
  return undefined;
}

function unary(op: string, v: Val): Ev {
  if (op === 'not') return { ok: true, val: { t: 'bool', v: !truthy(v) } };
  const a = asNumber(v);
  if (!a) return { ok: false, code: 'expr' };
  const n = op === '-' ? -a.n : op === '~' ? (a.int ? -a.n - 1 : NaN) : a.n;
  if (Number.isNaN(n)) return { ok: false, code: 'expr' };
  return { ok: true, val: a.int ? { t: 'int', v: n } : { t: 'float', v: n } };
}

function binary(op: string, l: Val, r: Val): Ev {
  const cmp = compare(op, l, r);
  if (cmp !== undefined) return { ok: true, val: { t: 'bool', v: cmp } };
  if (op === '+' && l.t === 'tuple' && r.t === 'tuple') return { ok: true, val: { t: 'tuple', items: [...l.items, ...r.items], unordered: l.unordered || r.unordered || undefined } };
  if (op === '*' && l.t === 'tuple' && r.t === 'int' && r.v >= 0 && r.v * l.items.length <= 64) {
    return { ok: true, val: { t: 'tuple', items: Array.from({ length: r.v }, () => l.items).flat(), unordered: l.unordered } };
  }
  if (op === '+' && l.t === 'str' && r.t === 'str') return { ok: true, val: { t: 'str', v: l.v + r.v } };
  const a = asNumber(l);
  const b = asNumber(r);
  if (!a || !b) return { ok: false, code: 'expr' };
  const int = a.int && b.int;
  let v: number;
  switch (op) {
    case '+': v = a.n + b.n; break;
    case '-': v = a.n - b.n; break;
    case '*': v = a.n * b.n; break;
    case '/':
      if (b.n === 0) return { ok: false, code: 'divzero' };
      return { ok: true, val: { t: 'float', v: a.n / b.n } };
    case '//':
      if (b.n === 0) return { ok: false, code: 'divzero' };
      v = Math.floor(a.n / b.n); // PyTorch/Python: floor division rounds toward minus infinity
      break;
    case '%':
      if (b.n === 0) return { ok: false, code: 'divzero' };
      v = a.n - b.n * Math.floor(a.n / b.n);
      break;
    case '**':
      if (int && b.n < 0) return { ok: true, val: { t: 'float', v: a.n ** b.n } };
      v = a.n ** b.n;
      break;
    default:
      return { ok: false, code: 'expr' };
  }
  if (!Number.isFinite(v)) return { ok: false, code: 'big' };
  if (int && !Number.isSafeInteger(v)) return { ok: false, code: 'big' };
  return { ok: true, val: int ? { t: 'int', v } : { t: 'float', v } };
}

/** Python's ==, !=, <, <=, >, >= on numbers and strings, `in` on a string or list of them; undefined otherwise. */
function compare(op: string, l: Val, r: Val): boolean | undefined {
  const scalar = (v: Val) => (v.t === 'int' || v.t === 'float' ? v.v : v.t === 'bool' ? Number(v.v) : v.t === 'str' ? v.v : v.t === 'none' ? null : undefined);
  if (op === 'in') {
    const x = scalar(l);
    if (x === undefined) return undefined;
    if (r.t === 'str' && l.t === 'str') return r.v.includes(l.v);
    if (r.t === 'tuple') {
      const ys = r.items.map(scalar);
      if (ys.some((y) => y === undefined)) return undefined;
      return ys.some((y) => y === x && (typeof y === typeof x));
    }
    return undefined;
  }
  if (!['==', '!=', '<', '<=', '>', '>='].includes(op)) return undefined;
  const a = scalar(l);
  const b = scalar(r);
  if (a === undefined || b === undefined) return undefined;
  if (op === '==' || op === '!=') {
    const eq = a === b && (a === null || typeof a === typeof b);
    return op === '==' ? eq : !eq;
  }
  if (a === null || b === null || typeof a !== typeof b) return undefined;
  return op === '<' ? a < b : op === '<=' ? a <= b : op === '>' ? a > b : a >= b;
}

/** Python's truth value of a value the reader holds. */
function truthy(v: Val): boolean {
  switch (v.t) {
    case 'int':
    case 'float':
      return v.v !== 0;
    case 'bool':
      return v.v;
    case 'str':
      return v.v.length > 0;
    case 'none':
      return false;
    case 'tuple':
      return v.items.length > 0;
    case 'dict':
      return v.e.parts.length > 0;
    case 'object':
      return true;
  }
}

function coerce(v: Val, kind: 'int' | 'bool' | 'float' | 'str'): number | boolean | string | undefined {
  switch (kind) {
    case 'int':
      return v.t === 'int' ? v.v : v.t === 'bool' ? Number(v.v) : undefined;
    case 'float':
      return v.t === 'int' || v.t === 'float' ? v.v : undefined;
    case 'bool':
      // PyTorch stores the value and tests its truth: 0/1 behave as False/True.
      return v.t === 'bool' ? v.v : v.t === 'int' ? v.v !== 0 : undefined;
    case 'str':
      return v.t === 'str' ? v.v : undefined;
  }
}

function describe(v: Val): string {
  switch (v.t) {
    case 'int':
    case 'float':
      return String(v.v) + (v.t === 'float' && Number.isInteger(v.v) ? '.0' : '');
    case 'bool':
      return v.v ? 'True' : 'False';
    case 'str':
      return JSON.stringify(v.v);
    case 'none':
      return 'None';
    case 'tuple':
      return `(${v.items.map(describe).join(', ')}${v.items.length === 1 ? ',' : ''})`;
    case 'dict':
      return '{...}';
    case 'object':
      return `${v.cls.name}(...)`;
  }
}

function kindWord(kind: 'int' | 'bool' | 'float' | 'str'): Msg {
  return kind === 'int' ? msg('an int') : kind === 'bool' ? msg('a bool') : kind === 'float' ? msg('a number') : msg('a string');
}

/** Why a name could not be read, when the failure is about the name itself. */
function reasonFor(r: Extract<Ev, { ok: false }>): Msg {
  switch (r.code) {
    case 'unbound': return msg('it is never assigned in this file');
    case 'cond': return msg('it is assigned in a branch that may not run');
    case 'import': return msg('it is imported from `{0}`', r.arg ?? '?');
    case 'loop': return msg('it is a loop variable');
    case 'starred': return msg('it is a starred assignment target');
    case 'param-nocall': return msg('it is a parameter of `{0}`, which is never called in this file', r.arg ?? '?');
    case 'param-star': return msg('it comes through *args or **kwargs of `{0}`', r.arg ?? '?');
    case 'param-multi': return msg('`{0}` is called in several places with different values for it', r.arg ?? '?');
    case 'param-missing': return msg('`{0}` is called without it and it has no default', r.arg ?? '?');
    case 'method-param': return msg('it is a parameter of the method `{0}`, whose calls are not followed', r.arg ?? '?');
    case 'cycle': return msg('it refers to itself');
    case 'deep': return msg('it goes through too many steps to follow');
    case 'attr': return msg('it is an attribute that is never assigned in this file');
    case 'divzero': return msg('it divides by zero');
    case 'big': return msg('the number is too large');
    case 'call': return msg('it is a function call');
    default: return msg('it is not a constant');
  }
}

/** The reason for a name whose own assignment could not be evaluated. */
function assignedReason(code: FailCode): Msg {
  switch (code) {
    case 'call': return msg('it is assigned from a function call');
    case 'divzero': return msg('it divides by zero');
    case 'big': return msg('the number is too large');
    case 'deep': return msg('it goes through too many steps to follow');
    case 'attr': return msg('it is assigned from an attribute that is never assigned in this file');
    default: return msg('it is assigned from an expression that is not a constant');
  }
}

function dedupe(notes: Msg[]): Msg[] {
  const seen = new Set<string>();
  return notes.filter((n) => {
    const k = JSON.stringify(n);
    if (seen.has(k)) return false;
    seen.add(k);
    return true;
  });
}

const COMPOUND_BLOCK = new Set(['if', 'elif', 'else', 'while', 'for', 'with', 'try', 'except', 'finally', 'match', 'case']);

/** Whether a compound statement's body may not run: if/elif/else/while/except/case (not `if __name__ == "__main__"`). */
function isConditionalBlock(stmt: Stmt): boolean {
  if (stmt.k === 'for') return false;
  if (stmt.k !== 'expr') return false;
  const kw = stmt.keyword;
  if (kw === 'with' || kw === 'try' || kw === 'finally') return false;
  if (kw === 'if' && stmt.exprs.length === 1) {
    const e = stmt.exprs[0];
    if (e.k === 'const' && e.value === true) return false;
    if (e.k === 'bin' && e.op === '==') {
      const isName = (x: Expr) => x.k === 'name' && x.id === '__name__';
      const isMain = (x: Expr) => x.k === 'str' && x.value === '__main__';
      if ((isName(e.left) && isMain(e.right)) || (isMain(e.left) && isName(e.right))) return false;
    }
  }
  return true;
}

/** True when the binding's statement is in a block that may not have run where `useBlocks` stand. */
function conditionalFor(b: Binding, useBlocks: readonly Block[]): boolean {
  return b.blocks.some((blk) => blk.cond && !useBlocks.includes(blk));
}
