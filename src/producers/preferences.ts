// Which categories each user wants in the app. Everything is on until they say otherwise; critical events
// (security alerts) come regardless, so their category cannot be turned off.
import type { Database } from '../db.js';
import { badUserInput } from '../errors.js';
import { CATEGORIES, eventTypes } from './event-types.js';

export interface CategoryPreference {
  category: string;
  inApp: boolean;
  /** Its events come whatever the user chose. */
  critical: boolean;
  /** Whether its events are emailed; null: as each event type has it by default. */
  email: boolean | null;
}

const CRITICAL = new Set<string>(
  eventTypes()
    .filter((t) => t.critical)
    .map((t) => t.category),
);

export class Preferences {
  constructor(private readonly db: Database) {}

  async get(userId: string): Promise<CategoryPreference[]> {
    const row = await this.db.notificationPreference.findUnique({ where: { userId } });
    const muted = new Set(row?.mutedCategories ?? []);
    const email = (category: string) =>
      CRITICAL.has(category) || row?.emailOn.includes(category)
        ? true
        : row?.emailOff.includes(category)
          ? false
          : null;
    return CATEGORIES.map((category) => ({
      category,
      inApp: !muted.has(category),
      critical: CRITICAL.has(category),
      email: email(category),
    }));
  }

  async update(
    userId: string,
    changes: ReadonlyArray<{ category: string; inApp?: boolean | null; email?: boolean | null }>,
  ): Promise<CategoryPreference[]> {
    for (const [i, { category, inApp, email }] of changes.entries()) {
      if (!(CATEGORIES as readonly string[]).includes(category)) {
        throw badUserInput(`categories.${i}.category`, `must be one of ${CATEGORIES.join(', ')}`);
      }
      if (inApp === false && CRITICAL.has(category))
        throw badUserInput(`categories.${i}.inApp`, `${category} cannot be turned off`);
      if (email === false && CRITICAL.has(category))
        throw badUserInput(`categories.${i}.email`, `${category} cannot be turned off`);
    }
    const current = await this.db.notificationPreference.findUnique({ where: { userId } });
    const muted = new Set(current?.mutedCategories ?? []);
    const emailOn = new Set(current?.emailOn ?? []);
    const emailOff = new Set(current?.emailOff ?? []);
    for (const { category, inApp, email } of changes) {
      if (inApp === true) muted.delete(category);
      else if (inApp === false) muted.add(category);
      if (email === true) {
        emailOn.add(category);
        emailOff.delete(category);
      } else if (email === false) {
        emailOff.add(category);
        emailOn.delete(category);
      }
    }
    const data = { mutedCategories: [...muted].sort(), emailOn: [...emailOn].sort(), emailOff: [...emailOff].sort() };
    await this.db.notificationPreference.upsert({ where: { userId }, create: { userId, ...data }, update: data });
    return this.get(userId);
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
