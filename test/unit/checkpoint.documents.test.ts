/*
 * Documents whose parameters come from a checkpoint (`"state_dict": {"from": "../model.pt", ...}`)
 * run as PyTorch ran them: `init` prints the loaded state_dict bit for bit, `run` matches
 * output, h_n, c_n and head within 1e-6 * max(1, |x|) (test/fixtures/checkpoints/expected.json).
 * Mismatches between the model block and the file are diagnostics at their key, in
 * load_state_dict's words. `rnn-lens inspect` and `run` through the CLI's main().
 * Layer: test (Node). Reads only files inside the repository.
 */
import * as assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import { openCheckpoint, type Checkpoint } from '../../src/checkpoint/index';
import { readDocument } from '../../src/document/reader';
import { checkpointReference } from '../../src/document/fromCheckpoint';
import { initDocumentJson, runDocumentJson } from '../../src/document/commands';
import { main } from '../../src/cli';
import { moduleDocumentText } from '../../src/checkpoint/toDocument';

const dir = path.resolve(__dirname, '../../../test/fixtures/checkpoints');
const expected = JSON.parse(readFileSync(path.join(dir, 'expected.json'), 'utf8'));

function resolverFor(docPath: string) {
  return (from: string): Checkpoint => openCheckpoint(new Uint8Array(readFileSync(path.resolve(path.dirname(docPath), from))));
}

function read(docRel: string, text?: string) {
  const docPath = path.join(dir, docRel);
  return readDocument(text ?? readFileSync(docPath, 'utf8'), { checkpoint: resolverFor(docPath) });
}

type Nested = number | Nested[];
function flat(x: Nested, out: number[] = []): number[] {
  if (Array.isArray(x)) for (const y of x) flat(y, out);
  else out.push(x);
  return out;
}

function cli(args: string[]) {
  let stdout = '';
  let stderr = '';
  const code = main(args, {
    stdout: (s) => { stdout += s; }, stderr: (s) => { stderr += s; },
    readStdin: () => '', readFile: (p) => readFileSync(p, 'utf8'),
  });
  return { code, stdout, stderr };
}

describe('checkpoints: documents with "state_dict": {"from": ...}', () => {
  for (const [doc, want] of Object.entries<Record<string, any>>(expected.documents)) {
    it(`${doc}: init is the file's state_dict bit for bit, run matches PyTorch`, () => {
      const r = read(doc);
      assert.deepEqual(r.diagnostics.filter((d) => d.severity === 'error'), []);
      const init = initDocumentJson(r.document!).result;
      assert.deepEqual(Object.keys(init.state_dict).sort(), Object.keys(want.state_dict).sort());
      for (const [name, values] of Object.entries<Nested>(want.state_dict)) {
        const got = flat(init.state_dict[name] as Nested);
        const w = flat(values);
        assert.equal(got.length, w.length, name);
        for (let i = 0; i < w.length; i++) assert.ok(Object.is(got[i], w[i]), `${name}[${i}]: ${got[i]} !== ${w[i]}`);
      }
      const run = runDocumentJson(r.document!).result as unknown as Record<string, Nested>;
      for (const key of ['output', 'h_n', 'c_n', 'head']) {
        if (want[key] === undefined) continue;
        const got = flat(run[key]);
        const w = flat(want[key]);
        assert.equal(got.length, w.length, key);
        for (let i = 0; i < w.length; i++) {
          assert.ok(Math.abs(got[i] - w[i]) <= 1e-6 * Math.max(1, Math.abs(w[i])), `${key}[${i}]: ${got[i]} vs ${w[i]}`);
        }
      }
    });
  }

  it('checkpointReference finds the "from" path without reading the document', () => {
    const text = readFileSync(path.join(dir, 'docs/seq2seq_encoder.rnn.json'), 'utf8');
    const ref = checkpointReference(text)!;
    assert.equal(ref.from, '../seq2seq_sd.pth');
    assert.equal(text.slice(ref.span.start, ref.span.end), '"../seq2seq_sd.pth"');
    assert.equal(checkpointReference('{"model": {}, "state_dict": {"weight_ih_l0": [[1]]}}'), undefined);
  });

  it('a size mismatch is an error at the model key it comes from, in load_state_dict\'s words', () => {
    const text = '{"model": {"type": "RNN", "input_size": 8, "hidden_size": 20, "batch_first": true}, "head": {"type": "Linear", "out_features": 2},\n "state_dict": {"from": "../sample_rnn_sd.pt"}, "input": {"rand": [1, 2, 8]}}';
    const r = read('docs/x.rnn.json', text);
    const e = r.diagnostics.find((d) => d.code === 'shape')!;
    assert.ok(e, JSON.stringify(r.diagnostics));
    assert.match(e.message, /^size mismatch for weight_ih_l0: copying a param with shape \[20, 10\] from checkpoint, the shape in current model is \[20, 8\]/);
    assert.equal(text.slice(e.span.start, e.span.end), '8');
    assert.equal(r.document, undefined);
  });

  it('missing parameters are an error naming them (never drawn from a seed)', () => {
    const text = '{"model": {"type": "RNN", "input_size": 10, "hidden_size": 20, "num_layers": 2}, "seed": 0, "state_dict": {"from": "../sample_rnn_sd.pt"}, "input": {"rand": [1, 2, 10]}}';
    const r = read('docs/x.rnn.json', text);
    const e = r.diagnostics.find((d) => d.code === 'missing-key')!;
    assert.equal(e.severity, 'error');
    assert.match(e.message, /^Missing key\(s\) in state_dict: "rnn\.weight_ih_l1", "rnn\.weight_hh_l1", "rnn\.bias_ih_l1", "rnn\.bias_hh_l1"/);
    assert.equal(text.slice(e.span.start, e.span.end), '"../sample_rnn_sd.pt"');
  });

  it('two recurrent modules and no prefix: an error naming both', () => {
    const text = '{"model": {"type": "GRU", "input_size": 8, "hidden_size": 6}, "state_dict": {"from": "../seq2seq_sd.pth"}, "input": {"rand": [1, 2, 8]}}';
    const e = read('docs/x.rnn.json', text).diagnostics.find((d) => d.severity === 'error')!;
    assert.match(e.message, /encoder\.rnn\., decoder\.rnn\./);
  });

  it('a file that cannot be read is one error at "from"; no resolver is an error too', () => {
    const text = '{"model": {"type": "RNN", "input_size": 3, "hidden_size": 2}, "state_dict": {"from": "../truncated.pt"}, "input": [[[1, 2, 3]]]}';
    const e = read('docs/x.rnn.json', text).diagnostics.filter((d) => d.severity === 'error');
    assert.equal(e.length, 1);
    assert.match(e[0].message, /cannot read "\.\.\/truncated\.pt": the zip file is truncated/);
    assert.equal(readDocument(text).diagnostics.filter((d) => d.severity === 'error').length, 1);
  });

  it('a whole model\'s batch_first that differs from the document is a warning at batch_first', () => {
    const text = readFileSync(path.join(dir, 'docs/whole_model.rnn.json'), 'utf8').replace('"batch_first": true', '"batch_first": false');
    const w = read('docs/whole_model.rnn.json', text).diagnostics.find((d) => d.code === 'checkpoint')!;
    assert.match(w.message, /saved with batch_first=True/);
    assert.equal(text.slice(w.span.start, w.span.end), 'false');
  });
});

