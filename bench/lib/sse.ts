// A light GraphQL-over-SSE client (distinct connections mode) over node:http, for thousands of streams in
// one process: no retries, no buffering beyond the current event, `next` events handed over as parsed JSON.
import { Agent, type ClientRequest, request } from 'node:http';

const agent = new Agent({ keepAlive: false, maxSockets: Number.POSITIVE_INFINITY });

/** Source addresses to spread client sockets over: each loopback address has its own ephemeral ports. */
export const LOCAL_ADDRESSES = Array.from({ length: 8 }, (_, i) => `127.0.0.${i + 1}`);

export interface SseStream {
  /** The request; destroying it closes the stream. */
  request: ClientRequest;
  close(): void;
  closed: Promise<void>;
}

export interface OpenOptions {
  url: string;
  token: string;
  query: string;
  localAddress?: string;
  onNext?: (payload: unknown) => void;
}

/** Resolves once the server answered 200 (the subscription is set up), rejects otherwise. */
export function openSse({ url, token, query, localAddress, onNext }: OpenOptions): Promise<SseStream> {
  const target = new URL(url);
  const body = JSON.stringify({ query });
  return new Promise((resolve, reject) => {
    const req = request({
      host: target.hostname,
      port: target.port,
      path: `${target.pathname}`,
      method: 'POST',
      agent,
      localAddress,
      headers: {
        accept: 'text/event-stream',
        'content-type': 'application/json',
        'content-length': Buffer.byteLength(body),
        authorization: `Bearer ${token}`,
      },
    });
    let settle = (error?: Error) => {
      settle = () => {};
      if (error) reject(error);
    };
    const closed = new Promise<void>((done) => req.once('close', () => done()));
    req.on('error', (error) => settle(error));
    req.on('response', (response) => {
      if (response.statusCode !== 200) {
        response.resume();
        settle(new Error(`SSE answered ${response.statusCode}`));
        req.destroy();
        return;
      }
      response.setEncoding('utf8');
      let buffer = '';
      response.on('data', (chunk: string) => {
        buffer += chunk;
        let end = buffer.indexOf('\n\n');
        while (end !== -1) {
          const block = buffer.slice(0, end);
          buffer = buffer.slice(end + 2);
          end = buffer.indexOf('\n\n');
          if (!onNext || !block.startsWith('event: next')) continue;
          const data = block.indexOf('\ndata: ');
          if (data !== -1) onNext(JSON.parse(block.slice(data + 7)));
        }
      });
      response.on('error', () => {});
      settle();
      resolve({ request: req, close: () => req.destroy(), closed });
    });
    req.end(body);
  });
}

/** Runs `task` over `items` with at most `concurrency` at once. */
export async function eachLimited<T>(items: T[], concurrency: number, task: (item: T, index: number) => Promise<void>) {
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(concurrency, items.length) }, async () => {
      while (next < items.length) {
        const index = next++;
        await task(items[index]!, index);
      }
    }),
  );
}
