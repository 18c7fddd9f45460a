// The per-request context: who is asking, and the app's services (shared, built once per app).
import type { Viewer } from './auth.js';
import type { Database } from './db.js';
import type { DeferredRequestBudget } from './limits/deferred-budget.js';
import type { ChangeLog } from './notifications/changelog.js';
import type { LiveStreams } from './notifications/live-streams.js';
import type { NotificationService } from './notifications/service.js';
import type { Preferences } from './producers/preferences.js';
import type { EventPublishing } from './producers/publishing.js';
import type { PushSubscriptions } from './recipients/push-subscriptions.js';
import type { Recipients } from './recipients/service.js';

export interface Services {
  db: Database;
  notifications: NotificationService;
  publishing: EventPublishing;
  preferences: Preferences;
  changeLog: ChangeLog;
  liveStreams: LiveStreams;
  /** How to reach users outside the app. */
  recipients: Recipients;
  /** The users' devices for push, and the key browsers subscribe with (null while push is off). */
  push: { subscriptions: PushSubscriptions; publicKey: string | null };
}

export interface Context {
  viewer: Viewer;
  requestId: string;
  services: Services;
  /** The HTTP request the operation came in. */
  request: Request;
  /** Aborts when the client of the operation's stream has gone. */
  streamSignal: AbortSignal;
  /** The request's budget when it is still to count: by the create rule, with the recipient's (compiled creates). */
  requestBudget?: DeferredRequestBudget | undefined;
}
