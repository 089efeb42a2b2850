// Starting and stopping a code-server (VS Code 1.100.3 web) for tests and `npm start`, and the
// workbench URL that loads this extension in development mode. Shared by scripts/run-integration.mjs,
// scripts/run-e2e.mjs, scripts/start.mjs and test/e2e/harness.ts. Node-only.
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, mkdirSync, writeFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { codeServerBin, chromiumPath, ensureCodeServer } from '../setup-vscode.mjs';
import { registerEmptyLanguagePack } from './display-language.mjs';

export { ensureCodeServer, chromiumPath };

/** Settings that keep trust dialogs and welcome pages out of the way of tests. */
export const quietSettings = {
  'security.workspace.trust.enabled': false,
  'workbench.startupEditor': 'none',
  'workbench.tips.enabled': false,
  'workbench.enableExperiments': false,
  'extensions.autoUpdate': false,
  'extensions.autoCheckUpdates': false,
  'telemetry.telemetryLevel': 'off',
  'update.mode': 'none',
  'git.enabled': false,
};

/** A TCP port nobody listens on right now (asks the OS for one). */
export function freePort() {
  return new Promise((resolvePort, reject) => {
    const srv = createServer();
    srv.unref();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address();
      srv.close(() => resolvePort(port));
    });
  });
}

/** Writes DIR/User/settings.json (replacing it): quietSettings plus `extra`. */
export function writeUserSettings(userDataDir, extra = {}) {
  mkdirSync(join(userDataDir, 'User'), { recursive: true });
  writeFileSync(join(userDataDir, 'User', 'settings.json'), JSON.stringify({ ...quietSettings, ...extra }, null, 2));
}

/**
 * Starts code-server on 127.0.0.1 with no auth, a fresh user-data-dir and extensions dir (unless
 * given), and resolves when it answers HTTP. The server runs in its own process group so stop()
 * ends it with all its children (extension host, file watcher, pty host).
 * @param {{ workspace?: string, port?: number, userDataDir?: string, extensionsDir?: string,
 *   settings?: Record<string, unknown>, preserveSettings?: boolean, log?: (line: string) => void,
 *   startTimeoutMs?: number, locale?: string }} options
 * preserveSettings: keep an existing DIR/User/settings.json (a person's profile) instead of replacing it.
 * locale: VS Code's display language (--locale), e.g. 'ja'; see display-language.mjs.
 */
export async function startCodeServer(options = {}) {
  ensureCodeServer();
  const port = options.port ?? (await freePort());
  const scratch = mkdtempSync(join(tmpdir(), 'rnn-lens-vscode-'));
  const userDataDir = options.userDataDir ?? join(scratch, 'user-data');
  const extensionsDir = options.extensionsDir ?? join(scratch, 'extensions');
  mkdirSync(extensionsDir, { recursive: true });
  if (!(options.preserveSettings && existsSync(join(userDataDir, 'User', 'settings.json')))) writeUserSettings(userDataDir, options.settings);
  const args = [
    '--auth', 'none',
    '--bind-addr', `127.0.0.1:${port}`,
    '--disable-telemetry',
    '--disable-update-check',
    '--disable-workspace-trust',
    '--disable-getting-started-override',
    '--user-data-dir', userDataDir,
    '--extensions-dir', extensionsDir,
  ];
  if (options.locale) {
    args.push('--locale', options.locale);
    if (!options.locale.startsWith('en')) registerEmptyLanguagePack(userDataDir, options.locale);
  }
  if (options.workspace) args.push(options.workspace);
  const child = spawn(codeServerBin, args, {
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, VSCODE_PROXY_URI: '' },
  });
  const output = [];
  const onData = (buf) => {
    for (const line of buf.toString().split('\n')) {
      if (!line.trim()) continue;
      output.push(line);
      if (output.length > 400) output.shift();
      options.log?.(line);
    }
  };
  child.stdout.on('data', onData);
  child.stderr.on('data', onData);
  let exited = false;
  child.on('exit', () => { exited = true; });

  const stop = async () => {
    if (!exited) {
      try { process.kill(-child.pid, 'SIGTERM'); } catch { /* already gone */ }
      const deadline = Date.now() + 5000;
      while (!exited && Date.now() < deadline) await sleep(100);
      if (!exited) { try { process.kill(-child.pid, 'SIGKILL'); } catch { /* already gone */ } }
    }
    rmSync(scratch, { recursive: true, force: true, maxRetries: 3 });
    cleanups.delete(stop);
  };
  /** Used from process.on('exit'), where nothing asynchronous runs any more. */
  stop.sync = () => {
    if (!exited) { try { process.kill(-child.pid, 'SIGKILL'); } catch { /* already gone */ } }
    try { rmSync(scratch, { recursive: true, force: true }); } catch { /* best effort */ }
  };
  registerCleanup(stop);

  const base = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + (options.startTimeoutMs ?? 60000);
  for (;;) {
    if (exited) {
      await stop();
      throw new Error(`code-server exited before it was ready:\n${output.join('\n')}`);
    }
    try {
      const res = await fetch(`${base}/healthz`);
      if (res.ok) break;
    } catch { /* not listening yet */ }
    if (Date.now() > deadline) {
      await stop();
      throw new Error(`code-server did not answer on ${base} within the start timeout:\n${output.join('\n')}`);
    }
    await sleep(200);
  }
  return { port, base, userDataDir, extensionsDir, process: child, output, stop };
}

