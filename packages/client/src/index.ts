// @notification-api/client: the typed client, its documents (generated from ../operations/) and the scalars.
export {
  createNotificationClient,
  graphqlEndpoint,
  type NotificationClient,
  type NotificationClientOptions,
} from './client.js';
export type { TypedDocument } from './documents.js';
export { type GraphQLErrorLike, GraphQLRequestError } from './errors.js';
export type { EventStream, EventsOptions, InboxEvent, StreamStatus } from './events.js';
export * from './generated/graphql.js';
export { type GraphQLResult, type HttpResult, type OperationBody, type PostOptions, postGraphQL } from './http.js';
export { createInboxStore, type InboxState, type InboxStore, type InboxStoreOptions } from './inbox-store.js';
export type { DateTimeString, JsonValue } from './scalars.js';
