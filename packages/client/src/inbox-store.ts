// An inbox's state, kept right by the event stream: the loaded pages (newest first), the counts, whether more
// pages wait, the stream's status; and the actions a user takes. Framework-free: <notification-inbox> renders
// it, the React hook `useNotifications` reads it through useSyncExternalStore, a Vue or Svelte store can wrap it.
// Every state is a new object, so that `state !== previous` says that something changed.
import type { NotificationClient } from './client.js';
import { GraphQLRequestError } from './errors.js';
import type { EventStream, InboxEvent, StreamStatus } from './events.js';
import {
  InboxArchiveDocument,
  type InboxCountsFieldsFragment,
  InboxDocument,
  type InboxItemFragment,
  InboxMarkAllReadDocument,
  InboxMarkAllSeenDocument,
  InboxMarkReadDocument,
  InboxMarkSeenDocument,
  InboxMarkUnreadDocument,
  InboxPositionDocument,
} from './generated/graphql.js';

export interface InboxState {
  /** The notifications loaded so far, newest first. */
  readonly items: readonly InboxItemFragment[];
  /** `unseen` is the badge; `unread` what "Mark all read" would change. */
  readonly counts: InboxCountsFieldsFragment;
  readonly hasNextPage: boolean;
  /** A page is on its way. */
  readonly loading: boolean;
  /** The first page has come. */
  readonly ready: boolean;
  readonly status: StreamStatus;
  /** The last failure (a request refused, the stream stopped), until the next success. */
  readonly error: GraphQLRequestError | undefined;
}

export interface InboxStoreOptions {
  /** @default 20 */
  pageSize?: number;
  /** Each change as it arrives (after the state has taken it): an ADDED one is a new notification. */
  onEvent?(event: InboxEvent): void;
  /** The stream's wait before reconnecting (EventsOptions.retryDelayMs). */
  retryDelayMs?(attempt: number): number;
}

export interface InboxStore {
  getState(): InboxState;
  /** Calls `listener` after every change; returns the unsubscribe function. */
  subscribe(listener: (state: InboxState) => void): () => void;
  /** Loads the first page, then follows the stream from where that page stood. Idempotent. */
  start(): Promise<void>;
  /** Closes the stream. */
  stop(): void;
  /** Loads the next page, if one waits and none is on its way. */
  loadMore(): Promise<void>;
  markRead(id: string): Promise<void>;
  markUnread(id: string): Promise<void>;
  archive(id: string): Promise<void>;
  /** Everything up to the newest notification loaded is read: one arriving meanwhile stays unread. */
  markAllRead(): Promise<void>;
  /** Everything up to the newest notification loaded is seen (the panel was opened): the badge goes to 0. */
  markAllSeen(): Promise<void>;
}

const EMPTY_COUNTS: InboxCountsFieldsFragment = { total: 0, unread: 0, unseen: 0 };

