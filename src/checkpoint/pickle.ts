/*
 * A pickle interpreter that calls nothing. A pickle is a little program for a stack machine;
 * Python's unpickler runs it by importing and calling whatever GLOBAL names (`posix.system`
 * included). This one only builds data: a fixed set of known globals (OrderedDict, set, the
 * torch._utils rebuild functions, torch.nn.modules classes) are rebuilt as plain values, and
 * every other global becomes an inert placeholder that remembers its name, so the tensors
 * around it can still be read and the caller can say what was not loaded.
 * Layer: checkpoint. Imports nothing; no vscode, no DOM, no Node.
 *
 * The loop is iterative; the nesting it may build is limited (MAX_MARKS), so a 100,000-deep
 * pickle is refused at once instead of overflowing a stack later. Every length read from the
 * pickle is checked against the bytes left before anything is sliced or allocated.
 */
import { CheckpointError, utf8Decode } from './source';

export type PyValue =
  | null | boolean | number | bigint | string
  | PyBytes | PyTuple | PyList | PyDict | PySet | PyGlobal | PyObject | PyTensor | PyStorage;

export class PyBytes { constructor(readonly bytes: Uint8Array) {} }
/** Containers carry their nesting depth, so a 100,000-deep pickle is refused while it is built. */
export class PyTuple { depth = 1; constructor(readonly items: PyValue[]) { this.depth = depthAbove(items); } }
export class PyList { depth = 1; constructor(readonly items: PyValue[]) { this.depth = depthAbove(items); } }
export class PySet { depth = 1; constructor(readonly items: PyValue[]) { this.depth = depthAbove(items); } }

/** Deepest nesting of containers accepted while unpickling (a real model is ~20 levels deep). */
export const MAX_DEPTH = 1000;

function depthOf(v: PyValue): number {
  return v !== null && typeof v === 'object' && 'depth' in v ? (v as { depth: number }).depth : 0;
}

function depthAbove(items: readonly PyValue[]): number {
  let d = 0;
  for (const x of items) { const e = depthOf(x); if (e > d) d = e; }
  if (d + 1 > MAX_DEPTH) throw new CheckpointError(`the pickle nests objects more than ${MAX_DEPTH} levels deep: refused`);
  return d + 1;
}

/** Put `items` into `target`: its depth grows with them. */
function deepen(target: { depth: number }, items: readonly PyValue[]): void {
  const d = depthAbove(items);
  if (d > target.depth) target.depth = d;
}

/** A dict (or OrderedDict): keys in insertion order; `attrs` is what BUILD set on it (a state_dict's `_metadata`). */
export class PyDict {
  depth = 1;
  readonly keys: PyValue[] = [];
  readonly values: PyValue[] = [];
  private readonly index = new Map<string, number>();
  attrs: PyValue = null;
  set(key: PyValue, value: PyValue): void {
    deepen(this, [value]);
    const k = hashKey(key);
    const at = k === undefined ? undefined : this.index.get(k);
    if (at !== undefined) { this.values[at] = value; return; }
    if (k !== undefined) this.index.set(k, this.keys.length);
    this.keys.push(key);
    this.values.push(value);
  }
  get(key: string): PyValue | undefined {
    const at = this.index.get(hashKey(key)!);
    return at === undefined ? undefined : this.values[at];
  }
}

function hashKey(key: PyValue): string | undefined {
  if (typeof key === 'string') return 's' + key;
  if (typeof key === 'number' || typeof key === 'bigint') return 'n' + String(key);
  if (typeof key === 'boolean') return 'n' + (key ? 1 : 0);
  if (key === null) return 'None';
  return undefined;
}

/** A global named by the pickle (`module.name`); never imported, never called. */
export class PyGlobal {
  constructor(readonly module: string, readonly name: string) {}
  get full(): string { return `${this.module}.${this.name}`; }
}

