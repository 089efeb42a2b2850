/*
 * Hostile checkpoints (test/fixtures/checkpoints/hostile, written by
 * scripts/make_checkpoint_fixtures.py under /usr/bin/python3): each is refused with one line,
 * or read with inert placeholders named in the notes where that is allowed; nothing runs, and
 * /tmp/rnnlens-pwned never appears. Plus seeded byte mutations of the golden files: only
 * CheckpointError ever comes out (never a RangeError, a TypeError or a stack overflow).
 * Layer: test (Node). Reads only files inside the repository.
 */
import * as assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import { CheckpointError, openCheckpoint } from '../../src/checkpoint/index';
import { main } from '../../src/cli';

const dir = path.resolve(__dirname, '../../../test/fixtures/checkpoints');
const hostile = JSON.parse(readFileSync(path.join(dir, 'hostile/expected.json'), 'utf8'));

function cli(args: string[]) {
  let stdout = '';
  let stderr = '';
  const code = main(args, { stdout: (s) => { stdout += s; }, stderr: (s) => { stderr += s; }, readStdin: () => '', readFile: (p) => readFileSync(p, 'utf8') });
  return { code, stdout, stderr };
}

describe('checkpoints: hostile files', () => {
  for (const [file, fx] of Object.entries<Record<string, any>>(hostile)) {
    it(`${file}: ${fx.why}`, () => {
      const r = cli(['inspect', path.join(dir, 'hostile', file)]);
      assert.doesNotMatch(r.stderr, /\n\s+at /, 'no stack trace');
      if (fx.placeholder_ok && r.code === 0) {
        const notes: string[] = JSON.parse(r.stdout).notes;
        for (const w of fx.unloaded) assert.ok(notes.some((n) => n.includes(w)), `notes name ${w}: ${notes.join(' | ')}`);
        assert.ok(notes.some((n) => n.includes('not loaded')), 'the file is reported as holding objects that were not loaded');
      } else {
        assert.equal(r.code, 1, r.stdout);
        assert.equal(r.stderr.trim().split('\n').length, 1, r.stderr);
        assert.match(r.stderr, /: error: /);
      }
      assert.ok(!existsSync('/tmp/rnnlens-pwned'), 'nothing ran');
    });
  }

  it('placeholders keep the tensors around them readable', () => {
    const c = openCheckpoint(new Uint8Array(readFileSync(path.join(dir, 'hostile/eval_global.pt'))));
    assert.deepEqual(c.tensors.map((t) => t.name), ['rnn.weight_ih_l0', 'rnn.weight_hh_l0', 'rnn.bias_ih_l0', 'rnn.bias_hh_l0']);
    assert.equal(c.read('rnn.weight_ih_l0').data.length, 6);
    assert.ok(c.notes.some((n) => n.includes('builtins.eval')));
  });

  it('a safetensors __proto__ key never reaches a prototype', () => {
    assert.throws(() => openCheckpoint(new Uint8Array(readFileSync(path.join(dir, 'hostile/proto_polluted.safetensors')))), CheckpointError);
    assert.equal(({} as Record<string, unknown>).polluted, undefined);
  });

  it('a tensor larger than the element budget is refused before its values are allocated', () => {
    const c = openCheckpoint(new Uint8Array(readFileSync(path.join(dir, 'sample_rnn_sd.pt'))), { maxElements: 100 });
    assert.throws(() => c.read('rnn.weight_hh_l0'), /holds 400 elements, more than the limit of 100/);
    assert.equal(c.read('rnn.bias_ih_l0').data.length, 20);
  });

  it('seeded byte mutations of every golden file give a checkpoint or a CheckpointError, nothing else', () => {
    let seed = 14;
    const rand = () => { seed = (seed * 1103515245 + 12345) % 2 ** 31; return seed / 2 ** 31; };
    const files = ['sample_rnn_sd.pt', 'legacy.pt', 'legacy_whole.pt', 'whole_model.pt', 'model.safetensors', 'views.pt', 'checkpoint_dict.pt'];
    let refused = 0;
    let read = 0;
    for (const f of files) {
      const orig = new Uint8Array(readFileSync(path.join(dir, f)));
      for (let k = 0; k < 60; k++) {
        const b = orig.slice();
        const flips = 1 + Math.floor(rand() * 4);
        for (let j = 0; j < flips; j++) b[Math.floor(rand() * b.length)] = Math.floor(rand() * 256);
        const cut = rand() < 0.2 ? Math.floor(rand() * b.length) : b.length;
        try {
          const c = openCheckpoint(b.subarray(0, cut));
          for (const t of c.tensors) if (['float32', 'float64', 'float16', 'bfloat16'].includes(t.dtype)) c.read(t.name);
          read++;
        } catch (e) {
          if (!(e instanceof CheckpointError)) throw new Error(`${f} mutation ${k}: ${(e as Error)?.stack ?? e}`);
          assert.ok(!e.message.includes('\n'));
          refused++;
        }
      }
    }
    assert.ok(refused > 0 && read > 0, `${refused} refused, ${read} read`);
  });
});
