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
import { tokenize } from './tokenizer';
import { dotted, walk, type Expr, type Span } from './expr';
import { lineStatements, type Param, type Stmt } from './statements';
import { msg, type Msg } from './messages';

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
  span: Span;
}

/** One recognised recurrent model and everything the snippet says about it. */
export interface SnippetModel {
  type: CellType;
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
}

export interface SnippetResult {
  models: SnippetModel[];
  /** File-level notes (e.g. the text was cut). */
  notes: Msg[];
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
}

interface Binding {
  kind: 'value' | 'aug' | 'import' | 'loop' | 'starred' | 'def' | 'class';
  value?: Expr;
  path: number[];
  op?: string;
  offset: number;
  scope: Scope;
  importTarget?: string;
  defines?: Scope;
}

interface StmtInfo {
  stmt: Stmt;
  scope: Scope;
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
}

// ---------------------------------------------------------------------------------------------
// Values

type Val =
  | { t: 'int'; v: number }
  | { t: 'float'; v: number }
  | { t: 'bool'; v: boolean }
  | { t: 'str'; v: string }
  | { t: 'none' }
  | { t: 'tuple'; items: Val[] };

type FailCode = 'call' | 'expr' | 'unbound' | 'import' | 'loop' | 'param-nocall' | 'param-star' | 'param-missing' | 'method-param' | 'cycle' | 'deep' | 'attr' | 'divzero' | 'starred' | 'big';

type Ev = { ok: true; val: Val } | { ok: false; code: FailCode; name?: string; arg?: string; reason?: Msg };

interface Ctx {
  scope: Scope;
  offset: number;
  /** Module-level "time": bindings of the module after this offset are not yet made. */
  moduleTime: number;
  depth: number;
  visiting: Set<Binding>;
}

const RECURRENT: Record<string, CellType> = { 'torch.nn.RNN': 'RNN', 'torch.nn.LSTM': 'LSTM', 'torch.nn.GRU': 'GRU' };
const CANONICAL: Record<string, string> = {
  'torch.nn.modules.rnn.RNN': 'torch.nn.RNN',
  'torch.nn.modules.rnn.LSTM': 'torch.nn.LSTM',
  'torch.nn.modules.rnn.GRU': 'torch.nn.GRU',
  'torch.nn.modules.linear.Linear': 'torch.nn.Linear',
  'torch.nn.modules.RNN': 'torch.nn.RNN',
  'torch.nn.modules.LSTM': 'torch.nn.LSTM',
  'torch.nn.modules.GRU': 'torch.nn.GRU',
  'torch.nn.modules.Linear': 'torch.nn.Linear',
  'torch.random.manual_seed': 'torch.manual_seed',
};
/** torch.nn layers that draw no random numbers when built. */
const PARAMLESS = new Set([
  'Module', 'Sequential', 'ModuleList', 'ModuleDict', 'Dropout', 'Dropout1d', 'Dropout2d', 'ReLU', 'Tanh', 'Sigmoid', 'Softmax',
  'LogSoftmax', 'Identity', 'Flatten', 'GELU', 'LeakyReLU', 'CrossEntropyLoss', 'MSELoss', 'NLLLoss', 'BCELoss', 'BCEWithLogitsLoss', 'L1Loss', 'Parameter',
]);

