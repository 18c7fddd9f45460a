// The development outbox page (DEV_OUTBOX_PATH): every email and push payload the server sent, newest
// first. An email's HTML is shown in a sandboxed frame (srcdoc, no scripts, no same origin), with its text
// part and its header lines as sent; everything else is escaped text.
import type { Plugin } from 'graphql-yoga';
import { DEV_OUTBOX_PATH } from '../../http/paths.js';
import type { Outbox, OutboxEntry } from './store.js';

const escapeHtml = (text: string) =>
  text.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c] ?? c);

function emailHtml(entry: Extract<OutboxEntry, { kind: 'email' }>): string {
  const headers = entry.headers
    .map(({ name, value }) => `<tr><th>${escapeHtml(name)}</th><td>${escapeHtml(value)}</td></tr>`)
    .join('');
  return `<article class="email" id="entry-${entry.id}">
  <h2>${escapeHtml(entry.subject || '(no subject)')}</h2>
  <p class="meta">email to ${escapeHtml(entry.to.join(', '))} from ${escapeHtml(entry.from)}, ${entry.at.toISOString()}</p>
  ${entry.html === undefined ? '' : `<h3>HTML</h3><iframe sandbox="" referrerpolicy="no-referrer" title="HTML part of ${escapeHtml(entry.subject)}" srcdoc="${escapeHtml(entry.html)}"></iframe>`}
  ${entry.text === undefined ? '' : `<h3>Text</h3><pre class="text">${escapeHtml(entry.text)}</pre>`}
  <details><summary>Headers</summary><table class="headers">${headers}</table></details>
</article>`;
}

function pushHtml(entry: Extract<OutboxEntry, { kind: 'push' }>): string {
  return `<article class="push" id="entry-${entry.id}">
  <h2>Push</h2>
  <p class="meta">push to ${escapeHtml(entry.endpoint)}, ${entry.at.toISOString()}</p>
  <pre class="payload">${escapeHtml(JSON.stringify(entry.payload, null, 2))}</pre>
</article>`;
}

export function renderOutbox(entries: readonly OutboxEntry[]): string {
  const items = entries.map((entry) => (entry.kind === 'email' ? emailHtml(entry) : pushHtml(entry))).join('\n');
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>Development outbox (${entries.length})</title>
<style>
body { font: 15px/1.4 system-ui, sans-serif; margin: 2rem auto; max-width: 60rem; padding: 0 1rem; }
article { border: 1px solid #ccc; border-radius: 6px; margin: 1rem 0; padding: 0 1rem 1rem; }
.meta { color: #555; }
iframe { border: 1px solid #ddd; height: 20rem; width: 100%; }
pre { background: #f6f6f6; overflow: auto; padding: .5rem; white-space: pre-wrap; }
.headers th { text-align: left; vertical-align: top; padding-right: 1rem; white-space: nowrap; }
.headers td { word-break: break-all; }
</style>
</head>
<body>
<h1>Development outbox</h1>
<p>Every email and push payload this server sent since it started, newest first. Nothing here left this
machine. <a href="${DEV_OUTBOX_PATH}">Reload</a></p>
${items || '<p class="empty">Nothing sent yet: try <code>npm run notify</code>.</p>'}
</body>
</html>
`;
}

/** No script anywhere; the frames' documents get the same policy (srcdoc inherits it). */
const CONTENT_SECURITY_POLICY =
  "default-src 'none'; style-src 'unsafe-inline'; img-src data:; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

export function useOutboxPage(outbox: Outbox): Plugin {
  return {
    onRequest({ request, url, endResponse, fetchAPI }) {
      if (url.pathname !== DEV_OUTBOX_PATH || (request.method !== 'GET' && request.method !== 'HEAD')) return;
      endResponse(
        new fetchAPI.Response(request.method === 'HEAD' ? null : renderOutbox(outbox.list()), {
          headers: {
            'content-type': 'text/html; charset=utf-8',
            'cache-control': 'no-store',
            'content-security-policy': CONTENT_SECURITY_POLICY,
            'x-content-type-options': 'nosniff',
            'referrer-policy': 'no-referrer',
          },
        }),
      );
    },
  };
}
