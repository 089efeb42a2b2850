/*
 * rnn-output-tuple: nn.RNN/LSTM/GRU return a tuple (output, h_n) (LSTM: (output, (h_n, c_n))),
 * and the tuple is passed on where a tensor is expected. PyTorch raises at the next layer
 * (`linear(): argument 'input' (position 1) must be Tensor, not tuple`) or at the next tensor
 * method (`'tuple' object has no attribute 'view'`). Reported where the tuple is passed on:
 * `self.fc(self.rnn(x))`, the next use of `x = self.gru(x)`, or, inside nn.Sequential, the
 * recurrent module's constructor (when a torch.nn layer follows it). Silent when the tuple goes
 * to code of the file's own (it may unpack it), is returned, printed or unpacked.
 *
 *   wrong:  model = nn.Sequential(nn.LSTM(10, 20, batch_first=True), nn.Linear(20, 2))
 *   wrong:  x = self.gru(x); return self.fc(x[:, -1])
 *   right:  out, _ = self.gru(x); return self.fc(out[:, -1])
 *
 * Layer: python (pure).
 */
import { dotted, type Expr } from '../expr';
import { msg } from '../messages';
import { intLiteral, parentsOf, stmtExprs, type LintContext, type LintFinding, type LintRule, type StmtNode } from './context';

/** torch.nn layers that pass a tuple on unchanged (so nothing fails there). */
const TUPLE_SAFE_LAYERS = new Set(['torch.nn.Identity', 'torch.nn.Sequential', 'torch.nn.ModuleList', 'torch.nn.ModuleDict']);
/** Tensor methods a tuple lacks; any attribute other than the tuple's own. */
const TUPLE_ATTRS = new Set(['count', 'index']);

/** Whether calling `fn` with a tuple raises: a torch.nn layer instance of the file, or a torch function. */
function tensorCallee(ctx: LintContext, fn: Expr, node: StmtNode): string | undefined {
  const q = ctx.canonical(fn);
  if (q && (/^torch\.(nn\.functional\.)?[a-z_0-9]+$/.test(q) || /^torch\.nn\.functional\./.test(q)) && !/^torch\.(cat|stack|hstack|vstack|chunk|split|save|load|no_grad|manual_seed|tensor|as_tensor|is_tensor|numel|typename|jit\..*)$/.test(q)) {
    return q;
  }
  const name = dotted(fn);
  if (!name) return undefined;
  // self.fc = nn.Linear(...) bound once, or fc = nn.Linear(...)
  const binds = ctx.nodes.filter((n) => {
    const s = n.stmt;
    return s.k === 'assign' && s.targets.length === 1 && dotted(s.targets[0]) === name && (name.startsWith('self.') ? n.cls === node.cls : n.fn === node.fn || !n.fn);
  });
  if (binds.length !== 1) return undefined;
  const s = binds[0].stmt;
  if (s.k !== 'assign' || s.value.k !== 'call') return undefined;
  const cq = ctx.canonical(s.value.fn);
  // nn.Sequential(nn.Linear(...), ...): its first layer gets the tuple.
  if (cq === 'torch.nn.Sequential') {
    const first = s.value.args[0];
    const fq = first && first.k === 'call' ? ctx.canonical(first.fn) : undefined;
    return fq && /^torch\.nn\.[A-Z]\w*$/.test(fq) && !TUPLE_SAFE_LAYERS.has(fq) ? fq : undefined;
  }
  if (!cq || !/^torch\.nn\.[A-Z]\w*$/.test(cq) || TUPLE_SAFE_LAYERS.has(cq)) return undefined;
  if (/^torch\.nn\.(RNN|LSTM|GRU|RNNCell|LSTMCell|GRUCell)$/.test(cq)) return cq; // a second RNN also wants a tensor
  return cq;
}

