// The call of delivery_enqueue (see its migration) for notifications just written in a transaction: their
// deliveries commit with them or not at all.
import { Prisma } from '../generated/prisma/client.js';
import type { DeliveryPlan } from './planner.js';

/** The SQL expression that queues the planned deliveries of these notifications; undefined when none is planned. */
export function enqueueExpression(
  plan: DeliveryPlan | undefined,
  notifications: ReadonlyArray<{ id: string; userId: string }>,
): Prisma.Sql | undefined {
  if (!plan) return undefined;
  const ids: string[] = [];
  const channels: string[] = [];
  const reasons: Array<string | null> = [];
  const delays: number[] = [];
  const digests: number[] = [];
  for (const { id, userId } of notifications) {
    for (const planned of plan.byUser.get(userId) ?? []) {
      ids.push(id);
      channels.push(planned.channel);
      reasons.push(planned.skip);
      delays.push(planned.delayMs);
      digests.push(planned.digestMs);
    }
  }
  if (ids.length === 0) return undefined;
  return Prisma.sql`delivery_enqueue(${ids}::uuid[], ${channels}::varchar[], ${reasons}::varchar[], ${JSON.stringify(plan.data)}::jsonb,
    ${delays}::int[], ${digests}::int[], ${Boolean(plan.scheduled)})`;
}

/** Queues the planned deliveries of these notifications within `tx`. */
export async function enqueueDeliveries(
  tx: Pick<Prisma.TransactionClient, '$queryRaw'>,
  plan: DeliveryPlan | undefined,
  notifications: ReadonlyArray<{ id: string; userId: string }>,
): Promise<void> {
  const expression = enqueueExpression(plan, notifications);
  if (expression) await tx.$queryRaw`SELECT ${expression} AS queued`;
}
