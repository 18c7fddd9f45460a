// The requests every bench sends, one place: the app's GraphQL documents and their peers' equivalents.
import { signBenchToken, userIdOf } from './tokens.js';

export const LIST_QUERY =
  'query List { notifications(first: 20) { totalCount edges { cursor node { id title message type status createdAt } } } }';

/** The badge: the counts of the default view. */
export const COUNTS_QUERY = 'query Counts { counts { unread unseen } }';

/** The same page from PostGraphile 5 (a column named `id` appears as `rowId` there). */
export const POSTGRAPHILE_LIST_QUERY = `query List($userId: String!) {
  allNotifications(first: 20, condition: { userId: $userId, listed: true }, orderBy: [ROW_ID_DESC]) {
    totalCount edges { cursor node { rowId title message type status createdAt } }
  }
}`;

/** Deep pages: the same query at any depth, the cost of totalCount left out (it does not depend on depth). */
export const PAGE_QUERY =
  'query Page($after: String) { notifications(first: 20, after: $after) { edges { cursor node { id title message type status createdAt } } pageInfo { hasNextPage } } }';

export const CREATE_MUTATION =
  'mutation Create($input: CreateNotificationInput!) { createNotification(input: $input) { id createdAt } }';

export const ADDED_SUBSCRIPTION =
  'subscription Added { notificationAdded { id title message type status createdAt metadata } }';

export function createInput(userId: string, metadata: Record<string, unknown> = {}) {
  return {
    userId,
    title: 'Transcription ready',
    message: "Your transcription 'Weekly sync' is ready to view",
    type: 'SUCCESS',
    metadata: { actionUrl: '/sessions/42', ...metadata },
  };
}

/** One token per user, signed once: user-0 … user-(n-1). */
export function userTokens(secret: string, users: number): string[] {
  return Array.from({ length: users }, (_, i) => signBenchToken(secret, userIdOf(i)));
}

export const PUBLISH_MUTATION =
  'mutation Publish($input: PublishEventInput!) { publishEvent(input: $input) { tally { created } } }';
