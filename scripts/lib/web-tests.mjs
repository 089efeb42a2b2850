// Bundles the integration suite for VS Code's web worker extension host: there is no Node and no
// `require` there but `vscode`, so test/integration-web/index.ts (mocha's browser build, the
// selected test files of test/integration/, test/integration-web/assert.ts for Node's assert)
// becomes one CommonJS file, out/integration-web/index.js (beside tsc's out/test/), that VS Code loads as
// extensionTestsPath. Used by scripts/run-integration.mjs --web. Node-only script.
import * as esbuild from 'esbuild';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

/**
 * mocha's browser build is a UMD file in an ESM package: bundled as is, its `module.exports =
 * factory()` would replace the bundle's own exports (run() would be mocha.run). Loaded here in a
 * scope without module/exports/define, it takes its browser branch and sets globalThis.mocha.
 */
const mochaAsBrowserGlobal = {
  name: 'mocha-browser-global',
  setup(build) {
    build.onLoad({ filter: /[\\/]mocha[\\/]mocha\.js$/ }, (args) => ({
      contents: `(function (module, exports, define) {\n${readFileSync(args.path, 'utf8')}\n}).call(globalThis);`,
      loader: 'js',
    }));
  },
};

/**
 * @param {string} repoRoot
 * @param {{ grep?: string, timeoutMs?: number }} options
 * @returns {Promise<string>} the bundle's path
 */
export async function buildWebTests(repoRoot, options = {}) {
  warnUnclassified(repoRoot);
  const outfile = join(repoRoot, 'out', 'integration-web', 'index.js');
  const assertShim = join(repoRoot, 'test', 'integration-web', 'assert.ts');
  await esbuild.build({
    absWorkingDir: repoRoot,
    entryPoints: ['test/integration-web/index.ts'],
    outfile,
    bundle: true,
    platform: 'browser',
    format: 'cjs',
    target: 'es2022',
    sourcemap: 'inline',
    logLevel: 'warning',
    external: ['vscode'],
    plugins: [mochaAsBrowserGlobal],
    mainFields: ['module', 'main'],
    alias: { assert: assertShim, 'node:assert': assertShim, 'node:assert/strict': assertShim },
    define: {
      RNN_LENS_WEB_TEST_GREP: JSON.stringify(options.grep ?? ''),
      RNN_LENS_WEB_TEST_TIMEOUT: String(options.timeoutMs ?? 20000),
      'process.env.RNN_LENS_WEB': '"1"',
    },
  });
  return outfile;
}

/**
 * A test file of test/integration/ that test/integration-web/selection.ts neither runs nor skips
 * with a reason is not run in the web host: say so, so that a new file gets classified.
 */
function warnUnclassified(repoRoot) {
  const selection = readFileSync(join(repoRoot, 'test', 'integration-web', 'selection.ts'), 'utf8');
  const files = readdirSync(join(repoRoot, 'test', 'integration')).filter((f) => f.endsWith('.test.ts')).map((f) => f.slice(0, -'.test.ts'.length));
  const missing = files.filter((name) => !selection.includes(`'../integration/${name}.test'`) && !new RegExp(`^\\s*${name}: `, 'm').test(selection));
  if (missing.length) console.warn(`[integration] not classified for the web host, so not run there: ${missing.map((m) => `${m}.test`).join(', ')} (add them to test/integration-web/selection.ts)`);
}
