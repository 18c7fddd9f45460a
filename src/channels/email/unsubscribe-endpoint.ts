// GET /unsubscribe?token=… shows a page with one button; POST mutes the token's category for email. A GET
// changes nothing, because mail scanners open links; mailbox providers send the one-click POST of RFC 8058
// (body "List-Unsubscribe=One-Click") to the same URL. No login: the signed token is the authority.
import type { Plugin } from 'graphql-yoga';
import type { Preferences } from '../../producers/preferences.js';
import { UNSUBSCRIBE_PATH, type UnsubscribeTokens } from './unsubscribe.js';

const escapeHtml = (text: string) => text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

const page = (title: string, body: string) =>
  `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>${escapeHtml(title)}</title>` +
  `<meta name="viewport" content="width=device-width"></head><body><h1>${escapeHtml(title)}</h1>${body}</body></html>`;

const HEADERS = {
  'content-type': 'text/html; charset=utf-8',
  'cache-control': 'no-store',
  'content-security-policy': "default-src 'none'; form-action 'self'",
  'referrer-policy': 'no-referrer',
  'x-content-type-options': 'nosniff',
};

export function useUnsubscribe(tokens: UnsubscribeTokens, preferences: Preferences): Plugin {
  return {
    async onRequest({ request, url, endResponse, fetchAPI }) {
      if (url.pathname !== UNSUBSCRIBE_PATH) return;
      const respond = (status: number, title: string, body = '') =>
        endResponse(new fetchAPI.Response(page(title, body), { status, headers: HEADERS }));
      if (request.method !== 'GET' && request.method !== 'POST') return respond(405, 'Method not allowed');
      const token = url.searchParams.get('token') ?? '';
      const claim = token ? await tokens.verify(token) : undefined;
      if (!claim) return respond(400, 'This link is invalid or has expired');
      if (request.method === 'GET') {
        return respond(
          200,
          `Stop "${claim.category}" emails?`,
          `<form method="post" action="${escapeHtml(`${UNSUBSCRIBE_PATH}?token=${encodeURIComponent(token)}`)}">` +
            '<input type="hidden" name="List-Unsubscribe" value="One-Click">' +
            '<button type="submit">Stop these emails</button></form>',
        );
      }
      const muted = await preferences.muteEmail(claim.userId, claim.category);
      if (!muted) return respond(409, `"${claim.category}" emails cannot be turned off`);
      return respond(200, `You will get no more "${claim.category}" emails`);
    },
  };
}
