// @notification-api/react: the inbox as a React hook.
export { type UseNotificationsOptions, type UseNotificationsResult, useNotifications } from './use-notifications.js';
