/*
 * The mocha runner for the web worker extension host (the module VS Code loads as
 * extensionTestsPath when the extension runs as a web extension). There is no Node there: this
 * file and the selected test files are bundled for the browser by scripts/lib/web-tests.mjs into
 * out/integration-web/index.js, with mocha's browser build and test/integration-web/assert.ts
 * in place of Node's assert. Prints the same summary line as test/integration/index.ts:
 * `integration: N passed, N failed`.
 * Layer: test (web worker extension host; no Node).
 */
import 'mocha/mocha.js';
import * as vscode from 'vscode';
import { loadTests, nodeOnlyTestFiles, webTestFiles } from './selection';

/** Injected by the bundler (scripts/lib/web-tests.mjs): RNN_LENS_TEST_GREP and RNN_LENS_TEST_TIMEOUT. */
declare const RNN_LENS_WEB_TEST_GREP: string;
declare const RNN_LENS_WEB_TEST_TIMEOUT: number;

export async function run(): Promise<void> {
  mocha.setup({ ui: 'bdd', reporter: 'spec', color: false, timeout: RNN_LENS_WEB_TEST_TIMEOUT, grep: RNN_LENS_WEB_TEST_GREP || undefined } as Mocha.MochaOptions);
  // The first line: scripts/run-integration.mjs shows the workbench's log only after it.
  console.log(`integration: running ${webTestFiles.length} test file(s) in VS Code ${vscode.version} (web worker extension host)`);
  for (const [file, why] of Object.entries(nodeOnlyTestFiles)) console.log(`integration: skipped ${file}.test (Node only: ${why})`);
  loadTests();
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
