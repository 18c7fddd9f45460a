// <notification-inbox>: a bell with the unseen badge and, under it, the inbox (an ARIA feed that loads older
// pages as it scrolls), each notification with its icon, relative time and actions; kept right live by the
// event stream in every tab. Its state is the client's inbox store (createInboxStore); this file only shows it
// and turns keys and clicks into its actions. Notification text is only ever rendered as text.
import {
  createInboxStore,
  createNotificationClient,
  type InboxCountsFieldsFragment,
  type InboxEvent,
  type InboxItemFragment,
  type InboxState,
  type InboxStore,
  type NotificationClient,
} from '@notification-api/client';
import { html, LitElement, nothing, type PropertyValues } from 'lit';
import { archiveIcon, bellIcon, checkIcon, dotIcon, emptyIcon, priorityIcon, typeIcons } from './icons.js';
import { absoluteTime, pageLocale, relativeTime } from './relative-time.js';
import { defaultStrings, type InboxStrings } from './strings.js';
import { inboxStyles } from './styles.js';

/** The bearer token, or a function asked before each request and reconnection (to refresh it). */
export type TokenSource = string | (() => string | Promise<string>);

/** The priorities that carry a mark; LOW and NORMAL carry none. */
const MARKED = new Set(['HIGH', 'URGENT']);

export class NotificationInbox extends LitElement {
  static override styles = inboxStyles;
  static override properties = {
    apiUrl: { attribute: 'api-url' },
    token: {},
    persisted: { type: Boolean },
    pageSize: { attribute: 'page-size', type: Number },
    locale: {},
    strings: { attribute: false },
    client: { attribute: false },
    open: { type: Boolean, reflect: true },
    status: { reflect: true },
    state: { state: true },
    announcement: { state: true },
  };

  /** The API's origin, e.g. `https://api.example.com`; '' (the default) for the page's own. */
  declare apiUrl: string;
  /** The token, or a function that returns a fresh one (attribute: a token string). */
  declare token: TokenSource | undefined;
  /** Send trusted documents' hashes, for a server with PERSISTED_OPERATIONS=only. */
  declare persisted: boolean;
  declare pageSize: number;
  /** A BCP 47 locale for times and numbers; by default the page's (`<html lang>`, then the browser's). */
  declare locale: string | undefined;
  /** Replacements for any of the texts (translation). */
  declare strings: Partial<InboxStrings>;
  /** A client to use instead of one made from `apiUrl` and `token`. */
  declare client: NotificationClient | undefined;
  declare open: boolean;
  /** The stream's status (connecting, live, reconnecting, stopped), reflected for styling. */
  declare status: string;
  declare state: InboxState | undefined;
  declare announcement: string;

  #store: InboxStore | undefined;
  #unsubscribe: (() => void) | undefined;
  #observer: IntersectionObserver | undefined;
  #ticker: ReturnType<typeof setInterval> | undefined;
  /** The item the arrow keys move from (roving tabindex). */
  #active = 0;

  constructor() {
    super();
    this.apiUrl = '';
    this.token = undefined;
    this.persisted = false;
    this.pageSize = 20;
    this.locale = undefined;
    this.strings = {};
    this.client = undefined;
    this.open = false;
    this.status = 'stopped';
    this.state = undefined;
    this.announcement = '';
  }

