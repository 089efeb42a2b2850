// End-to-end harness: a real VS Code (code-server 1.100.3) driven by headless Chromium, the way a
// person uses it: command palette, editor, hover, the Unroll View webview, screenshots, themes.
// Node-only (runs in mocha on Node, not in the extension host); reuses scripts/lib/code-server.mjs
// for starting the server, so tests, `npm start` and the integration runner start it the same way.
//
// Typical use:
//   const vs = await openVsCode({ theme: 'dark' });
//   await runCommand(vs.page, 'RNN: Open Unroll View');
//   const frame = await findWebviewFrame(vs.page, '#unroll-root');
//   await screenshot(vs.page, 'unroll-dark');
//   await vs.close();
import type { Browser, Frame, Page } from 'playwright-core';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';

/** The repository root: the nearest folder up from here whose package.json is rnn-lens's. */
export const repoRoot: string = (() => {
  let dir = __dirname;
  for (;;) {
    const pkg = join(dir, 'package.json');
    if (existsSync(pkg) && JSON.parse(readFileSync(pkg, 'utf8')).name === 'rnn-lens') return dir;
    const up = dirname(dir);
    if (up === dir) throw new Error('rnn-lens package.json not found above ' + __dirname);
    dir = up;
  }
})();

/** Where screenshots go (git-ignored). */
export const screenshotDir = join(repoRoot, 'test-results', 'screenshots');

// tsc (module commonjs) would turn `import()` into `require()`, which cannot load our .mjs
// helper on every Node version; a real dynamic import keeps it ESM.
const importEsm = new Function('specifier', 'return import(specifier)') as (specifier: string) => Promise<any>;

interface CodeServerModule {
  startCodeServer(o: { workspace?: string; settings?: Record<string, unknown>; log?: (l: string) => void }): Promise<StartedServer>;
  workbenchUrl(o: { base: string; port: number; folder?: string; extensionDevelopmentPath?: string; extensionTestsPath?: string }): string;
  writeUserSettings(userDataDir: string, extra?: Record<string, unknown>): void;
  launchChromium(o?: { headless?: boolean }): Promise<Browser>;
}
interface StartedServer {
  port: number;
  base: string;
  userDataDir: string;
  extensionsDir: string;
  output: string[];
  stop(): Promise<void>;
}
let codeServerModule: Promise<CodeServerModule> | undefined;
function codeServer(): Promise<CodeServerModule> {
  codeServerModule ??= importEsm(pathToFileURL(join(repoRoot, 'scripts', 'lib', 'code-server.mjs')).href);
  return codeServerModule;
}

/** A light or dark workbench, chosen through the user's settings (workbench.colorTheme). */
export type Theme = 'light' | 'dark';
const themeNames: Record<Theme, string> = { light: 'Default Light Modern', dark: 'Default Dark Modern' };
/** The class the workbench element carries for each theme kind. */
const themeClass: Record<Theme, string> = { light: 'vs', dark: 'vs-dark' };

export interface OpenOptions {
  /** Folder to open; default: a temporary copy of test/fixtures/workspace plus examples/ (under examples/). */
  workspace?: string;
  /** Default 'light'. */
  theme?: Theme;
  /** More user settings (merged over the quiet defaults and the theme). */
  settings?: Record<string, unknown>;
  /** The extension to load in development mode; default: this repository. */
  extensionDevelopmentPath?: string;
  /** Browser window size; default 1400x900. */
  viewport?: { width: number; height: number };
  /** Print code-server's and the browser console's output (also: RNN_LENS_DEBUG=1). */
  debug?: boolean;
}

/** A running VS Code: the server, the browser and the page showing the workbench. */
export interface VsCodeSession {
  page: Page;
  browser: Browser;
  /** The folder VS Code has open. */
  workspace: string;
  /** http://127.0.0.1:PORT */
  base: string;
  port: number;
  userDataDir: string;
  /** Last lines code-server printed (for failure messages). */
  serverOutput: string[];
  /** Errors thrown in the page (workbench or webviews), collected for assertions. */
  pageErrors: string[];
  /** Switches the color theme by rewriting the user settings, and waits until the workbench shows it. */
  setTheme(theme: Theme): Promise<void>;
  /** Closes the browser, stops code-server, removes temporary folders. */
  close(): Promise<void>;
}

/** A temporary copy of test/fixtures/workspace with the repository's examples/ under examples/. */
export function makeTestWorkspace(): string {
  const dir = mkdtempSync(join(tmpdir(), 'rnn-lens-ws-'));
  const fixtures = join(repoRoot, 'test', 'fixtures', 'workspace');
  if (existsSync(fixtures)) cpSync(fixtures, dir, { recursive: true });
  const examples = join(repoRoot, 'examples');
  if (existsSync(examples)) cpSync(examples, join(dir, 'examples'), { recursive: true });
  return dir;
}

