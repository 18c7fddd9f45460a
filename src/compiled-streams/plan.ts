// Which subscriptions compiled streams serve, and the code that writes their events: a subscription whose
// one root field is `notificationAdded` or `notificationEvents`, selecting only fields this file knows how
// to read from a change (through fragments and aliases, no directive). Each event is serialized by closures
// made once per document for its selection, reading the same values as the schema's resolvers
// (src/schema/notification.ts, notification-event.ts, counts.ts) and serializing leaves with the schema's
// own scalars and enums, in graphql-js's field order: the same JSON as Yoga's, without graphql-js's
// execution per event. Anything else has no plan, and Yoga serves it.
import { encodeGlobalID } from '@pothos/plugin-relay';
import {
  type DocumentNode,
  type FieldNode,
  type FragmentDefinitionNode,
  type GraphQLField,
  type GraphQLObjectType,
  type GraphQLOutputType,
  type GraphQLSchema,
  getNullableType,
  getOperationAST,
  isLeafType,
  isListType,
  isObjectType,
  Kind,
  type OperationDefinitionNode,
} from 'graphql';
import { type Collected, collect, Unsupported } from '../compiled-reads/plan.js';
import type { ChangeEvent } from '../notifications/changelog.js';

export type StreamField = 'notificationAdded' | 'notificationEvents';

export interface StreamPlan {
  document: DocumentNode;
  operationName: string | null;
  operation: OperationDefinitionNode;
  field: StreamField;
  /** The root field as written (its arguments), and its definition. */
  node: FieldNode;
  definition: GraphQLField<unknown, unknown>;
  /** The root fields it calls, for their budgets (src/limits/rate-limiter.ts). */
  rootFields: string[];
  /** The `data` of the result for one change, as JSON. */
  data(event: ChangeEvent): string;
}

type Read = (source: never) => unknown;
const globalId = (id: string) => encodeGlobalID('Notification', id);

/** How each field a plan may select is read from its parent's value, as the schema's resolvers read it. */
const READS: Record<string, Record<string, Read>> = {
  Notification: {
    id: (n: { id: string }) => globalId(n.id),
    ...Object.fromEntries(
      [
        'title',
        'message',
        'type',
        'status',
        'priority',
        'category',
        'metadata',
        'relatedSessionId',
        'createdAt',
        'readAt',
        'seenAt',
        'archivedAt',
        'snoozedUntil',
        'expiresAt',
        'sendAt',
        'updatedAt',
      ].map((name): [string, Read] => [name, (n: Record<string, unknown>) => n[name]]),
    ),
  },
  NotificationEvent: {
    position: (e: ChangeEvent) => String(e.position),
    kind: (e: ChangeEvent) => e.kind,
    notificationId: (e: ChangeEvent) => (e.notificationId ? globalId(e.notificationId) : null),
    notificationIds: (e: ChangeEvent) => e.notificationIds.map(globalId),
    notification: (e: ChangeEvent) => e.notification,
    count: (e: ChangeEvent) => e.count,
    unreadCount: (e: ChangeEvent) => e.counts.unread,
    counts: (e: ChangeEvent) => e.counts,
    createdAt: (e: ChangeEvent) => e.createdAt,
  },
  NotificationCounts: {
    total: (c: { total: number }) => c.total,
    unread: (c: { unread: number }) => c.unread,
    unseen: (c: { unseen: number }) => c.unseen,
  },
};

/** What each root field yields for a change: the value its resolver returns (src/schema/subscriptions.ts). */
const ROOTS: Record<StreamField, (event: ChangeEvent) => unknown> = {
  notificationAdded: (event) => event.notification,
  notificationEvents: (event) => event,
};

type Serialize = (value: unknown) => unknown;

/** The plan of `operationName` in a validated document, or undefined when compiled streams cannot serve it. */
export function streamPlanOf(
  schema: GraphQLSchema,
  document: DocumentNode,
  operationName?: string | null,
): StreamPlan | undefined {
  const operation = getOperationAST(document, operationName);
  const subscription = schema.getSubscriptionType();
  if (operation?.operation !== 'subscription' || !subscription) return undefined;
  const fragments = new Map<string, FragmentDefinitionNode>();
  for (const definition of document.definitions) {
    if (definition.kind === Kind.FRAGMENT_DEFINITION) fragments.set(definition.name.value, definition);
  }
  try {
    if (operation.directives?.length) throw new Unsupported();
    const roots = [...collect(schema, subscription, [operation.selectionSet], fragments).values()];
    // Validation allows one root field (introspection's __typename included): anything else is Yoga's.
    if (roots.length !== 1) throw new Unsupported();
    const [{ key, name, nodes }] = roots as [Collected];
    if (name !== 'notificationAdded' && name !== 'notificationEvents') throw new Unsupported();
    const definition = subscription.getFields()[name]!;
    const serialize = serializerOf(schema, definition.type, nodes, fragments);
    const root = ROOTS[name];
    const prefix = `{${JSON.stringify(key)}:`;
    return {
      document,
      operationName: operationName ?? null,
      operation,
      field: name,
      node: nodes[0]!,
      definition,
      rootFields: [name],
      data: (event) => `${prefix}${JSON.stringify(serialize(root(event)))}}`,
    };
  } catch (error) {
    if (error instanceof Unsupported) return undefined;
    throw error;
  }
}

/** How a value of `type`, selected by `nodes`, goes out: what graphql-js's completeValue makes of it. */
function serializerOf(
  schema: GraphQLSchema,
  type: GraphQLOutputType,
  nodes: readonly FieldNode[],
  fragments: ReadonlyMap<string, FragmentDefinitionNode>,
): Serialize {
  const nullable = getNullableType(type);
  if (isListType(nullable)) {
    const item = serializerOf(schema, nullable.ofType, nodes, fragments);
    return (value) => (value == null ? null : (value as unknown[]).map(item));
  }
  if (isLeafType(nullable)) return (value) => (value == null ? null : nullable.serialize(value));
  if (!isObjectType(nullable)) throw new Unsupported();
  const object = objectSerializer(schema, nullable, nodes, fragments);
  return (value) => (value == null ? null : object(value));
}

function objectSerializer(
  schema: GraphQLSchema,
  type: GraphQLObjectType,
  nodes: readonly FieldNode[],
  fragments: ReadonlyMap<string, FragmentDefinitionNode>,
): Serialize {
  const reads = READS[type.name];
  if (!reads) throw new Unsupported();
  const sets = nodes.flatMap(({ selectionSet }) => (selectionSet ? [selectionSet] : []));
  const fields = [...collect(schema, type, sets, fragments).values()].map(({ key, name, nodes: fieldNodes }) => {
    if (name === '__typename') return { key, write: () => type.name };
    const read = reads[name] as ((source: unknown) => unknown) | undefined;
    if (!read) throw new Unsupported();
    const serialize = serializerOf(schema, type.getFields()[name]!.type, fieldNodes, fragments);
    return { key, write: (source: unknown) => serialize(read(source)) };
  });
  return (source) => {
    // As graphql-js builds it: an alias may be __proto__.
    const out: Record<string, unknown> = Object.create(null);
    for (const { key, write } of fields) out[key] = write(source);
    return out;
  };
}
