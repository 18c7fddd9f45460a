// GraphiQL's page in development (src/dev/graphiql-page.ts): fresh headers at each load, and the script that
// restores the tabs a browser kept, run here over a stand-in for localStorage.
import { describe, expect, it } from 'vitest';
import { devGraphiqlPage, RESTORE_TABS } from '../../src/dev/graphiql-page.js';
import { signToken } from '../../src/sign-token.js';

interface Tab {
  query: string | null;
  variables?: string | null;
  headers?: string | null;
}

/** restoreTabs as the page runs it, over `kept` as GraphiQL stored it. */
function restore(kept: Tab[] | undefined, options: { headers: string; defaultTabs?: Tab[] }) {
  const storage = new Map<string, string>();
  if (kept) storage.set('graphiql:tabState', JSON.stringify({ activeTabIndex: kept.length - 1, tabs: kept }));
  const localStorage = {
    getItem: (key: string) => storage.get(key) ?? null,
    removeItem: (key: string) => storage.delete(key),
  };
  const restoreTabs = new Function('localStorage', `${RESTORE_TABS}; return restoreTabs;`)(localStorage) as (
    value: typeof options,
  ) => typeof options;
  return { result: restoreTabs(options), storage };
}

const bearer = (token: string) => JSON.stringify({ Authorization: `Bearer ${token}` }, null, 2);

describe("GraphiQL's page in development", () => {
  it('should give each page load fresh headers, and the tour tabs carrying them', async () => {
    let signed = 0;
    const page = devGraphiqlPage(async () => ({ Authorization: `Bearer token-${++signed}` }));
    const first = await page.options({ title: 'Notification API' });
    const second = await page.options({ title: 'Notification API' });
    expect(JSON.parse(first.headers as string)).toEqual({ Authorization: 'Bearer token-1' });
    expect(JSON.parse(second.headers as string)).toEqual({ Authorization: 'Bearer token-2' });
    expect(second.defaultTabs?.map((tab) => JSON.parse(tab.headers as string).Authorization)).toEqual(
      Array(4).fill('Bearer token-2'),
    );
    const html = page.render(second);
    expect(html).toContain('function restoreTabs(options)');
    expect(html).toMatch(/restoreTabs\(\{"title":"Notification API".*\}\)\);\s*<\/script>\s*<\/body>\s*<\/html>\s*$/s);
  });

  it("should open with the kept tabs, less empty ones, an older dev token replaced and another user's kept", async () => {
    const secret = 'a-secret-of-at-least-thirty-two-characters!';
    const expired = await signToken(secret, { sub: 'dev-user', roles: ['service'], ttl: -3600 });
    const fresh = await signToken(secret, { sub: 'dev-user', roles: ['service'], ttl: 12 * 3600 });
    const alice = await signToken(secret, { sub: 'alice', ttl: -60 });
    const { result, storage } = restore(
      [
        { query: 'query Mine { counts { unseen } }', variables: null, headers: bearer(expired) },
        { query: 'query Hers { counts { unseen } }', variables: '{"a":1}', headers: bearer(alice) },
        { query: null, variables: null, headers: null },
        { query: '   ', variables: null, headers: null },
      ],
      { headers: bearer(fresh), defaultTabs: [{ query: 'query Tour { counts { total } }' }] },
    );
    expect(result.defaultTabs).toEqual([
      { query: 'query Mine { counts { unseen } }', variables: undefined, headers: bearer(fresh) },
      { query: 'query Hers { counts { unseen } }', variables: '{"a":1}', headers: bearer(alice) },
    ]);
    expect(storage.has('graphiql:tabState'), 'GraphiQL then opens exactly these, adding none').toBe(false);
  });

  it('should leave the tour tabs as they are when nothing usable was kept', () => {
    const options = { headers: bearer('x.y.z'), defaultTabs: [{ query: 'query Tour { counts { total } }' }] };
    expect(restore(undefined, options).result).toEqual(options);
    expect(restore([{ query: null }], options).result).toEqual(options);
  });
});
