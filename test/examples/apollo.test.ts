// The Apollo Client example (examples/apollo.ts) against a real server: a typed query, a mutation, and a
// subscription over graphql-sse that sees a notification created elsewhere arrive.
import { gql, type TypedDocumentNode } from '@apollo/client';
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
import { afterEach, describe, expect, it } from 'vitest';
import { createApolloClient } from '../../examples/apollo.js';
import { waitFor } from '../helpers/event-stream.js';
import { createMany, createNotification } from '../helpers/notifications.js';
import { useTestServer } from '../helpers/server.js';

const server = useTestServer();
const cleanups: Array<() => void> = [];
afterEach(() => {
  for (const cleanup of cleanups.splice(0)) cleanup();
});

/** One of the client package's documents (a typed string) as Apollo takes it: parsed, with its types. */
const typed = <TData, TVariables>(document: { toString(): string; __apiType?: (variables: TVariables) => TData }) =>
  gql(document.toString()) as TypedDocumentNode<TData, TVariables>;

describe('the Apollo Client example', () => {
  it('should query, mutate and follow the inbox live over graphql-sse', async () => {
    const user = await server.newUser();
    await createMany(server.url, user.userId, 2);
    const { client, dispose } = createApolloClient({ url: server.url, token: () => user.token });
    cleanups.push(dispose);

    const inbox = await client.query({
      query: typed<InboxQuery, InboxQueryVariables>(InboxDocument),
      variables: { first: 10 },
    });
    expect(inbox.data?.notifications.edges.map((edge) => edge.node.title)).toEqual(['n 1', 'n 0']);
    expect(inbox.data?.counts).toMatchObject({ total: 2, unread: 2 });

    const events: InboxEventsSubscription['notificationEvents'][] = [];
    const subscription = client
      .subscribe({ query: typed<InboxEventsSubscription, InboxEventsSubscriptionVariables>(InboxEventsDocument) })
      .subscribe((result) => {
        if (result.data) events.push(result.data.notificationEvents);
      });
    cleanups.push(() => subscription.unsubscribe());
    await waitFor(async () => {
      if (events.length === 0) await createNotification(server.url, { userId: user.userId, title: 'Live' });
      return events.length > 0;
    }, 'the live stream');
    expect(events[0]).toMatchObject({ kind: 'ADDED', notification: { title: 'Live' } });

    const marked = await client.mutate({
      mutation: typed<InboxMarkAllReadMutation, InboxMarkAllReadMutationVariables>(InboxMarkAllReadDocument),
    });
    expect(marked.data?.markAllRead.counts.unread).toBe(0);
    await waitFor(async () => events.some((event) => event.kind === 'ALL_READ'), 'the ALL_READ event');
  });
});
