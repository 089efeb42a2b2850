/*
 * hidden-shape-mismatch: a given h0 differs from (D·num_layers, N, H_out), or c0 from
 * (D·num_layers, N, hidden_size). PyTorch raises at the call: "Expected hidden size (1, 3, 20),
 * got [1, 5, 20]" (LSTM: "Expected hidden[0] size ..." / "hidden[1]"), or, when the state has
 * the wrong number of axes, "For batched 3-D input, hx should also be 3-D but got 2-D tensor".
 * Reported at the call of the module. Needs the input's and the state's shapes and every field
 * of the module from the file; otherwise silent.
 *
 *   wrong:  lstm = nn.LSTM(10, 20, bidirectional=True)
 *           h0 = torch.zeros(1, 3, 20); c0 = torch.zeros(1, 3, 20)
 *           out, _ = lstm(torch.rand(5, 3, 10), (h0, c0))
 *   right:  h0 = torch.zeros(2, 3, 20); c0 = torch.zeros(2, 3, 20)   # D·num_layers = 2
 *
 * Layer: python (pure).
 */
import type { Expr } from '../expr';
import { msg, type Msg } from '../messages';
import { dotted } from '../expr';
import type { LintContext, LintFinding, LintRule, ModuleInfo, StmtNode } from './context';

function fmt(shape: number[]): string {
  return shape.join(', ');
}

/** The (h0, c0) pair an LSTM receives: a tuple written in the call, or a name bound to one. */
function pairOf(ctx: LintContext, e: Expr, node: StmtNode): [Expr, Expr, StmtNode] | undefined {
  if (e.k === 'tuple' && e.items.length === 2) return [e.items[0], e.items[1], node];
  if (e.k === 'name') {
    const b = ctx.bindingBefore(e.id, node);
    if (!b || b.stmt.k !== 'assign' || b.stmt.targets.length !== 1 || b.stmt.targets[0].k !== 'name') return undefined;
    if (b.blocks.some((blk) => blk.kind !== 'def' && blk.kind !== 'class' && !node.blocks.includes(blk))) return undefined;
    const v = b.stmt.value;
    if (v.k === 'tuple' && v.items.length === 2) return [v.items[0], v.items[1], b];
  }
  return undefined;
}

export const hiddenShapeMismatch: LintRule = {
  code: 'hidden-shape-mismatch',
  check(ctx: LintContext): LintFinding[] {
    const out: LintFinding[] = [];
    for (const mc of ctx.calls) {
      const m = mc.module;
      if (m.type !== 'RNN' && m.type !== 'LSTM' && m.type !== 'GRU') continue;
      const { inputSize, hiddenSize, numLayers, bidirectional, batchFirst } = m.known;
      const projSize = m.type === 'LSTM' ? m.known.projSize : 0;
      if (numLayers === undefined || bidirectional === undefined) continue;
      const x = mc.call.args[0];
      const hx = mc.call.args[1] ?? mc.call.kwargs.find((k) => k.name === 'hx')?.value;
      if (!x || !hx || (hx.k === 'const' && hx.value === null)) continue;
      let states: number[][];
      const stateExprs: [Expr, StmtNode][] = [];
      if (m.type === 'LSTM') {
        const pair = pairOf(ctx, hx, mc.node);
        if (!pair) continue;
        stateExprs.push([pair[0], pair[2]], [pair[1], pair[2]]);
      } else stateExprs.push([hx, mc.node]);
      let shapes = stateExprs.map(([e, n]) => ctx.shapeOf(e, n));
      // The reader's tracking of the state (`torch.zeros(x.size(0), self.hidden)` with x known).
      const tracked = ctx.readerCall(mc.call)?.hidden;
      if (shapes.some((s) => !s) && tracked && tracked.length === shapes.length && tracked.every((s) => !!s)) shapes = tracked;
      const dl = (bidirectional ? 2 : 1) * numLayers;
      if (shapes.some((s) => !s)) {
        // Sizes read from the data (x.size(0), self.hidden_size): the first axis may still be known.
        const symbolic = firstAxisMismatch(ctx, m, stateExprs, dl);
        if (symbolic) out.push({ code: 'hidden-shape-mismatch', start: mc.call.span.start, end: mc.call.span.end, message: symbolic });
        continue;
      }
      states = shapes as number[][];
      if (inputSize === undefined || hiddenSize === undefined || batchFirst === undefined || projSize === undefined) continue;
      const hOut = projSize > 0 ? projSize : hiddenSize;
      let message: Msg | undefined;
      for (const { shape } of ctx.inputShapes(x, mc.node, mc.call)) {
        if ((shape.length !== 2 && shape.length !== 3) || shape[shape.length - 1] !== inputSize) continue;
        const batched = shape.length === 3;
        const want = batched ? 3 : 2;
        if (states.some((s) => s.length !== want)) {
          const dims = states.map((s) => `${s.length}-D`);
          message =
            m.type === 'LSTM'
              ? batched
                ? msg('The state does not fit the input (PyTorch: "For batched 3-D input, hx and cx should also be 3-D but got ({0}) tensors"). Give h0 and c0 as ({1}, N, H).', dims.join(', '), dl)
                : msg('The state does not fit the input (PyTorch: "For unbatched 2-D input, hx and cx should also be 2-D but got ({0}) tensors"). Give h0 and c0 as ({1}, H).', dims.join(', '), dl)
              : batched
                ? msg('The state does not fit the input (PyTorch: "For batched 3-D input, hx should also be 3-D but got {0} tensor"). Give h0 as ({1}, N, H).', dims[0], dl)
                : msg('The state does not fit the input (PyTorch: "For unbatched 2-D input, hx should also be 2-D but got {0} tensor"). Give h0 as ({1}, H).', dims[0], dl);
          break;
        }
        const n = batched ? (batchFirst ? shape[0] : shape[1]) : 1;
        const got = states.map((s) => (batched ? s : [s[0], 1, s[1]]));
        const expected = [[dl, n, hOut], [dl, n, hiddenSize]];
        for (let i = 0; i < got.length; i++) {
          if (fmt(got[i]) === fmt(expected[i])) continue;
          const which = m.type === 'LSTM' ? `hidden[${i}]` : 'hidden';
          const name = m.type === 'LSTM' ? (i === 0 ? 'h0' : 'c0') : 'h0';
          const layout = i === 0 ? 'D·num_layers, N, H_out' : 'D·num_layers, N, hidden_size';
          message = msg(
            '{0} does not fit {1} (PyTorch: "Expected {2} size ({3}), got [{4}]"). {0} is ({5}) whatever batch_first is; here that is ({3}).',
            name,
            m.name ?? `nn.${m.type}`,
            which,
            fmt(expected[i]),
            fmt(got[i]),
            layout,
          );
          break;
        }
        if (message) break;
      }
      if (message) out.push({ code: 'hidden-shape-mismatch', start: mc.call.span.start, end: mc.call.span.end, message });
    }
    return out;
  },
};

