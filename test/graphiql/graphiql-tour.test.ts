// The README's first tour, in headless Chromium (Debian's /usr/bin/chromium through playwright-core): a
// newcomer starts the server in development, opens GraphiQL in two browser tabs, runs the live subscription
// in one and creates a notification in the other, and the first shows it. Nothing is fetched from elsewhere.
import { mkdir, mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { type Browser, chromium, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signToken } from '../../src/sign-token.js';
import { startServerProcess } from '../helpers/process.js';
import { testServerEnvironment } from '../helpers/server.js';

const ARTIFACTS = fileURLToPath(new URL('../artifacts/', import.meta.url));
let browser: Browser;

beforeAll(async () => {
  browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: ['--no-sandbox'] });
});
afterAll(() => browser?.close());

async function openStreams(url: string): Promise<number> {
  const metrics = await (await fetch(`${url}/metrics`)).text();
  return Number(/^notifications_open_streams (\d+)$/m.exec(metrics)?.[1] ?? 0);
}

async function runTab(page: Page, name: string) {
  // A DOM click: the tabs are draggable, and a pointer's press-and-release can read as the start of a drag.
  await page.locator(`.graphiql-tab-button[title="${name}"]`).dispatchEvent('click');
  // GraphiQL swaps the editor's document in after the click: running before it has would run the tab before.
  await expect.poll(() => page.locator('.graphiql-query-editor').textContent(), { timeout: 15_000 }).toContain(name);
  await page.locator('.graphiql-execute-button').click();
}

describe('GraphiQL, as the README tours it', () => {
  it('should show a notification created in one browser tab live in the subscription of another, all offline', async () => {
    const dataDir = await mkdtemp(path.join(tmpdir(), 'notifications-graphiql-'));
    const server = await startServerProcess(
      testServerEnvironment({
        env: { NODE_ENV: 'development', JWT_SECRET: undefined, DEV_JWT_SECRET_FILE: path.join(dataDir, 'secret') },
      }),
    );
    const context = await browser.newContext({ viewport: { width: 1400, height: 900 } });
    const elsewhere: string[] = [];
    const problems: string[] = [];
    context.on('request', (request) => {
      if (!/^(data|blob):/.test(request.url()) && !request.url().startsWith(server.url)) elsewhere.push(request.url());
    });
    const open = async () => {
      const page = await context.newPage();
      page.on('pageerror', (error) => problems.push(error.message));
      await page.goto(`${server.url}/graphql`);
      await expect
        .poll(() => page.locator('.graphiql-tab-button').allTextContents(), { timeout: 15_000 })
        .toEqual(['LiveEvents', 'CreateOne', 'Inbox', 'MarkRead']);
      return page;
    };
    try {
      const watching = await open();
      await runTab(watching, 'LiveEvents');
      await expect.poll(() => openStreams(server.url), { timeout: 10_000 }).toBe(1);

      const creating = await open();
      await runTab(creating, 'CreateOne');
      await expect.poll(() => creating.locator('.graphiql-response').textContent()).toContain('"createNotification"');

      // The result editor wraps long lines, breaking words: compare without the whitespace.
      const live = async () => (await watching.locator('.graphiql-response').textContent())?.replace(/\s+/g, '');
      await expect.poll(live, { timeout: 10_000 }).toContain('"kind":"ADDED"');
      expect(await live()).toContain('"title":"Transcriptionready"');
      await mkdir(ARTIFACTS, { recursive: true });
      await watching.screenshot({ path: path.join(ARTIFACTS, 'graphiql-tour.png') });
      console.log(
        `graphiql tour: live event shown; requests elsewhere: ${elsewhere.length}; page errors: ${problems.length}`,
      );
      expect(elsewhere).toEqual([]);
      expect(problems).toEqual([]);
    } finally {
      await context.close();
      expect(await server.stop(), server.output()).toBe(0);
      await rm(dataDir, { recursive: true, force: true });
    }
  });

  it('should reopen after a reload and in a second browser tab with the kept tabs and no <untitled> one, their day-old token replaced', async () => {
    const dataDir = await mkdtemp(path.join(tmpdir(), 'notifications-graphiql-'));
    const secretFile = path.join(dataDir, 'secret');
    const server = await startServerProcess(
      testServerEnvironment({
        env: { NODE_ENV: 'development', JWT_SECRET: undefined, DEV_JWT_SECRET_FILE: secretFile },
      }),
    );
    const context = await browser.newContext({ viewport: { width: 1400, height: 900 } });
    const tabs = (page: Page) => page.locator('.graphiql-tab-button').allTextContents();
    const TOUR = ['LiveEvents', 'CreateOne', 'Inbox', 'MarkRead'];
    try {
      const page = await context.newPage();
      await page.goto(`${server.url}/graphql`);
      await expect.poll(() => tabs(page), { timeout: 15_000 }).toEqual(TOUR);
      await runTab(page, 'Inbox');
      await expect.poll(() => page.locator('.graphiql-response').textContent()).toContain('"counts"');

      // A day later: the kept tabs carry a dev token that expired an hour ago.
      const expired = await signToken((await readFile(secretFile, 'utf8')).trim(), {
        sub: 'dev-user',
        roles: ['service'],
        ttl: -3600,
      });
      await expect
        .poll(() => page.evaluate(() => localStorage.getItem('graphiql:tabState')?.includes('Bearer ')))
        .toBe(true);
      await page.evaluate((token) => {
        const kept = localStorage.getItem('graphiql:tabState')!;
        localStorage.setItem('graphiql:tabState', kept.replace(/Bearer [\w-]+\.[\w-]+\.[\w-]+/g, `Bearer ${token}`));
      }, expired);

      await page.goto(`${server.url}/graphql`);
      await expect.poll(() => tabs(page), { timeout: 15_000 }).toEqual(TOUR);
      expect(await page.locator('.graphiql-tab-active').textContent()).toContain('LiveEvents');
      await runTab(page, 'Inbox');
      await expect.poll(() => page.locator('.graphiql-response').textContent()).toContain('"counts"');
      expect(await page.locator('.graphiql-response').textContent()).not.toContain('UNAUTHENTICATED');

      const second = await context.newPage();
      await second.goto(`${server.url}/graphql`);
      await expect.poll(() => tabs(second), { timeout: 15_000 }).toEqual(TOUR);
      await page.reload();
      await expect.poll(() => tabs(page), { timeout: 15_000 }).toEqual(TOUR);
      console.log('graphiql: a reload and a second browser tab open with the 4 tour tabs, none <untitled>');
    } finally {
      await context.close();
      expect(await server.stop(), server.output()).toBe(0);
      await rm(dataDir, { recursive: true, force: true });
    }
  });
});
