/*
 * What the lint rules share: the file's statements with their enclosing blocks (def, class,
 * loops, with), imports resolved to torch's canonical names, the recurrent modules and cells the
 * file builds (config from the snippet reader, only the fields the file really determines),
 * the names their instances are bound to, the calls of those instances with what their results
 * are bound to, and a small, conservative shape reader (unknown is undefined, never a guess).
 * Layer: python (pure). Imports the reader's tokenizer, parser, statements and readSnippet.
 */
import { tokenize } from '../tokenizer';
import { children, dotted, walk, type Expr, type Span } from '../expr';
import { lineStatements, type Stmt } from '../statements';
import { readSnippet, type ModuleCall as ReaderCall, type SnippetModel } from '../snippet';
import type { Msg } from '../messages';

/** An edit of the text: replace [start, end) with newText. */
export interface TextEdit {
  start: number;
  end: number;
  newText: string;
}

/** A quick fix offered with a finding. */
export interface LintFix {
  title: Msg;
  edits: TextEdit[];
}

/** One finding of one rule, offsets into the linted text. */
export interface LintFinding {
  code: LintCode;
  start: number;
  end: number;
  message: Msg;
  fixes?: LintFix[];
}

export const LINT_CODES = [
  'input-size-mismatch',
  'hidden-shape-mismatch',
  'bidirectional-last-step',
  'last-step-wrong-axis',
  'h-n-view-mixes-batch',
  'dropout-single-layer',
  'rnn-output-tuple',
  'packed-last-step',
  'hidden-not-detached',
  'cell-fed-sequence',
] as const;
export type LintCode = (typeof LINT_CODES)[number];

/** A rule: one mistake, one file under src/python/rules. */
export interface LintRule {
  code: LintCode;
  check(ctx: LintContext): LintFinding[];
}

export type Block = { kind: 'def' | 'class' | 'loop' | 'with' | 'other'; indent: number; header: number; end: number; stmt: Stmt };

export interface StmtNode {
  idx: number;
  stmt: Stmt;
  /** Enclosing blocks, outermost first. */
  blocks: Block[];
  /** Innermost enclosing def (undefined at module level). */
  fn?: Block;
  /** Class of the innermost def, when it is a method. */
  cls?: Block;
}

export type RecurrentType = 'RNN' | 'LSTM' | 'GRU' | 'RNNCell' | 'LSTMCell' | 'GRUCell';

/** What the file determines about a module (undefined: not determined). */
export interface KnownConfig {
  inputSize?: number;
  hiddenSize?: number;
  numLayers?: number;
  batchFirst?: boolean;
  bidirectional?: boolean;
  dropout?: number;
  projSize?: number;
}

export interface ModuleInfo {
  type: RecurrentType;
  call: Extract<Expr, { k: 'call' }>;
  node: StmtNode;
  known: KnownConfig;
  /** Dotted names the instance is bound to (`self.rnn`, `rnn`), when bound exactly once. */
  name?: string;
  /** The class whose method binds `self.x`. */
  cls?: Block;
  /** The argument expressions as PyTorch binds them, by field name. */
  args: Map<string, Expr>;
  /** The reader's model, for RNN/LSTM/GRU. */
  model?: SnippetModel;
  /** When the constructor is an argument of nn.Sequential: that call and the position. */
  sequential?: { call: Extract<Expr, { k: 'call' }>; index: number };
}

/** A call of a module instance, and what its result is bound to. */
export interface ModuleCall {
  module: ModuleInfo;
  call: Extract<Expr, { k: 'call' }>;
  node: StmtNode;
  /** `out, h = rnn(x)`: the names; `out, (h, c) = lstm(x)`: h and c. */
  output?: string;
  hN?: string;
  cN?: string;
  /** `x = rnn(x)`: the tuple bound to one name. */
  tupleName?: string;
}

const FIELDS: Record<RecurrentType, string[]> = {
  RNN: ['input_size', 'hidden_size', 'num_layers', 'nonlinearity', 'bias', 'batch_first', 'dropout', 'bidirectional'],
  LSTM: ['input_size', 'hidden_size', 'num_layers', 'bias', 'batch_first', 'dropout', 'bidirectional', 'proj_size'],
  GRU: ['input_size', 'hidden_size', 'num_layers', 'bias', 'batch_first', 'dropout', 'bidirectional', 'proj_size'],
  RNNCell: ['input_size', 'hidden_size', 'bias', 'nonlinearity'],
  LSTMCell: ['input_size', 'hidden_size', 'bias'],
  GRUCell: ['input_size', 'hidden_size', 'bias'],
};

