// useNotifications (@notification-api/react) in Node against a real server, rendered by react-test-renderer (no
// DOM): pages, counts, every action, and changes made elsewhere arriving live.
import type { InboxEvent } from '@notification-api/client';
import { type UseNotificationsResult, useNotifications } from '@notification-api/react';
import { createElement } from 'react';
import { act, create, type ReactTestRenderer } from 'react-test-renderer';
import { afterEach, describe, expect, it } from 'vitest';
import { waitFor } from '../helpers/event-stream.js';
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
    await waitFor(
      async () => inbox.current().ready && inbox.current().status === 'live',
      'the first page and a live stream',
    );
    expect(inbox.current().items.map((item) => item.title)).toEqual(
      Array.from({ length: 10 }, (_, i) => `older ${24 - i}`),
    );
    expect(inbox.current().counts).toEqual({ total: 25, unread: 25, unseen: 25 });
    expect(inbox.current().hasNextPage).toBe(true);

    await inbox.current().loadMore();
    await waitFor(async () => inbox.current().items.length === 20, 'the second page');
    await inbox.current().loadMore();
    await waitFor(async () => inbox.current().items.length === 25, 'every page');
    expect(inbox.current().hasNextPage).toBe(false);
    expect(inbox.current().items.at(-1)?.title).toBe('older 0');

    await createNotification(server.url, { userId: user.userId, title: 'Transcription ready' });
    await waitFor(async () => inbox.current().items[0]?.title === 'Transcription ready', 'the new one');
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
    await waitFor(async () => mine.current().status === 'live' && elsewhere.current().status === 'live', 'both live');

    await mine.current().markAllSeen();
    await waitFor(async () => mine.current().counts.unseen === 0, 'seen here');
    await waitFor(async () => elsewhere.current().counts.unseen === 0, 'seen elsewhere');

    const [newest, middle] = mine.current().items;
    await mine.current().markRead(newest!.id);
    await waitFor(async () => mine.current().items[0]?.readAt != null, 'read here');
    await waitFor(async () => elsewhere.current().counts.unread === 2, 'read elsewhere');
    await mine.current().markUnread(newest!.id);
    await waitFor(async () => elsewhere.current().items[0]?.readAt === null, 'unread elsewhere');
    await waitFor(async () => mine.current().counts.unread === 3, 'unread here');

    await mine.current().archive(middle!.id);
    await waitFor(async () => !mine.current().items.some((item) => item.id === middle!.id), 'archived here');
    await waitFor(async () => elsewhere.current().items.length === 2, 'archived elsewhere');

    await createNotification(server.url, { userId: user.userId, title: 'After the list was shown' });
    await waitFor(
      async () => mine.current().items.length === 3 && elsewhere.current().items.length === 3,
      'the arrival',
    );
    await elsewhere.current().markAllRead();
    await waitFor(async () => mine.current().counts.unread === 0, 'all read in both');
    expect(mine.current().items.every((item) => item.readAt !== null)).toBe(true);
    expect(mine.current().error).toBeUndefined();
  });

  it('should keep a refusal in `error`, typed by its code', async () => {
    const inbox = await mount({ url: server.url, token: 'not-a-token' });
    await waitFor(async () => inbox.current().error !== undefined, 'the refusal');
    expect(inbox.current().error?.code).toBe('UNAUTHENTICATED');
    expect(inbox.current().ready).toBe(false);
  });
});
