// The urql example (examples/urql.ts) against a real server: a typed query, a mutation, and a subscription over
// graphql-sse that sees a notification created elsewhere arrive.
import {
  InboxDocument,
  InboxEventsDocument,
  type InboxEventsSubscription,
  type InboxEventsSubscriptionVariables,
  InboxMarkAllReadDocument,
  type InboxMarkAllReadMutation,
  type InboxMarkAllReadMutationVariables,
  type InboxQuery,
  type InboxQueryVariables,
} from '@notification-api/client';
import { gql } from '@urql/core';
import { afterEach, describe, expect, it } from 'vitest';
import { createUrqlClient } from '../../examples/urql.js';
import { waitFor } from '../helpers/event-stream.js';
import { createMany, createNotification } from '../helpers/notifications.js';
import { useTestServer } from '../helpers/server.js';

const server = useTestServer();
const cleanups: Array<() => void> = [];
afterEach(() => {
  for (const cleanup of cleanups.splice(0)) cleanup();
});

describe('the urql example', () => {
  it('should query, mutate and follow the inbox live over graphql-sse', async () => {
    const user = await server.newUser();
    await createMany(server.url, user.userId, 2);
    let asked = 0;
    const { client, dispose } = createUrqlClient({
      url: server.url,
      token: async () => {
        asked++;
        return user.token;
      },
    });
    cleanups.push(dispose);

    const inbox = await client.query(gql<InboxQuery, InboxQueryVariables>(InboxDocument.toString()), { first: 10 });
    expect(inbox.error).toBeUndefined();
    expect(inbox.data?.notifications.edges.map((edge) => edge.node.title)).toEqual(['n 1', 'n 0']);
    expect(inbox.data?.counts).toMatchObject({ total: 2, unread: 2 });

    const events: InboxEventsSubscription['notificationEvents'][] = [];
    const { unsubscribe } = client
      .subscription(gql<InboxEventsSubscription, InboxEventsSubscriptionVariables>(InboxEventsDocument.toString()), {})
      .subscribe((result) => {
        if (result.data) events.push(result.data.notificationEvents);
      });
    cleanups.push(unsubscribe);
    // The stream is open once a change made now arrives: keep making one until it does.
    await waitFor(async () => {
      if (events.length === 0) await createNotification(server.url, { userId: user.userId, title: 'Live' });
      return events.length > 0;
    }, 'the live stream');
    expect(events[0]).toMatchObject({ kind: 'ADDED', notification: { title: 'Live' } });

    const marked = await client.mutation(
      gql<InboxMarkAllReadMutation, InboxMarkAllReadMutationVariables>(InboxMarkAllReadDocument.toString()),
      {},
    );
    expect(marked.error).toBeUndefined();
    expect(marked.data?.markAllRead.counts.unread).toBe(0);
    await waitFor(async () => events.some((event) => event.kind === 'ALL_READ'), 'the ALL_READ event');
    expect(asked, 'the token function is asked for each request').toBeGreaterThanOrEqual(3);
  });
});
