import { readdirSync, readFileSync } from 'node:fs';
import { getIntrospectionQuery, Kind, parse, print } from 'graphql';
import { describe, expect, it } from 'vitest';
import { useTestApp } from '../helpers/app.js';
import { execute } from '../helpers/graphql.js';
import { countResolverCalls } from '../helpers/resolver-calls.js';
import { tokenFor } from '../helpers/tokens.js';

const resolvers = countResolverCalls();
const app = useTestApp();

const repeat = (count: number, make: (i: number) => string) =>
  Array.from({ length: count }, (_, i) => make(i)).join(' ');

/** One operation just past each default limit, each otherwise valid against the schema. */
const pastTheLimits: Record<string, string> = {
  // __type is not __schema, so its nesting counts: 8 levels.
  depth: '{ __type(name: "Notification") { fields { type { ofType { ofType { ofType { ofType { name } } } } } } } }',
  aliases: `{ ${repeat(16, (i) => `a${i}: unreadCount { count }`)} }`,
  directives: `{ unreadCount { ${repeat(51, () => 'count @skip(if: false)')} } }`,
  tokens: `{ unreadCount { ${repeat(1000, () => 'count')} } }`,
  cost: `{ ${repeat(3, (i) => `p${i}: notifications(first: 100) { edges { node { id title message type status metadata relatedSessionId createdAt readAt updatedAt } } }`)} }`,
  characters: `{ unreadCount { count } }\n# ${'x'.repeat(15_000)}`,
};

const atTheLimits: Record<string, string> = {
  depth: '{ __type(name: "Notification") { fields { type { ofType { ofType { name } } } } } }',
  aliases: `{ ${repeat(15, (i) => `a${i}: unreadCount { count }`)} }`,
  directives: `{ unreadCount { ${repeat(50, () => 'count @skip(if: false)')} } }`,
};

describe('operation limits', () => {
  it('should refuse an operation past each limit with OPERATION_LIMIT_EXCEEDED, before any resolver runs', async () => {
    const token = await tokenFor('armor-user');
    const before = resolvers.calls;
    let rejected = 0;
    for (const [limit, query] of Object.entries(pastTheLimits)) {
      const response = await execute(app, query, {}, { token });
      expect(response.status, limit).toBe(400);
      // Refused before execution (no data), or as it starts, once the variables are known (data: null).
      expect(response.body.data ?? undefined, limit).toBeUndefined();
      const codes = (response.body.errors ?? []).map((error) => [error.extensions?.code, error.extensions?.limit]);
      expect(codes, JSON.stringify(response.body.errors)).toContainEqual(['OPERATION_LIMIT_EXCEEDED', limit]);
      rejected++;
    }
    const calls = resolvers.calls - before;
    console.log(`armor: ${rejected}/${Object.keys(pastTheLimits).length} rejected, ${calls} resolver calls`);
    expect(calls).toBe(0);
  });

  it('should run an operation right at each limit', async () => {
    const token = await tokenFor('armor-user');
    for (const [limit, query] of Object.entries(atTheLimits)) {
      const response = await execute(app, query, {}, { token });
      expect(response.body.errors, limit).toBeUndefined();
    }
  });

  it("should let every operation of our clients through, and GraphiQL's introspection", async () => {
    const token = await tokenFor('armor-user');
    const folder = new URL('../operations/', import.meta.url);
    const files = readdirSync(folder)
      .filter((file) => file.endsWith('.graphql'))
      .map((file) => readFileSync(new URL(file, folder), 'utf8'));
    const document = parse(files.join('\n'));
    const fragments = document.definitions.filter((definition) => definition.kind === Kind.FRAGMENT_DEFINITION);
    const operations = document.definitions.filter((definition) => definition.kind === Kind.OPERATION_DEFINITION);
    expect(operations.length).toBeGreaterThanOrEqual(10);
    for (const operation of operations) {
      // Queries and mutations execute (errors about missing variables come after the limits); a
      // subscription sent as a plain POST is answered without a stream.
      const query = [operation, ...fragments].map((definition) => print(definition)).join('\n');
      const response = await execute(app, query, {}, { token });
      const codes = (response.body.errors ?? []).map((error) => error.extensions?.code);
      expect(codes, `${operation.name?.value}: ${JSON.stringify(response.body.errors)}`).not.toContain(
        'OPERATION_LIMIT_EXCEEDED',
      );
    }

    const introspection = getIntrospectionQuery({
      descriptions: true,
      specifiedByUrl: true,
      directiveIsRepeatable: true,
      schemaDescription: true,
      inputValueDeprecation: true,
      oneOf: true,
    });
    const response = await execute<{ __schema: { types: unknown[] } }, object>(app, introspection, {}, { token });
    expect(response.body.errors).toBeUndefined();
    expect(response.body.data?.__schema.types.length).toBeGreaterThan(10);
  });
});
