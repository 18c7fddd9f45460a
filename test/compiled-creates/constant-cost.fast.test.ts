// A compiled create measures its document's cost once when no variable can change it (costVariesWithVariables):
// every operation whose cost shows only once its variables are known must be told apart.
import { parse } from 'graphql';
import { describe, expect, it } from 'vitest';
import { costVariesWithVariables } from '../../src/limits/operation-cost.js';
import { schema } from '../../src/schema/index.js';
import { costlyOperations } from '../helpers/costly-operations.js';

describe('costVariesWithVariables', () => {
  it.each(costlyOperations.map((operation) => [operation.name, operation.query] as const))(
    'should say the cost of an operation past the limit by its %s varies',
    (_, query) => {
      expect(costVariesWithVariables(schema, parse(query))).toBe(true);
    },
  );

  it.each([
    [
      'a create',
      'mutation Create($input: CreateNotificationInput!) { createNotification(input: $input) { id title } }',
    ],
    [
      'a page of a written size',
      'query Page($after: String) { notifications(first: 5, after: $after) { totalCount } }',
    ],
    ['a count by written filters', '{ countsBy(filters: [{ key: "a", filter: { archived: true } }]) { key } }'],
  ])('should say the cost of %s does not vary', (_, query) => {
    expect(costVariesWithVariables(schema, parse(query))).toBe(false);
  });

  it('should see a variable in a page argument through fragments and lists', () => {
    const query = `fragment P on Query { notifications(last: $n) { totalCount } }
      query Q($n: Int, $f: NotificationFilter) { ...P countsBy(filters: [{ key: "a", filter: $f }]) { key } }`;
    expect(costVariesWithVariables(schema, parse(query))).toBe(true);
  });
});
