/*
 * packed-last-step: `out[:, -1]` after pad_packed_sequence on sequences of different lengths.
 * pad_packed_sequence pads every sequence to the longest one, so for the shorter ones the last
 * position is padding (zeros), not their last step. Reported only when the file fixes the
 * lengths and they differ (lengths read from data: silent). Reported at the indexing.
 *
 *   wrong:  packed = pack_padded_sequence(x, [5, 3, 2], batch_first=True)
 *           out, _ = pad_packed_sequence(self.gru(packed)[0], batch_first=True)
 *           last = out[:, -1]                    # zeros for the sequences of length 3 and 2
 *   right:  _, h_n = self.gru(packed); last = h_n[-1]   # each sequence's own last step
 *           # or out[torch.arange(len(lengths)), lengths - 1]
 *
 * Layer: python (pure).
 */
import { msg } from '../messages';
import type { LintContext, LintFinding, LintRule } from './context';
import { lastStepUsesOf, packedInfo } from './lastStep';

export const packedLastStep: LintRule = {
  code: 'packed-last-step',
  check(ctx: LintContext): LintFinding[] {
    const out: LintFinding[] = [];
    for (const mc of ctx.calls) {
      const input = mc.call.args[0];
      if (!input || !mc.output || mc.output === '_') continue;
      const packed = packedInfo(ctx, input, mc.node);
      if (!packed?.lengths || new Set(packed.lengths).size < 2) continue;
      // out, lens = pad_packed_sequence(packed_out, batch_first=...)
      for (const u of ctx.usesAfter(mc.output, mc.node)) {
        const call = u.parent;
        if (!call || call.k !== 'call' || call.args[0] !== u.expr || ctx.canonical(call.fn) !== 'torch.nn.utils.rnn.pad_packed_sequence') continue;
        const s = u.node.stmt;
        if (s.k !== 'assign' || s.targets.length !== 1) continue;
        const t = s.targets[0];
        let padded: string | undefined;
        if (s.value === call && t.k === 'tuple' && t.items[0]?.k === 'name') padded = t.items[0].id;
        else if (s.value.k === 'sub' && s.value.obj === call && t.k === 'name' && s.value.index.k === 'num' && s.value.index.text === '0') padded = t.id;
        if (!padded) continue;
        const bfArg = call.args[1] ?? call.kwargs.find((k) => k.name === 'batch_first')?.value;
        const batchFirst = !bfArg ? false : bfArg.k === 'const' && typeof bfArg.value === 'boolean' ? bfArg.value : undefined;
        if (batchFirst === undefined) continue;
        for (const use of lastStepUsesOf(ctx, padded, u.node)) {
          if ((use.axis === 1) !== batchFirst) continue;
          const written = ctx.src(use.expr.span).replace(/\s+/g, ' ');
          out.push({
            code: 'packed-last-step',
            start: use.expr.span.start,
            end: use.expr.span.end,
            message: msg(
              '{0} reads padding for the shorter sequences: pad_packed_sequence pads every sequence to the longest (lengths {1}), so their last position is zeros, not their last step. Use h_n from the recurrent module (each sequence\'s own last step), or index {2} at lengths - 1.',
              written,
              packed.lengths.join(', '),
              padded,
            ),
          });
        }
      }
    }
    return out;
  },
};