/**
 * Starts code-server on a free port with a fresh user-data-dir, opens Chromium on the workbench with
 * this extension loaded, and waits until the workbench is ready.
 */
export async function openVsCode(options: OpenOptions = {}): Promise<VsCodeSession> {
  const cs = await codeServer();
  const debug = options.debug ?? process.env.RNN_LENS_DEBUG === '1';
  const ownWorkspace = !options.workspace;
  const workspace = options.workspace ?? makeTestWorkspace();
  let settings: Record<string, unknown> = { 'workbench.colorTheme': themeNames[options.theme ?? 'light'], ...options.settings };
  const server = await cs.startCodeServer({ workspace, settings, log: debug ? (l) => console.log(`[code-server] ${l}`) : undefined });
  let browser: Browser | undefined;
  const pageErrors: string[] = [];
  const close = async () => {
    await browser?.close().catch(() => undefined);
    await server.stop();
    if (ownWorkspace) rmSync(workspace, { recursive: true, force: true });
  };
  try {
    browser = await cs.launchChromium();
    const page = await browser.newPage({ viewport: options.viewport ?? { width: 1400, height: 900 } });
    page.on('pageerror', (e) => pageErrors.push(e.message));
    if (debug) page.on('console', (m) => console.log(`[browser ${m.type()}] ${m.text()}`));
    const url = cs.workbenchUrl({
      base: server.base,
      port: server.port,
      folder: workspace,
      extensionDevelopmentPath: resolve(options.extensionDevelopmentPath ?? repoRoot),
    });
    await page.goto(url);
    await waitForWorkbench(page);
    await expectTheme(page, options.theme ?? 'light');
    const session: VsCodeSession = {
      page,
      browser,
      workspace,
      base: server.base,
      port: server.port,
      userDataDir: server.userDataDir,
      serverOutput: server.output,
      pageErrors,
      async setTheme(theme: Theme) {
        settings = { ...settings, 'workbench.colorTheme': themeNames[theme] };
        cs.writeUserSettings(server.userDataDir, settings);
        try {
          await expectTheme(page, theme, 10000);
        } catch {
          // The settings watcher missed the change: a reload reads the file again.
          await page.reload();
          await waitForWorkbench(page);
          await expectTheme(page, theme);
        }
      },
      close,
    };
    return session;
  } catch (err) {
    await close();
    throw err;
  }
}

/** Waits until the workbench has rendered its editor area and status bar. */
export async function waitForWorkbench(page: Page, timeoutMs = 60000): Promise<void> {
  await page.waitForSelector('.monaco-workbench .part.editor', { timeout: timeoutMs });
  await page.waitForSelector('.monaco-workbench .part.statusbar', { timeout: timeoutMs });
  // The extension host starts after the first paint; give its activation events a moment to fire.
  await page.waitForTimeout(1000);
}

async function expectTheme(page: Page, theme: Theme, timeoutMs = 30000): Promise<void> {
  await page.waitForFunction(
    (cls) => document.querySelector('.monaco-workbench')?.classList.contains(cls) ?? false,
    themeClass[theme],
    { timeout: timeoutMs },
  );
}

/** Escapes text for use inside a RegExp. */
function escapeRegExp(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** Opens the command palette (F1 = Ctrl+Shift+P) with focus in its input. */
export async function openCommandPalette(page: Page): Promise<void> {
  await page.locator('.monaco-workbench').first().click({ position: { x: 600, y: 400 }, force: true }).catch(() => undefined);
  await page.keyboard.press('Escape');
  await page.keyboard.press('F1');
  await page.waitForSelector('.quick-input-widget:not([style*="display: none"]) input', { timeout: 10000 });
}

/**
 * Runs a command from the palette by its title as the palette shows it, e.g. "RNN: Open Unroll View"
 * (category + ": " + title). Fails if no palette entry has exactly that label.
 */
export async function runCommand(page: Page, title: string, timeoutMs = 15000): Promise<void> {
  await openCommandPalette(page);
  const input = page.locator('.quick-input-widget input').first();
  await input.fill('>' + title);
  const row = page
    .locator('.quick-input-list .monaco-list-row')
    .filter({ has: page.locator('.label-name', { hasText: new RegExp('^\\s*' + escapeRegExp(title) + '\\s*$') }) })
    .first();
  try {
    await row.waitFor({ state: 'visible', timeout: timeoutMs });
  } catch {
    const shown = await page.locator('.quick-input-list .monaco-list-row .label-name').allInnerTexts();
    await page.keyboard.press('Escape');
    throw new Error(`command "${title}" not in the palette; it shows: ${JSON.stringify(shown.slice(0, 10))}`);
  }
  await row.click();
  await page.waitForSelector('.quick-input-widget', { state: 'hidden', timeout: timeoutMs }).catch(() => undefined);
}

/**
 * The frame of a webview (panel or view) that contains `selector`, e.g. '#unroll-root'.
 * Webviews are nested iframes of the same page; this polls all frames until one has the element.
 */
export async function findWebviewFrame(page: Page, selector: string, timeoutMs = 20000): Promise<Frame> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    for (const frame of page.frames()) {
      if (frame === page.mainFrame()) continue;
      try {
        if (await frame.$(selector)) return frame;
      } catch {
        // frame navigated or detached while we looked
      }
    }
    if (Date.now() > deadline) {
      throw new Error(`no webview frame with ${selector} within ${timeoutMs} ms (frames: ${page.frames().map((f) => f.url().slice(0, 80)).join(', ')})`);
    }
    await page.waitForTimeout(250);
  }
}

