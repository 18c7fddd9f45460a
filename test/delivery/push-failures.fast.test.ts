// What a push service's answer means for the delivery: retried (429, 5xx, no answer) after its Retry-After,
// gone (404, 410), or refused for good (other 4xx), and a short description safe to show.

import { describe, expect, it } from 'vitest';
import webpush from 'web-push';
import { describePushFailure } from '../../src/delivery/failures.js';

const refusal = (status: number, headers: Record<string, string> = {}, body = '') =>
  new webpush.WebPushError(
    'Received unexpected response code',
    status,
    headers,
    body,
    'https://push.example.test/send/secret-token',
  );

describe('push failures', () => {
  it.each([
    [429, 'TEMPORARY', false],
    [500, 'TEMPORARY', false],
    [503, 'TEMPORARY', false],
    [404, 'PERMANENT', true],
    [410, 'PERMANENT', true],
    [400, 'PERMANENT', false],
    [403, 'PERMANENT', false],
    [413, 'PERMANENT', false],
  ] as const)('should take a %i as %s (gone: %s)', (status, kind, gone) => {
    expect(describePushFailure(refusal(status))).toMatchObject({ kind, gone });
  });

  it('should read Retry-After in seconds or as an HTTP date', () => {
    expect(describePushFailure(refusal(429, { 'retry-after': '120' })).retryAfterMs).toBe(120_000);
    const inAMinute = new Date(Date.now() + 60_000).toUTCString();
    const ms = describePushFailure(refusal(503, { 'retry-after': inAMinute })).retryAfterMs!;
    expect(ms).toBeGreaterThan(55_000);
    expect(ms).toBeLessThanOrEqual(60_000);
    expect(describePushFailure(refusal(429, { 'retry-after': 'soon' })).retryAfterMs).toBeUndefined();
  });

  it("should name the push service's host, never the endpoint's path (the device's token), in one short line", () => {
    const { message } = describePushFailure(refusal(410, {}, 'push subscription has unsubscribed or expired.\nmore'));
    expect(message).toBe('push 410 from push.example.test: push subscription has unsubscribed or expired.');
    expect(describePushFailure(refusal(500, {}, 'x'.repeat(1000))).message.length).toBeLessThanOrEqual(200);
  });

  it('should retry what never got an answer', () => {
    const timeout = describePushFailure(new Error('Socket timeout'));
    expect(timeout).toMatchObject({ kind: 'TEMPORARY', gone: false, message: 'ERROR: Socket timeout' });
    const refused = Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:9'), { code: 'ECONNREFUSED' });
    expect(describePushFailure(refused).message).toBe('ECONNREFUSED: connect ECONNREFUSED 127.0.0.1:9');
  });
});
