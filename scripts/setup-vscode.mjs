// Installs a real VS Code host for the tests and `npm start`: code-server (VS Code 1.100.3's server
// and web workbench, from npm) into the git-ignored cache .vscode-test/, plus the Debian packages it
// needs. Idempotent: a stamp file records a finished install of this version, so a second run costs
// nothing. Usage: node scripts/setup-vscode.mjs [--force]
// Node-only build script; imported by the other scripts for `ensureCodeServer()`.
//
// Why not @vscode/test-electron: it downloads VS Code from Microsoft's update servers, which these
// machines cannot reach. The steps follow docs/testing-in-vscode.md (shared docs): install without
// scripts, then run only the build steps that work offline, with the system ripgrep.
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, writeFileSync, readFileSync, copyFileSync, chmodSync, rmSync, symlinkSync, lstatSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/** code-server 4.100.3 = VS Code 1.100.3, the last line that runs on Node 20. */
export const CODE_SERVER_VERSION = '4.100.3';
/** The project root (this file lives in scripts/). */
export const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..');
/** Cache folder holding one install per version. */
export const cacheDir = join(repoRoot, '.vscode-test', `code-server-${CODE_SERVER_VERSION}`);
const stampFile = join(cacheDir, 'installed.stamp');
const moduleDir = join(cacheDir, 'node_modules', 'code-server');
/** The code-server launcher inside the cache. */
export const codeServerBin = join(cacheDir, 'node_modules', '.bin', 'code-server');
/** Chromium used by playwright-core (Debian's package). */
export const chromiumPath = process.env.CHROMIUM_PATH || '/usr/bin/chromium';

function log(msg) {
  console.log(`[setup-vscode] ${msg}`);
}

