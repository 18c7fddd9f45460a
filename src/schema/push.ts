// Browser push: a user registers each device's Web Push subscription (what PushManager.subscribe gives) and
// removes it; the VAPID public key is what the browser subscribes with.
import type { PushSubscription } from '../generated/prisma/client.js';
import { builder } from './builder.js';

const PushSubscriptionRef = builder.objectRef<PushSubscription>('PushSubscription').implement({
  description: "One of the caller's devices that receives pushes.",
  fields: (t) => ({
    endpoint: t.exposeString('endpoint', { description: "The push service's URL for the device." }),
    createdAt: t.expose('createdAt', { type: 'DateTime' }),
  }),
});

const PushSubscriptionKeysInput = builder.inputType('PushSubscriptionKeysInput', {
  fields: (t) => ({
    p256dh: t.string({ required: true, description: "The device's P-256 public key, base64url." }),
    auth: t.string({ required: true, description: "The device's 16-byte authentication secret, base64url." }),
  }),
});

const RegisterPushSubscriptionInput = builder.inputType('RegisterPushSubscriptionInput', {
  description: 'A PushSubscription as its toJSON() gives it (expirationTime left out).',
  fields: (t) => ({
    endpoint: t.string({ required: true, description: 'An https URL of the push service.' }),
    keys: t.field({ type: PushSubscriptionKeysInput, required: true }),
  }),
});

builder.mutationFields((t) => ({
  registerPushSubscription: t.field({
    type: PushSubscriptionRef,
    description:
      "Pushes the caller's notifications to this device from now on (one subscription per device, several " +
      'devices per user). Registering a device again refreshes its keys; a device registered by another user ' +
      'moves to the caller.',
    args: { input: t.arg({ type: RegisterPushSubscriptionInput, required: true }) },
    resolve: (_root, { input }, { viewer, services }) => services.push.subscriptions.register(viewer.userId, input),
  }),
  unregisterPushSubscription: t.boolean({
    description: "Stops pushes to this device; false when it was not one of the caller's.",
    args: { endpoint: t.arg.string({ required: true }) },
    resolve: (_root, { endpoint }, { viewer, services }) =>
      services.push.subscriptions.unregister(viewer.userId, endpoint),
  }),
}));

builder.queryFields((t) => ({
  myPushSubscriptions: t.field({
    type: [PushSubscriptionRef],
    description: "The caller's devices that receive pushes, most recently registered first.",
    resolve: (_root, _args, { viewer, services }) => services.push.subscriptions.list(viewer.userId),
  }),
  pushPublicKey: t.string({
    nullable: true,
    description:
      "The server's VAPID public key (base64url), PushManager.subscribe's applicationServerKey; null while " +
      'push is off on this server.',
    resolve: (_root, _args, { services }) => services.push.publicKey,
  }),
}));
