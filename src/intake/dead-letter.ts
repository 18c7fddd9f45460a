// Events that cannot be published go to a dead-letter stream, as they came and with why, so that an operator
// can read, fix and re-send them (XRANGE, then XADD to the intake stream). The dead letter is written before
// the entry is acknowledged, so a failure in between leaves a second dead letter at worst, never none.
import type { Redis } from 'ioredis';
import type { Failure } from './failures.js';
import { EVENT_FIELD } from './message.js';
import type { StreamEntry } from './stream-entries.js';

/** Dead letters kept at most (oldest dropped first, approximately): a poison flood cannot fill Redis. */
const DEAD_LETTER_MAX_LENGTH = 100_000;
/** Reasons are error messages; a stack-sized one is cut. */
const REASON_MAX_LENGTH = 2000;

export interface DeadLetterTarget {
  stream: string;
  deadLetterStream: string;
  group: string;
  consumer: string;
}

/** Copies an entry to the dead-letter stream with the reason, then acknowledges it. */
export async function deadLetter(
  redis: Redis,
  target: DeadLetterTarget,
  entry: StreamEntry,
  failure: Failure,
  attempts: number,
): Promise<void> {
  const event = entry.fields[EVENT_FIELD];
  const fields: string[] = [
    'entryId',
    entry.id,
    // As it came: the event field verbatim, or every field when the entry has no event field.
    ...(event !== undefined ? [EVENT_FIELD, event] : ['fields', JSON.stringify(entry.fields)]),
    'code',
    failure.code,
    'reason',
    failure.reason.slice(0, REASON_MAX_LENGTH),
    ...(failure.field ? ['field', failure.field] : []),
    'attempts',
    String(attempts),
    'consumer',
    target.consumer,
    'failedAt',
    new Date().toISOString(),
  ];
  await redis.xadd(target.deadLetterStream, 'MAXLEN', '~', DEAD_LETTER_MAX_LENGTH, '*', ...fields);
  await redis.xack(target.stream, target.group, entry.id);
}
