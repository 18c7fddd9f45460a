// What the delivery tests ask a running server, as a service and as the recipient would: publish an event,
// and read a notification's deliveries the way its user sees them (Notification.deliveries).
import type { TypedDocumentNode } from '@graphql-typed-document-node/core';
import { NotificationDeliveriesDocument, PublishEventDocument, type PublishEventInput } from '../generated/graphql.js';
import { type Endpoint, execute, expectData } from './graphql.js';
import { serviceToken, tokenFor } from './tokens.js';

/** The data of a document run with a service token, failing the test on any error. */
export async function asService<TData, TVariables>(
  endpoint: Endpoint,
  document: TypedDocumentNode<TData, TVariables>,
  variables: TVariables,
): Promise<TData> {
  return expectData(await execute(endpoint, document, variables, { token: await serviceToken() }));
}

/** publishEvent's result per recipient. */
export async function publishEvent(endpoint: Endpoint, input: PublishEventInput) {
  return (await asService(endpoint, PublishEventDocument, { input })).publishEvent.results;
}

/** A notification's deliveries, read by its user. */
export async function deliveriesOf(endpoint: Endpoint, notificationId: string, userId: string) {
  const response = await execute(
    endpoint,
    NotificationDeliveriesDocument,
    { id: notificationId },
    { token: await tokenFor(userId) },
  );
  const node = expectData(response).node;
  return node && 'deliveries' in node ? node.deliveries : [];
}
