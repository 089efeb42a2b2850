// `npm start`: installs what is missing (scripts/bootstrap.mjs: Debian packages, the npm
// dependencies, esbuild's binary, the VS Code host), builds the extension, and starts code-server on
// examples/ with RNN Lens loaded in development mode. Prints the URL to open in a browser and keeps
// running until Ctrl+C. Usage: node scripts/start.mjs [--port N] [--folder PATH] [--no-build]
// Node-only script with no dependency (it runs before node_modules exists).
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { repoRoot } from './setup-vscode.mjs';
import { startCodeServer, workbenchUrl } from './lib/code-server.mjs';
import { bootstrap } from './bootstrap.mjs';

const argv = process.argv.slice(2);
const opt = (name) => {
  const i = argv.indexOf(name);
  return i >= 0 ? argv[i + 1] : undefined;
};

const ready = bootstrap();
console.log(ready.summary);
if (!ready.ok) process.exit(1);
if (!argv.includes('--no-build')) {
  const r = spawnSync('npm', ['run', '--silent', 'build'], { cwd: repoRoot, stdio: 'inherit' });
  if (r.status !== 0) process.exit(r.status ?? 1);
}

// The user's own examples, opened in place: what they edit is what they keep.
const folder = resolve(opt('--folder') ?? join(repoRoot, 'examples'));
if (!existsSync(folder)) mkdirSync(folder, { recursive: true });
// A persistent profile in the cache, so settings and open editors survive restarts of `npm start`.
const userDataDir = join(repoRoot, '.vscode-test', 'start-user-data');
const server = await startCodeServer({
  workspace: folder,
  port: opt('--port') ? Number(opt('--port')) : undefined,
  userDataDir,
  extensionsDir: join(repoRoot, '.vscode-test', 'start-extensions'),
  preserveSettings: true,
  log: process.env.RNN_LENS_DEBUG === '1' ? (l) => console.log(`[code-server] ${l}`) : undefined,
});
const url = workbenchUrl({ base: server.base, port: server.port, folder, extensionDevelopmentPath: repoRoot });
console.log('');
console.log('RNN Lens is running in VS Code (code-server). Open this URL in a browser:');
console.log('');
console.log(`  ${url}`);
console.log('');
console.log(`Folder: ${folder}`);
console.log('After changing the code: `npm run build` in another terminal, then "Developer: Reload Window".');
console.log('Stop with Ctrl+C.');
server.process.on('exit', (code) => {
  console.log(`code-server exited (${code})`);
  process.exit(code ?? 0);
});
