/*
 * Reading checkpoints: bytes in, tensors + modules + notes out. PyTorch zip (torch.save since
 * 1.6), PyTorch legacy (before 1.6, or _use_new_zipfile_serialization=False) and safetensors.
 * Nothing in a file is ever run (see pickle.ts). Listing decodes no tensor data; values are
 * decoded when `read(name)` asks for them.
 * Layer: checkpoint. Imports src/engine types; no vscode, no DOM, no Node. The CLI and the
 * extension hand it a ByteSource.
 */
import type { Tensor } from '../engine/types';
import { recogniseModules } from './modules';
import { readSafetensors, looksLikeSafetensors } from './safetensors';
import { CheckpointError, bytesSource, type ByteSource } from './source';
import { readTorchLegacy, readTorchZip } from './torch';
import type { CheckpointFormat, LazyTensor, ModuleInfo, TensorInfo } from './types';

export { CheckpointError, bytesSource, type ByteSource } from './source';
export type { CheckpointFormat, HeadInfo, ModuleInfo, TensorInfo } from './types';

export interface OpenOptions {
  /** Most elements one tensor may hold when its values are read (the document budget). */
  maxElements?: number;
}

/** An opened checkpoint: what it holds, and its values on request. */
export interface Checkpoint {
  format: CheckpointFormat;
  /** Every tensor, in the file's order, named as state_dict() names it. */
  tensors: TensorInfo[];
  /** Recurrent modules recognised from names and shapes (and a whole model's attributes). */
  modules: ModuleInfo[];
  notes: string[];
  /** The tensor called `name`, or undefined. */
  get(name: string): TensorInfo | undefined;
  /**
   * Values of `name` as float32 numbers (as `.float()` gives them). Decoded on first use, then
   * kept. Throws CheckpointError for an unknown name, a non-float dtype or a corrupt file.
   */
  read(name: string): Tensor;
}

/** `rnn-lens inspect`'s JSON. */
export interface InspectJson {
  format: CheckpointFormat;
  tensors: TensorInfo[];
  modules: ModuleInfo[];
  notes: string[];
}

function detect(src: ByteSource): CheckpointFormat | 'empty' | 'tar' | 'unknown' {
  if (src.size === 0) return 'empty';
  const first = src.read(0, Math.min(src.size, 16));
  if (first.length >= 4 && first[0] === 0x50 && first[1] === 0x4b && first[2] === 0x03 && first[3] === 0x04) return 'pytorch-zip';
  if (first[0] === 0x80 && first.length >= 2 && first[1] >= 2 && first[1] <= 5) return 'pytorch-legacy';
  if (looksLikeSafetensors(first, src.size)) return 'safetensors';
  if (src.size > 262 && String.fromCharCode(...src.read(257, 5)) === 'ustar') return 'tar';
  return 'unknown';
}

/** Open a checkpoint. Throws CheckpointError (one line, safe to show) for anything it cannot read. */
export function openCheckpoint(input: ByteSource | Uint8Array, options: OpenOptions = {}): Checkpoint {
  const src = input instanceof Uint8Array ? bytesSource(input) : input;
  const maxElements = options.maxElements ?? 64_000_000;
  const kind = detect(src);
  let raw;
  switch (kind) {
    case 'empty': throw new CheckpointError('the file is empty (0 bytes)');
    case 'tar': throw new CheckpointError('this is the tar format of PyTorch before 0.4, which is not read; load and save it again with a current torch.save');
    case 'unknown': throw new CheckpointError('not a checkpoint RNN Lens can read: neither a PyTorch zip, a legacy torch.save file nor safetensors');
    case 'pytorch-zip': raw = readTorchZip(src, { maxElements }); break;
    case 'pytorch-legacy': raw = readTorchLegacy(src, { maxElements }); break;
    case 'safetensors': raw = readSafetensors(src, { maxElements }); break;
  }
  const notes = [...raw.notes];
  const converted = new Set(raw.tensors.map((t) => t.dtype).filter((d) => d === 'float64' || d === 'float16' || d === 'bfloat16'));
  for (const d of converted) notes.push(`${d} tensors are read as float32 values, as .float() would convert them`);
  const ints = raw.tensors.filter((t) => !['float32', 'float64', 'float16', 'bfloat16'].includes(t.dtype));
  if (ints.length > 0) notes.push(`${ints.length} tensor(s) of other dtypes (${[...new Set(ints.map((t) => t.dtype))].join(', ')}) are listed but never used as weights`);
  const rec = recogniseModules(raw.tensors, raw.moduleAttributes);
  notes.push(...rec.notes);
  if (rec.modules.length === 0) notes.push('no recurrent module (RNN, LSTM, GRU or a cell) was recognised from the names and shapes');
  const lazy = new Map<string, LazyTensor>();
  for (const t of raw.tensors) if (!lazy.has(t.name)) lazy.set(t.name, t);
  const cache = new Map<string, Tensor>();
  return {
    format: raw.format,
    tensors: raw.tensors.map((t) => ({ name: t.name, dtype: t.dtype, shape: [...t.shape] })),
    modules: rec.modules,
    notes,
    get(name) {
      const t = lazy.get(name);
      return t ? { name: t.name, dtype: t.dtype, shape: [...t.shape] } : undefined;
    },
    read(name) {
      const hit = cache.get(name);
      if (hit) return hit;
      const t = lazy.get(name);
      if (!t) throw new CheckpointError(`the file holds no tensor named ${JSON.stringify(name)}`);
      const tensor: Tensor = { shape: [...t.shape], data: t.load() };
      cache.set(name, tensor);
      return tensor;
    },
  };
}

/** What `rnn-lens inspect` prints. */
export function inspectJson(c: Checkpoint): InspectJson {
  return { format: c.format, tensors: c.tensors, modules: c.modules, notes: c.notes };
}

/** inspect's JSON, one tensor and one module per line: readable, and still one JSON document. */
export function formatInspect(j: InspectJson): string {
  const list = (xs: unknown[]) => (xs.length === 0 ? '[]' : `[\n${xs.map((x) => `    ${JSON.stringify(x)}`).join(',\n')}\n  ]`);
  return `{\n  "format": ${JSON.stringify(j.format)},\n  "tensors": ${list(j.tensors)},\n  "modules": ${list(j.modules)},\n  "notes": ${list(j.notes)}\n}\n`;
}
