// The fields of a Notification compiled reads can answer, and what each is made of in a row of
// NOTIFICATION_COLUMNS: its global id, an instant (graphql-scalars' DateTime), or the column as it is (a string,
// an enum's name, the metadata's JSON).
export const NOTIFICATION_FIELDS = {
  id: 'globalId',
  title: 'column',
  message: 'column',
  type: 'column',
  status: 'column',
  priority: 'column',
  category: 'column',
  metadata: 'column',
  relatedSessionId: 'column',
  createdAt: 'instant',
  readAt: 'instant',
  seenAt: 'instant',
  archivedAt: 'instant',
  snoozedUntil: 'instant',
  expiresAt: 'instant',
  sendAt: 'instant',
  updatedAt: 'instant',
} as const satisfies Record<string, 'globalId' | 'instant' | 'column'>;

export type NotificationField = keyof typeof NOTIFICATION_FIELDS;
