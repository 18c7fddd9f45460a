// The settings of the channels outside the app and of their delivery queue, read by src/config.ts.
import { z } from 'zod';

const delays = z
  .string()
  .trim()
  .regex(/^\d+(\s*,\s*\d+)*$/, 'must be a comma-separated list of milliseconds')
  .transform((value) => value.split(',').map((delay) => Number(delay.trim())));

export const deliveryEnvironment = z.object({
  /** e.g. smtp://user:pass@smtp.example.com:587; email is off without it. */
  SMTP_URL: z
    .string()
    .trim()
    .regex(/^smtps?:\/\/\S+$/, 'must be an smtp:// or smtps:// URL')
    .optional(),
  EMAIL_FROM: z.string().trim().min(3).default('Notifications <notifications@localhost>'),
  /** Where this server is reached from a mail client: unsubscribe links point here. */
  PUBLIC_URL: z.url({ protocol: /^https?$/ }).optional(),
  /** Signs unsubscribe links; defaults to one derived from JWT_SECRET. */
  UNSUBSCRIBE_SECRET: z.string().min(32, 'must be at least 32 characters').optional(),
  UNSUBSCRIBE_TTL_DAYS: z.coerce.number().int().min(1).max(3650).default(60),
  DELIVERY_RETRY_DELAYS_MS: delays.default([1000, 5000, 30_000, 300_000]),
  DELIVERY_CONCURRENCY: z.coerce.number().int().min(1).max(200).default(10),
  /** How often the queue looks for jobs that fell due (retries); new jobs are announced at once. */
  DELIVERY_POLL_INTERVAL_MS: z.coerce.number().int().min(50).max(60_000).default(1000),
  /** How often each instance tells the others that its queue workers are alive. */
  DELIVERY_HEARTBEAT_MS: z.coerce.number().int().min(50).max(600_000).default(5000),
  /** An instance silent this long is taken for dead: the jobs it held are unlocked for the others. */
  DELIVERY_DEAD_AFTER_MS: z.coerce
    .number()
    .int()
    .min(200)
    .max(4 * 3_600_000)
    .default(30_000),
  /** Email to an SMTP catcher in the process, listed at /dev/outbox; by default in development with no SMTP_URL. */
  DEV_OUTBOX: z.stringbool().optional(),
});

export interface DeliveryConfig {
  email: EmailConfig | undefined;
  /** Waits before the 2nd, 3rd… send after a temporary failure; then the delivery FAILED. */
  retryDelaysMs: number[];
  concurrency: number;
  pollIntervalMs: number;
  heartbeatMs: number;
  deadAfterMs: number;
  /** Run the development outbox (src/dev/outbox/): email goes to it. Never in production, nor with SMTP_URL. */
  devOutbox: boolean;
}

export interface EmailConfig {
  smtpUrl: string;
  from: string;
  /** Without a trailing slash; unset: http://localhost:<port>. */
  publicUrl: string | undefined;
  unsubscribeSecret: string | undefined;
  unsubscribeTtlSeconds: number;
}

export function deliveryConfig(
  e: z.infer<typeof deliveryEnvironment>,
  port: number,
  nodeEnv: 'development' | 'production' | 'test',
): DeliveryConfig {
  return {
    email: e.SMTP_URL
      ? {
          smtpUrl: e.SMTP_URL,
          from: e.EMAIL_FROM,
          publicUrl: (e.PUBLIC_URL ?? (port ? `http://localhost:${port}` : undefined))?.replace(/\/+$/, ''),
          unsubscribeSecret: e.UNSUBSCRIBE_SECRET,
          unsubscribeTtlSeconds: e.UNSUBSCRIBE_TTL_DAYS * 86_400,
        }
      : undefined,
    retryDelaysMs: e.DELIVERY_RETRY_DELAYS_MS,
    concurrency: e.DELIVERY_CONCURRENCY,
    pollIntervalMs: e.DELIVERY_POLL_INTERVAL_MS,
    heartbeatMs: e.DELIVERY_HEARTBEAT_MS,
    deadAfterMs: e.DELIVERY_DEAD_AFTER_MS,
    devOutbox: !e.SMTP_URL && nodeEnv !== 'production' && (e.DEV_OUTBOX ?? nodeEnv === 'development'),
  };
}
