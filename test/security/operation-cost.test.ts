import { type ExecutionResult, parse } from 'graphql';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningServer } from '../../src/server.js';
import { CountsByDocument, NotificationsDocument, UnreadCountDocument } from '../generated/graphql.js';
import { costByVariables, costlyOperations, PAGE, type RefusedOperation } from '../helpers/costly-operations.js';
import { execute, expectData, type GraphQLResponse } from '../helpers/graphql.js';
import { countResolverCalls } from '../helpers/resolver-calls.js';
import { startTestServer, useTestServer } from '../helpers/server.js';
import { subscribe } from '../helpers/subscribe.js';
import { newUserId, tokenFor } from '../helpers/tokens.js';

const resolvers = countResolverCalls();
const server = useTestServer();

const codes = (errors: ExecutionResult['errors']) =>
  (errors ?? []).map((error) => [error.extensions?.code, error.extensions?.limit]);

/** Distinct-connections mode: refused before any stream opens, with its HTTP status and the error as an event. */
async function overDistinctSse(url: string, row: RefusedOperation, token: string) {
  const response = await fetch(`${url}/graphql`, {
    method: 'POST',
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json', accept: 'text/event-stream' },
    body: JSON.stringify({ query: row.query, variables: row.variables }),
  });
  const data = /^data: (.+)$/m.exec(await response.text())?.[1];
  return { status: response.status, codes: codes(data ? (JSON.parse(data) as ExecutionResult).errors : undefined) };
}

/** Single-connection mode, through the graphql-sse client: the refusal is the operation's one result. */
async function overSingleConnection(url: string, row: RefusedOperation, token: string) {
  const stream = subscribe(url, parse(row.query), row.variables, { token, mode: 'single' });
  try {
    return codes((await stream.next(10_000)).errors);
  } finally {
    await stream.dispose();
  }
}

describe('the cost of an operation with its variables', () => {
  it.each(costlyOperations)(
    'should refuse $name with OPERATION_LIMIT_EXCEEDED, before any resolver runs',
    async (row) => {
      const token = await tokenFor(newUserId());
      const before = resolvers.calls;
      const response = await execute(server.url, row.query, row.variables, { token });
      expect(response.status).toBe(400);
      expect(response.body.data ?? undefined).toBeUndefined();
      expect(codes(response.body.errors), JSON.stringify(response.body.errors)).toEqual([[row.code, row.limit]]);
      expect(resolvers.calls - before).toBe(0);
    },
  );

  it.each(costlyOperations)('should refuse $name over SSE in both modes', async (row) => {
    const token = await tokenFor(newUserId());
    const before = resolvers.calls;
    expect(await overDistinctSse(server.url, row, token)).toEqual({ status: 400, codes: [[row.code, row.limit]] });
    expect(await overSingleConnection(server.url, row, token)).toEqual([[row.code, row.limit]]);
    expect(resolvers.calls - before).toBe(0);
  });

  it('should refuse the same variables and the same literals alike, and run small values', async () => {
    const token = await tokenFor(newUserId());
    const literal = costByVariables.query.replace('query ($n: Int) ', '').replaceAll('$n', '100');
    const refused = await execute(server.url, literal, {}, { token });
    expect(codes(refused.body.errors)).toEqual([['OPERATION_LIMIT_EXCEEDED', 'cost']]);
    expectData(await execute(server.url, costByVariables.query, { n: 2 }, { token }));
  });

  it('should run a full page of 100 notifications with every field, the largest page there is', async () => {
    const token = await tokenFor(newUserId());
    expectData(await execute(server.url, NotificationsDocument, { first: 100 }, { token }));
  });

  it('should run countsBy with its 20 filters once: the tabs of an inbox', async () => {
    const token = await tokenFor(newUserId());
    const filters = Array.from({ length: 20 }, (_, i) => ({ key: `tab-${i}` }));
    const data = expectData(await execute(server.url, CountsByDocument, { filters }, { token }));
    expect(data.countsBy).toHaveLength(20);
  });
});

describe('a per-user cost budget', () => {
  let budgeted: RunningServer;
  beforeAll(async () => {
    budgeted = await startTestServer({ env: { RATE_LIMIT_USER_COST: '20000' } });
  });
  afterAll(() => budgeted.stop());

  it("should answer RATE_LIMITED to one user flooding expensive queries, while another user's query answers", async () => {
    const flooder = await tokenFor(newUserId());
    const bystander = await tokenFor(newUserId());
    // One page of 100 rows: within the cost limit, but a handful of them spends the whole budget.
    const expensive = `query ($n: Int) { notifications(first: $n) { ${PAGE} } }`;
    const flood = Array.from({ length: 12 }, () => execute(budgeted.url, expensive, { n: 100 }, { token: flooder }));
    const ordinary = execute(budgeted.url, UnreadCountDocument, {}, { token: bystander });
    const outcomes = await Promise.all(flood);
    const answered = outcomes.filter((response) => response.status === 200 && !response.body.errors);
    const limited = outcomes.filter(isRateLimited);
    console.log(`cost budget: ${answered.length} of 12 expensive queries answered, ${limited.length} RATE_LIMITED`);
    // Each costs 4,325 (100 rows × 43.25): four fit in the budget of 20,000, whatever order they arrive in.
    expect(answered.length).toBe(4);
    expect(limited.length).toBe(8);
    expect(expectData(await ordinary).unreadCount.count).toBe(0);
    expectData(await execute(budgeted.url, UnreadCountDocument, {}, { token: bystander }));
  });
});

function isRateLimited(response: GraphQLResponse<unknown>): boolean {
  const error = response.body.errors?.[0];
  const retryAfter = error?.extensions?.retryAfter;
  return (
    response.status === 429 &&
    error?.extensions?.code === 'RATE_LIMITED' &&
    typeof retryAfter === 'number' &&
    retryAfter >= 1 &&
    response.headers.get('retry-after') === String(retryAfter)
  );
}