const FIELDS: Record<CellType, string[]> = {
  // PyTorch 2.x spells nn.RNN's signature with nonlinearity 4th; GRU/LSTM go straight to RNNBase.
  RNN: ['input_size', 'hidden_size', 'num_layers', 'nonlinearity', 'bias', 'batch_first', 'dropout', 'bidirectional', 'device', 'dtype'],
  LSTM: ['input_size', 'hidden_size', 'num_layers', 'bias', 'batch_first', 'dropout', 'bidirectional', 'proj_size', 'device', 'dtype'],
  GRU: ['input_size', 'hidden_size', 'num_layers', 'bias', 'batch_first', 'dropout', 'bidirectional', 'proj_size', 'device', 'dtype'],
};
const LINEAR_FIELDS = ['in_features', 'out_features', 'bias', 'device', 'dtype'];

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
    return new Reader(text).read();
  } catch (err) {
    // A bug in the reader must not take the editor down: report it as a note.
    return { models: [], notes: [msg('The snippet reader failed: {0}', String((err as Error)?.message ?? err))] };
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
    const models: SnippetModel[] = [];
    for (const c of this.calls) {
      if (!c.q || !RECURRENT[c.q]) continue;
      if (models.length >= MAX_MODELS) {
        this.fileNotes.push(msg('Only the first {0} models of this file are read.', MAX_MODELS));
        break;
      }
      models.push(this.buildModel(c, RECURRENT[c.q]));
    }
    return { models, notes: this.fileNotes };
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
    for (const line of tokenize(this.text, MAX_CHARS)) {
      for (const stmt of lineStatements(line)) {
        while (stack.length > 1 && stmt.indent <= stack[stack.length - 1].headerIndent) stack.pop();
        const scope = stack[stack.length - 1];
        const info: StmtInfo = { stmt, scope };
        this.stmts.push(info);
        this.bindStmt(info);
        if (stmt.k === 'def' || stmt.k === 'class') {
          const child = newScope(stmt.k, stmt.name, scope, stmt.indent, stmt.span.start);
          if (stmt.k === 'def') {
            child.params = stmt.params;
            if (scope.kind === 'class') {
              child.cls = scope;
              child.selfName = stmt.params[0]?.name;
            }
          }
          addBinding(scope.bindings, stmt.name, { kind: stmt.k, path: [], offset: stmt.span.start, scope, defines: child });
          if (stack.length < 200) stack.push(child);
        }
      }
    }
  }

  private bindStmt(info: StmtInfo): void {
    const { stmt, scope } = info;
    if (stmt.k === 'import') {
      for (const it of stmt.items) addBinding(scope.bindings, it.local, { kind: 'import', path: [], offset: it.span.start, scope, importTarget: it.target });
      if (stmt.starFrom) this.starImports.push(stmt.starFrom);
    } else if (stmt.k === 'assign') {
      for (const target of stmt.targets) {
        // Destructure iteratively: (expr, path).
        const work: [Expr, number[]][] = [[target, []]];
        while (work.length > 0) {
          const [e, path] = work.pop()!;
          if (e.k === 'name') {
            addBinding(scope.bindings, e.id, { kind: stmt.aug ? 'aug' : 'value', value: stmt.value, path, op: stmt.aug, offset: stmt.span.start, scope });
          } else if (e.k === 'tuple') {
            if (stmt.aug) continue;
            e.items.forEach((item, i) => work.push([item, [...path, i]]));
          } else if (e.k === 'other' && e.what === 'starred' && e.parts[0]?.k === 'name') {
            addBinding(scope.bindings, e.parts[0].id, { kind: 'starred', path, offset: stmt.span.start, scope });
          } else if (e.k === 'attr' && e.obj.k === 'name' && scope.cls && e.obj.id === scope.selfName) {
            addBinding(scope.cls.attrs, e.attr, { kind: stmt.aug ? 'aug' : 'value', value: stmt.value, path, op: stmt.aug, offset: stmt.span.start, scope });
          }
        }
      }
    } else if (stmt.k === 'for' && stmt.target) {
      walk(stmt.target, (e) => {
        if (e.k === 'name') addBinding(scope.bindings, e.id, { kind: 'loop', path: [], offset: stmt.span.start, scope });
      });
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
        if (o.val.t === 'tuple' && (i.val.t === 'int' || i.val.t === 'bool')) {
          const n = o.val.items.length;
          const k = Number(i.val.t === 'int' ? i.val.v : i.val.v);
          const idx = k < 0 ? n + k : k;
          if (idx >= 0 && idx < n) return { ok: true, val: o.val.items[idx] };
        }
        return this.fail('expr');
      }
      case 'call':
        return this.evalCall(e, ctx);
      default:
        return this.fail('expr');
    }
  }

  private evalCall(e: Extract<Expr, { k: 'call' }>, ctx: Ctx): Ev {
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
    // self.x inside a method.
    if (obj.k === 'name' && ctx.scope.cls && obj.id === ctx.scope.selfName) {
      return this.lookupAttr(ctx.scope.cls, e.attr, ctx, `${obj.id}.${e.attr}`);
    }
    // ClassName.x for a class of this file.
    if (obj.k === 'name') {
      const b = lookupBindingLoose(ctx.scope, obj.id, e.span.start);
      if (b?.kind === 'class' && b.defines) return this.lookupAttr(b.defines, e.attr, ctx, d ?? e.attr);
      if (b?.kind === 'import') return this.fail('import', d, `${b.importTarget}.${e.attr}`);
    }
    return this.fail('attr', d);
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
      const list = s.bindings.get(id);
      if (list && list.length > 0) {
        const limit = s === ctx.scope ? ctx.offset : s.kind === 'module' ? ctx.moduleTime : Infinity;
        let b: Binding | undefined;
        for (let i = list.length - 1; i >= 0 && !b; i--) if (list[i].offset < limit) b = list[i];
        if (!b && !(s === ctx.scope && s.kind === 'def')) b = list[0];
        if (b) return this.evalBinding(b, id, ctx);
      }
      if (s.kind === 'def') {
        const p = s.params.find((x) => x.name === id);
        if (p) return this.resolveParam(s, p, ctx);
      }
      s = s.parent;
    }
    return this.fail('unbound', id);
  }

  private evalBinding(b: Binding, shown: string, ctx: Ctx): Ev {
    switch (b.kind) {
      case 'import':
        return this.fail('import', shown, b.importTarget);
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
      // A method other than __init__: its calls are not followed.
      return p.default ? this.evalDefault(def, p, ctx) : this.fail('method-param', p.name, `${def.cls!.name}.${def.name}`);
    }
    if (def.cls && p.name === def.selfName) return this.fail('expr', p.name);
    const sites = this.sitesOf(owner);
    if (sites.length === 0) {
      return p.default ? this.evalDefault(def, p, ctx) : this.fail('param-nocall', p.name, owner.name);
    }
    const site = sites[0];
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

  private buildModel(c: CallInfo, type: CellType): SnippetModel {
    const call = c.call;
    const scope = c.info.scope;
    const notes: Msg[] = [];
    const unresolved: UnresolvedField[] = [];
    const what = `nn.${type}`;
    const container = scope.cls ?? scope;
    const ownerScope = scope.cls ?? (scope.kind === 'def' ? scope : undefined);
    const sites = ownerScope ? this.sitesOf(ownerScope) : [];
    const site = sites[0];
    const moduleTime = site && site.info.scope.kind === 'module' ? site.call.span.start : scope.kind === 'module' ? call.span.start : Infinity;
    const ctx = (): Ctx => ({ scope, offset: call.span.start, moduleTime, depth: 0, visiting: new Set() });
    if (ownerScope && sites.length === 0 && ownerScope.params.length + (ownerScope.kind === 'class' ? 1 : 0) > 0) {
      notes.push(msg('`{0}` is never called in this file; arguments come from defaults only.', ownerScope.name));
    } else if (ownerScope && sites.length > 1) {
      notes.push(msg('`{0}` is called {1} times; the first call (line {2}) is used.', ownerScope.name, sites.length, this.lineOf(site.call.span.start) + 1));
    }
    if (call.messy) notes.push(msg('{0} is called with *args or **kwargs; those arguments cannot be read.', what));
    const names = FIELDS[type];
    const bound = this.bindArgs(call, names, notes, what);
    if (type === 'RNN' && call.args.length > 3) {
      notes.push(msg('PyTorch before 2.x read the 4th positional argument of nn.RNN as bias, not nonlinearity; keywords avoid the ambiguity.'));
    }
    if (type !== 'LSTM' && bound.has('proj_size')) {
      notes.push(msg('proj_size is only supported for LSTM; PyTorch would raise a ValueError.'));
    }
    const config: SnippetModel['config'] = { type };
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
    setNum('inputSize', 'input_size', 'int');
    setNum('hiddenSize', 'hidden_size', 'int');
    setNum('numLayers', 'num_layers', 'int', 1);
    if (type === 'RNN') {
      const v = read('nonlinearity', 'str', 'tanh');
      if (v === 'tanh' || v === 'relu') config.nonlinearity = v;
      else if (typeof v === 'string') {
        notes.push(msg('Unknown nonlinearity `{0}`; PyTorch would raise a ValueError.', v));
        unresolved.push({ field: 'nonlinearity', text: v, reason: msg('PyTorch accepts only "tanh" or "relu"'), span: bound.get('nonlinearity')?.span ?? call.span });
      }
    } else config.nonlinearity = 'tanh';
    setBool('bias', 'bias', true);
    setBool('batchFirst', 'batch_first', false);
    setNum('dropout', 'dropout', 'float', 0);
    setBool('bidirectional', 'bidirectional', false);
    if (type === 'LSTM') setNum('projSize', 'proj_size', 'int', 0);
    else config.projSize = 0;
    if (bound.has('dtype')) notes.push(msg('dtype is ignored: the view uses float32 weights as PyTorch does by default.'));
    for (const [key, field, min] of [['inputSize', 'input_size', 1], ['hiddenSize', 'hidden_size', 1], ['numLayers', 'num_layers', 1]] as const) {
      const v = config[key];
      if (v !== undefined && v < min) notes.push(msg('{0} = {1} is out of range; PyTorch needs at least {2}.', field, v, min));
    }

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
    const randCalls = this.calls.filter((ci) => ci.q === 'torch.rand' || ci.q === 'torch.randn');
    let inputCall: CallInfo | undefined;
    if (instance) {
      for (const ci of this.calls) {
        const fn = ci.rawName;
        if (fn !== instance && fn !== `${instance}.forward`) continue;
        const a = ci.call.args[0];
        if (!a) continue;
        const direct = randCalls.find((r) => r.call === a);
        if (direct) inputCall = direct;
        else if (a.k === 'name') {
          const b = lookupBindingLoose(ci.info.scope, a.id, ci.call.span.start);
          inputCall = b?.value && b.path.length === 0 ? randCalls.find((r) => r.call === b.value || (b.value!.k === 'call' && chainHas(b.value!, r.call))) : undefined;
        }
        if (inputCall) break;
      }
    }
    if (!inputCall) inputCall = randCalls.find((r) => r.info.scope.kind === 'module') ?? randCalls[0];
    let input: SnippetInput | undefined;
    if (inputCall) {
      input = { kind: inputCall.q === 'torch.randn' ? 'randn' : 'rand', span: inputCall.call.span };
      const ictx: Ctx = { scope: inputCall.info.scope, offset: inputCall.call.span.start, moduleTime: inputCall.info.scope.kind === 'module' ? inputCall.call.span.start : Infinity, depth: 0, visiting: new Set() };
      const fname = `torch.${input.kind}`;
      const sizeKw = inputCall.call.kwargs.find((k) => k.name === 'size');
      const parts = sizeKw ? [sizeKw.value] : inputCall.call.args;
      const dims: number[] = [];
      let ok = !inputCall.call.messy && parts.length > 0;
      for (const p of ok ? parts : []) {
        const r = this.eval(p, ictx);
        if (!r.ok) {
          unresolved.push({ field: `${fname} shape`, text: r.name ?? this.src(p.span), reason: r.reason ?? reasonFor(r), span: p.span });
          ok = false;
          break;
        }
        const vals = r.val.t === 'tuple' && parts.length === 1 ? r.val.items : [r.val];
        for (const v of vals) {
          if (v.t === 'int' && v.v >= 0) dims.push(v.v);
          else {
            unresolved.push({ field: `${fname} shape`, text: this.src(p.span), reason: msg('it is {0}, not {1}', describe(v), kindWord('int')), span: p.span });
            ok = false;
          }
        }
      }
      if (ok) input.shape = dims;
      for (const k of inputCall.call.kwargs) {
        if (k.name === 'generator') notes.push(msg('{0} uses its own generator; the view draws the input from the seeded global generator.', fname));
        if (k.name === 'dtype') notes.push(msg('{0} with a dtype: the view draws float32 values as PyTorch does by default.', fname));
      }
      if (input.shape && config.inputSize !== undefined) {
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
      callee: this.src(call.fn.span),
      span: call.span,
      line: this.lineOf(call.span.start),
      config,
      unresolved,
      head,
      seed,
      input,
      notes: dedupe(notes),
      complete,
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
  if (op === 'not') {
    const a = asNumber(v);
    if (a) return { ok: true, val: { t: 'bool', v: a.n === 0 } };
    return { ok: false, code: 'expr' };
  }
  const a = asNumber(v);
  if (!a) return { ok: false, code: 'expr' };
  const n = op === '-' ? -a.n : op === '~' ? (a.int ? -a.n - 1 : NaN) : a.n;
  if (Number.isNaN(n)) return { ok: false, code: 'expr' };
  return { ok: true, val: a.int ? { t: 'int', v: n } : { t: 'float', v: n } };
}

function binary(op: string, l: Val, r: Val): Ev {
  if (op === '+' && l.t === 'tuple' && r.t === 'tuple') return { ok: true, val: { t: 'tuple', items: [...l.items, ...r.items] } };
  if (op === '*' && l.t === 'tuple' && r.t === 'int' && r.v >= 0 && r.v * l.items.length <= 64) {
    return { ok: true, val: { t: 'tuple', items: Array.from({ length: r.v }, () => l.items).flat() } };
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
  }
}

function kindWord(kind: 'int' | 'bool' | 'float' | 'str'): Msg {
  return kind === 'int' ? msg('an int') : kind === 'bool' ? msg('a bool') : kind === 'float' ? msg('a number') : msg('a string');
}

/** Why a name could not be read, when the failure is about the name itself. */
function reasonFor(r: Extract<Ev, { ok: false }>): Msg {
  switch (r.code) {
    case 'unbound': return msg('it is never assigned in this file');
    case 'import': return msg('it is imported from `{0}`', r.arg ?? '?');
    case 'loop': return msg('it is a loop variable');
    case 'starred': return msg('it is a starred assignment target');
    case 'param-nocall': return msg('it is a parameter of `{0}`, which is never called in this file', r.arg ?? '?');
    case 'param-star': return msg('it comes through *args or **kwargs of `{0}`', r.arg ?? '?');
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