const STATE_FACTORY = /^torch\.(zeros|ones|randn|rand|empty)$/;
const PASS_THROUGH = new Set(['to', 'cuda', 'float', 'double', 'requires_grad_', 'detach', 'contiguous', 'type_as']);

/** The size arguments of `torch.zeros(a, b, c)` (through `.to(device)`-like calls and one name binding). */
function factorySizes(ctx: LintContext, e: Expr, node: StmtNode, depth = 0): { sizes: Expr[]; node: StmtNode } | undefined {
  if (depth > 6) return undefined;
  if (e.k === 'name') {
    const b = ctx.bindingBefore(e.id, node);
    if (!b || b.stmt.k !== 'assign' || b.stmt.targets.length !== 1 || b.stmt.targets[0].k !== 'name' || b.stmt.aug) return undefined;
    if (b.blocks.some((blk) => blk.kind !== 'def' && blk.kind !== 'class' && !node.blocks.includes(blk))) return undefined;
    return factorySizes(ctx, b.stmt.value, b, depth + 1);
  }
  if (e.k !== 'call' || e.messy) return undefined;
  if (e.fn.k === 'attr' && PASS_THROUGH.has(e.fn.attr) && !ctx.canonical(e.fn)) return factorySizes(ctx, e.fn.obj, node, depth + 1);
  const q = ctx.canonical(e.fn);
  if (!q || !STATE_FACTORY.test(q)) return undefined;
  const sizes = e.args.length === 1 && e.args[0].k === 'tuple' ? e.args[0].items : e.args;
  return { sizes, node };
}

/**
 * The state's first axis against D·num_layers when the other sizes come from the data: a literal
 * or a constant, or `self.num_layers` set from the very parameter that gives the module its
 * num_layers (then the state has num_layers where a bidirectional module needs 2·num_layers).
 */
function firstAxisMismatch(ctx: LintContext, m: ModuleInfo, states: [Expr, StmtNode][], dl: number): Msg | undefined {
  for (let i = 0; i < states.length; i++) {
    const f = factorySizes(ctx, states[i][0], states[i][1]);
    if (!f || f.sizes.length !== 3) continue;
    const first = f.sizes[0];
    let value = ctx.intValue(first, f.node);
    if (value === undefined && sameAsNumLayers(ctx, m, first, f.node)) value = m.known.numLayers;
    if (value === undefined || value === dl) continue;
    const which = m.type === 'LSTM' ? `hidden[${i}]` : 'hidden';
    const name = m.type === 'LSTM' ? (i === 0 ? 'h0' : 'c0') : 'h0';
    return msg(
      '{0} does not fit {1}: its first axis is {2}, but {1} needs D·num_layers = {3} there (PyTorch: "Expected {4} size ({3}, N, H), got [{2}, N, H]"). {0} is (D·num_layers, N, H) whatever batch_first is; for a bidirectional module D = 2.',
      name,
      m.name ?? `nn.${m.type}`,
      value,
      dl,
      which,
    );
  }
  return undefined;
}

/** `first` is the value the module's num_layers comes from: the same name, or `self.x` set from it. */
function sameAsNumLayers(ctx: LintContext, m: ModuleInfo, first: Expr, node: StmtNode): boolean {
  const arg = m.args.get('num_layers');
  if (!arg || m.known.numLayers === undefined) return false;
  const a = dotted(arg);
  const f = dotted(first);
  if (!a || !f) return false;
  if (a === f && f.startsWith('self.') && node.cls && node.cls === m.node.cls) return ctx.assignmentsTo(f).filter((n) => n.cls === node.cls).length === 1;
  if (!f.startsWith('self.') || !node.cls || node.cls !== m.node.cls || arg.k !== 'name') return false;
  // self.num_layers = num_layers in the same __init__ that passes num_layers to the module
  const sets = ctx.assignmentsTo(f).filter((n) => n.cls === node.cls);
  if (sets.length !== 1) return false;
  const s = sets[0].stmt;
  return s.k === 'assign' && s.targets.length === 1 && s.value.k === 'name' && s.value.id === arg.id && sets[0].fn === m.node.fn && ctx.bindingBefore(arg.id, m.node)?.idx === m.node.fn?.header;
}
