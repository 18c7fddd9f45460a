import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningServer } from '../../src/server.js';
import { NotificationAddedDocument, NotificationEventsDocument } from '../generated/graphql.js';
import { startServerProcess } from '../helpers/process.js';
import { startTestServer, testServerEnvironment } from '../helpers/server.js';
import { type SseMode, subscribe, type TestSubscription } from '../helpers/subscribe.js';
import { scaled, startupDeadline, timeoutForStarts } from '../helpers/timing.js';
import { newUserId, tokenFor } from '../helpers/tokens.js';

const CAP = 3;
const LEASE_TTL_MS = 1500;
const env = { STREAMS_PER_USER: String(CAP), STREAM_LEASE_TTL_MS: String(LEASE_TTL_MS) };

let instances: RunningServer[] = [];
beforeAll(async () => {
  instances = await Promise.all([startTestServer({ env }), startTestServer({ env })]);
}, timeoutForStarts(2));
afterAll(() => Promise.all(instances.map((instance) => instance.stop())));

async function open(url: string, token: string, mode: SseMode = 'distinct'): Promise<TestSubscription<unknown>> {
  const stream = subscribe(url, NotificationEventsDocument, {}, { token, mode });
  await stream.ready;
  return stream;
}

/** Tries to open a stream every `intervalMs` until one is admitted; past `deadline` (epoch ms), the refusal is thrown. */
async function openOnceAdmitted(
  url: string,
  token: string,
  deadline: number,
  intervalMs = 50,
): Promise<TestSubscription<unknown>> {
  for (;;) {
    const attempt = subscribe(url, NotificationEventsDocument, {}, { token });
    try {
      await attempt.ready;
      return attempt;
    } catch (error) {
      await attempt.dispose();
      if (Date.now() > deadline) throw error;
      await new Promise((resolve) => setTimeout(resolve, intervalMs));
    }
  }
}

/** A subscription past the cap: the code each mode reports, and that no stream opened. */
async function refused(url: string, token: string, mode: SseMode): Promise<string | undefined> {
  const stream = subscribe(url, NotificationAddedDocument, {}, { token, mode });
  // The server answers 429 with the RATE_LIMITED result as the body (to the reservation's PUT in
  // single-connection mode, which counts as a stream); the client reports the status.
  const error = await stream.ended;
  const code = /429/.test(String(error)) ? 'RATE_LIMITED' : String(error);
  await stream.dispose();
  return code;
}

describe('concurrent streams per user', () => {
  it('should cap open streams per user across instances, answer RATE_LIMITED past it, and free a slot on close', async () => {
    const token = await tokenFor(newUserId());
    const [a, b] = instances.map((instance) => instance.url) as [string, string];
    const streams = [await open(a, token), await open(a, token, 'single'), await open(b, token)];

    const codes = [await refused(a, token, 'distinct'), await refused(b, token, 'single')];
    expect(codes).toEqual(['RATE_LIMITED', 'RATE_LIMITED']);
    // Another user is not held back.
    const other = await open(b, await tokenFor(newUserId()));

    await streams.shift()!.dispose();
    // The lease goes when the server sees the stream end.
    const reopened = await openOnceAdmitted(b, token, Date.now() + scaled(5000));
    console.log(
      `streams: ${CAP}/${CAP} open across 2 instances, the next RATE_LIMITED in both SSE modes; a closed one frees its slot`,
    );
    for (const stream of [...streams, reopened, other]) await stream.dispose();
  });

  it("should release a crashed instance's leases within the lease lifetime", {
    timeout: timeoutForStarts(1),
  }, async () => {
    const token = await tokenFor(newUserId());
    const crashing = await startServerProcess(testServerEnvironment({ env }), startupDeadline());
    try {
      for (let i = 0; i < CAP; i++) await open(crashing.url, token);
      expect(await refused(instances[0]!.url, token, 'distinct')).toBe('RATE_LIMITED');
      await crashing.stop('SIGKILL');
      const killedAt = Date.now();
      const stream = await openOnceAdmitted(instances[0]!.url, token, killedAt + LEASE_TTL_MS + scaled(3000), 100);
      const freedMs = Date.now() - killedAt;
      console.log(
        `streams: ${CAP} leases of a SIGKILLed instance released ${freedMs} ms after the crash (lease ${LEASE_TTL_MS} ms)`,
      );
      // The lease's lifetime, plus what a busy machine adds to a renewal tick and a retry.
      expect(freedMs).toBeLessThanOrEqual(LEASE_TTL_MS + scaled(1000));
      await stream.dispose();
    } finally {
      await crashing.stop('SIGKILL');
    }
  });
});

describe('concurrent streams per user without Redis', () => {
  it('should cap them in memory when REDIS_URL is unset', async () => {
    const memory = await startTestServer({ redis: false, env: { STREAMS_PER_USER: '2' } });
    try {
      const token = await tokenFor(newUserId());
      const streams = [await open(memory.url, token), await open(memory.url, token, 'single')];
      expect(await refused(memory.url, token, 'distinct')).toBe('RATE_LIMITED');
      await streams.shift()!.dispose();
      const reopened = await openOnceAdmitted(memory.url, token, Date.now() + scaled(5000));
      for (const stream of [...streams, reopened]) await stream.dispose();
    } finally {
      await memory.stop();
    }
  });
});
