// The domain events producers send, and the notification each becomes. Text is plain text: templates
// escape nothing, and frontends render it as text.
import { z } from 'zod';
import type { NotificationPriority, NotificationType } from '../generated/prisma/enums.js';

export const CATEGORIES = ['transcription', 'system', 'account', 'security'] as const;
export type Category = (typeof CATEGORIES)[number];

export interface Rendered {
  title: string;
  message: string;
  metadata: Record<string, unknown>;
  relatedSessionId?: string;
}

export interface EventType<Data = unknown> {
  name: string;
  category: Category;
  type: NotificationType;
  /** Delivered even to users who muted its category (and never rate limited). */
  critical: boolean;
  data: z.ZodType<Data>;
  render(data: Data): Rendered;
  /** The key that makes retries harmless when the producer gives none. */
  defaultIdempotencyKey?(data: Data): string;
  /** Names the subject whose notification a later event replaces. */
  defaultCollapseKey?(data: Data): string;
  /** Earlier event types of the same subject that this one replaces. */
  supersedes?: readonly string[];
  /** Whether it is emailed to a user who chose nothing for its category (default true). */
  emailByDefault?: boolean;
  /** Whether it is pushed to the devices of a user who chose nothing for its category (default true). */
  pushByDefault?: boolean;
  /** Its priority when the producer gives none: URGENT for critical types, NORMAL otherwise. */
  priority?: NotificationPriority;
}

// Data is inferred from the schema alone; everything else is checked against it.
const define = <Data>(
  eventType: { data: z.ZodType<Data> } & Omit<EventType<NoInfer<Data>>, 'data'>,
): EventType<unknown> => eventType as EventType<unknown>;

const id = z.string().trim().min(1).max(255);
const name = z.string().trim().min(1).max(120);
const url = z.string().trim().min(1).max(2000);
const instant = z.coerce.date();

const session = z.object({ sessionId: id, sessionTitle: name, actionUrl: url.optional() });
const sessionUrl = (data: { sessionId: string; actionUrl?: string | undefined }) =>
  data.actionUrl ?? `/sessions/${encodeURIComponent(data.sessionId)}`;
const bySession = {
  defaultIdempotencyKey: (eventName: string) => (data: { sessionId: string }) => `${eventName}:${data.sessionId}`,
  defaultCollapseKey: (data: { sessionId: string }) => `transcription:${data.sessionId}`,
};

const formatDuration = (seconds: number) => {
  const minutes = Math.round(seconds / 60);
  return minutes >= 1 ? `${minutes} min` : `${Math.round(seconds)} s`;
};
const formatInstant = (date: Date) =>
  date
    .toISOString()
    .replace('T', ' ')
    .replace(/:\d\d\.\d{3}Z$/, ' UTC');

