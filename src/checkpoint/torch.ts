/*
 * torch.save files: the zip format (PyTorch >= 1.6) and the legacy format (pickles in a row,
 * then the raw storages). Listing reads the directory and the pickle only; a tensor's bytes
 * are read when its values are asked for.
 * Layer: checkpoint. No vscode, no DOM, no Node.
 */
import { FLOAT_DTYPES, decodeFloat, numelOf, viewExtent } from './decode';
import { walkTensors } from './names';
import { PyGlobal, PyStorage, PyTuple, STORAGE_DTYPES, asIndex, describe, elementSize, unpickle, type PyValue } from './pickle';
import { CheckpointError, checkRange, utf8Decode, type ByteSource } from './source';
import type { LazyTensor, RawCheckpoint } from './types';
import { entryDataOffset, readEntry, readZipDirectory, type ZipEntry } from './zip';

/** Largest pickle read (data.pkl, or a legacy file's object pickle). */
export const MAX_PICKLE_BYTES = 256 * 1024 * 1024;

export interface TorchReadOptions {
  /** Most float elements one tensor may hold before its values are decoded. */
  maxElements: number;
}

function storageDtype(t: PyValue): string {
  // torch.cuda.FloatStorage: legacy files saved from a GPU (the bytes are the same).
  if (!(t instanceof PyGlobal) || (t.module !== 'torch' && t.module !== 'torch.cuda') || !Object.prototype.hasOwnProperty.call(STORAGE_DTYPES, t.name)) {
    throw new CheckpointError(`the pickle names ${describe(t)} as a storage type, which torch.save never writes`);
  }
  return STORAGE_DTYPES[t.name][0];
}

/** Notes about the objects a pickle held but that were not loaded. */
function unloadedNote(unloaded: string[]): string[] {
  if (unloaded.length === 0) return [];
  const shown = unloaded.slice(0, 10).join(', ') + (unloaded.length > 10 ? `, and ${unloaded.length - 10} more` : '');
  return [`the file holds objects that were not loaded (nothing in the file was run): ${shown}; the tensors around them were read as data`];
}

