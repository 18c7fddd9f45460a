// The event intake seen from outside, as a producer and an operator see it: an XADD, the group's pending
// entries, the dead-letter stream. Each test gets streams of its own under this run's Redis prefix.
import { randomUUID } from 'node:crypto';
import type { Redis } from 'ioredis';
import { inject } from 'vitest';
import { scaled } from './timing.js';

export const INTAKE_GROUP = 'notification-service';

export interface TestStream {
  key: string;
  /** Where events that cannot be published end up. */
  dead: string;
  /** The environment of a server that reads this stream, retrying fast enough for a test. */
  env(overrides?: Record<string, string>): Record<string, string>;
}

export function newTestStream(): TestStream {
  const key = `${inject('redisPrefix')}events:${randomUUID()}`;
  return {
    key,
    dead: `${key}:dead`,
    env: (overrides = {}) => ({
      INTAKE: 'true',
      INTAKE_STREAM: key,
      INTAKE_BACKOFF_BASE_MS: '300',
      INTAKE_BACKOFF_MAX_MS: '2000',
      INTAKE_BLOCK_MS: '1000',
      ...overrides,
    }),
  };
}

/** What a producer in any language does: one XADD with the event as JSON in the `event` field. */
export function sendEvent(redis: Redis, stream: string, event: unknown): Promise<string> {
  const payload = typeof event === 'string' ? event : JSON.stringify(event);
  return redis.xadd(stream, '*', 'event', payload) as Promise<string>;
}

export interface StreamEntry {
  id: string;
  fields: Record<string, string>;
}

function entriesOf(reply: Array<[string, string[]]>): StreamEntry[] {
  return reply.map(([id, flat]) => {
    const fields: Record<string, string> = {};
    for (let i = 0; i + 1 < flat.length; i += 2) fields[flat[i]!] = flat[i + 1]!;
    return { id, fields };
  });
}

export async function readStream(redis: Redis, stream: string): Promise<StreamEntry[]> {
  return entriesOf(await redis.xrange(stream, '-', '+'));
}

/** How many entries the group has delivered and not yet acknowledged (0 when there is no group yet). */
export async function pendingCount(redis: Redis, stream: string): Promise<number> {
  const summary = (await redis.xpending(stream, INTAKE_GROUP).catch(() => [0])) as [number, ...unknown[]];
  return Number(summary[0]);
}

/** Whether the group has read the stream up to `lastId` and has nothing pending: every entry concluded. */
export async function allConcluded(redis: Redis, stream: string, lastId: string): Promise<boolean> {
  const groups = (await redis.xinfo('GROUPS', stream).catch(() => [])) as Array<Array<string | number>>;
  const group = groups.map(fieldsOf).find((info) => info.name === INTAKE_GROUP);
  if (!group) return false;
  return Number(group.pending) === 0 && compareIds(String(group['last-delivered-id']), lastId) >= 0;
}

const fieldsOf = (flat: Array<string | number>) => {
  const fields: Record<string, string | number> = {};
  for (let i = 0; i + 1 < flat.length; i += 2) fields[String(flat[i])] = flat[i + 1]!;
  return fields;
};

function compareIds(a: string, b: string): number {
  const [aMs = 0n, aSeq = 0n] = a.split('-').map(BigInt);
  const [bMs = 0n, bSeq = 0n] = b.split('-').map(BigInt);
  return aMs === bMs ? Number(aSeq - bSeq) : aMs < bMs ? -1 : 1;
}

/** Each pending entry with its consumer and how many times it has been delivered. */
export async function pendingEntries(
  redis: Redis,
  stream: string,
): Promise<Array<{ id: string; consumer: string; deliveries: number }>> {
  const rows = (await redis.xpending(stream, INTAKE_GROUP, '-', '+', 1000)) as Array<[string, string, number, number]>;
  return rows.map(([id, consumer, , deliveries]) => ({ id, consumer, deliveries }));
}

/**
 * Polls until `probe` returns something truthy; fails after `timeoutMs`. The default is generous and scaled to
 * the machine: a condition met returns at once, and a loaded machine (retries, job polls) must not fail it.
 */
export async function waitFor<T>(
  probe: () => Promise<T>,
  what: string,
  timeoutMs = scaled(30_000),
): Promise<NonNullable<T>> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`still waiting for ${what} after ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}