/**
 * The workbench URL on `folder`, loading the extension at `extensionDevelopmentPath` (absolute
 * path) in development mode and, when given, running the tests module at `extensionTestsPath`
 * inside its extension host (the mechanism of @vscode/test-web). To run the extension in the web
 * worker extension host instead, see webExtensionSettings.
 * @param {{ base: string, port: number, folder?: string, extensionDevelopmentPath?: string, extensionTestsPath?: string }} o
 */
export function workbenchUrl(o) {
  const remote = (p) => `vscode-remote://127.0.0.1:${o.port}${p}`;
  const payload = [['skipWelcome', 'true']];
  if (o.extensionDevelopmentPath) payload.push(['extensionDevelopmentPath', remote(o.extensionDevelopmentPath)]);
  if (o.extensionTestsPath) payload.push(['extensionTestsPath', remote(o.extensionTestsPath)]);
  let url = `${o.base}/?`;
  if (o.folder) url += `folder=${encodeURIComponent(o.folder)}&`;
  return url + `payload=${encodeURIComponent(JSON.stringify(payload))}`;
}

/**
 * User settings that run an extension in VS Code's web worker extension host (its "browser"
 * entry): remote.extensionKind ["web"]. VS Code 1.100's web workbench does not act on the
 * payload's extensionDevelopmentKind for an extension on the remote, so this is the way here.
 * @param {string} extensionId e.g. 'rnn-lens.rnn-lens'
 */
export function webExtensionSettings(extensionId) {
  return { 'remote.extensionKind': { [extensionId]: ['web'] } };
}

/** Chromium flags that keep a headless run quiet and offline. */
export const chromiumArgs = [
  '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update',
  '--disable-sync', '--no-first-run', '--disable-quic', '--disable-dev-shm-usage',
];

/** Launches Debian's Chromium through playwright-core. */
export async function launchChromium({ headless = true } = {}) {
  const { chromium } = await import('playwright-core');
  return chromium.launch({ executablePath: chromiumPath, headless, args: chromiumArgs });
}

export function sleep(ms) {
  return new Promise((r) => setTimeout(r, ms));
}

// Every started server is stopped when this process ends, however it ends.
const cleanups = new Set();
let hooked = false;
function registerCleanup(fn) {
  cleanups.add(fn);
  if (hooked) return;
  hooked = true;
  const killAllSync = () => {
    for (const f of cleanups) f.sync?.();
  };
  process.on('exit', killAllSync);
  for (const sig of ['SIGINT', 'SIGTERM', 'SIGHUP']) {
    process.on(sig, async () => {
      await Promise.allSettled([...cleanups].map((f) => f()));
      process.exit(128 + ({ SIGINT: 2, SIGTERM: 15, SIGHUP: 1 })[sig]);
    });
  }
}
