// Packages the extension (`npm run package` -> rnn-lens-VERSION.vsix) and checks the result: the
// .vsix holds what the extension needs at run time and nothing of the sources or tests, and a real
// VS Code (code-server) installs it and lists it.
// Usage: node scripts/package-test.mjs [--no-package] (reuse an existing .vsix). Node-only script.
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { codeServerBin, ensureCodeServer, repoRoot } from './setup-vscode.mjs';

const pkg = JSON.parse(readFileSync(join(repoRoot, 'package.json'), 'utf8'));
const vsixName = `${pkg.name}-${pkg.version}.vsix`;
const vsixPath = join(repoRoot, vsixName);
const extensionId = `${pkg.publisher}.${pkg.name}`.toLowerCase();
const problems = [];
const check = (ok, what) => {
  console.log(`${ok ? 'ok  ' : 'FAIL'}  ${what}`);
  if (!ok) problems.push(what);
};

/** File names in a zip, read from its central directory (a .vsix is a zip). */
function zipEntries(file) {
  const buf = readFileSync(file);
  // End of central directory record: signature 0x06054b50 within the last 64 KiB.
  let eocd = -1;
  for (let i = buf.length - 22; i >= Math.max(0, buf.length - 65557); i--) {
    if (buf.readUInt32LE(i) === 0x06054b50) { eocd = i; break; }
  }
  if (eocd < 0) throw new Error(`${file} is not a zip file`);
  const count = buf.readUInt16LE(eocd + 10);
  let p = buf.readUInt32LE(eocd + 16);
  const names = [];
  for (let n = 0; n < count; n++) {
    if (buf.readUInt32LE(p) !== 0x02014b50) throw new Error('bad central directory entry');
    const nameLen = buf.readUInt16LE(p + 28);
    const extraLen = buf.readUInt16LE(p + 30);
    const commentLen = buf.readUInt16LE(p + 32);
    names.push(buf.toString('utf8', p + 46, p + 46 + nameLen));
    p += 46 + nameLen + extraLen + commentLen;
  }
  return names;
}

if (!process.argv.includes('--no-package')) {
  rmSync(vsixPath, { force: true });
  const r = spawnSync('npm', ['run', '--silent', 'package'], { cwd: repoRoot, stdio: 'inherit' });
  if (r.status !== 0) {
    console.error('npm run package failed');
    process.exit(1);
  }
}
check(existsSync(vsixPath), `${vsixName} was produced`);
if (!existsSync(vsixPath)) process.exit(1);

const entries = zipEntries(vsixPath);
console.log(`\n${vsixName}: ${entries.length} files`);
for (const e of entries) console.log(`  ${e}`);
console.log('');

const inside = (prefix) => entries.some((e) => e.startsWith(`extension/${prefix}`));
check(entries.includes('extension/package.json'), 'package.json');
check(entries.includes('extension.vsixmanifest'), 'extension.vsixmanifest');
check(entries.includes(`extension/${pkg.main.replace(/^\.\//, '')}`), `main entry ${pkg.main}`);
if (pkg.browser) check(entries.includes(`extension/${pkg.browser.replace(/^\.\//, '')}`), `browser entry ${pkg.browser}`);
check(entries.some((e) => /^extension\/readme\.md$/i.test(e)), 'README.md');
check(entries.some((e) => /^extension\/changelog\.md$/i.test(e)), 'CHANGELOG.md');
check(entries.some((e) => /^extension\/license(\.txt|\.md)?$/i.test(e)), 'LICENSE');
// Folders and files that exist in the repository must travel with the extension.
const nonEmpty = (dir) => existsSync(join(repoRoot, dir)) && readdirSync(join(repoRoot, dir)).some((f) => !f.startsWith('.') && f !== 'test');
for (const dir of ['media', 'syntaxes', 'l10n']) {
  if (nonEmpty(dir)) check(inside(`${dir}/`), `${dir}/`);
}
for (const f of readdirSync(repoRoot).filter((f) => /^package\.nls(\.[\w-]+)?\.json$/.test(f))) check(entries.includes(`extension/${f}`), f);
if (pkg.icon) check(entries.includes(`extension/${pkg.icon.replace(/^\.\//, '')}`), `icon ${pkg.icon}`);
for (const bad of ['src/', 'node_modules/', 'out/', 'test/', 'scripts/', 'bench/', '.vscode-test/', '.ci/', 'test-results/', 'syntaxes/test/', 'tsconfig']) {
  check(!inside(bad), `no ${bad}`);
}
check(!entries.some((e) => e.endsWith('.ts') && !e.endsWith('.d.ts')), 'no TypeScript sources');
check(!entries.some((e) => e.endsWith('.map')), 'no source maps');

// Install into a fresh extensions folder of a real VS Code and ask it what it has.
ensureCodeServer();
const scratch = mkdtempSync(join(tmpdir(), 'rnn-lens-vsix-'));
try {
  const dirs = ['--extensions-dir', join(scratch, 'ext'), '--user-data-dir', join(scratch, 'user')];
  execFileSync(codeServerBin, ['--install-extension', vsixPath, ...dirs], { stdio: 'inherit' });
  const listed = execFileSync(codeServerBin, ['--list-extensions', '--show-versions', ...dirs], { encoding: 'utf8' });
  console.log(listed.trim());
  check(listed.toLowerCase().split('\n').some((l) => l.trim() === `${extensionId}@${pkg.version}`), `code-server lists ${extensionId}@${pkg.version}`);
} finally {
  rmSync(scratch, { recursive: true, force: true });
}

console.log(problems.length ? `\npackage: ${problems.length} problem(s)` : `\npackage: ${vsixName} ok`);
process.exit(problems.length ? 1 : 0);
