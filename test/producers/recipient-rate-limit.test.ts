// The recipient rate limit as production runs it: counted in Redis, shared by every instance.
import { describe, expect, it } from 'vitest';
import { CountsDocument, PublishEventDocument, type PublishEventInput } from '../generated/graphql.js';
import { execute, expectData, expectError } from '../helpers/graphql.js';
import { startTestServer, useTestServer } from '../helpers/server.js';
import { serviceToken } from '../helpers/tokens.js';

async function published(input: PublishEventInput, url: string) {
  return expectData(await execute(url, PublishEventDocument, { input }, { token: await serviceToken() })).publishEvent;
}

describe('rate limit', () => {
  const limited = useTestServer({ env: { RATE_LIMIT_PER_RECIPIENT_PER_HOUR: '100' } });

  it('should refuse the 101st notification of the hour for a recipient, and only for that one', async () => {
    const [busy, calm] = [await limited.newUser(), await limited.newUser()];
    const warn = (message: string, recipients: string[]) =>
      published({ type: 'system.warning', data: { message }, recipients }, limited.url);
    for (let i = 0; i < 100; i++) expect((await warn(`n ${i}`, [busy.userId])).results[0]!.outcome).toBe('CREATED');

    const [refused, delivered] = (await warn('one too many', [busy.userId, calm.userId])).results;
    console.log(
      `rate limit: 101st in the hour → ${refused!.outcome} (retry after ${refused!.error?.retryAfter} s); the other recipient → ${delivered!.outcome}`,
    );
    expect(refused).toMatchObject({ outcome: 'RATE_LIMITED', notification: null, error: { code: 'RATE_LIMITED' } });
    expect(refused!.error!.retryAfter).toBeGreaterThan(0);
    expect(delivered!.outcome).toBe('CREATED');
    expect((await busy.data(CountsDocument, {})).counts.total).toBe(100);

    // createNotification counts against the same limit...
    const direct = await execute(
      limited.url,
      (await import('../generated/graphql.js')).CreateNotificationDocument,
      { input: { userId: busy.userId, title: 't', message: 'm', type: 'INFO' } },
      { token: await serviceToken() },
    );
    expect(expectError(direct, 'RATE_LIMITED').extensions?.retryAfter).toBeGreaterThan(0);
    // ...and critical events are never held back.
    const alert = await published(
      { type: 'user.security_alert', data: { event: 'New sign-in' }, recipients: [busy.userId] },
      limited.url,
    );
    expect(alert.results[0]!.outcome).toBe('CREATED');
  });
});

describe('rate limit and retries', () => {
  const env = { RATE_LIMIT_PER_RECIPIENT_PER_HOUR: '5' };
  const five = useTestServer({ env });
  const fiveInMemory = useTestServer({ env, redis: false });

  it.each([
    ['in Redis, through two instances', true],
    ['in memory', false],
  ])(
    'should spend one unit of the budget on a burst of retries of one event, and answer a retry DUPLICATE even when the budget is spent (%s)',
    async (_, redis) => {
      const server = redis ? five : fiveInMemory;
      const other = redis ? await startTestServer({ env }) : undefined;
      try {
        const user = await server.newUser();
        const warn = (key: string, url = server.url) =>
          published(
            { type: 'system.warning', data: { message: key }, recipients: [user.userId], idempotencyKey: key },
            url,
          );
        const burst = await Promise.all(
          Array.from({ length: 20 }, (_, i) => warn('retried', i % 2 && other ? other.url : server.url)),
        );
        const outcomes = burst.map((report) => report.results[0]!.outcome);
        const count = (outcome: string) => outcomes.filter((o) => o === outcome).length;
        console.log(
          `rate limit ${redis ? 'in Redis' : 'in memory'}: 20 parallel retries of one event with a budget of 5 → ${count('CREATED')} created, ${count('DUPLICATE')} duplicates, ${count('RATE_LIMITED')} rate limited`,
        );
        expect(count('CREATED')).toBe(1);
        expect(count('DUPLICATE')).toBe(19);

        // The burst cost one unit: four new events fit, the fifth does not.
        for (let i = 0; i < 4; i++) expect((await warn(`new ${i}`)).results[0]!.outcome).toBe('CREATED');
        expect((await warn('one too many')).results[0]!.outcome).toBe('RATE_LIMITED');
        // A retry of what was created is still DUPLICATE, with its notification, through either way in.
        const retry = (await warn('retried')).results[0]!;
        expect(retry).toMatchObject({ outcome: 'DUPLICATE', error: null });
        expect(retry.notification!.id).toBe(burst[0]!.results[0]!.notification!.id);
        expect((await warn('new 3')).results[0]!.outcome).toBe('DUPLICATE');
        const direct = async (idempotencyKey: string) =>
          execute(
            server.url,
            (await import('../generated/graphql.js')).CreateNotificationDocument,
            { input: { userId: user.userId, title: 't', message: 'm', type: 'INFO', idempotencyKey } },
            { token: await serviceToken() },
          );
        expectError(await direct('direct new'), 'RATE_LIMITED');
        expect(expectData(await direct('retried')).createNotification.id).toBe(retry.notification!.id);
        expect((await user.data(CountsDocument, {})).counts.total).toBe(5);
      } finally {
        await other?.stop();
      }
    },
  );
});
