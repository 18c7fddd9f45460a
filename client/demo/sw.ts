// The demo's service worker: shows each push as a system notification (its text as text, never markup) and
// opens the page it points to when clicked. The payload is what src/delivery/push-task.ts sends.

interface PushPayload {
  id: string;
  title: string;
  body: string;
  locale: string;
  tag: string;
  url: string | null;
}

// The DOM's types are this project's; the few service-worker ones used here are stated.
interface ExtendableEvent extends Event {
  waitUntil(promise: Promise<unknown>): void;
}
interface PushEvent extends ExtendableEvent {
  readonly data: { json(): unknown } | null;
}
interface NotificationEvent extends ExtendableEvent {
  readonly notification: Notification;
}
interface WorkerScope {
  registration: ServiceWorkerRegistration;
  clients: { openWindow(url: string): Promise<unknown> };
  location: Location;
  addEventListener(type: 'push', listener: (event: PushEvent) => void): void;
  addEventListener(type: 'notificationclick', listener: (event: NotificationEvent) => void): void;
}

const worker = self as unknown as WorkerScope;

worker.addEventListener('push', (event) => {
  const payload = event.data?.json() as PushPayload | undefined;
  if (!payload?.title) return;
  event.waitUntil(
    worker.registration.showNotification(payload.title, {
      body: payload.body,
      lang: payload.locale,
      // A newer push of the same subject replaces the older one, and a repeated push replaces itself.
      tag: payload.tag,
      data: { url: payload.url, id: payload.id },
    }),
  );
});

worker.addEventListener('notificationclick', (event) => {
  event.notification.close();
  const { url } = (event.notification.data ?? {}) as { url?: string | null };
  // The demo has no page per notification: a path of the app opens the inbox instead.
  const target = url && /^https?:\/\//.test(url) ? url : `${worker.location.origin}/demo`;
  event.waitUntil(worker.clients.openWindow(target));
});
