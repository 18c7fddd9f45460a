// useNotifications: the caller's inbox in a React component, for a team that draws its own: the loaded pages,
// the counts, the actions, and every change live (other tabs' and devices' too), through the client's inbox
// store (the one <notification-inbox> shows), read with useSyncExternalStore.
import {
  createInboxStore,
  createNotificationClient,
  type InboxEvent,
  type InboxState,
  type InboxStore,
  type NotificationClient,
} from '@notification-api/client';
import { useEffect, useMemo, useRef, useSyncExternalStore } from 'react';

export interface UseNotificationsOptions {
  /** The API's origin; '' for the page's own. Ignored with `client`. */
  url?: string;
  /** The token, or a function asked for a fresh one before each request and reconnection. */
  token?: string | (() => string | Promise<string>);
  /** Send trusted documents' hashes (PERSISTED_OPERATIONS=only). */
  persisted?: boolean;
  /** A client of your own, instead of `url` and `token`. */
  client?: NotificationClient;
  /** @default 20 */
  pageSize?: number;
  /** Each change as it arrives: `event.kind === 'ADDED'` is a new notification (a toast, a sound). */
  onEvent?(event: InboxEvent): void;
}

export interface UseNotificationsResult extends InboxState {
  /** Loads the next page, when `hasNextPage`. */
  loadMore: InboxStore['loadMore'];
  markRead: InboxStore['markRead'];
  markUnread: InboxStore['markUnread'];
  archive: InboxStore['archive'];
  /** Read up to the newest loaded: one arriving meanwhile stays unread. */
  markAllRead: InboxStore['markAllRead'];
  /** Seen up to the newest loaded (call it when the list is shown): the badge (`counts.unseen`) goes to 0. */
  markAllSeen: InboxStore['markAllSeen'];
}

/** The caller's inbox, live: loads the first page and follows every change while the component is mounted. */
export function useNotifications({
  url = '',
  token,
  persisted = false,
  client,
  pageSize = 20,
  onEvent,
}: UseNotificationsOptions): UseNotificationsResult {
  // The latest token and callback, read when needed: a new function on each render changes nothing.
  const latest = useRef({ token, onEvent });
  latest.current = { token, onEvent };
  const store = useMemo(() => {
    const source =
      client ??
      createNotificationClient({
        url,
        persisted,
        token: () => {
          const current = latest.current.token;
          return typeof current === 'function' ? current() : (current ?? '');
        },
      });
    return createInboxStore(source, { pageSize, onEvent: (event) => latest.current.onEvent?.(event) });
  }, [client, url, persisted, pageSize]);

  useEffect(() => {
    store.start().catch(() => {
      // Kept in state.error.
    });
    return () => store.stop();
  }, [store]);

  const state = useSyncExternalStore(store.subscribe, store.getState, store.getState);
  return useMemo(
    () => ({
      ...state,
      loadMore: store.loadMore,
      markRead: store.markRead,
      markUnread: store.markUnread,
      archive: store.archive,
      markAllRead: store.markAllRead,
      markAllSeen: store.markAllSeen,
    }),
    [state, store],
  );
}
