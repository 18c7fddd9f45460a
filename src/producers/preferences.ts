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
    return CATEGORIES.map((category) => ({ category, inApp: !muted.has(category), critical: CRITICAL.has(category) }));
  }

  async update(
    userId: string,
    changes: ReadonlyArray<{ category: string; inApp: boolean }>,
  ): Promise<CategoryPreference[]> {
    for (const [i, { category, inApp }] of changes.entries()) {
      if (!(CATEGORIES as readonly string[]).includes(category)) {
        throw badUserInput(`categories.${i}.category`, `must be one of ${CATEGORIES.join(', ')}`);
      }
      if (!inApp && CRITICAL.has(category))
        throw badUserInput(`categories.${i}.inApp`, `${category} cannot be turned off`);
    }
    const current = await this.db.notificationPreference.findUnique({ where: { userId } });
    const muted = new Set(current?.mutedCategories ?? []);
    for (const { category, inApp } of changes) {
      if (inApp) muted.delete(category);
      else muted.add(category);
    }
    const mutedCategories = [...muted].sort();
    await this.db.notificationPreference.upsert({
      where: { userId },
      create: { userId, mutedCategories },
      update: { mutedCategories },
    });
    return this.get(userId);
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
