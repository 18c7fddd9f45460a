// <notification-preferences>: the caller's categories × channels, a switch each, saved as it is flipped. Both
// the rows and the columns come from the API's answer (every field of a category but `category` and
// `critical` is a channel), so a category or a channel added on the server shows without a change here.
import {
  type CategoryPreferenceFieldsFragment,
  createNotificationClient,
  type GraphQLRequestError,
  InboxPreferencesDocument,
  InboxUpdatePreferencesDocument,
  type NotificationClient,
} from '@notification-api/client';
import { css, html, LitElement, nothing, type PropertyValues } from 'lit';
import type { TokenSource } from './notification-inbox.js';
import { defaultPreferencesStrings, type PreferencesStrings } from './strings.js';

type Preference = CategoryPreferenceFieldsFragment & Record<string, unknown>;
const NOT_CHANNELS = new Set(['category', 'critical', '__typename']);

/** The channels of the answer, in its order. */
export const channelsOf = (categories: readonly Preference[]): string[] =>
  categories[0] ? Object.keys(categories[0]).filter((key) => !NOT_CHANNELS.has(key)) : [];

const capitalise = (name: string) => name.charAt(0).toUpperCase() + name.slice(1).replace(/[._-]+/g, ' ');

export class NotificationPreferences extends LitElement {
  static override properties = {
    apiUrl: { attribute: 'api-url' },
    token: {},
    persisted: { type: Boolean },
    strings: { attribute: false },
    client: { attribute: false },
    categories: { state: true },
    message: { state: true },
  };

  declare apiUrl: string;
  declare token: TokenSource | undefined;
  declare persisted: boolean;
  declare strings: Partial<PreferencesStrings>;
  declare client: NotificationClient | undefined;
  declare categories: Preference[] | undefined;
  declare message: string;
  #client: NotificationClient | undefined;

  constructor() {
    super();
    this.apiUrl = '';
    this.token = undefined;
    this.persisted = false;
    this.strings = {};
    this.client = undefined;
    this.categories = undefined;
    this.message = '';
  }

