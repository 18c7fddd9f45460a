// The development outbox (DEV_OUTBOX, on by default in development with no SMTP_URL): an SMTP catcher in the
// process that email is sent to, and the page that lists what it caught. Loaded by src/server.ts through a
// dynamic import, never in production.
import { randomBytes } from 'node:crypto';
import type { Plugin } from 'graphql-yoga';
import type { Config } from '../../config.js';
import type { Logger } from '../../logger.js';
import type { Recipients } from '../../recipients/service.js';
import { useOutboxPage } from './page.js';
import { startSmtpCatcher } from './smtp-catcher.js';
import { Outbox } from './store.js';

export interface DevOutbox {
  outbox: Outbox;
  page: Plugin;
  /** The configuration with email on, sent to the catcher. */
  configure(config: Config): Config;
  close(): Promise<void>;
}

export async function startDevOutbox(logger: Logger): Promise<DevOutbox> {
  const outbox = new Outbox();
  const catcher = await startSmtpCatcher(outbox, logger);
  return {
    outbox,
    page: useOutboxPage(outbox),
    configure: (config) => ({
      ...config,
      delivery: {
        ...config.delivery,
        email: {
          smtpUrl: catcher.url,
          from: 'Notifications <notifications@outbox.localhost>',
          publicUrl: undefined,
          // Unsubscribe links need a secret; with JWKS only there is none to derive one from.
          unsubscribeSecret: config.jwt.secret ? undefined : randomBytes(32).toString('hex'),
          unsubscribeTtlSeconds: 60 * 86_400,
        },
      },
    }),
    close: () => catcher.close(),
  };
}

/** Gives the development user an address in the outbox, unless they have a profile already. */
export async function ensureDevRecipient(recipients: Recipients, userId: string): Promise<void> {
  if (await recipients.get(userId)) return;
  await recipients.upsert({ userId, email: `${userId}@outbox.localhost` });
}
