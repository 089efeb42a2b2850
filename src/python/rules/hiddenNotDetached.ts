/*
 * hidden-not-detached: a hidden state carried from one training iteration to the next without
 * `.detach()`. The state still belongs to the previous iteration's graph, which backward() freed,
 * so the second backward() raises "Trying to backward through the graph a second time" (or,
 * with retain_graph=True, backpropagates through every earlier batch). Reported at the call that
 * feeds the carried state back in (`out, h = model(x, h)` inside the loop), not at backward().
 *
 * Reported only when: the call both takes and rebinds the state (`out, h = model(x, h)`), the
 * state is bound before the loop, the loop body calls .backward() and never rebinds the state
 * otherwise (no `h = h.detach()`, no `h = model.init_hidden()`), and nothing in the loop mentions
 * detach, .data, repackage, retain_graph or no_grad.
 *
 *   wrong:  h = torch.zeros(1, 32, 64)
 *           for x, y in loader:
 *               out, h = model(x, h)
 *               loss = crit(out, y); opt.zero_grad(); loss.backward(); opt.step()
 *   right:      h = h.detach()              # before the call (or after it) in every iteration
 *
 * Layer: python (pure).
 */
import { walk, type Expr } from '../expr';
import { msg } from '../messages';
import { stmtExprs, targetNames, type Block, type LintContext, type LintFinding, type LintRule } from './context';

const SAFE_WORDS = /\bdetach|\.data\b|repackage|retain_graph|no_grad|inference_mode|\.eval\s*\(/;

/** Plain names passed as arguments (also inside tuples: `(h, c)`). */
function argNames(call: Extract<Expr, { k: 'call' }>): string[] {
  const out: string[] = [];
  for (const a of [...call.args, ...call.kwargs.map((k) => k.value)]) {
    if (a.k === 'name') out.push(a.id);
    else if (a.k === 'tuple') for (const it of a.items) if (it.k === 'name') out.push(it.id);
  }
  return out;
}

export const hiddenNotDetached: LintRule = {
  code: 'hidden-not-detached',
  check(ctx: LintContext): LintFinding[] {
    const out: LintFinding[] = [];
    for (const node of ctx.nodes) {
      const s = node.stmt;
      if (s.k !== 'assign' || s.targets.length !== 1 || s.value.k !== 'call' || s.aug) continue;
      const call = s.value;
      const targets = new Set(targetNames(s.targets[0]).filter((n) => n !== '_'));
      const carried = argNames(call).filter((n) => targets.has(n));
      if (carried.length === 0 || s.targets[0].k !== 'tuple') continue;
      const loops = node.blocks.filter((b) => b.kind === 'loop' && (!node.fn || b.header > node.fn.header));
      let found = false;
      for (let i = loops.length - 1; i >= 0 && !found; i--) {
        const loop = loops[i];
        const body = ctx.body(loop);
        const text = codeOf(ctx, loop);
        if (SAFE_WORDS.test(text)) break;
        // Another binding of the state inside the loop (reset, detach through a helper): fine.
        const rebound = carried.some((h) => body.some((b) => b !== node && ctx.binds(b, h)) || (loop.stmt.k === 'for' && loop.stmt.target && targetNames(loop.stmt.target).includes(h)));
        if (rebound) break;
        if (!hasBackward(ctx, loop)) continue;
        // The state must be bound before the loop, in the same function.
        const before = carried.filter((h) => {
          for (let j = loop.header - 1; j >= 0; j--) {
            const n = ctx.nodes[j];
            if (node.fn && j <= node.fn.header) return node.fn.stmt.k === 'def' && node.fn.stmt.params.some((p) => p.name === h);
            if (n.fn === node.fn && ctx.binds(n, h)) return true;
          }
          return false;
        });
        if (before.length === 0) break;
        if (modelDetaches(ctx)) break;
        found = true;
        const names = before.join(', ');
        out.push({
          code: 'hidden-not-detached',
          start: call.span.start,
          end: call.span.end,
          message: msg(
            '{0} is carried from the previous iteration without .detach(): it still belongs to the graph that the previous backward() freed, so this backward() raises "Trying to backward through the graph a second time". Cut it at the start of each iteration: {1} (for a tuple such as LSTM\'s (h, c), detach each tensor: tuple(t.detach() for t in state)).',
            names,
            before.map((h) => `${h} = ${h}.detach()`).join('; '),
          ),
        });
      }
    }
    return out;
  },
};

/** The code of a block (header and body statements, comments left out). */
function codeOf(ctx: LintContext, b: Block): string {
  return [ctx.nodes[b.header], ...ctx.body(b)].map((n) => ctx.src(n.stmt.span)).join('\n');
}

function hasBackward(ctx: LintContext, loop: Block): boolean {
  let found = false;
  for (const n of ctx.body(loop)) {
    for (const root of stmtExprs(n.stmt)) {
      walk(root, (e) => {
        if (e.k === 'call' && e.fn.k === 'attr' && e.fn.attr === 'backward') found = true;
      });
    }
  }
  return found;
}

/** A class of the file detaches (or repackages) the state itself: then say nothing. */
function modelDetaches(ctx: LintContext): boolean {
  const classes = ctx.nodes.filter((n) => n.stmt.k === 'class');
  for (const c of classes) {
    const blk = ctx.nodes[c.idx + 1]?.blocks.find((b) => b.header === c.idx);
    if (!blk) continue;
    const text = codeOf(ctx, blk);
    if (SAFE_WORDS.test(text)) return true;
  }
  return false;
}

