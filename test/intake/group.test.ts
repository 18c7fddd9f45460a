// The consumer group alone, against the real Redis: made from the start of the stream, made again when
// Redis loses it, and left by a consumer that holds nothing.
import { describe, expect, it } from 'vitest';
import { consumerGroup, isGroupMissing } from '../../src/intake/group.js';
import { INTAKE_GROUP, newTestStream, sendEvent } from '../helpers/event-stream.js';
import { captureLog } from '../helpers/log-capture.js';
import { redis, warning } from './parts.js';

const readAs = (stream: string, consumer: string) =>
  redis.xreadgroup('GROUP', INTAKE_GROUP, consumer, 'COUNT', 10, 'STREAMS', stream, '>') as Promise<Array<
    [string, Array<[string, string[]]>]
  > | null>;

const consumersOf = async (stream: string) =>
  ((await redis.xinfo('CONSUMERS', stream, INTAKE_GROUP)) as Array<Array<string | number>>).map((info) => info[1]);

describe('the consumer group', () => {
  it('should read from the start of the stream: events sent before the service ever ran are not lost', async () => {
    const { key } = newTestStream();
    const early = await sendEvent(redis, key, warning('before'));
    const group = consumerGroup(redis, { stream: key, group: INTAKE_GROUP }, captureLog().logger);

    await group.ensure();
    await group.ensure();

    const reply = await readAs(key, 'c');
    expect(reply![0]![1].map(([id]) => id)).toEqual([early]);
  });

  it('should make the group again once Redis has lost it', async () => {
    const { key } = newTestStream();
    const log = captureLog();
    const group = consumerGroup(redis, { stream: key, group: INTAKE_GROUP }, log.logger);
    await group.ensure();
    await redis.del(key);

    const error = await readAs(key, 'c').catch((caught: unknown) => caught);
    expect(isGroupMissing(error)).toBe(true);
    group.lost();
    await group.ensure();

    const later = await sendEvent(redis, key, warning('after'));
    const reply = await readAs(key, 'c');
    expect(reply![0]![1].map(([id]) => id)).toEqual([later]);
    expect(log.entries.map((line) => line.msg)).toContain('intake consumer group missing; creating it again');
    expect(isGroupMissing(new Error('ECONNREFUSED'))).toBe(false);
  });

  it('should leave the group only when holding no entry', async () => {
    const { key } = newTestStream();
    const group = consumerGroup(redis, { stream: key, group: INTAKE_GROUP }, captureLog().logger);
    await group.ensure();
    await sendEvent(redis, key, warning('held'));
    await readAs(key, 'holder');
    await redis.xgroup('CREATECONSUMER', key, INTAKE_GROUP, 'idle');

    await group.leave('holder');
    await group.leave('idle');

    expect(await consumersOf(key)).toEqual(['holder']);
  });
});
