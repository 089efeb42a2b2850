// The mocha runner that VS Code calls inside its extension host (the module given as
// extensionTestsPath). Host-neutral: the same `run()` serves code-server (scripts/run-integration.mjs)
// and desktop VS Code via @vscode/test-electron on machines that can download it.
// Runs every out/test/integration/**/*.test.js next to this file. Node + mocha only; the tests
// themselves import vscode.
import Mocha from 'mocha';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';

/** The host's VS Code version, read without importing vscode at the top (keeps this file loadable anywhere). */
function vscodeVersion(): string {
  try {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    return (require('vscode') as { version: string }).version;
  } catch {
    return 'unknown';
  }
}

/** All compiled test files under `dir`, sorted so the order is the same on every machine. */
function findTests(dir: string): string[] {
  return (readdirSync(dir, { recursive: true }) as string[])
    .filter((f) => f.endsWith('.test.js'))
    .map((f) => join(dir, f))
    .sort();
}

/**
 * Entry point called by VS Code. Resolves when every test passed; rejects otherwise, which makes
 * the host exit with code 1. Mocha's spec reporter prints its usual "N passing / N failing", then
 * one plain line `integration: N passed, N failed` that scripts can grep.
 */
export async function run(): Promise<void> {
  const mocha = new Mocha({
    ui: 'bdd',
    reporter: 'spec',
    color: false,
    // A hang guard per test, not a speed requirement: generous, since a shared machine under load
    // runs the suite several times slower (RNN_LENS_TEST_TIMEOUT overrides it).
    timeout: Number(process.env.RNN_LENS_TEST_TIMEOUT ?? 60000),
    grep: process.env.RNN_LENS_TEST_GREP || undefined,
  });
  const files = findTests(__dirname);
  // The first line: scripts/run-integration.mjs shows the workbench's log only after it.
  console.log(`integration: running ${files.length} test file(s) in VS Code ${vscodeVersion()}`);
  for (const file of files) mocha.addFile(file);
  await mocha.loadFilesAsync();
  const { passed, failed } = await new Promise<{ passed: number; failed: number }>((resolve, reject) => {
    try {
      const runner = mocha.run(() => {
        const stats = runner.stats ?? { passes: 0, failures: 0 };
        resolve({ passed: stats.passes, failed: stats.failures });
      });
    } catch (err) {
      reject(err);
    }
  });
  console.log(`integration: ${passed} passed, ${failed} failed`);
  if (failed > 0) throw new Error(`${failed} integration test(s) failed`);
  if (passed === 0) throw new Error('no integration tests ran');
}
