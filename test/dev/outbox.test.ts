// The development outbox: with no SMTP_URL in development, email goes to an SMTP catcher inside the server
// and /dev/outbox lists it (HTML in a sandboxed frame, the text part, the headers as sent), with every push sent.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import webpush from 'web-push';
import { ConfigError, loadConfig } from '../../src/config.js';
import { createLogger } from '../../src/logger.js';
import { startServer } from '../../src/server.js';
import { PublishEventDocument, RegisterPushSubscriptionDocument } from '../generated/graphql.js';
import { runNotify } from '../helpers/cli.js';
import { freshDatabase } from '../helpers/database.js';
import { waitFor } from '../helpers/event-stream.js';
import { execute, expectData, userClient } from '../helpers/graphql.js';
import { startServerProcess } from '../helpers/process.js';
import { startPushReceiver } from '../helpers/push-receiver.js';
import { startTestServer, testServerEnvironment } from '../helpers/server.js';
import { startupDeadline, timeoutForStarts } from '../helpers/timing.js';
import { newUserId, serviceToken, tokenFor } from '../helpers/tokens.js';

const outboxPage = async (url: string) => {
  const response = await fetch(`${url}/dev/outbox`);
  return { status: response.status, csp: response.headers.get('content-security-policy'), html: await response.text() };
};

describe('the development outbox', { timeout: timeoutForStarts(2) }, () => {
  let dataDir: string;
  beforeAll(async () => {
    dataDir = await mkdtemp(path.join(tmpdir(), 'outbox-dev-'));
  });
  afterAll(() => rm(dataDir, { recursive: true, force: true }));

  it('should list the email of `npm run notify` to the dev user, as the quick start shows', async () => {
    const secretFile = path.join(dataDir, 'dev-jwt-secret');
    const env = testServerEnvironment({
      env: {
        NODE_ENV: 'development',
        JWT_SECRET: undefined,
        DEV_JWT_SECRET_FILE: secretFile,
        DATABASE_URL: await freshDatabase(),
        DEMO: 'false',
        DELIVERY_POLL_INTERVAL_MS: '100',
      },
    });
    const server = await startServerProcess(env, startupDeadline());
    try {
      const banner = server.output();
      expect(banner).toContain(`  Outbox:    ${server.url}/dev/outbox`);
      const before = await outboxPage(server.url);
      expect(before.html).toContain('Nothing sent yet');
      const run = await runNotify(['system.warning', '--user', 'dev-user', '--data', '{"message":"Hello"}'], {
        API_URL: server.url,
        DEV_JWT_SECRET_FILE: secretFile,
      });
      expect(run.stderr).toBe('');
      const page = await waitFor(async () => {
        const current = await outboxPage(server.url);
        return current.html.includes('class="email"') ? current : undefined;
      }, 'the email in the outbox');
      expect(page.status).toBe(200);
      expect(page.html).toContain('email to dev-user@outbox.localhost');
      expect(page.html).toMatch(/<iframe sandbox="" [^>]*srcdoc="[^"]*Hello/);
      expect(page.html).toMatch(/<pre class="text">Hello/);
      expect(page.html).toMatch(/<th>Message-ID<\/th><td>&lt;delivery-[0-9a-f-]+@outbox\.localhost&gt;<\/td>/);
      expect(page.html).toContain('<th>List-Unsubscribe</th>');
    } finally {
      expect(await server.stop(), server.output()).toBe(0);
    }
  });

  it('should escape what the email carries, show its HTML only in a frame that runs nothing, and not exist when it is off', async () => {
    const databaseUrl = await freshDatabase();
    const server = await startTestServer({ redis: false, env: { DATABASE_URL: databaseUrl, DEV_OUTBOX: 'true' } });
    const db = new pg.Client({ connectionString: databaseUrl });
    await db.connect();
    try {
      await db.query(
        `INSERT INTO recipients (user_id, email, updated_at) VALUES ('outbox-user', 'o@example.test', now())`,
      );
      expectData(
        await execute(
          server.url,
          PublishEventDocument,
          {
            input: {
              type: 'system.warning',
              data: { title: 'Disk <img src=x onerror=alert(1)>', message: '<script>alert("x")</script>' },
              recipients: ['outbox-user'],
            },
          },
          { token: await serviceToken() },
        ),
      );
      const page = await waitFor(async () => {
        const current = await outboxPage(server.url);
        return current.html.includes('class="email"') ? current : undefined;
      }, 'the email in the outbox');
      expect(page.csp).toContain("default-src 'none'");
      expect(page.csp).not.toContain('script-src');
      // Outside the frame's srcdoc attribute, nothing of the email is markup.
      const outside = page.html.replace(/srcdoc="[^"]*"/g, '');
      expect(outside).not.toMatch(/<script|<img/);
      expect(outside).toContain('<h2>Disk &lt;img src=x onerror=alert(1)&gt;</h2>');
    } finally {
      await db.end();
      await server.stop();
    }
    const off = await startTestServer({ redis: false });
    try {
      const absent = await outboxPage(off.url);
      expect(absent.status).not.toBe(200);
      expect(absent.html).not.toContain('Development outbox');
    } finally {
      await off.stop();
    }
  });

  it('should list every push a push service took, with its payload as the device gets it', async () => {
    const receiver = await startPushReceiver();
    const vapid = webpush.generateVAPIDKeys();
    const config = loadConfig(
      testServerEnvironment({
        redis: false,
        env: {
          DATABASE_URL: await freshDatabase(),
          DEV_OUTBOX: 'true',
          VAPID_PUBLIC_KEY: vapid.publicKey,
          VAPID_PRIVATE_KEY: vapid.privateKey,
          VAPID_SUBJECT: 'mailto:ops@example.test',
          DELIVERY_POLL_INTERVAL_MS: '100',
        },
      }),
    );
    const server = await startServer(config, createLogger(config.logLevel), { pushAgent: receiver.agent });
    try {
      const userId = newUserId();
      const device = receiver.newSubscription();
      const user = userClient(server.url, userId, await tokenFor(userId));
      await user.data(RegisterPushSubscriptionDocument, { input: device });
      const input = { type: 'system.warning', data: { message: 'Hello <device>' }, recipients: [userId] };
      expectData(await execute(server.url, PublishEventDocument, { input }, { token: await serviceToken() }));
      const page = await waitFor(async () => {
        const current = await outboxPage(server.url);
        return current.html.includes('class="push"') ? current : undefined;
      }, 'the push in the outbox');
      expect(page.html).toContain(`push to ${device.endpoint}`);
      expect(page.html).toContain('&quot;body&quot;: &quot;Hello &lt;device&gt;&quot;');
      expect(receiver.to(device.endpoint)).toHaveLength(1);
    } finally {
      await server.stop();
      await receiver.close();
    }
  });

  it('should be refused in production, and with SMTP_URL', () => {
    const base = { JWT_SECRET: 'x'.repeat(32), DEV_OUTBOX: 'true' };
    expect(() => loadConfig({ ...base, NODE_ENV: 'production' })).toThrow(ConfigError);
    expect(() => loadConfig({ ...base, SMTP_URL: 'smtp://127.0.0.1:25' })).toThrow(ConfigError);
    expect(loadConfig({ NODE_ENV: 'development' }).delivery.devOutbox).toBe(true);
    expect(loadConfig({ NODE_ENV: 'development', SMTP_URL: 'smtp://127.0.0.1:25' }).delivery.devOutbox).toBe(false);
    expect(loadConfig({ NODE_ENV: 'production', JWT_SECRET: 'x'.repeat(32) }).delivery.devOutbox).toBe(false);
  });
});
