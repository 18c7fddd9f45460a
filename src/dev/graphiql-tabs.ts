// The tabs GraphiQL opens with in development: watch the live stream in one browser tab, create in another,
// then list and mark read. Each carries the dev token, so nothing has to be typed before the first notification shows.

export interface GraphiqlTab {
  query: string;
  variables?: string;
  headers: string;
}

const LIVE_EVENTS = `# Run this and leave this browser tab open: every
# change to your inbox arrives here as it happens.
# GraphiQL runs one operation at a time per window,
# so run the others in a second browser tab.
# After a disconnect, resume with
# notificationEvents(after: "<the last position>").
subscription LiveEvents {
  notificationEvents {
    position
    kind
    counts { unread unseen }
    notification { id title message type status }
  }
}
`;

const CREATE_ONE = `# The dev token is a service token for dev-user:
# it may create notifications, for itself too.
# Run this in a second browser tab, then look at
# the first one.
mutation CreateOne {
  createNotification(input: {
    userId: "dev-user"
    title: "Transcription ready"
    message: "Your transcription 'Weekly sync' is ready to view"
    type: SUCCESS
    metadata: { actionUrl: "/sessions/42" }
  }) { id title createdAt }
}
`;

const INBOX = `query Inbox {
  counts { total unread unseen }
  notifications(first: 5) {
    totalCount
    edges { cursor node { id title status seenAt readAt createdAt } }
    pageInfo { hasNextPage endCursor }
  }
}
`;

const MARK_READ = `# Paste an id from the Inbox tab into the variables below.
mutation MarkRead($id: ID!) {
  markRead(id: $id) { id status readAt }
}
`;

export function graphiqlTabs(headers: Record<string, string>): GraphiqlTab[] {
  const json = JSON.stringify(headers, null, 2);
  return [
    { query: LIVE_EVENTS, headers: json },
    { query: CREATE_ONE, headers: json },
    { query: INBOX, headers: json },
    { query: MARK_READ, variables: JSON.stringify({ id: '<an id from the Inbox tab>' }, null, 2), headers: json },
  ];
}
