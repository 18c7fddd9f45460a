// Every way an operation gets into the server, as a raw client sends it: plain HTTP (POST and GET),
// GraphQL over SSE in distinct-connections mode (on /graphql and on /graphql/stream, POST and GET), and
// single-connection mode (PUT a reservation, GET its stream, POST the operation into it). Each answers
// with what the client ends up seeing: the HTTP status of the request that carried the operation, and
// the result, whether it came as a JSON body or as the first event of a stream.

import { newUserId, tokenFor } from './tokens.js';

export interface Outcome {
  /** The status of the request that carried the operation (the POST in single-connection mode). */
  status: number;
  data: unknown;
  errors: Array<{ message: string; extensions?: Record<string, unknown> }>;
}

export interface Operation {
  query: string;
  variables?: Record<string, unknown>;
  /** Bearer token; null sends none. */
  token: string | null;
  /** Extra headers, or null to drop one the entry point would send. */
  headers?: Record<string, string | null>;
}

export interface EntryPoint {
  name: string;
  /** The method of the request that carries the operation. */
  method: 'GET' | 'POST';
  /** What this way in needs done before the operation is sent (and its effects measured). */
  prepare?(baseUrl: string, operation: Operation): Promise<void>;
  send(baseUrl: string, operation: Operation): Promise<Outcome>;
}

/** A legitimate client's header against CSRF (GraphiQL sends it too). */
const CSRF = { 'x-graphql-yoga-csrf': '1' };

function headersOf(operation: Operation, own: Record<string, string>): Record<string, string> {
  const all: Record<string, string | null> = {
    ...CSRF,
    ...own,
    ...(operation.token ? { authorization: `Bearer ${operation.token}` } : {}),
    ...operation.headers,
  };
  return Object.fromEntries(Object.entries(all).filter((entry): entry is [string, string] => entry[1] !== null));
}

const queryString = ({ query, variables }: Operation) =>
  new URLSearchParams({ query, ...(variables ? { variables: JSON.stringify(variables) } : {}) }).toString();

const bodyOf = ({ query, variables }: Operation, extensions?: Record<string, unknown>) =>
  JSON.stringify({ query, variables, ...(extensions ? { extensions } : {}) });

async function jsonOutcome(response: Response): Promise<Outcome> {
  const text = await response.text();
  let body: { data?: unknown; errors?: Outcome['errors'] } = {};
  try {
    body = text ? JSON.parse(text) : {};
  } catch {
    body = { errors: [{ message: text }] };
  }
  return { status: response.status, data: body.data, errors: body.errors ?? [] };
}

interface SseEvent {
  event: string;
  data: string;
}

/** Reads SSE events until `accept` returns a value, or fails after `timeoutMs`. */
export async function readEvents<T>(
  response: Response,
  accept: (event: SseEvent) => T | undefined,
  timeoutMs = 5000,
): Promise<T> {
  const reader = response.body!.pipeThrough(new TextDecoderStream()).getReader();
  const timer = setTimeout(() => void reader.cancel(new Error('timeout')).catch(() => {}), timeoutMs);
  let buffer = '';
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) throw new Error(`the stream ended before the result (read: ${JSON.stringify(buffer)})`);
      buffer += value;
      let end = buffer.indexOf('\n\n');
      while (end >= 0) {
        const block = buffer.slice(0, end);
        buffer = buffer.slice(end + 2);
        end = buffer.indexOf('\n\n');
        const lines = block.split('\n');
        const field = (name: string) =>
          lines
            .filter((line) => line.startsWith(`${name}:`))
            .map((line) => line.slice(name.length + 1).trimStart())
            .join('\n');
        const event = field('event');
        if (!event) continue;
        const found = accept({ event, data: field('data') });
        if (found !== undefined) return found;
      }
    }
  } finally {
    clearTimeout(timer);
    await reader.cancel().catch(() => {});
  }
}

/** A stream's first result (its `next` event), or the JSON answer given instead of a stream. */
async function streamOutcome(response: Response): Promise<Outcome> {
  if (!response.headers.get('content-type')?.startsWith('text/event-stream')) return jsonOutcome(response);
  return readEvents(response, ({ event, data }) => {
    if (event === 'complete') return { status: response.status, data: undefined, errors: [] };
    if (event !== 'next') return undefined;
    const result = JSON.parse(data) as { data?: unknown; errors?: Outcome['errors'] };
    return { status: response.status, data: result.data, errors: result.errors ?? [] };
  });
}