/** torch.save's zip format. */
export function readTorchZip(src: ByteSource, options: TorchReadOptions): RawCheckpoint {
  const entries = readZipDirectory(src);
  const pkls = [...entries.keys()].filter((n) => n === 'data.pkl' || /^[^/]*\/data\.pkl$/.test(n));
  if (pkls.length === 0) {
    throw new CheckpointError('this zip file is not a torch.save checkpoint: it has no data.pkl');
  }
  const pklName = pkls[0];
  const root = pklName.slice(0, pklName.length - 'data.pkl'.length);
  const notes: string[] = [];
  if (entries.has(`${root}constants.pkl`) || entries.has(`${root}code/`)) {
    notes.push('this is a TorchScript archive (torch.jit.save): its code is not read, only the tensors its data.pkl names');
  }
  let littleEndian = true;
  const bo = entries.get(`${root}byteorder`);
  if (bo) {
    const text = utf8Decode(readEntry(src, bo, 16)).trim();
    if (text === 'big') littleEndian = false;
  }
  const pkl = readEntry(src, entries.get(pklName)!, MAX_PICKLE_BYTES);
  const storages = new Map<string, PyStorage>();
  const storageEntries = new Map<string, ZipEntry>();
  const result = unpickle(pkl, 0, {
    persistentLoad(pid) {
      if (!(pid instanceof PyTuple) || pid.items[0] !== 'storage' || pid.items.length < 5) {
        throw new CheckpointError(`the pickle refers to ${describe(pid)}, which is not a storage`);
      }
      const [, type, key, location, numelV] = pid.items;
      const dtype = storageDtype(type);
      if (typeof key !== 'string') throw new CheckpointError('the pickle names a storage without a key');
      const numel = asIndex(numelV, 'a storage size');
      const known = storages.get(key);
      if (known) return known;
      const entryName = `${root}data/${key}`;
      const entry = entries.get(entryName);
      if (!entry) throw new CheckpointError(`the storage ${JSON.stringify(key)} has no entry ${JSON.stringify(entryName)} in the zip: the file is truncated or corrupt`);
      const bytes = numel * elementSize(dtype);
      if (!Number.isSafeInteger(bytes) || bytes > entry.size) {
        throw new CheckpointError(`the storage ${JSON.stringify(key)} claims ${numel} ${dtype} elements (${bytes} bytes) but its entry holds ${entry.size} bytes: the file is corrupt`);
      }
      const s = new PyStorage(dtype, key, numel, typeof location === 'string' ? location : 'cpu');
      storages.set(key, s);
      storageEntries.set(key, entry);
      return s;
    },
  });
  notes.push(...unloadedNote(result.unloaded));
  const walked = walkTensors(result.value);
  const dataOffsets = new Map<string, number>();
  const tensors: LazyTensor[] = walked.tensors.map(({ name, tensor }) => {
    const extent = viewExtent(name, tensor.offset, tensor.shape, tensor.stride, tensor.storage.numel);
    const dtype = tensor.storage.dtype;
    return {
      name, dtype, shape: tensor.shape,
      load(): Float64Array {
        if (!FLOAT_DTYPES.has(dtype)) throw new CheckpointError(`${name} is a ${dtype} tensor: it cannot be used as weights`);
        const n = numelOf(tensor.shape);
        if (n > options.maxElements) throw new CheckpointError(`${name} holds ${n} elements, more than the limit of ${options.maxElements}: nothing was read`);
        if (!extent) return new Float64Array(0);
        const entry = storageEntries.get(tensor.storage.key)!;
        const size = elementSize(dtype);
        let bytes: Uint8Array;
        if (entry.method === 0) {
          let base = dataOffsets.get(entry.name);
          if (base === undefined) { base = entryDataOffset(src, entry); dataOffsets.set(entry.name, base); }
          bytes = src.read(base + extent.first * size, (extent.last - extent.first + 1) * size);
        } else {
          bytes = readEntry(src, entry, options.maxElements * 8).subarray(extent.first * size, (extent.last + 1) * size);
        }
        return decodeFloat(bytes, extent.first, dtype, littleEndian, tensor.offset, tensor.shape, tensor.stride);
      },
    };
  });
  return { format: 'pytorch-zip', tensors, notes, moduleAttributes: walked.moduleAttributes };
}

const LEGACY_MAGIC = 0x1950a86a20f9469cfc6cn;

/** torch.save(..., _use_new_zipfile_serialization=False): magic, protocol, sys info, the object, storage keys, storages. */
export function readTorchLegacy(src: ByteSource, options: TorchReadOptions): RawCheckpoint {
  // The pickles come first and are small: read a prefix that holds them, growing it as needed.
  let len = Math.min(src.size, 1 << 20);
  for (;;) {
    try {
      return readLegacyPickles(src, src.read(0, len), options);
    } catch (e) {
      const truncated = e instanceof CheckpointError && e.message.startsWith('the pickle is truncated');
      if (!truncated || len >= Math.min(src.size, MAX_PICKLE_BYTES)) throw e;
      len = Math.min(src.size, MAX_PICKLE_BYTES, len * 8);
    }
  }
}

