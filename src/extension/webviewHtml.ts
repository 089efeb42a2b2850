/*
 * Builds the HTML of the RNN Unroll View panel: a strict Content-Security-Policy, one stylesheet
 * and one script (both through webview URIs), and an empty body the script fills.
 * Layer: extension, but PURE: no vscode import, so it is unit-tested on plain Node.
 *
 * Nothing inline: no <style>, no style="", no on*="" handlers, no inline script. The only
 * script carries a fresh nonce, and the CSP allows scripts by that nonce only.
 */

/** What the builder needs; the URIs are `webview.asWebviewUri(...)` strings. */
export interface WebviewHtmlOptions {
  /** `webview.cspSource`. */
  cspSource: string;
  /** A fresh random nonce (see makeNonce). */
  nonce: string;
  /** dist/webview.js through asWebviewUri. */
  scriptUri: string;
  /** media/unroll.css through asWebviewUri. */
  styleUri: string;
  /** The panel's title (localised), shown to screen readers as the document title. */
  title: string;
  /** BCP 47 language of the UI, e.g. 'en' or 'ja' (vscode.env.language). */
  lang: string;
}

/** Escapes text for HTML text and double-quoted attribute values. */
export function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
}

/** A 32-character random nonce from the platform's crypto (Node 20 and browsers both have it). */
export function makeNonce(): string {
  const bytes = new Uint8Array(24);
  globalThis.crypto.getRandomValues(bytes);
  let s = '';
  for (const b of bytes) s += String.fromCharCode(b);
  // base64 without padding characters that could need quoting; [A-Za-z0-9+/] only
  return btoa(s).replace(/=+$/, '');
}

/** The Content-Security-Policy of the panel. */
export function contentSecurityPolicy(cspSource: string, nonce: string): string {
  return [
    "default-src 'none'",
    `script-src 'nonce-${nonce}'`,
    `style-src ${cspSource}`,
    // "Save diagram as PNG" draws the serialised SVG as a data: image on a canvas; nothing else
    // loads images or fonts (icons are inline SVG), so no cspSource for img-src and no font-src
    'img-src data:',
  ].join('; ');
}

/** The full HTML document of the panel. */
export function buildWebviewHtml(o: WebviewHtmlOptions): string {
  if (!/^[A-Za-z0-9+/]{16,}$/.test(o.nonce)) throw new Error('nonce must be at least 16 base64 characters');
  const lang = /^[A-Za-z]{2,3}(-[A-Za-z0-9]{1,8})*$/.test(o.lang) ? o.lang : 'en';
  const csp = contentSecurityPolicy(o.cspSource, o.nonce);
  return [
    '<!DOCTYPE html>',
    `<html lang="${escapeHtml(lang)}">`,
    '<head>',
    '<meta charset="UTF-8">',
    `<meta http-equiv="Content-Security-Policy" content="${escapeHtml(csp)}">`,
    '<meta name="viewport" content="width=device-width, initial-scale=1.0">',
    `<link rel="stylesheet" href="${escapeHtml(o.styleUri)}">`,
    `<title>${escapeHtml(o.title)}</title>`,
    '</head>',
    '<body>',
    '<main id="unroll-root"></main>',
    `<script nonce="${escapeHtml(o.nonce)}" src="${escapeHtml(o.scriptUri)}"></script>`,
    '</body>',
    '</html>',
    '',
  ].join('\n');
}
