#!/usr/bin/python3
"""Hostile checkpoint fixtures for test/unit/checkpoint.hostile.test.ts.

Run with Debian's PyTorch: /usr/bin/python3 scripts/make_checkpoint_fixtures.py
Writes test/fixtures/checkpoints/hostile/*.pt|*.safetensors and expected.json there.
Nothing written here is ever loaded by this script: several files would run code in torch.load.
The output is deterministic (fixed seeds, fixed zip timestamps).
"""
import collections, io, json, os, pickle, random, struct, sys, zipfile
import torch

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', 'test', 'fixtures', 'checkpoints', 'hostile')
os.makedirs(OUT, exist_ok=True)
expected = {}
STAMP = (2020, 1, 1, 0, 0, 0)


def put(name, data, why, placeholder_ok=False, unloaded=()):
    with open(os.path.join(OUT, name), 'wb') as f:
        f.write(data)
    expected[name] = {'hostile': True, 'why': why, 'placeholder_ok': placeholder_ok, 'unloaded': list(unloaded)}


def torch_zip(entries, compress=zipfile.ZIP_STORED):
    """A zip laid out like torch.save's (archive/data.pkl, archive/data/N, archive/version)."""
    b = io.BytesIO()
    with zipfile.ZipFile(b, 'w', compress) as z:
        for name, data in entries:
            info = zipfile.ZipInfo(name, STAMP)
            info.compress_type = compress
            z.writestr(info, data)
    return b.getvalue()


def saved(obj):
    b = io.BytesIO()
    torch.save(obj, b)
    return b.getvalue()


class FakeStorage:
    def __init__(self, key, numel, type_=torch.FloatStorage):
        self.key, self.numel, self.type_ = key, numel, type_


class Rebuild:
    """Pickles as torch._utils._rebuild_tensor_v2(storage, offset, size, stride, False, OrderedDict())."""
    def __init__(self, storage, offset, size, stride):
        self.args = (storage, offset, size, stride, False, collections.OrderedDict())

    def __reduce__(self):
        return (torch._utils._rebuild_tensor_v2, self.args)


def torch_pickle(obj):
    b = io.BytesIO()
    p = pickle.Pickler(b, protocol=2)
    p.persistent_id = lambda o: ('storage', o.type_, o.key, 'cpu', o.numel) if isinstance(o, FakeStorage) else None
    p.dump(obj)
    return b.getvalue()


class Call:
    """An object whose unpickling calls fn(*args): what an attacker writes."""
    def __init__(self, fn, *args):
        self.fn, self.args = fn, args

    def __reduce__(self):
        return (self.fn, self.args)


torch.manual_seed(0)
rnn = torch.nn.RNN(3, 2)
sd = collections.OrderedDict(('rnn.' + k, v) for k, v in rnn.state_dict().items())

# 1. builtins.eval between the tensors: torch.load would run it.
evil = collections.OrderedDict(sd)
evil['payload'] = Call(eval, "__import__('os').system('touch /tmp/rnnlens-pwned')")
put('eval_global.pt', saved(evil), "a state_dict with builtins.eval('__import__(\"os\").system(...)') among its items", True, ['eval'])

# 2. posix.system reached through a user class's __reduce__ inside a checkpoint dict.
put('system_in_dict.pt', saved({'model': sd, 'hook': Call(os.system, 'touch /tmp/rnnlens-pwned')}),
    'a training-checkpoint dict whose "hook" calls os.system on load', True, ['system'])

# 3. 100,000-deep pickles: MARK nesting, nested lists by APPEND, nested 1-tuples.
deep_marks = b'\x80\x02' + b'(' * 100000 + b'l' * 100000 + b'.'
put('deep_marks.pt', torch_zip([('archive/data.pkl', deep_marks), ('archive/version', b'3\n')]), '100,000 nested lists opened by MARK in data.pkl')
deep_lists = b'\x80\x02' + b']' * 100000 + b'a' * 99999 + b'.'
put('deep_lists.pt', torch_zip([('archive/data.pkl', deep_lists), ('archive/version', b'3\n')]), '100,000 nested lists built by APPEND (no MARK) in data.pkl')
deep_tuples = b'\x80\x02N' + b'\x85' * 100000 + b'.'
put('deep_tuples.pkl', deep_tuples, 'a bare pickle of 100,000 nested 1-tuples (no zip, no torch magic)')

# 4. random bytes (seeded), and random bytes after the zip magic.
rng = random.Random(14)
put('random.pt', bytes(rng.getrandbits(8) for _ in range(4096)), '4096 random bytes')
put('random_zip_magic.pt', b'PK\x03\x04' + bytes(rng.getrandbits(8) for _ in range(4096)), 'the zip magic followed by random bytes')
put('random_pickle_magic.pt', b'\x80\x02' + bytes(rng.getrandbits(8) for _ in range(4096)), 'the pickle magic followed by random bytes')

