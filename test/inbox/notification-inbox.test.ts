// <notification-inbox> on the demo page, in headless Chromium (Debian's /usr/bin/chromium through
// playwright-core): used with the keyboard alone, audited by axe-core (no serious or critical violation), and
// photographed into test/artifacts/ for a person to look at (the panel, the empty state, a phone, a theme).
import { mkdir, readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { type Browser, type BrowserContext, chromium, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { createNotification } from '../helpers/notifications.js';
import { useTestServer } from '../helpers/server.js';

const ARTIFACTS = fileURLToPath(new URL('../artifacts/', import.meta.url));
const AXE = createRequire(import.meta.url).resolve('axe-core/axe.min.js');

const server = useTestServer({ env: { DEMO: 'true' } });
let browser: Browser;
// axe is injected as a script of the test's: the page's Content-Security-Policy (script-src 'self') would refuse
// it, so this context bypasses the policy. Nothing of the page's own depends on that.
let context: BrowserContext;

beforeAll(async () => {
  browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: ['--no-sandbox'] });
  context = await browser.newContext({ bypassCSP: true, locale: 'en-US' });
  await mkdir(ARTIFACTS, { recursive: true });
});
afterAll(() => browser?.close());

/** An inbox a person would recognise: a few kinds, ages, one read, one urgent and one of high priority. */
async function seed(userId: string) {
  const made: Array<[title: string, ago: string, input: Record<string, unknown>]> = [
    [
      'Welcome to Acme Meetings',
      '3 days',
      { type: 'INFO', message: 'Invite your team and record your first session.' },
    ],
    [
      'Storage almost full',
      '26 hours',
      {
        type: 'WARNING',
        category: 'system',
        message: 'Your workspace uses 46 GB of its 50 GB. Archive old recordings.',
        priority: 'HIGH',
      },
    ],
    [
      'Recording failed: Design critique',
      '3 hours',
      {
        type: 'ERROR',
        message: 'The upload stopped at 38 minutes. Retry from the desktop app to keep the recording.',
        priority: 'URGENT',
      },
    ],
    [
      'Maya commented on Weekly sync',
      '25 minutes',
      { type: 'INFO', message: '"Can we move the launch review to Thursday?"' },
    ],
    [
      'Transcript ready: Weekly sync',
      '2 minutes',
      {
        type: 'SUCCESS',
        category: 'transcription',
        message: '30 minutes, 42 segments, 6 speakers. Ready to view and share.',
      },
    ],
  ];
  for (const [title, , input] of made) await createNotification(server.url, { userId, title, ...input });
  // Their ages, as if they had come over days (creation time is the server's; only a test may move it).
  const db = new pg.Client({ connectionString: inject('databaseUrl') });
  await db.connect();
  try {
    for (const [title, ago] of made) {
      await db.query(`UPDATE notifications SET created_at = now() - $3::interval WHERE user_id = $1 AND title = $2`, [
        userId,
        title,
        ago,
      ]);
    }
    await db.query(`UPDATE notifications SET read_at = now(), status = 'READ' WHERE user_id = $1 AND title = $2`, [
      userId,
      'Welcome to Acme Meetings',
    ]);
  } finally {
    await db.end();
  }
}

async function open(token: string, viewport = { width: 1280, height: 800 }): Promise<Page> {
  const page = await context.newPage();
  await page.setViewportSize(viewport);
  const problems: string[] = [];
  page.on('pageerror', (error) => problems.push(error.message));
  await page.goto(`${server.url}/demo#token=${token}`);
  await page.waitForSelector('notification-inbox[status="live"]', { timeout: 10_000 }).catch((error: Error) => {
    throw new Error(`${error.message}; page errors: ${problems.join('; ')}`);
  });
  return page;
}

/** What has the focus, through shadow roots: its class (or tag) and accessible text, e.g. "bell". */
const focused = (page: Page) =>
  page.evaluate(() => {
    let element = document.activeElement;
    while (element?.shadowRoot?.activeElement) element = element.shadowRoot.activeElement;
    if (!element) return 'nothing';
    const title = element.querySelector('.title')?.textContent?.replace(/^.*?: /, '');
    return [element.className || element.tagName.toLowerCase(), title].filter(Boolean).join(' ');
  });