const plain = (method: 'GET' | 'POST'): EntryPoint => ({
  name: `${method} /graphql`,
  method,
  async send(baseUrl, operation) {
    const accept = { accept: 'application/graphql-response+json, application/json' };
    const response =
      method === 'GET'
        ? await fetch(`${baseUrl}/graphql?${queryString(operation)}`, { headers: headersOf(operation, accept) })
        : await fetch(`${baseUrl}/graphql`, {
            method,
            headers: headersOf(operation, { ...accept, 'content-type': 'application/json' }),
            body: bodyOf(operation),
          });
    return jsonOutcome(response);
  },
});

const distinct = (path: '/graphql' | '/graphql/stream', method: 'GET' | 'POST'): EntryPoint => ({
  name: `${method} ${path} (SSE, distinct connections)`,
  method,
  async send(baseUrl, operation) {
    const accept = { accept: 'text/event-stream' };
    const response =
      method === 'GET'
        ? await fetch(`${baseUrl}${path}?${queryString(operation)}`, { headers: headersOf(operation, accept) })
        : await fetch(`${baseUrl}${path}`, {
            method,
            headers: headersOf(operation, { ...accept, 'content-type': 'application/json' }),
            body: bodyOf(operation),
          });
    return streamOutcome(response);
  },
});

/** The three requests of single-connection mode, as graphql-sse's client makes them. */
export const singleConnection: EntryPoint = {
  name: 'PUT + GET + POST /graphql/stream (SSE, single connection)',
  method: 'POST',
  async send(baseUrl, operation) {
    const url = `${baseUrl}/graphql/stream`;
    const reservation = await fetch(url, { method: 'PUT', headers: headersOf(operation, {}) });
    if (reservation.status !== 201) return jsonOutcome(reservation);
    const streamToken = await reservation.text();
    const withToken = (own: Record<string, string>) =>
      headersOf(operation, { ...own, 'x-graphql-event-stream-token': streamToken });
    const stream = await fetch(url, { headers: withToken({ accept: 'text/event-stream' }) });
    if (stream.status !== 200) return jsonOutcome(stream);
    try {
      const operationId = 'op-1';
      const posted = await fetch(url, {
        method: 'POST',
        headers: withToken({ accept: 'application/json', 'content-type': 'application/json' }),
        body: bodyOf(operation, { operationId }),
      });
      if (posted.status !== 202) return jsonOutcome(posted);
      return await readEvents(stream, ({ event, data }) => {
        const message = data ? (JSON.parse(data) as { id?: string; payload?: Outcome }) : {};
        if (message.id !== operationId) return undefined;
        if (event === 'complete') return { status: posted.status, data: undefined, errors: [] };
        const payload = message.payload ?? ({} as Partial<Outcome>);
        return { status: posted.status, data: payload.data, errors: payload.errors ?? [] };
      });
    } finally {
      await stream.body?.cancel().catch(() => {});
    }
  },
};

/**
 * POST /graphql with a document that has run before, which compiled reads (src/compiled-reads/) answer when
 * they can: it is sent once first, by another user with a valid token and nothing else changed.
 */
const compiledRead: EntryPoint = {
  name: 'POST /graphql (a document run before: compiled reads)',
  method: 'POST',
  async prepare(baseUrl, operation) {
    await plain('POST').send(baseUrl, { ...operation, token: await tokenFor(newUserId()), headers: {} });
  },
  send: (baseUrl, operation) => plain('POST').send(baseUrl, operation),
};

/**
 * POST /graphql over SSE with a document that has run before, which compiled streams (src/compiled-streams/)
 * serve when it is a subscription they can: another user with a valid token opens it once first.
 */
const compiledStream = (path: '/graphql' | '/graphql/stream'): EntryPoint => ({
  name: `POST ${path} (SSE, a document run before: compiled streams)`,
  method: 'POST',
  async prepare(baseUrl, { query, variables }) {
    const token = await tokenFor(newUserId());
    const response = await fetch(`${baseUrl}${path}`, {
      method: 'POST',
      headers: headersOf({ query, token }, { accept: 'text/event-stream', 'content-type': 'application/json' }),
      body: bodyOf({ query, variables, token }),
    });
    // Its headers come once its subscription is set up (or its answer once it is refused).
    await response.body?.cancel().catch(() => {});
  },
  send: (baseUrl, operation) => distinct(path, 'POST').send(baseUrl, operation),
});

export const ENTRY_POINTS: readonly EntryPoint[] = [
  plain('POST'),
  compiledRead,
  plain('GET'),
  distinct('/graphql', 'POST'),
  compiledStream('/graphql'),
  distinct('/graphql', 'GET'),
  distinct('/graphql/stream', 'POST'),
  compiledStream('/graphql/stream'),
  distinct('/graphql/stream', 'GET'),
  singleConnection,
];
