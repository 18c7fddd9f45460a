// A push endpoint is a URL a user gives us, and the server POSTs to it: unless PUSH_PRIVATE_ENDPOINTS allows
// it, an endpoint inside our own network (loopback, private, link-local, cloud metadata) is refused when it is
// registered, and a push whose host resolves there when it is sent is never made (the device is forgotten).
import { createECDH, randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import webpush from 'web-push';
import { publicOnlyLookup } from '../../src/channels/push/private-network.js';
import { PushSender } from '../../src/channels/push/sender.js';
import { describePushFailure } from '../../src/delivery/failures.js';
import { RegisterPushSubscriptionDocument } from '../generated/graphql.js';
import { createTestApp, type RunningTestApp } from '../helpers/app.js';
import { expectError } from '../helpers/graphql.js';
import { startPushReceiver, type TestPushReceiver } from '../helpers/push-receiver.js';

const vapid = webpush.generateVAPIDKeys();
const pushSettings = {
  VAPID_PUBLIC_KEY: vapid.publicKey,
  VAPID_PRIVATE_KEY: vapid.privateKey,
  VAPID_SUBJECT: 'mailto:ops@example.test',
};

function device(endpoint: string) {
  const ecdh = createECDH('prime256v1');
  ecdh.generateKeys();
  return { endpoint, keys: { p256dh: ecdh.getPublicKey('base64url'), auth: randomBytes(16).toString('base64url') } };
}

let guarded: RunningTestApp;
let open: RunningTestApp;
let receiver: TestPushReceiver;
beforeAll(async () => {
  guarded = await createTestApp({ env: { ...pushSettings, PUSH_PRIVATE_ENDPOINTS: 'false' } });
  open = await createTestApp({ env: { ...pushSettings, PUSH_PRIVATE_ENDPOINTS: 'true' } });
  receiver = await startPushReceiver();
});
afterAll(async () => {
  await guarded?.close();
  await open?.close();
  await receiver?.close();
});

describe('push endpoints inside our own network', () => {
  it.each([
    'https://127.0.0.1/push/1',
    'https://127.1.2.3:8443/push/1',
    'https://localhost/push/1',
    'https://push.localhost/push/1',
    'https://[::1]/push/1',
    'https://[::ffff:127.0.0.1]/push/1',
    'https://[fd00::1]/push/1',
    'https://[fe80::1]/push/1',
    'https://10.0.0.5/push/1',
    'https://172.16.8.1/push/1',
    'https://192.168.1.1/push/1',
    'https://169.254.169.254/latest/meta-data',
    'https://100.64.0.1/push/1',
    'https://0.0.0.0/push/1',
  ])('should refuse %s when registered, naming the endpoint', async (endpoint) => {
    const user = await guarded.newUser();
    const error = expectError(
      await user.execute(RegisterPushSubscriptionDocument, { input: device(endpoint) }),
      'BAD_USER_INPUT',
    );
    expect(error.message).toMatch(/endpoint/);
  });

  it('should accept a push service on the public internet, and a private one where PUSH_PRIVATE_ENDPOINTS allows it', async () => {
    const user = await guarded.newUser();
    await user.data(RegisterPushSubscriptionDocument, {
      input: device('https://fcm.googleapis.com/fcm/send/abc123'),
    });
    const inside = await open.newUser();
    await inside.data(RegisterPushSubscriptionDocument, { input: device('https://127.0.0.1:8443/push/1') });
  });

  it('should not connect when the host resolves inside the network at send time, and forget that device', async () => {
    const subscription = receiver.newSubscription();
    const config = { vapid: { ...vapid, subject: 'mailto:ops@example.test' }, timeoutMs: 5000 };
    const message = { payload: '{"title":"t"}', ttlSeconds: 60, urgency: 'normal' as const };
    const target = { endpoint: subscription.endpoint, ...subscription.keys };

    const refused = await new PushSender(config, { agent: receiver.agent, privateEndpoints: false })
      .send(target, message)
      .then(
        () => undefined,
        (error: unknown) => error,
      );
    expect(describePushFailure(refused)).toMatchObject({ kind: 'PERMANENT', gone: true });
    expect(describePushFailure(refused).message).toMatch(/private network/);
    expect(receiver.attempts).toHaveLength(0);

    // The same push where private endpoints are allowed reaches the receiver: the guard, not the receiver, said no.
    await new PushSender(config, { agent: receiver.agent, privateEndpoints: true }).send(target, message);
    expect(receiver.attempts.map((attempt) => attempt.status)).toEqual([201]);
  });

  it('should refuse, at connect time, a name that resolves inside the network', async () => {
    const resolve = (hostname: string) =>
      new Promise<unknown>((done) => {
        publicOnlyLookup(hostname, { all: true }, (error, addresses) => done(error ?? addresses));
      });
    // localhost resolves to loopback through /etc/hosts, with no DNS server needed.
    expect(await resolve('localhost')).toMatchObject({ code: 'EPRIVATEADDRESS' });
    expect(await resolve('8.8.8.8')).toEqual([{ address: '8.8.8.8', family: 4 }]);
  });
});