/** Opens a workspace file by its path relative to the workspace root (Quick Open), and waits for its editor. */
export async function openFile(page: Page, relativePath: string): Promise<void> {
  await page.keyboard.press('Escape');
  await page.keyboard.press('Control+P');
  const input = page.locator('.quick-input-widget input').first();
  await input.waitFor({ state: 'visible', timeout: 10000 });
  await input.fill(relativePath);
  const base = relativePath.split('/').pop() ?? relativePath;
  const row = page.locator('.quick-input-list .monaco-list-row', { hasText: base }).first();
  await row.waitFor({ state: 'visible', timeout: 10000 });
  await page.keyboard.press('Enter');
  await page.waitForSelector(`.tabs-container .tab.active[aria-label*="${base.replace(/"/g, '\\"')}"]`, { timeout: 10000 });
  await page.waitForSelector('.editor-instance .monaco-editor .view-lines', { timeout: 10000 });
}

/** Moves the cursor of the active editor to a 1-based line and column (Go to Line). */
export async function goToPosition(page: Page, line: number, column: number): Promise<void> {
  await page.locator('.editor-instance .monaco-editor .view-lines').first().click();
  await page.keyboard.press('Control+G');
  const input = page.locator('.quick-input-widget input').first();
  await input.waitFor({ state: 'visible', timeout: 10000 });
  await input.fill(`:${line}:${column}`);
  await page.keyboard.press('Enter');
  await page.waitForSelector('.quick-input-widget', { state: 'hidden', timeout: 10000 }).catch(() => undefined);
}

/**
 * Shows the hover at a 1-based line/column of the active editor (as "Show or Focus Hover" does at
 * the cursor) and returns the hover widget's text. Fails if no hover appears.
 */
export async function hoverAt(page: Page, line: number, column: number, timeoutMs = 10000): Promise<string> {
  await goToPosition(page, line, column);
  await runCommand(page, 'Show or Focus Hover');
  const hover = page.locator('.monaco-hover:not(.hidden) .monaco-hover-content, .monaco-hover:not(.hidden) .hover-contents').first();
  await hover.waitFor({ state: 'visible', timeout: timeoutMs });
  // Hover contents arrive from the extension host; wait until the text settles.
  let text = '';
  for (let i = 0; i < 20; i++) {
    const now = (await hover.innerText()).trim();
    if (now && now === text && !/Loading/i.test(now)) break;
    text = now;
    await page.waitForTimeout(150);
  }
  return text;
}

/** Hovers the mouse over the first occurrence of `text` in the visible editor lines and reads the hover. */
export async function hoverText(page: Page, text: string, timeoutMs = 10000): Promise<string> {
  const span = page.locator('.editor-instance .monaco-editor .view-line span', { hasText: text }).first();
  await span.hover();
  const hover = page.locator('.monaco-hover:not(.hidden) .monaco-hover-content').first();
  await hover.waitFor({ state: 'visible', timeout: timeoutMs });
  await page.waitForTimeout(300);
  return (await hover.innerText()).trim();
}

/** Saves a screenshot of the whole window as test-results/screenshots/NAME.png; returns the path. */
export async function screenshot(page: Page, name: string): Promise<string> {
  mkdirSync(screenshotDir, { recursive: true });
  const file = join(screenshotDir, `${name.replace(/[^\w.-]+/g, '_')}.png`);
  await page.screenshot({ path: file });
  return file;
}
