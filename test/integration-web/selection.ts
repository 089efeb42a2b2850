/*
 * Which integration test files run in the web worker extension host, and why the others do not.
 * A file left out here is skipped, not counted as passing: scripts/run-integration.mjs --web
 * prints the skipped files with their reasons. The requires are literal so that the bundler
 * (scripts/lib/web-tests.mjs) pulls each test file into the browser bundle.
 * Layer: test (web worker extension host).
 */

/** Test files of test/integration/ that run in the web host, in the order they run. */
export const webTestFiles = ['webHost', 'smoke', 'commands', 'hover', 'diagnostics', 'editing', 'run', 'python', 'pythonLint', 'unroll', 'train', 'python.train', 'lab', 'cells'];

/** Test files that only make sense in the Node extension host, with the reason. */
export const nodeOnlyTestFiles: Record<string, string> = {
  worker: 'measures Node worker_threads (process.cpuUsage, thread exit codes)',
  memory: 'reads the Node heap (node:v8, node:vm, process.memoryUsage)',
  largeDocument: 'times the Node host under 4.8 MB documents (the web host reads them in a Web Worker too, checked by webHost)',
  hostile: "listens on Node's process 'unhandledRejection'",
};

/** Registers the selected files' describe() blocks with mocha (call after mocha.setup). */
export function loadTests(): void {
  require('./webHost.test');
  require('../integration/smoke.test');
  require('../integration/commands.test');
  require('../integration/hover.test');
  require('../integration/diagnostics.test');
  require('../integration/editing.test');
  require('../integration/run.test');
  require('../integration/python.test');
  require('../integration/pythonLint.test');
  require('../integration/unroll.test');
  require('../integration/train.test');
  require('../integration/python.train.test');
  require('../integration/lab.test');
  require('../integration/cells.test');
}
