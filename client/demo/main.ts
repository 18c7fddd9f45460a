// The demo inbox: a bell with the unseen badge, a list that loads older pages as it scrolls, mark read,
// mark all read and archive, all kept right by the event stream (live arrivals, other tabs' actions).
// Plain DOM; notification text is only ever set as textContent, never as HTML.
import {
  createNotificationClient,
  GraphQLRequestError,
  InboxArchiveDocument,
  type InboxCountsFieldsFragment,
  InboxDocument,
  type InboxEvent,
  type InboxItemFragment,
  InboxMarkAllReadDocument,
  InboxMarkAllSeenDocument,
  InboxMarkReadDocument,
  InboxMarkSeenDocument,
  InboxPositionDocument,
  type StreamStatus,
} from '@notification-api/client';
import { setUpPushButton } from './push.js';

const PAGE_SIZE = 20;

const $ = <T extends HTMLElement>(id: string) => document.getElementById(id) as T;
const bell = $<HTMLButtonElement>('bell');
const badge = $('badge');
const panel = $('panel');
const unread = $('unread');
const list = $<HTMLUListElement>('list');
const empty = $('empty');
const more = $('more');
const status = $('status');
const problem = $('problem');
const template = $<HTMLTemplateElement>('item');

// The token comes in the fragment (/demo#token=…), which browsers never send to the server.
const token = new URLSearchParams(location.hash.slice(1)).get('token');
const persisted = document.querySelector<HTMLMetaElement>('meta[name="persisted-operations"]')?.content !== 'off';
const client = createNotificationClient({ url: '', token: token ?? '', persisted });

const items = new Map<string, { node: InboxItemFragment; element: HTMLLIElement }>();
let endCursor: string | null | undefined;
let hasNextPage = false;
let loading = false;

function showProblem(error: unknown) {
  const code = error instanceof GraphQLRequestError ? error.code : 'ERROR';
  const hint = code === 'UNAUTHENTICATED' ? ' (is the token in the address current? npm start prints a new one)' : '';
  problem.textContent = `${code}: ${error instanceof Error ? error.message : String(error)}${hint}`;
  problem.hidden = false;
}

function setCounts(counts: InboxCountsFieldsFragment) {
  badge.textContent = String(counts.unseen);
  badge.hidden = counts.unseen === 0;
  unread.textContent = `${counts.unread} unread`;
  document.title = `${counts.unseen > 0 ? `(${counts.unseen}) ` : ''}Inbox · Notification API demo`;
}

function render(node: InboxItemFragment, element: HTMLLIElement) {
  element.className = `item ${node.type}${node.readAt ? ' read' : ''}${node.seenAt ? '' : ' unseen'}`;
  element.dataset.id = node.id;
  element.querySelector('.title')!.textContent = node.title;
  element.querySelector('.message')!.textContent = node.message;
  element.querySelector('time')!.textContent = new Date(node.createdAt).toLocaleString();
}

/** Shows a notification where it belongs (newest first), or refreshes it where it is. */
function upsert(node: InboxItemFragment, fromPage = false) {
  const known = items.get(node.id);
  if (known) {
    known.node = node;
    return render(node, known.element);
  }
  const older = [...list.children]
    .map((element) => items.get((element as HTMLLIElement).dataset.id ?? ''))
    .find((item) => item && item.node.createdAt < node.createdAt);
  // Older than everything loaded while more pages wait: it comes with its page.
  if (!older && hasNextPage && !fromPage) return;
  const element = (template.content.firstElementChild as HTMLLIElement).cloneNode(true) as HTMLLIElement;
  element.querySelector('.mark-read')!.addEventListener('click', () => markRead(node.id));
  element.querySelector('.archive')!.addEventListener('click', () => archive(node.id));
  render(node, element);
  list.insertBefore(element, older?.element ?? null);
  items.set(node.id, { node, element });
  empty.hidden = true;
}

function remove(id: string) {
  items.get(id)?.element.remove();
  items.delete(id);
  empty.hidden = items.size > 0 || hasNextPage;
}

/** A change to many carries only their ids: change the ones shown here. */
function patch(ids: readonly string[], change: (node: InboxItemFragment, now: string) => InboxItemFragment) {
  const now = new Date().toISOString();
  for (const id of ids) {
    const item = items.get(id);
    if (item) upsert(change(item.node, now));
  }
}