const EVENT_TYPES: EventType<unknown>[] = [
  define({
    name: 'transcription.started',
    category: 'transcription',
    type: 'INFO',
    critical: false,
    data: session,
    render: (data) => ({
      title: 'Transcription started',
      message: `We're transcribing '${data.sessionTitle}'. We'll let you know when it's ready.`,
      metadata: { sessionId: data.sessionId, actionUrl: sessionUrl(data) },
      relatedSessionId: data.sessionId,
    }),
    defaultIdempotencyKey: bySession.defaultIdempotencyKey('transcription.started'),
    defaultCollapseKey: bySession.defaultCollapseKey,
    // The user has just asked for it: a buzz on their phone tells them nothing new.
    pushByDefault: false,
  }),
  define({
    name: 'transcription.completed',
    category: 'transcription',
    type: 'SUCCESS',
    critical: false,
    data: session.extend({
      durationSeconds: z.number().nonnegative().max(1e7),
      segmentsCount: z.number().int().nonnegative().max(1e7),
    }),
    render: (data) => ({
      title: 'Transcription ready',
      message: `Your transcription '${data.sessionTitle}' is ready to view (${formatDuration(data.durationSeconds)}, ${data.segmentsCount} segments).`,
      metadata: {
        sessionId: data.sessionId,
        actionUrl: sessionUrl(data),
        durationSeconds: data.durationSeconds,
        segmentsCount: data.segmentsCount,
      },
      relatedSessionId: data.sessionId,
    }),
    defaultIdempotencyKey: bySession.defaultIdempotencyKey('transcription.completed'),
    defaultCollapseKey: bySession.defaultCollapseKey,
    supersedes: ['transcription.started', 'transcription.failed'],
    // The user usually waits for it in the app.
    emailByDefault: false,
  }),
  define({
    name: 'transcription.failed',
    category: 'transcription',
    type: 'ERROR',
    critical: false,
    data: session.extend({ error: z.string().trim().min(1).max(500), retryAvailable: z.boolean().default(true) }),
    render: (data) => ({
      title: 'Transcription failed',
      message: `We couldn't transcribe '${data.sessionTitle}': ${data.error}${data.retryAvailable ? ' You can try again.' : ''}`,
      metadata: {
        sessionId: data.sessionId,
        actionUrl: sessionUrl(data),
        error: data.error,
        retryAvailable: data.retryAvailable,
      },
      relatedSessionId: data.sessionId,
    }),
    defaultIdempotencyKey: bySession.defaultIdempotencyKey('transcription.failed'),
    defaultCollapseKey: bySession.defaultCollapseKey,
    supersedes: ['transcription.started'],
  }),
  define({
    name: 'system.maintenance',
    category: 'system',
    type: 'WARNING',
    critical: false,
    data: z.object({ startsAt: instant, endsAt: instant.optional(), details: z.string().trim().max(500).optional() }),
    render: (data) => ({
      title: 'Scheduled maintenance',
      message:
        `The service will be unavailable from ${formatInstant(data.startsAt)}` +
        (data.endsAt ? ` to ${formatInstant(data.endsAt)}.` : '.') +
        (data.details ? ` ${data.details}` : ''),
      metadata: {
        startsAt: data.startsAt.toISOString(),
        ...(data.endsAt ? { endsAt: data.endsAt.toISOString() } : {}),
      },
    }),
  }),
  define({
    name: 'system.update',
    category: 'system',
    type: 'INFO',
    critical: false,
    data: z.object({ version: z.string().trim().min(1).max(50), summary: z.string().trim().min(1).max(500) }),
    render: (data) => ({
      title: `What's new in ${data.version}`,
      message: data.summary,
      metadata: { version: data.version },
    }),
    // News, not something to act on now.
    pushByDefault: false,
  }),
  define({
    name: 'system.warning',
    category: 'system',
    type: 'WARNING',
    critical: false,
    data: z.object({
      message: z.string().trim().min(1).max(1000),
      title: z.string().trim().min(1).max(120).optional(),
    }),
    render: (data) => ({ title: data.title ?? 'System warning', message: data.message, metadata: {} }),
  }),
  define({
    name: 'user.quota_warning',
    category: 'account',
    type: 'WARNING',
    critical: false,
    data: z.object({ usedPercent: z.number().min(0).max(1000), resetsAt: instant.optional() }),
    render: (data) => ({
      title: `You've used ${Math.round(data.usedPercent)}% of your quota`,
      message:
        `You've used ${Math.round(data.usedPercent)}% of your transcription quota` +
        (data.resetsAt ? `; it resets on ${formatInstant(data.resetsAt)}.` : '.'),
      metadata: { usedPercent: data.usedPercent, ...(data.resetsAt ? { resetsAt: data.resetsAt.toISOString() } : {}) },
    }),
    defaultCollapseKey: () => 'quota',
  }),
  define({
    name: 'user.session_expiry',
    category: 'account',
    type: 'INFO',
    critical: false,
    data: z.object({ expiresAt: instant }),
    render: (data) => ({
      title: 'Your session is about to expire',
      message: `Your session expires at ${formatInstant(data.expiresAt)}. Sign in again to keep working.`,
      metadata: { expiresAt: data.expiresAt.toISOString() },
    }),
    defaultCollapseKey: () => 'session-expiry',
  }),
  define({
    name: 'user.security_alert',
    category: 'security',
    type: 'ERROR',
    critical: true,
    data: z.object({
      event: z.string().trim().min(1).max(200),
      ipAddress: z.string().trim().max(100).optional(),
      location: z.string().trim().max(200).optional(),
      occurredAt: instant.optional(),
    }),
    render: (data) => ({
      title: 'Security alert',
      message:
        `${data.event}` +
        (data.location || data.ipAddress ? ` from ${[data.location, data.ipAddress].filter(Boolean).join(', ')}` : '') +
        (data.occurredAt ? ` at ${formatInstant(data.occurredAt)}` : '') +
        ". If this wasn't you, change your password.",
      metadata: {
        event: data.event,
        ...(data.ipAddress ? { ipAddress: data.ipAddress } : {}),
        ...(data.location ? { location: data.location } : {}),
        ...(data.occurredAt ? { occurredAt: data.occurredAt.toISOString() } : {}),
      },
    }),
  }),
];

const byName = new Map(EVENT_TYPES.map((eventType) => [eventType.name, eventType]));

/** The priority of an event of this type when the producer gives none. */
export const defaultPriority = (eventType: EventType<unknown>): NotificationPriority =>
  eventType.priority ?? (eventType.critical ? 'URGENT' : 'NORMAL');

export const eventTypes = (): readonly EventType<unknown>[] => EVENT_TYPES;
export const findEventType = (eventName: string): EventType<unknown> | undefined => byName.get(eventName);
