import { NotificationPriority, NotificationStatus, NotificationType } from '../generated/prisma/enums.js';
import { builder } from './builder.js';

export const NotificationTypeEnum = builder.enumType(NotificationType, {
  name: 'NotificationType',
  description: 'How the notification should look: its tone.',
});

export const NotificationStatusEnum = builder.enumType(NotificationStatus, {
  name: 'NotificationStatus',
  description:
    'Where the notification is in its life: UNREAD until acted on, then READ; ARCHIVED ones leave the default list.',
});

export const NotificationPriorityEnum = builder.enumType(NotificationPriority, {
  name: 'NotificationPriority',
  description:
    'How much it matters. URGENT is never held back outside the app: not by quiet hours, digests or a delay. ' +
    'Critical event types are URGENT unless the producer says otherwise; the rest NORMAL.',
});
