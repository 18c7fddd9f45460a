// Which documents compiled reads can answer, and what they ask for: a query whose root fields are the inbox's
// page (`notifications`) and its badge (`counts`), selecting only fields that are columns of a row or counts
// of a view, through fragments and aliases but no directive. Anything else has no plan, and Yoga answers it.
import {
  type FieldNode,
  type FragmentDefinitionNode,
  type GraphQLField,
  type GraphQLObjectType,
  type GraphQLSchema,
  getNamedType,
  getOperationAST,
  isObjectType,
  Kind,
  type OperationDefinitionNode,
  type SelectionSetNode,
} from 'graphql';
import { NOTIFICATION_FIELDS } from './fields.js';

/** A field as it appears in the response: its key (the alias, or its name) and what it selects, merged. */
export interface Selected {
  key: string;
  name: string;
  selections: Selected[];
}

export interface RootRead {
  key: string;
  kind: 'notifications' | 'counts' | '__typename';
  /** The field as written (its arguments): the first of those merged under `key`. */
  node: FieldNode;
  definition: GraphQLField<unknown, unknown> | undefined;
  selections: Selected[];
}

export interface ReadPlan {
  operation: OperationDefinitionNode;
  roots: RootRead[];
  /** The root fields it calls, for their budgets (src/limits/rate-limiter.ts). */
  rootFields: string[];
}

/** What each object type of a page may select: its fields that compiled reads know how to build. */
const READABLE: Record<string, ReadonlySet<string>> = {
  NotificationConnection: new Set(['totalCount', 'edges', 'pageInfo']),
  NotificationEdge: new Set(['cursor', 'node']),
  PageInfo: new Set(['hasNextPage', 'hasPreviousPage', 'startCursor', 'endCursor']),
  Notification: new Set(Object.keys(NOTIFICATION_FIELDS)),
  NotificationCounts: new Set(['total', 'unread', 'unseen']),
};

/** Thrown by `collect` for a selection no compiled path handles (a directive, a fragment on another type). */
export class Unsupported extends Error {}

/** The plan of `operationName` in a validated document, or undefined when compiled reads cannot answer it. */
export function planOf(schema: GraphQLSchema, document: import('graphql').DocumentNode, operationName?: string | null) {
  const operation = getOperationAST(document, operationName);
  const query = schema.getQueryType();
  if (operation?.operation !== 'query' || !query) return undefined;
  const fragments = new Map<string, FragmentDefinitionNode>();
  for (const definition of document.definitions) {
    if (definition.kind === Kind.FRAGMENT_DEFINITION) fragments.set(definition.name.value, definition);
  }
  try {
    if (operation.directives?.length) throw new Unsupported();
    const fields = collect(schema, query, [operation.selectionSet], fragments);
    const roots = [...fields.values()].map(({ key, name, nodes }): RootRead => {
      if (name !== 'notifications' && name !== 'counts' && name !== '__typename') throw new Unsupported();
      const definition = query.getFields()[name];
      const type = definition && getNamedType(definition.type);
      return {
        key,
        kind: name,
        node: nodes[0]!,
        definition,
        selections: isObjectType(type) ? select(schema, type, nodes, fragments) : [],
      };
    });
    const rootFields = [...new Set(roots.map(({ kind }) => kind).filter((name) => name !== '__typename'))];
    return { operation, roots, rootFields } satisfies ReadPlan;
  } catch (error) {
    if (error instanceof Unsupported) return undefined;
    throw error;
  }
}

export interface Collected {
  key: string;
  name: string;
  nodes: FieldNode[];
}

/** The fields of these selection sets on `type`, by response key in order of first appearance. */
export function collect(
  schema: GraphQLSchema,
  type: GraphQLObjectType,
  sets: readonly SelectionSetNode[],
  fragments: ReadonlyMap<string, FragmentDefinitionNode>,
  into = new Map<string, Collected>(),
): Map<string, Collected> {
  for (const set of sets) {
    for (const selection of set.selections) {
      if (selection.directives?.length) throw new Unsupported();
      if (selection.kind === Kind.FIELD) {
        const key = selection.alias?.value ?? selection.name.value;
        const known = into.get(key);
        if (known) known.nodes.push(selection);
        else into.set(key, { key, name: selection.name.value, nodes: [selection] });
        continue;
      }
      const fragment = selection.kind === Kind.FRAGMENT_SPREAD ? fragments.get(selection.name.value) : selection;
      if (!fragment) throw new Unsupported();
      if (fragment.directives?.length) throw new Unsupported();
      const condition = fragment.typeCondition?.name.value;
      if (condition && condition !== type.name && !type.getInterfaces().some(({ name }) => name === condition)) {
        throw new Unsupported();
      }
      collect(schema, type, [fragment.selectionSet], fragments, into);
    }
  }
  return into;
}

function select(
  schema: GraphQLSchema,
  type: GraphQLObjectType,
  nodes: readonly FieldNode[],
  fragments: ReadonlyMap<string, FragmentDefinitionNode>,
): Selected[] {
  const readable = READABLE[type.name];
  if (!readable) throw new Unsupported();
  const sets = nodes.flatMap(({ selectionSet }) => (selectionSet ? [selectionSet] : []));
  return [...collect(schema, type, sets, fragments).values()].map(({ key, name, nodes: fieldNodes }) => {
    if (name === '__typename') return { key, name, selections: [] };
    if (!readable.has(name)) throw new Unsupported();
    const fieldType = getNamedType(type.getFields()[name]!.type);
    return {
      key,
      name,
      selections: isObjectType(fieldType) ? select(schema, fieldType, fieldNodes, fragments) : [],
    };
  });
}