describe('checkpoints: the document the viewer writes', () => {
  for (const file of ['whole_model.pt', 'sample_rnn_sd.pt', 'seq2seq_sd.pth', 'legacy.pt', 'model.safetensors']) {
    it(`${file}: every runnable module's document reads without errors and runs`, () => {
      const c = openCheckpoint(new Uint8Array(readFileSync(path.join(dir, file))));
      for (const m of c.modules) {
        const text = moduleDocumentText(m, `./${file}`, file, { batchFirstUnknown: 'batch_first unknown', nonlinearityUnknown: 'nonlinearity unknown' });
        const r = readDocument(text, { checkpoint: resolverFor(path.join(dir, 'x.rnn.json')) });
        assert.deepEqual(r.diagnostics.filter((d) => d.severity !== 'info'), [], text);
        const run = runDocumentJson(r.document!).result;
        assert.equal(!!run.head, !!m.head);
        if (m.batch_first === true) assert.match(text, /"batch_first": true/);
        if (m.batch_first == null) assert.match(text, /\/\/ batch_first unknown/);
      }
    });
  }
});

describe('checkpoints: the CLI', () => {
  it('inspect prints the JSON of the spec; run reads "from" relative to the document', () => {
    const r = cli(['inspect', path.join(dir, 'sample_rnn_sd.pt')]);
    assert.equal(r.code, 0, r.stderr);
    const j = JSON.parse(r.stdout);
    assert.equal(j.format, 'pytorch-zip');
    assert.equal(j.modules[0].head.prefix, 'fc.');
    const run = cli(['run', path.join(dir, 'docs/sample_rnn.rnn.json')]);
    assert.equal(run.code, 0, run.stderr);
    assert.ok(JSON.parse(run.stdout).head);
  });

  for (const [file, fx] of Object.entries<Record<string, any>>(expected.fixtures)) {
    if (!fx.hostile) continue;
    it(`inspect ${file}: exit 1 with one line, or placeholders named in notes`, () => {
      const r = cli(['inspect', path.join(dir, file)]);
      if (r.code === 1) {
        assert.equal(r.stdout, '');
        assert.equal(r.stderr.trim().split('\n').length, 1, r.stderr);
        assert.doesNotMatch(r.stderr, /\bat .*:\d+:\d+\)/, 'no stack trace');
      } else {
        assert.ok(fx.placeholder_ok, r.stderr);
        assert.equal(r.code, 0);
        for (const w of fx.unloaded ?? []) assert.ok(JSON.parse(r.stdout).notes.join('\n').includes(w));
      }
      assert.ok(!existsSync('/tmp/rnnlens-pwned'));
    });
  }

  for (const doc of Object.keys(expected.hostile_documents ?? {})) {
    it(`run ${doc}: exit 0 or 1, nothing runs`, () => {
      const r = cli(['run', path.join(dir, doc)]);
      assert.ok(r.code === 0 || r.code === 1, r.stderr);
      assert.doesNotMatch(r.stderr, /\bat .*:\d+:\d+\)/);
      assert.ok(!existsSync('/tmp/rnnlens-pwned'));
    });
  }
});
