// What a stream entry asks for, before any I/O: the conversion and the backoff schedule the intake uses.
import { describe, expect, it } from 'vitest';
import { retryDelay } from '../../src/intake/backoff.js';
import { publishInputOf } from '../../src/intake/message.js';

const entry = (event: unknown, id = '1700000000000-0') => ({
  id,
  fields: { event: typeof event === 'string' ? event : JSON.stringify(event) },
});

const codeAndField = (attempt: () => unknown) => {
  try {
    attempt();
  } catch (error) {
    const { code, field } = (error as { extensions: { code: string; field: string } }).extensions;
    return `${code} ${field}`;
  }
  return 'no error';
};

describe('a stream entry', () => {
  it("should keep the producer's key, else leave it to the event type's default, else use the entry id", () => {
    const warning = { type: 'system.warning', data: { message: 'm' }, recipients: ['alice'] };
    expect(publishInputOf(entry({ ...warning, idempotencyKey: 'mine' })).idempotencyKey).toBe('mine');
    expect(publishInputOf(entry(warning, '1700000000000-7')).idempotencyKey).toBe('stream:1700000000000-7');
    const completed = { type: 'transcription.completed', data: {}, recipients: ['alice'] };
    // transcription events have a default key (type + session), which EventPublishing applies.
    expect(publishInputOf(entry(completed)).idempotencyKey).toBeNull();
  });

  it('should take "recipient" for one user and "recipients" for many, not both', () => {
    expect(publishInputOf(entry({ type: 't', recipient: 'bob' })).recipients).toEqual(['bob']);
    expect(publishInputOf(entry({ type: 't', recipients: ['a', 'b'] })).recipients).toEqual(['a', 'b']);
    expect(codeAndField(() => publishInputOf(entry({ type: 't', recipient: 'a', recipients: ['b'] })))).toBe(
      'BAD_USER_INPUT recipient',
    );
  });

  it('should carry the priority and a scheduled send as publishEvent does', () => {
    const sendAt = '2026-12-24T18:00:00+01:00';
    expect(publishInputOf(entry({ type: 't', recipient: 'bob', priority: 'HIGH', sendAt }))).toMatchObject({
      priority: 'HIGH',
      sendAt: new Date(sendAt),
    });
    expect(codeAndField(() => publishInputOf(entry({ type: 't', recipient: 'bob', priority: 'SOON' })))).toBe(
      'BAD_USER_INPUT priority',
    );
  });

  it('should refuse, naming the field, what it cannot make sense of', () => {
    expect(codeAndField(() => publishInputOf(entry('not json')))).toBe('BAD_USER_INPUT event');
    expect(codeAndField(() => publishInputOf(entry('[1, 2]')))).toBe('BAD_USER_INPUT event');
    expect(codeAndField(() => publishInputOf({ id: '1-0', fields: {} }))).toBe('BAD_USER_INPUT event');
    expect(codeAndField(() => publishInputOf(entry({ recipients: ['a'] })))).toBe('BAD_USER_INPUT type');
    expect(codeAndField(() => publishInputOf(entry({ type: 't', recipients: 'a' })))).toBe('BAD_USER_INPUT recipients');
    expect(codeAndField(() => publishInputOf(entry({ type: 't', recipients: ['a'], expiresAt: 'soon' })))).toBe(
      'BAD_USER_INPUT expiresAt',
    );
    // A misspelt field would silently lose what it meant (here: dedup).
    expect(codeAndField(() => publishInputOf(entry({ type: 't', recipients: ['a'], idempotencykey: 'k' })))).toBe(
      'BAD_USER_INPUT idempotencykey',
    );
  });

  it('should be retried after 1 s, 2 s, 4 s… up to the cap', () => {
    expect([1, 2, 3, 4, 5, 6, 7, 100].map((deliveries) => retryDelay(deliveries, 1000, 60_000))).toEqual([
      1000, 2000, 4000, 8000, 16_000, 32_000, 60_000, 60_000,
    ]);
  });
});
