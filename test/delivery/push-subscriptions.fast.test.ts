// Browser push subscriptions: a user registers one per device and removes them; what a frontend needs to
// subscribe (the VAPID public key) is one query away.
import { createECDH, randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import webpush from 'web-push';
import {
  MyPushSubscriptionsDocument,
  PushPublicKeyDocument,
  RegisterPushSubscriptionDocument,
  UnregisterPushSubscriptionDocument,
} from '../generated/graphql.js';
import { createTestApp, useTestApp } from '../helpers/app.js';
import { expectError } from '../helpers/graphql.js';

const vapid = webpush.generateVAPIDKeys();
const shared = useTestApp({
  env: {
    VAPID_PUBLIC_KEY: vapid.publicKey,
    VAPID_PRIVATE_KEY: vapid.privateKey,
    VAPID_SUBJECT: 'mailto:ops@example.test',
  },
});

let devices = 0;
/** A subscription as PushManager.subscribe makes it: a push service URL and the device's keys. */
function device(endpoint = `https://push.example.test/send/${++devices}-${randomBytes(4).toString('hex')}`) {
  const ecdh = createECDH('prime256v1');
  ecdh.generateKeys();
  return { endpoint, keys: { p256dh: ecdh.getPublicKey('base64url'), auth: randomBytes(16).toString('base64url') } };
}

describe('push subscriptions', () => {
  it('should give the VAPID public key a frontend subscribes with', async () => {
    const user = await shared.newUser();
    expect((await user.data(PushPublicKeyDocument)).pushPublicKey).toBe(vapid.publicKey);
  });

  it('should answer null for the public key when push is off', async () => {
    const app = await createTestApp();
    try {
      const user = await app.newUser();
      expect((await user.data(PushPublicKeyDocument)).pushPublicKey).toBeNull();
    } finally {
      await app.close();
    }
  });

  it('should keep one subscription per device, several per user, and remove one on request', async () => {
    const user = await shared.newUser();
    const [phone, laptop] = [device(), device()];
    const registered = await user.data(RegisterPushSubscriptionDocument, { input: phone });
    expect(registered.registerPushSubscription.endpoint).toBe(phone.endpoint);
    await user.data(RegisterPushSubscriptionDocument, { input: laptop });
    // The same device again (a page reload) adds nothing.
    await user.data(RegisterPushSubscriptionDocument, { input: phone });
    const listed = (await user.data(MyPushSubscriptionsDocument)).myPushSubscriptions.map((s) => s.endpoint);
    expect(listed.sort()).toEqual([phone.endpoint, laptop.endpoint].sort());

    const removed = await user.data(UnregisterPushSubscriptionDocument, { endpoint: phone.endpoint });
    expect(removed.unregisterPushSubscription).toBe(true);
    expect((await user.data(MyPushSubscriptionsDocument)).myPushSubscriptions.map((s) => s.endpoint)).toEqual([
      laptop.endpoint,
    ]);
    const again = await user.data(UnregisterPushSubscriptionDocument, { endpoint: phone.endpoint });
    expect(again.unregisterPushSubscription).toBe(false);
  });

  it("should not let a user remove another user's subscription; a device signed in anew moves to its new user", async () => {
    const [ada, bob] = [await shared.newUser(), await shared.newUser()];
    const shared_device = device();
    await ada.data(RegisterPushSubscriptionDocument, { input: shared_device });
    expect(
      (await bob.data(UnregisterPushSubscriptionDocument, { endpoint: shared_device.endpoint }))
        .unregisterPushSubscription,
    ).toBe(false);
    expect((await ada.data(MyPushSubscriptionsDocument)).myPushSubscriptions).toHaveLength(1);
    await bob.data(RegisterPushSubscriptionDocument, { input: shared_device });
    expect((await ada.data(MyPushSubscriptionsDocument)).myPushSubscriptions).toEqual([]);
    expect((await bob.data(MyPushSubscriptionsDocument)).myPushSubscriptions).toHaveLength(1);
  });

  it('should keep the 20 devices registered last, forgetting the oldest', async () => {
    const user = await shared.newUser();
    const devices = Array.from({ length: 21 }, () => device());
    for (const one of devices) await user.data(RegisterPushSubscriptionDocument, { input: one });
    const kept = (await user.data(MyPushSubscriptionsDocument)).myPushSubscriptions.map((s) => s.endpoint);
    expect(kept.sort()).toEqual(
      devices
        .slice(1)
        .map((d) => d.endpoint)
        .sort(),
    );
  });

  const good = device();
  it.each([
    ['endpoint', 'an http endpoint', { ...good, endpoint: 'http://push.example.test/send/1' }],
    ['endpoint', 'no URL at all', { ...good, endpoint: 'not a url' }],
    [
      'endpoint',
      'an endpoint of 1001 characters',
      { ...good, endpoint: `https://push.example.test/${'a'.repeat(975)}` },
    ],
    [
      'endpoint',
      'an endpoint of 300 emoji, 3600 characters once encoded',
      { ...good, endpoint: `https://push.example.test/${'🔔'.repeat(300)}` },
    ],
    ['endpoint', 'an endpoint with credentials', { ...good, endpoint: 'https://me:pw@push.example.test/send/1' }],
    ['keys.p256dh', 'a key that is no P-256 point', { ...good, keys: { ...good.keys, p256dh: 'AAAA' } }],
    ['keys.p256dh', 'a key that is not base64url', { ...good, keys: { ...good.keys, p256dh: '!!not base64!!' } }],
    [
      'keys.auth',
      'an auth secret of 8 bytes',
      { ...good, keys: { ...good.keys, auth: randomBytes(8).toString('base64url') } },
    ],
  ])('should refuse %s (%s) with BAD_USER_INPUT naming it, and keep nothing', async (field, _case, input) => {
    const user = await shared.newUser();
    const error = expectError(await user.execute(RegisterPushSubscriptionDocument, { input }), 'BAD_USER_INPUT');
    expect(error.extensions?.field).toBe(field);
    expect((await user.data(MyPushSubscriptionsDocument)).myPushSubscriptions).toEqual([]);
  });
});
