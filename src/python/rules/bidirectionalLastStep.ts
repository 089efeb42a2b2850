/*
 * bidirectional-last-step and last-step-wrong-axis: the "last step" taken from a recurrent
 * module's output. For a bidirectional module the last step's reverse half has read only the
 * last token (its summary of the sequence is at t = 0); on the wrong axis (`out[:, -1]` of a
 * seq-first output, `out[-1]` of a batch_first output) it is the last sample, not the last step.
 * Reported at the indexing. Silent when batch_first / bidirectional are not fixed by the file,
 * when the output is rebound before, when the input is known to be unbatched (2-D) for the axis
 * rule, and when the input is a PackedSequence (pad_packed_sequence is its own rule).
 *
 *   wrong:  out, (h_n, c_n) = self.lstm(x)          # bidirectional=True, batch_first=True
 *           return self.fc(out[:, -1, :])
 *   right:  return self.fc(torch.cat((h_n[-2], h_n[-1]), dim=1))
 *
 *   wrong:  out, h = self.gru(x)                    # batch_first=False: out is (L, N, H)
 *           last = out[:, -1]
 *   right:  last = out[-1]
 *
 * Quick fix (bidirectional-last-step, when h_n is bound by the same call and torch is
 * imported as torch): torch.cat((h_n[-2], h_n[-1]), dim=1). Layer: python (pure).
 */
import type { LintRule } from './context';
import { checkLastStep } from './lastStep';

export const bidirectionalLastStep: LintRule = { code: 'bidirectional-last-step', check: (ctx) => checkLastStep(ctx, 'bidirectional-last-step') };
