// VS Code's own convention for extension tests (@vscode/test-cli + @vscode/test-electron):
// `npx vscode-test` runs the integration suite (test/integration, compiled to out/ by
// `npm run build && npm run compile-tests`) inside desktop VS Code, which @vscode/test-electron
// downloads from update.code.visualstudio.com into .vscode-test/ on first use.
// On this project's machines (no network beyond the npm registry) and in CI, the host is
// code-server instead: `npm run test:integration` (scripts/run-integration.mjs) runs the very
// same test files. `npm run test:desktop` wraps this file and says in one line when VS Code
// cannot be downloaded.
//   npx vscode-test                         the minimum VS Code the manifest claims (1.100.3)
//   npx vscode-test --label stable          the current stable VS Code
//   npx vscode-test --list-configuration    what would run, without running it
// The workspace is test/fixtures/workspace plus examples/, copied afresh into
// .vscode-test/desktop-workspace (tests edit and save files), as scripts/run-integration.mjs does.
import { defineConfig } from '@vscode/test-cli';
import { cpSync, existsSync, mkdirSync, rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { writeUserSettings } from './scripts/lib/code-server.mjs';

const root = dirname(fileURLToPath(import.meta.url));
const workspace = join(root, '.vscode-test', 'desktop-workspace');
const userDataDir = join(root, '.vscode-test', 'desktop-user-data');

function freshWorkspace() {
  rmSync(workspace, { recursive: true, force: true });
  mkdirSync(join(workspace, 'examples'), { recursive: true });
  cpSync(join(root, 'test', 'fixtures', 'workspace'), workspace, { recursive: true });
  if (existsSync(join(root, 'examples'))) cpSync(join(root, 'examples'), join(workspace, 'examples'), { recursive: true });
}

// Listing the configuration needs no workspace; a run gets a fresh copy.
if (!process.argv.includes('--list-configuration')) {
  freshWorkspace();
  // The same quiet settings as under code-server (no trust dialog, no welcome page, no updates).
  writeUserSettings(userDataDir);
}

/** Everything but the VS Code version is the same for both configurations. */
const common = {
  files: 'out/test/integration/**/*.test.js',
  extensionDevelopmentPath: root,
  workspaceFolder: workspace,
  launchArgs: ['--user-data-dir', userDataDir, '--disable-workspace-trust', '--skip-welcome', '--skip-release-notes'],
  mocha: { ui: 'bdd', timeout: Number(process.env.RNN_LENS_TEST_TIMEOUT ?? 60000), grep: process.env.RNN_LENS_TEST_GREP || undefined },
};

export default defineConfig([
  // engines.vscode is ^1.100.0: the oldest VS Code we claim, the same as code-server 4.100.3's.
  { label: 'integration', version: '1.100.3', ...common },
  { label: 'stable', version: 'stable', ...common },
]);
