/*
 * Parameters of nn.RNN / nn.LSTM / nn.GRU (and the Linear head) as PyTorch lays them out:
 * state_dict names in registration order, shapes, the gate blocks stacked inside each matrix,
 * torch's seeded initialisation, and parsing of names written by users (`rnn.weight_ih_l0`).
 * Layer: engine. Imports ./types and ./random only (no vscode, no DOM, no Node).
 *
 * PyTorch (torch/nn/modules/rnn.py, 1.13): for each layer k and direction (suffix '' or
 * '_reverse') the module registers weight_ih_l{k}, weight_hh_l{k}, then (bias=True)
 * bias_ih_l{k}, bias_hh_l{k}, then (LSTM, proj_size > 0) weight_hr_l{k}. Gates are stacked
 * row-wise: G = 1 (RNN), 4 (LSTM: i, f, g, o), 3 (GRU: r, z, n), each block hidden_size rows.
 * H_out = proj_size or hidden_size; D = 2 if bidirectional else 1.
 *   weight_ih_l0: (G*hidden_size, input_size)    weight_ih_l{k>0}: (G*hidden_size, D*H_out)
 *   weight_hh_l{k}: (G*hidden_size, H_out)       bias_*: (G*hidden_size)
 *   weight_hr_l{k}: (proj_size, hidden_size)
 *   head.weight: (out_features, D*H_out)         head.bias: (out_features)
 */
import type { CellType, GateBlock, HeadConfig, ModelConfig, ParamInfo, StateDict } from './types';
import { TorchGenerator, uniform_ } from './random';

type RnnKind = 'weight_ih' | 'weight_hh' | 'bias_ih' | 'bias_hh' | 'weight_hr';

/** PyTorch's gate names and plain-language labels, in the order the rows are stacked. */
export const GATES: Record<CellType, { gate: string; label: string }[]> = {
  RNN: [{ gate: '', label: 'hidden units' }],
  LSTM: [
    { gate: 'i', label: 'input gate' },
    { gate: 'f', label: 'forget gate' },
    { gate: 'g', label: 'cell candidate' },
    { gate: 'o', label: 'output gate' },
  ],
  GRU: [
    { gate: 'r', label: 'reset gate' },
    { gate: 'z', label: 'update gate' },
    { gate: 'n', label: 'new gate' },
  ],
};


/** D: 2 for a bidirectional model, else 1. */
export function numDirections(model: ModelConfig): 1 | 2 {
  return model.bidirectional ? 2 : 1;
}

/** H_out: proj_size when an LSTM projects its hidden state, else hidden_size. */
export function hiddenOutSize(model: ModelConfig): number {
  return model.type === 'LSTM' && model.projSize > 0 ? model.projSize : model.hiddenSize;
}

/** The state_dict name of a recurrent parameter: `weight_ih_l0`, `bias_hh_l1_reverse`. */
export function paramName(kind: RnnKind, layer: number, direction: 0 | 1): string {
  return `${kind}_l${layer}${direction === 1 ? '_reverse' : ''}`;
}

function gateBlocks(type: CellType, hiddenSize: number): GateBlock[] {
  return GATES[type].map((g, k) => ({
    gate: g.gate,
    label: g.label,
    rowStart: k * hiddenSize,
    rowEnd: (k + 1) * hiddenSize,
  }));
}

/**
 * Every parameter of the model (then the head), in PyTorch's registration order, which is
 * also the order of `module.state_dict()` and of the seeded draws.
 */
export function parameterInfos(model: ModelConfig, head?: HeadConfig): ParamInfo[] {
  const G = GATES[model.type].length;
  const H = model.hiddenSize;
  const D = numDirections(model);
  const hOut = hiddenOutSize(model);
  const hasProj = model.type === 'LSTM' && model.projSize > 0;
  const out: ParamInfo[] = [];
  for (let layer = 0; layer < model.numLayers; layer++) {
    const inSize = layer === 0 ? model.inputSize : D * hOut;
    for (let d = 0; d < D; d++) {
      const direction = d as 0 | 1;
      const gates = gateBlocks(model.type, H);
      const add = (kind: RnnKind, shape: number[], blocks: GateBlock[]) =>
        out.push({ name: paramName(kind, layer, direction), shape, layer, direction, kind, gates: blocks });
      add('weight_ih', [G * H, inSize], gates);
      add('weight_hh', [G * H, hOut], gates);
      if (model.bias) {
        add('bias_ih', [G * H], gates);
        add('bias_hh', [G * H], gates);
      }
      if (hasProj) add('weight_hr', [model.projSize, H], []);
    }
  }
  if (head) {
    out.push({ name: 'head.weight', shape: [head.outFeatures, D * hOut], layer: -1, direction: 0, kind: 'head.weight', gates: [] });
    if (head.bias !== false) {
      out.push({ name: 'head.bias', shape: [head.outFeatures], layer: -1, direction: 0, kind: 'head.bias', gates: [] });
    }
  }
  return out;
}

