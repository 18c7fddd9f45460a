// @notification-api/inbox: importing it defines <notification-inbox> and <notification-preferences>.
import { NotificationInbox } from './notification-inbox.js';
import { NotificationPreferences } from './notification-preferences.js';

export { NotificationInbox, type TokenSource } from './notification-inbox.js';
export { channelsOf, digestChannelsOf, NotificationPreferences } from './notification-preferences.js';
export { absoluteTime, pageLocale, relativeTime } from './relative-time.js';
export { defaultPreferencesStrings, defaultStrings, type InboxStrings, type PreferencesStrings } from './strings.js';

if (!customElements.get('notification-inbox')) customElements.define('notification-inbox', NotificationInbox);
if (!customElements.get('notification-preferences')) {
  customElements.define('notification-preferences', NotificationPreferences);
}