  get #text(): InboxStrings {
    return { ...defaultStrings, ...this.strings };
  }

  get #locale() {
    return this.locale || pageLocale();
  }

  /** The store this element shows: its actions can be called from outside too. */
  get store(): InboxStore | undefined {
    return this.#store;
  }

  override connectedCallback() {
    super.connectedCallback();
    document.addEventListener('pointerdown', this.#onOutside, true);
    this.#ticker = setInterval(() => this.requestUpdate(), 30_000);
    if (this.#store) this.#start();
  }

  override disconnectedCallback() {
    super.disconnectedCallback();
    document.removeEventListener('pointerdown', this.#onOutside, true);
    clearInterval(this.#ticker);
    this.#observer?.disconnect();
    this.#store?.stop();
  }

  protected override willUpdate(changed: PropertyValues<this>) {
    const restart =
      changed.has('apiUrl') || changed.has('persisted') || changed.has('client') || changed.has('pageSize');
    if ((restart || changed.has('token')) && (this.client || this.token)) {
      if (restart || !this.#store) this.#connect();
      // A new token after a refusal (signed in again): try again.
      else if (!this.#store.getState().ready) this.#start();
    }
  }

  #connect() {
    this.#unsubscribe?.();
    this.#store?.stop();
    const client =
      this.client ??
      createNotificationClient({
        url: this.apiUrl,
        // Asked each time, so that a new token (or a function that refreshes one) is always the one sent.
        token: () => (typeof this.token === 'function' ? this.token() : (this.token ?? '')),
        persisted: this.persisted,
      });
    const store = createInboxStore(client, { pageSize: this.pageSize, onEvent: (event) => this.#arrived(event) });
    this.#store = store;
    this.state = store.getState();
    this.#unsubscribe = store.subscribe((state) => {
      const counts = this.state?.counts;
      this.state = state;
      this.status = state.status;
      if (counts !== state.counts) {
        this.dispatchEvent(
          new CustomEvent('notification-counts', { detail: state.counts, bubbles: true, composed: true }),
        );
      }
    });
    if (this.isConnected) this.#start();
  }

  #start() {
    this.#store?.start().catch(() => {
      // Kept in state.error, and shown.
    });
  }

  #arrived(event: InboxEvent) {
    if (event.kind !== 'ADDED' || !event.notification) return;
    this.announcement = this.#text.arrived(event.notification.title);
    this.dispatchEvent(
      new CustomEvent('notification-received', {
        detail: { notification: event.notification },
        bubbles: true,
        composed: true,
      }),
    );
  }

  /** Opens or closes the panel; opening marks everything shown as seen (the badge goes to 0). */
  async toggle(open = !this.open) {
    this.open = open;
    await this.updateComplete;
    if (open) {
      this.#active = 0;
      this.#focusItem(0) || this.#focusPanel();
      this.#store?.markAllSeen().catch(() => {});
    }
  }

  #close(returnFocus: boolean) {
    if (!this.open) return;
    this.open = false;
    if (returnFocus) this.renderRoot.querySelector<HTMLElement>('.bell')?.focus();
  }

  #onOutside = (event: Event) => {
    if (this.open && !event.composedPath().includes(this)) this.#close(false);
  };

  #items() {
    return [...this.renderRoot.querySelectorAll<HTMLElement>('.item')];
  }

  #focusItem(index: number): boolean {
    const items = this.#items();
    if (items.length === 0) return false;
    this.#active = Math.max(0, Math.min(index, items.length - 1));
    items.forEach((item, i) => {
      item.tabIndex = i === this.#active ? 0 : -1;
    });
    items[this.#active]?.focus();
    return true;
  }

  #onPanelKey = (event: KeyboardEvent) => {
    const items = this.#items();
    const current = items.findIndex((item) => item.contains(this.#deepActive()));
    const from = current >= 0 ? current : this.#active;
    const move: Record<string, number | undefined> = {
      ArrowDown: current >= 0 ? from + 1 : from,
      ArrowUp: from - 1,
      Home: 0,
      End: items.length - 1,
    };
    if (event.key === 'Escape') {
      event.preventDefault();
      this.#close(true);
    } else if (move[event.key] !== undefined) {
      event.preventDefault();
      this.#focusItem(move[event.key]!);
    } else if (event.key === 'Enter' && current >= 0 && event.target === items[current]) {
      event.preventDefault();
      this.#activate(this.state?.items[current]);
    }
  };

  #onBellKey = (event: KeyboardEvent) => {
    if (event.key === 'Escape') this.#close(true);
    else if (event.key === 'ArrowDown' && this.open) {
      event.preventDefault();
      this.#focusItem(0);
    }
  };

  #deepActive(): Element | null {
    return (this.renderRoot as ShadowRoot).activeElement;
  }

  /** Enter on a notification, or a click on it: it is read, and the page hears of it (to follow its link). */
  #activate(node: InboxItemFragment | undefined) {
    if (!node) return;
    if (!node.readAt) this.#store?.markRead(node.id).catch(() => {});
    this.dispatchEvent(
      new CustomEvent('notification-click', { detail: { notification: node }, bubbles: true, composed: true }),
    );
  }

  /** An item's button: its action, then focus where a keyboard user expects it (the item stays, or the next). */
  #act(event: Event, index: number, action: () => Promise<void>) {
    event.stopPropagation();
    const button = event.currentTarget as HTMLElement;
    action()
      .then(async () => {
        await this.updateComplete;
        if (!button.isConnected && this.open) this.#focusItem(index) || this.#focusPanel();
      })
      .catch(() => {});
  }

  #focusPanel() {
    this.renderRoot.querySelector<HTMLElement>('.panel')?.focus();
  }

  async #markAllRead(event: Event) {
    const button = event.currentTarget as HTMLButtonElement;
    await this.#store?.markAllRead().catch(() => {});
    await this.updateComplete;
    // Disabled now (nothing unread): focus would fall to the page.
    if (button.disabled && this.open) this.#focusItem(this.#active) || this.#focusPanel();
  }

  protected override updated() {
    // Load older pages when the end of the list comes into view; observed anew after each change, so that a
    // short page on a tall panel (still in view, so never "entering" it) loads the next one too.
    const scroll = this.renderRoot.querySelector('.scroll');
    const sentinel = this.renderRoot.querySelector('.sentinel');
    this.#observer?.disconnect();
    if (!this.open || !scroll || !sentinel || !this.state?.hasNextPage) return;
    this.#observer = new IntersectionObserver(
      (entries) => {
        if (entries.some((entry) => entry.isIntersecting)) this.#store?.loadMore().catch(() => {});
      },
      { root: scroll, rootMargin: '160px' },
    );
    this.#observer.observe(sentinel);
  }

  #renderItem(node: InboxItemFragment, index: number, total: number) {
    const text = this.#text;
    const locale = this.#locale;
    const at = new Date(node.createdAt);
    const unread = !node.readAt;
    const marked = MARKED.has(node.priority);
    const urgent = node.priority === 'URGENT';
    const priority = urgent ? text.urgent : text.highPriority;
    const parts = `item${unread ? ' item-unread' : ''}${marked ? ' item-high-priority' : ''}${urgent ? ' item-urgent' : ''}`;
    return html`<article
      class="item ${node.type}${unread ? ' unread' : ''}${marked ? (urgent ? ' urgent' : ' high') : ''}"
      part=${parts}
      data-id=${node.id}
      tabindex=${index === this.#active ? 0 : -1}
      aria-posinset=${index + 1}
      aria-setsize=${total}
      aria-labelledby="title-${index}"
      aria-describedby="message-${index} time-${index}"
      @click=${() => this.#activate(node)}
      @focus=${() => {
        this.#active = index;
      }}
    >
      <span class="icon" part="icon icon-${node.type.toLowerCase()}">${typeIcons[node.type]}</span>
      <div class="text">
        <span class="title" part="item-title" id="title-${index}"
          ><span class="sr-only">${unread ? `${text.unreadLabel}, ` : ''}${marked ? `${priority}, ` : ''}${text.types[node.type]}: </span>${node.title}</span
        >
        <span class="message" part="item-message" id="message-${index}">${node.message}</span>
        <span class="meta">
          <time part="time" id="time-${index}" datetime=${node.createdAt} title=${absoluteTime(at, locale)}
            >${relativeTime(at, new Date(), locale)}</time
          >
          ${
            marked
              ? html`<span class="priority ${urgent ? 'urgent' : 'high'}" part="priority priority-${urgent ? 'urgent' : 'high'}" aria-hidden="true"
                  >${priorityIcon}${priority}</span
                >`
              : nothing
          }
        </span>
      </div>
      <span class="dot${unread ? '' : ' off'}" part="unread-dot" aria-hidden="true"></span>
      <div class="actions" part="actions">
          <button
            type="button"
            class="action ${unread ? 'mark-read' : 'mark-unread'}"
            part="action"
            title=${unread ? text.markRead : text.markUnread}
            aria-label=${unread ? text.markRead : text.markUnread}
            @click=${(event: Event) =>
              this.#act(event, index, () =>
                unread ? this.#store!.markRead(node.id) : this.#store!.markUnread(node.id),
              )}
          >
            ${unread ? checkIcon : dotIcon}
          </button>
          <button
            type="button"
            class="action archive"
            part="action"
            title=${text.archive}
            aria-label=${text.archive}
            @click=${(event: Event) => this.#act(event, index, () => this.#store!.archive(node.id))}
          >
            ${archiveIcon}
          </button>
      </div>
    </article>`;
  }

  #renderBody(state: InboxState) {
    const text = this.#text;
    if (!state.ready && state.items.length === 0) {
      return html`<p class="loading" part="loading">${text.loading}</p>`;
    }
    if (state.items.length === 0 && !state.hasNextPage) {
      return html`<div class="empty" part="empty">
        ${emptyIcon}<strong>${text.emptyTitle}</strong><span>${text.emptyBody}</span>
      </div>`;
    }
    const total = state.hasNextPage ? -1 : state.items.length;
    return html`<div class="feed" role="feed" part="list" aria-labelledby="heading" aria-busy=${state.loading}>
        ${state.items.map((node, index) => this.#renderItem(node, index, total))}
      </div>
      ${
        state.hasNextPage
          ? html`<div class="sentinel"></div>
            <p class="loading" part="loading">${text.loading}</p>`
          : nothing
      }`;
  }

  override render() {
    const text = this.#text;
    const state = this.state;
    const counts = state?.counts ?? { total: 0, unread: 0, unseen: 0 };
    const number = new Intl.NumberFormat(this.#locale);
    const notice = state?.error
      ? text.problem(state.error.code)
      : state?.status === 'reconnecting'
        ? text.reconnecting
        : undefined;
    return html`<button
        type="button"
        class="bell"
        part="bell"
        aria-label=${text.bell(counts.unseen)}
        aria-expanded=${this.open}
        aria-controls="panel"
        aria-haspopup="dialog"
        @click=${() => this.toggle()}
        @keydown=${this.#onBellKey}
      >
        ${bellIcon}
        ${
          counts.unseen > 0
            ? html`<span class="badge" part="badge" aria-hidden="true"
              >${counts.unseen > 99 ? `${number.format(99)}+` : number.format(counts.unseen)}</span
            >`
            : nothing
        }
      </button>
      <div role="status" class="sr-only" part="announcer">${this.announcement}</div>
      <div
        id="panel"
        class="panel"
        part="panel"
        role="dialog"
        aria-labelledby="heading"
        tabindex="-1"
        ?hidden=${!this.open}
        @keydown=${this.#onPanelKey}
      >
        <div class="head" part="header">
          <h2 id="heading" part="title">${text.title}</h2>
          <span class="count" part="count">${text.unread(counts.unread)}</span>
          <button
            type="button"
            class="mark-all"
            part="mark-all-read"
            ?disabled=${counts.unread === 0}
            @click=${(event: Event) => this.#markAllRead(event)}
          >
            ${text.markAllRead}
          </button>
        </div>
        ${notice ? html`<p class="notice" part="notice" role="alert">${notice}</p>` : nothing}
        <div class="scroll" part="scroll">${state ? this.#renderBody(state) : nothing}</div>
      </div>`;
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'notification-inbox': NotificationInbox;
  }
  interface HTMLElementEventMap {
    /** A notification was clicked, or had Enter pressed on it (it is marked read). */
    'notification-click': CustomEvent<{ notification: InboxItemFragment }>;
    /** A new notification arrived live. */
    'notification-received': CustomEvent<{ notification: InboxItemFragment }>;
    /** The counts changed: `unseen` is the badge. */
    'notification-counts': CustomEvent<InboxCountsFieldsFragment>;
  }
}
