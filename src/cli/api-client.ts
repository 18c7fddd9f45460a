// The CLI's way into the service: one GraphQL request to the running server with a service token, so that
// an event from the command line takes exactly the path of one from a producer. Every failure becomes one
// line an operator can act on.

/** A failure to report in one line (the CLI prints it and exits 1). */
export class CliError extends Error {
  override name = 'CliError';
}

interface GraphQLErrorShape {
  message: string;
  extensions?: { code?: string; field?: string };
}

import { GRAPHQL_PATH } from '../http/paths.js';

const TIMEOUT_MS = 60_000;

/** Runs one operation and returns its data; throws CliError with the server's error, or why it could not ask. */
export async function request<TData>(
  apiUrl: string,
  token: string,
  query: string,
  variables: Record<string, unknown>,
): Promise<TData> {
  let response: Response;
  try {
    response = await fetch(`${apiUrl}${GRAPHQL_PATH}`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        accept: 'application/graphql-response+json, application/json',
        authorization: `Bearer ${token}`,
      },
      body: JSON.stringify({ query, variables }),
      signal: AbortSignal.timeout(TIMEOUT_MS),
    });
  } catch (error) {
    throw new CliError(unreachable(apiUrl, error));
  }
  let body: { data?: TData | null; errors?: GraphQLErrorShape[] };
  try {
    body = (await response.json()) as typeof body;
  } catch {
    throw new CliError(`${apiUrl}${GRAPHQL_PATH} answered HTTP ${response.status}, not GraphQL; is API_URL right?`);
  }
  if (body.errors?.length) throw new CliError(body.errors.map(describe).join('; '));
  if (!body.data) throw new CliError(`${apiUrl}${GRAPHQL_PATH} answered HTTP ${response.status} without data`);
  return body.data;
}

function describe(error: GraphQLErrorShape): string {
  const code = error.extensions?.code;
  const field = error.extensions?.field;
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
