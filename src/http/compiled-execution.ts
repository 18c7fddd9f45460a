// Queries and mutations of documents that run often are executed by code compiled for them (graphql-jit)
// instead of graphql-js's interpreter, which walks the document anew for every field of every request. A
// document is compiled once it has run GRAPHQL_COMPILE_AFTER times, so that documents sent once (any client
// may send any document unless PERSISTED_OPERATIONS=only) never pay for a compilation; compiled ones are kept
// in a bounded LRU. Subscriptions stay on graphql-js. Where graphql-jit would answer differently from
// graphql-js, graphql-js answers (see execute below): clients cannot tell which of them ran.
import {
  type DocumentNode,
  type ExecutionArgs,
  type ExecutionResult,
  GraphQLError,
  getOperationAST,
  type Source,
  type SourceLocation,
} from 'graphql';
import { type CompiledQuery, compileQuery, isCompiledQuery } from 'graphql-jit';
import type { Plugin } from 'graphql-yoga';

/** Compiled documents kept (the least recently run are forgotten first). */
const COMPILED_KEPT = 500;
/** Documents whose runs are counted (the least recently run are forgotten first). */
const COUNTED_KEPT = 5_000;

type Execute = (args: ExecutionArgs) => unknown;

/** A Map used as an LRU: reading an entry moves it to the end, the oldest goes first when full. */
class Lru<V> {
  private readonly entries = new Map<string, V>();
  constructor(private readonly capacity: number) {}

  get(key: string): V | undefined {
    const value = this.entries.get(key);
    if (value !== undefined) {
      this.entries.delete(key);
      this.entries.set(key, value);
    }
    return value;
  }

  set(key: string, value: V): void {
    this.entries.delete(key);
    if (this.entries.size >= this.capacity) this.entries.delete(this.entries.keys().next().value as string);
    this.entries.set(key, value);
  }
}

/** Where each line of a source starts, to turn graphql-jit's line and column back into a position. */
const lineStarts = new WeakMap<Source, number[]>();

function positionOf(source: Source, { line, column }: SourceLocation): number {
  let starts = lineStarts.get(source);
  if (!starts) {
    starts = [0];
    for (const match of source.body.matchAll(/\r\n|[\n\r]/g)) starts.push(match.index + match[0].length);
    lineStarts.set(source, starts);
  }
  return (starts[line - 1] ?? 0) + column - 1;
}

/**
 * An error of graphql-jit as graphql-js's locatedError makes it: a GraphQLError of graphql-js's own class,
 * `extensions` always an object (the original error's), its source and positions (so the error masking can
 * remake it with the same locations), and a resolver's error that already has a path kept as it is.
 */
function asLocatedError(error: GraphQLError, source: Source | undefined): GraphQLError {
  const original = error.originalError;
  if (original instanceof GraphQLError && Array.isArray(original.path)) return original;
  const nodes = original instanceof GraphQLError ? original.nodes : undefined;
  const positions = source && error.locations?.map((location) => positionOf(source, location));
  return new GraphQLError(error.message, {
    ...(nodes
      ? { nodes, source: (original as GraphQLError).source, positions: (original as GraphQLError).positions }
      : { source, positions }),
    path: error.path,
    originalError: original,
  });
}

/** The result as graphql-js would have given it: the same errors, of the same class and shape. */
function asInterpreted(result: ExecutionResult, document: DocumentNode): ExecutionResult {
  if (!result.errors?.length) return result;
  const source = document.loc?.source;
  return { ...result, errors: result.errors.map((error) => asLocatedError(error, source)) };
}

/** What a document's operation is compiled to: null when it is not compiled (a subscription, or it fails to). */
type Compiled = CompiledQuery | null;

/** `compileAfter`: the run of a document from which it runs compiled; 0 never compiles. */
export function useCompiledExecution(compileAfter: number): Plugin[] {
  if (compileAfter === 0) return [];
  const compiled = new Lru<Compiled>(COMPILED_KEPT);
  const runs = new Lru<number>(COUNTED_KEPT);
  // The same document object comes back from Yoga's parse cache for the same text: a cheap first look-up.
  const byDocument = new WeakMap<DocumentNode, Map<string, Compiled>>();

  const compile = (args: ExecutionArgs): Compiled => {
    const operation = getOperationAST(args.document, args.operationName);
    if (!operation || operation.operation === 'subscription') return null;
    const result = compileQuery(args.schema, args.document, args.operationName ?? undefined, {
      disablingCapturingStackErrors: true,
    });
    return isCompiledQuery(result) ? result : null;
  };

  const compiledFor = (args: ExecutionArgs): Compiled | undefined => {
    const operationName = args.operationName ?? '';
    const known = byDocument.get(args.document)?.get(operationName);
    if (known !== undefined) return known;
    const text = args.document.loc?.source.body;
    if (text === undefined) return null;
    const key = `${operationName}\n${text}`;
    let found = compiled.get(key);
    if (found === undefined) {
      const count = (runs.get(key) ?? 0) + 1;
      runs.set(key, count);
      if (count < compileAfter) return undefined;
      found = compile(args);
      compiled.set(key, found);
    }
    let operations = byDocument.get(args.document);
    if (!operations) {
      operations = new Map();
      byDocument.set(args.document, operations);
    }
    operations.set(operationName, found);
    return found;
  };

  return [
    {
      onExecute({ args, executeFn, setExecuteFn }) {
        const query = compiledFor(args);
        if (!query) return;
        const interpreted = executeFn as Execute;
        setExecuteFn(((executionArgs: ExecutionArgs) => {
          const result = query.query(executionArgs.rootValue, executionArgs.contextValue, executionArgs.variableValues);
          // Without `data` the variables did not coerce and nothing ran: graphql-js words those errors its way.
          const answered = (result: ExecutionResult) =>
            'data' in result ? asInterpreted(result, executionArgs.document) : interpreted(executionArgs);
          return result instanceof Promise ? result.then(answered) : answered(result);
        }) as never);
      },
    },
  ];
}