/**
 * An object the pickle builds: an instance of a known torch.nn module class (`known`), or an
 * inert placeholder for anything else (a user's class, a call of `posix.system`). Its state
 * (what BUILD set, normally the instance's __dict__) and items are kept as data.
 */
export class PyObject {
  depth = 1;
  state: PyValue = null;
  readonly items: PyValue[] = [];
  constructor(readonly cls: PyValue, readonly args: PyValue[], readonly known: boolean, readonly how: 'call' | 'instance') {
    this.depth = depthAbove(args);
  }
  get className(): string { return this.cls instanceof PyGlobal ? this.cls.full : 'an object'; }
}

/** A storage as a persistent id names it: dtype, key (its entry or position), element count. */
export class PyStorage {
  constructor(readonly dtype: string, readonly key: string, readonly numel: number, readonly location: string,
    /** Legacy files: elements skipped at the start of the root storage (a storage view). */
    readonly viewOffset = 0) {}
}

/** torch._utils._rebuild_tensor_v2(storage, storage_offset, size, stride, ...) as data. */
export class PyTensor {
  constructor(readonly storage: PyStorage, readonly offset: number, readonly shape: number[], readonly stride: number[]) {}
}

export interface PickleOptions {
  /** Resolves a persistent id (BINPERSID): storages, and the legacy format's ('module', cls, ...) ids. */
  persistentLoad?: (pid: PyValue) => PyValue;
}

export interface PickleResult {
  value: PyValue;
  /** Offset just after STOP (legacy files hold several pickles in a row). */
  end: number;
  /** Globals that were called or instantiated but not loaded (placeholders), in first-seen order. */
  unloaded: string[];
}

/** Deepest nesting of MARKs (open tuples, lists, dicts) accepted; real checkpoints need about 10. */
export const MAX_MARKS = 1000;
/** Most values on the stack at once. */
const MAX_STACK = 1_000_000;
/** Most memo entries. */
const MAX_MEMO = 10_000_000;

/** Dtype of each torch.*Storage type, and its element size. */
export const STORAGE_DTYPES: Record<string, [string, number]> = {
  FloatStorage: ['float32', 4], DoubleStorage: ['float64', 8], HalfStorage: ['float16', 2], BFloat16Storage: ['bfloat16', 2],
  LongStorage: ['int64', 8], IntStorage: ['int32', 4], ShortStorage: ['int16', 2], CharStorage: ['int8', 1],
  ByteStorage: ['uint8', 1], BoolStorage: ['bool', 1], UntypedStorage: ['uint8', 1], ComplexFloatStorage: ['complex64', 8], ComplexDoubleStorage: ['complex128', 16],
};

export function elementSize(dtype: string): number {
  for (const [d, size] of Object.values(STORAGE_DTYPES)) if (d === dtype) return size;
  throw new CheckpointError(`unknown dtype ${dtype}`);
}

const MODULE_ALIASES: Record<string, string> = { __builtin__: 'builtins', copy_reg: 'copyreg' };

/** Classes whose instances are data: PyTorch's own modules. */
function isKnownClass(g: PyGlobal): boolean {
  return g.module.startsWith('torch.nn.modules.') || (g.module === 'torch.nn.parameter' && g.name === 'Parameter');
}

