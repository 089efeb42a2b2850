// What `npm test` and `npm start` do first, on a bare clone as on a working copy: install what is
// missing, in this order, and nothing that is already there.
//   1. Debian packages the tests need (chromium, ripgrep, libkrb5-dev, g++, make, a Japanese font), as root or
//      with a password-less sudo (setup-vscode.mjs ensureSystemPackages);
//   2. the npm dependencies, with `npm ci` (install scripts on), when node_modules is absent or
//      older than package-lock.json (npm's own record, node_modules/.package-lock.json, is
//      older than the lockfile);
//   3. esbuild's native binary (`npm rebuild esbuild` when esbuild cannot transform a line);
//   4. the VS Code host, code-server, into .vscode-test/ (setup-vscode.mjs ensureCodeServer).
// Plain Node with no dependency: it runs before node_modules exists. Everything it downloads
// comes from the npm registry or Debian's archive.
// Usage: node scripts/bootstrap.mjs [--no-vscode]   (prints one "bootstrap: ..." line at the end)
// Node-only build script; test.mjs and start.mjs run it first.
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { CODE_SERVER_VERSION, ensureCodeServer, ensureSystemPackages, isInstalled, repoRoot } from './setup-vscode.mjs';

function log(msg) {
  console.log(`[bootstrap] ${msg}`);
}

const lockFile = join(repoRoot, 'package-lock.json');
/** npm writes this at the end of every install (npm ci, npm install): its mtime is the install's. */
const installedLock = join(repoRoot, 'node_modules', '.package-lock.json');

/** Why the npm dependencies need installing, or undefined when they are up to date. */
export function npmInstallReason() {
  if (!existsSync(join(repoRoot, 'node_modules'))) return 'node_modules is absent';
  if (!existsSync(installedLock)) return 'node_modules has no record of an install (node_modules/.package-lock.json)';
  if (statSync(lockFile).mtimeMs > statSync(installedLock).mtimeMs) return 'package-lock.json is newer than node_modules';
  return undefined;
}

function npm(args) {
  log(`npm ${args.join(' ')}`);
  const r = spawnSync('npm', args, {
    cwd: repoRoot,
    stdio: 'inherit',
    env: { ...process.env, npm_config_audit: 'false', npm_config_fund: 'false', npm_config_update_notifier: 'false' },
  });
  return r.status === 0;
}

/** esbuild's version when its native binary answers, else undefined. */
function esbuildWorks() {
  const r = spawnSync(process.execPath, ['-e', "const e = require('esbuild'); e.transformSync('let a = 1'); console.log(e.version)"], {
    cwd: repoRoot,
    encoding: 'utf8',
  });
  return r.status === 0 ? r.stdout.trim() : undefined;
}

/**
 * Installs what is missing. Returns { ok, summary }: ok is false when something could not be
 * installed (the summary says what); never throws.
 */
export function bootstrap({ vscode = true } = {}) {
  const started = Date.now();
  const done = [];
  const problems = [];

  const stillMissing = ensureSystemPackages();
  if (stillMissing.length) problems.push(`missing Debian packages: ${stillMissing.join(', ')}`);

  const reason = npmInstallReason();
  if (reason) {
    log(`installing the npm dependencies: ${reason}`);
    if (npm(['ci'])) done.push('npm ci');
    else problems.push('npm ci failed');
  }

  let esbuild = esbuildWorks();
  if (!esbuild && existsSync(join(repoRoot, 'node_modules', 'esbuild'))) {
    log("esbuild's binary does not answer: npm rebuild esbuild");
    npm(['rebuild', 'esbuild']);
    esbuild = esbuildWorks();
    if (esbuild) done.push('esbuild binary');
  }
  if (!esbuild) problems.push("esbuild's binary does not run");

  if (vscode) {
    const had = isInstalled();
    try {
      ensureCodeServer();
      if (!had) done.push(`code-server ${CODE_SERVER_VERSION}`);
    } catch (err) {
      problems.push(`code-server ${CODE_SERVER_VERSION}: ${err instanceof Error ? err.message : err}`);
    }
  }

  const seconds = ((Date.now() - started) / 1000).toFixed(0);
  const version = JSON.parse(readFileSync(join(repoRoot, 'package.json'), 'utf8')).version;
  const summary = problems.length
    ? `bootstrap: FAILED: ${problems.join('; ')}`
    : `bootstrap: ready in ${seconds}s (${done.length ? `installed: ${done.join(', ')}` : 'nothing to install'}; rnn-lens ${version}, esbuild ${esbuild}${vscode ? `, code-server ${CODE_SERVER_VERSION}` : ''})`;
  return { ok: problems.length === 0, summary };
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const { ok, summary } = bootstrap({ vscode: !process.argv.includes('--no-vscode') });
  console.log(summary);
  process.exit(ok ? 0 : 1);
}
