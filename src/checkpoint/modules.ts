/*
 * Recurrent modules recognised from tensor names and shapes, as `rnn-lens inspect` lists them.
 * Layer: checkpoint. No vscode, no DOM, no Node.
 *
 * PyTorch: weight_ih_l{k} is (G*hidden_size, input_size) with G = 1 (RNN), 3 (GRU), 4 (LSTM);
 * weight_hh_l{k} is (G*hidden_size, H_out); weight_hr_l{k} (LSTM with proj_size) is
 * (proj_size, hidden_size); `_reverse` marks the second direction. Cells (nn.RNNCell, ...)
 * name theirs weight_ih, weight_hh, bias_ih, bias_hh. A head is a Linear beside the module
 * (same parent) whose in_features match the module's output.
 */
import type { HeadInfo, ModuleAttributes, ModuleInfo, TensorInfo } from './types';

const LAYER_PARAM = /^(weight|bias)_(ih|hh|hr)_l(\d+)(_reverse)?$/;
const CELL_PARAM = /^(weight|bias)_(ih|hh)$/;

function split(name: string): [string, string] {
  const dot = name.lastIndexOf('.');
  return dot < 0 ? ['', name] : [name.slice(0, dot + 1), name.slice(dot + 1)];
}

const GATES: Record<number, 'RNN' | 'GRU' | 'LSTM'> = { 1: 'RNN', 3: 'GRU', 4: 'LSTM' };

export interface Recognised {
  modules: ModuleInfo[];
  notes: string[];
}

/** Every recurrent module the names and shapes describe, in the file's order, with its head. */
export function recogniseModules(tensors: readonly TensorInfo[], attributes: ReadonlyMap<string, ModuleAttributes>): Recognised {
  const notes: string[] = [];
  const byName = new Map<string, TensorInfo>();
  for (const t of tensors) byName.set(t.name, t);
  const groups: string[] = [];
  const groupSet = new Set<string>();
  for (const t of tensors) {
    const [prefix, base] = split(t.name);
    if ((base === 'weight_ih_l0' || base === 'weight_ih') && !groupSet.has(prefix)) {
      groupSet.add(prefix);
      groups.push(prefix);
    }
  }
  const modules: ModuleInfo[] = [];
  for (const prefix of groups) {
    const get = (base: string) => byName.get(prefix + base);
    const ih = get('weight_ih_l0');
    let m: ModuleInfo | undefined;
    if (ih) {
      const hh = get('weight_hh_l0');
      const hr = get('weight_hr_l0');
      if (!hh || ih.shape.length !== 2 || hh.shape.length !== 2) continue;
      const hidden = hr ? hr.shape[1] : hh.shape[1];
      const g = hidden > 0 ? ih.shape[0] / hidden : 0;
      const type = GATES[g];
      if (!type || (hr && type !== 'LSTM')) {
        notes.push(`${prefix}weight_ih_l0 has ${ih.shape[0]} rows for hidden_size ${hidden}: not an RNN (1x), GRU (3x) or LSTM (4x); not listed as a module`);
        continue;
      }
      let layers = 0;
      let reverse = false;
      for (const t of tensors) {
        const [p, base] = split(t.name);
        if (p !== prefix) continue;
        const x = LAYER_PARAM.exec(base);
        if (!x) continue;
        layers = Math.max(layers, Number(x[3]) + 1);
        if (x[4]) reverse = true;
      }
      m = {
        prefix, type, input_size: ih.shape[1], hidden_size: hidden, num_layers: layers,
        bidirectional: reverse, proj_size: hr ? hr.shape[0] : 0, bias: !!get('bias_ih_l0'), head: null,
      };
    } else {
      const cih = get('weight_ih');
      const chh = get('weight_hh');
      if (!cih || !chh || cih.shape.length !== 2 || chh.shape.length !== 2) continue;
      const hidden = chh.shape[1];
      const g = hidden > 0 ? chh.shape[0] / hidden : 0;
      const type = GATES[g];
      if (!type || cih.shape[0] !== chh.shape[0]) continue;
      m = { prefix, type: `${type}Cell` as ModuleInfo['type'], input_size: cih.shape[1], hidden_size: hidden, bias: !!get('bias_ih'), head: null };
    }
    const attrs = attributes.get(prefix);
    if (attrs && attrs.batchFirst !== undefined && !m.type.endsWith('Cell')) m.batch_first = attrs.batchFirst;
    if (attrs && attrs.nonlinearity !== undefined && (m.type === 'RNN' || m.type === 'RNNCell')) m.nonlinearity = attrs.nonlinearity;
    m.head = findHead(m, tensors, byName, notes);
    modules.push(m);
  }
  const unknown = modules.filter((m) => (m.batch_first === undefined && !m.type.endsWith('Cell')) || ((m.type === 'RNN' || m.type === 'RNNCell') && m.nonlinearity === undefined));
  if (unknown.length > 0) {
    const rnn = unknown.some((m) => m.type === 'RNN' || m.type === 'RNNCell');
    notes.push(rnn
      ? 'names and shapes cannot tell batch_first or an RNN\'s nonlinearity (tanh or relu): they are null here; give them in the document\'s "model"'
      : 'names and shapes cannot tell batch_first: it is null here; give it in the document\'s "model"');
    for (const m of unknown) {
      if (m.batch_first === undefined && !m.type.endsWith('Cell')) m.batch_first = null;
      if ((m.type === 'RNN' || m.type === 'RNNCell') && m.nonlinearity === undefined) m.nonlinearity = null;
    }
  }
  return { modules, notes };
}

function findHead(m: ModuleInfo, tensors: readonly TensorInfo[], byName: Map<string, TensorInfo>, notes: string[]): HeadInfo | null {
  if (m.prefix === '') return null; // a bare module: nothing beside it
  const parent = m.prefix.slice(0, m.prefix.slice(0, -1).lastIndexOf('.') + 1);
  const d = m.bidirectional ? 2 : 1;
  const width = d * (m.proj_size ? m.proj_size : m.hidden_size);
  const found: HeadInfo[] = [];
  for (const t of tensors) {
    if (!t.name.startsWith(parent) || !t.name.endsWith('.weight')) continue;
    const child = t.name.slice(parent.length, -'.weight'.length);
    if (child === '' || child.includes('.') || `${parent}${child}.` === m.prefix) continue;
    if (t.shape.length !== 2 || t.shape[1] !== width) continue;
    const bias = byName.get(`${parent}${child}.bias`);
    if (!bias || bias.shape.length !== 1 || bias.shape[0] !== t.shape[0]) continue;
    found.push({ prefix: `${parent}${child}.`, in_features: t.shape[1], out_features: t.shape[0] });
  }
  if (found.length === 1) return found[0];
  if (found.length > 1) {
    notes.push(`${m.prefix || 'the module'}: several Linear layers could be its head (${found.map((h) => h.prefix).join(', ')}): none chosen; give "head_prefix" in the document`);
  }
  return null;
}
