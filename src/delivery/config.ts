// The settings of the channels outside the app and of their delivery queue, read by src/config.ts.
import { z } from 'zod';

const delays = z
  .string()
  .trim()
  .regex(/^\d+(\s*,\s*\d+)*$/, 'must be a comma-separated list of milliseconds')
  .transform((value) => value.split(',').map((delay) => Number(delay.trim())));

const base64url = z
  .string()
  .trim()
  .regex(/^[\w-]+$/, 'must be base64url (as web-push generate-vapid-keys prints it)');

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
  /** The server's VAPID key pair (RFC 8292), base64url as web-push's generateVAPIDKeys makes it; push is off without it. */
  VAPID_PUBLIC_KEY: base64url.optional(),
  VAPID_PRIVATE_KEY: base64url.optional(),
  /** How push services reach the sender: a mailto: or https: URL. */
  VAPID_SUBJECT: z
    .string()
    .trim()
    .regex(/^(mailto:\S+@\S+|https:\/\/\S+)$/, 'must be a mailto: or https: URL')
    .optional(),
  /** How long to wait for a push service to answer one push. */
  PUSH_TIMEOUT_MS: z.coerce.number().int().min(100).max(120_000).default(10_000),
  /** Whether push endpoints inside our own network (loopback, private, link-local addresses) are allowed. */
  PUSH_PRIVATE_ENDPOINTS: z.stringbool().default(false),
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
  /** Off (undefined) without VAPID keys; in development, keys made on the first start (src/dev/dev-vapid-keys.ts). */
  push: PushConfig | undefined;
  /** What push runs with in development when no VAPID keys are configured (src/main.ts makes and keeps them). */
  devPush: { subject: string; timeoutMs: number };
  /** Whether endpoints inside our own network may be registered and sent to (src/channels/push/private-network.ts). */
  pushPrivateEndpoints: boolean;
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

export interface VapidKeys {
  publicKey: string;
  privateKey: string;
}

export interface PushConfig {
  vapid: VapidKeys & { subject: string };
  timeoutMs: number;
}

/** The subject development pushes carry when VAPID_SUBJECT is unset. */
export const DEV_VAPID_SUBJECT = 'mailto:notifications@localhost';

/** What is wrong with these VAPID settings, if anything (one key without the other, keys of the wrong size…). */
export function vapidProblems(e: z.infer<typeof deliveryEnvironment>): string[] {
  const { VAPID_PUBLIC_KEY: publicKey, VAPID_PRIVATE_KEY: privateKey, VAPID_SUBJECT: subject } = e;
  if (!publicKey && !privateKey) return [];
  if (!publicKey || !privateKey) return ['VAPID_PUBLIC_KEY and VAPID_PRIVATE_KEY go together'];
  const problems: string[] = [];
  const publicBytes = Buffer.from(publicKey, 'base64url');
  if (publicBytes.length !== 65 || publicBytes[0] !== 4) {
    problems.push('VAPID_PUBLIC_KEY must be an uncompressed P-256 public key (65 bytes)');
  }
  if (Buffer.from(privateKey, 'base64url').length !== 32) problems.push('VAPID_PRIVATE_KEY must be 32 bytes');
  if (!subject) problems.push('VAPID_SUBJECT is required with VAPID keys (a mailto: or https: URL)');
  return problems;
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
    push:
      e.VAPID_PUBLIC_KEY && e.VAPID_PRIVATE_KEY && e.VAPID_SUBJECT
        ? {
            vapid: { publicKey: e.VAPID_PUBLIC_KEY, privateKey: e.VAPID_PRIVATE_KEY, subject: e.VAPID_SUBJECT },
            timeoutMs: e.PUSH_TIMEOUT_MS,
          }
        : undefined,
    devPush: {
      subject: e.VAPID_SUBJECT ?? DEV_VAPID_SUBJECT,
      timeoutMs: e.PUSH_TIMEOUT_MS,
    },
    pushPrivateEndpoints: e.PUSH_PRIVATE_ENDPOINTS,
    retryDelaysMs: e.DELIVERY_RETRY_DELAYS_MS,
    concurrency: e.DELIVERY_CONCURRENCY,
    pollIntervalMs: e.DELIVERY_POLL_INTERVAL_MS,
    heartbeatMs: e.DELIVERY_HEARTBEAT_MS,
    deadAfterMs: e.DELIVERY_DEAD_AFTER_MS,
    devOutbox: !e.SMTP_URL && nodeEnv !== 'production' && (e.DEV_OUTBOX ?? nodeEnv === 'development'),
  };
}
