/*
 * VS Code's own test convention, checked offline: .vscode-test.mjs loads with @vscode/test-cli
 * and lists the integration suite (every compiled test/integration/*.test.js) for desktop VS Code
 * 1.100.3 (engines.vscode's minimum) and stable; and scripts/test-desktop.mjs turns a download that
 * cannot reach Microsoft's servers into one clear line (checked with a stand-in runner that fails
 * as test-cli fails offline). Running the suite in desktop VS Code needs a download, so it is not
 * run here: code-server runs the same files (npm run test:integration).
 * Layer: test (Node).
 */
import * as assert from 'assert';
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { repoRoot } from './helpers/golden';

interface Listed {
  path: string;
  config: { label: string; version: string; files: string; extensionDevelopmentPath: string; workspaceFolder: string };
  extensionTestsPath: string;
  env: { VSCODE_TEST_OPTIONS: string };
}

describe('.vscode-test.mjs (npx vscode-test, desktop VS Code)', function () {
  this.timeout(120_000);
  const root = repoRoot();

  it('loads and lists the integration suite for VS Code 1.100.3 and stable', () => {
    const bin = path.join(root, 'node_modules', '@vscode', 'test-cli', 'out', 'bin.mjs');
    const r = spawnSync(process.execPath, [bin, '--list-configuration'], { cwd: root, encoding: 'utf8' });
    assert.strictEqual(r.status, 0, r.stderr);
    const listed = JSON.parse(r.stdout) as Listed[];
    assert.deepStrictEqual(listed.map((c) => [c.config.label, c.config.version]), [['integration', '1.100.3'], ['stable', 'stable']]);
    const pkg = JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8'));
    assert.ok(pkg.engines.vscode === '^1.100.0', 'the default configuration runs the minimum VS Code the manifest claims');
    const compiled = (fs.readdirSync(path.join(root, 'out', 'test', 'integration')) as string[])
      .filter((f) => f.endsWith('.test.js'))
      .map((f) => path.join(root, 'out', 'test', 'integration', f))
      .sort();
    assert.ok(compiled.some((f) => f.endsWith('worker.test.js')), 'the suite is compiled');
    for (const c of listed) {
      assert.strictEqual(c.config.extensionDevelopmentPath, root);
      assert.ok(c.extensionTestsPath.endsWith(path.join('@vscode', 'test-cli', 'out', 'runner.cjs')), c.extensionTestsPath);
      const files = (JSON.parse(c.env.VSCODE_TEST_OPTIONS).files as string[]).slice().sort();
      assert.deepStrictEqual(files, compiled, `${c.config.label}: the same test files as npm run test:integration`);
    }
  });

  it('test-desktop.mjs: a download that cannot reach update.code.visualstudio.com ends with one clear line', () => {
    // A stand-in for @vscode/test-cli that fails the way it does offline (measured here:
    // "Error: getaddrinfo ENOTFOUND update.code.visualstudio.com", exit 1).
    const fake = path.join(root, 'out', 'test', 'unit', 'fake-vscode-test-offline.mjs');
    fs.writeFileSync(fake, "console.log('- Resolving version...');\nconsole.error('Error: getaddrinfo ENOTFOUND update.code.visualstudio.com');\nprocess.exit(1);\n");
    const r = spawnSync(process.execPath, [path.join(root, 'scripts', 'test-desktop.mjs'), '--no-build'], {
      cwd: root,
      encoding: 'utf8',
      env: { ...process.env, RNN_LENS_VSCODE_TEST_BIN: fake },
    });
    assert.strictEqual(r.status, 1);
    const lines = r.stderr.split('\n').filter((l) => l.startsWith('test:desktop:'));
    assert.strictEqual(lines.length, 1, r.stderr);
    assert.match(lines[0], /could not be downloaded from update\.code\.visualstudio\.com .*npm run test:integration/);
  });
});
