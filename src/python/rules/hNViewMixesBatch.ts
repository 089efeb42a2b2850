/*
 * h-n-view-mixes-batch: `h_n.view(N, -1)` / `h_n.reshape(batch, -1)` when D·num_layers > 1.
 * h_n is (D·num_layers, N, H) and contiguous in that order, so a view with the batch first
 * fills each row with several samples' states: row 0 holds sample 0 and sample 1 of layer 0,
 * and so on. Reported at the view/reshape. Silent when D·num_layers is not fixed by the file or
 * the first size is not the batch (a name like batch_size, x.size(0), len(x)).
 *
 *   wrong:  _, h_n = self.gru(x)                 # bidirectional=True: h_n is (2, N, H)
 *           feats = h_n.view(x.size(0), -1)
 *   right:  feats = h_n.permute(1, 0, 2).reshape(x.size(0), -1)
 *           # or torch.cat((h_n[-2], h_n[-1]), dim=1)
 *
 * Layer: python (pure).
 */
import { dotted, type Expr } from '../expr';
import { msg } from '../messages';
import { intLiteral, type LintContext, type LintFinding, type LintRule } from './context';

const BATCH_NAME = /^(n|b|bs|bsz|batch|batch_size|batchsize|batch_sz|n_batch|nbatch|num_batch|n_batches|batches|n_samples|num_samples)$/i;

/** Whether an expression reads as the batch size. */
function batchLike(e: Expr): boolean {
  if (e.k === 'call' && e.fn.k === 'attr' && e.fn.attr === 'size' && e.args.length === 1 && intLiteral(e.args[0]) !== undefined) return true;
  if (e.k === 'sub' && e.obj.k === 'attr' && e.obj.attr === 'shape' && intLiteral(e.index) !== undefined) return true;
  if (e.k === 'sub' && e.obj.k === 'call' && e.obj.fn.k === 'attr' && e.obj.fn.attr === 'size' && e.obj.args.length === 0) return true;
  if (e.k === 'call' && e.fn.k === 'name' && e.fn.id === 'len') return true;
  const d = dotted(e);
  if (d) {
    const last = d.split('.').pop()!;
    return BATCH_NAME.test(last);
  }
  return false;
}

export const hNViewMixesBatch: LintRule = {
  code: 'h-n-view-mixes-batch',
  check(ctx: LintContext): LintFinding[] {
    const out: LintFinding[] = [];
    for (const mc of ctx.calls) {
      const m = mc.module;
      const { bidirectional, numLayers } = m.known;
      if (bidirectional === undefined || numLayers === undefined || !mc.hN || mc.hN === '_') continue;
      const dl = (bidirectional ? 2 : 1) * numLayers;
      if (dl <= 1) continue;
      for (const u of ctx.usesAfter(mc.hN, mc.node)) {
        // h_n.view(...), h_n.contiguous().view(...)
        let base: Expr = u.expr;
        let p = u.parent;
        const parents = new Map<Expr, Expr>();
        for (const root of [u.node.stmt.k === 'assign' ? u.node.stmt.value : undefined, ...(u.node.stmt.k === 'expr' ? u.node.stmt.exprs : [])]) {
          if (!root) continue;
          const stack: Expr[] = [root];
          while (stack.length) {
            const e = stack.pop()!;
            for (const c of kids(e)) {
              parents.set(c, e);
              stack.push(c);
            }
          }
        }
        for (let guard = 0; guard < 3 && p && p.k === 'attr' && p.attr === 'contiguous'; guard++) {
          const call = parents.get(p);
          if (!call || call.k !== 'call' || call.fn !== p) break;
          base = call;
          p = parents.get(call);
        }
        if (!p || p.k !== 'attr' || p.obj !== base || (p.attr !== 'view' && p.attr !== 'reshape')) continue;
        const call = parents.get(p);
        if (!call || call.k !== 'call' || call.fn !== p || call.messy) continue;
        const sizes = call.args.length === 1 && call.args[0].k === 'tuple' ? call.args[0].items : call.args;
        if (sizes.length !== 2 || intLiteral(sizes[1]) !== -1 || !batchLike(sizes[0])) continue;
        const written = ctx.src(call.span).replace(/\s+/g, ' ');
        const first = ctx.src(sizes[0].span);
        out.push({
          code: 'h-n-view-mixes-batch',
          start: call.span.start,
          end: call.span.end,
          message: bidirectional
            ? msg(
                '{0} mixes samples: {1} is ({2}, N, H) (num_layers × directions first), so each row of the view holds states of several samples. Move the batch axis first: {1}.permute(1, 0, 2).reshape({3}, -1), or take the last layer\'s two directions with torch.cat(({1}[-2], {1}[-1]), dim=1).',
                written,
                mc.hN,
                dl,
                first,
              )
            : msg(
                '{0} mixes samples: {1} is ({2}, N, H) (num_layers first), so each row of the view holds states of several samples. Move the batch axis first: {1}.permute(1, 0, 2).reshape({3}, -1), or take the last layer with {1}[-1].',
                written,
                mc.hN,
                dl,
                first,
              ),
        });
      }
    }
    return out;
  },
};

function kids(e: Expr): Expr[] {
  switch (e.k) {
    case 'attr':
      return [e.obj];
    case 'call':
      return [e.fn, ...e.args, ...e.kwargs.map((k) => k.value)];
    case 'sub':
      return [e.obj, e.index];
    case 'tuple':
      return e.items;
    case 'unary':
      return [e.arg];
    case 'bin':
      return [e.left, e.right];
    case 'other':
      return e.parts;
    default:
      return [];
  }
}
