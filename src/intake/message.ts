// One stream entry becomes one publish: the `event` field holds the event as JSON (see the README's
// "Send your first notification"). Anything wrong with it is the producer's mistake, reported as
// BAD_USER_INPUT with the field, as publishEvent would; retrying cannot fix it.
import { z } from 'zod';
import { badUserInput } from '../errors.js';
import { findEventType } from '../producers/event-types.js';
import type { PublishInput } from '../producers/publishing.js';
import { checkStorable } from '../validation/check-storable.js';
import type { StreamEntry } from './stream-entries.js';

/** The entry field that holds the event. */
export const EVENT_FIELD = 'event';

const streamEvent = z.strictObject({
  type: z.string(),
  data: z.unknown().optional(),
  recipients: z.array(z.string()).optional(),
  recipient: z.string().optional(),
  idempotencyKey: z.string().nullish(),
  collapseKey: z.string().nullish(),
  expiresAt: z.iso.datetime({ offset: true, error: 'must be an ISO 8601 date-time with its offset' }).nullish(),
  priority: z.enum(['LOW', 'NORMAL', 'HIGH', 'URGENT']).nullish(),
  sendAt: z.iso.datetime({ offset: true, error: 'must be an ISO 8601 date-time with its offset' }).nullish(),
});

/** The publish an entry asks for; throws BAD_USER_INPUT when it asks for nothing sensible. */
export function publishInputOf(entry: StreamEntry): PublishInput {
  const text = entry.fields[EVENT_FIELD];
  if (text === undefined) throw badUserInput(EVENT_FIELD, `the entry has no "${EVENT_FIELD}" field`);
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw badUserInput(EVENT_FIELD, `is not valid JSON (${(error as Error).message})`);
  }
  // Each field on its own, so that nesting is counted from it and a fault is named by it ("data.message").
  if (typeof json === 'object' && json !== null && !Array.isArray(json)) {
    for (const [field, value] of Object.entries(json)) checkStorable(value, field);
  }
  const parsed = streamEvent.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    // A misspelt "idempotencyKey" ignored would quietly lose dedup: unknown fields are refused.
    if (issue.code === 'unrecognized_keys') throw badUserInput(issue.keys[0]!, 'is not a field of an event');
    throw badUserInput(issue.path.map(String).join('.') || EVENT_FIELD, issue.message);
  }
  const event = parsed.data;
  if (event.recipients && event.recipient !== undefined) {
    throw badUserInput('recipient', 'give "recipients" or "recipient", not both');
  }
  const recipients = event.recipients ?? (event.recipient !== undefined ? [event.recipient] : undefined);
  if (!recipients) throw badUserInput('recipients', 'is required: a list of user ids (or "recipient": one user id)');

  return {
    type: event.type,
    data: event.data,
    recipients,
    // Redelivery must never notify twice: with neither the producer's key nor the event type's default,
    // the entry's id (unique in the stream for good) serves as the key.
    idempotencyKey:
      event.idempotencyKey ?? (findEventType(event.type)?.defaultIdempotencyKey ? null : `stream:${entry.id}`),
    collapseKey: event.collapseKey ?? null,
    expiresAt: event.expiresAt ? new Date(event.expiresAt) : null,
    priority: event.priority ?? null,
    sendAt: event.sendAt ? new Date(event.sendAt) : null,
  };
}
