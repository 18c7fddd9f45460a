// useNotifications (@notification-api/react) in Node against a real server, rendered by react-test-renderer (no
// DOM): pages, counts, every action, and changes made elsewhere arriving live.
import type { InboxEvent } from '@notification-api/client';
import { type UseNotificationsResult, useNotifications } from '@notification-api/react';
import { createElement } from 'react';
import { act, create, type ReactTestRenderer } from 'react-test-renderer';
import { afterEach, describe, expect, it } from 'vitest';
import { createMany, createNotification } from '../helpers/notifications.js';
import { useTestServer } from '../helpers/server.js';

const server = useTestServer();
// act() renders the first time; the store's changes after it render as they come (a few milliseconds later), as
// in a browser, so the tests wait for what they expect.
const actEnvironment = (on: boolean) => Object.assign(globalThis, { IS_REACT_ACT_ENVIRONMENT: on });
const renderers: ReactTestRenderer[] = [];
afterEach(() => {
  for (const renderer of renderers.splice(0)) renderer.unmount();
});

/** Mounts a component that calls the hook; `current()` is what it returned on its last render. */
async function mount(options: Parameters<typeof useNotifications>[0]) {
  let result: UseNotificationsResult | undefined;
  const events: InboxEvent[] = [];
  function Inbox() {
    result = useNotifications({ ...options, onEvent: (event) => events.push(event) });
    return null;
  }
  actEnvironment(true);
  await act(async () => {
    renderers.push(create(createElement(Inbox)));
  });
  actEnvironment(false);
  const current = () => {
    if (!result) throw new Error('not rendered yet');
    return result;
  };
  return { current, events };
}

async function until(what: string, condition: () => boolean, timeoutMs = 10_000) {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

describe('useNotifications', () => {
  it('should page through the inbox, and follow a new notification live with its counts', async () => {
    const user = await server.newUser();
    await createMany(server.url, user.userId, 25, 'older');
    let asked = 0;
    const inbox = await mount({
      url: server.url,
      pageSize: 10,
      token: () => {
        asked++;
        return user.token;
      },
    });
    await until('the first page and a live stream', () => inbox.current().ready && inbox.current().status === 'live');
    expect(inbox.current().items.map((item) => item.title)).toEqual(
      Array.from({ length: 10 }, (_, i) => `older ${24 - i}`),
    );
    expect(inbox.current().counts).toEqual({ total: 25, unread: 25, unseen: 25 });
    expect(inbox.current().hasNextPage).toBe(true);

    await inbox.current().loadMore();
    await until('the second page', () => inbox.current().items.length === 20);
    await inbox.current().loadMore();
    await until('every page', () => inbox.current().items.length === 25);
    expect(inbox.current().hasNextPage).toBe(false);
    expect(inbox.current().items.at(-1)?.title).toBe('older 0');

    await createNotification(server.url, { userId: user.userId, title: 'Transcription ready' });
    await until('the new one', () => inbox.current().items[0]?.title === 'Transcription ready');
    expect(inbox.current().counts).toEqual({ total: 26, unread: 26, unseen: 26 });
    expect(inbox.events.map((event) => event.kind)).toEqual(['ADDED']);
    expect(asked, 'the token function is asked for each request').toBeGreaterThan(3);
  });

  it('should mark seen, read, unread, archive and mark all read, and show each in another mounted inbox', async () => {
    const user = await server.newUser();
    await createMany(server.url, user.userId, 3);
    const [mine, elsewhere] = [
      await mount({ url: server.url, token: user.token }),
      await mount({ url: server.url, token: user.token }),
    ];
    await until('both live', () => mine.current().status === 'live' && elsewhere.current().status === 'live');

    await mine.current().markAllSeen();
    await until('seen here', () => mine.current().counts.unseen === 0);
    await until('seen elsewhere', () => elsewhere.current().counts.unseen === 0);

    const [newest, middle] = mine.current().items;
    await mine.current().markRead(newest!.id);
    await until('read here', () => mine.current().items[0]?.readAt != null);
    await until('read elsewhere', () => elsewhere.current().counts.unread === 2);
    await mine.current().markUnread(newest!.id);
    await until('unread elsewhere', () => elsewhere.current().items[0]?.readAt === null);
    await until('unread here', () => mine.current().counts.unread === 3);

    await mine.current().archive(middle!.id);
    await until('archived here', () => !mine.current().items.some((item) => item.id === middle!.id));
    await until('archived elsewhere', () => elsewhere.current().items.length === 2);

    await createNotification(server.url, { userId: user.userId, title: 'After the list was shown' });
    await until('the arrival', () => mine.current().items.length === 3 && elsewhere.current().items.length === 3);
    await elsewhere.current().markAllRead();
    await until('all read in both', () => mine.current().counts.unread === 0);
    expect(mine.current().items.every((item) => item.readAt !== null)).toBe(true);
    expect(mine.current().error).toBeUndefined();
  });

  it('should keep a refusal in `error`, typed by its code', async () => {
    const inbox = await mount({ url: server.url, token: 'not-a-token' });
    await until('the refusal', () => inbox.current().error !== undefined);
    expect(inbox.current().error?.code).toBe('UNAUTHENTICATED');
    expect(inbox.current().ready).toBe(false);
  });
});