/** The newest notification shown: bulk actions stop there, so that one arriving meanwhile is left alone. */
const newestShown = () => list.querySelector<HTMLLIElement>('.item')?.dataset.id;

function apply(event: InboxEvent) {
  setCounts(event.counts);
  const { notification, notificationId, notificationIds } = event;
  switch (event.kind) {
    case 'ARCHIVED':
    case 'DELETED':
    case 'EXPIRED':
    case 'SNOOZED':
      if (notificationId) remove(notificationId);
      break;
    case 'ALL_ARCHIVED':
    case 'ALL_DELETED':
      for (const id of notificationIds) remove(id);
      break;
    case 'ALL_READ':
      patch(notificationIds, (node, now) => ({ ...node, readAt: node.readAt ?? now, status: 'READ' }));
      break;
    case 'ALL_SEEN':
      patch(notificationIds, (node, now) => ({ ...node, seenAt: node.seenAt ?? now }));
      break;
    default:
      if (notification) upsert(notification);
  }
}

async function loadPage() {
  if (loading) return;
  loading = true;
  try {
    const { counts, notifications } = await client.request(InboxDocument, { first: PAGE_SIZE, after: endCursor });
    setCounts(counts);
    for (const { node } of notifications.edges) upsert(node, true);
    ({ endCursor, hasNextPage } = notifications.pageInfo);
    empty.hidden = items.size > 0 || hasNextPage;
  } finally {
    loading = false;
  }
  // Still in view (a short page, a tall screen): the observer would not fire again by itself.
  observer.unobserve(more);
  if (hasNextPage) observer.observe(more);
}

/** Clears the list, and loads its first page; returns the position the list is as of. */
async function reload(): Promise<string> {
  // The position first: a change between the two requests is replayed, and applying it twice is harmless.
  const { notificationChanges } = await client.request(InboxPositionDocument);
  for (const id of [...items.keys()]) remove(id);
  endCursor = undefined;
  hasNextPage = false;
  await loadPage();
  return notificationChanges.position;
}

const observer = new IntersectionObserver(
  (entries) => {
    if (entries.some((entry) => entry.isIntersecting) && hasNextPage) loadPage().catch(showProblem);
  },
  { root: $('scroll'), rootMargin: '200px' },
);

async function markRead(id: string) {
  const item = items.get(id);
  // Acting on a notification means it was shown.
  if (item && !item.node.seenAt)
    setCounts((await client.request(InboxMarkSeenDocument, { ids: [id] })).markSeen.counts);
  upsert((await client.request(InboxMarkReadDocument, { id })).markRead);
}

async function archive(id: string) {
  const { archive } = await client.request(InboxArchiveDocument, { id });
  remove(id);
  setCounts(archive.counts);
}

bell.addEventListener('click', async () => {
  panel.hidden = !panel.hidden;
  bell.setAttribute('aria-expanded', String(!panel.hidden));
  const upTo = newestShown();
  // Opening the bell: everything up to the newest one shown is now seen.
  if (!panel.hidden && upTo && badge.textContent !== '0') {
    setCounts((await client.request(InboxMarkAllSeenDocument, { upTo })).markAllSeen.counts);
  }
});

$('mark-all-read').addEventListener('click', async () => {
  const upTo = newestShown();
  if (upTo) setCounts((await client.request(InboxMarkAllReadDocument, { upTo })).markAllRead.counts);
});

const statusText: Record<StreamStatus, string> = {
  connecting: 'connecting',
  live: 'live',
  reconnecting: 'reconnecting…',
  stopped: 'stopped',
};

async function start() {
  if (!token) throw new Error('no token: open this page as /demo#token=<JWT> (npm start prints the address)');
  const position = await reload();
  client.events({
    after: position,
    onEvent: apply,
    onResync: reload,
    onStatus: (state, error) => {
      status.textContent = statusText[state];
      status.className = `status ${state}`;
      if (state === 'stopped' && error) showProblem(error);
    },
  });
}

window.addEventListener('unhandledrejection', (event) => showProblem(event.reason));
start().catch(showProblem);
if (token) setUpPushButton(client, $<HTMLButtonElement>('notify-me'), showProblem).catch(showProblem);