class Reader {
  pos: number;
  constructor(readonly b: Uint8Array, start: number) { this.pos = start; }
  need(n: number): void {
    if (!Number.isSafeInteger(n) || n < 0 || this.pos + n > this.b.length) {
      throw new CheckpointError(`the pickle is truncated or corrupt: ${n} bytes needed at byte ${this.pos}, ${this.b.length - this.pos} left`);
    }
  }
  u8(): number { this.need(1); return this.b[this.pos++]; }
  u16(): number { this.need(2); const v = this.b[this.pos] | (this.b[this.pos + 1] << 8); this.pos += 2; return v; }
  i32(): number { this.need(4); const v = new DataView(this.b.buffer, this.b.byteOffset + this.pos, 4).getInt32(0, true); this.pos += 4; return v; }
  u32(): number { return this.i32() >>> 0; }
  u64(): number {
    const lo = this.u32();
    const hi = this.u32();
    const v = hi * 2 ** 32 + lo;
    if (!Number.isSafeInteger(v)) throw new CheckpointError('the pickle is corrupt: a length beyond 2^53');
    return v;
  }
  f64be(): number { this.need(8); const v = new DataView(this.b.buffer, this.b.byteOffset + this.pos, 8).getFloat64(0, false); this.pos += 8; return v; }
  bytes(n: number): Uint8Array { this.need(n); const v = this.b.subarray(this.pos, this.pos + n); this.pos += n; return v; }
  line(): string {
    const nl = this.b.indexOf(10, this.pos);
    if (nl < 0) throw new CheckpointError('the pickle is truncated: a text argument has no end of line');
    const s = latin1(this.b.subarray(this.pos, nl));
    this.pos = nl + 1;
    return s;
  }
}

function latin1(b: Uint8Array): string {
  let s = '';
  for (let i = 0; i < b.length; i += 8192) s += String.fromCharCode(...b.subarray(i, i + 8192));
  return s;
}



function signedLE(b: Uint8Array): number | bigint {
  if (b.length === 0) return 0;
  let v = 0n;
  for (let i = b.length - 1; i >= 0; i--) v = (v << 8n) | BigInt(b[i]);
  if (b[b.length - 1] & 0x80) v -= 1n << BigInt(8 * b.length);
  return v >= BigInt(Number.MIN_SAFE_INTEGER) && v <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(v) : v;
}

/** An int argument of a rebuild function: a safe non-negative integer, or a CheckpointError. */
export function asIndex(v: PyValue, what: string): number {
  if (typeof v === 'boolean') return v ? 1 : 0;
  if (typeof v !== 'number' || !Number.isSafeInteger(v) || v < 0) throw new CheckpointError(`the pickle is corrupt: ${what} is not a size (${describe(v)})`);
  return v;
}

function asIndexList(v: PyValue, what: string): number[] {
  if (!(v instanceof PyTuple) && !(v instanceof PyList)) throw new CheckpointError(`the pickle is corrupt: ${what} is not a tuple of sizes (${describe(v)})`);
  if (v.items.length > 64) throw new CheckpointError(`the pickle is corrupt: ${what} has ${v.items.length} dimensions`);
  return v.items.map((x) => asIndex(x, what));
}

/** A short description of a value for messages. */
export function describe(v: PyValue): string {
  if (v === null) return 'None';
  if (typeof v === 'string') return JSON.stringify(v.length > 60 ? v.slice(0, 60) + '...' : v);
  if (typeof v === 'number' || typeof v === 'bigint' || typeof v === 'boolean') return String(v);
  if (v instanceof PyGlobal) return v.full;
  if (v instanceof PyObject) return `a ${v.className} object`;
  if (v instanceof PyTensor) return 'a tensor';
  return `a ${v.constructor.name.replace(/^Py/, '').toLowerCase()}`;
}

/**
 * Interpret one pickle starting at `start`. Never calls anything named in it; throws
 * CheckpointError for a malformed, truncated or too deeply nested pickle.
 */
