/*
 * The loop over time that calls a cell: finds the `for` statement around the first call of an
 * nn.RNNCell / LSTMCell / GRUCell and the sequence it walks, so Unroll and Open as JSON can give
 * the cell document its whole sequence (docs: README "Cells").
 * Layer: python (pure). Imports the reader's types only; no vscode, DOM or Node.
 *
 * Recognised, with x the sequence and t / x_t the loop variable:
 *   for t in range(...):  cell(x[t], ...)            time axis 0 (x: (L, N, in) or (L, in))
 *   for t in range(...):  cell(x[:, t], ...)         time axis 1 (x: (N, L, in), batch first)
 *   for x_t in x:                                    time axis 0 (iterating a tensor walks dim 0)
 *   for x_t in x.unbind(d) / torch.unbind(x, d) / x.unbind(dim=d); for t, x_t in enumerate(...) alike
 * L is the range's bound when the file gives it as a number, else x's size on the time axis.
 * Anything else (zip, while, a list of tensors) is left alone: the cell is then
 * one call, as before.
 */
import type { Expr } from './expr';
import type { SnippetModel, SnippetResult } from './snippet';

/** A loop over time around a cell call. */
export interface CellLoop {
  /** 0-based line of the `for`, and the offset of `for` (where the CodeLens stands). */
  line: number;
  offset: number;
  /** The axis of the written sequence the loop walks (0, or 1 for a batch-first x[:, t]). */
  timeAxis: number;
  /** The sequence with time first, as the document's input takes it: (L, N, in) or (L, in); undefined when unknown. */
  sequence?: number[];
  /** The sequence as written (`x`, `self.inputs`), for notes. */
  source: string;
  /** When the sequence is a torch.rand / torch.randn draw of that shape (`x = torch.randn(6, 3, 10)`). */
  draw?: 'rand' | 'randn';
}

/** Source text of a simple expression (names and attributes), or undefined. */
function dotted(e: Expr): string | undefined {
  if (e.k === 'name') return e.id;
  if (e.k === 'attr') {
    const o = dotted(e.obj);
    return o === undefined ? undefined : `${o}.${e.attr}`;
  }
  return undefined;
}

function isName(e: Expr | undefined, id: string): boolean {
  return e?.k === 'name' && e.id === id;
}

function isFullSlice(e: Expr | undefined): boolean {
  return e?.k === 'slice' && !e.lo && !e.hi && !e.step;
}

