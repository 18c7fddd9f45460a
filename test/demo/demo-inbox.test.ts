// The demo inbox end to end, in headless Chromium (Debian's /usr/bin/chromium, driven by playwright-core:
// no browser is ever downloaded): two tabs of one user, notifications created through the API as a
// service does, and every change seen to reach both tabs through the event stream.
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { type Browser, chromium, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runNotify } from '../helpers/cli.js';
import { createMany, createNotification } from '../helpers/notifications.js';
import { startServerProcess } from '../helpers/process.js';
import { testServerEnvironment, useTestServer } from '../helpers/server.js';

const CHROMIUM = '/usr/bin/chromium';
const ARTIFACTS = fileURLToPath(new URL('../artifacts/', import.meta.url));

const server = useTestServer({ env: { DEMO: 'true' } });
let browser: Browser;

beforeAll(async () => {
  browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox'] });
});
afterAll(() => browser?.close());

/** A tab of the demo page for this token, once its stream is live. */
async function openInbox(token: string, address = `${server.url}/demo#token=${token}`): Promise<Page> {
  const page = await browser.newPage({ viewport: { width: 900, height: 640 } });
  const problems: string[] = [];
  page.on('pageerror', (error) => problems.push(error.message));
  await page.goto(address);
  await page.waitForSelector('#status.live', { timeout: 10_000 }).catch((error: Error) => {
    throw new Error(`${error.message}; page errors: ${problems.join('; ')}`);
  });
  return page;
}

const text = (page: Page, selector: string) => page.locator(selector).first().textContent();

/** Waits until `selector`'s text is `expected`, and says what it was otherwise. */
async function expectText(page: Page, selector: string, expected: string) {
  await page
    .waitForFunction(([s, e]) => document.querySelector(s as string)?.textContent === e, [selector, expected], {
      timeout: 10_000,
    })
    .catch(async () =>
      expect(await text(page, selector), `${selector} (the page says: ${await text(page, '#problem')})`).toBe(expected),
    );
}

describe('the demo inbox', () => {
  it('should show a new notification live, and have a second tab follow its badge as it is read', async () => {
    const user = await server.newUser();
    const [first, second] = [await openInbox(user.token), await openInbox(user.token)];
    await first.click('#bell');
    await first.waitForSelector('#panel', { state: 'visible' });
    await expectText(first, '#empty', 'Nothing here yet.');
    expect(await text(second, '#badge')).toBe('0');

    await createNotification(server.url, {
      userId: user.userId,
      title: 'Transcription <b>ready</b>',
      message: "Your transcription 'Weekly sync' is ready to view",
    });
    await expectText(first, '#list .item .title', 'Transcription <b>ready</b>');
    expect(await first.locator('#list .item .title b').count(), 'text is shown as text, never as HTML').toBe(0);
    await expectText(first, '#badge', '1');
    await expectText(second, '#badge', '1');
    await expectText(second, '#unread', '1 unread');

    await mkdir(ARTIFACTS, { recursive: true });
    await first.screenshot({ path: `${ARTIFACTS}demo-inbox.png` });

    await first.click('#list .item .mark-read');
    await first.waitForSelector('#list .item.read');
    await expectText(second, '#badge', '0');
    await expectText(second, '#unread', '0 unread');
    expect(await second.isHidden('#badge')).toBe(true);
    console.log(`demo inbox: screenshot in ${ARTIFACTS}demo-inbox.png; the second tab's badge followed 0 → 1 → 0`);
  });

  it('should load older pages as the list scrolls, and archive and mark all read in every tab', async () => {
    const user = await server.newUser();
    await createMany(server.url, user.userId, 45, 'older');
    const [first, second] = [await openInbox(user.token), await openInbox(user.token)];
    await expectText(second, '#badge', '45');

    await first.click('#bell');
    await expectText(first, '#badge', '0');
    await expectText(second, '#badge', '0');
    expect(await first.locator('#list .item').count()).toBe(20);
    for (let pages = 1; (await first.locator('#list .item').count()) < 45 && pages < 10; pages++) {
      await first.locator('#scroll').evaluate((element) => element.scrollTo(0, element.scrollHeight));
      await first.waitForTimeout(200);
    }
    expect(await first.locator('#list .item').count()).toBe(45);
    expect(await first.locator('#list .item .title').last().textContent()).toBe('older 0');

    await second.click('#bell');
    await first.locator('#list .item .archive').first().click();
    await second.waitForFunction(() => document.querySelectorAll('#list .item').length === 19);
    await expectText(second, '#unread', '44 unread');

    await first.click('#mark-all-read');
    await expectText(second, '#unread', '0 unread');
    await second.waitForFunction(() => document.querySelectorAll('#list .item:not(.read)').length === 0);
  });

  it("should take a newcomer from `npm start`'s printed Demo address to a notification sent with `npm run notify`", async () => {
    const dataDir = await mkdtemp(path.join(tmpdir(), 'notifications-demo-'));
    const secretFile = path.join(dataDir, 'dev-jwt-secret');
    // As `npm start` runs in development with nothing configured but the database.
    const started = await startServerProcess(
      testServerEnvironment({
        env: { NODE_ENV: 'development', JWT_SECRET: undefined, DEV_JWT_SECRET_FILE: secretFile },
      }),
    );
    try {
      const address = /Demo: +(\S+)/.exec(started.output())?.[1];
      expect(address, started.output()).toMatch(/\/demo#token=/);
      const page = await openInbox('', address);
      await page.click('#bell');
      const message = `Hello from the README ${Date.now()}`;
      const sent = await runNotify(['system.warning', '--user', 'dev-user', '--data', JSON.stringify({ message })], {
        API_URL: started.url,
        DEV_JWT_SECRET_FILE: secretFile,
      });
      expect(sent.code, sent.stderr).toBe(0);
      await page.waitForFunction(
        (m) => [...document.querySelectorAll('#list .item .message')].some((e) => e.textContent?.includes(m)),
        message,
        { timeout: 10_000 },
      );
      expect(Number(await text(page, '#badge'))).toBeGreaterThan(0);
    } finally {
      expect(await started.stop(), started.output()).toBe(0);
      await rm(dataDir, { recursive: true, force: true });
    }
  });
});