function run(cmd, args, cwd, extraEnv = {}) {
  log(`${cwd === repoRoot ? '' : `(in ${cwd.replace(repoRoot + '/', '')}) `}${cmd} ${args.join(' ')}`);
  const r = spawnSync(cmd, args, { cwd, stdio: 'inherit', env: { ...process.env, ...extraEnv } });
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} failed with ${r.status ?? r.signal}`);
}

function which(bin) {
  const r = spawnSync('sh', ['-c', `command -v ${bin}`], { encoding: 'utf8' });
  return r.status === 0 ? r.stdout.trim() : undefined;
}

/** True when the stamp says this version finished installing and the launcher is there. */
export function isInstalled() {
  return existsSync(stampFile) && existsSync(codeServerBin) && readFileSync(stampFile, 'utf8').startsWith(CODE_SERVER_VERSION);
}

/**
 * Debian packages: chromium (the browser the tests drive), ripgrep (VS Code's search; its npm
 * package would download it from GitHub), libkrb5-dev (headers for the `kerberos` native module),
 * and a C++ toolchain (g++, make) for code-server's native modules. python3-torch is not needed:
 * the tests compare with PyTorch's numbers stored in test/golden/.
 * Installed only when missing, as root or with a password-less sudo; otherwise we say what is
 * missing and how to install it. Returns the names still missing.
 */
export function ensureSystemPackages() {
  const missing = [];
  if (!existsSync(chromiumPath)) missing.push('chromium');
  if (!which('rg')) missing.push('ripgrep');
  if (!existsSync('/usr/include/krb5.h') && !existsSync('/usr/include/gssapi/gssapi.h')) missing.push('libkrb5-dev');
  if (!which('g++')) missing.push('g++');
  if (!which('make')) missing.push('make');
  // A Japanese font, so the Japanese e2e screenshots show text instead of empty boxes.
  const japaneseFont = '/usr/share/fonts/opentype/ipafont-gothic/ipag.ttf';
  if (!existsSync(japaneseFont)) missing.push('fonts-ipafont-gothic');
  if (missing.length === 0) return [];
  const isRoot = typeof process.getuid === 'function' && process.getuid() === 0;
  const sudo = !isRoot && which('sudo') && spawnSync('sudo', ['-n', 'true']).status === 0;
  if ((isRoot || sudo) && which('apt-get')) {
    const env = { DEBIAN_FRONTEND: 'noninteractive' };
    const asRoot = (args) => (sudo ? ['sudo', ['-n', '--preserve-env=DEBIAN_FRONTEND', 'apt-get', ...args]] : ['apt-get', args]);
    run(...asRoot(['update']), repoRoot, env);
    run(...asRoot(['install', '-y', '--no-install-recommends', ...missing]), repoRoot, env);
    return missing.filter((p) => (p === 'ripgrep' ? !which('rg') : p === 'chromium' ? !existsSync(chromiumPath) : p === 'libkrb5-dev' ? !existsSync('/usr/include/krb5.h') : p === 'fonts-ipafont-gothic' ? !existsSync(japaneseFont) : !which(p)));
  }
  log(`missing system packages: ${missing.join(', ')} (install them, e.g. sudo apt-get install -y ${missing.join(' ')})`);
  if (missing.includes('chromium')) log('set CHROMIUM_PATH if Chromium lives elsewhere');
  return missing;
}

function symlink(target, path) {
  try {
    lstatSync(path);
    rmSync(path, { recursive: false, force: true });
  } catch {
    // not there yet
  }
  symlinkSync(target, path);
}

/** The offline path of docs/testing-in-vscode.md. */
function installOffline() {
  const npmEnv = { npm_config_audit: 'false', npm_config_fund: 'false', npm_config_update_notifier: 'false' };
  run('npm', ['install', '--ignore-scripts', '--no-save', '--no-package-lock', `code-server@${CODE_SERVER_VERSION}`], cacheDir, npmEnv);
  run('npm', ['rebuild', 'argon2'], cacheDir, npmEnv);
  const vscodeDir = join(moduleDir, 'lib', 'vscode');
  run('npm', ['install', '--omit=dev', '--ignore-scripts'], vscodeDir, npmEnv);
  const rgBin = join(vscodeDir, 'node_modules', '@vscode', 'ripgrep', 'bin', 'rg');
  const systemRg = which('rg');
  if (systemRg) {
    mkdirSync(dirname(rgBin), { recursive: true });
    copyFileSync(systemRg, rgBin);
    chmodSync(rgBin, 0o755);
  }
  // node-pty's build script calls `npx node-gyp`, which would stop to ask without `yes`.
  // Without a system rg, @vscode/ripgrep's own script tries to download it (works with internet).
  run('npm', ['rebuild'], vscodeDir, { ...npmEnv, npm_config_yes: 'true' });
  if (systemRg && !existsSync(rgBin)) copyFileSync(systemRg, rgBin);
  symlink('node_modules', join(vscodeDir, 'node_modules.asar'));
  symlink('code-linux.sh', join(vscodeDir, 'bin', 'remote-cli', 'code-server'));
  symlink('browser-linux.sh', join(vscodeDir, 'bin', 'helpers', 'browser.sh'));
  run('npm', ['install', '--omit=dev'], join(vscodeDir, 'extensions'), npmEnv);
}

/**
 * Makes sure code-server is installed in .vscode-test/ and returns the launcher's path.
 * Cheap when already installed (checks the stamp only).
 */
export function ensureCodeServer({ force = false } = {}) {
  if (!force && isInstalled()) return codeServerBin;
  const started = Date.now();
  ensureSystemPackages();
  if (force) rmSync(cacheDir, { recursive: true, force: true });
  mkdirSync(cacheDir, { recursive: true });
  rmSync(stampFile, { force: true });
  // Its own package.json keeps npm from walking up to the project's.
  writeFileSync(join(cacheDir, 'package.json'), JSON.stringify({ name: 'vscode-test-cache', private: true }, null, 2) + '\n');
  installOffline();
  // A quick check that the server starts at all.
  const version = execFileSync(codeServerBin, ['--version'], { encoding: 'utf8' }).trim().split('\n').pop();
  const seconds = ((Date.now() - started) / 1000).toFixed(0);
  writeFileSync(stampFile, `${CODE_SERVER_VERSION}\ninstalled ${new Date().toISOString()} in ${seconds}s\n${version}\n`);
  log(`code-server ${CODE_SERVER_VERSION} ready in ${seconds}s (${version})`);
  return codeServerBin;
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  try {
    const force = process.argv.includes('--force');
    if (!force && isInstalled()) log(`code-server ${CODE_SERVER_VERSION} already installed (${cacheDir.replace(repoRoot + '/', '')})`);
    ensureCodeServer({ force });
  } catch (err) {
    console.error(`[setup-vscode] ${err instanceof Error ? err.message : err}`);
    process.exit(1);
  }
}
