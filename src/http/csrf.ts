// Yoga's CSRF prevention (@graphql-yoga/plugin-csrf-prevention): a request a browser may send without a CORS
// preflight (a GET, or a form or plain-text body) must carry a header no page can add unasked. Its refusal is
// Yoga's 403, said so that a client's developer knows what to send.
import { useCSRFPrevention } from '@graphql-yoga/plugin-csrf-prevention';
import { createGraphQLError, type Plugin } from 'graphql-yoga';

/** The header a GET (and a form or plain-text POST) must carry; any value will do. GraphiQL sends it. */
export const CSRF_HEADER = 'x-graphql-yoga-csrf';

const REFUSAL =
  `Required CSRF header(s) not present: send the header "${CSRF_HEADER}" (any value) with GET requests ` +
  'and with form or plain-text bodies';

export function useCsrfPrevention(): Plugin {
  const { onRequestParse: check } = useCSRFPrevention({ requestHeaders: [CSRF_HEADER] });
  return {
    onRequestParse(payload) {
      try {
        return check?.(payload);
      } catch {
        throw createGraphQLError(REFUSAL, { extensions: { http: { status: 403 } } });
      }
    },
  };
}
