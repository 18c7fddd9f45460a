// One entry's delivery alone, against the real Redis, with publishers that succeed or fail as told: when the
// entry is acknowledged, left pending for a retry, or dead-lettered, and what is counted and logged.
import { describe, expect, it } from 'vitest';
import { type DeliveryResult, entryDelivery } from '../../src/intake/delivery.js';
import { entriesOf, type StreamEntry } from '../../src/intake/stream-entries.js';
import { PUBLISH_OUTCOMES, type PublishInput, type PublishReport } from '../../src/producers/publishing.js';
import { readStream, sendEvent } from '../helpers/event-stream.js';
import { captureLog } from '../helpers/log-capture.js';
import { type PartsConfig, pendingRows, redis, streamWithGroup, warning } from './parts.js';

const CONSUMER = 'deliverer';

const created = (): PublishReport => ({
  results: [],
  tally: {
    ...Object.fromEntries(PUBLISH_OUTCOMES.map((outcome) => [outcome, 0])),
    CREATED: 1,
  } as PublishReport['tally'],
});
const unreachable = () => Object.assign(new Error("Can't reach database server"), { code: 'P1001' });

function delivery(config: PartsConfig, publish: (input: PublishInput) => Promise<PublishReport>) {
  const log = captureLog();
  const counted: DeliveryResult[] = [];
  const parts = entryDelivery({
    redis,
    config,
    consumer: CONSUMER,
    publishing: { publish },
    log: log.logger,
    count: (result) => counted.push(result),
  });
  return { ...parts, log, counted };
}

/** An entry read by this consumer for the first time: pending, as the reader hands it over. */
async function readEntry(config: PartsConfig, event: unknown = warning('hello')): Promise<StreamEntry> {
  await sendEvent(redis, config.stream, event);
  const reply = (await redis.xreadgroup(
    'GROUP',
    config.group,
    CONSUMER,
    'COUNT',
    1,
    'STREAMS',
    config.stream,
    '>',
  )) as Array<[string, unknown]> | null;
  return entriesOf(reply![0]![1])[0]!;
}

describe('the delivery of one entry', () => {
  it('should acknowledge an entry once published, and count it published', async () => {
    const config = await streamWithGroup();
    const entry = await readEntry(config);
    const published: PublishInput[] = [];
    const { deliver, log, counted } = delivery(config, async (input) => {
      published.push(input);
      return created();
    });

    expect(await deliver(entry, 1)).toBe('published');

    expect(published).toMatchObject([
      { type: 'system.warning', recipients: ['u'], idempotencyKey: `stream:${entry.id}` },
    ]);
    expect(await pendingRows(config)).toEqual([]);
    expect(counted).toEqual(['published']);
    expect(log.entries.find((line) => line.msg === 'stream event published')).toMatchObject({
      entryId: entry.id,
      attempts: 1,
      tally: { CREATED: 1 },
    });
  });

  it('should leave an entry that failed pending for a retry, after the backoff of its delivery count', async () => {
    const config = await streamWithGroup({ backoffBaseMs: 100, backoffMaxMs: 1000, maxAttempts: 5 });
    const entry = await readEntry(config);
    const { deliver, log, counted } = delivery(config, async () => {
      throw unreachable();
    });

    expect(await deliver(entry, 3)).toBe('retried');

    expect((await pendingRows(config)).map((row) => [row.id, row.consumer])).toEqual([[entry.id, CONSUMER]]);
    expect(await redis.xlen(config.deadLetterStream)).toBe(0);
    expect(counted).toEqual(['retried']);
    expect(log.entries.find((line) => line.msg === 'stream event failed; retrying after backoff')).toMatchObject({
      entryId: entry.id,
      attempts: 3,
      retryInMs: 400,
    });
  });

  it('should dead-letter an entry when its last allowed attempt fails', async () => {
    const config = await streamWithGroup({ maxAttempts: 3 });
    const entry = await readEntry(config);
    const { deliver, counted } = delivery(config, async () => {
      throw unreachable();
    });

    expect(await deliver(entry, 3)).toBe('dead_lettered');

    expect(await pendingRows(config)).toEqual([]);
    const [dead] = await readStream(redis, config.deadLetterStream);
    expect(dead!.fields).toMatchObject({ entryId: entry.id, code: 'P1001', attempts: '3', consumer: CONSUMER });
    expect(counted).toEqual(['dead_lettered']);
  });

  it('should dead-letter an event that cannot be right at its first attempt, without publishing it', async () => {
    const config = await streamWithGroup();
    const entry = await readEntry(config, '{"type": "system.warning", "recip');
    let publishes = 0;
    const { deliver } = delivery(config, async () => {
      publishes++;
      return created();
    });

    expect(await deliver(entry, 1)).toBe('dead_lettered');

    expect(publishes).toBe(0);
    const [dead] = await readStream(redis, config.deadLetterStream);
    expect(dead!.fields).toMatchObject({ entryId: entry.id, code: 'BAD_USER_INPUT', field: 'event', attempts: '1' });
    expect(await pendingRows(config)).toEqual([]);
  });

  it('should redeliver a reclaimed entry as its next attempt', async () => {
    const config = await streamWithGroup({ maxAttempts: 5 });
    const entry = await readEntry(config);
    const { redeliver, log } = delivery(config, async () => created());

    expect(await redeliver(entry, { id: entry.id, consumer: 'died', idleMs: 5000, deliveries: 2 })).toBe('published');

    expect(log.entries.find((line) => line.msg === 'stream event published')).toMatchObject({ attempts: 3 });
  });

  it('should dead-letter a reclaimed entry delivered as often as allowed, naming its last holder', async () => {
    const config = await streamWithGroup({ maxAttempts: 5 });
    const entry = await readEntry(config);
    let publishes = 0;
    const { redeliver, counted } = delivery(config, async () => {
      publishes++;
      return created();
    });

    expect(await redeliver(entry, { id: entry.id, consumer: 'died-5', idleMs: 5000, deliveries: 5 })).toBe(
      'dead_lettered',
    );

    expect(publishes).toBe(0);
    const [dead] = await readStream(redis, config.deadLetterStream);
    expect(dead!.fields).toMatchObject({ entryId: entry.id, code: 'UNACKNOWLEDGED', attempts: '5' });
    expect(dead!.fields.reason).toContain('died-5');
    expect(await pendingRows(config)).toEqual([]);
    expect(counted).toEqual(['dead_lettered']);
  });
});
