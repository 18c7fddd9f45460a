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

/** A tab of the demo page for this token, once its inbox's stream is live. */
async function openInbox(token: string, address = `${server.url}/demo#token=${token}`): Promise<Page> {
  const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
  const problems: string[] = [];
  page.on('pageerror', (error) => problems.push(error.message));
  await page.goto(address);
  await page.waitForSelector('notification-inbox[status="live"]', { timeout: 10_000 }).catch((error: Error) => {
    throw new Error(`${error.message}; page errors: ${problems.join('; ')}`);
  });
  return page;
}

/** The text of the first element `selector` finds (through shadow roots), or null when there is none. */
async function text(page: Page, selector: string): Promise<string | null> {
  const found = page.locator(selector);
  return (await found.count()) > 0 ? ((await found.first().textContent())?.trim() ?? null) : null;
}

/** Waits until `selector`'s text is `expected`, and says what it was otherwise. */
async function expectText(page: Page, selector: string, expected: string | null) {
  await expect
    .poll(() => text(page, selector), { timeout: 10_000, message: `${selector} (the page says: ${problemOf(page)})` })
    .toBe(expected);
}
const problemOf = (page: Page) => page.locator('#problem').textContent();

/** The badge's number; no badge is 0. */
const badge = async (page: Page) => (await text(page, 'notification-inbox .badge')) ?? '0';
const expectBadge = (page: Page, expected: string) =>
  expect.poll(() => badge(page), { timeout: 10_000 }).toBe(expected);
const items = (page: Page) => page.locator('notification-inbox .item');

describe('the demo inbox', () => {
  it('should show a new notification live, and have a second tab follow its badge as it is read', async () => {
    const user = await server.newUser();
    const [first, second] = [await openInbox(user.token), await openInbox(user.token)];
    await first.click('notification-inbox .bell');
    await first.waitForSelector('notification-inbox .panel', { state: 'visible' });
    await expectText(first, 'notification-inbox .empty strong', "You're all caught up");
    expect(await badge(second)).toBe('0');

    await createNotification(server.url, {
      userId: user.userId,
      title: 'Transcription <b>ready</b>',
      message: "Your transcription 'Weekly sync' is ready to view",
    });
    await expect.poll(() => items(first).count(), { timeout: 10_000 }).toBe(1);
    expect(await items(first).locator('.title').textContent()).toContain('Transcription <b>ready</b>');
    expect(
      await first.locator('notification-inbox .item .title b').count(),
      'text is shown as text, never as HTML',
    ).toBe(0);
    await expectBadge(first, '1');
    await expectBadge(second, '1');
    await expectText(second, 'notification-inbox .count', '1 unread');

    await mkdir(ARTIFACTS, { recursive: true });
    await first.screenshot({ path: `${ARTIFACTS}demo-inbox.png` });

    // An item's actions show on hover (or keyboard focus).
    await items(first).first().hover();
    await first.locator('notification-inbox .item .mark-read').click();
    await first.waitForSelector('notification-inbox .item:not(.unread)');
    await expectBadge(second, '0');
    await expectText(second, 'notification-inbox .count', '0 unread');
    console.log(`demo inbox: screenshot in ${ARTIFACTS}demo-inbox.png; the second tab's badge followed 0 → 1 → 0`);
  });

  it('should load older pages as the list scrolls, and archive and mark all read in every tab', async () => {
    const user = await server.newUser();
    await createMany(server.url, user.userId, 45, 'older');
    const [first, second] = [await openInbox(user.token), await openInbox(user.token)];
    await expectBadge(second, '45');

    await first.click('notification-inbox .bell');
    await expectBadge(first, '0');
    await expectBadge(second, '0');
    await expect.poll(() => items(first).count()).toBe(20);
    for (let pages = 1; (await items(first).count()) < 45 && pages < 10; pages++) {
      const shown = await items(first).count();
      await first
        .locator('notification-inbox .scroll')
        .evaluate((element) => element.scrollTo(0, element.scrollHeight));
      // The next page has come in when the list grew.
      await expect.poll(() => items(first).count(), { timeout: 15_000 }).toBeGreaterThan(shown);
    }
    expect(await items(first).count()).toBe(45);
    expect(await items(first).last().locator('.title').textContent()).toContain('older 0');

    await second.click('notification-inbox .bell');
    await items(first).first().hover();
    await items(first).first().locator('.archive').click();
    await expect.poll(() => items(second).count(), { timeout: 10_000 }).toBe(19);
    await expectText(second, 'notification-inbox .count', '44 unread');

    await first.click('notification-inbox .mark-all');
    await expectText(second, 'notification-inbox .count', '0 unread');
    await expect.poll(() => second.locator('notification-inbox .item.unread').count()).toBe(0);
    expect(await second.locator('notification-inbox .mark-all').isDisabled(), '"Mark all read" at 0 unread').toBe(true);
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
      await page.click('notification-inbox .bell');
      const message = `Hello from the README ${Date.now()}`;
      const sent = await runNotify(['system.warning', '--user', 'dev-user', '--data', JSON.stringify({ message })], {
        API_URL: started.url,
        DEV_JWT_SECRET_FILE: secretFile,
      });
      expect(sent.code, sent.stderr).toBe(0);
      await page.locator('notification-inbox .item .message', { hasText: message }).waitFor({ timeout: 10_000 });
      expect(Number(await badge(page))).toBeGreaterThan(0);
    } finally {
      expect(await started.stop(), started.output()).toBe(0);
      await rm(dataDir, { recursive: true, force: true });
    }
  });
});
