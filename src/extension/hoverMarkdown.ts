/*
 * Markdown for hovers and the Show Shapes command: the shape table of a model, the role of one
 * state_dict entry, the shape of one tensor. Pure (no vscode import): strings are localised by the
 * `t` the caller passes (vscode.l10n.t), so the same text is unit-tested on Node.
 * Layer: extension, pure part (imports engine and document types/helpers only).
 *
 * Everything that comes from the user's text (keys, names) goes through escapeMarkdown; the
 * hover's MarkdownString is created with isTrusted false and supportHtml false on top of that.
 */
import type { CellType, Dim, GateBlock, ModelConfig, HeadConfig, ParamInfo, ShapeReport } from '../engine/types';

/** Localiser: vscode.l10n.t in the extension; `{0}`-substitution in tests. */
export type Localize = (message: string, ...args: (string | number)[]) => string;

/** Escapes Markdown (and HTML) punctuation so user text is shown as written. */
export function escapeMarkdown(text: string): string {
  return text.replace(/[\\`*_{}[\]()#+\-.!|<>~&]/g, (c) => `\\${c}`).replace(/\r?\n/g, ' ');
}

/** Text from the document as an inline code span (backticks removed: a code span cannot escape them). */
export function codeSpan(text: string): string {
  return `\`${text.replace(/[`\r\n]/g, '')}\``;
}

/** `(3, 5, 20)`, `(N, L, 20)`, `(2,)`: a shape as PyTorch prints a tuple. */
export function dimsText(shape: readonly Dim[]): string {
  return shape.length === 1 ? `(${shape[0]},)` : `(${shape.join(', ')})`;
}

/** 12,345 */
export function groupNumber(n: number): string {
  return Math.round(n).toLocaleString('en-US');
}

/** 2.7 kB, 1.2 MB: float32 weight sizes, decimal units. */
export function formatBytes(bytes: number): string {
  if (bytes < 1000) return `${bytes} B`;
  const units = ['kB', 'MB', 'GB', 'TB'];
  let v = bytes;
  let u = -1;
  while (v >= 1000 && u < units.length - 1) {
    v /= 1000;
    u++;
  }
  return `${v >= 100 ? v.toFixed(0) : v.toFixed(1)} ${units[u]}`;
}

/** Human name of a gate by PyTorch's letter (LSTM i, f, g, o; GRU r, z, n). */
export function gateLabel(gate: string, t: Localize): string {
  switch (gate) {
    case 'i':
      return t('input gate');
    case 'f':
      return t('forget gate');
    case 'g':
      return t('cell candidate');
    case 'o':
      return t('output gate');
    case 'r':
      return t('reset gate');
    case 'z':
      return t('update gate');
    case 'n':
      return t('new gate (candidate)');
    default:
      return '';
  }
}

/** Gate blocks of a parameter as `i [0:20] · f [20:40] ...` (— for a plain RNN). */
export function gateRows(gates: readonly GateBlock[]): string {
  const named = gates.filter((g) => g.gate !== '');
  if (named.length === 0) return '—';
  return named.map((g) => `${g.gate} \`[${g.rowStart}:${g.rowEnd}]\``).join(' · ');
}

/** One line naming the model, e.g. "LSTM · input_size 10 → hidden_size 20 · 2 layers · bidirectional". */
export function modelLine(model: ModelConfig, head: HeadConfig | undefined, t: Localize): string {
  const parts: string[] = [`**${model.type}**`, `input_size ${model.inputSize} → hidden_size ${model.hiddenSize}`];
  parts.push(model.numLayers === 1 ? t('1 layer') : t('{0} layers', model.numLayers));
  if (model.bidirectional) parts.push(t('bidirectional'));
  if (model.batchFirst) parts.push('batch_first');
  if (model.type === 'RNN' && model.nonlinearity === 'relu') parts.push('relu');
  if (model.projSize > 0) parts.push(`proj_size ${model.projSize}`);
  if (!model.bias) parts.push('bias=False');
  if (head) parts.push(t('head: Linear → {0}', head.outFeatures));
  return parts.join(' · ');
}

/** Options for shapeMarkdown. */
export interface ShapeMarkdownOptions {
  /** When given, a first line names the model (type, sizes, layers). */
  model?: ModelConfig;
  head?: HeadConfig;
}

/**
 * The tidy Markdown table of a model's shapes: input -> output, h_n (c_n) and head, then every
 * parameter with its shape and gate blocks, counts, FLOPs and weight bytes. N and L appear as
 * letters when the document gives no input.
 */
