// The parts of the channels outside the app that the app needs (no I/O): the planner the create path asks,
// the recipients' profiles and push subscriptions, the unsubscribe tokens and their endpoint.
import type { Plugin } from 'graphql-yoga';
import { UnsubscribeTokens } from '../channels/email/unsubscribe.js';
import { useUnsubscribe } from '../channels/email/unsubscribe-endpoint.js';
import type { Config } from '../config.js';
import type { Database } from '../db.js';
import type { Preferences } from '../producers/preferences.js';
import { PushSubscriptions } from '../recipients/push-subscriptions.js';
import { Recipients } from '../recipients/service.js';
import { type DeliveryObserver, DeliveryStore } from './deliveries.js';
import { type Channel, DeliveryPlanner } from './planner.js';

export interface DeliveryParts {
  planner: DeliveryPlanner;
  recipients: Recipients;
  /** The users' devices for push (kept whether push is on or not). */
  pushSubscriptions: PushSubscriptions;
  /** What a browser subscribes with (base64url); null while push is off. */
  pushPublicKey: string | null;
  store: DeliveryStore;
  /** Signs and checks unsubscribe links; undefined while email is off. */
  tokens: UnsubscribeTokens | undefined;
  plugins: Plugin[];
}

export function deliveryParts(
  config: Config,
  db: Database,
  preferences: Preferences,
  observe?: DeliveryObserver,
): DeliveryParts {
  const email = config.delivery.email;
  const secret = email ? (email.unsubscribeSecret ?? config.jwt.secret) : undefined;
  if (email && !secret) throw new Error('email needs UNSUBSCRIBE_SECRET (or JWT_SECRET) to sign unsubscribe links');
  const tokens = email && secret ? new UnsubscribeTokens(secret, email.unsubscribeTtlSeconds) : undefined;
  const push = config.delivery.push;
  const channels: Channel[] = [...(email ? (['EMAIL'] as const) : []), ...(push ? (['PUSH'] as const) : [])];
  return {
    planner: new DeliveryPlanner(db, channels),
    recipients: new Recipients(db),
    pushSubscriptions: new PushSubscriptions(db, { privateEndpoints: config.delivery.pushPrivateEndpoints }),
    pushPublicKey: push?.vapid.publicKey ?? null,
    store: new DeliveryStore(db, observe),
    tokens,
    plugins: tokens ? [useUnsubscribe(tokens, preferences)] : [],
  };
}