/** The loop of the model's first call, when that call stands inside a recognised loop over time. */
export function cellLoopOf(result: SnippetResult, model: SnippetModel): CellLoop | undefined {
  const a = result.analysis;
  const call = model.calls[0];
  if (!a || !model.cell || !call) return undefined;
  const stmts = a.statements;
  const at = stmts[call.statement];
  if (!at) return undefined;
  // The nearest `for` whose body holds the call: an earlier statement with a smaller indent,
  // with nothing in between at its indent or less.
  let indent = at.stmt.indent;
  let loopIndex = -1;
  for (let i = call.statement - 1; i >= 0; i--) {
    const s = stmts[i].stmt;
    if (s.indent >= indent) continue;
    if (s.k === 'for') { loopIndex = i; break; }
    if (s.k === 'def' || s.k === 'class') return undefined;
    indent = s.indent; // an `if`/`with` header around the call: keep looking outward
  }
  if (loopIndex < 0) return undefined;
  const loop = stmts[loopIndex].stmt;
  if (loop.k !== 'for' || !loop.target || !loop.iter) return undefined;
  // for t, x_t in enumerate(x): the same walk as for x_t in x.
  let target = loop.target;
  let iter = loop.iter;
  if (target.k === 'tuple' && target.items.length === 2 && target.items[1].k === 'name' && iter.k === 'call' && dotted(iter.fn) === 'enumerate' && iter.args.length === 1 && iter.kwargs.length === 0) {
    target = target.items[1];
    iter = iter.args[0];
  }
  if (target.k !== 'name') return undefined;
  const v = target.id;
  const step = call.call.args[0] ?? call.call.kwargs.find((k) => k.name === 'input')?.value;
  if (!step) return undefined;

  let seq: Expr | undefined;
  let timeAxis = 0;
  let bound: number | undefined;
  const it = iter;
  const fn = it.k === 'call' ? dotted(it.fn) : undefined;
  if (it.k === 'call' && fn === 'range' && (it.args.length === 1 || (it.args.length === 2 && a.constantOf(it.args[0], loopIndex) === 0)) && it.kwargs.length === 0) {
    // for t in range(L): the step must be x[t] or x[:, t] (x[:, t, :]).
    if (step.k !== 'sub') return undefined;
    const idx = step.index;
    if (isName(idx, v)) timeAxis = 0;
    else if (idx.k === 'tuple' && idx.items.length >= 2 && idx.items.length <= 3 && isFullSlice(idx.items[0]) && isName(idx.items[1], v) && (idx.items.length === 2 || isFullSlice(idx.items[2]))) timeAxis = 1;
    else return undefined;
    seq = step.obj;
    const n = a.constantOf(it.args[it.args.length - 1], loopIndex);
    if (typeof n === 'number' && Number.isInteger(n) && n >= 1) bound = n;
  } else if (isName(step, v)) {
    // for x_t in x / x.unbind(d) / torch.unbind(x, d)
    if (it.k === 'call' && it.fn.k === 'attr' && it.fn.attr === 'unbind' && dotted(it.fn) !== 'torch.unbind') {
      seq = it.fn.obj;
      const d = it.args[0] ?? it.kwargs.find((k) => k.name === 'dim')?.value;
      const dim = d === undefined ? 0 : a.constantOf(d, loopIndex);
      if (typeof dim !== 'number') return undefined;
      timeAxis = dim;
    } else if (it.k === 'call' && fn === 'torch.unbind' && it.args.length >= 1) {
      seq = it.args[0];
      const d = it.args[1] ?? it.kwargs.find((k) => k.name === 'dim')?.value;
      const dim = d === undefined ? 0 : a.constantOf(d, loopIndex);
      if (typeof dim !== 'number') return undefined;
      timeAxis = dim;
    } else if (it.k === 'name' || it.k === 'attr') {
      seq = it;
    } else {
      return undefined;
    }
  } else {
    return undefined;
  }
  const source = dotted(seq) ?? 'x';
  const shape = a.shapeOf(seq, loopIndex);
  let sequence: number[] | undefined;
  if (shape && (shape.length === 2 || shape.length === 3)) {
    const axis = timeAxis < 0 ? shape.length + timeAxis : timeAxis;
    if (axis >= 0 && axis < shape.length - 1) {
      const L = bound !== undefined ? Math.min(bound, shape[axis]) : shape[axis];
      const rest = shape.filter((_, i) => i !== axis);
      sequence = [L, ...rest];
      timeAxis = axis;
    }
  }
  if (!sequence && bound !== undefined && call.input && (call.input.length === 1 || call.input.length === 2)) {
    sequence = [bound, ...call.input];
  }
  const out: CellLoop = { line: stmts[loopIndex].line, offset: loop.span.start, timeAxis, sequence, source };
  const draw = shape ? drawOf(result, source, shape, loopIndex) : undefined;
  if (draw) out.draw = draw;
  return out;
}

/**
 * Whether `name` was last bound, before statement `before`, to torch.rand / torch.randn of
 * exactly `shape` (a forward's parameter: the draw at the model's call site, found by name).
 */
function drawOf(result: SnippetResult, name: string, shape: readonly number[], before: number): 'rand' | 'randn' | undefined {
  const a = result.analysis!;
  let found: 'rand' | 'randn' | undefined;
  for (let i = 0; i < a.statements.length; i++) {
    const s = a.statements[i].stmt;
    if (s.k !== 'assign' || s.aug || s.targets.length !== 1 || dotted(s.targets[0]) !== name || s.value.k !== 'call') continue;
    const fn = dotted(s.value.fn);
    const kind = fn === 'torch.rand' ? 'rand' : fn === 'torch.randn' ? 'randn' : undefined;
    const got = kind ? a.shapeOf(s.value, i) : undefined;
    const same = !!got && got.length === shape.length && got.every((x, k) => x === shape[k]);
    if (i < before) found = same ? kind : undefined;
    else if (found === undefined && same) found = kind;
  }
  return found;
}

/** Every cell of a reading gets the loop around its first call, when there is one. */
export function withCellLoops(result: SnippetResult): SnippetResult {
  for (const m of result.models) {
    if (!m.cell) continue;
    const loop = cellLoopOf(result, m);
    if (loop) m.cellLoop = loop;
  }
  return result;
}
