// What the server holds for a user's streams (open streams, leases, Redis channel subscriptions), for tests
// that check a stream released everything it held, whichever way it ended.
import type { Redis } from 'ioredis';
import { inject } from 'vitest';
import { NotificationEventsDocument } from '../generated/graphql.js';
import { scrape } from './metrics.js';
import { channelSubscribers } from './redis.js';
import { subscribe } from './subscribe.js';

export interface Holdings {
  openStreams: number;
  leases: number;
  redisSubscribers: number;
}

export const NOTHING_HELD: Holdings = { openStreams: 0, leases: 0, redisSubscribers: 0 };

/** What the server at `url` holds for the user now (the open-streams gauge counts every user's). */
export async function holdingsOf(url: string, redis: Redis, userId: string): Promise<Holdings> {
  const [scraped, leases, redisSubscribers] = await Promise.all([
    scrape(url),
    redis.zcard(`${inject('redisPrefix')}streams:${userId}`),
    channelSubscribers(redis, userId),
  ]);
  return { openStreams: scraped.value('notifications_open_streams'), leases, redisSubscribers };
}

export const holdsNothing = (holdings: Holdings) =>
  holdings.openStreams === 0 && holdings.leases === 0 && holdings.redisSubscribers === 0;

/** The user can open `cap` streams at once (their whole cap): none of their slots is still held. */
export async function canOpenCap(url: string, token: string, cap: number): Promise<void> {
  const streams = Array.from({ length: cap }, () => subscribe(url, NotificationEventsDocument, {}, { token }));
  try {
    await Promise.all(streams.map((stream) => stream.ready));
  } finally {
    await Promise.all(streams.map((stream) => stream.dispose()));
  }
}
