// The browsers a user receives pushes on: one Web Push subscription per device (PushManager.subscribe gives
// its endpoint and keys), registered and removed by the user. A device belongs to whoever registered it
// last (a browser signed in to another account moves with it). The push task removes one whose push
// service says it is gone (404/410).
import { v7 as uuidv7 } from 'uuid';
import { isPrivateHost } from '../channels/push/private-network.js';
import type { Database } from '../db.js';
import { badUserInput } from '../errors.js';
import type { PushSubscription } from '../generated/prisma/client.js';

export interface PushSubscriptionInput {
  endpoint: string;
  keys: { p256dh: string; auth: string };
}

/** Beyond this many devices, registering one more forgets the one registered longest ago. */
export const MAX_DEVICES_PER_USER = 20;
const MAX_ENDPOINT = 1000;

/** The endpoint as a URL writes it (ASCII: punycode host, percent-encoded path), so that one device is one row. */
function checkEndpoint(value: string, privateEndpoints: boolean): string {
  let url: URL;
  try {
    url = new URL(value.trim());
  } catch {
    throw badUserInput('endpoint', 'must be a URL');
  }
  // RFC 8030 push services are https only; web-push refuses anything else.
  if (url.protocol !== 'https:') throw badUserInput('endpoint', 'must be an https URL');
  if (url.username || url.password) throw badUserInput('endpoint', 'must not carry credentials');
  if (url.href.length > MAX_ENDPOINT) throw badUserInput('endpoint', `must be at most ${MAX_ENDPOINT} characters`);
  if (!privateEndpoints && isPrivateHost(url.hostname)) {
    throw badUserInput('endpoint', "must be a push service's address, not one inside this network");
  }
  return url.href;
}

/** base64url (padding tolerated, as some browsers add it) decoded to `bytes`, or BAD_USER_INPUT naming `field`. */
function checkKey(value: string, field: string, bytes: number, what: string): string {
  const text = value.trim().replace(/=+$/, '');
  const decoded = /^[\w-]+$/.test(text) ? Buffer.from(text, 'base64url') : undefined;
  if (!decoded || decoded.length !== bytes || (bytes === 65 && decoded[0] !== 4)) {
    throw badUserInput(field, `must be ${what}, base64url`);
  }
  return text;
}

export class PushSubscriptions {
  constructor(
    private readonly db: Database,
    private readonly options: { privateEndpoints: boolean },
  ) {}

  /** Keeps this device's subscription for the user (again: refreshed keys); every field is checked first. */
  async register(userId: string, input: PushSubscriptionInput): Promise<PushSubscription> {
    const endpoint = checkEndpoint(input.endpoint, this.options.privateEndpoints);
    const keys = {
      p256dh: checkKey(input.keys.p256dh, 'keys.p256dh', 65, 'an uncompressed P-256 public key (65 bytes)'),
      auth: checkKey(input.keys.auth, 'keys.auth', 16, 'a 16-byte secret'),
    };
    return this.db.$transaction(async (tx) => {
      const subscription = await tx.pushSubscription.upsert({
        where: { endpoint },
        create: { id: uuidv7(), userId, endpoint, ...keys },
        update: { userId, ...keys },
      });
      const extra = await tx.pushSubscription.findMany({
        where: { userId },
        orderBy: [{ updatedAt: 'desc' }, { id: 'desc' }],
        skip: MAX_DEVICES_PER_USER,
        select: { id: true },
      });
      if (extra.length > 0) await tx.pushSubscription.deleteMany({ where: { id: { in: extra.map((s) => s.id) } } });
      return subscription;
    });
  }

  /** Removes the caller's subscription of this endpoint; false when they have none. */
  async unregister(userId: string, endpoint: string): Promise<boolean> {
    let href: string;
    try {
      href = new URL(endpoint.trim()).href;
    } catch {
      return false;
    }
    const { count } = await this.db.pushSubscription.deleteMany({ where: { userId, endpoint: href } });
    return count > 0;
  }

  /** The user's devices, most recently registered first. */
  list(userId: string): Promise<PushSubscription[]> {
    return this.db.pushSubscription.findMany({ where: { userId }, orderBy: { updatedAt: 'desc' } });
  }

  /** Forgets a subscription its push service says is gone, unless it was registered anew since it was read. */
  async remove(subscription: Pick<PushSubscription, 'id' | 'updatedAt'>): Promise<void> {
    await this.db.pushSubscription.deleteMany({ where: { id: subscription.id, updatedAt: subscription.updatedAt } });
  }
}
