// Sends one push to one device through its push service (RFC 8030), with web-push: the payload encrypted
// for the device (aes128gcm, RFC 8291) and the request signed with our VAPID key (RFC 8292). Resolves when
// the push service took it (2xx); rejects with web-push's WebPushError (status, headers) or the socket's error.
import { Agent } from 'node:https';
import webpush from 'web-push';
import type { PushConfig } from '../../delivery/config.js';
import { isPrivateHost, privateAddressError, publicOnlyLookup } from './private-network.js';

export interface Device {
  endpoint: string;
  p256dh: string;
  auth: string;
}

export interface PushMessage {
  payload: string;
  /** How long the push service keeps it for a device that is offline. */
  ttlSeconds: number;
  urgency: 'normal' | 'high';
  /** A later push with the same topic replaces this one while it waits on the push service. */
  topic?: string | undefined;
}

/** How long a VAPID token is valid (RFC 8292 allows up to 24 h), and how long one is reused for a push service. */
const VAPID_TOKEN_SECONDS = 12 * 3600;
const VAPID_REUSE_MS = 3600_000;

export interface PushSenderOptions {
  /** For a push service whose certificate the system does not trust (a test's receiver). */
  agent?: Agent | undefined;
  /** Whether endpoints inside our own network may be sent to (PUSH_PRIVATE_ENDPOINTS; see private-network.ts). */
  privateEndpoints: boolean;
}

export class PushSender {
  /** The Authorization header per push service (origin): signing a JWT for every push cost a P-256 signature each. */
  private readonly vapidHeaders = new Map<string, { authorization: string; until: number }>();

  private readonly agent: Agent | undefined;
  private readonly privateEndpoints: boolean;

  constructor(
    private readonly config: PushConfig,
    { agent, privateEndpoints }: PushSenderOptions,
    /** Told every push a push service took (the development outbox lists them). */
    private readonly onSent: (endpoint: string, payload: string) => void = () => {},
  ) {
    this.privateEndpoints = privateEndpoints;
    // Every connection's name resolved through the guard; the certificates trusted as the given agent's.
    this.agent = privateEndpoints
      ? agent
      : new Agent({
          keepAlive: true,
          lookup: publicOnlyLookup,
          ...(agent?.options.ca ? { ca: agent.options.ca } : {}),
        });
  }

  async send(device: Device, message: PushMessage): Promise<void> {
    // An address in the URL is connected to without any lookup: checked here.
    const { hostname } = new URL(device.endpoint);
    if (!this.privateEndpoints && isPrivateHost(hostname)) throw privateAddressError(hostname);
    await webpush.sendNotification(
      { endpoint: device.endpoint, keys: { p256dh: device.p256dh, auth: device.auth } },
      message.payload,
      {
        headers: { Authorization: this.authorization(device.endpoint) },
        TTL: message.ttlSeconds,
        urgency: message.urgency,
        contentEncoding: 'aes128gcm',
        timeout: this.config.timeoutMs,
        ...(message.topic ? { topic: message.topic } : {}),
        ...(this.agent ? { agent: this.agent } : {}),
      },
    );
    this.onSent(device.endpoint, message.payload);
  }

  /** A VAPID token for the push service of this endpoint, signed once an hour per service (valid for 12 h). */
  private authorization(endpoint: string): string {
    const audience = new URL(endpoint).origin;
    const now = Date.now();
    const cached = this.vapidHeaders.get(audience);
    if (cached && cached.until > now) return cached.authorization;
    const { subject, publicKey, privateKey } = this.config.vapid;
    const expiration = Math.floor(now / 1000) + VAPID_TOKEN_SECONDS;
    const { Authorization: authorization } = webpush.getVapidHeaders(
      audience,
      subject,
      publicKey,
      privateKey,
      'aes128gcm',
      expiration,
    ) as { Authorization: string };
    this.vapidHeaders.set(audience, { authorization, until: now + VAPID_REUSE_MS });
    return authorization;
  }
}
