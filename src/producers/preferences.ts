// What each user wants, as a matrix of categories × channels (in the app, email, push). In the app everything
// is on until they turn a category off (a category off in the app gets no notification, so nothing on any
// channel). By email and push, a category they said nothing about follows each event type's default
// (transcription.completed: pushed, not emailed). Critical events (security alerts) come on every channel
// regardless, so their category cannot be turned off anywhere.

import type { Database } from '../db.js';
import { type ChannelChoices, type ChoosableChannel, channelDefault, chosen } from '../delivery/channel-choice.js';
import { type ChannelPolicies, type PolicyChannel, policyOf, readPolicies } from '../delivery/policies.js';
import { formatClock, parseClock } from '../delivery/quiet-hours.js';
import { badUserInput } from '../errors.js';
import type { Prisma } from '../generated/prisma/client.js';
import type { DeliveryChannel } from '../generated/prisma/enums.js';
import { checkTimeZone } from '../recipients/service.js';
import { CATEGORIES, type EventType, eventTypes } from './event-types.js';

/** Whether an event type reaches the user on each channel. */
export interface ChannelSwitches {
  inApp: boolean;
  email: boolean;
  push: boolean;
}

export interface EventTypePreference extends ChannelSwitches {
  eventType: string;
}

export interface CategoryPreference {
  category: string;
  inApp: boolean;
  /** Its events come whatever the user chose. */
  critical: boolean;
  /** Whether its events are emailed; null: as each event type has it by default. */
  email: boolean | null;
  /** Whether its events are pushed to the user's devices; null: as each event type has it by default. */
  push: boolean | null;
  /** What the choices above mean for each of its event types. */
  eventTypes: EventTypePreference[];
  emailPolicy: ChannelPolicyView;
  pushPolicy: ChannelPolicyView;
}

/** How a category's deliveries on a channel wait (seconds; 0: not at all). URGENT ones never wait. */
export interface ChannelPolicyView {
  /** Read-before-send: sent this long after the notification, unless it was read, archived or deleted by then. */
  delaySeconds: number;
  /** The digest window: what comes within it goes out as one message at its end. */
  digestSeconds: number;
}

export interface ChannelPolicyChange {
  delaySeconds?: number | null;
  digestSeconds?: number | null;
}

export interface CategoryPreferenceChange {
  category: string;
  inApp?: boolean | null;
  email?: boolean | null;
  push?: boolean | null;
  emailPolicy?: ChannelPolicyChange | null;
  pushPolicy?: ChannelPolicyChange | null;
}

/** When the user wants no email or push (in the app everything still arrives), in their time zone. */
export interface QuietHoursView {
  /** "22:00" (or "22:00:30"): local time. */
  start: string;
  end: string;
  channels: DeliveryChannel[];
}

export interface DeliverySchedule {
  /** Null: none. */
  quietHours: QuietHoursView | null;
  /** The user's own time zone for quiet hours; null: their recipient profile's, else UTC. */
  timeZone: string | null;
}

/** What updateNotificationPreferences changes besides the categories; undefined: unchanged, null: cleared. */
export interface DeliveryScheduleChange {
  quietHours?: QuietHoursView | null | undefined;
  timeZone?: string | null | undefined;
}

interface CheckedSchedule {
  quiet?: { quietStart: number | null; quietEnd: number | null; quietChannels: DeliveryChannel[] };
  timeZone?: string | null;
}

/** The longest a delay or a digest window may be: a day. */
export const MAX_HOLD_SECONDS = 86_400;

const POLICY_FIELDS = [
  ['emailPolicy', 'EMAIL'],
  ['pushPolicy', 'PUSH'],
] as const satisfies ReadonlyArray<readonly [string, PolicyChannel]>;

const CRITICAL = new Set<string>(
  eventTypes()
    .filter((t) => t.critical)
    .map((t) => t.category),
);

const CHANNELS: readonly ChoosableChannel[] = ['email', 'push'];