export function unpickle(b: Uint8Array, start = 0, options: PickleOptions = {}): PickleResult {
  const r = new Reader(b, start);
  const stack: PyValue[] = [];
  const marks: number[] = [];
  const memo = new Map<number, PyValue>();
  const unloaded: string[] = [];
  const seenUnloaded = new Set<string>();
  const noteUnloaded = (name: string) => { if (!seenUnloaded.has(name)) { seenUnloaded.add(name); unloaded.push(name); } };

  const push = (v: PyValue) => {
    if (stack.length >= MAX_STACK) throw new CheckpointError(`the pickle holds more than ${MAX_STACK} values on its stack: refused`);
    stack.push(v);
  };
  const pop = (): PyValue => {
    if (stack.length === 0 || (marks.length > 0 && stack.length <= marks[marks.length - 1])) throw new CheckpointError('the pickle is corrupt: it pops from an empty stack');
    return stack.pop() as PyValue;
  };
  const top = (): PyValue => {
    if (stack.length === 0) throw new CheckpointError('the pickle is corrupt: it reads an empty stack');
    return stack[stack.length - 1];
  };
  const popMark = (): PyValue[] => {
    const m = marks.pop();
    if (m === undefined) throw new CheckpointError('the pickle is corrupt: a MARK is missing');
    return stack.splice(m);
  };
  const memoPut = (i: number, v: PyValue) => {
    if (memo.size >= MAX_MEMO && !memo.has(i)) throw new CheckpointError('the pickle memo is too large: refused');
    memo.set(i, v);
  };
  const memoGet = (i: number): PyValue => {
    if (!memo.has(i)) throw new CheckpointError(`the pickle is corrupt: memo entry ${i} is read before it is written`);
    return memo.get(i) as PyValue;
  };

  /** REDUCE and friends: what calling `fn(*args)` builds, as data, or a placeholder. */
  let callDepth = 0;
  const call = (fn: PyValue, args: PyValue[]): PyValue => {
    // _rebuild_from_type_v2 calls the function it is given: bounded, as nested tuples need no MARK.
    if (++callDepth > 16) throw new CheckpointError('the pickle nests rebuild calls too deeply: refused');
    try {
      return callOnce(fn, args);
    } finally {
      callDepth--;
    }
  };
  const callOnce = (fn: PyValue, args: PyValue[]): PyValue => {
    if (fn instanceof PyGlobal) {
      switch (fn.full) {
        case 'collections.OrderedDict':
        case 'builtins.dict':
        case 'collections.defaultdict': {
          const d = new PyDict();
          const init = fn.name === 'defaultdict' ? undefined : args[0];
          if (init instanceof PyList || init instanceof PyTuple) {
            for (const pair of init.items) if (pair instanceof PyTuple && pair.items.length === 2) d.set(pair.items[0], pair.items[1]);
          } else if (init instanceof PyDict) {
            init.keys.forEach((k, i) => d.set(k, init.values[i]));
          }
          return d;
        }
        case 'builtins.set':
        case 'builtins.frozenset': {
          const init = args[0];
          return new PySet(init instanceof PyList || init instanceof PyTuple || init instanceof PySet ? [...init.items] : []);
        }
        case 'builtins.list': {
          const init = args[0];
          return new PyList(init instanceof PyList || init instanceof PyTuple ? [...init.items] : []);
        }
        case 'torch.Size':
        case 'builtins.tuple': {
          const init = args[0];
          return new PyTuple(init instanceof PyList || init instanceof PyTuple ? [...init.items] : []);
        }
        case 'torch.device':
          return args.map((a) => String(a)).join(':');
        case '_codecs.encode':
          if (typeof args[0] === 'string') {
            const s = args[0];
            const out = new Uint8Array(s.length);
            for (let i = 0; i < s.length; i++) out[i] = s.charCodeAt(i) & 0xff;
            return new PyBytes(out);
          }
          break;
        case 'torch._utils._rebuild_tensor':
        case 'torch._utils._rebuild_tensor_v2': {
          const [storage, offset, size, stride] = args;
          if (!(storage instanceof PyStorage)) throw new CheckpointError(`the pickle is corrupt: a tensor is rebuilt from ${describe(storage)}, not a storage`);
          const shape = asIndexList(size, 'a tensor\'s size');
          const strides = asIndexList(stride, 'a tensor\'s stride');
          if (strides.length !== shape.length) throw new CheckpointError('the pickle is corrupt: a tensor has a stride of another rank than its size');
          return new PyTensor(storage, asIndex(offset, 'a storage offset') + storage.viewOffset, shape, strides);
        }
        case 'torch._utils._rebuild_parameter':
        case 'torch._utils._rebuild_parameter_with_state':
          return args[0] ?? null;
        case 'torch._tensor._rebuild_from_type':
        case 'torch._tensor._rebuild_from_type_v2': {
          const inner = args[2];
          return call(args[0] ?? null, inner instanceof PyTuple ? inner.items : []);
        }
        case 'copyreg._reconstructor':
          return instantiate(args[0] ?? null, []);
        default:
          if (isKnownClass(fn)) return instantiate(fn, args);
      }
      noteUnloaded(fn.full);
      return new PyObject(fn, args, false, 'call');
    }
    noteUnloaded(fn instanceof PyObject ? fn.className : describe(fn));
    return new PyObject(fn, args, false, 'call');
  };

  /** NEWOBJ: cls.__new__(cls, *args), as data. */
  const instantiate = (cls: PyValue, args: PyValue[]): PyValue => {
    if (cls instanceof PyGlobal) {
      if (cls.full === 'collections.OrderedDict' || cls.full === 'builtins.dict' || cls.full === 'collections.defaultdict') return new PyDict();
      if (cls.full === 'builtins.set' || cls.full === 'builtins.frozenset') return new PySet([]);
      if (cls.full === 'builtins.list') return new PyList([]);
      if (cls.full === 'builtins.object') return new PyObject(cls, args, true, 'instance');
      if (isKnownClass(cls)) return new PyObject(cls, args, true, 'instance');
      noteUnloaded(cls.full);
      return new PyObject(cls, args, false, 'instance');
    }
    noteUnloaded(describe(cls));
    return new PyObject(cls, args, false, 'instance');
  };

  const global = (module: string, name: string): PyGlobal => new PyGlobal(MODULE_ALIASES[module] ?? module, name);

  for (;;) {
    const op = r.u8();
    switch (op) {
      case 0x80: r.u8(); break; // PROTO
      case 0x95: r.u64(); break; // FRAME: a hint only
      case 0x2e: { // STOP
        const value = pop();
        return { value, end: r.pos, unloaded };
      }
      // --- constants and numbers
      case 0x4e: push(null); break; // NONE
      case 0x88: push(true); break; // NEWTRUE
      case 0x89: push(false); break; // NEWFALSE
      case 0x4a: push(r.i32()); break; // BININT
      case 0x4b: push(r.u8()); break; // BININT1
      case 0x4d: push(r.u16()); break; // BININT2
      case 0x8a: push(signedLE(r.bytes(r.u8()))); break; // LONG1
      case 0x8b: { // LONG4
        const n = r.i32();
        if (n < 0 || n > 1024) throw new CheckpointError(`the pickle holds an integer of ${n} bytes: refused`);
        push(signedLE(r.bytes(n)));
        break;
      }
      case 0x49: { // INT (text); "00"/"01" are False/True in protocol 0
        const s = r.line().trim();
        if (s === '00') push(false);
        else if (s === '01') push(true);
        else push(parseIntText(s));
        break;
      }
      case 0x4c: push(parseIntText(r.line().trim().replace(/L$/, ''))); break; // LONG (text)
      case 0x47: push(r.f64be()); break; // BINFLOAT
      case 0x46: push(Number(r.line())); break; // FLOAT (text)
      // --- strings and bytes
      case 0x58: push(utf8Decode(r.bytes(r.u32()))); break; // BINUNICODE
      case 0x8c: push(utf8Decode(r.bytes(r.u8()))); break; // SHORT_BINUNICODE
      case 0x8d: push(utf8Decode(r.bytes(r.u64()))); break; // BINUNICODE8
      case 0x56: push(r.line().replace(/\\u([0-9a-fA-F]{4})/g, (_, h: string) => String.fromCharCode(parseInt(h, 16)))); break; // UNICODE
      case 0x54: { const n = r.i32(); if (n < 0) throw new CheckpointError('the pickle is corrupt: a negative length'); push(latin1(r.bytes(n))); break; } // BINSTRING
      case 0x55: push(latin1(r.bytes(r.u8()))); break; // SHORT_BINSTRING
      case 0x53: push(unquote(r.line())); break; // STRING
      case 0x42: push(new PyBytes(r.bytes(r.u32()))); break; // BINBYTES
      case 0x43: push(new PyBytes(r.bytes(r.u8()))); break; // SHORT_BINBYTES
      case 0x8e: push(new PyBytes(r.bytes(r.u64()))); break; // BINBYTES8
      case 0x96: push(new PyBytes(r.bytes(r.u64()))); break; // BYTEARRAY8
      // --- containers
      case 0x28: // MARK
        if (marks.length >= MAX_MARKS) throw new CheckpointError(`the pickle nests more than ${MAX_MARKS} levels deep: refused (a checkpoint needs about 10)`);
        marks.push(stack.length);
        break;
      case 0x29: push(new PyTuple([])); break; // EMPTY_TUPLE
      case 0x74: push(new PyTuple(popMark())); break; // TUPLE
      case 0x85: push(new PyTuple([pop()])); break; // TUPLE1
      case 0x86: { const b2 = pop(); const a = pop(); push(new PyTuple([a, b2])); break; } // TUPLE2
      case 0x87: { const c = pop(); const b2 = pop(); const a = pop(); push(new PyTuple([a, b2, c])); break; } // TUPLE3
      case 0x5d: push(new PyList([])); break; // EMPTY_LIST
      case 0x6c: push(new PyList(popMark())); break; // LIST
      case 0x7d: push(new PyDict()); break; // EMPTY_DICT
      case 0x64: { const items = popMark(); const d = new PyDict(); for (let i = 0; i + 1 < items.length; i += 2) d.set(items[i], items[i + 1]); push(d); break; } // DICT
      case 0x8f: push(new PySet([])); break; // EMPTY_SET
      case 0x91: push(new PySet(popMark())); break; // FROZENSET
      case 0x61: { const v = pop(); appendTo(top(), [v]); break; } // APPEND
      case 0x65: { const items = popMark(); appendTo(top(), items); break; } // APPENDS
      case 0x90: { const items = popMark(); appendTo(top(), items); break; } // ADDITEMS
      case 0x73: { const v = pop(); const k = pop(); setItems(top(), [k, v]); break; } // SETITEM
      case 0x75: { const items = popMark(); setItems(top(), items); break; } // SETITEMS
      case 0x30: pop(); break; // POP
      case 0x31: popMark(); break; // POP_MARK
      case 0x32: push(top()); break; // DUP
      // --- memo
      case 0x70: memoPut(parseIndex(r.line()), top()); break; // PUT
      case 0x71: memoPut(r.u8(), top()); break; // BINPUT
      case 0x72: memoPut(r.u32(), top()); break; // LONG_BINPUT
      case 0x94: memoPut(memo.size, top()); break; // MEMOIZE
      case 0x67: push(memoGet(parseIndex(r.line()))); break; // GET
      case 0x68: push(memoGet(r.u8())); break; // BINGET
      case 0x6a: push(memoGet(r.u32())); break; // LONG_BINGET
      // --- globals, calls, objects: never imported, never called
      case 0x63: { const module = r.line(); const name = r.line(); push(global(module, name)); break; } // GLOBAL
      case 0x93: { // STACK_GLOBAL
        const name = pop();
        const module = pop();
        if (typeof module !== 'string' || typeof name !== 'string') throw new CheckpointError('the pickle is corrupt: STACK_GLOBAL needs two strings');
        push(global(module, name));
        break;
      }
      case 0x52: { // REDUCE
        const args = pop();
        const fn = pop();
        push(call(fn, args instanceof PyTuple ? args.items : []));
        break;
      }
      case 0x81: { // NEWOBJ
        const args = pop();
        const cls = pop();
        push(instantiate(cls, args instanceof PyTuple ? args.items : []));
        break;
      }
      case 0x92: { // NEWOBJ_EX
        pop(); // kwargs
        const args = pop();
        const cls = pop();
        push(instantiate(cls, args instanceof PyTuple ? args.items : []));
        break;
      }
      case 0x69: { // INST (protocol 0)
        const module = r.line();
        const name = r.line();
        push(instantiate(global(module, name), popMark()));
        break;
      }
      case 0x6f: { // OBJ (protocol 1)
        const items = popMark();
        if (items.length === 0) throw new CheckpointError('the pickle is corrupt: OBJ without a class');
        push(instantiate(items[0], items.slice(1)));
        break;
      }
      case 0x62: { // BUILD: set the state of the object below; nothing's __setstate__ runs
        const state = pop();
        const obj = top();
        if (obj instanceof PyObject) { deepen(obj, [state]); obj.state = obj.state === null ? state : mergeState(obj.state, state); }
        else if (obj instanceof PyDict) { deepen(obj, [state]); obj.attrs = state; }
        break;
      }
      case 0x50: { // PERSID (text)
        const pid = r.line();
        push(options.persistentLoad ? options.persistentLoad(pid) : null);
        break;
      }
      case 0x51: { // BINPERSID
        const pid = pop();
        if (!options.persistentLoad) throw new CheckpointError('the pickle refers to data outside itself (a persistent id) where none is expected');
        push(options.persistentLoad(pid));
        break;
      }
      case 0x82: case 0x83: case 0x84: // EXT1, EXT2, EXT4
        throw new CheckpointError('the pickle uses the copyreg extension registry, which checkpoints never use: refused');
      case 0x97: case 0x98: // NEXT_BUFFER, READONLY_BUFFER
        throw new CheckpointError('the pickle uses out-of-band buffers, which checkpoints never use: refused');
      default:
        throw new CheckpointError(`the pickle is corrupt: unknown opcode 0x${op.toString(16).padStart(2, '0')} at byte ${r.pos - 1}`);
    }
  }
}

