// Which deliveries a new notification gets outside the app, decided before it is stored so that they are
// queued in its transaction (delivery_enqueue): one read for every recipient of an event, however many, and
// every configured channel. A push delivery is one per notification, whatever the number of devices: the
// push task sends to each device the user has when it runs.
import type { Database } from '../db.js';
import { Prisma } from '../generated/prisma/client.js';
import type { NotificationPriority } from '../generated/prisma/enums.js';
import type { EventType } from '../producers/event-types.js';
import { wantsChannel } from './channel-choice.js';
import { type PlannedHold, plannedHold, readPolicies } from './policies.js';

export type Channel = 'EMAIL' | 'PUSH';
/** Why a delivery was not attempted. */
export type SkipReason = 'NO_ADDRESS' | 'NO_SUBSCRIPTION' | 'MUTED';

export interface PlannedDelivery extends PlannedHold {
  channel: Channel;
  /** Null: queue it (or hold it, per delayMs and digestMs); otherwise record it SKIPPED for this reason. */
  skip: SkipReason | null;
}

/** Per recipient, the deliveries to record with their notification, and the event data their templates render. */
export interface DeliveryPlan {
  byUser: ReadonlyMap<string, PlannedDelivery[]>;
  data: unknown;
  /** Its notification is scheduled: the deliveries wait for its sendAt, with no job until then. */
  scheduled?: boolean;
}

interface Row {
  user_id: string;
  email: string | null;
  email_on: string[] | null;
  email_off: string[] | null;
  push_on: string[] | null;
  push_off: string[] | null;
  channel_policies: unknown;
  has_device: boolean;
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
    priority: NotificationPriority = 'NORMAL',
  ): Promise<DeliveryPlan | undefined> {
    if (this.channels.length === 0 || userIds.length === 0) return undefined;
    const email = this.channels.includes('EMAIL');
    const push = this.channels.includes('PUSH');
    const rows = await this.db.$queryRaw<Row[]>`
      SELECT u.user_id, r.email, p.email_on, p.email_off, p.push_on, p.push_off, p.channel_policies,
        ${push ? Prisma.sql`EXISTS (SELECT FROM push_subscriptions AS s WHERE s.user_id = u.user_id)` : Prisma.sql`false`} AS has_device
      FROM unnest(${[...userIds]}::varchar[]) AS u (user_id)
      LEFT JOIN recipients AS r USING (user_id)
      LEFT JOIN notification_preferences AS p USING (user_id)`;
    const byUser = new Map<string, PlannedDelivery[]>();
    for (const row of rows) {
      const choices = {
        emailOn: row.email_on ?? [],
        emailOff: row.email_off ?? [],
        pushOn: row.push_on ?? [],
        pushOff: row.push_off ?? [],
      };
      const policies = readPolicies(row.channel_policies);
      const planned: PlannedDelivery[] = [];
      if (email) {
        const skip = !wantsChannel('email', eventType, category, choices) ? 'MUTED' : !row.email ? 'NO_ADDRESS' : null;
        planned.push({ channel: 'EMAIL', skip, ...plannedHold(policies, category, 'EMAIL', priority) });
      }
      if (push) {
        const skip = !wantsChannel('push', eventType, category, choices)
          ? 'MUTED'
          : !row.has_device
            ? 'NO_SUBSCRIPTION'
            : null;
        planned.push({ channel: 'PUSH', skip, ...plannedHold(policies, category, 'PUSH', priority) });
      }
      byUser.set(row.user_id, planned);
    }
    return { byUser, data: data ?? {} };
  }
}

/** The channel of each delivery the plan records SKIPPED at once for these recipients (one entry per delivery). */
export function skippedAtOnce(plan: DeliveryPlan | undefined, userIds: readonly string[]): Channel[] {
  if (!plan) return [];
  return userIds.flatMap((userId) =>
    (plan.byUser.get(userId) ?? []).filter((planned) => planned.skip !== null).map((planned) => planned.channel),
  );
}