function readLegacyPickles(src: ByteSource, head: Uint8Array, options: TorchReadOptions): RawCheckpoint {
  const magic = unpickle(head, 0);
  if (magic.value !== LEGACY_MAGIC) {
    throw new CheckpointError('this file is a Python pickle but not one torch.save wrote (no torch magic number); plain pickles are not read');
  }
  const version = unpickle(head, magic.end);
  if (version.value !== 1001) throw new CheckpointError(`this torch.save file has protocol version ${describe(version.value)}; only 1001 is read`);
  const sysInfo = unpickle(head, version.end);
  let littleEndian = true;
  const si = sysInfo.value;
  if (si && typeof si === 'object' && 'get' in si) {
    const le = (si as { get(k: string): PyValue | undefined }).get('little_endian');
    if (le === false) littleEndian = false;
  }
  const storages = new Map<string, PyStorage>();
  const obj = unpickle(head, sysInfo.end, {
    persistentLoad(pid) {
      if (!(pid instanceof PyTuple)) throw new CheckpointError(`the pickle refers to ${describe(pid)}, which is not a storage`);
      if (pid.items[0] === 'module') return pid.items[1] ?? null; // ('module', cls, file, source): the class, never its source
      if (pid.items[0] !== 'storage' || pid.items.length < 6) throw new CheckpointError(`the pickle refers to ${describe(pid)}, which is not a storage`);
      const [, type, key, location, numelV, view] = pid.items;
      const dtype = storageDtype(type);
      if (typeof key !== 'string') throw new CheckpointError('the pickle names a storage without a key');
      const numel = asIndex(numelV, 'a storage size');
      let root = storages.get(key);
      if (!root) {
        root = new PyStorage(dtype, key, numel, typeof location === 'string' ? location : 'cpu');
        storages.set(key, root);
      }
      if (view instanceof PyTuple) {
        const offset = asIndex(view.items[1] ?? null, 'a storage view offset');
        const size = asIndex(view.items[2] ?? null, 'a storage view size');
        if (offset + size > root.numel) throw new CheckpointError(`a storage view (${offset} + ${size} elements) reaches past its storage of ${root.numel} elements: the file is corrupt`);
        return new PyStorage(dtype, key, root.numel, root.location, offset);
      }
      return root;
    },
  });
  const keys = unpickle(head, obj.end);
  if (!(keys.value instanceof PyTuple) && !(keys.value && typeof keys.value === 'object' && 'items' in keys.value)) {
    throw new CheckpointError('the torch.save file is corrupt: no list of storage keys after the object');
  }
  // Each storage: an int64 element count, then the raw bytes, in the key list's order.
  const where = new Map<string, number>();
  let at = keys.end;
  for (const k of (keys.value as { items: PyValue[] }).items) {
    if (typeof k !== 'string') throw new CheckpointError('the torch.save file is corrupt: a storage key is not a string');
    const s = storages.get(k);
    if (!s) throw new CheckpointError(`the torch.save file is corrupt: storage ${JSON.stringify(k)} is listed but never used`);
    checkRange(at, 8, src.size, `the size of storage ${JSON.stringify(k)}`);
    const dv = new DataView(src.read(at, 8).slice().buffer);
    const count = dv.getUint32(4, true) * 2 ** 32 + dv.getUint32(0, true);
    const bytes = count * elementSize(s.dtype);
    if (count !== s.numel) throw new CheckpointError(`storage ${JSON.stringify(k)} holds ${count} elements where its tensor says ${s.numel}: the file is corrupt`);
    checkRange(at + 8, bytes, src.size, `storage ${JSON.stringify(k)} (${bytes} bytes)`);
    where.set(k, at + 8);
    at += 8 + bytes;
  }
  const walked = walkTensors(obj.value);
  const notes = unloadedNote([...obj.unloaded]);
  const tensors: LazyTensor[] = walked.tensors.map(({ name, tensor }) => {
    const extent = viewExtent(name, tensor.offset, tensor.shape, tensor.stride, tensor.storage.numel);
    const dtype = tensor.storage.dtype;
    const base = where.get(tensor.storage.key);
    if (base === undefined) throw new CheckpointError(`${name}: its storage ${JSON.stringify(tensor.storage.key)} is missing from the file`);
    return {
      name, dtype, shape: tensor.shape,
      load(): Float64Array {
        if (!FLOAT_DTYPES.has(dtype)) throw new CheckpointError(`${name} is a ${dtype} tensor: it cannot be used as weights`);
        const n = numelOf(tensor.shape);
        if (n > options.maxElements) throw new CheckpointError(`${name} holds ${n} elements, more than the limit of ${options.maxElements}: nothing was read`);
        if (!extent) return new Float64Array(0);
        const size = elementSize(dtype);
        const bytes = src.read(base + extent.first * size, (extent.last - extent.first + 1) * size);
        return decodeFloat(bytes, extent.first, dtype, littleEndian, tensor.offset, tensor.shape, tensor.stride);
      },
    };
  });
  return { format: 'pytorch-legacy', tensors, notes, moduleAttributes: walked.moduleAttributes };
}
