// Which deliveries a new notification gets outside the app, decided before it is stored so that they are
// queued in its transaction (delivery_enqueue): one read for every recipient of an event, however many.
import type { Database } from '../db.js';
import type { EventType } from '../producers/event-types.js';
import { wantsEmail } from './email-choice.js';

export type Channel = 'EMAIL';
/** Why a delivery was not attempted. */
export type SkipReason = 'NO_ADDRESS' | 'MUTED';

export interface PlannedDelivery {
  channel: Channel;
  /** Null: queue it; otherwise record it SKIPPED for this reason. */
  skip: SkipReason | null;
}

/** Per recipient, the deliveries to record with their notification, and the event data their templates render. */
export interface DeliveryPlan {
  byUser: ReadonlyMap<string, PlannedDelivery[]>;
  data: unknown;
}

export class DeliveryPlanner {
  constructor(
    private readonly db: Database,
    /** The channels configured on this server; none: nothing is planned and nothing is read. */
    private readonly channels: readonly Channel[],
  ) {}

  async plan(
    userIds: readonly string[],
    eventType: EventType | undefined,
    category: string | null,
    data: unknown,
  ): Promise<DeliveryPlan | undefined> {
    if (!this.channels.includes('EMAIL') || userIds.length === 0) return undefined;
    const rows = await this.db.$queryRaw<
      Array<{ user_id: string; email: string | null; email_on: string[] | null; email_off: string[] | null }>
    >`
      SELECT u.user_id, r.email, p.email_on, p.email_off
      FROM unnest(${[...userIds]}::varchar[]) AS u (user_id)
      LEFT JOIN recipients AS r USING (user_id)
      LEFT JOIN notification_preferences AS p USING (user_id)`;
    const byUser = new Map<string, PlannedDelivery[]>();
    for (const row of rows) {
      const choices = { emailOn: row.email_on ?? [], emailOff: row.email_off ?? [] };
      const skip = !wantsEmail(eventType, category, choices) ? 'MUTED' : !row.email ? 'NO_ADDRESS' : null;
      byUser.set(row.user_id, [{ channel: 'EMAIL', skip }]);
    }
    return { byUser, data: data ?? {} };
  }
}