function numel(shape: number[]): number {
  return shape.reduce((a, b) => a * b, 1);
}

/**
 * Bound of `nn.init.kaiming_uniform_(w, a=math.sqrt(5))` for a Linear with `fanIn` inputs,
 * computed in double in the same order as PyTorch's Python:
 * gain = sqrt(2 / (1 + a**2)); std = gain / sqrt(fan_in); bound = sqrt(3) * std.
 */
export function linearWeightBound(fanIn: number): number {
  const a = Math.sqrt(5);
  const gain = Math.sqrt(2.0 / (1 + a * a));
  const std = gain / Math.sqrt(fanIn);
  return Math.sqrt(3.0) * std;
}

/**
 * The parameters `torch.manual_seed(s); nn.RNN/LSTM/GRU(...); nn.Linear(...)` would create,
 * drawn from `gen` (which must be fresh from `createGenerator(s)` to match a script that
 * seeds right before building the modules). The generator is left where torch's would be, so
 * a following `torchRand(gen, shape)` gives the script's `torch.rand(...)`.
 *
 * PyTorch: RNNBase.reset_parameters draws uniform_(-1/sqrt(hidden_size), 1/sqrt(hidden_size))
 * for every parameter in registration order (also weight_hr, also with proj_size > 0);
 * Linear draws its weight with kaiming_uniform_(a=sqrt(5)) and its bias with
 * uniform_(-1/sqrt(fan_in), 1/sqrt(fan_in)).
 */
export function initStateDict(model: ModelConfig, head: HeadConfig | undefined, gen: TorchGenerator): StateDict {
  const dict: StateDict = {};
  const stdv = 1.0 / Math.sqrt(model.hiddenSize);
  for (const p of parameterInfos(model, head)) {
    let lo: number;
    let hi: number;
    if (p.kind === 'head.weight') {
      const bound = linearWeightBound(p.shape[1]);
      lo = -bound;
      hi = bound;
    } else if (p.kind === 'head.bias') {
      const fanIn = numDirections(model) * hiddenOutSize(model);
      const bound = 1 / Math.sqrt(fanIn);
      lo = -bound;
      hi = bound;
    } else {
      lo = -stdv;
      hi = stdv;
    }
    dict[p.name] = { shape: [...p.shape], data: uniform_(gen, numel(p.shape), lo, hi) };
  }
  return dict;
}

/** What a parameter name means, for hovers and explanations. */
export interface ParameterDescription {
  /** Module prefix as written, including the dot (`rnn.`, `model.fc.`), or ''. */
  prefix: string;
  /** The name without prefix (`weight_ih_l0_reverse`, `weight`). */
  local: string;
  kind: ParamInfo['kind'];
  /** Layer index; -1 for the head. */
  layer: number;
  /** 0 forward, 1 reverse. */
  direction: 0 | 1;
}

const RNN_NAME = /^(weight_ih|weight_hh|bias_ih|bias_hh|weight_hr)_l(\d+)(_reverse)?$/;

/**
 * Parses a PyTorch parameter name, with or without a module prefix: `weight_ih_l0`,
 * `rnn.bias_hh_l1_reverse`, `fc.weight`, `head.bias`. A bare `weight`/`bias` or any
 * `<module>.weight`/`<module>.bias` is read as the Linear head's. Returns undefined for
 * anything else.
 */
export function describeParameter(name: string): ParameterDescription | undefined {
  const dot = name.lastIndexOf('.');
  const prefix = dot >= 0 ? name.slice(0, dot + 1) : '';
  const local = dot >= 0 ? name.slice(dot + 1) : name;
  const m = RNN_NAME.exec(local);
  if (m) {
    return { prefix, local, kind: m[1] as RnnKind, layer: Number(m[2]), direction: m[3] ? 1 : 0 };
  }
  if (local === 'weight' || local === 'bias') {
    return { prefix, local, kind: local === 'weight' ? 'head.weight' : 'head.bias', layer: -1, direction: 0 };
  }
  return undefined;
}

/**
 * The canonical state_dict name for a key as a user wrote it, or undefined when the key
 * names no parameter of this model and head. `rnn.weight_ih_l0` -> `weight_ih_l0`,
 * `fc.weight` -> `head.weight` (when there is a head). The prefix is returned so callers can
 * explain it ("`rnn.` is the attribute name of the module in your class").
 */
export function canonicalName(
  writtenKey: string,
  model: ModelConfig,
  head?: HeadConfig,
): { name: string; prefix: string } | undefined {
  const known = new Set(parameterInfos(model, head).map((p) => p.name));
  if (known.has(writtenKey)) return { name: writtenKey, prefix: '' };
  const d = describeParameter(writtenKey);
  if (!d) return undefined;
  const name = d.layer === -1 ? d.kind : d.local;
  return known.has(name) ? { name, prefix: d.prefix } : undefined;
}
