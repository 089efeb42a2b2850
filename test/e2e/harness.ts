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

/**
 * The repository root: the nearest folder up from here with rnn-lens's package.json and scripts/
 * (out/ may hold a copy of package.json when some file imports it).
 */
export const repoRoot: string = (() => {
  let dir = __dirname;
  for (;;) {
    const pkg = join(dir, 'package.json');
    if (existsSync(pkg) && existsSync(join(dir, 'scripts', 'lib', 'code-server.mjs')) && JSON.parse(readFileSync(pkg, 'utf8')).name === 'rnn-lens') return dir;
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
  startCodeServer(o: { workspace?: string; settings?: Record<string, unknown>; log?: (l: string) => void; locale?: string }): Promise<StartedServer>;
  webExtensionSettings(extensionId: string): Record<string, unknown>;
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
  /** VS Code's display language (code-server --locale), e.g. 'ja'; default: English. */
  locale?: string;
  /** Run the extension in the web worker extension host (its "browser" bundle) instead of the Node one. */
  web?: boolean;
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
  let settings: Record<string, unknown> = {
    'workbench.colorTheme': themeNames[options.theme ?? 'light'],
    ...(options.web ? cs.webExtensionSettings('rnn-lens.rnn-lens') : {}),
    ...options.settings,
  };
  const server = await cs.startCodeServer({ workspace, settings, locale: options.locale, log: debug ? (l) => console.log(`[code-server] ${l}`) : undefined });
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
    // Loading the workbench is a hang guard, not a speed test: a shared machine under load can
    // take well over Playwright's default 30 s to serve it.
    await page.goto(url, { timeout: 180_000 });
    await waitForWorkbench(page, 180_000);
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
        // As a person would: the Color Theme picker, which writes workbench.colorTheme into the
        // user settings. (Rewriting settings.json on disk is not picked up reliably by code-server.)
        settings = { ...settings, 'workbench.colorTheme': themeNames[theme] };
        await pickColorTheme(page, themeNames[theme]);
        await expectTheme(page, theme);
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

/** Chooses a color theme by its name in "Preferences: Color Theme". */
export async function pickColorTheme(page: Page, themeName: string): Promise<void> {
  await runCommand(page, 'Preferences: Color Theme');
  const input = page.locator('.quick-input-widget input').first();
  await input.waitFor({ state: 'visible', timeout: 10000 });
  await input.fill(themeName.replace(/^Default /, ''));
  const row = page
    .locator('.quick-input-list .monaco-list-row')
    // The picker labels built-in themes without "Default " ("Dark Modern" for "Default Dark Modern").
    .filter({ has: page.locator('.label-name', { hasText: new RegExp('^\\s*(Default )?' + escapeRegExp(themeName.replace(/^Default /, '')) + '\\s*$') }) })
    .first();
  await row.waitFor({ state: 'visible', timeout: 10000 });
  await row.click();
  await page.waitForSelector('.quick-input-widget', { state: 'hidden', timeout: 10000 }).catch(() => undefined);
}

/** Escapes text for use inside a RegExp. */
function escapeRegExp(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** Opens the command palette (F1 = Ctrl+Shift+P) with focus in its input. */
export async function openCommandPalette(page: Page): Promise<void> {
  // No click to focus first: a click in the editor would move its cursor. F1 is a global key.
  await page.keyboard.press('Escape');
  await page.keyboard.press('F1');
  await page.waitForSelector('.quick-input-widget:not([style*="display: none"]) input', { timeout: 10000 });
}

/**
 * Runs a command from the palette by its title as the palette shows it, e.g. "RNN: Open Unroll View"
 * (category + ": " + title). Fails if no palette entry has exactly that label within timeoutMs
 * (an extension's commands appear only once the extension host has started, which can take
 * half a minute on a busy machine).
 */
export async function runCommand(page: Page, title: string, timeoutMs = 60000): Promise<void> {
  const exact = new RegExp('^\\s*' + escapeRegExp(title) + '\\s*$');
  const deadline = Date.now() + timeoutMs;
  // Commands of extensions appear once the extension host has registered them: retry until then.
  for (let attempt = 0; ; attempt++) {
    const row = page
      .locator('.quick-input-list .monaco-list-row')
      .filter({ has: page.locator('.label-name', { hasText: exact }) })
      .first();
    try {
      await openCommandPalette(page);
      // the palette can close again before typing (focus taken by a notification on a busy
      // machine): then this try fails and the loop opens it again
      await page.locator('.quick-input-widget input').first().fill('>' + title, { timeout: 5000 });
      await row.waitFor({ state: 'visible', timeout: Math.min(3000, Math.max(500, deadline - Date.now())) });
      await row.click();
      await page.waitForSelector('.quick-input-widget', { state: 'hidden', timeout: 10000 }).catch(() => undefined);
      return;
    } catch {
      const shown = await page.locator('.quick-input-list .monaco-list-row .label-name').allInnerTexts();
      await page.keyboard.press('Escape');
      if (Date.now() > deadline) {
        throw new Error(`command "${title}" not in the palette after ${attempt + 1} tries; it shows: ${JSON.stringify(shown.slice(0, 10))}`);
      }
      await page.waitForTimeout(1000);
    }
  }
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
export async function openFile(page: Page, relativePath: string, timeoutMs = 30000): Promise<void> {
  const parts = relativePath.split('/');
  const base = parts.pop() ?? relativePath;
  const folder = parts.join('/');
  const deadline = Date.now() + timeoutMs;
  // File search (ripgrep on the server) may need a moment after the window opens: retry.
  for (;;) {
    await page.keyboard.press('Escape');
    await page.keyboard.press('Control+P');
    const input = page.locator('.quick-input-widget input').first();
    await input.waitFor({ state: 'visible', timeout: 10000 });
    await input.fill(relativePath);
    // Click the row naming exactly this file (Enter could hit a row that the late search results
    // just pushed to the top).
    let row = page
      .locator('.quick-input-list .monaco-list-row')
      .filter({ has: page.locator('.label-name', { hasText: new RegExp('^\\s*' + escapeRegExp(base) + '\\s*$') }) });
    if (folder) row = row.filter({ hasText: folder });
    try {
      await row.first().waitFor({ state: 'visible', timeout: 3000 });
      await row.first().click();
      break;
    } catch {
      if (Date.now() > deadline) {
        await page.keyboard.press('Escape');
        throw new Error(`Quick Open did not find ${relativePath} within ${timeoutMs} ms`);
      }
      await page.waitForTimeout(1000);
    }
  }
  await page.waitForSelector(`.tabs-container .tab.active[aria-label*="${base.replace(/"/g, '\\"')}"]`, { timeout: 20000 });
  await page.waitForSelector('.editor-instance .monaco-editor .view-lines', { timeout: 10000 });
}

/** Moves the cursor of the active editor to a 1-based line and column (Go to Line), and checks the status bar. */
export async function goToPosition(page: Page, line: number, column: number): Promise<void> {
  const status = page.locator('[id="status.editor.selection"]').first();
  for (let attempt = 0; ; attempt++) {
    await page.keyboard.press('Escape');
    await page.keyboard.press('Control+G');
    const input = page.locator('.quick-input-widget input').first();
    await input.waitFor({ state: 'visible', timeout: 10000 });
    await input.fill(`:${line}:${column}`);
    // The picker previews the position as it parses the input; accept only after that.
    await page.waitForTimeout(200);
    await page.keyboard.press('Enter');
    await page.waitForSelector('.quick-input-widget', { state: 'hidden', timeout: 10000 }).catch(() => undefined);
    const shown = (await status.innerText().catch(() => '')).trim();
    if (new RegExp(`\\b${line}\\D+${column}\\b`).test(shown)) return;
    if (attempt >= 3) throw new Error(`cursor not at ${line}:${column}; the status bar says "${shown}"`);
  }
}

/**
 * Shows the hover at a 1-based line/column of the active editor (as "Show or Focus Hover" does at
 * the cursor) and returns the hover widget's text. Fails if no hover appears.
 */
export async function hoverAt(page: Page, line: number, column: number, timeoutMs = 30000): Promise<string> {
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

/**
 * hoverAt until `ready(text)` holds (up to `attempts` times): on a busy machine another provider's
 * hover (the JSON schema's description) can arrive before RNN Lens's and settle alone.
 */
export async function hoverAtUntil(page: Page, line: number, column: number, ready: (text: string) => boolean, attempts = 6): Promise<string> {
  let text = '';
  for (let i = 0; i < attempts; i++) {
    text = await hoverAt(page, line, column);
    if (ready(text)) return text;
    await page.keyboard.press('Escape');
    await page.waitForTimeout(2000);
  }
  return text;
}

/** Hovers the mouse over the first occurrence of `text` in the visible editor lines and reads the hover. */
export async function hoverText(page: Page, text: string, timeoutMs = 30000): Promise<string> {
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

/**
 * The RNN Unroll View's frame once it shows the run titled like `file` (its base name), with its
 * diagram drawn; stale frames of earlier runs are skipped.
 */
export async function unrollPanelShowing(page: Page, file: string, timeoutMs = 30000): Promise<Frame> {
  const base = file.split('/').pop()!;
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    for (const frame of page.frames()) {
      if (frame === page.mainFrame()) continue;
      try {
        const title = await frame.$eval('#unroll-root h1.title', (e) => e.textContent ?? '').catch(() => '');
        if (title.includes(base) && (await frame.$('#unroll-root svg.diagram'))) return frame;
      } catch {
        // frame detached while we looked
      }
    }
    if (Date.now() > deadline) throw new Error(`no Unroll View frame showing ${base}`);
    await page.waitForTimeout(250);
  }
}