/** Each event type's channels for a user who chose nothing. */
export function channelDefaults(eventType: EventType): ChannelSwitches {
  return { inApp: true, email: channelDefault(eventType, 'email'), push: channelDefault(eventType, 'push') };
}

const NO_CHOICES: ChannelChoices = { emailOn: [], emailOff: [], pushOn: [], pushOff: [] };

export class Preferences {
  constructor(private readonly db: Database) {}

  async get(userId: string): Promise<CategoryPreference[]> {
    const row = await this.db.notificationPreference.findUnique({ where: { userId } });
    const muted = new Set(row?.mutedCategories ?? []);
    const choices = row ?? NO_CHOICES;
    const policies = readPolicies(row?.channelPolicies);
    const view = (category: string, channel: PolicyChannel): ChannelPolicyView => {
      const { delay = 0, digest = 0 } = policyOf(policies, category, channel);
      return { delaySeconds: delay, digestSeconds: digest };
    };
    return CATEGORIES.map((category) => {
      const critical = CRITICAL.has(category);
      const inApp = !muted.has(category);
      const email = critical ? true : chosen(choices, 'email', category);
      const push = critical ? true : chosen(choices, 'push', category);
      return {
        category,
        inApp,
        critical,
        email,
        push,
        emailPolicy: view(category, 'EMAIL'),
        pushPolicy: view(category, 'PUSH'),
        eventTypes: eventTypes()
          .filter((t) => t.category === category)
          .map((t) => {
            const reaches = t.critical || inApp;
            return {
              eventType: t.name,
              inApp: reaches,
              email: reaches && (email ?? channelDefault(t, 'email')),
              push: reaches && (push ?? channelDefault(t, 'push')),
            };
          }),
      };
    });
  }

  async update(userId: string, changes: readonly CategoryPreferenceChange[]): Promise<CategoryPreference[]> {
    for (const [i, change] of changes.entries()) {
      if (!(CATEGORIES as readonly string[]).includes(change.category)) {
        throw badUserInput(`categories.${i}.category`, `must be one of ${CATEGORIES.join(', ')}`);
      }
      for (const [field] of POLICY_FIELDS) {
        for (const key of ['delaySeconds', 'digestSeconds'] as const) {
          const value = change[field]?.[key];
          if (value != null && (!Number.isInteger(value) || value < 0 || value > MAX_HOLD_SECONDS))
            throw badUserInput(`categories.${i}.${field}.${key}`, `must be 0 to ${MAX_HOLD_SECONDS} seconds`);
        }
      }
      for (const channel of ['inApp', ...CHANNELS] as const) {
        if (change[channel] === false && CRITICAL.has(change.category))
          throw badUserInput(`categories.${i}.${channel}`, `${change.category} cannot be turned off`);
      }
    }
    const current = await this.db.notificationPreference.findUnique({ where: { userId } });
    const muted = new Set(current?.mutedCategories ?? []);
    const lists = {
      email: { on: new Set(current?.emailOn ?? []), off: new Set(current?.emailOff ?? []) },
      push: { on: new Set(current?.pushOn ?? []), off: new Set(current?.pushOff ?? []) },
    };
    for (const change of changes) {
      if (change.inApp === true) muted.delete(change.category);
      else if (change.inApp === false) muted.add(change.category);
      for (const channel of CHANNELS) {
        const value = change[channel];
        if (value === true || value === false) {
          lists[channel][value ? 'on' : 'off'].add(change.category);
          lists[channel][value ? 'off' : 'on'].delete(change.category);
        }
      }
    }
    const policies: ChannelPolicies = structuredClone(readPolicies(current?.channelPolicies));
    for (const change of changes) {
      for (const [field, channel] of POLICY_FIELDS) {
        const policy = change[field];
        if (!policy) continue;
        const cell = { ...(policies[change.category]?.[channel] ?? {}) };
        if (policy.delaySeconds != null) cell.delay = policy.delaySeconds;
        if (policy.digestSeconds != null) cell.digest = policy.digestSeconds;
        policies[change.category] = { ...(policies[change.category] ?? {}), [channel]: cell };
      }
    }
    const sorted = (set: Set<string>) => [...set].sort();
    const data = {
      mutedCategories: sorted(muted),
      emailOn: sorted(lists.email.on),
      emailOff: sorted(lists.email.off),
      pushOn: sorted(lists.push.on),
      pushOff: sorted(lists.push.off),
      channelPolicies: policies as Prisma.InputJsonObject,
    };
    await this.db.notificationPreference.upsert({ where: { userId }, create: { userId, ...data }, update: data });
    return this.get(userId);
  }

