// The reader of new entries alone, against the real Redis: each new entry delivered once, in order, as a
// first attempt; stopping finishes the entry in hand and leaves the rest of the batch pending.
import { afterEach, describe, expect, it } from 'vitest';
import { type InHand, inHandHeartbeat } from '../../src/intake/in-hand.js';
import { readNew } from '../../src/intake/reader.js';
import { sendEvent } from '../helpers/event-stream.js';
import { type PartsConfig, pendingRows, redis, streamWithGroup, warning } from './parts.js';

const heartbeats: InHand[] = [];
afterEach(() => {
  for (const heartbeat of heartbeats.splice(0)) heartbeat.stop();
});

async function read(config: PartsConfig, deliver: (id: string, attempts: number) => void, signal: AbortSignal) {
  const inHand = inHandHeartbeat(redis, { ...config, consumer: 'reader' });
  heartbeats.push(inHand);
  await readNew({
    redis,
    config,
    consumer: 'reader',
    inHand,
    signal,
    deliver: async (entry, attempts) => deliver(entry.id, attempts),
  });
}

describe('the reader of new entries', () => {
  it('should deliver each new entry once, in order, as its first attempt', async () => {
    const config = await streamWithGroup({ blockMs: 100 });
    const ids: string[] = [];
    for (let i = 0; i < 3; i++) ids.push(await sendEvent(redis, config.stream, warning(`event ${i}`)));
    const delivered: Array<[string, number]> = [];

    await read(config, (id, attempts) => delivered.push([id, attempts]), new AbortController().signal);
    await read(config, (id, attempts) => delivered.push([id, attempts]), new AbortController().signal);

    expect(delivered).toEqual(ids.map((id) => [id, 1]));
  });

  it('should finish the entry in hand when stopped, and leave the rest of its batch pending', async () => {
    const config = await streamWithGroup();
    const ids: string[] = [];
    for (let i = 0; i < 3; i++) ids.push(await sendEvent(redis, config.stream, warning(`event ${i}`)));
    const stopping = new AbortController();
    const delivered: string[] = [];

    await read(
      config,
      (id) => {
        delivered.push(id);
        stopping.abort();
      },
      stopping.signal,
    );

    expect(delivered).toEqual([ids[0]]);
    // Nothing acknowledges here (that is the delivery's job): all three pending, the two left for others.
    expect((await pendingRows(config)).map((row) => [row.id, row.consumer, row.deliveries])).toEqual(
      ids.map((id) => [id, 'reader', 1]),
    );
  });

  it('should wait for new entries no longer than the first backoff, so that retries keep their schedule', async () => {
    const config = await streamWithGroup({ blockMs: 30_000, backoffBaseMs: 200 });
    const startedAt = Date.now();

    await read(config, () => {}, new AbortController().signal);

    expect(Date.now() - startedAt).toBeLessThan(10_000);
  });
});
