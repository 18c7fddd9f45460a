// The CLI's way into the service: one GraphQL request to the running server with a service token, through the
// shared client (@notification-api/client), so that an event from the command line takes exactly the path of
// one from a producer. Every failure becomes one line an operator can act on.
import {
  createNotificationClient,
  type GraphQLErrorLike,
  GraphQLRequestError,
  graphqlEndpoint,
  type TypedDocument,
} from '@notification-api/client';

/** A failure to report in one line (the CLI prints it and exits 1). */
export class CliError extends Error {
  override name = 'CliError';
}

const TIMEOUT_MS = 60_000;

/** A document written here, typed by hand. */
export const document = <TData, TVariables>(text: string): TypedDocument<TData, TVariables> => ({
  toString: () => text,
});

/** Runs one operation and returns its data; throws CliError with the server's error, or why it could not ask. */
export async function request<TData, TVariables>(
  apiUrl: string,
  token: string,
  operation: TypedDocument<TData, TVariables>,
  variables: TVariables,
): Promise<TData> {
  const client = createNotificationClient({
    url: apiUrl,
    token,
    fetch: (input, init) => fetch(input, { ...init, signal: AbortSignal.timeout(TIMEOUT_MS) }),
  });
  // The variables are given whole here, so the client's "optional when every variable is" typing does not apply.
  const send = client.request as (operation: TypedDocument<TData, TVariables>, variables: TVariables) => Promise<TData>;
  try {
    return await send(operation, variables);
  } catch (error) {
    if (!(error instanceof GraphQLRequestError)) throw error;
    throw new CliError(explain(apiUrl, error));
  }
}

function explain(apiUrl: string, error: GraphQLRequestError): string {
  const endpoint = graphqlEndpoint(apiUrl);
  if (error.errors.length > 0) return error.errors.map(describe).join('; ');
  if (error.code !== 'NETWORK_ERROR') return `${endpoint} answered HTTP ${error.status} without data`;
  if (error.status !== undefined) return `${endpoint} answered HTTP ${error.status}, not GraphQL; is API_URL right?`;
  return unreachable(apiUrl, error.cause);
}

function describe(error: GraphQLErrorLike): string {
  const code = typeof error.extensions?.code === 'string' ? error.extensions.code : undefined;
  const field = typeof error.extensions?.field === 'string' ? error.extensions.field : undefined;
  // BAD_USER_INPUT messages start with their field already ("type: is not a known event type: …").
  const message = field && !error.message.startsWith(`${field}:`) ? `${field}: ${error.message}` : error.message;
  const hint = code === 'UNAUTHENTICATED' ? " (is JWT_SECRET the server's, or DEV_JWT_SECRET_FILE its file?)" : '';
  return `${code ? `${code} ` : ''}${message}${hint}`;
}

function unreachable(apiUrl: string, error: unknown): string {
  if ((error as Error).name === 'TimeoutError') return `${apiUrl} did not answer within ${TIMEOUT_MS / 1000} s`;
  // fetch says "fetch failed"; the reason is its cause (ECONNREFUSED, ENOTFOUND…).
  const cause = (error as { cause?: { code?: string; message?: string } }).cause;
  const reason = cause?.code ?? cause?.message ?? (error as Error).message;
  return `cannot reach the notification service at ${apiUrl} (${reason}); is it running?`;
}
