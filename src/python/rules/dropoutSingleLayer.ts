/*
 * dropout-single-layer: `dropout` > 0 on a one-layer nn.RNN/LSTM/GRU. PyTorch applies the
 * recurrent module's dropout between stacked layers only, so with num_layers=1 it does nothing
 * (and warns when the module is built). Reported at the constructor's first line.
 *
 *   wrong:  self.lstm = nn.LSTM(128, 256, batch_first=True, dropout=0.3)
 *   right:  self.lstm = nn.LSTM(128, 256, num_layers=2, batch_first=True, dropout=0.3)
 *           # or keep one layer and put nn.Dropout(0.3) on the output
 *
 * Quick fixes: raise num_layers to 2 (when it is absent or a literal), or drop the dropout
 * keyword. Layer: python (pure).
 */
import { msg } from '../messages';
import type { LintContext, LintFinding, LintFix, LintRule } from './context';

export const dropoutSingleLayer: LintRule = {
  code: 'dropout-single-layer',
  check(ctx: LintContext): LintFinding[] {
    const out: LintFinding[] = [];
    for (const m of ctx.modules) {
      if (m.type !== 'RNN' && m.type !== 'LSTM' && m.type !== 'GRU') continue;
      const { dropout, numLayers } = m.known;
      if (dropout === undefined || numLayers !== 1 || !(dropout > 0) || m.call.messy) continue;
      const fixes: LintFix[] = [];
      const nl = m.args.get('num_layers');
      const call = m.call;
      if (!nl) {
        // Insert after the last argument, before the closing parenthesis.
        const last = [...call.args, ...call.kwargs.map((k) => k.value)].reduce((a, b) => (b.span.end > a ? b.span.end : a), 0);
        if (last > 0) fixes.push({ title: msg('Set num_layers=2 (dropout acts between stacked layers)'), edits: [{ start: last, end: last, newText: ', num_layers=2' }] });
      } else if (nl.k === 'num') {
        fixes.push({ title: msg('Set num_layers=2 (dropout acts between stacked layers)'), edits: [{ start: nl.span.start, end: nl.span.end, newText: '2' }] });
      }
      const kw = call.kwargs.find((k) => k.name === 'dropout');
      if (kw) {
        // Remove `, dropout=0.5` (the comma before it, or the one after when it comes first).
        const text = ctx.text;
        let start = kw.span.start;
        let end = kw.span.end;
        let i = start - 1;
        while (i > call.span.start && /\s/.test(text[i])) i--;
        if (text[i] === ',') start = i;
        else {
          let j = end;
          while (j < call.span.end && /\s/.test(text[j])) j++;
          if (text[j] === ',') {
            j++;
            while (j < call.span.end && /[ \t]/.test(text[j])) j++;
            end = j;
          }
        }
        fixes.push({ title: msg('Remove dropout (a one-layer module has no layer for it to act between)'), edits: [{ start, end, newText: '' }] });
      }
      const lineEnd = ctx.text.indexOf('\n', call.span.start);
      out.push({
        code: 'dropout-single-layer',
        start: call.span.start,
        end: Math.min(call.span.end, lineEnd < 0 ? call.span.end : lineEnd),
        message: msg(
          'dropout={0} does nothing here: PyTorch warns "dropout option adds dropout after all but last recurrent layer, so non-zero dropout expects num_layers greater than 1, but got dropout={0} and num_layers=1". Use num_layers=2 or more, or remove dropout and put nn.Dropout({0}) on the output.',
          fmtFloat(dropout),
        ),
        fixes,
      });
    }
    return out;
  },
};

/** A float as Python prints it (0.5, 0.3, 1e-05 is not expected here). */
export function fmtFloat(v: number): string {
  return Number.isInteger(v) ? `${v}.0` : String(v);
}
