// Counts every GraphQL error answered, by its `extensions.code`: those of results (execution, validation,
// context, each event of a stream) as Yoga hands them to its result processor, and those of the responses
// plugins answer themselves before any GraphQL runs (the 401 of authentication, 413, 429…).
import type { Plugin } from 'graphql-yoga';
import { mapIterator } from '../streams/map-iterator.js';

type Count = (code: string) => void;

interface WithErrors {
  errors?: ReadonlyArray<{ extensions?: Record<string, unknown> }> | undefined;
}

const codeOf = (error: { extensions?: Record<string, unknown> }) =>
  typeof error.extensions?.code === 'string' ? error.extensions.code : 'UNKNOWN';

function countErrors(result: WithErrors | null | undefined, count: Count): void {
  for (const error of result?.errors ?? []) count(codeOf(error));
}

const isJson = (response: Response) => (response.headers.get('content-type') ?? '').includes('json');

export function useErrorMetrics(count: Count): Plugin {
  const processed = new WeakSet<Request>();
  return {
    onResultProcess({ request, result, setResult }) {
      processed.add(request);
      if (Array.isArray(result)) for (const each of result) countErrors(each, count);
      else if (Symbol.asyncIterator in result) {
        setResult(
          mapIterator(result[Symbol.asyncIterator](), (each) => {
            countErrors(each, count);
            return each;
          }),
        );
      } else countErrors(result, count);
    },
    // A promise only for the responses it reads: none for a processed or successful one.
    onResponse({ request, response }) {
      if (processed.has(request) || response.status < 400 || !isJson(response)) return;
      return response
        .clone()
        .json()
        .then(
          (body) => countErrors(body as WithErrors, count),
          () => undefined,
        );
    },
  };
}