function appendTo(target: PyValue, items: PyValue[]): void {
  if (target instanceof PyList || target instanceof PySet || target instanceof PyObject) deepen(target, items);
  if (target instanceof PyList || target instanceof PySet) target.items.push(...items);
  else if (target instanceof PyObject) target.items.push(...items);
  else throw new CheckpointError(`the pickle is corrupt: it appends to ${describe(target)}`);
}

function setItems(target: PyValue, items: PyValue[]): void {
  if (target instanceof PyDict) {
    for (let i = 0; i + 1 < items.length; i += 2) target.set(items[i], items[i + 1]);
  } else if (target instanceof PyObject) {
    deepen(target, items);
    target.items.push(...items);
  } else {
    throw new CheckpointError(`the pickle is corrupt: it sets items on ${describe(target)}`);
  }
}

function mergeState(a: PyValue, b: PyValue): PyValue {
  if (a instanceof PyDict && b instanceof PyDict) {
    b.keys.forEach((k, i) => a.set(k, b.values[i]));
    return a;
  }
  return b;
}

function parseIntText(s: string): number | bigint {
  if (!/^[-+]?\d{1,400}$/.test(s)) throw new CheckpointError('the pickle is corrupt: a bad integer');
  const v = BigInt(s);
  return v >= BigInt(Number.MIN_SAFE_INTEGER) && v <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(v) : v;
}

function parseIndex(s: string): number {
  const v = parseIntText(s.trim());
  if (typeof v !== 'number' || v < 0) throw new CheckpointError('the pickle is corrupt: a bad memo index');
  return v;
}

function unquote(s: string): string {
  const t = s.trim();
  if (t.length >= 2 && (t[0] === "'" || t[0] === '"') && t[t.length - 1] === t[0]) return t.slice(1, -1);
  return t;
}
