// A distinct-connections stream over a real socket is written straight into Node's response
// (src/http/sse-socket.ts): what a client reads must be what the in-process stream writes, byte for byte.
import { describe, expect, it } from 'vitest';
import { createNotification } from '../helpers/notifications.js';
import { useTestServer } from '../helpers/server.js';
import { newUserId, tokenFor } from '../helpers/tokens.js';

const server = useTestServer();

const SUBSCRIPTION = 'subscription { notificationAdded { title message type } }';

async function openStream(token: string): Promise<Response> {
  return fetch(`${server.url}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', accept: 'text/event-stream', authorization: `Bearer ${token}` },
    body: JSON.stringify({ query: SUBSCRIPTION }),
  });
}

/** Reads the body until `done(text)` holds or it ends. */
async function readUntil(response: Response, done: (text: string) => boolean): Promise<string> {
  const reader = response.body!.getReader();
  const decoder = new TextDecoder();
  let text = '';
  while (!done(text)) {
    const { done: ended, value } = await reader.read();
    if (ended) break;
    text += decoder.decode(value, { stream: true });
  }
  await reader.cancel().catch(() => {});
  return text;
}

describe('a distinct-connections stream over a socket', () => {
  it('should send its headers, a first ping, then each event as one `next` frame', async () => {
    const userId = newUserId();
    const response = await openStream(await tokenFor(userId));
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('text/event-stream');
    expect(response.headers.get('cache-control')).toBe('no-cache');
    expect(response.headers.get('x-accel-buffering')).toBe('no');
    const reading = readUntil(response, (text) => text.includes('event: next'));
    await createNotification(server.url, { userId, title: 'over the socket', message: 'hello' });
    const text = await reading;
    expect(text.startsWith(':\n\n')).toBe(true);
    const frame = text.slice(text.indexOf('event: next'));
    expect(frame).toBe(
      `event: next\ndata: ${JSON.stringify({ data: { notificationAdded: { title: 'over the socket', message: 'hello', type: 'SUCCESS' } } })}\n\n`,
    );
  });

  it('should end with its last result and `complete` when the token expires', async () => {
    const userId = newUserId();
    const response = await openStream(await tokenFor(userId, { ttl: 2 }));
    const text = await readUntil(response, (read) => read.endsWith('event: complete\ndata:\n\n'));
    const next = text.slice(text.indexOf('event: next'), text.indexOf('event: complete'));
    const result = JSON.parse(next.slice(next.indexOf('data: ') + 6)) as {
      errors?: Array<{ extensions?: { code?: string } }>;
    };
    expect(result.errors?.[0]?.extensions?.code).toBe('AUTH_EXPIRED');
    expect(text.endsWith('event: complete\ndata:\n\n')).toBe(true);
  });
});