const items = (page: Page) => page.locator('notification-inbox .item');
const panelShown = (page: Page) => page.locator('notification-inbox .panel').isVisible();

describe('<notification-inbox>', () => {
  it('should be usable with the keyboard alone: Tab, Enter, arrows, Esc', async () => {
    const user = await server.newUser();
    await seed(user.userId);
    const page = await open(user.token);

    for (let presses = 0; presses < 10 && (await focused(page)) !== 'bell'; presses++) await page.keyboard.press('Tab');
    expect(await focused(page)).toBe('bell');
    expect(await page.locator('notification-inbox .bell').getAttribute('aria-label')).toBe('Notifications, 5 new');

    await page.keyboard.press('Enter');
    expect(await panelShown(page)).toBe(true);
    await expect.poll(() => focused(page)).toBe('item SUCCESS unread Transcript ready: Weekly sync');
    await expect.poll(() => page.locator('notification-inbox .badge').count(), { timeout: 10_000 }).toBe(0);

    await page.keyboard.press('ArrowDown');
    expect(await focused(page)).toBe('item INFO unread Maya commented on Weekly sync');
    await page.keyboard.press('ArrowDown');
    expect(await focused(page)).toBe('item ERROR unread urgent Recording failed: Design critique');
    await page.keyboard.press('End');
    expect(await focused(page)).toBe('item INFO Welcome to Acme Meetings');
    await page.keyboard.press('ArrowUp');
    await page.keyboard.press('ArrowUp');
    await page.keyboard.press('Home');
    expect(await focused(page)).toBe('item SUCCESS unread Transcript ready: Weekly sync');

    // Enter on a notification reads it; Tab reaches its buttons.
    await page.keyboard.press('Enter');
    await expect.poll(() => page.locator('notification-inbox .count').textContent()).toBe('3 unread');
    await page.keyboard.press('Tab');
    expect(await focused(page)).toBe('action mark-unread');
    await page.keyboard.press('Enter');
    await expect.poll(() => page.locator('notification-inbox .count').textContent()).toBe('4 unread');
    await page.keyboard.press('Tab');
    expect(await focused(page)).toBe('action archive');
    await page.keyboard.press('Enter');
    await expect.poll(() => items(page).count()).toBe(4);
    expect(await items(page).first().locator('.title').textContent()).toContain('Maya commented');

    // Shift+Tab back to "Mark all read", which is disabled once nothing is unread; focus stays in the panel.
    await page.keyboard.press('Home');
    await page.keyboard.press('Shift+Tab');
    expect(await focused(page)).toBe('mark-all');
    await page.keyboard.press('Enter');
    await expect.poll(() => page.locator('notification-inbox .mark-all').isDisabled()).toBe(true);
    expect(await focused(page)).toMatch(/^item /);

    await page.keyboard.press('Escape');
    expect(await panelShown(page)).toBe(false);
    expect(await focused(page), 'Esc returns the focus to the bell').toBe('bell');

    // A click outside closes it too.
    await page.keyboard.press('Enter');
    expect(await panelShown(page)).toBe(true);
    await page.mouse.click(200, 600);
    expect(await panelShown(page)).toBe(false);
    await page.close();
  });

  it('should pass an axe-core audit with no serious or critical violation, open and closed, and look finished', async () => {
    const user = await server.newUser();
    await seed(user.userId);
    const page = await open(user.token);
    await page.addScriptTag({ content: await readFile(AXE, 'utf8') });
    const audit = async (state: string) => {
      const violations = await page.evaluate(async () => {
        const axe = (window as unknown as { axe: { run(): Promise<{ violations: unknown[] }> } }).axe;
        return (await axe.run()).violations as Array<{ id: string; impact: string; nodes: Array<{ target: unknown }> }>;
      });
      const grave = violations.filter((violation) => ['serious', 'critical'].includes(violation.impact));
      console.log(
        `axe (${state}): ${violations.length} violations, ${grave.length} serious or critical` +
          violations.map((v) => `\n  ${v.impact} ${v.id}: ${JSON.stringify(v.nodes.map((n) => n.target))}`).join(''),
      );
      return grave.map((violation) => `${violation.impact} ${violation.id}`);
    };
    expect(await audit('closed')).toEqual([]);
    await page.locator('notification-preferences table').waitFor();
    await page.screenshot({ path: `${ARTIFACTS}inbox-page.png` });
    await page.locator('notification-inbox .bell').click();
    await expect.poll(() => items(page).count()).toBe(5);
    await expect.poll(() => page.locator('notification-inbox .badge').count()).toBe(0);
    await page.screenshot({ path: `${ARTIFACTS}inbox-panel.png` });
    expect(await page.locator('notification-inbox time').first().textContent()).toBe('2 minutes ago');
    expect(await page.locator('notification-inbox time').last().textContent()).toBe('3 days ago');
    expect(await audit('open')).toEqual([]);

    // Notification.priority: URGENT and HIGH carry a mark, said first in the item's name for screen readers.
    const urgent = page.getByRole('article', { name: 'Unread, Urgent, Error: Recording failed: Design critique' });
    await expect.poll(() => urgent.locator('.priority').textContent()).toBe('Urgent');
    expect(await urgent.locator('.priority').isVisible()).toBe(true);
    const high = page.getByRole('article', { name: 'Unread, High priority, Warning: Storage almost full' });
    expect(await high.locator('.priority').textContent()).toBe('High priority');
    expect(await page.locator('notification-inbox .item .priority').count(), 'LOW and NORMAL carry none').toBe(2);

    // Hovering an item shows its actions.
    await items(page).nth(1).hover();
    await page.locator('notification-inbox .panel').screenshot({ path: `${ARTIFACTS}inbox-panel-hover.png` });

    // Themed by a page: custom properties only.
    await page.addStyleTag({
      content: `notification-inbox { --notification-inbox-accent: #0f766e; --notification-inbox-background: #111827;
        --notification-inbox-color: #f9fafb; --notification-inbox-muted-color: #cbd5e1;
        --notification-inbox-border-color: #374151; --notification-inbox-hover-background: #1f2937;
        --notification-inbox-unread-background: #172033; --notification-inbox-badge-ring: #111827;
        --notification-inbox-priority-color: #fca5a5; }`,
    });
    await page.locator('notification-inbox .panel').screenshot({ path: `${ARTIFACTS}inbox-themed.png` });
    await page.close();

    const nobody = await server.newUser();
    const empty = await open(nobody.token);
    await empty.locator('notification-inbox .bell').click();
    await empty.locator('notification-inbox .empty').waitFor();
    expect(await empty.locator('notification-inbox .mark-all').isDisabled()).toBe(true);
    await empty.screenshot({ path: `${ARTIFACTS}inbox-empty.png` });
    await empty.close();

    const phone = await open(user.token, { width: 390, height: 844 });
    await phone.locator('notification-inbox .bell').click();
    await expect.poll(() => items(phone).count()).toBe(5);
    await phone.screenshot({ path: `${ARTIFACTS}inbox-phone.png` });
    await phone.close();
    console.log(`screenshots: ${ARTIFACTS}inbox-{page,panel,panel-hover,themed,empty,phone}.png`);
  });

  it('should announce an arrival in its live region, in the language and locale given, and save a preference', async () => {
    const user = await server.newUser();
    const page = await open(user.token);
    // Translated: its strings replaced, and times in the page's locale.
    await page.evaluate(() => {
      document.documentElement.lang = 'fr';
      Object.assign(document.querySelector('notification-inbox')!, {
        strings: {
          arrived: (title: string) => `Nouvelle notification : ${title}`,
          unread: (n: number) => `${n} non lue(s)`,
        },
      });
    });
    await createNotification(server.url, { userId: user.userId, title: 'Transcription prête : Conseil' });
    await expect
      .poll(() => page.locator('notification-inbox [role="status"]').textContent(), { timeout: 10_000 })
      .toBe('Nouvelle notification : Transcription prête : Conseil');
    expect(await page.locator('notification-inbox time').textContent()).toBe('maintenant');
    expect(await page.locator('notification-inbox .count').textContent()).toBe('1 non lue(s)');

    const email = page.locator('notification-preferences tr[data-category="system"] input[data-channel="email"]');
    await email.waitFor();
    const before = await email.isChecked();
    await email.click({ force: true });
    await expect.poll(() => page.locator('notification-preferences .message').textContent()).toBe('Saved');
    await page.reload();
    await page.locator('notification-preferences tr[data-category="system"]').waitFor();
    expect(await email.isChecked()).toBe(!before);
    await page.close();
  });
});
