import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import {
  CreateNotificationDocument,
  MarkReadDocument,
  NotificationsDocument,
  UnreadCountDocument,
} from '../generated/graphql.js';
import { execute, expectData, expectError } from '../helpers/graphql.js';
import { captureLog } from '../helpers/log-capture.js';
import { useTestServer } from '../helpers/server.js';
import { serviceToken } from '../helpers/tokens.js';

const missingId = () => Buffer.from(`Notification:${randomUUID()}`).toString('base64');

// Debug level: even the most talkative setting must keep content and tokens out.
const log = captureLog('debug');
const server = useTestServer({ logger: log.logger });

describe('logs', () => {
  it('should carry request ids and user ids, and never notification content or tokens', async () => {
    const marker = `secret-${randomUUID()}`;
    const user = await server.newUser();
    const producer = await serviceToken();
    const created = await execute(
      server.url,
      CreateNotificationDocument,
      {
        input: {
          userId: user.userId,
          title: `title ${marker}`,
          message: `message ${marker}`,
          type: 'INFO',
          metadata: { note: marker },
        },
      },
      { token: producer },
    );
    expectData(created);
    await user.data(NotificationsDocument, { first: 5 });
    expectError(await user.execute(MarkReadDocument, { id: missingId() }), 'NOT_FOUND');
    // Content that fails validation comes back in the error message; it must not reach the logs.
    const refused = await execute(
      server.url,
      CreateNotificationDocument,
      {
        input: {
          userId: user.userId,
          title: marker,
          message: marker,
          type: `WRONG_${marker.replace(/-/g, '_')}` as 'INFO',
        },
      },
      { token: producer },
    );
    expect(refused.body.errors).toBeDefined();
    const anonymous = await execute(server.url, UnreadCountDocument, {}, { token: null });
    expect(anonymous.status).toBe(401);
    const requestId = `obs-${randomUUID()}`;
    await execute(server.url, UnreadCountDocument, {}, { token: user.token, headers: { 'x-request-id': requestId } });

    const lines = log.entries.map((entry) => JSON.stringify(entry));
    for (const [i, line] of lines.entries()) {
      expect(line, `log line ${i}`).not.toContain(marker);
      expect(line, `log line ${i}`).not.toContain(marker.replace(/-/g, '_'));
      expect(line, `log line ${i}`).not.toContain(user.token);
      expect(line, `log line ${i}`).not.toContain(producer);
    }

    const requests = log.entries.filter((entry) => entry.msg === 'request');
    expect(requests.length).toBeGreaterThanOrEqual(6);
    for (const entry of requests) {
      expect(entry).toMatchObject({
        requestId: expect.any(String),
        method: expect.any(String),
        path: expect.any(String),
        status: expect.any(Number),
        durationMs: expect.any(Number),
      });
    }
    const ofUser = requests.filter((entry) => entry.userId === user.userId);
    expect(ofUser.map((entry) => entry.status)).toEqual([200, 200, 200]);
    expect(ofUser.at(-1)).toMatchObject({ requestId, method: 'POST', path: '/graphql' });
    expect(requests.filter((entry) => entry.userId === 'test-service')).toHaveLength(2);
    const refusedLine = requests.find((entry) => entry.status === 401);
    expect(refusedLine).toBeDefined();
    expect(refusedLine).not.toHaveProperty('userId');
  });
});
