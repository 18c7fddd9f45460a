// "Notify me on this device": registers the demo's service worker (client/demo/sw.ts, which shows each push),
// subscribes this browser with the server's VAPID public key and hands the subscription to the API. Hidden
// where the browser cannot do Web Push or the server has push off.
import {
  type NotificationClient,
  PushPublicKeyDocument,
  RegisterPushSubscriptionDocument,
} from '@notification-api/client';

const SERVICE_WORKER = '/demo/sw.js';

/** Once the worker is active (subscribing needs one). Not `serviceWorker.ready`: the page at /demo is outside its scope /demo/. */
async function activated(registration: ServiceWorkerRegistration): Promise<void> {
  const worker = registration.installing ?? registration.waiting ?? registration.active;
  if (!worker || worker.state === 'activated') return;
  await new Promise<void>((resolve) =>
    worker.addEventListener('statechange', () => {
      if (worker.state === 'activated') resolve();
    }),
  );
}

export async function setUpPushButton(
  client: NotificationClient,
  button: HTMLButtonElement,
  showProblem: (error: unknown) => void,
): Promise<void> {
  if (!('serviceWorker' in navigator) || !('PushManager' in window) || !('Notification' in window)) return;
  const { pushPublicKey } = await client.request(PushPublicKeyDocument);
  if (!pushPublicKey) return;
  const registration = await navigator.serviceWorker.register(SERVICE_WORKER, { scope: '/demo/' });
  const done = () => {
    button.textContent = 'Notifications on for this device';
    button.disabled = true;
  };
  if (Notification.permission === 'granted' && (await registration.pushManager.getSubscription())) done();
  button.hidden = false;
  button.addEventListener('click', async () => {
    try {
      if ((await Notification.requestPermission()) !== 'granted')
        throw new Error('notifications are blocked for this page');
      await activated(registration);
      const subscription = await registration.pushManager.subscribe({
        userVisibleOnly: true,
        applicationServerKey: pushPublicKey,
      });
      const { endpoint, keys } = subscription.toJSON();
      if (!endpoint || !keys?.p256dh || !keys.auth) throw new Error('the browser gave an incomplete subscription');
      await client.request(RegisterPushSubscriptionDocument, {
        input: { endpoint, keys: { p256dh: keys.p256dh, auth: keys.auth } },
      });
      done();
    } catch (error) {
      showProblem(error);
    }
  });
}