  async schedule(userId: string): Promise<DeliverySchedule> {
    const row = await this.db.notificationPreference.findUnique({ where: { userId } });
    const on = row && row.quietStart != null && row.quietEnd != null && row.quietStart !== row.quietEnd;
    return {
      quietHours: on
        ? { start: formatClock(row.quietStart!), end: formatClock(row.quietEnd!), channels: row.quietChannels }
        : null,
      timeZone: row?.timeZone ?? null,
    };
  }

  /** The change, checked (BAD_USER_INPUT naming the field otherwise), ready for saveSchedule. */
  checkSchedule(change: DeliveryScheduleChange): CheckedSchedule {
    const checked: CheckedSchedule = {};
    if (change.quietHours === null) checked.quiet = { quietStart: null, quietEnd: null, quietChannels: [] };
    else if (change.quietHours) {
      const { start, end, channels } = change.quietHours;
      const quietStart = parseClock(start);
      const quietEnd = parseClock(end);
      if (quietStart === undefined)
        throw badUserInput('quietHours.start', 'must be a local time, "HH:MM" or "HH:MM:SS"');
      if (quietEnd === undefined) throw badUserInput('quietHours.end', 'must be a local time, "HH:MM" or "HH:MM:SS"');
      checked.quiet = { quietStart, quietEnd, quietChannels: [...new Set(channels)].sort() };
    }
    if (change.timeZone === null) checked.timeZone = null;
    else if (change.timeZone !== undefined) checked.timeZone = checkTimeZone(change.timeZone.trim());
    return checked;
  }

  async saveSchedule(userId: string, { quiet, timeZone }: CheckedSchedule): Promise<void> {
    const data = { ...(quiet ?? {}), ...(timeZone !== undefined ? { timeZone } : {}) };
    if (Object.keys(data).length === 0) return;
    await this.db.notificationPreference.upsert({ where: { userId }, create: { userId, ...data }, update: data });
  }

  /** Turns email off for one category (the unsubscribe link); false when the category cannot be muted. */
  async muteEmail(userId: string, category: string): Promise<boolean> {
    if (CRITICAL.has(category) || !(CATEGORIES as readonly string[]).includes(category)) return false;
    // One statement: two clicks at once both end with the category off, once.
    await this.db.$executeRaw`
      INSERT INTO notification_preferences (user_id, email_off, updated_at) VALUES (${userId}, ARRAY[${category}]::varchar[], now())
      ON CONFLICT (user_id) DO UPDATE SET
        email_off = (SELECT array_agg(DISTINCT c ORDER BY c) FROM unnest(notification_preferences.email_off || ${category}::varchar) AS c),
        email_on = array_remove(notification_preferences.email_on, ${category}::varchar), updated_at = now()`;
    return true;
  }

  /** Those of `userIds` who turned `category` off. */
  async mutedAmong(userIds: readonly string[], category: string): Promise<Set<string>> {
    const rows = await this.db.notificationPreference.findMany({
      where: { userId: { in: [...userIds] }, mutedCategories: { has: category } },
      select: { userId: true },
    });
    return new Set(rows.map((row) => row.userId));
  }
}