export function createInboxStore(client: NotificationClient, options: InboxStoreOptions = {}): InboxStore {
  const pageSize = options.pageSize ?? 20;
  let state: InboxState = {
    items: [],
    counts: EMPTY_COUNTS,
    hasNextPage: false,
    loading: false,
    ready: false,
    status: 'stopped',
    error: undefined,
  };
  const listeners = new Set<(state: InboxState) => void>();
  let endCursor: string | null | undefined;
  let stream: EventStream | undefined;
  let started: Promise<void> | undefined;
  /** Bumped by each reload, so that a page asked before it is dropped when it comes. */
  let generation = 0;

  const set = (change: Partial<InboxState>) => {
    state = { ...state, ...change };
    for (const listener of listeners) listener(state);
  };

  /** Runs a request; a failure is kept in `error` and thrown on. */
  async function attempt<T>(run: () => Promise<T>): Promise<T> {
    try {
      const result = await run();
      if (state.error) set({ error: undefined });
      return result;
    } catch (error) {
      set({ error: error instanceof GraphQLRequestError ? error : new GraphQLRequestError('ERROR', String(error)) });
      throw error;
    }
  }

  /** Newest first; a notification older than every one loaded while more pages wait comes with its page. */
  function upsert(items: readonly InboxItemFragment[], node: InboxItemFragment, fromPage: boolean) {
    const at = items.findIndex((item) => item.id === node.id);
    if (at >= 0) return items.map((item, i) => (i === at ? node : item));
    const before = items.findIndex((item) => item.createdAt < node.createdAt);
    if (before < 0 && state.hasNextPage && !fromPage) return items;
    const next = [...items];
    next.splice(before < 0 ? next.length : before, 0, node);
    return next;
  }

  const without = (ids: readonly string[]) => {
    const gone = new Set(ids);
    return state.items.filter((item) => !gone.has(item.id));
  };

  /** A change to many carries only their ids: change the loaded ones. */
  function patch(ids: readonly string[], change: (node: InboxItemFragment, now: string) => InboxItemFragment) {
    const touched = new Set(ids);
    const now = new Date().toISOString();
    return state.items.map((item) => (touched.has(item.id) ? change(item, now) : item));
  }

  function apply(event: InboxEvent) {
    const { notification, notificationId, notificationIds } = event;
    let items = state.items;
    switch (event.kind) {
      case 'ARCHIVED':
      case 'DELETED':
      case 'EXPIRED':
      case 'SNOOZED':
        if (notificationId) items = without([notificationId]);
        break;
      case 'ALL_ARCHIVED':
      case 'ALL_DELETED':
        items = without(notificationIds);
        break;
      case 'ALL_READ':
        items = patch(notificationIds, (node, now) => ({ ...node, readAt: node.readAt ?? now, status: 'READ' }));
        break;
      case 'ALL_SEEN':
        items = patch(notificationIds, (node, now) => ({ ...node, seenAt: node.seenAt ?? now }));
        break;
      default:
        if (notification) items = upsert(items, notification, false);
    }
    set({ items, counts: event.counts });
    options.onEvent?.(event);
  }

  async function loadPage() {
    if (state.loading) return;
    const asked = generation;
    set({ loading: true });
    try {
      const { counts, notifications } = await attempt(() =>
        client.request(InboxDocument, { first: pageSize, after: endCursor }),
      );
      if (asked !== generation) return;
      let items = state.items;
      for (const { node } of notifications.edges) items = upsert(items, node, true);
      endCursor = notifications.pageInfo.endCursor;
      set({ items, counts, hasNextPage: notifications.pageInfo.hasNextPage, ready: true });
    } finally {
      set({ loading: false });
    }
  }

  /** Clears the list and loads its first page; returns the position the list stands at. */
  async function reload(): Promise<string> {
    // The position first: a change between the two requests is replayed, and applying it twice is harmless.
    const { notificationChanges } = await attempt(() => client.request(InboxPositionDocument));
    generation++;
    endCursor = undefined;
    set({ items: [], hasNextPage: false, loading: false });
    await loadPage();
    return notificationChanges.position;
  }

  const newest = () => state.items[0]?.id;

  const store: InboxStore = {
    getState: () => state,
    subscribe(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    start() {
      started ??= (async () => {
        const position = await reload();
        stream = client.events({
          after: position,
          onEvent: apply,
          onResync: reload,
          onStatus: (status, error) => set(error && status === 'stopped' ? { status, error } : { status }),
          ...(options.retryDelayMs ? { retryDelayMs: options.retryDelayMs } : {}),
        });
      })().catch((error: unknown) => {
        started = undefined;
        throw error;
      });
      return started;
    },
    stop() {
      stream?.stop();
      stream = undefined;
      started = undefined;
    },
    loadMore: () => (state.hasNextPage ? loadPage() : Promise.resolve()),
    async markRead(id) {
      const item = state.items.find((candidate) => candidate.id === id);
      // Acting on a notification means it was shown.
      if (item && !item.seenAt) {
        const { markSeen } = await attempt(() => client.request(InboxMarkSeenDocument, { ids: [id] }));
        set({ counts: markSeen.counts });
      }
      const { markRead } = await attempt(() => client.request(InboxMarkReadDocument, { id }));
      set({ items: upsert(state.items, markRead, true) });
    },
    async markUnread(id) {
      const { markUnread } = await attempt(() => client.request(InboxMarkUnreadDocument, { id }));
      set({ items: upsert(state.items, markUnread.notification, true), counts: markUnread.counts });
    },
    async archive(id) {
      const { archive } = await attempt(() => client.request(InboxArchiveDocument, { id }));
      set({ items: without([id]), counts: archive.counts });
    },
    async markAllRead() {
      const upTo = newest();
      if (!upTo) return;
      const { markAllRead } = await attempt(() => client.request(InboxMarkAllReadDocument, { upTo }));
      set({
        items: patch(markAllRead.notificationIds, (node, now) => ({
          ...node,
          readAt: node.readAt ?? now,
          status: 'READ',
        })),
        counts: markAllRead.counts,
      });
    },
    async markAllSeen() {
      const upTo = newest();
      if (!upTo || state.counts.unseen === 0) return;
      const { markAllSeen } = await attempt(() => client.request(InboxMarkAllSeenDocument, { upTo }));
      set({
        items: patch(markAllSeen.notificationIds, (node, now) => ({ ...node, seenAt: node.seenAt ?? now })),
        counts: markAllSeen.counts,
      });
    },
  };
  return store;
}
