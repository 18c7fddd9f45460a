// <notification-preferences> on the demo page, in headless Chromium: quiet hours (from, to, channels, time zone
// defaulting to the browser's) and an email digest per category set through the panel, with the keyboard where a
// person would, then read back through the API; audited by axe-core and photographed into test/artifacts/.
import { mkdir, readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { type Browser, type BrowserContext, chromium, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectData } from '../helpers/graphql.js';
import { useTestServer } from '../helpers/server.js';

const ARTIFACTS = fileURLToPath(new URL('../artifacts/', import.meta.url));
const AXE = createRequire(import.meta.url).resolve('axe-core/axe.min.js');
// A zone other than the machine's and UTC, so that a default taken from anywhere else would show.
const BROWSER_ZONE = 'America/Toronto';

const server = useTestServer({ env: { DEMO: 'true' } });
let browser: Browser;
let context: BrowserContext;

beforeAll(async () => {
  browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: ['--no-sandbox'] });
  // bypassCSP: axe is injected as a script of the test's (see notification-inbox.test.ts).
  context = await browser.newContext({ bypassCSP: true, locale: 'en-US', timezoneId: BROWSER_ZONE });
  await mkdir(ARTIFACTS, { recursive: true });
});
afterAll(() => browser?.close());

async function open(token: string, viewport = { width: 1280, height: 900 }): Promise<Page> {
  const page = await context.newPage();
  await page.setViewportSize(viewport);
  const problems: string[] = [];
  page.on('pageerror', (error) => problems.push(error.message));
  await page.goto(`${server.url}/demo#token=${token}`);
  await page
    .locator('notification-preferences tr[data-category="system"]')
    .waitFor({ timeout: 10_000 })
    .catch((error: Error) => {
      throw new Error(`${error.message}; page errors: ${problems.join('; ')}`);
    });
  return page;
}

async function seriousViolations(page: Page): Promise<string[]> {
  if (!(await page.evaluate(() => 'axe' in window))) await page.addScriptTag({ content: await readFile(AXE, 'utf8') });
  const violations = await page.evaluate(async () => {
    const axe = (window as unknown as { axe: { run(): Promise<{ violations: unknown[] }> } }).axe;
    return (await axe.run()).violations as Array<{ id: string; impact: string; nodes: Array<{ target: unknown }> }>;
  });
  console.log(
    `axe (preferences): ${violations.length} violations` +
      violations.map((v) => `\n  ${v.impact} ${v.id}: ${JSON.stringify(v.nodes.map((n) => n.target))}`).join(''),
  );
  return violations.filter((v) => ['serious', 'critical'].includes(v.impact)).map((v) => `${v.impact} ${v.id}`);
}

const READ_BACK = `query {
  notificationPreferences {
    quietHours { start end channels }
    timeZone
    categories { category emailPolicy { delaySeconds digestSeconds } }
  }
}`;

interface ReadBack {
  notificationPreferences: {
    quietHours: { start: string; end: string; channels: string[] } | null;
    timeZone: string | null;
    categories: Array<{ category: string; emailPolicy: { delaySeconds: number; digestSeconds: number } }>;
  };
}

describe('<notification-preferences>', () => {
  it('should set quiet hours and an email digest through the panel, as the API then reads them', async () => {
    const user = await server.newUser();
    const page = await open(user.token);
    const panel = page.locator('notification-preferences');
    const status = panel.locator('.message');

    // Off at first; the time zone is the browser's until the user picks one.
    const on = panel.getByRole('switch', { name: 'Hold email and push during quiet hours' });
    expect(await on.isChecked()).toBe(false);
    const zone = panel.getByRole('combobox', { name: 'Time zone' });
    expect(await zone.inputValue()).toBe(BROWSER_ZONE);
    expect(await panel.getByLabel('From', { exact: true }).isDisabled()).toBe(true);

    // With the keyboard: Space turns them on, then the times are typed, the zone picked, push left out.
    await on.focus();
    await page.keyboard.press('Space');
    expect(await on.isChecked()).toBe(true);
    await panel.getByLabel('From', { exact: true }).fill('22:30');
    await panel.getByLabel('To', { exact: true }).fill('07:00');
    await zone.selectOption('Europe/Paris');
    await panel.getByRole('checkbox', { name: 'Push', exact: true }).uncheck();

    // Meanwhile, an email digest for one category, saved as it is chosen: the quiet hours being edited stay.
    const digest = panel.getByRole('combobox', { name: 'Email digest: System' });
    expect(await digest.inputValue()).toBe('0');
    await digest.selectOption({ label: 'Every 15 minutes' });
    await expect.poll(() => status.textContent()).toBe('Saved');
    expect(await panel.getByLabel('From', { exact: true }).inputValue()).toBe('22:30');

    await panel.getByRole('button', { name: 'Save quiet hours' }).focus();
    await page.keyboard.press('Enter');
    await expect
      .poll(async () => expectData(await user.execute<ReadBack, object>(READ_BACK)).notificationPreferences.quietHours)
      .not.toBeNull();
    await expect.poll(() => status.textContent()).toBe('Saved');

    const { notificationPreferences: saved } = expectData(await user.execute<ReadBack, object>(READ_BACK));
    expect(saved.quietHours).toEqual({ start: '22:30', end: '07:00', channels: ['EMAIL'] });
    expect(saved.timeZone).toBe('Europe/Paris');
    expect(saved.categories.find((row) => row.category === 'system')?.emailPolicy).toEqual({
      delaySeconds: 0,
      digestSeconds: 900,
    });
    expect(
      saved.categories.filter((row) => row.emailPolicy.digestSeconds > 0).map((row) => row.category),
      'only the category chosen',
    ).toEqual(['system']);

    // Shown as saved after a reload.
    await page.reload();
    await panel.locator('tr[data-category="system"]').waitFor();
    expect(await on.isChecked()).toBe(true);
    expect(await panel.getByLabel('From', { exact: true }).inputValue()).toBe('22:30');
    expect(await zone.inputValue()).toBe('Europe/Paris');
    expect(await panel.getByRole('checkbox', { name: 'Email', exact: true }).isChecked()).toBe(true);
    expect(await panel.getByRole('checkbox', { name: 'Push', exact: true }).isChecked()).toBe(false);
    expect(await digest.inputValue()).toBe('900');

    expect(await seriousViolations(page)).toEqual([]);
    await page.screenshot({ path: `${ARTIFACTS}preferences.png`, fullPage: true });

    // Turned off again: none.
    await on.uncheck();
    await panel.getByRole('button', { name: 'Save quiet hours' }).click();
    await expect.poll(async () => (await status.textContent()) === 'Saved' && (await on.isChecked())).toBe(false);
    await expect
      .poll(async () => expectData(await user.execute<ReadBack, object>(READ_BACK)).notificationPreferences.quietHours)
      .toBeNull();
    await page.close();

    const phone = await open(user.token, { width: 390, height: 844 });
    await phone.screenshot({ path: `${ARTIFACTS}preferences-phone.png`, fullPage: true });
    await phone.close();
    console.log(`screenshots: ${ARTIFACTS}preferences{,-phone}.png`);
  });
});
