/*
 * Every path of the WebAssembly kernels against real PyTorch: the relaxed-SIMD build (fused
 * multiply-add, what VS Code desktop and browsers run), the plain SIMD build (code-server's
 * Node 20), and, in the golden tests themselves, the TypeScript path. The golden, float32 and
 * kernel test files run again in a child Node with --experimental-wasm-relaxed-simd and the
 * path forced by RNN_LENS_KERNEL_PATH (test/unit/helpers/golden.ts), at their own bars.
 * Layer: test (Node).
 */
import * as assert from 'assert';
import { spawnSync } from 'child_process';
import * as path from 'path';
import { kernelPath, relaxedSimdAvailable } from '../../src/engine/wasm/backend';

const root = path.resolve(__dirname, '../../..');
const mocha = path.join(root, 'node_modules', 'mocha', 'bin', 'mocha.js');
const files = ['engine.golden.test.js', 'kernels.f32.test.js', 'kernels.wasm.test.js', 'golden-extra.test.js', 'tape.wasm.test.js'].map((f) =>
  path.join(root, 'out', 'test', 'unit', f),
);

function runGolden(nodeFlags: string[], forced: string): { status: number | null; out: string } {
  // --no-config: the project's .mocharc.json would add every unit test (this file included) to the child.
  const r = spawnSync(process.execPath, [...nodeFlags, mocha, '--no-config', '--timeout', '60000', '--reporter', 'dot', ...files], {
    cwd: root,
    encoding: 'utf8',
    env: { ...process.env, RNN_LENS_KERNEL_PATH: forced },
  });
  return { status: r.status, out: `${r.stdout}\n${r.stderr}` };
}

describe('kernel paths (relaxed SIMD, SIMD, TypeScript)', function () {
  this.timeout(240000);
  // A child run (path forced) never spawns children of its own.
  if (process.env.RNN_LENS_KERNEL_PATH) return;

  it('detects relaxed SIMD with a tiny module and picks the matching build', () => {
    // Node 20 without the flag has no relaxed SIMD; a newer Node or Electron may.
    assert.strictEqual(kernelPath(), relaxedSimdAvailable() ? 'relaxed-simd' : 'simd');
  });

  it('with --experimental-wasm-relaxed-simd: every golden case on the relaxed-SIMD build', () => {
    const r = runGolden(['--experimental-wasm-relaxed-simd'], 'relaxed-simd');
    assert.match(r.out, /kernel path: relaxed-simd/, r.out.slice(-2000));
    assert.strictEqual(r.status, 0, r.out.slice(-4000));
    assert.match(r.out, /\d+ passing/);
  });

  it('with the flag but the SIMD build forced: the fallback still passes', () => {
    const r = runGolden(['--experimental-wasm-relaxed-simd'], 'simd');
    assert.match(r.out, /kernel path: simd/, r.out.slice(-2000));
    assert.strictEqual(r.status, 0, r.out.slice(-4000));
  });

  it('without the flag, asking for relaxed SIMD falls to the TypeScript path (never a build the host rejects)', () => {
    const r = spawnSync(
      process.execPath,
      ['-e', `const b=require(${JSON.stringify(path.join(root, 'out/src/engine/wasm/backend.js'))});b.setKernelPreference('relaxed-simd');console.log(String(b.relaxedSimdAvailable()), String(b.kernelPath()))`],
      { encoding: 'utf8' },
    );
    const [available, chosen] = r.stdout.trim().split(' ');
    assert.strictEqual(chosen, available === 'true' ? 'relaxed-simd' : 'null');
  });
});
