/*
 * Shared by bidirectional-last-step, last-step-wrong-axis and packed-last-step: where a
 * recurrent module's output is indexed at its last position (`out[:, -1]`, `out[:, -1, :]`,
 * `out[-1]`, `rnn(x)[0][:, -1]`), and whether a module's input is a PackedSequence (with the
 * lengths, when the file fixes them). Layer: python (pure).
 */
import { dotted, walk, type Expr } from '../expr';
import { msg } from '../messages';
import { intLiteral, isFullSlice, isMinusOne, parentsOf, stmtExprs, type LintContext, type LintFinding, type ModuleCall, type StmtNode } from './context';

/** The axis a last-position index picks (0: `[-1]`, 1: `[:, -1]`), with the rest all `:`. */
export function lastIndexAxis(index: Expr): 0 | 1 | undefined {
  const items = index.k === 'tuple' && index.bracket === '' ? index.items : [index];
  if (items.length === 0 || items.length > 3) return undefined;
  if (isMinusOne(items[0]) && items.slice(1).every(isFullSlice)) return 0;
  if (items.length >= 2 && isFullSlice(items[0]) && isMinusOne(items[1]) && items.slice(2).every(isFullSlice)) return 1;
  return undefined;
}

const SHOW = new Set(['print', 'repr', 'str', 'display', 'len', 'type', 'isinstance']);

/** The value is only looked at (printed, its length taken), not used as the sequence's summary. */
export function onlyShown(ctx: LintContext, node: StmtNode, expr: Expr): boolean {
  if (node.stmt.k === 'expr' && (node.stmt.keyword === 'assert' || node.stmt.keyword === 'del')) return true;
  for (const root of stmtExprs(node.stmt)) {
    const parents = parentsOf(root);
    if (root !== expr && !parents.has(expr)) continue;
    for (let p = parents.get(expr); p; p = parents.get(p)) {
      if (p.k === 'call' && p.fn.k === 'name' && SHOW.has(p.fn.id)) return true;
      if (p.k === 'bin' && ['==', '!=', 'is', 'is not', '<', '>', '<=', '>='].includes(p.op)) return true;
    }
  }
  return false;
}

/** Element-wise torch functions: positions (time, batch) stay where they were. */
const ELEMENTWISE_FN = /^torch\.(nn\.functional\.)?(relu|relu_|tanh|sigmoid|gelu|elu|selu|leaky_relu|dropout|layer_norm|silu|mish|softsign|hardtanh)$/;
/** torch.nn layers that act element-wise or on the last axis only. */
const ELEMENTWISE_LAYER = /^torch\.nn\.(Dropout|ReLU|Tanh|Sigmoid|GELU|ELU|SELU|LeakyReLU|SiLU|Mish|LayerNorm|Identity)$/;
const SAME_LAYOUT_METHODS = new Set(['contiguous', 'float', 'double', 'half', 'relu', 'tanh', 'sigmoid', 'cpu', 'cuda', 'to', 'clone', 'detach']);

/**
 * `name2 = F.relu(name)`, `name2 = self.dropout(name)`, `name2 = name.contiguous()`: the result
 * keeps every position of `name` (so its last step is still the module's last step).
 */
function sameLayoutRebinding(ctx: LintContext, use: { node: StmtNode; expr: Expr; parent?: Expr }): string | undefined {
  const s = use.node.stmt;
  if (s.k !== 'assign' || s.targets.length !== 1 || s.targets[0].k !== 'name' || s.aug) return undefined;
  const parents = parentsOf(s.value);
  // Climb from the name through element-wise calls (F.relu(self.drop(out))) up to the value.
  let cur: Expr = use.expr;
  for (let guard = 0; guard < 8 && cur !== s.value; guard++) {
    const p = parents.get(cur);
    if (!p) return undefined;
    if (p.k === 'attr' && p.obj === cur && SAME_LAYOUT_METHODS.has(p.attr)) {
      const call = parents.get(p);
      if (!call || call.k !== 'call' || call.fn !== p) return undefined;
      cur = call;
      continue;
    }
    if (p.k !== 'call' || p.messy || p.args[0] !== cur || !elementwiseCallee(ctx, p.fn, use.node)) return undefined;
    cur = p;
  }
  return cur === s.value ? s.targets[0].id : undefined;
}

