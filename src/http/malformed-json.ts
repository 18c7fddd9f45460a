// JSON in a request that does not parse is the client's mistake, wherever it is: 400 BAD_REQUEST, logged as
// an answered request, not as a server error. Yoga parses the query string's `variables` and `extensions`
// with a bare JSON.parse (its SyntaxError became a masked 500), and marks its own "POST body sent invalid
// JSON." 400 for clients accepting application/graphql-response+json only; GraphQL over HTTP recommends a
// 4xx status for application/json too (graphql-http's audit: "SHOULD use 4xx or 5xx status codes on JSON
// parsing failure").
import { GraphQLError } from 'graphql';
import type { Plugin } from 'graphql-yoga';

const badRequest = (message: string) =>
  new GraphQLError(message, { extensions: { code: 'BAD_REQUEST', http: { status: 400 } } });

/** The query string parameter holding JSON that does not parse, if any. */
function malformedParameter(url: URL): string | undefined {
  for (const name of ['variables', 'extensions']) {
    const text = url.searchParams.get(name);
    if (!text) continue;
    try {
      JSON.parse(text);
    } catch {
      return name;
    }
  }
  return undefined;
}

export function useMalformedJsonAsBadRequest(): Plugin {
  return {
    onRequestParse({ url, requestParser, setRequestParser }) {
      if (!requestParser) return;
      setRequestParser(async (request) => {
        try {
          return await requestParser(request);
        } catch (error) {
          if (error instanceof SyntaxError) {
            const parameter = malformedParameter(url);
            throw badRequest(
              parameter ? `The "${parameter}" parameter is not valid JSON.` : 'The request holds invalid JSON.',
            );
          }
          if (error instanceof GraphQLError && error.extensions.code === 'BAD_REQUEST') {
            const http = error.extensions.http as { spec?: boolean } | undefined;
            if (http?.spec) throw badRequest(error.message);
          }
          throw error;
        }
      });
    },
  };
}
