// Every text the components show or announce, in English; replace any of them (the `strings` property) to
// translate. Counts and dates go through the page's locale (Intl) whatever the language of these.

export interface InboxStrings {
  /** The bell's accessible name. */
  bell(unseen: number): string;
  title: string;
  /** Beside the title. */
  unread(count: number): string;
  markAllRead: string;
  markRead: string;
  markUnread: string;
  archive: string;
  /** Read out by screen readers when one arrives. */
  arrived(title: string): string;
  emptyTitle: string;
  emptyBody: string;
  loading: string;
  /** The stream is down and being reconnected. */
  reconnecting: string;
  /** Something failed: the code of the error. */
  problem(code: string): string;
  /** Said first in an item's name, for screen readers: "Unread"; and the mark of a HIGH or URGENT one. */
  unreadLabel: string;
  highPriority: string;
  urgent: string;
  /** By notification type, for screen readers. */
  types: Record<'INFO' | 'SUCCESS' | 'WARNING' | 'ERROR', string>;
}

export const defaultStrings: InboxStrings = {
  bell: (unseen) => (unseen > 0 ? `Notifications, ${unseen} new` : 'Notifications'),
  title: 'Notifications',
  unread: (count) => `${count} unread`,
  markAllRead: 'Mark all read',
  markRead: 'Mark as read',
  markUnread: 'Mark as unread',
  archive: 'Archive',
  arrived: (title) => `New notification: ${title}`,
  emptyTitle: "You're all caught up",
  emptyBody: 'New notifications will show up here.',
  loading: 'Loading…',
  reconnecting: 'Reconnecting…',
  problem: (code) => (code === 'UNAUTHENTICATED' ? 'Please sign in again.' : `Something went wrong (${code}).`),
  unreadLabel: 'Unread',
  highPriority: 'High priority',
  urgent: 'Urgent',
  types: { INFO: 'Information', SUCCESS: 'Success', WARNING: 'Warning', ERROR: 'Error' },
};

export interface PreferencesStrings {
  title: string;
  description: string;
  category: string;
  /** A channel's column heading, by its field name (inApp, email, push…); unknown ones show their name. */
  channels: Record<string, string>;
  /** A category's row heading, by its name; unknown ones show their name, capitalised. */
  categories: Record<string, string>;
  /** Beside a category that cannot be turned off. */
  critical: string;
  /** A channel left at each event type's default (null): the switch's tooltip, and a note under the table. */
  byDefault: string;
  byDefaultNote: string;
  /** The heading of a channel's digest choices, by the channel's name ("Email digests"), and what they do. */
  digests(channel: string): string;
  digestsDescription(channel: string): string;
  /** A digest choice's name, with its category's: "Email digest: System". */
  digest(channel: string): string;
  /** A digest choice's tooltip while its channel is off for the category. */
  digestOff(channel: string): string;
  /** A digest window, in seconds; 0: none. */
  digestWindow(seconds: number): string;
  quietHours: string;
  quietHoursDescription: string;
  /** The switch that turns quiet hours on. */
  quietHoursOn: string;
  from: string;
  to: string;
  timeZone: string;
  /** Above the channels quiet hours hold. */
  quietChannels: string;
  saveQuietHours: string;
  saved: string;
  problem(code: string): string;
}

export const defaultPreferencesStrings: PreferencesStrings = {
  title: 'Notification settings',
  description: 'Choose what reaches you, and where.',
  category: 'Category',
  channels: { inApp: 'In app', email: 'Email', push: 'Push', sms: 'SMS' },
  categories: {},
  critical: 'Always on',
  byDefault: 'As each kind of notification has it by default',
  byDefaultNote: 'A switch half-way is as each kind of notification has it by default.',
  digests: (channel) => `${channel} digests`,
  digestsDescription: () => 'Gather a category into one message at the end of each window, with what is still unread.',
  digest: (channel) => `${channel} digest`,
  digestOff: (channel) => `${channel} is off for this category`,
  digestWindow: (seconds) =>
    seconds === 0
      ? 'Off'
      : seconds === 3600
        ? 'Every hour'
        : seconds % 3600 === 0
          ? `Every ${seconds / 3600} hours`
          : seconds % 60 === 0
            ? `Every ${seconds / 60} minutes`
            : `Every ${seconds} seconds`,
  quietHours: 'Quiet hours',
  quietHoursDescription:
    'Email and push wait until they end; your inbox still shows everything, and urgent notifications always come through.',
  quietHoursOn: 'Hold email and push during quiet hours',
  from: 'From',
  to: 'To',
  timeZone: 'Time zone',
  quietChannels: 'Hold',
  saveQuietHours: 'Save quiet hours',
  saved: 'Saved',
  problem: (code) => `Not saved (${code}).`,
};