function elementwiseCallee(ctx: LintContext, fn: Expr, node: StmtNode): boolean {
  const q = ctx.canonical(fn);
  if (q) return ELEMENTWISE_FN.test(q) || ELEMENTWISE_LAYER.test(q);
  const layer = dotted(fn);
  if (!layer) return false;
  const binds = ctx.nodes.filter((n) => {
    const b = n.stmt;
    return b.k === 'assign' && b.targets.length === 1 && dotted(b.targets[0]) === layer && (layer.startsWith('self.') ? n.cls === node.cls : true);
  });
  if (binds.length !== 1) return false;
  const b = binds[0].stmt;
  return b.k === 'assign' && b.value.k === 'call' && ELEMENTWISE_LAYER.test(ctx.canonical(b.value.fn) ?? '');
}

/** Last-position uses of a name after `from` (until it is rebound, or through same-layout rebindings). */
export function lastStepUsesOf(ctx: LintContext, name: string, from: StmtNode, depth = 0): { expr: Expr; axis: 0 | 1; node: StmtNode; derived?: boolean }[] {
  const out: { expr: Expr; axis: 0 | 1; node: StmtNode; derived?: boolean }[] = [];
  for (const u of ctx.usesAfter(name, from)) {
    const p = u.parent;
    if (depth < 4) {
      const next = sameLayoutRebinding(ctx, u);
      if (next) out.push(...lastStepUsesOf(ctx, next, u.node, depth + 1).map((x) => ({ ...x, derived: true })));
    }
    if (!p || p.k !== 'sub' || p.obj !== u.expr) continue;
    const axis = lastIndexAxis(p.index);
    if (axis !== undefined && !onlyShown(ctx, u.node, p)) out.push({ expr: p, axis, node: u.node });
  }
  return out;
}

/** Last-position uses of a module call's output (bound to a name, or `rnn(x)[0][...]`). */
export function lastStepUses(ctx: LintContext, mc: ModuleCall): { expr: Expr; axis: 0 | 1; node: StmtNode; derived?: boolean }[] {
  const out: { expr: Expr; axis: 0 | 1; node: StmtNode; derived?: boolean }[] = mc.output && mc.output !== '_' ? lastStepUsesOf(ctx, mc.output, mc.node) : [];
  for (const root of stmtExprs(mc.node.stmt)) {
    walk(root, (e) => {
      if (e.k === 'sub' && e.obj.k === 'sub' && e.obj.obj === mc.call && intLiteral(e.obj.index) === 0) {
        const axis = lastIndexAxis(e.index);
        if (axis !== undefined && !onlyShown(ctx, mc.node, e)) out.push({ expr: e, axis, node: mc.node });
      }
    });
  }
  return out;
}

export interface PackedInfo {
  /** The lengths, when the file fixes every one. */
  lengths?: number[];
  batchFirst?: boolean;
}

/** Whether `e` (at `node`) is a PackedSequence built in this file, and its lengths. */
export function packedInfo(ctx: LintContext, e: Expr, node: StmtNode, depth = 0): PackedInfo | undefined {
  if (depth > 10) return undefined;
  if (e.k === 'name') {
    const b = ctx.bindingBefore(e.id, node);
    if (!b || b.stmt.k !== 'assign' || b.stmt.targets.length !== 1 || b.stmt.targets[0].k !== 'name') return undefined;
    return packedInfo(ctx, b.stmt.value, b, depth + 1);
  }
  if (e.k !== 'call') return undefined;
  const q = ctx.canonical(e.fn);
  if (q === 'torch.nn.utils.rnn.pack_padded_sequence') {
    const lengthsArg = e.args[1] ?? e.kwargs.find((k) => k.name === 'lengths')?.value;
    const bf = e.args[2] ?? e.kwargs.find((k) => k.name === 'batch_first')?.value;
    return { lengths: lengthsArg ? intList(ctx, lengthsArg, node) : undefined, batchFirst: bf ? (bf.k === 'const' && typeof bf.value === 'boolean' ? bf.value : undefined) : false };
  }
  if (q === 'torch.nn.utils.rnn.pack_sequence') {
    const seqs = e.args[0];
    if (seqs && seqs.k === 'tuple' && seqs.bracket === '[') {
      const lens = seqs.items.map((s) => ctx.shapeOf(s, node)?.[0]);
      return { lengths: lens.every((l) => l !== undefined) ? (lens as number[]) : undefined };
    }
    return {};
  }
  return undefined;
}