export const rnnOutputTuple: LintRule = {
  code: 'rnn-output-tuple',
  check(ctx: LintContext): LintFinding[] {
    const out: LintFinding[] = [];
    const seen = new Set<number>();
    const push = (f: LintFinding) => {
      if (!seen.has(f.start)) {
        seen.add(f.start);
        out.push(f);
      }
    };
    // nn.Sequential(nn.LSTM(...), nn.Linear(...))
    for (const m of ctx.modules) {
      if (!m.sequential || (m.type !== 'RNN' && m.type !== 'LSTM' && m.type !== 'GRU')) continue;
      const next = m.sequential.call.args[m.sequential.index + 1];
      if (!next || next.k !== 'call') continue;
      const q = ctx.canonical(next.fn);
      if (!q || !/^torch\.nn\.[A-Z]\w*$/.test(q) || TUPLE_SAFE_LAYERS.has(q)) continue;
      const lineEnd = ctx.text.indexOf('\n', m.call.span.start);
      push({
        code: 'rnn-output-tuple',
        start: m.call.span.start,
        end: lineEnd < 0 ? m.call.span.end : Math.min(lineEnd, m.call.span.end),
        message: msg(
          'nn.Sequential passes nn.{0}\'s (output, h_n) tuple to {1}, which expects a tensor (PyTorch: "{2}(): argument \'input\' (position 1) must be Tensor, not tuple"). nn.{0} cannot go in nn.Sequential before another layer: write a Module whose forward does out, h_n = self.rnn(x) and passes out (or h_n) on.',
          m.type,
          ctx.src(next.fn.span),
          q === 'torch.nn.Linear' ? 'linear' : q.slice(9).toLowerCase(),
        ),
      });
    }
    for (const mc of ctx.calls) {
      const t = mc.module.type;
      if (t !== 'RNN' && t !== 'LSTM' && t !== 'GRU') continue;
      // self.fc(self.rnn(x)), self.rnn(x).view(...), self.rnn(x)[:, -1]
      for (const root of stmtExprs(mc.node.stmt)) {
        const parents = parentsOf(root);
        const p = parents.get(mc.call);
        if (!p) continue;
        const f = passedOn(ctx, mc.call, p, mc.node, t);
        if (f) push(f);
      }
      // x = self.gru(x) ... next use of x
      if (mc.tupleName) {
        const uses = ctx.usesAfter(mc.tupleName, mc.node);
        const first = uses[0];
        if (!first || !first.parent) continue;
        const f = passedOn(ctx, first.expr, first.parent, first.node, t);
        if (f) push(f);
      }
    }
    return out;
  },
};

function passedOn(ctx: LintContext, tuple: Expr, p: Expr, node: StmtNode, type: string): LintFinding | undefined {
  const written = ctx.src(tuple.span).replace(/\s+/g, ' ');
  const instead = type === 'LSTM' ? 'out, (h_n, c_n) = ...' : 'out, h_n = ...';
  if (p.k === 'call' && p.args.includes(tuple)) {
    if (p.args[0] !== tuple) return undefined;
    const q = tensorCallee(ctx, p.fn, node);
    if (!q) return undefined;
    const fname = q === 'torch.nn.Linear' ? 'linear' : /^torch\.nn\.[A-Z]/.test(q) ? undefined : q.split('.').pop();
    return {
      code: 'rnn-output-tuple',
      start: tuple.span.start,
      end: tuple.span.end,
      message: fname
        ? msg('{0} is nn.{1}\'s (output, h_n) tuple, not a tensor (PyTorch: "{2}(): argument \'input\' (position 1) must be Tensor, not tuple"). Unpack it first: {3}, then pass out (or h_n) on.', written, type, fname, instead)
        : msg('{0} is nn.{1}\'s (output, h_n) tuple, not a tensor, and {2} expects a tensor. Unpack it first: {3}, then pass out (or h_n) on.', written, type, ctx.src(p.fn.span), instead),
    };
  }
  if (p.k === 'attr' && p.obj === tuple && !TUPLE_ATTRS.has(p.attr)) {
    return {
      code: 'rnn-output-tuple',
      start: tuple.span.start,
      end: p.span.end,
      message: msg('{0} is nn.{1}\'s (output, h_n) tuple, not a tensor (PyTorch: "\'tuple\' object has no attribute \'{2}\'"). Unpack it first: {3}, then use out.{2}.', written, type, p.attr, instead),
    };
  }
  if (p.k === 'sub' && p.obj === tuple && p.index.k === 'tuple' && p.index.bracket === '' && intLiteral(p.index) === undefined) {
    return {
      code: 'rnn-output-tuple',
      start: p.span.start,
      end: p.span.end,
      message: msg('{0} is nn.{1}\'s (output, h_n) tuple, not a tensor (PyTorch: "tuple indices must be integers or slices, not tuple"). Unpack it first: {2}, then index out.', written, type, instead),
    };
  }
  return undefined;
}
