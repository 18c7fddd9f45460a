// The intake's two Redis connections (src/redis.ts): a blocking XREADGROUP holds its connection until it
// returns, so reads get one of their own, and everything else (claims, acks, dead letters, heartbeats) goes
// through the instance's commands connection.
import type { Redis } from 'ioredis';
import type { RedisConnections } from '../redis.js';

export interface IntakeConnections {
  reader: Redis;
  commands: Redis;
  /** Waits until both connections are up, or `timeoutMs`, whichever first. */
  ready(timeoutMs: number): Promise<void>;
}

export function intakeConnections(redis: RedisConnections): IntakeConnections {
  const reader = redis.get('intake-reader');
  const commands = redis.get('intake-commands');
  return { reader, commands, ready: (timeoutMs) => allReady([reader, commands], timeoutMs) };
}

function allReady(clients: Redis[], timeoutMs: number): Promise<void> {
  const pending = clients.filter((client) => client.status !== 'ready');
  if (pending.length === 0) return Promise.resolve();
  return new Promise((resolve) => {
    let left = pending.length;
    const onReady = () => {
      if (--left === 0) done();
    };
    const timer = setTimeout(done, timeoutMs);
    function done() {
      clearTimeout(timer);
      for (const client of pending) client.off('ready', onReady);
      resolve();
    }
    for (const client of pending) client.once('ready', onReady);
  });
}
