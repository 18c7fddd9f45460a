// Queries and mutations of documents that run often are executed by code compiled for them (graphql-jit)
// instead of graphql-js's interpreter, which walks the document anew for every field of every request. A
// document is compiled on its GRAPHQL_COMPILE_AFTER-th run, so that documents sent once (any client may send
// any document unless PERSISTED_OPERATIONS=only) never pay for a compilation. Runs and compiled code are kept
// with the parsed document, which Yoga's parse cache (an LRU) hands out again for the same text: both go when
// it drops the document. Subscriptions stay on graphql-js. Where graphql-jit would answer differently from
// graphql-js, graphql-js's answer is given (asInterpreted below): clients cannot tell which of them ran.
import {
  type DocumentNode,
  type ExecutionArgs,
  type ExecutionResult,
  GraphQLError,
  type GraphQLSchema,
  getOperationAST,
  type Source,
  type SourceLocation,
} from 'graphql';
import { type CompiledQuery, compileQuery, isCompiledQuery } from 'graphql-jit';
import type { Plugin } from 'graphql-yoga';

type Execute = (args: ExecutionArgs) => unknown;

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
export function asInterpreted(result: ExecutionResult, document: DocumentNode): ExecutionResult {
  if (!result.errors?.length) return result;
  const source = document.loc?.source;
  return { ...result, errors: result.errors.map((error) => asLocatedError(error, source)) };
}

/** An operation of a document: how often it ran, then what it is compiled to (null: it is not compiled). */
interface Operation {
  runs: number;
  compiled?: CompiledQuery | null;
}

/** The operation compiled by graphql-jit; null for a subscription or what graphql-jit cannot compile. */
export function compileOperation(
  schema: GraphQLSchema,
  document: DocumentNode,
  operationName: string | null | undefined,
): CompiledQuery | null {
  const operation = getOperationAST(document, operationName);
  if (!operation || operation.operation === 'subscription') return null;
  const result = compileQuery(schema, document, operationName ?? undefined, { disablingCapturingStackErrors: true });
  return isCompiledQuery(result) ? result : null;
}

/** `compileAfter`: the run of a document from which it runs compiled; 0 never compiles. */
export function useCompiledExecution(compileAfter: number): Plugin[] {
  if (compileAfter === 0) return [];
  const documents = new WeakMap<DocumentNode, Map<string, Operation>>();

  const compile = (args: ExecutionArgs) => compileOperation(args.schema, args.document, args.operationName);

  const compiledFor = (args: ExecutionArgs): CompiledQuery | null | undefined => {
    let operations = documents.get(args.document);
    if (!operations) {
      operations = new Map();
      documents.set(args.document, operations);
    }
    const name = args.operationName ?? '';
    let operation = operations.get(name);
    if (!operation) {
      operation = { runs: 0 };
      operations.set(name, operation);
    }
    if (operation.compiled !== undefined) return operation.compiled;
    operation.runs += 1;
    if (operation.runs >= compileAfter) operation.compiled = compile(args);
    return operation.compiled;
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