export function shapeMarkdown(report: ShapeReport, t: Localize, opts: ShapeMarkdownOptions = {}): string {
  const lines: string[] = [];
  if (opts.model) lines.push(modelLine(opts.model, opts.head, t), '');
  lines.push(`| ${t('Tensor')} | ${t('Shape')} | ${t('Meaning')} |`, '|---|---|---|');
  lines.push(`| input | \`${dimsText(report.input)}\` | ${t('the sequence x_t fed in')} |`);
  lines.push(`| h0 | \`${dimsText(report.h0)}\` | ${t('initial hidden state (zeros when not given)')} |`);
  if (report.c0) lines.push(`| c0 | \`${dimsText(report.c0)}\` | ${t('initial cell state (zeros when not given)')} |`);
  lines.push(`| output | \`${dimsText(report.output)}\` | ${t('hidden state h_t of the last layer at every time step')} |`);
  lines.push(`| h_n | \`${dimsText(report.hN)}\` | ${t('final hidden state of each layer and direction')} |`);
  if (report.cN) lines.push(`| c_n | \`${dimsText(report.cN)}\` | ${t('final cell state of each layer and direction')} |`);
  if (report.head) lines.push(`| head | \`${dimsText(report.head)}\` | ${t('Linear applied to output at the last time step')} |`);
  const symbolic = [...report.input].some((d) => typeof d === 'string');
  if (symbolic) lines.push('', t('N = batch size, L = sequence length (the document gives no input).'));

  lines.push('', `**${t('Parameters')}**: ${groupNumber(report.paramCount)} · ${t('weights {0} (float32)', formatBytes(report.weightBytes))}`, '');
  lines.push(`| ${t('Parameter')} | ${t('Shape')} | ${t('Gate rows')} |`, '|---|---|---|');
  for (const p of report.params) lines.push(`| ${escapeMarkdown(p.name)} | \`${dimsText(p.shape)}\` | ${gateRows(p.gates)} |`);
  const letters = [...new Set(report.params.flatMap((p) => p.gates.map((g) => g.gate)).filter((g) => g !== ''))];
  if (letters.length > 0) lines.push('', letters.map((g) => `${g} = ${gateLabel(g, t)}`).join(' · '));

  const perStep = t('{0} per time step', groupNumber(report.flopsPerStep));
  const perSeq = report.flopsPerSequence !== undefined ? ` · ${t('{0} per sequence', groupNumber(report.flopsPerSequence))}` : '';
  lines.push('', `**FLOPs**: ${perStep}${perSeq}`);
  return lines.join('\n');
}

function roleText(p: ParamInfo, cell: CellType, t: Localize): string {
  switch (p.kind) {
    case 'weight_ih':
      return t('input-to-hidden weights W_ih (multiplies x_t)');
    case 'weight_hh':
      return t('hidden-to-hidden weights W_hh (multiplies h_(t-1))');
    case 'bias_ih':
      return t('input-to-hidden bias b_ih');
    case 'bias_hh':
      return t('hidden-to-hidden bias b_hh');
    case 'weight_hr':
      return t('projection weights W_hr (h_t = W_hr · (o_t ⊙ tanh(c_t)))');
    case 'head.weight':
      return t('weight of the Linear head');
    case 'head.bias':
      return t('bias of the Linear head');
    default:
      return cell;
  }
}

/**
 * Hover for one state_dict key: which layer and direction, what the tensor does, its gate
 * blocks with their row ranges, and the expected shape against the shape written.
 */
export function parameterMarkdown(
  p: ParamInfo,
  cell: CellType,
  writtenKey: string,
  actualShape: readonly number[] | undefined,
  t: Localize,
): string {
  const lines: string[] = [];
  const where =
    p.layer < 0
      ? t('Linear head')
      : `${t('layer {0}', p.layer)} · ${p.direction === 0 ? t('forward direction') : t('reverse direction')}`;
  lines.push(`**${escapeMarkdown(p.name)}** — ${where}`, '', roleText(p, cell, t));
  if (writtenKey !== p.name) lines.push('', t('Written as {0}: the prefix is dropped, as load_state_dict of the inner module would see it.', codeSpan(writtenKey)));
  const named = p.gates.filter((g) => g.gate !== '');
  if (named.length > 0) {
    lines.push('', t('Gate blocks stacked along dim 0, in PyTorch\'s order:'), '', `| ${t('Gate')} | ${t('Rows')} |`, '|---|---|');
    for (const g of named) lines.push(`| ${g.gate} — ${gateLabel(g.gate, t)} | \`[${g.rowStart}:${g.rowEnd}]\` |`);
  }
  lines.push('');
  if (actualShape === undefined) {
    lines.push(t('Expected shape {0}', `\`${dimsText(p.shape)}\``));
  } else if (actualShape.length === p.shape.length && actualShape.every((d, i) => d === p.shape[i])) {
    lines.push(t('Expected shape {0}, written {1}: matches.', `\`${dimsText(p.shape)}\``, `\`${dimsText(actualShape)}\``));
  } else {
    lines.push(t('Expected shape {0}, but written {1}: does not match.', `\`${dimsText(p.shape)}\``, `\`${dimsText(actualShape)}\``));
  }
  return lines.join('\n');
}

/** Hover for a tensor or any nested array: its shape, its size, and where the hovered number sits. */
export function tensorMarkdown(
  name: string | undefined,
  shape: readonly number[],
  t: Localize,
  opts: { index?: readonly number[]; axes?: readonly string[] } = {},
): string {
  const count = shape.reduce((a, b) => a * b, 1);
  const title = name !== undefined ? `**${escapeMarkdown(name)}** ` : '';
  const lines = [`${title}\`${dimsText(shape)}\` · ${t('{0} numbers', groupNumber(count))}`];
  if (opts.axes && opts.axes.length === shape.length) {
    lines.push('', opts.axes.map((a, i) => `${a} = ${shape[i]}`).join(' · '));
  }
  if (opts.index && opts.index.length > 0) {
    lines.push('', t('This number: {0}', codeSpan(`${name ?? 'x'}${opts.index.map((i) => `[${i}]`).join('')}`)));
  }
  return lines.join('\n');
}

/** Axis names of the input as PyTorch documents them: (L, N, H_in), (N, L, H_in) or (L, H_in). */
export function inputAxes(model: ModelConfig, rank: number, t: Localize): string[] | undefined {
  const l = t('L (time steps)');
  const n = t('N (batch)');
  const h = 'H_in (input_size)';
  if (rank === 2) return [l, h];
  if (rank === 3) return model.batchFirst ? [n, l, h] : [l, n, h];
  return undefined;
}

/** Axis names of h0 / c0: (D*num_layers, N, H_out). */
export function stateAxes(rank: number, t: Localize): string[] | undefined {
  if (rank === 3) return ['D*num_layers', t('N (batch)'), 'H_out'];
  if (rank === 2) return ['D*num_layers', 'H_out'];
  return undefined;
}