# 5. safetensors: __proto__ keys, offsets past the end, a huge header length, a lying shape.
def safetensors(header, data):
    h = json.dumps(header, separators=(',', ':')).encode()
    h += b' ' * (-len(h) % 8)
    return struct.pack('<Q', len(h)) + h + data

w = struct.pack('<4f', 1, 2, 3, 4)
put('proto.safetensors', safetensors({'__proto__': {'dtype': 'F32', 'shape': [4], 'data_offsets': [0, 16]}, 'w': {'dtype': 'F32', 'shape': [4], 'data_offsets': [0, 16]}}, w),
    'a safetensors header with a "__proto__" tensor')
put('proto_polluted.safetensors', safetensors({'__proto__': {'polluted': True}, 'constructor': {'prototype': {'polluted': True}}}, w),
    'a safetensors header whose __proto__ and constructor keys hold objects, not tensors')
put('past_end.safetensors', safetensors({'w': {'dtype': 'F32', 'shape': [1000000], 'data_offsets': [0, 4000000]}}, w),
    'a safetensors tensor whose data_offsets reach 4 MB past a 16-byte data section')
put('huge_header.safetensors', struct.pack('<Q', 2 ** 60) + b'{}', 'a safetensors header length of 2^60 bytes')
put('bad_shape.safetensors', safetensors({'w': {'dtype': 'F32', 'shape': [1000, 1000], 'data_offsets': [0, 16]}}, w),
    'a safetensors tensor of shape [1000, 1000] whose data_offsets hold 16 bytes')

# 6. storages that claim more than their entries hold, and views past their storage.
real = saved(sd)
with zipfile.ZipFile(io.BytesIO(real)) as z:
    names = z.namelist()
    pkl = z.read([n for n in names if n.endswith('data.pkl')][0])
root = [n for n in names if n.endswith('data.pkl')][0][:-len('data.pkl')]
entries = [(root + 'data.pkl', pkl)] + [(root + 'data/%d' % i, b'\0' * 8) for i in range(4)] + [(root + 'version', b'3\n')]
put('storage_short.pt', torch_zip(entries), "an RNN(3, 2) state_dict whose storage entries hold 8 bytes each (the pickle says 6, 4, 2, 2 floats)")
view = torch_pickle(collections.OrderedDict([('rnn.weight_ih_l0', Rebuild(FakeStorage('0', 4), 0, (10,), (1,)))]))
put('view_past_storage.pt', torch_zip([('archive/data.pkl', view), ('archive/data/0', b'\0' * 16), ('archive/version', b'3\n')]),
    'a tensor of 10 elements viewing a 4-element storage')
stride = torch_pickle(collections.OrderedDict([('rnn.weight_ih_l0', Rebuild(FakeStorage('0', 4), 0, (2, 2), (10 ** 15, 1)))]))
put('stride_huge.pt', torch_zip([('archive/data.pkl', stride), ('archive/data/0', b'\0' * 16), ('archive/version', b'3\n')]),
    'a [2, 2] tensor with stride 10^15 on a 4-element storage')
missing = torch_pickle(collections.OrderedDict([('w', Rebuild(FakeStorage('7', 4), 0, (4,), (1,)))]))
put('missing_entry.pt', torch_zip([('archive/data.pkl', missing), ('archive/version', b'3\n')]), 'a storage whose data entry is missing')

# 7. zip structure lies: a deflated data.pkl that inflates past its declared size (a small bomb),
#    a central directory pointing past the end.
bomb = bytearray(torch_zip([('archive/data.pkl', b'\x80\x02N' + b'0N' * 500000 + b'.'), ('archive/version', b'3\n')], zipfile.ZIP_DEFLATED))
cd = bomb.rfind(b'PK\x01\x02')
first_cd = bomb.find(b'PK\x01\x02')
struct.pack_into('<I', bomb, first_cd + 24, 100)  # declared uncompressed size of data.pkl: 100 bytes
put('inflate_bomb.pt', bytes(bomb), 'a deflated data.pkl of 1 MB whose directory says 100 bytes')
lie = bytearray(real)
eocd = lie.rfind(b'PK\x05\x06')
struct.pack_into('<I', lie, eocd + 16, len(lie) + 1000)
put('cd_past_end.pt', bytes(lie), 'an end-of-central-directory record pointing past the end of the file')
put('truncated_tail.pt', real[: len(real) - 30], 'a torch zip missing its last 30 bytes')

# 8. legacy format lies: a storage count larger than the file.
b = io.BytesIO()
torch.save(sd, b, _use_new_zipfile_serialization=False)
leg = b.getvalue()
put('legacy_truncated.pt', leg[: len(leg) - 20], 'a legacy torch.save file missing the end of its last storage')

with open(os.path.join(OUT, 'expected.json'), 'w') as f:
    json.dump(expected, f, indent=1, sort_keys=True)
    f.write('\n')
print('wrote', len(expected), 'fixtures to', os.path.relpath(OUT))
