// Streams opened the way an impatient or broken client opens them: raw HTTP requests whose socket is
// destroyed at a chosen moment, or kept open and never read.
import { request } from 'node:http';
import type { Socket } from 'node:net';

export interface RawRequest {
  method: string;
  path: string;
  headers: Record<string, string>;
  body?: string;
}

export interface SentRequest {
  /** Destroys the socket, whatever the server did meanwhile. */
  reset(): void;
  /** Settles once the socket is closed. */
  closed: Promise<void>;
  /** Settles once the whole request was handed to the network (or the socket closed first). */
  sent: Promise<void>;
  /** Settles once the response's headers arrived (or the socket closed first). */
  answered: Promise<void>;
}

/** Sends `raw`, reading (and dropping) whatever comes back until `reset()`. */
export function sendRequest(baseUrl: string, raw: RawRequest): SentRequest {
  const req = request(`${baseUrl}${raw.path}`, { method: raw.method, headers: raw.headers, agent: false });
  req.on('error', () => {});
  const answered = new Promise<void>((resolve) => {
    req.on('response', (response) => {
      response.on('error', () => {}).resume();
      resolve();
    });
    req.on('close', () => resolve());
  });
  const closed = new Promise<void>((resolve) => req.on('close', () => resolve()));
  const sent = new Promise<void>((resolve) => {
    req.on('finish', () => resolve());
    req.on('close', () => resolve());
  });
  req.end(raw.body);
  return { reset: () => req.destroy(), closed, sent, answered };
}

/** Sends `raw` and destroys its socket `afterMs` after the request was handed to the network; settles on close. */
export function sendAndReset(baseUrl: string, raw: RawRequest, afterMs: number): Promise<void> {
  const sent = sendRequest(baseUrl, raw);
  sent.sent.then(() => setTimeout(sent.reset, afterMs));
  return sent.closed;
}

/** Sends `raw` and resolves with its status, headers and body (for short answers). */
export function sendRaw(baseUrl: string, raw: RawRequest): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request(`${baseUrl}${raw.path}`, { method: raw.method, headers: raw.headers, agent: false });
    req.on('error', reject);
    req.on('response', (response) => {
      let body = '';
      response.setEncoding('utf8');
      response.on('data', (chunk: string) => {
        body += chunk;
      });
      response.on('end', () => resolve({ status: response.statusCode ?? 0, body }));
    });
    req.end(raw.body);
  });
}

export interface StalledStream {
  status: number;
  /** Resolves when the server ends the response or closes the connection. */
  closed: Promise<void>;
  destroy(): void;
}

/** Opens a streaming response, reads its headers, then stops reading from the socket for good. */
export function openAndStall(baseUrl: string, raw: RawRequest): Promise<StalledStream> {
  return new Promise((resolve, reject) => {
    const req = request(`${baseUrl}${raw.path}`, { method: raw.method, headers: raw.headers, agent: false });
    req.on('error', () => {});
    req.on('response', (response) => {
      const socket = req.socket as Socket;
      response.pause();
      socket.pause();
      const closed = new Promise<void>((done) => socket.once('close', () => done()));
      resolve({ status: response.statusCode ?? 0, closed, destroy: () => req.destroy() });
    });
    req.once('error', reject);
    req.end(raw.body);
  });
}

/** A distinct-connections SSE subscription, as a raw POST. */
export function sseSubscription(token: string, query: string, variables: Record<string, unknown> = {}): RawRequest {
  return {
    method: 'POST',
    path: '/graphql',
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json', accept: 'text/event-stream' },
    body: JSON.stringify({ query, variables }),
  };
}
