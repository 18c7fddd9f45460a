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
