// The reclaimer alone, against the real Redis: which pending entries it claims (those idle past the backoff
// of their own delivery count), which it leaves alone, and that two instances never both get one.
import { afterEach, describe, expect, it } from 'vitest';
import { type InHand, inHandHeartbeat } from '../../src/intake/in-hand.js';
import { reclaimDue } from '../../src/intake/reclaimer.js';
import type { PendingEntry, StreamEntry } from '../../src/intake/stream-entries.js';
import { type PartsConfig, pendingEntry, pendingRows, redis, streamWithGroup } from './parts.js';

const heartbeats: InHand[] = [];
afterEach(() => {
  for (const heartbeat of heartbeats.splice(0)) heartbeat.stop();
});

/** One pass of a reclaimer named `consumer`; what it redelivered, with the row it was given. */
async function pass(
  config: PartsConfig,
  consumer = 'reclaimer',
  redeliver: (entry: StreamEntry, pending: PendingEntry) => Promise<unknown> = async () => {},
  signal = new AbortController().signal,
) {
  const inHand = inHandHeartbeat(redis, { ...config, consumer });
  heartbeats.push(inHand);
  const redelivered: Array<{ entry: StreamEntry; pending: PendingEntry }> = [];
  const claimed = await reclaimDue({
    redis,
    config,
    consumer,
    inHand,
    signal,
    redeliver: async (entry, pending) => {
      redelivered.push({ entry, pending });
      await redeliver(entry, pending);
    },
  });
  return { claimed, redelivered };
}

describe('the reclaimer of pending entries', () => {
  it('should claim the entries idle past the backoff of their delivery count, with their row from before', async () => {
    const config = await streamWithGroup({ backoffBaseMs: 1000, backoffMaxMs: 60_000 });
    // Backoffs: 1 s after one delivery, 2 s after two, capped at 60 s.
    const once = await pendingEntry(config, { owner: 'died', deliveries: 1, idleMs: 1500 });
    const twice = await pendingEntry(config, { owner: 'failed', deliveries: 2, idleMs: 2500 });
    const often = await pendingEntry(config, { owner: 'died', deliveries: 20, idleMs: 61_000 });

    const { claimed, redelivered } = await pass(config);

    expect(claimed).toBe(3);
    expect(redelivered.map(({ entry }) => entry.id)).toEqual([once, twice, often]);
    expect(redelivered.map(({ pending }) => [pending.consumer, pending.deliveries])).toEqual([
      ['died', 1],
      ['failed', 2],
      ['died', 20],
    ]);
    expect(redelivered[0]!.entry.fields.event).toContain('pending for died');
    // Claimed: now ours, and delivered once more (acknowledging is the delivery's job, not done here).
    expect((await pendingRows(config)).map((row) => [row.consumer, row.deliveries])).toEqual([
      ['reclaimer', 2],
      ['reclaimer', 3],
      ['reclaimer', 21],
    ]);
  });

  it('should leave an entry alone, its owner, count and idle time untouched, until its own backoff has passed', async () => {
    const config = await streamWithGroup({ backoffBaseMs: 1000, backoffMaxMs: 60_000 });
    // Idle past the first backoff (which one XAUTOCLAIM with the smallest backoff would claim), not past its
    // own: 4 s after three deliveries.
    const early = await pendingEntry(config, { owner: 'failed', deliveries: 3, idleMs: 2500 });
    const fresh = await pendingEntry(config, { owner: 'alive', deliveries: 1, idleMs: 200 });

    const { claimed, redelivered } = await pass(config);

    expect(claimed).toBe(0);
    expect(redelivered).toEqual([]);
    const rows = await pendingRows(config);
    expect(rows.map((row) => [row.id, row.consumer, row.deliveries])).toEqual([
      [early, 'failed', 3],
      [fresh, 'alive', 1],
    ]);
    expect(rows[0]!.idleMs).toBeGreaterThanOrEqual(2500);
  });

  it('should forget an entry deleted from the stream since, redelivering nothing', async () => {
    const config = await streamWithGroup();
    const deleted = await pendingEntry(config, { owner: 'died', deliveries: 1, idleMs: 5000 });
    await redis.xdel(config.stream, deleted);

    const { claimed, redelivered } = await pass(config);

    expect(claimed).toBe(0);
    expect(redelivered).toEqual([]);
    expect(await pendingRows(config)).toEqual([]);
  });

  it('should claim at most a batch per pass, the oldest first', async () => {
    const config = await streamWithGroup({ batchSize: 3 });
    const ids: string[] = [];
    for (let i = 0; i < 5; i++) ids.push(await pendingEntry(config, { owner: 'died', deliveries: 1, idleMs: 5000 }));

    const first = await pass(config);
    const second = await pass(config);

    expect(first.redelivered.map(({ entry }) => entry.id)).toEqual(ids.slice(0, 3));
    // The three claimed are ours now and not idle: the next pass takes the other two.
    expect(second.redelivered.map(({ entry }) => entry.id)).toEqual(ids.slice(3));
  });

  it('should finish the entry in hand when stopped, and claim no further one', async () => {
    const config = await streamWithGroup();
    const ids: string[] = [];
    for (let i = 0; i < 3; i++) ids.push(await pendingEntry(config, { owner: 'died', deliveries: 1, idleMs: 5000 }));
    const stopping = new AbortController();

    const { claimed, redelivered } = await pass(config, 'reclaimer', async () => stopping.abort(), stopping.signal);

    expect(claimed).toBe(1);
    expect(redelivered.map(({ entry }) => entry.id)).toEqual([ids[0]]);
    expect((await pendingRows(config)).map((row) => row.consumer)).toEqual(['reclaimer', 'died', 'died']);
  });

  it('should give each due entry to only one of two instances racing for it', async () => {
    const config = await streamWithGroup({ batchSize: 100 });
    const total = 30;
    for (let i = 0; i < total; i++) await pendingEntry(config, { owner: 'died', deliveries: 1, idleMs: 5000 });
    const pause = () => new Promise((resolve) => setImmediate(resolve));

    const passes = await Promise.all([pass(config, 'one', pause), pass(config, 'two', pause)]);

    const ids = passes.flatMap(({ redelivered }) => redelivered.map(({ entry }) => entry.id));
    expect(ids).toHaveLength(total);
    expect(new Set(ids).size).toBe(total);
    const owners = new Set((await pendingRows(config)).map((row) => row.consumer));
    expect([...owners].every((owner) => owner === 'one' || owner === 'two')).toBe(true);
    console.log(`reclaimer: ${total} due entries raced for: ${passes.map((p) => p.claimed).join(' + ')}, none twice`);
  });
});
