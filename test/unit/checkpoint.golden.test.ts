/*
 * Checkpoints saved by real PyTorch 1.13 (test/fixtures/checkpoints, see its README.md) read
 * as PyTorch holds them: inspect's JSON (format, tensors in file order with state_dict names,
 * modules with their heads), notes naming what was converted or not loaded, and every value
 * bit for bit (Math.fround(x) === expected, as .float() gives them). Hostile files are
 * refused with one line, or read with placeholders where the fixture allows it.
 * Layer: test (Node). Reads only files inside the repository.
 */
import * as assert from 'node:assert/strict';
import { readFileSync, existsSync } from 'node:fs';
import * as path from 'node:path';
import { CheckpointError, inspectJson, openCheckpoint, type Checkpoint } from '../../src/checkpoint/index';

const dir = path.resolve(__dirname, '../../../test/fixtures/checkpoints');
const expected = JSON.parse(readFileSync(path.join(dir, 'expected.json'), 'utf8'));
const open = (file: string): Checkpoint => openCheckpoint(new Uint8Array(readFileSync(path.join(dir, file))));

type Nested = number | Nested[];
function flat(x: Nested, out: number[] = []): number[] {
  // Iterative enough for tensors: depth <= 4.
  if (Array.isArray(x)) for (const y of x) flat(y, out);
  else out.push(x);
  return out;
}

/** inspect's modules without the fields names and shapes cannot tell (null there, absent in expected.json). */
function comparable(modules: Record<string, unknown>[]): Record<string, unknown>[] {
  return modules.map((m) => {
    const c = { ...m };
    if (c.batch_first === null) delete c.batch_first;
    if (c.nonlinearity === null) delete c.nonlinearity;
    return c;
  });
}

describe('checkpoints: golden files from PyTorch', () => {
  for (const [file, fx] of Object.entries<Record<string, any>>(expected.fixtures)) {
    if (fx.hostile) continue;
    describe(file, () => {
      it('inspect lists the format, tensors (file order, state_dict names) and modules as PyTorch holds them', () => {
        const j = inspectJson(open(file));
        assert.equal(j.format, fx.inspect.format);
        assert.deepEqual(j.tensors, fx.inspect.tensors);
        assert.deepEqual(comparable(j.modules as unknown as Record<string, unknown>[]), fx.inspect.modules);
      });
      it('notes mention what was converted or not loaded', () => {
        const notes = open(file).notes.join('\n');
        for (const w of fx.notes_mention ?? []) assert.ok(notes.includes(w), `notes should mention ${w}: ${notes}`);
      });
      it('every value is PyTorch\'s float32, bit for bit', () => {
        const c = open(file);
        for (const [name, want] of Object.entries<Nested>(fx.values)) {
          const t = c.read(name);
          const w = flat(want);
          assert.equal(t.data.length, w.length, name);
          for (let i = 0; i < w.length; i++) {
            if (!Object.is(Math.fround(t.data[i]), w[i]) && !(Number.isNaN(w[i]) && Number.isNaN(t.data[i]))) {
              assert.fail(`${name}[${i}]: ${t.data[i]} !== ${w[i]}`);
            }
          }
        }
      });
    });
  }

  it('listing decodes no tensor data: reads only the directory and the pickle', () => {
    const bytes = new Uint8Array(readFileSync(path.join(dir, 'sample_rnn_sd.pt')));
    const touched: [number, number][] = [];
    const c = openCheckpoint({ size: bytes.length, read: (o, n) => { touched.push([o, n]); return bytes.subarray(o, o + n); } });
    const total = touched.reduce((s, [, n]) => s + n, 0);
    // The directory tail + data.pkl; the 20x20 weight (1,600 bytes) and others are never read.
    const before = touched.length;
    c.read('rnn.bias_ih_l0');
    assert.ok(touched.length > before, 'reading a tensor reads its bytes');
    const big = touched.slice(0, before).some(([o, n]) => n === 1600);
    assert.ok(!big, `listing read a weight's bytes (${total} bytes in ${before} reads)`);
  });
});

describe('checkpoints: hostile files from the golden set', () => {
  for (const [file, fx] of Object.entries<Record<string, any>>(expected.fixtures)) {
    if (!fx.hostile) continue;
    it(`${file}: ${fx.why}`, () => {
      let c: Checkpoint | undefined;
      try {
        c = open(file);
      } catch (e) {
        assert.ok(e instanceof CheckpointError, `not a CheckpointError: ${e}`);
        assert.ok(!e.message.includes('\n'), 'one line');
        return;
      }
      assert.ok(fx.placeholder_ok, `${file} should have been refused`);
      const notes = c.notes.join('\n');
      for (const w of fx.unloaded ?? []) assert.ok(notes.includes(w), `notes should name ${w}: ${notes}`);
      assert.ok(!existsSync('/tmp/rnnlens-pwned'), 'nothing ran');
    });
  }
});
