/*
 * From the unpickled object to state_dict names: a state_dict (an OrderedDict), a whole
 * pickled model (its modules' _parameters, _buffers and _modules, as state_dict() walks
 * them), or a training checkpoint dict (keys joined with dots, integer keys and list indexes
 * in decimal). Each tensor is listed once, at its first name.
 * Layer: checkpoint. No vscode, no DOM, no Node.
 *
 * The walk is iterative with a depth limit: a pickle can nest far deeper than a stack.
 */
import { PyDict, PyList, PyObject, PySet, PyTensor, PyTuple, describe, type PyValue } from './pickle';
import { CheckpointError } from './source';
import type { ModuleAttributes } from './types';

/** Deepest object nesting walked (a real model is ~20 levels deep). */
export const MAX_WALK_DEPTH = 1000;

export interface NamedTensor {
  name: string;
  tensor: PyTensor;
}

export interface WalkResult {
  tensors: NamedTensor[];
  moduleAttributes: Map<string, ModuleAttributes>;
  /** Non-tensor values of a checkpoint dict worth a note (epoch: 3). Only top-level scalars. */
  scalars: string[];
}

/** A torch.nn.Module-like object: its state holds _parameters or _modules. */
function moduleState(v: PyObject): PyDict | undefined {
  const s = v.state instanceof PyTuple ? v.state.items[0] : v.state;
  if (s instanceof PyDict && (s.get('_parameters') !== undefined || s.get('_modules') !== undefined)) return s;
  return undefined;
}

function keyText(k: PyValue): string | undefined {
  if (typeof k === 'string') return k;
  if (typeof k === 'number' || typeof k === 'bigint') return String(k);
  if (typeof k === 'boolean') return k ? 'True' : 'False';
  return undefined;
}

/** Every tensor reachable from `root`, named as state_dict() (or the checkpoint dict's paths) would name it. */
export function walkTensors(root: PyValue): WalkResult {
  const tensors: NamedTensor[] = [];
  const moduleAttributes = new Map<string, ModuleAttributes>();
  const scalars: string[] = [];
  const seen = new Set<object>();
  const stack: { v: PyValue; name: string; depth: number }[] = [{ v: root, name: '', depth: 0 }];
  const join = (prefix: string, key: string) => (prefix === '' ? key : `${prefix}.${key}`);
  while (stack.length > 0) {
    const { v, name, depth } = stack.pop()!;
    if (v === null || typeof v !== 'object') {
      if (depth === 1 && (typeof v === 'number' || typeof v === 'string' || typeof v === 'boolean') && scalars.length < 20) {
        scalars.push(`${name}: ${describe(v)}`);
      }
      continue;
    }
    if (depth > MAX_WALK_DEPTH) throw new CheckpointError(`the pickle nests objects more than ${MAX_WALK_DEPTH} levels deep: refused`);
    if (seen.has(v)) continue;
    seen.add(v);
    const children: { v: PyValue; name: string }[] = [];
    if (v instanceof PyTensor) {
      tensors.push({ name, tensor: v });
      continue;
    }
    if (v instanceof PyDict) {
      v.keys.forEach((k, i) => {
        const t = keyText(k);
        if (t !== undefined) children.push({ v: v.values[i], name: join(name, t) });
      });
    } else if (v instanceof PyList || v instanceof PyTuple) {
      v.items.forEach((x, i) => children.push({ v: x, name: join(name, String(i)) }));
    } else if (v instanceof PySet) {
      continue;
    } else if (v instanceof PyObject) {
      const state = moduleState(v);
      if (state) {
        const prefix = name === '' ? '' : `${name}.`;
        const attrs: ModuleAttributes = { className: v.className };
        const bf = state.get('batch_first');
        if (typeof bf === 'boolean') attrs.batchFirst = bf;
        const nl = state.get('nonlinearity');
        if (typeof nl === 'string') attrs.nonlinearity = nl;
        moduleAttributes.set(prefix, attrs);
        const nonPersistent = state.get('_non_persistent_buffers_set');
        const skip = new Set<string>(nonPersistent instanceof PySet ? nonPersistent.items.filter((x): x is string => typeof x === 'string') : []);
        for (const field of ['_parameters', '_buffers', '_modules']) {
          const d = state.get(field);
          if (!(d instanceof PyDict)) continue;
          d.keys.forEach((k, i) => {
            const t = keyText(k);
            if (t === undefined || d.values[i] === null) return;
            if (field === '_buffers' && skip.has(t)) return;
            children.push({ v: d.values[i], name: join(name, t) });
          });
        }
      } else {
        // Another object: its attributes (state) and items, as data.
        const s = v.state instanceof PyTuple ? v.state.items[0] : v.state;
        if (s instanceof PyDict) {
          s.keys.forEach((k, i) => {
            const t = keyText(k);
            if (t !== undefined) children.push({ v: s.values[i], name: join(name, t) });
          });
        }
        v.items.forEach((x, i) => children.push({ v: x, name: join(name, String(i)) }));
      }
    } else {
      continue;
    }
    for (let i = children.length - 1; i >= 0; i--) stack.push({ ...children[i], depth: depth + 1 });
  }
  return { tensors, moduleAttributes, scalars };
}