/** Names a star import (`from utils import *`) is taken to bring when the file never binds them. */
const STAR_DEFAULTS: Record<string, string> = { nn: 'torch.nn', torch: 'torch' };

const RECURRENT_NAMES: Record<string, RecurrentType> = {
  'torch.nn.RNN': 'RNN', 'torch.nn.LSTM': 'LSTM', 'torch.nn.GRU': 'GRU',
  'torch.nn.RNNCell': 'RNNCell', 'torch.nn.LSTMCell': 'LSTMCell', 'torch.nn.GRUCell': 'GRUCell',
};

export type Call = Extract<Expr, { k: 'call' }>;

/** Every expression a statement holds (targets included), in reading order. */
export function stmtExprs(s: Stmt): Expr[] {
  switch (s.k) {
    case 'assign':
      return [s.value, ...s.targets];
    case 'for':
      return [s.iter, s.target].filter((e): e is Expr => !!e);
    case 'expr':
      return s.exprs;
    case 'class':
      return s.bases;
    case 'def':
      return s.params.map((p) => p.default).filter((e): e is Expr => !!e);
    default:
      return [];
  }
}

/** Names bound by an assignment target (tuples destructured). */
export function targetNames(e: Expr): string[] {
  const out: string[] = [];
  walk(e, (x) => {
    if (x.k === 'name') out.push(x.id);
  });
  return out;
}

/** `-1` as written. */
export function isMinusOne(e: Expr | undefined): boolean {
  return !!e && e.k === 'unary' && e.op === '-' && e.arg.k === 'num' && e.arg.text === '1';
}

/** A bare `:` slice. */
export function isFullSlice(e: Expr | undefined): boolean {
  return !!e && e.k === 'slice' && !e.lo && !e.hi && !e.step;
}

/** The integer a literal expression spells (`3`, `-1`), else undefined. */
export function intLiteral(e: Expr | undefined): number | undefined {
  if (!e) return undefined;
  if (e.k === 'num' && /^\d+$/.test(e.text)) return Number(e.text);
  if (e.k === 'unary' && e.op === '-' && e.arg.k === 'num' && /^\d+$/.test(e.arg.text)) return -Number(e.arg.text);
  return undefined;
}

export class LintContext {
  readonly nodes: StmtNode[] = [];
  readonly imports = new Map<string, string>();
  readonly modules: ModuleInfo[] = [];
  readonly calls: ModuleCall[] = [];
  private readonly lineStarts: number[] = [0];
  /** The reader's calls of its models, by the call's span (`start:end`): shapes it tracked. */
  private readonly readerCalls = new Map<string, ReaderCall>();
  private starImport = false;
  private bound?: Set<string>;

  constructor(readonly text: string) {
    for (let i = 0; i < text.length; i++) if (text.charCodeAt(i) === 10) this.lineStarts.push(i + 1);
    this.buildNodes();
    this.buildModules();
    this.buildCalls();
  }

