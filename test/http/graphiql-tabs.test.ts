import { parse, validate } from 'graphql';
import { describe, expect, it } from 'vitest';
import { graphiqlTabs } from '../../src/dev/graphiql-tabs.js';
import { schema } from '../../src/schema/index.js';
import { useTestServer } from '../helpers/server.js';

describe('GraphiQL, opened for the first time', () => {
  const headers = { Authorization: 'Bearer dev-token' };

  it('should start with one tab per thing a newcomer tries, each a valid operation with the token', () => {
    const tabs = graphiqlTabs(headers);
    const operations = tabs.map((tab) => parse(tab.query).definitions.map((d) => ('name' in d ? d.name?.value : '')));
    expect(operations.flat()).toEqual(['LiveEvents', 'CreateOne', 'Inbox', 'MarkRead']);
    for (const tab of tabs) {
      expect(validate(schema, parse(tab.query)), tab.query).toEqual([]);
      expect(JSON.parse(tab.headers)).toEqual(headers);
      if (tab.variables) expect(() => JSON.parse(tab.variables as string)).not.toThrow();
    }
  });

  describe('served', () => {
    const server = useTestServer({ env: { GRAPHIQL: 'true' } });

    it('should carry the example tabs in the page itself, so that it works offline', async () => {
      const page = await (await fetch(`${server.url}/graphql`, { headers: { accept: 'text/html' } })).text();
      expect(page).toContain('subscription LiveEvents');
      expect(page).toContain('mutation MarkRead');
      expect(page).not.toMatch(/<script[^>]+src="https?:/);
    });
  });
});
