// GraphiQL in development: each page load gets a dev token minted for it (the tour's tabs carry it), and the
// tabs the browser kept come back ahead of GraphiQL reading them: their older dev token replaced by the fresh
// one, and without the empty `<untitled>` tab GraphiQL would otherwise add in front on a reload or in a second
// browser tab (it adds one whenever the address has no `?query=` matching a kept tab).
import { renderGraphiQL } from '@graphql-yoga/render-graphiql';
import type { GraphiQLOptions } from 'graphql-yoga';
import { graphiqlTabs } from './graphiql-tabs.js';

/**
 * Runs in the page before GraphiQL starts: takes the kept tabs (`graphiql:tabState`) as the tabs to open with,
 * and removes them from storage, so that GraphiQL opens exactly those (its `defaultTabs`) and adds none. In
 * their headers, a bearer token for the same user as the fresh one and expiring sooner becomes the fresh one.
 */
export const RESTORE_TABS = `function restoreTabs(options) {
  var payload = function (token) {
    try { return JSON.parse(atob(token.split('.')[1].replace(/-/g, '+').replace(/_/g, '/'))); } catch (e) { return null; }
  };
  try {
    var fresh = (/Bearer ([\\w-]+\\.[\\w-]+\\.[\\w-]+)/.exec(options.headers || '') || [])[1];
    var now = fresh && payload(fresh);
    var refresh = function (headers) {
      if (!headers || !now) return headers || undefined;
      return headers.replace(/Bearer ([\\w-]+\\.[\\w-]+\\.[\\w-]+)/g, function (whole, token) {
        var old = payload(token);
        return old && old.sub === now.sub && (old.exp || 0) < (now.exp || 0) ? 'Bearer ' + fresh : whole;
      });
    };
    var kept = JSON.parse(localStorage.getItem('graphiql:tabState') || 'null');
    var tabs = (kept && Array.isArray(kept.tabs) ? kept.tabs : [])
      .filter(function (tab) { return typeof tab.query === 'string' && tab.query.trim() !== ''; })
      .map(function (tab) {
        return { query: tab.query, variables: tab.variables || undefined, headers: refresh(tab.headers) };
      });
    if (tabs.length === 0) return options;
    localStorage.removeItem('graphiql:tabState');
    return Object.assign({}, options, { defaultTabs: tabs });
  } catch (e) {
    return options;
  }
}`;

const CALL = 'YogaGraphiQL.renderYogaGraphiQL(';

export interface DevGraphiqlPage {
  /** GraphiQL's options for one page load: the fresh headers, and the tour's tabs carrying them. */
  options(base: GraphiQLOptions): Promise<GraphiQLOptions>;
  /** The page, with the kept tabs restored before GraphiQL starts. */
  render(options: GraphiQLOptions): string;
}

/** `headers` is asked at each page load (a dev token signed then). */
export function devGraphiqlPage(headers: () => Promise<Record<string, string>>): DevGraphiqlPage {
  return {
    async options(base) {
      const fresh = await headers();
      return { ...base, headers: JSON.stringify(fresh, null, 2), defaultTabs: graphiqlTabs(fresh) };
    },
    render(options) {
      const page = renderGraphiQL(options);
      // The page ends with GraphiQL's start: its options pass through restoreTabs first.
      const at = page.lastIndexOf(CALL);
      if (at < 0) return page;
      return `${page.slice(0, at)}${RESTORE_TABS}
        ${CALL}window.document.querySelector('#root'), restoreTabs(${JSON.stringify(options)}));
      </script>
    </body>
  </html>
`;
    },
  };
}