  /** 0-based line and column of an offset. */
  position(offset: number): { line: number; col: number } {
    let lo = 0;
    let hi = this.lineStarts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (this.lineStarts[mid] <= offset) lo = mid;
      else hi = mid - 1;
    }
    return { line: lo, col: offset - this.lineStarts[lo] };
  }

  src(s: Span): string {
    return this.text.slice(s.start, s.end);
  }

  // ------------------------------------------------------------------ statements and blocks

  private buildNodes(): void {
    const stack: Block[] = [];
    let idx = 0;
    for (const line of tokenize(this.text)) {
      for (const stmt of lineStatements(line)) {
        while (stack.length > 0 && stmt.indent <= stack[stack.length - 1].indent) stack.pop()!.end = idx;
        const blocks = [...stack];
        let fn: Block | undefined;
        let cls: Block | undefined;
        for (let i = blocks.length - 1; i >= 0; i--) {
          if (blocks[i].kind === 'def') {
            fn = blocks[i];
            if (i > 0 && blocks[i - 1].kind === 'class') cls = blocks[i - 1];
            break;
          }
        }
        this.nodes.push({ idx, stmt, blocks, fn, cls });
        if (stmt.k === 'import') {
          for (const it of stmt.items) this.imports.set(it.local, it.target);
          if (stmt.starFrom) this.starImport = true;
        }
        const kind = stmt.k === 'def' ? 'def' : stmt.k === 'class' ? 'class' : stmt.k === 'for' || (stmt.k === 'expr' && stmt.keyword === 'while') ? 'loop' : stmt.k === 'expr' && stmt.keyword === 'with' ? 'with' : stmt.k === 'expr' && stmt.keyword && ['if', 'elif', 'else', 'try', 'except', 'finally', 'match', 'case', 'async'].includes(stmt.keyword) ? 'other' : undefined;
        if (kind) stack.push({ kind, indent: stmt.indent, header: idx, end: Infinity, stmt });
        idx++;
      }
    }
    for (const b of stack) b.end = idx;
  }

  /** Statements of a block's body. */
  body(b: Block): StmtNode[] {
    return this.nodes.slice(b.header + 1, Math.min(b.end, this.nodes.length));
  }

  /** Canonical torch name of a callee (`nn.LSTM` -> `torch.nn.LSTM`), or undefined. */
  canonical(e: Expr): string | undefined {
    const d = dotted(e);
    if (!d) return undefined;
    const parts = d.split('.');
    let target = this.imports.get(parts[0]);
    // `from utils import *` that brings torch in: `nn` and `torch` unbound in the file are torch's.
    if (!target && this.starImport && !this.boundNames().has(parts[0])) target = STAR_DEFAULTS[parts[0]];
    if (!target) return undefined;
    let q = [target, ...parts.slice(1)].join('.');
    q = q.replace(/^torch\.nn\.modules(\.rnn|\.linear|\.container|\.dropout|\.activation)?\./, 'torch.nn.');
    q = q.replace(/^torch\.nn\.utils\.rnn\./, 'torch.nn.utils.rnn.');
    return q;
  }

  /** Every plain name the file binds anywhere. */
  private boundNames(): Set<string> {
    if (!this.bound) {
      this.bound = new Set();
      for (const n of this.nodes) {
        const s = n.stmt;
        if (s.k === 'assign') for (const t of s.targets) for (const x of targetNames(t)) this.bound.add(x);
        if (s.k === 'def' || s.k === 'class') this.bound.add(s.name);
        if (s.k === 'def') for (const p of s.params) this.bound.add(p.name);
      }
    }
    return this.bound;
  }

  /** Same function (or both module level). */
  sameScope(a: StmtNode, b: StmtNode): boolean {
    return a.fn === b.fn;
  }

  // ------------------------------------------------------------------ modules

  private buildModules(): void {
    // The reader is the costly part: only when the text can build a recurrent module at all.
    const snippet = /(RNN|LSTM|GRU)/.test(this.text) ? readSnippet(this.text) : { models: [] as SnippetModel[] };
    for (const m of snippet.models) for (const c of m.calls) if (c.reached) this.readerCalls.set(`${c.span.start}:${c.span.end}`, c);
    for (const node of this.nodes) {
      for (const root of stmtExprs(node.stmt)) {
        walk(root, (e) => {
          if (e.k !== 'call') return;
          const q = this.canonical(e.fn);
          const model = snippet.models.find((m) => m.span.start === e.span.start && m.span.end === e.span.end);
          // A class the reader determines though it is not written as a torch name: `getattr(nn, 'LSTM')(...)`.
          const type = (q ? RECURRENT_NAMES[q] : undefined) ?? (model?.moduleType ?? undefined);
          if (!type) return;
          this.modules.push(this.moduleInfo(type, e, node, model));
        });
      }
    }
    // nn.Sequential(..., nn.LSTM(...), ...)
    for (const node of this.nodes) {
      for (const root of stmtExprs(node.stmt)) {
        walk(root, (e) => {
          if (e.k !== 'call' || this.canonical(e.fn) !== 'torch.nn.Sequential') return;
          e.args.forEach((a, index) => {
            const m = this.modules.find((x) => x.call === a);
            if (m) m.sequential = { call: e, index };
          });
        });
      }
    }
  }

  private moduleInfo(type: RecurrentType, call: Call, node: StmtNode, model?: SnippetModel): ModuleInfo {
    const args = new Map<string, Expr>();
    const fields = FIELDS[type];
    call.args.forEach((a, i) => {
      if (i < fields.length && !(a.k === 'other' && a.what === 'starred')) args.set(fields[i], a);
    });
    for (const k of call.kwargs) args.set(k.name, k.value);
    const info: ModuleInfo = { type, call, node, known: {}, args, model };
    // The instance's name: `self.rnn = nn.LSTM(...)` or `rnn = nn.LSTM(...)`.
    const s = node.stmt;
    if (s.k === 'assign' && s.value === call && s.targets.length === 1 && !s.aug) {
      const t = s.targets[0];
      const name = dotted(t);
      if (name && (t.k === 'name' || (t.k === 'attr' && t.obj.k === 'name' && t.obj.id === 'self' && node.cls))) {
        info.name = name;
        if (t.k === 'attr') info.cls = node.cls;
      }
    }
    if (model && !call.messy) {
      const c = model.config;
      const unresolved = new Set(model.unresolved.map((u) => u.field));
      const ok = (field: string) => !unresolved.has(field) && this.determined(info, field);
      if (c.inputSize !== undefined && ok('input_size')) info.known.inputSize = c.inputSize;
      if (c.hiddenSize !== undefined && ok('hidden_size')) info.known.hiddenSize = c.hiddenSize;
      if (c.numLayers !== undefined && ok('num_layers')) info.known.numLayers = c.numLayers;
      if (c.batchFirst !== undefined && ok('batch_first')) info.known.batchFirst = c.batchFirst;
      if (c.bidirectional !== undefined && ok('bidirectional')) info.known.bidirectional = c.bidirectional;
      if (c.dropout !== undefined && ok('dropout')) info.known.dropout = c.dropout;
      if (c.projSize !== undefined && ok('proj_size')) info.known.projSize = c.projSize;
    } else if (!model && !call.messy) {
      const is = intLiteral(args.get('input_size'));
      const hs = intLiteral(args.get('hidden_size'));
      if (is !== undefined) info.known.inputSize = is;
      if (hs !== undefined) info.known.hiddenSize = hs;
    }
    return info;
  }

  /**
   * Whether a field's value is fixed by the file: a literal or PyTorch's default always is; a
   * value that comes through the parameters of the function or class that builds the module
   * only when that builder is called exactly once in the file (otherwise another call, or an
   * importer, may pass something else).
   */
  private determined(info: ModuleInfo, field: string): boolean {
    const e = info.args.get(field);
    if (!e) return true;
    if (e.k === 'num' || e.k === 'const' || e.k === 'str' || (e.k === 'unary' && e.arg.k === 'num')) return true;
    const builder = info.node.fn;
    if (!builder) return true;
    const owner = builder.stmt.k === 'def' && builder.stmt.name === '__init__' && info.node.cls ? info.node.cls : builder;
    const name = owner.stmt.k === 'def' || owner.stmt.k === 'class' ? owner.stmt.name : '';
    if (!name) return false;
    const sites = this.callSiteCounts().get(name) ?? 0;
    return sites === 1;
  }

  private siteCounts?: Map<string, number>;

  /** How many calls name each callee (`f(...)` or `x.f(...)` count for f), computed once. */
  private callSiteCounts(): Map<string, number> {
    if (!this.siteCounts) {
      const counts = new Map<string, number>();
      for (const node of this.nodes) {
        for (const root of stmtExprs(node.stmt)) {
          walk(root, (x) => {
            if (x.k !== 'call') return;
            const n = x.fn.k === 'name' ? x.fn.id : x.fn.k === 'attr' ? x.fn.attr : undefined;
            if (n) counts.set(n, (counts.get(n) ?? 0) + 1);
          });
        }
      }
      this.siteCounts = counts;
    }
    return this.siteCounts;
  }

  private assignIndex?: Map<string, StmtNode[]>;

  /** Every statement assigning each dotted name (targets destructured), computed once. */
  private assignments(name: string): StmtNode[] {
    if (!this.assignIndex) {
      const index = new Map<string, StmtNode[]>();
      for (const n of this.nodes) {
        const s = n.stmt;
        const targets = s.k === 'assign' ? s.targets : s.k === 'for' && s.target ? [s.target] : [];
        const names = new Set<string>();
        for (const t of targets) {
          walk(t, (x) => {
            if (x.k === 'name' || x.k === 'attr') {
              const d = dotted(x);
              if (d) names.add(d);
            }
          });
        }
        for (const d of names) {
          const list = index.get(d) ?? [];
          list.push(n);
          index.set(d, list);
        }
      }
      this.assignIndex = index;
    }
    return this.assignIndex.get(name) ?? [];
  }

  // ------------------------------------------------------------------ calls of instances

  /** The module a callee names at a statement (`self.rnn` inside a method of its class). */
  moduleNamed(fn: Expr, node: StmtNode): ModuleInfo | undefined {
    const name = dotted(fn);
    if (!name) return undefined;
    const candidates = this.modules.filter((m) => m.name === name);
    if (candidates.length !== 1) return undefined;
    const m = candidates[0];
    // The name must be bound once (not rebound to something else).
    if (this.assignmentsTo(name, m.cls ? undefined : m.node).length !== 1) return undefined;
    if (m.cls) return node.cls === m.cls ? m : undefined;
    if (!m.node.fn) return node.idx > m.node.idx && (!node.fn || !this.assignsLocally(node.fn, name)) ? m : undefined;
    return node.fn === m.node.fn && node.idx > m.node.idx ? m : undefined;
  }

  /** Assignments to a dotted name (in the same function as `near`, or anywhere for `self.x`). */
  assignmentsTo(name: string, near?: StmtNode): StmtNode[] {
    return this.assignments(name).filter((n) => !near || n.fn === near.fn);
  }

  private assignsLocally(fn: Block, name: string): boolean {
    return this.body(fn).some((n) => n.fn === fn && this.assignmentsTo(name).includes(n));
  }

  private buildCalls(): void {
    for (const node of this.nodes) {
      for (const root of stmtExprs(node.stmt)) {
        walk(root, (e) => {
          if (e.k !== 'call') return;
          const module = this.moduleNamed(e.fn, node);
          if (!module) return;
          const mc: ModuleCall = { module, call: e, node };
          const s = node.stmt;
          if (s.k === 'assign' && s.targets.length === 1 && !s.aug) {
            const t = s.targets[0];
            if (s.value === e) {
              if (t.k === 'tuple' && t.items.length === 2) {
                if (t.items[0].k === 'name') mc.output = t.items[0].id;
                const h = t.items[1];
                if (h.k === 'name') mc.hN = h.id;
                else if (h.k === 'tuple' && h.items.length === 2 && module.type === 'LSTM') {
                  if (h.items[0].k === 'name') mc.hN = h.items[0].id;
                  if (h.items[1].k === 'name') mc.cN = h.items[1].id;
                }
              } else if (t.k === 'name') {
                if (module.type === 'RNN' || module.type === 'LSTM' || module.type === 'GRU') mc.tupleName = t.id;
              }
            } else if (s.value.k === 'sub' && s.value.obj === e && t.k === 'name') {
              const i = intLiteral(s.value.index);
              if (i === 0) mc.output = t.id;
              if (i === 1 || i === -1) mc.hN = module.type === 'LSTM' ? undefined : t.id;
            }
          }
          this.calls.push(mc);
        });
      }
    }
  }

  /** The reader's view of a module call (same span), when the text shows the call is made. */
  readerCall(call: Call): ReaderCall | undefined {
    return this.readerCalls.get(`${call.span.start}:${call.span.end}`);
  }

  /** The reader's parse of `arg` (same span) among its call's positional arguments. */
  private readerArg(rc: ReaderCall, arg: Expr): Expr | undefined {
    return rc.call.args.find((a) => a.span.start === arg.span.start && a.span.end === arg.span.end);
  }

  // ------------------------------------------------------------------ names and uses

  /** The statement that last bound `name` before `node` in the same scope (textually), if it is the only candidate. */
  bindingBefore(name: string, node: StmtNode): StmtNode | undefined {
    for (let i = node.idx - 1; i >= 0; i--) {
      const n = this.nodes[i];
      if (n.fn !== node.fn) {
        if (node.fn && n.idx <= node.fn.header) break;
        continue;
      }
      if (this.binds(n, name)) return n;
    }
    if (node.fn && node.fn.stmt.k === 'def' && node.fn.stmt.params.some((p) => p.name === name)) return this.nodes[node.fn.header];
    return undefined;
  }

  /** Whether a statement binds a plain name (assignment target, for target, def, import, with-as). */
  binds(n: StmtNode, name: string): boolean {
    const s = n.stmt;
    if (s.k === 'assign') return s.targets.some((t) => t.k !== 'sub' && t.k !== 'attr' && targetNames(t).includes(name));
    if (s.k === 'for') return !!s.target && targetNames(s.target).includes(name);
    if (s.k === 'def' || s.k === 'class') return s.name === name;
    if (s.k === 'import') return s.items.some((it) => it.local === name);
    if (s.k === 'expr' && s.keyword === 'with') return new RegExp(`\\bas\\s+\\(?[^:]*\\b${name}\\b`).test(this.src(s.span));
    return false;
  }

  /**
   * Uses of `name` after statement `from` in the same scope, up to (and including) the next
   * statement that rebinds it. Each use is the smallest expression around the name that says
   * how it is used: `name[...]`, `name.attr(...)`, a call argument, or the bare name.
   */
  usesAfter(name: string, from: StmtNode): { node: StmtNode; expr: Expr; parent?: Expr }[] {
    const out: { node: StmtNode; expr: Expr; parent?: Expr }[] = [];
    for (let i = from.idx + 1; i < this.nodes.length; i++) {
      const n = this.nodes[i];
      if (from.fn && i >= from.fn.end) break;
      if (n.fn !== from.fn) continue;
      const s = n.stmt;
      const reads = s.k === 'assign' ? [s.value, ...s.targets.filter((t) => t.k === 'sub' || t.k === 'attr')] : s.k === 'for' ? (s.iter ? [s.iter] : []) : stmtExprs(s);
      for (const root of reads) {
        const parents = new Map<Expr, Expr>();
        walk(root, (e) => {
          for (const c of children(e)) parents.set(c, e);
        });
        walk(root, (e) => {
          if (e.k === 'name' && e.id === name) {
            const p = parents.get(e);
            if (p && p.k === 'attr' && p.obj !== e) return;
            out.push({ node: n, expr: e, parent: p });
          }
        });
      }
      if (this.binds(n, name)) break;
    }
    return out;
  }

  // ------------------------------------------------------------------ shapes

  /**
   * The shape of a tensor expression at a statement, when the file fixes every dimension:
   * torch.rand/randn/zeros/ones/empty/full with literal sizes (or names bound to int
   * literals), names bound to such tensors, `.float()`/`.to()`-like calls, unsqueeze,
   * transpose, permute, view/reshape, and indexing with integers and `:`.
   */
  shapeOf(e: Expr, node: StmtNode, depth = 0): number[] | undefined {
    if (depth > 20) return undefined;
    if (e.k === 'name') {
      const b = this.bindingBefore(e.id, node);
      if (!b || b.stmt.k !== 'assign' || b.stmt.aug || b.stmt.targets.length !== 1) return undefined;
      const t = b.stmt.targets[0];
      if (t.k !== 'name' || t.id !== e.id) return undefined;
      // Bound inside a loop or branch the statement is not in: not known to be in effect.
      if (b.blocks.some((blk) => blk.kind !== 'def' && blk.kind !== 'class' && !node.blocks.includes(blk))) return undefined;
      return this.shapeOf(b.stmt.value, b, depth + 1);
    }
    if (e.k === 'sub') {
      const base = this.shapeOf(e.obj, node, depth + 1);
      if (!base) return undefined;
      const items = e.index.k === 'tuple' ? e.index.items : [e.index];
      if (items.length > base.length) return undefined;
      const out: number[] = [];
      for (let i = 0; i < items.length; i++) {
        const it = items[i];
        if (isFullSlice(it)) out.push(base[i]);
        else if (it.k === 'slice' || it.k === 'const' || (it.k === 'other' && it.what === '...') || it.k === 'tuple') return undefined;
        else if (it.k === 'num' || it.k === 'name' || it.k === 'unary' || it.k === 'bin' || it.k === 'attr') {
          if (it.k === 'name' && !this.isIntLike(it, node)) return undefined;
          // an integer index drops the axis
        } else return undefined;
      }
      return [...out, ...base.slice(items.length)];
    }
    if (e.k !== 'call') return undefined;
    const q = this.canonical(e.fn);
    if (q && /^torch\.(rand|randn|zeros|ones|empty|full|FloatTensor|Tensor)$/.test(q)) {
      if (e.messy) return undefined;
      let parts = e.args;
      const sizeKw = e.kwargs.find((k) => k.name === 'size');
      if (sizeKw) parts = [sizeKw.value];
      if (q === 'torch.full') parts = parts.slice(0, 1);
      if (parts.length === 1 && parts[0].k === 'tuple') parts = parts[0].items;
      if (q === 'torch.FloatTensor' || q === 'torch.Tensor') {
        if (parts.length === 1 && parts[0].k === 'tuple') return undefined;
      }
      const dims = parts.map((p) => this.intValue(p, node));
      if (dims.length === 0 || dims.some((d) => d === undefined || d < 0)) return undefined;
      return dims as number[];
    }
    if (e.fn.k === 'attr') {
      const m = e.fn.attr;
      const obj = e.fn.obj;
      if (['float', 'double', 'half', 'cuda', 'cpu', 'to', 'detach', 'clone', 'contiguous', 'requires_grad_', 'type'].includes(m)) {
        return this.shapeOf(obj, node, depth + 1);
      }
      if (m === 'unsqueeze' || m === 'squeeze' || m === 'transpose' || m === 'permute' || m === 'view' || m === 'reshape') {
        const base = this.shapeOf(obj, node, depth + 1);
        if (!base || e.messy) return undefined;
        const ints = (e.args.length === 1 && e.args[0].k === 'tuple' ? e.args[0].items : e.args).map((a) => this.intValue(a, node));
        if (ints.some((x) => x === undefined)) return undefined;
        const a = ints as number[];
        const norm = (d: number, n: number) => (d < 0 ? d + n : d);
        if (m === 'unsqueeze' && a.length === 1) {
          const d = norm(a[0], base.length + 1);
          if (d < 0 || d > base.length) return undefined;
          return [...base.slice(0, d), 1, ...base.slice(d)];
        }
        if (m === 'squeeze' && a.length === 1) {
          const d = norm(a[0], base.length);
          if (d < 0 || d >= base.length) return undefined;
          return base[d] === 1 ? [...base.slice(0, d), ...base.slice(d + 1)] : base;
        }
        if (m === 'transpose' && a.length === 2) {
          const [x, y] = [norm(a[0], base.length), norm(a[1], base.length)];
          if (x < 0 || y < 0 || x >= base.length || y >= base.length) return undefined;
          const out = [...base];
          [out[x], out[y]] = [out[y], out[x]];
          return out;
        }
        if (m === 'permute' && a.length === base.length) {
          const ds = a.map((d) => norm(d, base.length));
          if (new Set(ds).size !== ds.length || ds.some((d) => d < 0 || d >= base.length)) return undefined;
          return ds.map((d) => base[d]);
        }
        if ((m === 'view' || m === 'reshape') && a.length > 0) {
          const total = base.reduce((x, y) => x * y, 1);
          const known = a.filter((d) => d !== -1).reduce((x, y) => x * y, 1);
          const free = a.filter((d) => d === -1).length;
          if (free > 1 || a.some((d) => d < -1) || known === 0) return undefined;
          if (free === 0) return known === total ? a : undefined;
          return total % known === 0 ? a.map((d) => (d === -1 ? total / known : d)) : undefined;
        }
      }
    }
    return undefined;
  }

  private isIntLike(e: Expr, node: StmtNode): boolean {
    if (e.k !== 'name') return true;
    const b = this.bindingBefore(e.id, node);
    if (!b) return false;
    if (b.stmt.k === 'for') {
      const it = b.stmt.iter;
      return !!it && it.k === 'call' && it.fn.k === 'name' && it.fn.id === 'range' && !!b.stmt.target && b.stmt.target.k === 'name';
    }
    return this.intValue(e, node) !== undefined;
  }

  /** An integer the file fixes: a literal, or a name bound once to one before. */
  intValue(e: Expr, node: StmtNode, depth = 0): number | undefined {
    const lit = intLiteral(e);
    if (lit !== undefined) return lit;
    if (depth > 10) return undefined;
    if (e.k === 'name') {
      const b = this.bindingBefore(e.id, node);
      if (!b || b.stmt.k !== 'assign' || b.stmt.aug || b.stmt.targets.length !== 1) return undefined;
      if (b.blocks.some((blk) => blk.kind !== 'def' && blk.kind !== 'class' && !node.blocks.includes(blk))) return undefined;
      // A module constant seen from inside a function: only if nothing else rebinds it.
      if (b.fn !== node.fn && this.assignmentsTo(e.id, b).length !== 1) return undefined;
      const t = b.stmt.targets[0];
      const v = b.stmt.value;
      if (t.k === 'name') return this.intValue(v, b, depth + 1);
      // N, L, F = 3, 5, 10
      if (t.k === 'tuple' && v.k === 'tuple' && t.items.length === v.items.length) {
        const i = t.items.findIndex((x) => x.k === 'name' && x.id === e.id);
        return i >= 0 ? this.intValue(v.items[i], b, depth + 1) : undefined;
      }
      return undefined;
    }
    if (e.k === 'bin' && ['+', '-', '*', '//'].includes(e.op)) {
      const l = this.intValue(e.left, node, depth + 1);
      const r = this.intValue(e.right, node, depth + 1);
      if (l === undefined || r === undefined) return undefined;
      if (e.op === '+') return l + r;
      if (e.op === '-') return l - r;
      if (e.op === '*') return l * r;
      return r === 0 ? undefined : Math.floor(l / r);
    }
    return undefined;
  }

  /**
   * The input shape a call of a module receives: the argument's own shape, or, for `self.rnn(x)`
   * where x is a parameter of `forward` not rebound before, the shapes passed to the model at
   * each call of its instance in the file (all must be known).
   */
  inputShapes(arg: Expr, node: StmtNode, call?: Call): { shape: number[]; at?: StmtNode }[] {
    const direct = this.shapeOf(arg, node);
    if (direct) return [{ shape: direct }];
    // The reader's input tracking (embeddings, layers before, factories, data loaders...).
    const tracked = call ? this.readerCall(call) : undefined;
    if (tracked?.input && !tracked.packed && tracked.call.args[0] === this.readerArg(tracked, arg)) return [{ shape: tracked.input }];
    if (arg.k !== 'name' || !node.fn || !node.cls || node.fn.stmt.k !== 'def' || node.fn.stmt.name !== 'forward') return [];
    const params = node.fn.stmt.params;
    const pi = params.findIndex((p) => p.name === arg.id);
    if (pi < 1 || params[pi].kind !== 'plain') return [];
    const b = this.bindingBefore(arg.id, node);
    if (!b || b.idx !== node.fn.header) return [];
    // Binding is the parameter: which instances of the class are called?
    const clsName = node.cls.stmt.k === 'class' ? node.cls.stmt.name : '';
    const out: { shape: number[]; at?: StmtNode }[] = [];
    for (const n of this.nodes) {
      const s = n.stmt;
      if (s.k !== 'assign' || s.targets.length !== 1 || s.targets[0].k !== 'name' || s.value.k !== 'call' || s.value.fn.k !== 'name' || s.value.fn.id !== clsName) continue;
      const inst = s.targets[0].id;
      if (this.assignmentsTo(inst, n).length !== 1) return [];
      for (const m of this.nodes) {
        if (m.idx <= n.idx || m.fn !== n.fn) continue;
        for (const root of stmtExprs(m.stmt)) {
          walk(root, (e) => {
            if (e.k !== 'call' || dotted(e.fn) !== inst && dotted(e.fn) !== `${inst}.forward`) return;
            const a = e.args[pi - 1];
            const shape = a ? this.shapeOf(a, m) : undefined;
            if (shape) out.push({ shape, at: m });
          });
        }
      }
    }
    return out;
  }
}

/** Parent links of every node under `root`. */
export function parentsOf(root: Expr): Map<Expr, Expr> {
  const parents = new Map<Expr, Expr>();
  walk(root, (e) => {
    for (const c of children(e)) parents.set(c, e);
  });
  return parents;
}