  get #text(): PreferencesStrings {
    return { ...defaultPreferencesStrings, ...this.strings };
  }

  protected override willUpdate(changed: PropertyValues<this>) {
    const target = changed.has('apiUrl') || changed.has('persisted') || changed.has('client');
    if ((target || (changed.has('token') && !this.#client)) && (this.client || this.token)) {
      this.#client =
        this.client ??
        createNotificationClient({
          url: this.apiUrl,
          token: () => (typeof this.token === 'function' ? this.token() : (this.token ?? '')),
          persisted: this.persisted,
        });
      this.load().catch(() => {});
    }
  }

  /** Asks the API for the caller's preferences again. */
  async load() {
    if (!this.#client) return;
    try {
      const { notificationPreferences } = await this.#client.request(InboxPreferencesDocument);
      this.categories = notificationPreferences.categories as Preference[];
    } catch (error) {
      this.message = this.#text.problem((error as GraphQLRequestError).code ?? 'ERROR');
    }
  }

  async #set(category: string, channel: string, on: boolean) {
    if (!this.#client) return;
    try {
      const input = { categories: [{ category, [channel]: on }] };
      const { updateNotificationPreferences } = await this.#client.request(InboxUpdatePreferencesDocument, { input });
      this.categories = updateNotificationPreferences.categories as Preference[];
      this.message = this.#text.saved;
    } catch (error) {
      this.message = this.#text.problem((error as GraphQLRequestError).code ?? 'ERROR');
      await this.load();
    }
  }

  override render() {
    const text = this.#text;
    const categories = this.categories;
    const channels = categories ? channelsOf(categories) : [];
    const channelName = (channel: string) => text.channels[channel] ?? capitalise(channel);
    return html`<section part="section" aria-labelledby="heading">
      <h2 id="heading" part="title">${text.title}</h2>
      <p class="description" part="description">${text.description}</p>
      ${
        categories
          ? html`<table part="table">
            <thead>
              <tr>
                <th scope="col">${text.category}</th>
                ${channels.map((channel) => html`<th scope="col" data-channel=${channel}>${channelName(channel)}</th>`)}
              </tr>
            </thead>
            <tbody>
              ${categories.map((row) => {
                const name = text.categories[row.category] ?? capitalise(row.category);
                return html`<tr data-category=${row.category}>
                  <th scope="row">
                    ${name} ${row.critical ? html`<span class="critical" part="critical">${text.critical}</span>` : nothing}
                  </th>
                  ${channels.map((channel) => {
                    const value = row[channel];
                    return html`<td>
                      <label class="switch" title=${value === null ? text.byDefault : ''}>
                        <input
                          type="checkbox"
                          role="switch"
                          part="switch"
                          data-channel=${channel}
                          aria-label="${channelName(channel)}: ${name}"
                          .checked=${value === true || (row.critical && channel === 'inApp')}
                          .indeterminate=${value === null}
                          ?disabled=${row.critical}
                          @change=${(event: Event) =>
                            this.#set(row.category, channel, (event.target as HTMLInputElement).checked)}
                        />
                        <span class="track" aria-hidden="true"></span>
                      </label>
                    </td>`;
                  })}
                </tr>`;
              })}
            </tbody>
          </table>
            ${
              categories.some((row) => channels.some((channel) => row[channel] === null))
                ? html`<p class="note" part="note">${text.byDefaultNote}</p>`
                : nothing
            }`
          : nothing
      }
      <p class="message" part="message" role="status">${this.message}</p>
    </section>`;
  }

  static override styles = css`
    :host {
      display: block;
      --_accent: var(--notification-inbox-accent, #4f46e5);
      --_muted: var(--notification-inbox-muted-color, #4b5563);
      --_border: var(--notification-inbox-border-color, #e5e7eb);
      font: var(--notification-inbox-font, 400 14px/1.45 system-ui, -apple-system, 'Segoe UI', Roboto, sans-serif);
      color: var(--notification-inbox-color, #111827);
    }
    h2 {
      margin: 0 0 2px;
      font-size: 16px;
      font-weight: 650;
    }
    .description {
      margin: 0 0 12px;
      color: var(--_muted);
    }
    table {
      width: 100%;
      border-collapse: collapse;
    }
    th,
    td {
      padding: 10px 8px;
      border-bottom: 1px solid var(--_border);
      text-align: center;
    }
    th:first-child {
      text-align: start;
      font-weight: 500;
    }
    thead th {
      color: var(--_muted);
      font-size: 12px;
      font-weight: 600;
      text-transform: uppercase;
      letter-spacing: 0.04em;
    }
    .critical {
      margin-left: 6px;
      padding: 1px 6px;
      border-radius: 4px;
      background: #f3f4f6;
      color: var(--_muted);
      font-size: 12px;
    }
    .switch {
      position: relative;
      display: inline-block;
      width: 36px;
      height: 20px;
    }
    .switch input {
      position: absolute;
      inset: 0;
      width: 100%;
      height: 100%;
      margin: 0;
      opacity: 0;
      cursor: pointer;
    }
    .track {
      position: absolute;
      inset: 0;
      border-radius: 10px;
      background: #9ca3af;
      transition: background 0.15s;
      pointer-events: none;
    }
    .track::after {
      content: '';
      position: absolute;
      top: 2px;
      left: 2px;
      width: 16px;
      height: 16px;
      border-radius: 50%;
      background: #fff;
      transition: transform 0.15s;
    }
    input:checked + .track {
      background: var(--_accent);
    }
    input:checked + .track::after {
      transform: translateX(16px);
    }
    input:indeterminate + .track {
      background: color-mix(in srgb, var(--_accent) 45%, #9ca3af);
    }
    input:indeterminate + .track::after {
      transform: translateX(8px);
    }
    input:disabled {
      cursor: not-allowed;
    }
    input:disabled + .track {
      opacity: 0.55;
    }
    input:focus-visible + .track {
      outline: 2px solid var(--_accent);
      outline-offset: 2px;
    }
    .note {
      margin: 10px 0 0;
      color: var(--_muted);
      font-size: 13px;
    }
    .message {
      min-height: 1.45em;
      margin: 8px 0 0;
      color: var(--_muted);
      font-size: 13px;
    }
    @media (prefers-reduced-motion: reduce) {
      .track,
      .track::after {
        transition: none;
      }
    }
  `;
}

declare global {
  interface HTMLElementTagNameMap {
    'notification-preferences': NotificationPreferences;
  }
}
