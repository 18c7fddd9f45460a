// The heartbeat of the entries in hand alone, against the real Redis: held entries never look idle (so no
// reclaimer takes them from a live consumer), released ones age as any pending entry does.
import { afterEach, describe, expect, it } from 'vitest';
import { type InHand, inHandHeartbeat } from '../../src/intake/in-hand.js';
import { sendEvent, waitFor } from '../helpers/event-stream.js';
import { scaled } from '../helpers/timing.js';
import { type PartsConfig, pendingRows, redis, streamWithGroup, warning } from './parts.js';

const heartbeats: InHand[] = [];
afterEach(() => {
  for (const heartbeat of heartbeats.splice(0)) heartbeat.stop();
});

async function twoRead(config: PartsConfig, consumer: string): Promise<[string, string]> {
  const first = await sendEvent(redis, config.stream, warning('one'));
  const second = await sendEvent(redis, config.stream, warning('two'));
  await redis.xreadgroup('GROUP', config.group, consumer, 'COUNT', 2, 'STREAMS', config.stream, '>');
  return [first, second];
}

const idleOf = async (config: PartsConfig, id: string) =>
  (await pendingRows(config)).find((row) => row.id === id)!.idleMs;

describe('the entries in hand', () => {
  it('should keep a held entry from growing idle, and let it age once released, its delivery count unchanged', async () => {
    // A heartbeat every 20 ms.
    const config = await streamWithGroup({ backoffBaseMs: 40 });
    const [held, other] = await twoRead(config, 'c');
    const inHand = inHandHeartbeat(redis, { ...config, consumer: 'c' });
    heartbeats.push(inHand);

    inHand.hold(held);
    await waitFor(async () => (await idleOf(config, other)) >= 400, 'the other entry idle for 400 ms', scaled(10_000));
    expect(await idleOf(config, held)).toBeLessThan(400);

    inHand.release(held);
    await waitFor(
      async () => (await idleOf(config, held)) >= 400,
      'the released entry idle for 400 ms',
      scaled(10_000),
    );
    expect((await pendingRows(config)).map((row) => [row.consumer, row.deliveries])).toEqual([
      ['c', 1],
      ['c', 1],
    ]);
  });
});
