// <notification-preferences>: the caller's categories × channels, a switch each; under them, for each channel the
// answer has a policy of (`emailPolicy`…), a digest window per category, both saved as they are changed; then the
// quiet hours (from, to, channels, time zone), saved with their button. The rows and the columns come from the
// API's answer (every field of a category but `category`, `critical` and the policies is a channel), so a
// category or a channel added on the server shows without a change here.
import {
  type CategoryPreferenceFieldsFragment,
  createNotificationClient,
  type GraphQLRequestError,
  InboxPreferencesDocument,
  InboxUpdatePreferencesDocument,
  type NotificationClient,
  type NotificationPreferencesFieldsFragment,
  type UpdateNotificationPreferencesInput,
} from '@notification-api/client';
import { html, LitElement, nothing, type PropertyValues } from 'lit';
import type { TokenSource } from './notification-inbox.js';
import { preferencesStyles } from './preferences-styles.js';
import { draftOf, inputOf, type QuietHoursDraft, timeZones } from './quiet-hours.js';
import { defaultPreferencesStrings, type PreferencesStrings } from './strings.js';

type Preference = CategoryPreferenceFieldsFragment & Record<string, unknown>;
const NOT_CHANNELS = new Set(['category', 'critical', '__typename']);
const isChannel = (key: string) => !NOT_CHANNELS.has(key) && !key.endsWith('Policy');

/** The channels of the answer, in its order. */
export const channelsOf = (categories: readonly Preference[]): string[] =>
  categories[0] ? Object.keys(categories[0]).filter(isChannel) : [];

/** The channels whose policy the answer has (`emailPolicy`: email), which get a digest choice. */
export const digestChannelsOf = (categories: readonly Preference[]): string[] =>
  channelsOf(categories).filter((channel) => typeof categories[0]?.[`${channel}Policy`] === 'object');

/** The channels quiet hours can hold (DeliveryChannel: EMAIL, PUSH…): every one but the app's own. */
const deliveryChannelsOf = (channels: readonly string[]) =>
  channels.filter((channel) => channel !== 'inApp').map((channel) => channel.toUpperCase());

const capitalise = (name: string) => name.charAt(0).toUpperCase() + name.slice(1).replace(/[._-]+/g, ' ');

export class NotificationPreferences extends LitElement {
  static override properties = {
    apiUrl: { attribute: 'api-url' },
    token: {},
    persisted: { type: Boolean },
    strings: { attribute: false },
    client: { attribute: false },
    digestWindows: { attribute: false },
    categories: { state: true },
    quiet: { state: true },
    message: { state: true },
  };

  declare apiUrl: string;
  declare token: TokenSource | undefined;
  declare persisted: boolean;
  declare strings: Partial<PreferencesStrings>;
  declare client: NotificationClient | undefined;
  /** The digest windows offered, in seconds (0: none); a window saved otherwise is offered too. */
  declare digestWindows: number[];
  declare categories: Preference[] | undefined;
  /** The quiet-hours form as edited, from the last answer until saved. */
  declare quiet: QuietHoursDraft | undefined;
  declare message: string;
  #client: NotificationClient | undefined;

