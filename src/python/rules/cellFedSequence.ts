/*
 * cell-fed-sequence: nn.RNNCell / LSTMCell / GRUCell called on a 3-D input. A cell computes
 * one time step and takes (N, input_size) or (input_size); PyTorch 1.13 raises "LSTMCell:
 * Expected input to be 1-D or 2-D but received 3-D tensor". Reported at the call of the cell.
 *
 *   wrong:  cell = nn.LSTMCell(10, 20); h, c = cell(torch.randn(5, 3, 10))
 *   right:  for t in range(x.size(0)): h, c = cell(x[t], (h, c))   # one step at a time
 *           # or nn.LSTM(10, 20), which runs the loop over time itself
 *
 * Layer: python (pure).
 */
import { msg } from '../messages';
import type { LintContext, LintFinding, LintRule } from './context';

export const cellFedSequence: LintRule = {
  code: 'cell-fed-sequence',
  check(ctx: LintContext): LintFinding[] {
    const out: LintFinding[] = [];
    for (const mc of ctx.calls) {
      const m = mc.module;
      if (!m.type.endsWith('Cell')) continue;
      const x = mc.call.args[0];
      if (!x) continue;
      const shapes = ctx.inputShapes(x, mc.node, mc.call);
      const bad = shapes.find((s) => s.shape.length === 3);
      if (!bad) continue;
      const name = m.name ?? `nn.${m.type}`;
      const seq = m.type.slice(0, -4);
      out.push({
        code: 'cell-fed-sequence',
        start: mc.call.span.start,
        end: mc.call.span.end,
        message: msg(
          '{0} is an nn.{1}, which computes one time step, but gets a 3-D input of shape ({2}) (PyTorch: "{1}: Expected input to be 1-D or 2-D but received 3-D tensor"). Call it once per step in a loop over time, on (N, input_size) slices such as x[t], or use nn.{3}, which runs the loop itself.',
          name,
          m.type,
          bad.shape.join(', '),
          seq,
        ),
      });
    }
    return out;
  },
};
