import { NotificationStatus, NotificationType } from '../generated/prisma/enums.js';
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
