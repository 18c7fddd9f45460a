// What a channel's task decides before it sends, from the user's policies, as of now: a held delivery whose
// notification was read or archived in the app meanwhile is not sent (SKIPPED: READ; one deleted took its
// delivery with it); otherwise it goes now.
import type { LoadedDelivery } from './deliveries.js';

export type GateDecision =
  | { action: 'send' }
  | { action: 'skip'; reason: 'READ' }
  | { action: 'hold'; until: Date; reason: string };

export function gate({ delivery, notification }: LoadedDelivery): GateDecision {
  if (delivery.status === 'HELD' && (notification.readAt !== null || notification.status === 'ARCHIVED'))
    return { action: 'skip', reason: 'READ' };
  return { action: 'send' };
}
