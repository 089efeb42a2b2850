/*
 * last-step-wrong-axis: `out[:, -1]` on a seq-first output (L, N, H), or `out[-1]` on a
 * batch_first output (N, L, H): the last sample of the batch, not the last time step. Not for
 * unbatched 2-D input, where batch_first does not apply. Reported at the indexing. Shares the
 * reading of "last step" uses with bidirectional-last-step (lastStep.ts).
 *
 *   wrong:  rnn = nn.RNN(10, 20)            # batch_first=False: out is (L, N, 20)
 *           out, h = rnn(x)
 *           y = fc(out[:, -1])               # (L, 20): the last sample at every step
 *   right:  y = fc(out[-1])                 # (N, 20): every sample at the last step
 *
 * Layer: python (pure).
 */
import type { LintRule } from './context';
import { checkLastStep } from './lastStep';

export const lastStepWrongAxis: LintRule = { code: 'last-step-wrong-axis', check: (ctx) => checkLastStep(ctx, 'last-step-wrong-axis') };
