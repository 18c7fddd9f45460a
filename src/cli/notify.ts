// `npm run notify -- <event-type> --user alice [--user bob…] [--data '{…}'] [--key …] [--collapse …] [--broadcast]`:
// publishes a domain event through the running server's publishEvent (or broadcast) mutation, with a service
// token signed from JWT_SECRET (or the development secret `npm start` keeps), and prints each recipient's
// outcome. Exit 0 when the server took the event (refused recipients are printed), 1 on any error, in one line.

import { type CliConfig, ConfigError, loadCliConfig } from '../config.js';
import { DevSecretError } from '../dev/dev-secret.js';
import { signToken } from '../sign-token.js';
import { CliError, document, request } from './api-client.js';
import { type NotifyArguments, parseNotifyArguments, USAGE, UsageError } from './arguments.js';
import { signingSecret } from './signing-secret.js';

type Tally = Record<'created' | 'updated' | 'duplicate' | 'stale' | 'muted' | 'rateLimited', number>;

interface PublishResult {
  userId: string;
  outcome: string;
  notification: { id: string; title: string } | null;
  error: { code: string; message: string; retryAfter: number | null } | null;
}

const PUBLISH = document<
  { publishEvent: { results: PublishResult[]; tally: Tally } },
  { input: unknown }
>(`mutation Notify($input: PublishEventInput!) {
  publishEvent(input: $input) {
    results { userId outcome notification { id title } error { code message retryAfter } }
    tally { created updated duplicate stale muted rateLimited }
  }
}`);

const BROADCAST = document<
  { broadcast: { recipients: number; tally: Tally } },
  { input: unknown }
>(`mutation NotifyEveryone($input: BroadcastInput!) {
  broadcast(input: $input) {
    recipients
    tally { created updated duplicate stale muted rateLimited }
  }
}`);

async function serviceToken(config: CliConfig): Promise<string> {
  const { secret } = await signingSecret(config);
  // Short-lived: it is made for this one request.
  return signToken(secret, {
    sub: 'notify-cli',
    roles: ['service'],
    ttl: 300,
    issuer: config.jwt.issuer,
    audience: config.jwt.audience,
  });
}

const plural = (count: number, word: string) => `${count} ${word}${count === 1 ? '' : 's'}`;

function summary(tally: Tally): string {
  const parts = Object.entries(tally)
    .filter(([, count]) => count > 0)
    .map(([outcome, count]) => `${count} ${outcome === 'rateLimited' ? 'rate limited' : outcome}`);
  return parts.join(', ') || 'nothing';
}

function describe(result: PublishResult): string {
  if (result.error) {
    const retry = result.error.retryAfter == null ? '' : ` (retry after ${result.error.retryAfter} s)`;
    return `${result.error.message}${retry}`;
  }
  if (result.notification) return `${result.notification.id}  ${result.notification.title}`;
  return result.outcome === 'MUTED' ? 'the user turned this category off' : 'its notification was deleted since';
}

async function notify(args: NotifyArguments, config: CliConfig): Promise<string[]> {
  const token = await serviceToken(config);
  const common = { type: args.type, data: args.data ?? null, idempotencyKey: args.idempotencyKey ?? null };
  if (args.broadcast) {
    const { broadcast } = await request(config.apiUrl, token, BROADCAST, { input: common });
    return [`${args.type} → broadcast to ${plural(broadcast.recipients, 'user')}: ${summary(broadcast.tally)}`];
  }
  const { publishEvent } = await request(config.apiUrl, token, PUBLISH, {
    input: { ...common, recipients: args.users, collapseKey: args.collapseKey ?? null },
  });
  const width = Math.max(...publishEvent.results.map((result) => result.userId.length));
  return [
    `${args.type} → ${plural(publishEvent.results.length, 'recipient')}: ${summary(publishEvent.tally)}`,
    ...publishEvent.results.map(
      (result) => `  ${result.userId.padEnd(width)}  ${result.outcome.padEnd(12)}  ${describe(result)}`,
    ),
  ];
}

try {
  const args = parseNotifyArguments(process.argv.slice(2));
  if (args === 'help') {
    console.log(USAGE);
  } else {
    for (const line of await notify(args, loadCliConfig())) console.log(line);
  }
} catch (error) {
  const expected = [CliError, UsageError, ConfigError, DevSecretError].some((kind) => error instanceof kind);
  console.error(`notify: ${expected ? (error as Error).message : `unexpected error: ${error}`}`);
  process.exitCode = 1;
}