/** The items of a list literal `[a, b, c]`, directly or through a name bound once to one (not appended to). */
function tensorListItems(ctx: LintContext, e: Expr, node: StmtNode): { expr: Expr; node: StmtNode }[] | undefined {
  if (e.k === 'tuple' && e.bracket === '[') return e.items.map((expr) => ({ expr, node }));
  if (e.k !== 'name') return undefined;
  const b = ctx.bindingBefore(e.id, node);
  if (!b || b.stmt.k !== 'assign' || b.stmt.aug || b.stmt.targets.length !== 1 || b.stmt.targets[0].k !== 'name') return undefined;
  if (b.blocks.some((blk) => blk.kind !== 'def' && blk.kind !== 'class' && !node.blocks.includes(blk))) return undefined;
  const v = b.stmt.value;
  if (v.k !== 'tuple' || v.bracket !== '[') return undefined;
  // Changed in between (append, extend, item assignment...): not the literal any more.
  const name = e.id;
  const changed = ctx.nodes.slice(b.idx + 1, node.idx).some((n) => {
    const src = ctx.src(n.stmt.span);
    return new RegExp(`\\b${name}\\s*(\\.\\s*(append|extend|insert|pop|remove|clear|sort|reverse)\\b|\\[[^\\]]*\\]\\s*=[^=]|\\+=)`).test(src);
  });
  return changed ? undefined : v.items.map((expr) => ({ expr, node: b }));
}

/** A list of integers the file fixes: `[5, 3, 2]`, `torch.tensor([5, 3])`, `torch.LongTensor([...])`, or a name bound to one. */
export function intList(ctx: LintContext, e: Expr, node: StmtNode, depth = 0): number[] | undefined {
  if (depth > 10) return undefined;
  if (e.k === 'name') {
    const b = ctx.bindingBefore(e.id, node);
    if (!b || b.stmt.k !== 'assign' || b.stmt.targets.length !== 1 || b.stmt.targets[0].k !== 'name') return undefined;
    return intList(ctx, b.stmt.value, b, depth + 1);
  }
  if (e.k === 'tuple' && (e.bracket === '[' || e.bracket === '(')) {
    const v = e.items.map((x) => ctx.intValue(x, node));
    return v.every((x) => x !== undefined) && v.length > 0 ? (v as number[]) : undefined;
  }
  // [len(s) for s in seqs] over a list of tensors whose shapes the file fixes.
  if (e.k === 'other' && e.what === 'comprehension' && e.parts.length === 2) {
    const [elt, clause] = e.parts;
    if (clause.k !== 'bin' || clause.op !== 'in' || clause.left.k !== 'name') return undefined;
    const v = clause.left.id;
    if (elt.k !== 'call' || elt.fn.k !== 'name' || elt.fn.id !== 'len' || elt.args.length !== 1 || elt.args[0].k !== 'name' || elt.args[0].id !== v || elt.messy || elt.kwargs.length > 0) return undefined;
    const list = tensorListItems(ctx, clause.right, node);
    if (!list) return undefined;
    const lens = list.map((it) => ctx.shapeOf(it.expr, it.node)?.[0]);
    return lens.length > 0 && lens.every((l) => l !== undefined) ? (lens as number[]) : undefined;
  }
  if (e.k === 'call') {
    const q = ctx.canonical(e.fn);
    if ((q === 'torch.tensor' || q === 'torch.LongTensor' || q === 'torch.as_tensor') && e.args[0]) return intList(ctx, e.args[0], node, depth + 1);
    if (e.fn.k === 'attr' && ['to', 'cpu', 'long', 'int'].includes(e.fn.attr)) return intList(ctx, e.fn.obj, node, depth + 1);
  }
  return undefined;
}



