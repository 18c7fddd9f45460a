// What the user chose to calm a channel down, per category (stored in notification_preferences.channel_policies):
// a read-before-send delay (the delivery waits, and is skipped if the notification was read meanwhile) and a
// digest window (deliveries of the window go out as one message at its end). URGENT notifications ignore both.
import type { NotificationPriority } from '../generated/prisma/enums.js';

export type PolicyChannel = 'EMAIL' | 'PUSH';

/** Seconds; 0 or absent: none. */
export interface ChannelPolicy {
  delay?: number;
  digest?: number;
}

/** {"<category>": {"EMAIL": {"delay": 300, "digest": 900}}} */
export type ChannelPolicies = Record<string, Partial<Record<PolicyChannel, ChannelPolicy>>>;

export interface PlannedHold {
  delayMs: number;
  digestMs: number;
}

const NONE: PlannedHold = { delayMs: 0, digestMs: 0 };

/** The stored JSON, read leniently: anything malformed counts as no policy. */
export function readPolicies(value: unknown): ChannelPolicies {
  return value && typeof value === 'object' && !Array.isArray(value) ? (value as ChannelPolicies) : {};
}

export function policyOf(policies: ChannelPolicies, category: string | null, channel: PolicyChannel): ChannelPolicy {
  const policy = category ? policies[category]?.[channel] : undefined;
  return { delay: Number(policy?.delay) || 0, digest: Number(policy?.digest) || 0 };
}

/** How a new delivery waits: a digest window, else a delay, else not at all (URGENT never waits). */
export function plannedHold(
  policies: ChannelPolicies,
  category: string | null,
  channel: PolicyChannel,
  priority: NotificationPriority,
): PlannedHold {
  if (priority === 'URGENT') return NONE;
  const { delay = 0, digest = 0 } = policyOf(policies, category, channel);
  if (digest > 0) return { delayMs: 0, digestMs: digest * 1000 };
  if (delay > 0) return { delayMs: delay * 1000, digestMs: 0 };
  return NONE;
}
