// Unit tests of the panel's HTML builder (src/extension/webviewHtml.ts): a strict CSP, a nonce
// on every script, nothing inline, resources only from the webview's own origin.
import * as assert from 'node:assert/strict';
import { buildWebviewHtml, contentSecurityPolicy, escapeHtml, makeNonce } from '../../src/extension/webviewHtml';

const CSP_SOURCE = 'https://file+.vscode-resource.vscode-cdn.net';
function build(title = 'RNN Unroll View') {
  const nonce = makeNonce();
  const html = buildWebviewHtml({
    cspSource: CSP_SOURCE,
    nonce,
    scriptUri: `${CSP_SOURCE}/ext/dist/webview.js`,
    styleUri: `${CSP_SOURCE}/ext/media/unroll.css`,
    title,
    lang: 'ja',
  });
  return { html, nonce };
}

describe('webview html builder', () => {
  it('has a strict Content-Security-Policy', () => {
    const { html, nonce } = build();
    const m = /<meta http-equiv="Content-Security-Policy" content="([^"]*)">/.exec(html);
    assert.ok(m, 'CSP meta present');
    const csp = m![1].replace(/&#39;/g, "'");
    // exactly what the panel needs: its script by nonce, its stylesheet, data: images for the PNG export
    assert.equal(csp, `default-src 'none'; script-src 'nonce-${nonce}'; style-src ${CSP_SOURCE}; img-src data:`);
    assert.ok(!/unsafe-inline|unsafe-eval|\*/.test(csp));
    assert.equal(contentSecurityPolicy('X', 'n'), "default-src 'none'; script-src 'nonce-n'; style-src X; img-src data:");
  });

  it('puts the nonce on every script and has no inline script, style or handler', () => {
    const { html, nonce } = build();
    const scripts = html.match(/<script\b[^>]*>/g) ?? [];
    assert.equal(scripts.length, 1);
    for (const s of scripts) {
      assert.ok(s.includes(`nonce="${nonce}"`), s);
      assert.ok(/src="[^"]+"/.test(s), 'external script only');
    }
    assert.ok(!/<script\b[^>]*>[^<]+<\/script>/.test(html), 'no inline script body');
    assert.ok(!/<style\b/i.test(html), 'no <style>');
    assert.ok(!/\sstyle=/i.test(html), 'no style attributes');
    assert.ok(!/\son[a-z]+=/i.test(html), 'no inline handlers');
  });

  it('loads resources only from the webview origin', () => {
    const { html } = build();
    const urls = [...html.matchAll(/(?:src|href)="([^"]+)"/g)].map((m) => m[1]);
    assert.equal(urls.length, 2);
    for (const u of urls) assert.ok(u.startsWith(CSP_SOURCE + '/'), u);
  });

  it('escapes the title and gives fresh nonces', () => {
    const { html } = build('<img src=x onerror=alert(1)>');
    assert.ok(html.includes('&lt;img src=x onerror=alert(1)&gt;'));
    assert.ok(!html.includes('<img'));
    assert.notEqual(makeNonce(), makeNonce());
    assert.ok(/^[A-Za-z0-9+/]{32}$/.test(makeNonce()));
    assert.equal(escapeHtml(`"'&`), '&quot;&#39;&amp;');
    assert.throws(() => buildWebviewHtml({ cspSource: 'x', nonce: "a' 'unsafe-inline", scriptUri: 'x', styleUri: 'y', title: 't', lang: 'en' }));
  });
});