export function checkLastStep(ctx: LintContext, wanted: 'bidirectional-last-step' | 'last-step-wrong-axis'): LintFinding[] {
  const out: LintFinding[] = [];
  for (const mc of ctx.calls) {
    const m = mc.module;
    if (m.type !== 'RNN' && m.type !== 'LSTM' && m.type !== 'GRU') continue;
    const { batchFirst, bidirectional } = m.known;
    if (batchFirst === undefined || bidirectional === undefined) continue;
    const input = mc.call.args[0];
    if (!input) continue;
    if (packedInfo(ctx, input, mc.node)) continue;
    const inputShapes = ctx.inputShapes(input, mc.node, mc.call);
    const unbatched = inputShapes.some((s) => s.shape.length === 2);
    for (const use of lastStepUses(ctx, mc)) {
      const { axis, expr } = use;
      let code: 'bidirectional-last-step' | 'last-step-wrong-axis';
      if (unbatched) {
        if (axis !== 0 || !bidirectional) continue;
        code = 'bidirectional-last-step';
      } else if ((axis === 1) === batchFirst) {
        if (!bidirectional) continue;
        code = 'bidirectional-last-step';
      } else code = 'last-step-wrong-axis';
      if (code !== wanted) continue;
      out.push(finding(ctx, code, expr, mc, use.node, batchFirst, unbatched, !!use.derived));
    }
  }
  return out;
}

function finding(ctx: LintContext, code: 'bidirectional-last-step' | 'last-step-wrong-axis', expr: Expr, mc: ModuleCall, node: StmtNode, batchFirst: boolean, unbatched: boolean, derived: boolean): LintFinding {
  const written = ctx.src(expr.span).replace(/\s+/g, ' ');
  if (code === 'last-step-wrong-axis') {
    const right = written.replace(/\[.*\]$/s, batchFirst ? '[:, -1]' : '[-1]');
    return {
      code,
      start: expr.span.start,
      end: expr.span.end,
      message: batchFirst
        ? msg('{0} takes the last sample of the batch, not the last time step: with batch_first=True the output is (N, L, H) and the time axis is 1. Write {1}.', written, right)
        : msg('{0} takes the last sample of the batch, not the last time step: without batch_first=True the output is (L, N, H) and the time axis is 0. Write {1}.', written, right),
    };
  }
  const hN = mc.hN && mc.hN !== '_' && hNInEffect(ctx, mc, node) ? mc.hN : undefined;
  const fixText = hN ? (unbatched ? `torch.cat((${hN}[-2], ${hN}[-1]), dim=0)` : `torch.cat((${hN}[-2], ${hN}[-1]), dim=1)`) : undefined;
  const suggestion = fixText ?? (unbatched ? 'torch.cat((h_n[-2], h_n[-1]), dim=0)' : 'torch.cat((h_n[-2], h_n[-1]), dim=1)');
  return {
    code,
    start: expr.span.start,
    end: expr.span.end,
    message: msg(
      '{0} is the last step of a bidirectional output: its forward half has read the whole sequence, but its reverse half has read only the last token (the reverse direction ends at t = 0). For a summary of the sequence use both final states: {1}.',
      written,
      suggestion,
    ),
    // No fix through F.relu(out) and the like: replacing the index would drop that operation.
    fixes: fixText && !derived && ctx.imports.get('torch') === 'torch' ? [{ title: msg('Use both directions\' final states: {0}', fixText), edits: [{ start: expr.span.start, end: expr.span.end, newText: fixText }] }] : undefined,
  };
}

/** h_n still holds the call's h_n at `node` (not rebound in between). */
function hNInEffect(ctx: LintContext, mc: ModuleCall, node: StmtNode): boolean {
  if (!mc.hN) return false;
  for (let i = mc.node.idx + 1; i <= node.idx; i++) {
    const n = ctx.nodes[i];
    if (n.fn === mc.node.fn && ctx.binds(n, mc.hN)) return false;
  }
  return true;
}

