// The demo inbox's push in headless Chromium (Debian's, driven by playwright-core): the "Notify me on this
// device" button appears when the server has push on, registers the demo's service worker, and that worker
// shows what the server pushes. This machine reaches no browser push service (FCM), so the push the server
// sent to the test's push receiver is handed to the worker through DevTools, as its "Push" button does.
import { mkdir } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { type Browser, type BrowserContext, chromium } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import webpush from 'web-push';
import { loadConfig } from '../../src/config.js';
import { createLogger } from '../../src/logger.js';
import { type RunningServer, startServer } from '../../src/server.js';
import { PublishEventDocument, RegisterPushSubscriptionDocument } from '../generated/graphql.js';
import { freshDatabase } from '../helpers/database.js';
import { waitFor } from '../helpers/event-stream.js';
import { execute, expectData, userClient } from '../helpers/graphql.js';
import { startPushReceiver, type TestPushReceiver } from '../helpers/push-receiver.js';
import { testServerEnvironment } from '../helpers/server.js';
import { newUserId, serviceToken, tokenFor } from '../helpers/tokens.js';

const CHROMIUM = '/usr/bin/chromium';
const ARTIFACTS = fileURLToPath(new URL('../artifacts/', import.meta.url));
const vapid = webpush.generateVAPIDKeys();
let receiver: TestPushReceiver;
let server: RunningServer;
let browser: Browser;
let context: BrowserContext;

beforeAll(async () => {
  receiver = await startPushReceiver();
  const config = loadConfig(
    testServerEnvironment({
      env: {
        DATABASE_URL: await freshDatabase(),
        DEMO: 'true',
        VAPID_PUBLIC_KEY: vapid.publicKey,
        VAPID_PRIVATE_KEY: vapid.privateKey,
        VAPID_SUBJECT: 'mailto:ops@example.test',
        DELIVERY_POLL_INTERVAL_MS: '100',
      },
    }),
  );
  server = await startServer(config, createLogger(config.logLevel), { pushAgent: receiver.agent });
  browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox'] });
  context = await browser.newContext();
  await context.grantPermissions(['notifications'], { origin: server.url });
});
afterAll(async () => {
  await browser?.close();
  await server?.stop();
  await receiver?.close();
});

describe('the demo inbox and push', () => {
  it("should offer push on this device, and show the server's push through its service worker", async () => {
    const userId = newUserId();
    const token = await tokenFor(userId);
    const page = await context.newPage();
    const errors: string[] = [];
    page.on('pageerror', (error) => errors.push(error.message));
    const cdp = await context.newCDPSession(page);
    const registrations: string[] = [];
    cdp.on('ServiceWorker.workerRegistrationUpdated', ({ registrations: updated }) => {
      for (const r of updated as Array<{ registrationId: string; isDeleted: boolean }>)
        if (!r.isDeleted) registrations.push(r.registrationId);
    });
    await cdp.send('ServiceWorker.enable');
    await page.goto(`${server.url}/demo#token=${token}`);
    const button = page.locator('#notify-me');
    await button.waitFor({ state: 'visible', timeout: 10_000 });
    expect(await button.textContent()).toBe('Notify me on this device');
    await mkdir(ARTIFACTS, { recursive: true });
    await page.screenshot({ path: `${ARTIFACTS}demo-push.png` });
    await waitFor(
      () =>
        page.evaluate(
          async () => (await navigator.serviceWorker.getRegistration('/demo/'))?.active?.state === 'activated',
        ),
      'the service worker active',
    );
    expect(errors).toEqual([]);

    // What the server pushes to one of the user's devices (the receiver decrypts it as a browser does)...
    const device = receiver.newSubscription();
    await userClient(server.url, userId, token).data(RegisterPushSubscriptionDocument, { input: device });
    const input = {
      type: 'system.warning',
      data: { title: 'Disk <b>almost</b> full', message: 'Clean up soon' },
      recipients: [userId],
    };
    expectData(await execute(server.url, PublishEventDocument, { input }, { token: await serviceToken() }));
    const push = await waitFor(async () => receiver.to(device.endpoint)[0], 'the push');

    // ...is what the demo's service worker shows.
    await cdp.send('ServiceWorker.deliverPushMessage', {
      origin: server.url,
      registrationId: registrations.at(-1)!,
      data: JSON.stringify(push.payload),
    });
    const shown = await waitFor(
      () =>
        page.evaluate(async () => {
          const registration = await navigator.serviceWorker.getRegistration('/demo/');
          const notifications = (await registration?.getNotifications()) ?? [];
          return notifications.length > 0 ? notifications.map((n) => ({ title: n.title, body: n.body })) : undefined;
        }),
      'the notification shown',
    );
    expect(shown).toEqual([{ title: 'Disk <b>almost</b> full', body: 'Clean up soon' }]);
  });
});
