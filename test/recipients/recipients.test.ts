import { describe, expect, it } from 'vitest';
import { MyRecipientProfileDocument, RecipientDocument, UpsertRecipientDocument } from '../generated/graphql.js';
import { execute, expectData, expectError } from '../helpers/graphql.js';
import { useTestServer } from '../helpers/server.js';
import { newUserId, serviceToken, tokenFor } from '../helpers/tokens.js';

const shared = useTestServer({ redis: false });

async function upsert(input: {
  userId: string;
  email?: string | null;
  locale?: string | null;
  timeZone?: string | null;
}) {
  return execute(shared.url, UpsertRecipientDocument, { input }, { token: await serviceToken() });
}

describe('recipients', () => {
  it('should keep what a service says of a user, canonical, and give it back to the service and the user', async () => {
    const userId = newUserId();
    const { upsertRecipient } = expectData(
      await upsert({ userId, email: ' ada@example.test ', locale: 'fr-fr', timeZone: 'Europe/Paris' }),
    );
    expect(upsertRecipient).toEqual({ userId, email: 'ada@example.test', locale: 'fr-FR', timeZone: 'Europe/Paris' });
    const { recipient } = expectData(
      await execute(shared.url, RecipientDocument, { userId }, { token: await serviceToken() }),
    );
    expect(recipient).toEqual(upsertRecipient);
    const user = await execute(shared.url, MyRecipientProfileDocument, {}, { token: await tokenFor(userId) });
    expect(expectData(user).myRecipientProfile).toEqual(upsertRecipient);
  });

  it('should replace the whole profile on the next upsert (no email: none)', async () => {
    const userId = newUserId();
    expectData(await upsert({ userId, email: 'a@example.test', locale: 'de' }));
    const { upsertRecipient } = expectData(await upsert({ userId, timeZone: 'UTC' }));
    expect(upsertRecipient).toEqual({ userId, email: null, locale: null, timeZone: 'UTC' });
  });

  it('should answer null for a user no service has described', async () => {
    const user = await shared.newUser();
    expect((await user.data(MyRecipientProfileDocument)).myRecipientProfile).toBeNull();
  });

  it.each([
    ['email', { email: 'not an address' }],
    ['email', { email: `${'a'.repeat(250)}@example.test` }],
    ['timeZone', { timeZone: 'Mars/Olympus_Mons' }],
    ['locale', { locale: 'not a locale!' }],
    ['userId', { userId: '  ' }],
  ])('should refuse a bad %s with BAD_USER_INPUT naming it', async (field, fields) => {
    const error = expectError(await upsert({ userId: newUserId(), ...fields }), 'BAD_USER_INPUT');
    expect(error.extensions?.field).toBe(field);
  });

  it('should let only services set or read profiles', async () => {
    const userId = newUserId();
    const token = await tokenFor(userId);
    const input = { userId, email: 'me@example.test' };
    expectError(await execute(shared.url, UpsertRecipientDocument, { input }, { token }), 'FORBIDDEN');
    expectError(await execute(shared.url, RecipientDocument, { userId }, { token }), 'FORBIDDEN');
  });
});
