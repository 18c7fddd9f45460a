// Making notifications the way producers do: createNotification with a service token.
import {
  CreateNotificationDocument,
  type CreateNotificationInput,
  type NotificationFieldsFragment,
} from '../generated/graphql.js';
import { type Endpoint, execute, expectData } from './graphql.js';
import { serviceToken } from './tokens.js';

export async function createNotification(
  endpoint: Endpoint,
  input: Partial<CreateNotificationInput> & { userId: string },
): Promise<NotificationFieldsFragment> {
  const response = await execute(
    endpoint,
    CreateNotificationDocument,
    {
      input: {
        title: 'Transcription ready',
        message: 'Your transcription is ready to view',
        type: 'SUCCESS',
        ...input,
      },
    },
    { token: await serviceToken() },
  );
  return expectData(response).createNotification;
}

/** Creates `count` notifications for one user, one after another; returns them oldest first. */
export async function createMany(
  endpoint: Endpoint,
  userId: string,
  count: number,
  prefix = 'n',
): Promise<NotificationFieldsFragment[]> {
  const created: NotificationFieldsFragment[] = [];
  for (let i = 0; i < count; i++) created.push(await createNotification(endpoint, { userId, title: `${prefix} ${i}` }));
  return created;
}

/** A notification's content that tests every field's escaping: quotes, backslashes, accents, emoji, control characters, nested JSON. */
export const RICH_CONTENT = {
  title: 'Payment failed: "quotes", \\ and \u00e9 \u{1f514}',
  message: 'Line one\nline two\ttabbed',
  type: 'ERROR',
  priority: 'HIGH',
  category: 'billing',
  relatedSessionId: 'session-7',
  metadata: { actionUrl: '/sessions/42', nested: { list: [1, 2.5, null, true], text: '<b>' } },
} as const;
