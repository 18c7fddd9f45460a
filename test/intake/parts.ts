// For the tests of the intake's parts one by one: a stream of this run's Redis prefix with its group, and
// pending entries in any state (owner, delivery count, idle time), made at once with XCLAIM's options.
import type { Redis } from 'ioredis';
import { afterAll } from 'vitest';
import type { IntakeConfig } from '../../src/config.js';
import { INTAKE_GROUP, newTestStream, sendEvent } from '../helpers/event-stream.js';
import { redisClient } from '../helpers/redis.js';

export const redis: Redis = redisClient();
afterAll(() => redis.quit());

export type PartsConfig = Omit<IntakeConfig, 'enabled'>;

/** A new stream with its group, and an intake configuration reading it. */
export async function streamWithGroup(overrides: Partial<PartsConfig> = {}): Promise<PartsConfig> {
  const stream = newTestStream();
  await redis.xgroup('CREATE', stream.key, INTAKE_GROUP, '$', 'MKSTREAM');
  return {
    stream: stream.key,
    deadLetterStream: stream.dead,
    group: INTAKE_GROUP,
    maxAttempts: 5,
    backoffBaseMs: 1000,
    backoffMaxMs: 60_000,
    batchSize: 20,
    blockMs: 1000,
    ...overrides,
  };
}

export const warning = (message: string) => ({ type: 'system.warning', data: { message }, recipient: 'u' });

/** An entry pending for `owner`, delivered `deliveries` times, idle for `idleMs`. */
export async function pendingEntry(
  config: PartsConfig,
  { owner, deliveries, idleMs }: { owner: string; deliveries: number; idleMs: number },
): Promise<string> {
  const id = await sendEvent(redis, config.stream, warning(`pending for ${owner}`));
  await redis.xclaim(
    config.stream,
    config.group,
    owner,
    0,
    id,
    'IDLE',
    idleMs,
    'RETRYCOUNT',
    deliveries,
    'FORCE',
    'JUSTID',
  );
  return id;
}

export interface PendingRow {
  id: string;
  consumer: string;
  idleMs: number;
  deliveries: number;
}

/** The group's pending entries, the oldest first. */
export async function pendingRows(config: PartsConfig): Promise<PendingRow[]> {
  const rows = (await redis.xpending(config.stream, config.group, '-', '+', 1000)) as Array<
    [string, string, number, number]
  >;
  return rows.map(([id, consumer, idleMs, deliveries]) => ({ id, consumer, idleMs, deliveries }));
}
