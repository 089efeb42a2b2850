/*
 * input-size-mismatch: the input's last axis differs from the module's input_size. PyTorch
 * raises at the call: "input.size(-1) must be equal to input_size. Expected 10, got 7".
 * Reported at the call of the module. Needs the input's shape from the file (a tensor built
 * with literal sizes, directly or passed to the model's forward); otherwise silent.
 *
 *   wrong:  rnn = nn.RNN(10, 20); out, h = rnn(torch.rand(5, 3, 7))
 *   right:  rnn = nn.RNN(7, 20);  out, h = rnn(torch.rand(5, 3, 7))
 *
 * Layer: python (pure).
 */
import { msg } from '../messages';
import type { LintContext, LintFinding, LintRule } from './context';

export const inputSizeMismatch: LintRule = {
  code: 'input-size-mismatch',
  check(ctx: LintContext): LintFinding[] {
    const out: LintFinding[] = [];
    for (const mc of ctx.calls) {
      const m = mc.module;
      const inputSize = m.known.inputSize;
      const x = mc.call.args[0];
      if (inputSize === undefined || !x) continue;
      const cell = m.type.endsWith('Cell');
      for (const { shape } of ctx.inputShapes(x, mc.node, mc.call)) {
        // Shapes a module cannot take at all are other errors (cell-fed-sequence, dimension count).
        if (cell ? shape.length < 1 || shape.length > 2 : shape.length < 2 || shape.length > 3) continue;
        const got = shape[shape.length - 1];
        if (got === inputSize) continue;
        const name = m.name ?? `nn.${m.type}`;
        out.push({
          code: 'input-size-mismatch',
          start: mc.call.span.start,
          end: mc.call.span.end,
          message: cell
            ? msg('{0} gets an input of shape ({1}) but its input_size is {2} (PyTorch: "input has inconsistent input_size: got {3} expected {2}"). Make the input\'s last axis {2}, or build the cell with input_size={3}.', name, shape.join(', '), inputSize, got)
            : msg('{0} gets an input of shape ({1}) but its input_size is {2} (PyTorch: "input.size(-1) must be equal to input_size. Expected {2}, got {3}"). Make the input\'s last axis {2}, or build the module with input_size={3}.', name, shape.join(', '), inputSize, got),
        });
        break;
      }
    }
    return out;
  },
};