  constructor() {
    super();
    this.apiUrl = '';
    this.token = undefined;
    this.persisted = false;
    this.strings = {};
    this.client = undefined;
    this.digestWindows = [0, 900, 3600];
    this.categories = undefined;
    this.quiet = undefined;
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
      this.#show(notificationPreferences);
    } catch (error) {
      this.message = this.#text.problem((error as GraphQLRequestError).code ?? 'ERROR');
    }
  }

  /** Shows an answer; the quiet-hours form too unless it is being edited (`keepDraft`: a switch was saved). */
  #show(answer: NotificationPreferencesFieldsFragment, keepDraft = false) {
    this.categories = answer.categories as Preference[];
    if (!keepDraft || !this.quiet) this.quiet = draftOf(answer, deliveryChannelsOf(channelsOf(this.categories)));
  }

  /** Saves a change; on a refusal, shows it and what is saved. */
  async #save(input: UpdateNotificationPreferencesInput) {
    if (!this.#client) return;
    this.message = '';
    try {
      const { updateNotificationPreferences } = await this.#client.request(InboxUpdatePreferencesDocument, { input });
      this.#show(updateNotificationPreferences, input.quietHours === undefined);
      this.message = this.#text.saved;
    } catch (error) {
      this.message = this.#text.problem((error as GraphQLRequestError).code ?? 'ERROR');
      await this.load();
    }
  }

  #set(category: string, channel: string, on: boolean) {
    return this.#save({ categories: [{ category, [channel]: on }] });
  }

  #setDigest(category: string, channel: string, seconds: number) {
    return this.#save({ categories: [{ category, [`${channel}Policy`]: { digestSeconds: seconds } }] });
  }

  #edit(change: Partial<QuietHoursDraft>) {
    if (this.quiet) this.quiet = { ...this.quiet, ...change };
  }

  /** A channel's digest windows: a choice per category, under a heading of their own. */
  #renderDigests(categories: readonly Preference[], channel: string, channelName: string) {
    const text = this.#text;
    const id = `digests-${channel}`;
    return html`<section class="digests" part="digests" aria-labelledby=${id} data-channel=${channel}>
      <h3 id=${id} part="subtitle">${text.digests(channelName)}</h3>
      <p class="description">${text.digestsDescription(channelName)}</p>
      <div class="digest-list">
        ${categories.map((row) => {
          const name = text.categories[row.category] ?? capitalise(row.category);
          const seconds = (row[`${channel}Policy`] as { digestSeconds: number }).digestSeconds;
          const windows = [...new Set([...this.digestWindows, seconds])].sort((a, b) => a - b);
          return html`<label class="digest-row" data-category=${row.category}>
            <span>${name}</span>
            <select
              part="digest"
              aria-label="${text.digest(channelName)}: ${name}"
              title=${row[channel] === false ? text.digestOff(channelName) : ''}
              ?disabled=${row[channel] === false}
              @change=${(event: Event) =>
                this.#setDigest(row.category, channel, Number((event.target as HTMLSelectElement).value))}
            >
              ${windows.map(
                (window) =>
                  html`<option value=${window} ?selected=${window === seconds}>${text.digestWindow(window)}</option>`,
              )}
            </select>
          </label>`;
        })}
      </div>
    </section>`;
  }

  #renderQuietHours(quiet: QuietHoursDraft, channels: readonly string[], channelName: (channel: string) => string) {
    const text = this.#text;
    const held = deliveryChannelsOf(channels);
    const off = !quiet.on;
    return html`<form
      class="quiet"
      part="quiet-hours"
      aria-labelledby="quiet-heading"
      @submit=${(event: Event) => {
        event.preventDefault();
        this.#save(inputOf(quiet)).catch(() => {});
      }}
    >
      <h3 id="quiet-heading" part="subtitle">${text.quietHours}</h3>
      <p class="description" id="quiet-description">${text.quietHoursDescription}</p>
      <label class="toggle">
        <span class="switch">
          <input
            type="checkbox"
            role="switch"
            part="switch"
            name="on"
            aria-describedby="quiet-description"
            .checked=${quiet.on}
            @change=${(event: Event) => this.#edit({ on: (event.target as HTMLInputElement).checked })}
          />
          <span class="track" aria-hidden="true"></span>
        </span>
        <span>${text.quietHoursOn}</span>
      </label>
      <div class="fields">
        <label class="field">
          <span>${text.from}</span>
          <input
            type="time"
            name="start"
            part="field"
            required
            ?disabled=${off}
            .value=${quiet.start}
            @input=${(event: Event) => this.#edit({ start: (event.target as HTMLInputElement).value })}
          />
        </label>
        <label class="field">
          <span>${text.to}</span>
          <input
            type="time"
            name="end"
            part="field"
            required
            ?disabled=${off}
            .value=${quiet.end}
            @input=${(event: Event) => this.#edit({ end: (event.target as HTMLInputElement).value })}
          />
        </label>
        <label class="field zone">
          <span>${text.timeZone}</span>
          <select
            name="timeZone"
            part="field"
            ?disabled=${off}
            @change=${(event: Event) => this.#edit({ timeZone: (event.target as HTMLSelectElement).value })}
          >
            ${timeZones(quiet.timeZone).map(
              (zone) =>
                html`<option value=${zone} ?selected=${zone === quiet.timeZone}>${zone.replace(/_/g, ' ')}</option>`,
            )}
          </select>
        </label>
      </div>
      <fieldset class="held" ?disabled=${off}>
        <legend>${text.quietChannels}</legend>
        ${held.map(
          (channel) => html`<label class="check">
            <input
              type="checkbox"
              name="channels"
              value=${channel}
              .checked=${quiet.channels.includes(channel)}
              @change=${(event: Event) => {
                const checked = (event.target as HTMLInputElement).checked;
                const others = quiet.channels.filter((other) => other !== channel);
                this.#edit({ channels: checked ? [...others, channel] : others });
              }}
            />
            ${channelName(channel.toLowerCase())}
          </label>`,
        )}
      </fieldset>
      <button type="submit" class="save" part="save">${text.saveQuietHours}</button>
    </form>`;
  }

  override render() {
    const text = this.#text;
    const categories = this.categories;
    const channels = categories ? channelsOf(categories) : [];
    const digests = categories ? digestChannelsOf(categories) : [];
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
            }
            ${digests.map((channel) => this.#renderDigests(categories, channel, channelName(channel)))}
            ${this.quiet ? this.#renderQuietHours(this.quiet, channels, channelName) : nothing}`
          : nothing
      }
      <p class="message" part="message" role="status">${this.message}</p>
    </section>`;
  }

  static override styles = preferencesStyles;
}

declare global {
  interface HTMLElementTagNameMap {
    'notification-preferences': NotificationPreferences;
  }
}
