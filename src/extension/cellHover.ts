/*
 * The hover on `model` of a cell document (nn.RNNCell / LSTMCell / GRUCell, one call or the loop
 * over time that calls it): the cell, hx, the loop's stack of h and its last h (and c), every
 * parameter by the cell's name with its gate rows, FLOPs.
 * Layer: extension, pure part (imports engine and document types and hoverMarkdown).
 */
import type { HeadConfig, ModelConfig, ShapeReport } from '../engine/types';
import { cellCall } from '../document/cell';
import type { CellDocument } from '../document/types';
import { codeSpan, dimsText, escapeMarkdown, formatBytes, gateLabel, gateRows, groupNumber } from './hoverMarkdown';

type Localize = (message: string, ...args: (string | number)[]) => string;

/** `report` is already in the cell's terms (cellShapeReport). */
export function cellModelMarkdown(report: ShapeReport, cell: CellDocument, model: ModelConfig, head: HeadConfig | undefined, t: Localize): string {
  const pair = cell.type === 'LSTMCell';
  const lines: string[] = [`**${codeSpan(cellCall(cell, model))}**`, ''];
  lines.push(cell.loop
    ? t('A loop over time calls the cell once per step: for t in range(L): {0}', pair ? 'h, c = cell(x[t], (h, c))' : 'h = cell(x[t], h)')
    : t('One call of the cell: one time step, {0}', pair ? "h', c' = cell(x, (h0, c0))" : "h' = cell(x, h0)"), '');
  lines.push(`| ${t('Tensor')} | ${t('Shape')} | ${t('Meaning')} |`, '|---|---|---|');
  lines.push(`| input | \`${dimsText(report.input)}\` | ${cell.loop ? t('the sequence x; step t gives the cell x[t]') : t('the one time step x')} |`);
  lines.push(`| h0 | \`${dimsText(report.h0)}\` | ${t('hx: the hidden state before the first step (zeros when not given)')} |`);
  if (report.c0) lines.push(`| c0 | \`${dimsText(report.c0)}\` | ${t('the cell state before the first step (zeros when not given)')} |`);
  if (cell.loop) lines.push(`| output | \`${dimsText(report.output)}\` | ${t('torch.stack of h after every step')} |`);
  lines.push(`| h | \`${dimsText(report.hN)}\` | ${cell.loop ? t('h after the last step') : t("h': the cell's new hidden state")} |`);
  if (report.cN) lines.push(`| c | \`${dimsText(report.cN)}\` | ${cell.loop ? t('c after the last step') : t("c': the cell's new cell state")} |`);
  if (report.head) lines.push(`| head | \`${dimsText(report.head)}\` | ${t('Linear applied to output at the last time step')} |`);
  if ([...report.input].some((d) => typeof d === 'string')) lines.push('', t('N = batch size, L = sequence length (the document gives no input).'));
  lines.push('', `**${t('Parameters')}**: ${groupNumber(report.paramCount)} · ${t('weights {0} (float32)', formatBytes(report.weightBytes))}`, '');
  lines.push(`| ${t('Parameter')} | ${t('Shape')} | ${t('Gate rows')} |`, '|---|---|---|');
  for (const p of report.params) lines.push(`| ${escapeMarkdown(p.name)} | \`${dimsText(p.shape)}\` | ${gateRows(p.gates)} |`);
  const letters = [...new Set(report.params.flatMap((p) => p.gates.map((g) => g.gate)).filter((g) => g !== ''))];
  if (letters.length > 0) lines.push('', letters.map((g) => `${g} = ${gateLabel(g, t)}`).join(' · '));
  const perSeq = report.flopsPerSequence !== undefined ? ` · ${t('{0} per sequence', groupNumber(report.flopsPerSequence))}` : '';
  lines.push('', `**FLOPs**: ${t('{0} per time step', groupNumber(report.flopsPerStep))}${perSeq}`);
  void head;
  return lines.join('\n');
}
