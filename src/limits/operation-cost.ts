// The cost of an operation as it will run, measured once its variables are known: `first: $n` with n = 100
// costs what `first: 100` does. The measure is GraphQL Armor's (an object 2, a scalar 1, each level below
// ×1.5, a field with `first` or `last` × that many, fragments counted where they are spread, `__schema`
// free), plus what a field declares of the work its selection does not show (Pothos `extensions: { cost }`):
// a weight (a SQL count), and an argument whose list fans it out (countsBy's filters, one count each).
import {
  BREAK,
  type DocumentNode,
  type FragmentDefinitionNode,
  type GraphQLField,
  type GraphQLNamedType,
  type GraphQLSchema,
  getArgumentValues,
  getNamedType,
  getOperationAST,
  getVariableValues,
  isInterfaceType,
  isObjectType,
  Kind,
  SchemaMetaFieldDef,
  type SelectionSetNode,
  TypeMetaFieldDef,
  TypeNameMetaFieldDef,
  visit,
} from 'graphql';

/** What a field adds to the measure, declared beside it: `extensions: fieldCost({ … })`. */
export interface FieldCost {
  /** Points each result of the field adds, for work its selection does not show. */
  weight?: number;
  /** An argument whose list length multiplies the field: one result, and its work, per item. */
  fanOut?: string;
}

export const fieldCost = (cost: FieldCost): { cost: FieldCost } => ({ cost });

const OBJECT_COST = 2;
const SCALAR_COST = 1;
const DEPTH_FACTOR = 1.5;
const PAGE_ARGUMENTS = ['first', 'last'];

type AnyField = GraphQLField<unknown, unknown>;

/**
 * The operation's cost with these (raw) variables; undefined when there is no such operation or its
 * variables do not coerce: execution then refuses it with its own error, and runs nothing.
 */
export function operationCost(
  schema: GraphQLSchema,
  document: DocumentNode,
  operationName: string | null | undefined,
  rawVariables: Record<string, unknown> | null | undefined,
): number | undefined {
  const operation = getOperationAST(document, operationName);
  const root = operation && schema.getRootType(operation.operation);
  if (!operation || !root) return undefined;
  const coerced = getVariableValues(schema, operation.variableDefinitions ?? [], rawVariables ?? {});
  if (coerced.errors) return undefined;
  const variables = coerced.coerced;

  const fragments = new Map<string, FragmentDefinitionNode>();
  for (const definition of document.definitions) {
    if (definition.kind === Kind.FRAGMENT_DEFINITION) fragments.set(definition.name.value, definition);
  }
  // A fragment costs the same wherever it is spread (the measure is relative to its level): measured once,
  // so that fragments spreading fragments twice over cannot make the measuring itself exponential.
  const fragmentCosts = new Map<string, number>();

  const fieldOf = (parent: GraphQLNamedType | undefined, name: string): AnyField | undefined => {
    if (name === TypeNameMetaFieldDef.name) return TypeNameMetaFieldDef as AnyField;
    if (parent === root && name === SchemaMetaFieldDef.name) return SchemaMetaFieldDef as AnyField;
    if (parent === root && name === TypeMetaFieldDef.name) return TypeMetaFieldDef as AnyField;
    return isObjectType(parent) || isInterfaceType(parent) ? parent.getFields()[name] : undefined;
  };

  const argumentsOf = (field: AnyField, node: Parameters<typeof getArgumentValues>[1]) => {
    try {
      return getArgumentValues(field, node, variables);
    } catch {
      return {};
    }
  };

  const multiplier = (args: Record<string, unknown>, cost: FieldCost | undefined): number => {
    let times = 1;
    for (const name of PAGE_ARGUMENTS) {
      const value = args[name];
      if (typeof value === 'number') times = Math.max(times, value);
    }
    const fanOut = cost?.fanOut && args[cost.fanOut];
    if (Array.isArray(fanOut)) times *= Math.max(1, fanOut.length);
    return times;
  };

  const selectionCost = (selectionSet: SelectionSetNode, parent: GraphQLNamedType | undefined): number => {
    let total = 0;
    for (const selection of selectionSet.selections) {
      if (selection.kind === Kind.INLINE_FRAGMENT) {
        const condition = selection.typeCondition && schema.getType(selection.typeCondition.name.value);
        total += selectionCost(selection.selectionSet, condition ?? parent);
      } else if (selection.kind === Kind.FRAGMENT_SPREAD) {
        total += fragmentCost(selection.name.value);
      } else if (selection.name.value === SchemaMetaFieldDef.name && parent === root) {
        // Introspection is allowed or refused as a whole (INTROSPECTION), not priced.
      } else {
        const field = fieldOf(parent, selection.name.value);
        const cost = field?.extensions?.cost as FieldCost | undefined;
        const args = field ? argumentsOf(field, selection) : {};
        const own = (selection.selectionSet ? OBJECT_COST : SCALAR_COST) + (cost?.weight ?? 0);
        const below = selection.selectionSet
          ? DEPTH_FACTOR * selectionCost(selection.selectionSet, field && getNamedType(field.type))
          : 0;
        total += (own + below) * multiplier(args, cost);
      }
    }
    return total;
  };

  const fragmentCost = (name: string): number => {
    const known = fragmentCosts.get(name);
    if (known !== undefined) return known;
    const fragment = fragments.get(name);
    // Marked first: a cycle (refused by validation anyway) costs nothing more rather than recursing forever.
    fragmentCosts.set(name, 0);
    const cost = fragment ? selectionCost(fragment.selectionSet, schema.getType(fragment.typeCondition.name.value)) : 0;
    fragmentCosts.set(name, cost);
    return cost;
  };

  return selectionCost(operation.selectionSet, root);
}

/**
 * Whether the operation's cost may change with its variables: only when a variable is given to a page argument
 * (`first`, `last`) or to an argument some field fans out by (see FieldCost), anywhere in the document. Otherwise
 * a cost measured once holds for every run (variables that do not coerce are refused before it matters).
 */
export function costVariesWithVariables(schema: GraphQLSchema, document: DocumentNode): boolean {
  const priced = new Set(PAGE_ARGUMENTS);
  for (const type of Object.values(schema.getTypeMap())) {
    if (!isObjectType(type) && !isInterfaceType(type)) continue;
    for (const field of Object.values(type.getFields())) {
      const fanOut = (field.extensions?.cost as FieldCost | undefined)?.fanOut;
      if (fanOut) priced.add(fanOut);
    }
  }
  let varies = false;
  visit(document, {
    Argument(node) {
      if (!priced.has(node.name.value)) return false;
      visit(node.value, {
        Variable() {
          varies = true;
          return BREAK;
        },
      });
      return varies ? BREAK : false;
    },
  });
  return varies;
}

/**
 * A learnt document's cost (compiled reads, creates and streams): measured on each request when a variable can
 * change it, else once and kept. A kept cost answers even for variables that do not coerce: those paths refuse
 * such variables themselves, or leave them to execution, which runs nothing.
 */
export class LearntCost {
  private readonly varies: boolean;
  private constant: number | undefined;

  constructor(
    private readonly schema: GraphQLSchema,
    private readonly document: DocumentNode,
    private readonly operationName: string | null,
  ) {
    this.varies = costVariesWithVariables(schema, document);
  }

  with(rawVariables: Record<string, unknown> | null | undefined): number | undefined {
    if (this.constant !== undefined) return this.constant;
    const cost = operationCost(this.schema, this.document, this.operationName, rawVariables);
    if (!this.varies) this.constant = cost;
    return cost;
  }
}
